//! `smarthd-ffi`: the Smart-Hải Dương core for Kotlin, Swift and Python, through UniFFI
//! (proc-macros, no UDL). This crate is the only cdylib/staticlib of the workspace and stays thin:
//! it converts types and errors, owns the one tokio runtime, and adapts the app's platform
//! services (foreign traits) to the core. Business logic lives in `smarthd-core`.
//!
//! Generated names (see `uniffi.toml`): Kotlin package `vn.gov.haiduong.smarthd`, Swift module
//! `SmartHDCore`, Python module `smarthd`. See `docs/bindings.md`.

mod error;
mod platform;
mod types;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use smarthd_core::catalog::model::{AdminUnits, Procedure, Subject};
use smarthd_core::dossier::{Attachment, Dossier, DossierStatus, FieldError, FieldProblem};
use smarthd_core::payment::vietqr::{self, QrMatrix, VietQr};
use smarthd_core::payment::{PaymentMethod, PaymentOrder, PaymentStatus, Receipt};
use smarthd_core::{
    DossierSyncReport, FacetCount, Freshness, LoginOptions, PageRequest, Profile, PublicStatus, SearchFilters,
    SearchHit, SearchPage, SessionState, SyncReport,
};

pub use error::SmartHdError;
pub use platform::{EventListener, LogLevel, LogRecord, Logger, SecureStorage, Signer};

uniffi::setup_scaffolding!("smarthd");

type Result<T, E = SmartHdError> = std::result::Result<T, E>;

/// The one tokio runtime every async export runs on (reqwest needs its reactor). Async exports
/// spawn onto it and await the `JoinHandle`, which any executor can poll: Kotlin coroutines,
/// Swift tasks and asyncio all work without `async_runtime = "tokio"` on each export.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("smarthd-core")
        .enable_all()
        .build()
        .expect("the smarthd tokio runtime starts")
});

/// What the app configures when it opens the core.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CoreConfig {
    /// The province portal's base URL: https, or http on loopback only (a sandbox).
    pub portal_url: String,
    /// A private folder of the app (Android `Context.filesDir`, iOS Application Support) for
    /// `catalog.db`, `user.db` and attachments.
    pub data_dir: String,
    #[uniffi(default = 5000)]
    pub connect_timeout_ms: u32,
    #[uniffi(default = 30000)]
    pub request_timeout_ms: u32,
    /// SHA-256 hashes (32 bytes each) of SubjectPublicKeyInfo the portal's chain must contain
    /// one of; empty: the bundled web PKI roots alone.
    #[uniffi(default)]
    pub pinned_spki_sha256: Vec<Vec<u8>>,
    /// The most verbose level sent to the `Logger` (None: Info).
    #[uniffi(default)]
    pub log_level: Option<LogLevel>,
}

impl CoreConfig {
    fn to_core(&self) -> Result<smarthd_core::Config> {
        let mut config = smarthd_core::Config::new(&self.portal_url, PathBuf::from(&self.data_dir))?;
        if self.data_dir.is_empty() {
            return Err(SmartHdError::validation("data_dir", "must name a folder"));
        }
        if self.connect_timeout_ms == 0 || self.request_timeout_ms == 0 {
            return Err(SmartHdError::validation("timeout", "timeouts must be positive"));
        }
        config.connect_timeout = Duration::from_millis(self.connect_timeout_ms.into());
        config.request_timeout = Duration::from_millis(self.request_timeout_ms.into());
        config.pinned_spki_sha256 = self
            .pinned_spki_sha256
            .iter()
            .map(|pin| <[u8; 32]>::try_from(pin.as_slice()))
            .collect::<Result<_, _>>()
            .map_err(|_| SmartHdError::validation("pinned_spki_sha256", "each pin is a 32-byte SHA-256 hash"))?;
        Ok(config)
    }
}

/// Stops a long operation (`sync_catalog`). UniFFI cannot interrupt Rust code, so the app keeps
/// this handle: `cancel()` makes the operation end with `SmartHdError.Cancelled` at its next
/// step. Cancelling the coroutine / task / asyncio task that awaits the call does the same.
/// A handle serves one operation: once cancelled it stays cancelled.
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelHandle {
    token: smarthd_core::CancelToken,
}

