//! What every capability handle shares: the catalog, the portal client and the app's services,
//! opened by [`crate::SmartHd::open`]; and the resident's side (`user.db`, the data key, the
//! session and the capabilities keeping the resident's records), opened at the first call that
//! needs it, so the catalog's first page never waits for it.

use crate::appointment::{Appointments, client as appointment_client};
use crate::catalog::Catalog;
use crate::config::Config;
use crate::documents::Papers;
use crate::dossier::Dossiers;
use crate::error::{AuthError, Error, Result};
use crate::identity::Identity;
use crate::inbox::{Inbox, client as inbox_client};
use crate::owner;
use crate::owner::Owner;
use crate::payment::{Payments, client};
use crate::platform::Services;
use crate::report::Reports;
use crate::store::UserDb;
use crate::sync::{outbox, reports, results};
use crate::transport::PortalClient;
use crate::vault::{self, Vault};
use std::sync::{Arc, Mutex, OnceLock};

pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) portal: PortalClient,
    pub(crate) catalog: Catalog,
    pub(crate) services: Services,
    user: OnceLock<UserData>,
    /// Held while the resident's side opens, so two first calls open it once.
    opening_user: Mutex<()>,
}

/// The resident's side: `user.db`, the data key checked against it, and what keeps their records.
pub(crate) struct UserData {
    pub(crate) identity: Identity,
    pub(crate) dossiers: Dossiers,
    pub(crate) payments: Payments,
    pub(crate) appointments: Appointments,
    pub(crate) papers: Papers,
    pub(crate) inbox: Inbox,
    pub(crate) reports: Reports,
    pub(crate) user_db: UserDb,
    pub(crate) vault: Arc<Vault>,
}

impl UserData {
    /// Opens (and migrates) `user.db` and checks the data key against it; with `recover`, keeps
    /// aside what the key cannot open instead (see [`crate::SmartHd::open_recovering`]). Upgrades
    /// left by an older app are done here, once: plaintext sealed, records given to the resident
    /// logged in then.
    fn open(shared: &Shared, recover: bool) -> Result<UserData> {
        let config = &shared.config;
        let services = &shared.services;
        let user_db = UserDb::open(&config.data_dir)?;
        let storage = services.secure_storage.as_ref();
        let vault = Arc::new(if recover {
            let key_kept = storage.get(vault::DATA_KEY_NAME)?.is_some_and(|key| key.len() == 32);
            let vault = Vault::recover(storage, &user_db)?;
            if !key_kept {
                owner::unclaim_all(&user_db)?;
            }
            vault
        } else {
            Vault::open(storage, &user_db)?
        });
        let dossiers = Dossiers::open(user_db.clone(), vault.clone(), &config.data_dir)?;
        // A wipe stopped before its files were removed (the app killed) finishes now, and a file
        // write stopped halfway leaves no temporary file for good.
        dossiers.tidy_files();
        dossiers.sweep_abandoned_temp_files();
        let reports = Reports::new(user_db.clone(), vault.clone());
        let payments = Payments::open(user_db.clone(), vault.clone(), config.receipt_keys.clone())?;
        let appointments = Appointments::new(user_db.clone(), vault.clone(), config.ticket_keys.clone());
        let identity = Identity::new(
            config.identity.clone(),
            shared.portal.clone(),
            &config.data_dir,
            user_db.clone(),
            vault.clone(),
            services.events.clone(),
            services.signer.clone(),
        );
        if recover {
            let kept = identity.keep_aside_unreadable()?
                + dossiers.keep_aside_unreadable()?
                + reports.keep_aside_unreadable()?;
            tracing::warn!(kept, "user data the data key could not open was kept aside");
        }
        let user = UserData {
            identity,
            dossiers,
            payments,
            appointments,
            papers: Papers::new(user_db.clone(), vault.clone()),
            inbox: Inbox::open(user_db.clone(), vault.clone())?,
            reports,
            user_db,
            vault,
        };
        // After an upgrade, the records kept from before go to the resident logged in then.
        if let Some(owner) = user.owner()? {
            owner::claim_unclaimed(&user.user_db, &owner)?;
        }
        Ok(user)
    }

