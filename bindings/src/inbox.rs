//! `client.inbox()`: the city's alerts and the app's own notices, offline with read state, and
//! the push token that wakes the app.

use std::sync::Arc;

use smarthd_core::{InboxHandle, InboxItem};

use crate::Result;
use crate::runtime::{CancelHandle, on_runtime};

#[derive(uniffi::Object)]
pub struct InboxApi(pub(crate) InboxHandle);

#[uniffi::export]
impl InboxApi {
    /// Fetches what the portal published since the last sync; how many items are new.
    #[uniffi::method(default(cancel = None))]
    pub async fn sync(&self, cancel: Option<Arc<CancelHandle>>) -> Result<u32> {
        let handle = self.0.clone();
        on_runtime(cancel, async move { handle.sync().await }).await
    }

    /// The resident's inbox, offline: emergencies in force first, then newest first.
    pub fn list(&self) -> Result<Vec<InboxItem>> {
        Ok(self.0.list()?)
    }

    pub fn unread(&self) -> Result<u32> {
        Ok(self.0.unread()?)
    }

    pub fn mark_read(&self, item_id: String) -> Result<()> {
        Ok(self.0.mark_read(&item_id)?)
    }

    /// Registers the platform's push token (`fcm` or `apns`); logging out removes it.
    #[uniffi::method(default(cancel = None))]
    pub async fn register_push(
        &self,
        token: String,
        platform: String,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<()> {
        let handle = self.0.clone();
        on_runtime(cancel, async move { handle.register_push(&token, &platform).await }).await
    }
}