#[uniffi::export]
impl CancelHandle {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn cancel(&self) {
        self.token.cancel()
    }

    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

/// Runs a core future on [`RUNTIME`] and awaits it from whatever executor polls the export.
/// Dropping the export's future (the foreign side cancelled) detaches the task: it finishes
/// (every operation here is durable or idempotent: a login, a sync, a payment request).
async fn on_runtime<T, F>(work: F) -> Result<T>
where
    T: Send + 'static,
    F: Future<Output = smarthd_core::Result<T>> + Send + 'static,
{
    match RUNTIME.spawn(work).await {
        Ok(result) => Ok(result?),
        Err(join) => Err(SmartHdError::Other { detail: format!("the core task failed: {join}") }),
    }
}

/// Cancels the operation if the awaiting future is dropped before it finishes (the foreign
/// side cancelled its coroutine or task): the spawned work then stops at its next step.
struct CancelOnDrop(Option<smarthd_core::CancelToken>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(token) = self.0.take() {
            token.cancel();
        }
    }
}

/// The core: one per app process, opened on the app's data dir. Every call is coarse (a page of
/// results, a whole record) because each crossing of the boundary costs microseconds.
#[derive(uniffi::Object)]
pub struct SmartHd {
    /// Holds the app's services (events, secure storage, signer) through their adapters.
    core: Arc<smarthd_core::SmartHd>,
}

#[uniffi::export]
impl SmartHd {
    /// Opens (and migrates) the databases in `config.data_dir`; makes no network call.
    /// `events` receives sync progress; `logger` receives log lines at `config.log_level` and
    /// above (the last logger given is the process's); `storage` is the platform's secure
    /// storage (the core keeps its session key there); `signer` an optional hardware-backed
    /// DPoP key.
    #[uniffi::constructor(default(events = None, logger = None, signer = None))]
    pub fn open(
        config: CoreConfig,
        storage: Arc<dyn SecureStorage>,
        events: Option<Arc<dyn EventListener>>,
        logger: Option<Arc<dyn Logger>>,
        signer: Option<Arc<dyn Signer>>,
    ) -> Result<Arc<Self>> {
        if logger.is_some() {
            platform::install_logger(logger, config.log_level.unwrap_or(LogLevel::Info));
        }
        let core_config = config.to_core()?;
        let services = smarthd_core::Services {
            events: match events {
                Some(listener) => Arc::new(platform::ForeignEvents(listener)),
                None => Arc::new(smarthd_core::NoEvents),
            },
            secure_storage: Arc::new(platform::ForeignStorage(storage)),
            signer: signer.map(|s| Arc::new(platform::ForeignSigner(s)) as Arc<dyn smarthd_core::platform::Signer>),
        };
        let core = smarthd_core::SmartHd::open(core_config, services)?;
        tracing::info!(version = env!("CARGO_PKG_VERSION"), "smarthd core opened");
        Ok(Arc::new(SmartHd { core: Arc::new(core) }))
    }

    /// Brings the offline catalog up to date (full, then deltas; a 304 when current). Progress
    /// goes to the `EventListener`. `cancel` stops it between pages.
    #[uniffi::method(default(cancel = None))]
    pub async fn sync_catalog(&self, cancel: Option<Arc<CancelHandle>>) -> Result<SyncReport> {
        let token = cancel.map(|handle| handle.token.clone()).unwrap_or_default();
        let mut guard = CancelOnDrop(Some(token.clone()));
        let core = self.core.clone();
        let task = RUNTIME.spawn(async move { core.sync_catalog(&token).await });
        let joined = task.await;
        guard.0 = None; // finished: nothing to cancel
        match joined {
            Ok(result) => {
                let report = result?;
                tracing::info!(upserted = report.upserted, removed = report.removed, "catalog synced");
                Ok(report)
            }
            Err(join) => Err(SmartHdError::Other { detail: format!("the sync task failed: {join}") }),
        }
    }

    /// Ranked search over the offline copy, with or without tone marks; never touches the
    /// network. One page per call.
    #[uniffi::method(default(page))]
    pub fn search(&self, query: String, filters: SearchFilters, page: PageRequest) -> Result<SearchPage> {
        Ok(self.core.search(&query, &filters, page)?)
    }

    /// A procedure's whole record (documents, fees, steps, e-form schema) from the offline
    /// copy; noted as recently viewed. `NotFound` for an unknown code.
    pub fn procedure(&self, code: String) -> Result<Procedure> {
        Ok(self.core.procedure(&code)?)
    }

    /// Lĩnh vực (fields) with their counts of in-force procedures.
    pub fn fields(&self) -> Result<Vec<FacetCount>> {
        Ok(self.core.fields()?)
    }

    /// Agencies with their counts of in-force procedures.
    pub fn agencies(&self) -> Result<Vec<FacetCount>> {
        Ok(self.core.agencies()?)
    }