    /// The resident logged in now (see [`Shared::owner`]).
    fn owner(&self) -> Result<Option<Owner>> {
        match self.identity.owner() {
            Err(Error::UserDataUnreadable { .. }) => Ok(None),
            other => other,
        }
    }
}

impl Shared {
    /// Opens the shared part; with `recover`, the resident's side too, at once (see
    /// [`crate::SmartHd::open_recovering`]).
    pub(crate) fn open(
        config: Config,
        portal: PortalClient,
        catalog: Catalog,
        services: Services,
        recover: bool,
    ) -> Result<Shared> {
        let shared = Shared { config, portal, catalog, services, user: OnceLock::new(), opening_user: Mutex::new(()) };
        if recover {
            let user = UserData::open(&shared, true)?;
            let _ = shared.user.set(user);
        }
        Ok(shared)
    }

    /// The resident's side, opened at the first call that needs it. A `user.db` that cannot be
    /// opened or a data key that does not fit it is that call's error, and the next call tries again.
    pub(crate) fn user(&self) -> Result<&UserData> {
        if let Some(user) = self.user.get() {
            return Ok(user);
        }
        let _opening = self.opening_user.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(user) = self.user.get() {
            return Ok(user);
        }
        let user = UserData::open(self, false)?;
        Ok(self.user.get_or_init(|| user))
    }

    /// The resident logged in now, who owns what is made and sees what is theirs; a session the data key cannot open is nobody (they log in
    /// again), so what nobody owns stays usable.
    pub(crate) fn owner(&self) -> Result<Option<Owner>> {
        self.user()?.owner()
    }

    /// The resident logged in now, or the typed "log in first" error.
    pub(crate) fn resident(&self) -> Result<Owner> {
        self.owner()?.ok_or_else(|| AuthError::NotLoggedIn.into())
    }

    pub(crate) fn outbox_context<'a>(&'a self, owner: Option<&'a Owner>) -> Result<outbox::Context<'a>> {
        let user = self.user()?;
        Ok(outbox::Context {
            portal: &self.portal,
            identity: &user.identity,
            dossiers: &user.dossiers,
            catalog: &self.catalog,
            events: self.services.events.as_ref(),
            owner,
        })
    }

    pub(crate) fn results_context<'a>(&'a self, owner: &'a Owner) -> Result<results::Context<'a>> {
        let user = self.user()?;
        Ok(results::Context {
            portal: &self.portal,
            credentials: user.identity.acting_for(owner),
            dossiers: &user.dossiers,
            payments: &user.payments,
            owner,
        })
    }

    pub(crate) fn payment_context<'a>(&'a self, owner: &'a Owner) -> Result<client::Context<'a>> {
        let user = self.user()?;
        Ok(client::Context {
            portal: &self.portal,
            credentials: user.identity.acting_for(owner),
            payments: &user.payments,
            dossiers: &user.dossiers,
            events: self.services.events.as_ref(),
            owner,
        })
    }

    pub(crate) fn appointment_context<'a>(&'a self, owner: &'a Owner) -> Result<appointment_client::Context<'a>> {
        let user = self.user()?;
        Ok(appointment_client::Context {
            portal: &self.portal,
            credentials: user.identity.acting_for(owner),
            appointments: &user.appointments,
            events: self.services.events.as_ref(),
            owner,
        })
    }

    pub(crate) fn inbox_context<'a>(&'a self, owner: &'a Owner) -> Result<inbox_client::Context<'a>> {
        let user = self.user()?;
        Ok(inbox_client::Context {
            portal: &self.portal,
            credentials: user.identity.acting_for(owner),
            inbox: &user.inbox,
            owner,
            events: self.services.events.as_ref(),
        })
    }

    pub(crate) fn reports_context<'a>(&'a self, owner: Option<&'a Owner>) -> Result<reports::Context<'a>> {
        let user = self.user()?;
        Ok(reports::Context { outbox: self.outbox_context(owner)?, reports: &user.reports })
    }

    /// The app's listener, with each dossier, payment and report change also kept in `owner`'s
    /// inbox: what syncs run for a resident tell through.
    pub(crate) fn noting<'a>(&'a self, owner: &'a Owner) -> Result<crate::inbox::Noting<'a>> {
        let user = self.user()?;
        Ok(crate::inbox::Noting { app: self.services.events.as_ref(), inbox: &user.inbox, owner })
    }
}
