//! Sync's public face: the catalog feed, and the outbox with statuses and payments.

use std::sync::Arc;

use super::catalog::{self, SyncReport};
use super::outbox::{self, DossierSyncReport};
use super::{reports, results};
use crate::documents::ProfileCards;
use crate::error::{Error, PortalError, Result};
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
        // Each step on its own: an answer one of them cannot take (an unknown status, a
        // malformed page) is said at the end, after the others ran (a queued report is not held
        // back by a booking the app does not understand).
        let mut failed = None;
        let mut report = kept_for_the_end(outbox::sync_dossiers(&outbox_cx, force).await, &mut failed)?;
        if !report.outbox.needs_login {
            let mut payment_cx = shared.payment_context(owner)?;
            payment_cx.events = &noting;
            report.payments_updated = kept_for_the_end(payment::client::sync(&payment_cx).await, &mut failed)?;
            kept_for_the_end(appointment::client::sync(&shared.appointment_context(owner)?).await, &mut failed)?;
            report.results_kept =
                kept_for_the_end(results::fetch_new(&shared.results_context(owner)?).await, &mut failed)?;
            let reports_cx = reports::Context { outbox: outbox_cx, reports: &user.reports };
            report.reports = kept_for_the_end(reports::sync(&reports_cx, force).await, &mut failed)?;
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
        match failed {
            Some(error) => Err(error),
            None => Ok(report),
        }
    }
}

/// A step's result: its value, or, for a failure of that step's answer alone (an unknown
/// status, a malformed answer, a refusal for good), the default, with the first such failure
/// kept for the end of the sync. No connection, no login, a portal answering 5xx, a storage
/// failure: the sync stops there, as every step would meet it.
fn kept_for_the_end<T: Default>(result: Result<T>, failed: &mut Option<Error>) -> Result<T> {
    let Err(error) = result else { return result };
    let its_own = match &error {
        Error::UpdateNeeded { .. } => true,
        Error::Portal(
            PortalError::Malformed { .. }
            | PortalError::OutOfRange { .. }
            | PortalError::TooLarge { .. }
            | PortalError::Redirected { .. },
        ) => true,
        Error::Portal(refused @ PortalError::Refused { .. }) => refused.class().is_final(),
        _ => false,
    };
    if !its_own {
        return Err(error);
    }
    tracing::info!("a sync step failed, the others go on: {:?}", error.kind());
    failed.get_or_insert(error);
    Ok(T::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What one step's answer alone gets wrong is kept for the end and the next steps run; what
    /// would stop every step (no connection, no login, the phone's storage) stops the sync.
    #[test]
    fn a_steps_own_failure_waits_for_the_end_and_the_others_stop_the_sync() {
        let mut failed = None;
        let unknown = Error::UpdateNeeded { what: "dossier status", value: "archived".into() };
        assert_eq!(kept_for_the_end::<u32>(Err(unknown), &mut failed).unwrap(), 0);
        let malformed = PortalError::malformed("api/v1/appointments", "not JSON");
        assert_eq!(kept_for_the_end::<u32>(Err(malformed.into()), &mut failed).unwrap(), 0);
        let refused_for_good = PortalError::refused(422, "api/v1/payments", b"");
        assert_eq!(kept_for_the_end::<u32>(Err(refused_for_good.into()), &mut failed).unwrap(), 0);
        assert!(matches!(failed, Some(Error::UpdateNeeded { .. })), "the first is kept: {failed:?}");
        assert_eq!(kept_for_the_end(Ok(7u32), &mut failed).unwrap(), 7);

        let stopping: [Error; 3] = [
            PortalError::refused(401, "api/v1/appointments", b"").into(),
            PortalError::refused(503, "api/v1/appointments", b"").into(),
            Error::Io(std::io::Error::other("disk full")),
        ];
        for error in stopping {
            let shown = error.to_string();
            assert!(kept_for_the_end::<u32>(Err(error), &mut failed).is_err(), "{shown} stops the sync");
        }
    }
}
