//! `smarthd-core`: the shared core of the Smart-Hải Dương citizen app.
//!
//! [`SmartHd`] is the face an app (through the bindings), the CLI and tests use. Capabilities
//! live in their own modules: [`catalog`] (offline procedures and search), [`identity`] (VNeID
//! login through OpenID Connect), [`sync`] (bringing the offline copy up to date), [`store`]
//! (the SQLite files), [`transport`] (every request to the portal and the identity provider),
//! [`text`] (Vietnamese folding), and [`platform`] (the services the app injects).
//!
//! Layers, each using only those below it: the shared vocabulary ([`error`], [`events`],
//! [`config`], and the `smarthd-model` crate); the services ([`store`], [`vault`], [`platform`],
//! [`transport`]); the capabilities; this facade.

pub mod catalog;
pub mod config;
pub mod dossier;
pub mod error;
pub mod events;
pub mod identity;
pub mod payment;
pub mod platform;
pub mod store;
pub mod sync;
pub mod transport;
pub mod vault;

pub use smarthd_model::text;

pub use catalog::{Catalog, FacetCount, Freshness, PageRequest, SearchFilters, SearchHit, SearchPage};
pub use config::Config;
pub use dossier::{Attachment, Dossier, DossierStatus, FieldError, FieldProblem};
pub use error::{Error, ErrorKind, Result};
pub use events::{Event, EventListener, NoEvents, SessionState};
pub use identity::{LoginOptions, Profile};
pub use platform::Services;
pub use sync::{CancelToken, DossierSyncReport, OutboxReport, SyncOutcome, SyncReport};

use std::path::Path;
use std::sync::Arc;

use catalog::model::{AdminUnits, Procedure, Subject};
use dossier::Dossiers;
use identity::Identity;
use payment::{PaymentMethod, PaymentOrder, Payments, Receipt};
use transport::PortalClient;

/// The core, opened on a data dir and pointed at a portal.
pub struct SmartHd {
    config: Config,
    portal: PortalClient,
    catalog: Catalog,
    identity: Identity,
    dossiers: Dossiers,
    payments: Payments,
    services: Services,
}

/// What the portal's public lookup tells anyone who has a dossier code: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublicStatus {
    pub code: String,
    pub procedure_name: String,
    pub status: DossierStatus,
    pub updated_at: String,
}

impl SmartHd {
    /// Opens (and migrates) the databases in `config.data_dir`. Makes no network call. A lost
    /// or changed data key is `ErrorKind::UserDataUnreadable`: see [`SmartHd::open_recovering`].
    pub fn open(config: Config, services: Services) -> Result<Self> {
        Self::open_with(config, services, false)
    }

    /// Opens after `UserDataUnreadable`: what the data key cannot open (the session, dossiers'
    /// form values) is kept aside in `user.db`, still sealed, never dropped; a new key is made
    /// if the old one is gone. The resident logs in again.
    pub fn open_recovering(config: Config, services: Services) -> Result<Self> {
        Self::open_with(config, services, true)
    }

