//! What every capability handle shares: the stores, the portal client, the session and the
//! app's services, opened once by [`crate::SmartHd::open`].

use crate::catalog::Catalog;
use crate::config::Config;
use crate::dossier::Dossiers;
use crate::identity::Identity;
use crate::payment::{Payments, client};
use crate::platform::Services;
use crate::sync::outbox;
use crate::transport::PortalClient;

pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) portal: PortalClient,
    pub(crate) catalog: Catalog,
    pub(crate) identity: Identity,
    pub(crate) dossiers: Dossiers,
    pub(crate) payments: Payments,
    pub(crate) services: Services,
}

impl Shared {
    pub(crate) fn outbox_context(&self) -> outbox::Context<'_> {
        outbox::Context {
            portal: &self.portal,
            identity: &self.identity,
            dossiers: &self.dossiers,
            catalog: &self.catalog,
            events: self.services.events.as_ref(),
        }
    }

    pub(crate) fn payment_context(&self) -> client::Context<'_> {
        client::Context {
            portal: &self.portal,
            identity: &self.identity,
            payments: &self.payments,
            dossiers: &self.dossiers,
            events: self.services.events.as_ref(),
        }
    }
}
