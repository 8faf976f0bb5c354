//! The session's public face: the VNeID login ([`crate::identity`] does the work), who is
//! logged in, logging out, and what the portal knows of the resident.

use std::sync::Arc;

pub use smarthd_model::papers::PortalProfile;
use smarthd_model::papers::{ProfileCard, ProfileCards};

use crate::error::Result;
use crate::events::SessionState;
use crate::identity::{LoginOptions, Profile};
use crate::owner::{self, Owner};
use crate::shared::Shared;

/// What logging out does with the resident's records on the phone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LocalData {
    /// Kept, sealed and bound to the resident (the default).
    #[default]
    Keep,
    /// Deleted from the phone; refused ([`crate::Error::UnsentWork`], a `Conflict`) while the
    /// resident has work the portal has not received yet, which would be lost.
    Wipe,
    /// Deleted from the phone, with what is not sent yet.
    WipeDiscardingUnsent,
}

/// Lets a wiped resident's writes through again when dropped: a logout that did not end their
/// session (see [`SessionHandle::logout`]).
struct Welcome<'a> {
    db: &'a crate::store::UserDb,
    owner: &'a Owner,
}

impl Drop for Welcome<'_> {
    fn drop(&mut self) {
        if let Err(error) = owner::welcome(self.db, self.owner) {
            tracing::warn!("a wiped resident still logged in stays wiped: {:?}", error.kind());
        }
    }
}

impl LocalData {
    /// From a logout's two switches (the FFI's and the CLI's): wipe, and discard what is unsent.
    pub fn chosen(wipe: bool, discard_unsent: bool) -> LocalData {
        match (wipe, discard_unsent) {
            (false, _) => LocalData::Keep,
            (true, false) => LocalData::Wipe,
            (true, true) => LocalData::WipeDiscardingUnsent,
        }
    }
}

/// `core.session()`: login, logout, whoami, the session's state, the portal's profile and the
/// resident's e-papers.
#[derive(Clone)]
pub struct SessionHandle {
    shared: Arc<Shared>,
}

impl SessionHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        SessionHandle { shared }
    }

    /// Starts a VNeID login: the URL to open in the system browser.
    pub async fn begin_login(&self, options: &LoginOptions) -> Result<String> {
        self.shared.user()?.identity.begin_login(options).await
    }

    /// Finishes the login with the URL the browser was redirected to. The records an older app
    /// kept without an owner become this resident's if nobody else has records here
    /// ([`crate::owner`]).
    pub async fn complete_login(&self, callback_url: &str) -> Result<Profile> {
        let user = self.shared.user()?;
        let profile = user.identity.complete_login(callback_url).await?;
        let owner = Owner::of(&user.vault, &profile.subject);
        owner::welcome(&user.user_db, &owner)?;
        owner::claim_unclaimed(&user.user_db, &owner)?;
        Ok(profile)
    }

    /// Forgets the login in progress (the resident closed the browser).
    pub fn cancel_login(&self) -> Result<()> {
        self.shared.user()?.identity.cancel_login()
    }

    pub async fn state(&self) -> Result<SessionState> {
        self.shared.user()?.identity.state().await
    }

    /// Who is logged in, or None.
    pub async fn whoami(&self) -> Result<Option<Profile>> {
        self.shared.user()?.identity.whoami().await
    }

    /// Logs out; gives the provider's end-session URL to open in the browser, if any. With
    /// [`LocalData::Keep`] the resident's records stay on the phone, sealed and theirs (nobody
    /// else sees or sends them; they are back at their next login); with [`LocalData::Wipe`]
    /// they are deleted, with the attachment files no one else uses, before the session ends: a
    /// [`LocalData::Wipe`] that would lose unsent work is refused with
    /// [`crate::Error::UnsentWork`] and the resident stays logged in with everything kept (only
    /// their push registration is gone should another process queue work during the call: the
    /// app registers its token again at its next start). A
    /// session made for another portal (the app's portal address changed since) is the
    /// resident's all the same: a wipe deletes their records too.
    pub async fn logout(&self, local_data: LocalData) -> Result<Option<String>> {
        let user = self.shared.user()?;
        let owner = self.shared.owner()?;
        let wiping = match local_data {
            LocalData::Keep => None,
            LocalData::Wipe | LocalData::WipeDiscardingUnsent => user.identity.stored_resident()?,
        };
        let discard_unsent = local_data == LocalData::WipeDiscardingUnsent;
        if let Some(wiping) = wiping.as_ref()
            && !discard_unsent
        {
            let count = owner::unsent(&user.user_db.lock(), wiping)?;
            if count > 0 {
                return Err(crate::Error::UnsentWork { count });
            }
        }
        // Before the session ends: removing the device needs its token.
        if let Some(owner) = owner.as_ref() {
            crate::inbox::client::unregister(&self.shared.inbox_context(owner)?).await?;
        }
        // Checked again in the wipe's transaction (another process may have queued work since).
        if let Some(wiping) = wiping.as_ref() {
            owner::wipe(&user.user_db, wiping, discard_unsent)?;
        }
        // Until the session has ended, the resident is still logged in: should the logout fail or
        // its call be dropped (cancelled, the app killed), their writes are let through again
        // (the wipe stands; logging out again ends the session).
        let still_logged_in = wiping.as_ref().map(|wiping| Welcome { db: &user.user_db, owner: wiping });
        let end_session = user.identity.logout(owner.as_ref(), None).await?;
        std::mem::forget(still_logged_in);
        if wiping.is_some() {
            user.dossiers.tidy_files();
        }
        Ok(end_session)
    }

    /// How many things the resident logged in asked for that the portal has not received yet
    /// (queued dossiers and their actions, reports, bookings, cancellations, payment requests):
    /// what a [`LocalData::Wipe`] would lose. 0 when nobody is logged in.
    pub fn unsent(&self) -> Result<u32> {
        let user = self.shared.user()?;
        match user.identity.stored_resident()? {
            Some(resident) => owner::unsent(&user.user_db.lock(), &resident),
            None => Ok(0),
        }
    }

    /// The resident's profile as the portal knows it (an authorized call, level 1).
    pub async fn profile(&self) -> Result<PortalProfile> {
        let identity = &self.shared.user()?.identity;
        self.shared.portal.authorized_json(&identity.acting_for(&identity.resident()?), "api/v1/me").await
    }

    /// The resident's e-papers as the portal lists them now (an authorized call that needs
    /// VNeID level 2); `core.documents()` lists the copy kept offline.
    pub async fn documents(&self) -> Result<Vec<ProfileCard>> {
        let identity = &self.shared.user()?.identity;
        let cards: ProfileCards = self
            .shared
            .portal
            .authorized_json(&identity.acting_for(&identity.resident()?), "api/v1/me/documents")
            .await?;
        Ok(cards.documents)
    }
}