    /// Administrative units after the 2025 reform, and the old units mapped to them.
    pub fn units(&self) -> Result<AdminUnits> {
        Ok(self.core.units()?)
    }

    pub fn freshness(&self) -> Result<Freshness> {
        Ok(self.core.freshness()?)
    }

    pub fn add_favorite(&self, code: String) -> Result<()> {
        Ok(self.core.add_favorite(&code)?)
    }

    pub fn remove_favorite(&self, code: String) -> Result<()> {
        Ok(self.core.remove_favorite(&code)?)
    }

    pub fn favorites(&self) -> Result<Vec<SearchHit>> {
        Ok(self.core.favorites()?)
    }

    /// The procedures opened most recently, newest first.
    #[uniffi::method(default(limit = 20))]
    pub fn recently_viewed(&self, limit: u32) -> Result<Vec<SearchHit>> {
        Ok(self.core.recently_viewed(limit)?)
    }

    /// Does nothing: the cost of crossing the boundary, for the call-cost benchmark.
    pub fn ping(&self) {}

    // --- identity (VNeID through the portal's OpenID provider) ---

    /// Starts a VNeID login at `level` (1 or 2): the URL to open in the system browser (Custom
    /// Tabs / ASWebAuthenticationSession, never a WebView). `locale` ("vi" or "en") for the
    /// provider's pages; `prompt` an OIDC prompt such as "login".
    #[uniffi::method(default(locale = None, prompt = None))]
    pub async fn begin_login(&self, level: u8, locale: Option<String>, prompt: Option<String>) -> Result<String> {
        let core = self.core.clone();
        on_runtime(async move { core.begin_login(&LoginOptions { level, locale, prompt }).await }).await
    }

    /// Finishes the login with the URL the browser was redirected to (the app's redirect URI
    /// with `code`, `state` and `iss`).
    pub async fn complete_login(&self, callback_url: String) -> Result<Profile> {
        let core = self.core.clone();
        on_runtime(async move { core.complete_login(&callback_url).await }).await
    }

    /// Forgets the login in progress (the resident closed the browser).
    pub fn cancel_login(&self) -> Result<()> {
        Ok(self.core.cancel_login()?)
    }

    pub async fn session_state(&self) -> Result<SessionState> {
        let core = self.core.clone();
        on_runtime(async move { core.session_state().await }).await
    }

    /// Who is logged in, or None.
    pub async fn whoami(&self) -> Result<Option<Profile>> {
        let core = self.core.clone();
        on_runtime(async move { core.whoami().await }).await
    }

    /// Logs out (the session is forgotten on the phone); the provider's end-session URL to open
    /// in the browser, if it has one.
    pub async fn logout(&self) -> Result<Option<String>> {
        let core = self.core.clone();
        on_runtime(async move { core.logout().await }).await
    }

    // --- dossiers (hồ sơ) ---

    /// A new draft for an in-force procedure of the offline catalog (works offline).
    pub fn new_draft(&self, procedure_code: String, applicant: Subject) -> Result<Dossier> {
        Ok(self.core.new_draft(&procedure_code, applicant)?)
    }

    /// Stores one field of a draft (even when not valid yet); answers what is wrong with the
    /// value, if anything. An unknown `key` is a `Validation` error on that key.
    pub fn set_field(&self, dossier_id: String, key: String, value: String) -> Result<Option<FieldProblem>> {
        Ok(self.core.set_field(&dossier_id, &key, &value)?)
    }

    /// Every problem of the draft's form, checked offline against the procedure's e-form.
    pub fn validate_draft(&self, dossier_id: String) -> Result<Vec<FieldError>> {
        Ok(self.core.validate_draft(&dossier_id)?)
    }

    /// Attaches the file at `path` (JPEG, PNG or PDF, at most 10 MiB): it is copied, sealed, into
    /// the data dir, so the app may delete its own copy.
    pub fn attach(&self, dossier_id: String, path: String) -> Result<Attachment> {
        Ok(self.core.attach(&dossier_id, Path::new(&path))?)
    }

    /// Validates the draft and queues it for sending (status `Queued`); returns at once and
    /// works offline. The first problem of the form is a `Validation` error on its field.
    pub fn submit(&self, dossier_id: String) -> Result<Dossier> {
        Ok(self.core.submit(&dossier_id)?)
    }

    pub fn dossier(&self, dossier_id: String) -> Result<Dossier> {
        Ok(self.core.dossier(&dossier_id)?)
    }

    /// Every dossier on the phone, newest first.
    pub fn dossiers(&self) -> Result<Vec<Dossier>> {
        Ok(self.core.dossiers()?)
    }

