//! The inbox's public face.

use std::sync::Arc;

use super::{InboxItem, client};
use crate::error::Result;
use crate::shared::Shared;

/// `core.inbox()`: the city's alerts and the app's own notices for the logged-in resident,
/// offline, with read state; and the push token that wakes the app.
#[derive(Clone)]
pub struct InboxHandle {
    shared: Arc<Shared>,
}

impl InboxHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        InboxHandle { shared }
    }

    /// Fetches what the portal published since the last sync; answers how many items are new.
    pub async fn sync(&self) -> Result<u32> {
        let owner = self.shared.resident()?;
        client::sync(&self.shared.inbox_context(&owner)?).await
    }

    /// The resident's inbox, offline: emergencies in force first, then newest first (empty when
    /// logged out).
    pub fn list(&self) -> Result<Vec<InboxItem>> {
        match self.shared.owner()? {
            Some(owner) => self.shared.user()?.inbox.list(&owner),
            None => Ok(Vec::new()),
        }
    }

    pub fn unread(&self) -> Result<u32> {
        match self.shared.owner()? {
            Some(owner) => self.shared.user()?.inbox.unread(&owner),
            None => Ok(0),
        }
    }

    pub fn mark_read(&self, item_id: &str) -> Result<()> {
        let owner = self.shared.resident()?;
        self.shared.user()?.inbox.mark_read(&owner, item_id)
    }

    /// Registers the platform's push token (`fcm` on Android, `apns` on iOS) for this resident;
    /// logging out removes it.
    pub async fn register_push(&self, token: &str, platform: &str) -> Result<()> {
        let owner = self.shared.resident()?;
        client::register(&self.shared.inbox_context(&owner)?, token, platform).await
    }
}
