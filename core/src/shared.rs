//! What every capability handle shares: the stores, the portal client, the session and the
//! app's services, opened once by [`crate::SmartHd::open`].

use crate::appointment::{Appointments, client as appointment_client};
use crate::catalog::Catalog;
use crate::config::Config;
use crate::documents::Papers;
use crate::dossier::Dossiers;
use crate::error::{AuthError, Error, Result};
use crate::identity::Identity;
use crate::inbox::{Inbox, client as inbox_client};
use crate::owner::Owner;
use crate::payment::{Payments, client};
use crate::platform::Services;
use crate::report::Reports;
use crate::store::UserDb;
use crate::sync::{outbox, reports, results};
use crate::transport::PortalClient;
use crate::vault::Vault;

pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) portal: PortalClient,
    pub(crate) catalog: Catalog,
    pub(crate) identity: Identity,
    pub(crate) dossiers: Dossiers,
    pub(crate) payments: Payments,
    pub(crate) appointments: Appointments,
    pub(crate) papers: Papers,
    pub(crate) inbox: Inbox,
    pub(crate) reports: Reports,
    pub(crate) services: Services,
    pub(crate) user_db: UserDb,
    pub(crate) vault: std::sync::Arc<Vault>,
}

impl Shared {
    /// The resident logged in now, who owns what is made and sees what is theirs; a session the data key cannot open is nobody (they log in
    /// again), so what nobody owns stays usable.
    pub(crate) fn owner(&self) -> Result<Option<Owner>> {
        match self.identity.subject() {
            Ok(sub) => Ok(sub.map(|sub| Owner::of(&self.vault, &sub))),
            Err(Error::UserDataUnreadable { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The resident logged in now, or the typed "log in first" error.
    pub(crate) fn resident(&self) -> Result<Owner> {
        self.owner()?.ok_or_else(|| AuthError::NotLoggedIn.into())
    }

    pub(crate) fn outbox_context<'a>(&'a self, owner: Option<&'a Owner>) -> outbox::Context<'a> {
        outbox::Context {
            portal: &self.portal,
            identity: &self.identity,
            dossiers: &self.dossiers,
            catalog: &self.catalog,
            events: self.services.events.as_ref(),
            owner,
            vault: &self.vault,
        }
    }

    pub(crate) fn results_context<'a>(&'a self, owner: &'a Owner) -> results::Context<'a> {
        results::Context {
            portal: &self.portal,
            identity: &self.identity,
            dossiers: &self.dossiers,
            payments: &self.payments,
            owner,
        }
    }

    pub(crate) fn payment_context<'a>(&'a self, owner: &'a Owner) -> client::Context<'a> {
        client::Context {
            portal: &self.portal,
            identity: &self.identity,
            payments: &self.payments,
            dossiers: &self.dossiers,
            events: self.services.events.as_ref(),
            owner,
        }
    }

    pub(crate) fn appointment_context<'a>(&'a self, owner: &'a Owner) -> appointment_client::Context<'a> {
        appointment_client::Context {
            portal: &self.portal,
            identity: &self.identity,
            appointments: &self.appointments,
            events: self.services.events.as_ref(),
            owner,
        }
    }

    pub(crate) fn inbox_context<'a>(&'a self, owner: &'a Owner) -> inbox_client::Context<'a> {
        inbox_client::Context {
            portal: &self.portal,
            identity: &self.identity,
            inbox: &self.inbox,
            db: &self.user_db,
            owner,
            events: self.services.events.as_ref(),
        }
    }

    pub(crate) fn reports_context<'a>(&'a self, owner: Option<&'a Owner>) -> reports::Context<'a> {
        reports::Context { outbox: self.outbox_context(owner), reports: &self.reports }
    }

    /// The app's listener, with each dossier, payment and report change also kept in `owner`'s
    /// inbox: what syncs run for a resident tell through.
    pub(crate) fn noting<'a>(&'a self, owner: &'a Owner) -> crate::inbox::Noting<'a> {
        crate::inbox::Noting { app: self.services.events.as_ref(), inbox: &self.inbox, owner }
    }
}