    pub fn delete_draft(&self, dossier_id: String) -> Result<()> {
        Ok(self.core.delete_draft(&dossier_id)?)
    }

    /// Sends the outbox (everything queued, now), refreshes dossier statuses and settles
    /// payments: at start, on pull to refresh, from periodic background work. Status changes go
    /// to the `EventListener`.
    pub async fn sync(&self) -> Result<DossierSyncReport> {
        let core = self.core.clone();
        on_runtime(async move { core.sync().await }).await
    }

    /// The same when the platform says the network is back: entries still waiting out their
    /// backoff are left for later.
    pub async fn sync_when_online(&self) -> Result<DossierSyncReport> {
        let core = self.core.clone();
        on_runtime(async move { core.sync_when_online().await }).await
    }

    /// The portal's public status of a dossier code (no login needed, nothing personal).
    pub async fn lookup(&self, code: String) -> Result<PublicStatus> {
        let core = self.core.clone();
        on_runtime(async move { core.lookup(&code).await }).await
    }

    // --- payments ---

    /// Asks the portal for the order paying a received dossier's fees: open `pay_url` in the
    /// browser (`Gateway`) or show `vietqr` (`Vietqr`). `return_url` is where the gateway sends
    /// the browser back (the app's `vn.gov.haiduong.smarthd:/payment-return`). Asking twice gives
    /// the same order.
    pub async fn pay(&self, dossier_id: String, method: PaymentMethod, return_url: String) -> Result<PaymentOrder> {
        let core = self.core.clone();
        on_runtime(async move { core.pay(&dossier_id, method, &return_url).await }).await
    }

    /// The gateway sent the browser back to the app with `return_url`: the order is
    /// `Processing` until the portal confirms (never paid on the return URL's word).
    pub async fn handle_payment_return(&self, return_url: String) -> Result<PaymentOrder> {
        let core = self.core.clone();
        on_runtime(async move { core.handle_payment_return(&return_url).await }).await
    }

    /// Asks the portal for a payment's outcome now.
    pub async fn refresh_payment(&self, order_id: String) -> Result<PaymentOrder> {
        let core = self.core.clone();
        on_runtime(async move { core.refresh_payment(&order_id).await }).await
    }

    pub fn payments(&self) -> Result<Vec<PaymentOrder>> {
        Ok(self.core.payments()?)
    }

    pub fn payment(&self, order_id: String) -> Result<PaymentOrder> {
        Ok(self.core.payment(&order_id)?)
    }

    /// Every e-receipt kept on the phone, each verified again offline.
    pub fn receipts(&self) -> Result<Vec<Receipt>> {
        Ok(self.core.receipts()?)
    }

    /// Verifies a kept e-receipt offline with the portal's cached key; a tampered one is a
    /// `Validation` error.
    pub fn verify_receipt(&self, receipt_id: String) -> Result<Receipt> {
        Ok(self.core.verify_receipt(&receipt_id)?)
    }
}

/// The core library's version, e.g. "0.1.0".
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// A CCCD as screens and logs show it: the first three and last three digits
/// (`030******234`).
#[uniffi::export]
pub fn mask_cccd(cccd: String) -> String {
    smarthd_core::identity::mask_cccd(&cccd)
}

/// What to tell the resident about a field's problem, Vietnamese then English.
#[uniffi::export]
pub fn field_problem_message(problem: FieldProblem) -> String {
    problem.message()
}

/// A dossier status for display, Vietnamese then English ("Đã tiếp nhận / Received").
#[uniffi::export]
pub fn dossier_status_label(status: DossierStatus) -> String {
    status.label().to_owned()
}

/// A payment status for display, Vietnamese then English ("Đã thanh toán / paid").
#[uniffi::export]
pub fn payment_status_label(status: PaymentStatus) -> String {
    status.label().to_owned()
}

/// The VietQR payload (NAPAS EMVCo, with its CRC) of `qr`.
#[uniffi::export]
pub fn vietqr_encode(qr: VietQr) -> String {
    vietqr::encode(&qr)
}

/// Reads a VietQR payload; checks the CRC, every length and the required fields. A bad one is a
/// `Validation` error on `vietqr`.
#[uniffi::export]
pub fn vietqr_decode(payload: String) -> Result<VietQr> {
    Ok(vietqr::decode(&payload)?)
}

/// The QR code of a payload (error correction M, as banking apps expect), for the app to draw.
#[uniffi::export]
pub fn vietqr_matrix(payload: String) -> Result<QrMatrix> {
    Ok(vietqr::matrix(&payload)?)
}

#[cfg(test)]
mod tests;
