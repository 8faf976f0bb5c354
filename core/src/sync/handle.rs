//! Sync's public face: the catalog feed, and the outbox with statuses and payments.

use std::sync::Arc;

use super::catalog::{self, SyncReport};
use super::outbox::{self, DossierSyncReport};
use super::{reports, results};
use crate::documents::ProfileCards;
use crate::error::Result;
use crate::events::SessionState;
use crate::owner::Owner;
use crate::shared::Shared;
use crate::{appointment, payment};

/// `core.sync()`: bringing the offline copy up to date with the portal.
///
/// Every call here may be stopped by dropping its future: each step commits in its own
/// transaction (a catalog page with its cursor, an outbox entry with the portal's answer), so a
/// stopped sync leaves what it committed and the next one carries on from there.
#[derive(Clone)]
pub struct SyncHandle {
    shared: Arc<Shared>,
}

impl SyncHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        SyncHandle { shared }
    }

    /// Brings the offline catalog up to date (needs a tokio runtime: reqwest). Progress goes to
    /// the `EventListener`.
    pub async fn catalog(&self) -> Result<SyncReport> {
        let shared = &self.shared;
        catalog::sync_catalog(&shared.portal, &shared.catalog, shared.services.events.as_ref()).await
    }

    /// Sends the logged-in resident's outbox (everything they queued, now; other residents'
    /// entries wait for them), refreshes their dossier statuses, settles their payments, sends their booking requests and gives appointment reminders (within 24 hours, once each): the app calls this at start, when the resident pulls to refresh, and from its
    /// periodic background work.
    pub async fn now(&self) -> Result<DossierSyncReport> {
        self.dossiers(true).await
    }

    /// The same when the platform says the network is back: entries still waiting out their
    /// backoff are left for later.
    pub async fn when_online(&self) -> Result<DossierSyncReport> {
        self.dossiers(false).await
    }

    /// At level 2, the resident's personal papers for "My documents", kept sealed for offline
    /// use; a failure to fetch them leaves the copy kept before.
    async fn refresh_papers(&self, owner: &Owner) -> Result<()> {
        let user = self.shared.user()?;
        let shared = &self.shared;
        if !matches!(user.identity.state().await?, SessionState::LoggedIn { level: 2.., .. }) {
            return Ok(());
        }
        match shared
            .portal
            .authorized_json::<ProfileCards>(&user.identity.acting_for(owner), "api/v1/me/documents")
            .await
        {
            Ok(cards) => user.papers.keep(owner, &cards),
            Err(error) => {
                tracing::info!("personal papers not refreshed: {error}");
                Ok(())
            }
        }
    }

    async fn dossiers(&self, force: bool) -> Result<DossierSyncReport> {
        let user = self.shared.user()?;
        let shared = &self.shared;
        let owner = shared.owner()?;
        let Some(owner) = owner.as_ref() else {
            return outbox::sync_dossiers(&shared.outbox_context(None)?, force).await;
        };
        // What changes for the resident is told to the app and kept in their inbox.
        let noting = shared.noting(owner)?;
        let mut outbox_cx = shared.outbox_context(Some(owner))?;
        outbox_cx.events = &noting;
        let mut report = outbox::sync_dossiers(&outbox_cx, force).await?;
        if !report.outbox.needs_login {
            let mut payment_cx = shared.payment_context(owner)?;
            payment_cx.events = &noting;
            report.payments_updated = payment::client::sync(&payment_cx).await?;
            appointment::client::sync(&shared.appointment_context(owner)?).await?;
            report.results_kept = results::fetch_new(&shared.results_context(owner)?).await?;
            report.reports =
                reports::sync(&reports::Context { outbox: outbox_cx, reports: &user.reports }, force).await?;
            // The inbox is a nicety: a failure to fetch it leaves what was kept.
            if let Err(error) = crate::inbox::client::sync(&shared.inbox_context(owner)?).await {
                tracing::info!("inbox not refreshed: {error}");
            }
            self.refresh_papers(owner).await?;
        }
        // Reminders are local: given offline too, from the bookings kept; and only to the
        // resident still logged in (another process may have logged someone else in meanwhile).
        if shared.owner()?.as_ref() == Some(owner) {
            appointment::client::remind(&user.appointments, owner, shared.services.events.as_ref())?;
        }
        Ok(report)
    }
}