    fn open_with(config: Config, services: Services, recover: bool) -> Result<Self> {
        std::fs::create_dir_all(&config.data_dir)?;
        let portal = PortalClient::new(&config)?;
        let user_db = store::UserDb::open(&config.data_dir)?;
        let catalog = Catalog::open(&config.data_dir, user_db.clone())?;
        let storage = services.secure_storage.as_ref();
        let vault = Arc::new(if recover {
            vault::Vault::recover(storage, &user_db)?
        } else {
            vault::Vault::open(storage, &user_db)?
        });
        let dossiers = Dossiers::new(user_db.clone(), vault.clone(), &config.data_dir);
        let payments = Payments::new(user_db.clone());
        let identity = Identity::new(
            config.identity.clone(),
            portal.clone(),
            &config.data_dir,
            user_db,
            vault,
            services.events.clone(),
            services.signer.clone(),
        )?;
        if recover {
            let kept = identity.keep_aside_unreadable()? + dossiers.keep_aside_unreadable()?;
            tracing::warn!(kept, "user data the data key could not open was kept aside");
        }
        Ok(SmartHd { config, portal, catalog, identity, dossiers, payments, services })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    // --- catalog ---

    /// Brings the offline catalog up to date (needs a tokio runtime: reqwest).
    pub async fn sync_catalog(&self, cancel: &CancelToken) -> Result<SyncReport> {
        sync::sync_catalog(&self.portal, &self.catalog, self.services.events.as_ref(), cancel).await
    }

    /// Ranked search over the offline copy; never touches the network.
    pub fn search(&self, query: &str, filters: &SearchFilters, page: PageRequest) -> Result<SearchPage> {
        self.catalog.search(query, filters, page)
    }

    /// A procedure's whole record, from the offline copy; noted as recently viewed.
    pub fn procedure(&self, code: &str) -> Result<Procedure> {
        let procedure = self.catalog.procedure(code)?;
        self.catalog.record_view(&procedure.code)?;
        Ok(procedure)
    }

    pub fn fields(&self) -> Result<Vec<FacetCount>> {
        self.catalog.fields()
    }

    pub fn agencies(&self) -> Result<Vec<FacetCount>> {
        self.catalog.agencies()
    }

    pub fn units(&self) -> Result<AdminUnits> {
        self.catalog.units()
    }

    pub fn freshness(&self) -> Result<Freshness> {
        self.catalog.freshness()
    }

    pub fn add_favorite(&self, code: &str) -> Result<()> {
        self.catalog.add_favorite(code)
    }

    pub fn remove_favorite(&self, code: &str) -> Result<()> {
        self.catalog.remove_favorite(code)
    }

    pub fn favorites(&self) -> Result<Vec<SearchHit>> {
        self.catalog.favorites()
    }

    pub fn recently_viewed(&self, limit: u32) -> Result<Vec<SearchHit>> {
        self.catalog.recently_viewed(limit)
    }

    // --- identity ---

    /// Starts a VNeID login: the URL to open in the system browser.
    pub async fn begin_login(&self, options: &LoginOptions) -> Result<String> {
        self.identity.begin_login(options).await
    }

    /// Finishes the login with the URL the browser was redirected to.
    pub async fn complete_login(&self, callback_url: &str) -> Result<Profile> {
        self.identity.complete_login(callback_url).await
    }

    pub fn cancel_login(&self) -> Result<()> {
        self.identity.cancel_login()
    }

    pub async fn session_state(&self) -> Result<SessionState> {
        self.identity.state().await
    }

    pub async fn whoami(&self) -> Result<Option<Profile>> {
        self.identity.whoami().await
    }

    /// Logs out; gives the provider's end-session URL to open in the browser, if any.
    pub async fn logout(&self) -> Result<Option<String>> {
        self.identity.logout(None).await
    }

    /// The resident's profile as the portal knows it (an authorized call, level 1).
    pub async fn portal_profile(&self) -> Result<serde_json::Value> {
        self.portal.authorized_json(&self.identity, "api/v1/me").await
    }

    /// The resident's e-papers (an authorized call that needs VNeID level 2).
    pub async fn my_documents(&self) -> Result<serde_json::Value> {
        self.portal.authorized_json(&self.identity, "api/v1/me/documents").await
    }

    // --- dossiers ---

    pub fn new_draft(&self, procedure_code: &str, applicant: Subject) -> Result<Dossier> {
        self.dossiers.new_draft(&self.catalog, procedure_code, applicant)
    }

    /// Stores a field of a draft; answers what is wrong with the value, if anything.
    pub fn set_field(&self, dossier_id: &str, key: &str, value: &str) -> Result<Option<FieldProblem>> {
        self.dossiers.set_field(&self.catalog, dossier_id, key, value)
    }

    pub fn validate_draft(&self, dossier_id: &str) -> Result<Vec<FieldError>> {
        self.dossiers.validate(&self.catalog, dossier_id)
    }

    pub fn attach(&self, dossier_id: &str, path: &Path) -> Result<Attachment> {
        self.dossiers.attach(dossier_id, path)
    }

    /// Queues the dossier for sending; returns at once and works offline.
    pub fn submit(&self, dossier_id: &str) -> Result<Dossier> {
        let dossier = self.dossiers.submit(&self.catalog, dossier_id)?;
        self.services.events.on_event(Event::DossierStatusChanged {
            dossier_id: dossier.id.clone(),
            code: None,
            status: dossier.status,
        });
        Ok(dossier)
    }

    pub fn dossier(&self, dossier_id: &str) -> Result<Dossier> {
        self.dossiers.get(dossier_id)
    }

    pub fn dossiers(&self) -> Result<Vec<Dossier>> {
        self.dossiers.list()
    }

    /// How many dossiers the data key cannot open (left out of [`SmartHd::dossiers`]).
    pub fn unreadable_dossiers(&self) -> Result<u32> {
        Ok(self.dossiers.list_and_unreadable()?.1)
    }

    pub fn delete_draft(&self, dossier_id: &str) -> Result<()> {
        self.dossiers.delete_draft(dossier_id)
    }

    /// Sends the outbox (everything queued, now), refreshes dossier statuses, and settles
    /// payments: the app calls this at start, when the resident pulls to refresh, and from its
    /// periodic background work.
    pub async fn sync(&self) -> Result<DossierSyncReport> {
        self.sync_with(true).await
    }

    /// The same when the platform says the network is back: entries still waiting out their
    /// backoff are left for later.
    pub async fn sync_when_online(&self) -> Result<DossierSyncReport> {
        self.sync_with(false).await
    }

    async fn sync_with(&self, force: bool) -> Result<DossierSyncReport> {
        let mut report = sync::outbox::sync_dossiers(&self.outbox_context(), force).await?;
        if !report.outbox.needs_login {
            report.payments_updated = payment::client::sync(&self.payment_context()).await?;
        }
        Ok(report)
    }

    fn outbox_context(&self) -> sync::outbox::Context<'_> {
        sync::outbox::Context {
            portal: &self.portal,
            identity: &self.identity,
            dossiers: &self.dossiers,
            catalog: &self.catalog,
            events: self.services.events.as_ref(),
        }
    }

