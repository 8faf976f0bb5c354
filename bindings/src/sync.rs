//! `client.sync()`: bringing the offline catalog and the outbox up to date with the portal.

use std::sync::Arc;

use smarthd_core::{DossierSyncReport, SyncHandle, SyncReport};

use crate::Result;
use crate::runtime::{CancelHandle, on_runtime};

#[derive(uniffi::Object)]
pub struct SyncApi(pub(crate) SyncHandle);

#[uniffi::export]
impl SyncApi {
    /// Brings the offline catalog up to date (full, then deltas; a 304 when current). Progress
    /// goes to the `EventListener`. A cancelled sync keeps the pages it committed; the next one
    /// resumes after them.
    #[uniffi::method(default(cancel = None))]
    pub async fn catalog(&self, cancel: Option<Arc<CancelHandle>>) -> Result<SyncReport> {
        let sync = self.0.clone();
        let report = on_runtime(cancel, async move { sync.catalog().await }).await?;
        tracing::info!(upserted = report.upserted, removed = report.removed, "catalog synced");
        Ok(report)
    }

    /// Sends the outbox (everything queued, now), refreshes dossier statuses and settles
    /// payments: at start, on pull to refresh, from periodic background work. Status changes go
    /// to the `EventListener`. A cancelled sync leaves unsent dossiers queued, whole.
    #[uniffi::method(default(cancel = None))]
    pub async fn now(&self, cancel: Option<Arc<CancelHandle>>) -> Result<DossierSyncReport> {
        let sync = self.0.clone();
        on_runtime(cancel, async move { sync.now().await }).await
    }

    /// The same when the platform says the network is back: entries still waiting out their
    /// backoff are left for later.
    #[uniffi::method(default(cancel = None))]
    pub async fn when_online(&self, cancel: Option<Arc<CancelHandle>>) -> Result<DossierSyncReport> {
        let sync = self.0.clone();
        on_runtime(cancel, async move { sync.when_online().await }).await
    }
}
