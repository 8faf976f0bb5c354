//! `client.session()`: the VNeID login through the portal's OpenID provider, and who is
//! logged in.

use std::sync::Arc;

use smarthd_core::documents::ProfileCard;
use smarthd_core::{LocalData, LoginOptions, PortalProfile, Profile, SessionHandle, SessionState};

use crate::Result;
use crate::runtime::{CancelHandle, on_runtime};

#[derive(uniffi::Object)]
pub struct SessionApi(pub(crate) SessionHandle);

#[uniffi::export]
impl SessionApi {
    /// Starts a VNeID login at `level` (1 or 2): the URL to open in the system browser (Custom
    /// Tabs / ASWebAuthenticationSession, never a WebView). `locale` ("vi" or "en") for the
    /// provider's pages; `prompt` an OIDC prompt such as "login".
    #[uniffi::method(default(locale = None, prompt = None, cancel = None))]
    pub async fn begin_login(
        &self,
        level: u8,
        locale: Option<String>,
        prompt: Option<String>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<String> {
        let session = self.0.clone();
        on_runtime(cancel, async move { session.begin_login(&LoginOptions { level, locale, prompt }).await }).await
    }

    /// Finishes the login with the URL the browser was redirected to (the app's redirect URI
    /// with `code`, `state` and `iss`).
    #[uniffi::method(default(cancel = None))]
    pub async fn complete_login(&self, callback_url: String, cancel: Option<Arc<CancelHandle>>) -> Result<Profile> {
        let session = self.0.clone();
        on_runtime(cancel, async move { session.complete_login(&callback_url).await }).await
    }

    /// Forgets the login in progress (the resident closed the browser).
    pub fn cancel_login(&self) -> Result<()> {
        Ok(self.0.cancel_login()?)
    }

    /// Logged out, logged in (at which level, until when), or the session expired.
    #[uniffi::method(default(cancel = None))]
    pub async fn state(&self, cancel: Option<Arc<CancelHandle>>) -> Result<SessionState> {
        let session = self.0.clone();
        on_runtime(cancel, async move { session.state().await }).await
    }

    /// Who is logged in, or None.
    #[uniffi::method(default(cancel = None))]
    pub async fn whoami(&self, cancel: Option<Arc<CancelHandle>>) -> Result<Option<Profile>> {
        let session = self.0.clone();
        on_runtime(cancel, async move { session.whoami().await }).await
    }

    /// The resident's profile as the portal knows it now (birth date, address, phone...): an
    /// authorized call, any level. `NeedsLogin` when logged out.
    #[uniffi::method(default(cancel = None))]
    pub async fn profile(&self, cancel: Option<Arc<CancelHandle>>) -> Result<PortalProfile> {
        let session = self.0.clone();
        on_runtime(cancel, async move { session.profile().await }).await
    }

    /// The resident's personal papers as VNeID lists them now (CCCD, birth certificate, driving
    /// licence...): an authorized call that needs level 2 (`NeedsLevel2` otherwise).
    /// `documents().list()` is the copy kept offline, refreshed by `sync().now()`.
    #[uniffi::method(default(cancel = None))]
    pub async fn documents(&self, cancel: Option<Arc<CancelHandle>>) -> Result<Vec<ProfileCard>> {
        let session = self.0.clone();
        on_runtime(cancel, async move { session.documents().await }).await
    }

    /// Logs out (the session is forgotten on the phone); the provider's end-session URL to open
    /// in the browser, if it has one. The resident's dossiers, payments and receipts stay on the
    /// phone, sealed and theirs, unless `wipe_local_data` deletes them. A wipe that would lose
    /// what the portal has not received yet (`unsent()`) is refused with `Conflict`, still
    /// logged in, unless `discard_unsent` says to delete that too.
    #[uniffi::method(default(wipe_local_data = false, discard_unsent = false, cancel = None))]
    pub async fn logout(
        &self,
        wipe_local_data: bool,
        discard_unsent: bool,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<Option<String>> {
        let session = self.0.clone();
        let local_data = LocalData::chosen(wipe_local_data, discard_unsent);
        on_runtime(cancel, async move { session.logout(local_data).await }).await
    }

    /// How many things the resident logged in asked for that the portal has not received yet
    /// (queued dossiers and their actions, reports, bookings, cancellations, payment requests):
    /// what a logout with wipe would lose; 0 when nobody is logged in. For the "log out and
    /// delete" dialog.
    pub fn unsent(&self) -> Result<u32> {
        Ok(self.0.unsent()?)
    }
}