    // --- payments ---

    fn payment_context(&self) -> payment::client::Context<'_> {
        payment::client::Context {
            portal: &self.portal,
            identity: &self.identity,
            payments: &self.payments,
            dossiers: &self.dossiers,
            events: self.services.events.as_ref(),
        }
    }

    /// Asks the portal for the order paying a received dossier's fees: open `pay_url` in the
    /// browser (gateway) or show `vietqr` (bank transfer). `return_url` is where the gateway
    /// sends the browser back.
    pub async fn pay(&self, dossier_id: &str, method: PaymentMethod, return_url: &str) -> Result<PaymentOrder> {
        payment::client::pay(&self.payment_context(), dossier_id, method, return_url).await
    }

    /// The gateway sent the browser back to the app: the payment is "being confirmed" until the
    /// portal says otherwise.
    pub async fn handle_payment_return(&self, return_url: &str) -> Result<PaymentOrder> {
        payment::client::handle_return(&self.payment_context(), return_url).await
    }

    /// Asks the portal for a payment's outcome now.
    pub async fn refresh_payment(&self, order_id: &str) -> Result<PaymentOrder> {
        payment::client::reconcile(&self.payment_context(), order_id).await
    }

    pub fn payments(&self) -> Result<Vec<PaymentOrder>> {
        self.payments.list()
    }

    pub fn payment(&self, order_id: &str) -> Result<PaymentOrder> {
        self.payments.get(order_id)
    }

    /// Every receipt kept on the phone, each verified again with the portal's cached key.
    pub fn receipts(&self) -> Result<Vec<Receipt>> {
        self.payments.receipt_ids()?.iter().map(|id| self.payments.verify_receipt(id)).collect()
    }

    /// Verifies a kept receipt offline; a tampered one gives a validation error.
    pub fn verify_receipt(&self, receipt_id: &str) -> Result<Receipt> {
        self.payments.verify_receipt(receipt_id)
    }

    /// Anyone can look a dossier up by its code, without logging in.
    pub async fn lookup(&self, code: &str) -> Result<PublicStatus> {
        let path = format!(
            "api/v1/dossiers/lookup/{}",
            url::form_urlencoded::byte_serialize(code.trim().as_bytes()).collect::<String>()
        );
        self.portal.send(transport::Request::get(self.portal.url(&path)?)).await?.json()
    }
}
