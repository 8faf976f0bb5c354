//! `smarthd-ffi`: the Smart-Hải Dương core for Kotlin, Swift and Python, through UniFFI
//! (proc-macros, no UDL). This crate is the only cdylib/staticlib of the workspace and stays thin:
//! it converts types and errors, owns the one tokio runtime, and adapts the app's platform
//! services (foreign traits) to the core. Business logic lives in `smarthd-core`.
//!
//! Generated names (see `uniffi.toml`): Kotlin package `vn.gov.haiduong.smarthd`, Swift module
//! `SmartHDCore`, Python module `smarthd`. See `docs/bindings.md`.

mod appointments;
mod catalog;
mod documents;
mod dossiers;
mod error;
mod inbox;
mod jvm;
mod payments;
mod platform;
mod reports;
mod runtime;
mod session;
mod sync;
mod types;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use smarthd_core::dossier::{DossierStatus, FieldProblem};
use smarthd_core::payment::PaymentStatus;
use smarthd_core::payment::vietqr::{self, QrMatrix, VietQr};
use smarthd_core::report::RejectReason;

pub use appointments::AppointmentsApi;
pub use catalog::CatalogApi;
pub use documents::DocumentsApi;
pub use dossiers::DossiersApi;
pub use error::SmartHdError;
pub use inbox::InboxApi;
pub use payments::PaymentsApi;
pub use platform::{EventListener, LogLevel, LogRecord, Logger, SecureStorage, Signer};
pub use runtime::CancelHandle;
pub use session::SessionApi;
pub use sync::SyncApi;

uniffi::setup_scaffolding!("smarthd");

type Result<T, E = SmartHdError> = std::result::Result<T, E>;

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
    /// The OpenID provider's issuer, exactly as its discovery document names it (None: the
    /// portal's own realm, `{portal_url}realms/haiduong`).
    #[uniffi(default)]
    pub issuer: Option<String>,
    /// The app's client id at the provider (None: `smarthd-app`).
    #[uniffi(default)]
    pub client_id: Option<String>,
    /// The app's redirect URI, its private-use scheme (None:
    /// `vn.gov.haiduong.smarthd:/oauth2redirect`); a payment's return URL uses the same scheme.
    #[uniffi(default)]
    pub redirect_uri: Option<String>,
    /// The portal's receipt-signing keys, each `KEY_ID:PUBLIC_KEY` (Ed25519, base64url) as the
    /// portal publishes it: when any is given, receipts and results verify only with these;
    /// empty, the keys are fetched over the pinned transport on first use and kept sealed.
    #[uniffi(default)]
    pub receipt_keys: Vec<String>,
    /// The portal's appointment-ticket keys, the same way.
    #[uniffi(default)]
    pub ticket_keys: Vec<String>,
    /// Root certificates (DER) trusted beside the bundled web PKI roots: a tester's sandbox over
    /// https (an emulator reaches the host at 10.0.2.2, which is not loopback), a private
    /// deployment's CA. Every certificate is still verified in full.
    #[uniffi(default)]
    pub extra_roots_der: Vec<Vec<u8>>,
}

impl CoreConfig {
    /// For Rust callers (the foreign languages have the defaults): the portal and the data dir,
    /// every other setting as its default.
    pub fn new(portal_url: impl Into<String>, data_dir: impl Into<String>) -> CoreConfig {
        CoreConfig {
            portal_url: portal_url.into(),
            data_dir: data_dir.into(),
            connect_timeout_ms: 5000,
            request_timeout_ms: 30000,
            pinned_spki_sha256: Vec::new(),
            log_level: None,
            issuer: None,
            client_id: None,
            redirect_uri: None,
            receipt_keys: Vec::new(),
            ticket_keys: Vec::new(),
            extra_roots_der: Vec::new(),
        }
    }

    fn to_core(&self) -> Result<smarthd_core::Config> {
        let mut config = smarthd_core::Config::new(&self.portal_url, PathBuf::from(&self.data_dir))?;
        if self.data_dir.is_empty() {
            return Err(SmartHdError::validation("data_dir", "must name a folder"));
        }
        for (field, ms) in
            [("connect_timeout_ms", self.connect_timeout_ms), ("request_timeout_ms", self.request_timeout_ms)]
        {
            if ms == 0 {
                return Err(SmartHdError::validation(field, "a timeout must be positive"));
            }
        }
        config.connect_timeout = Duration::from_millis(self.connect_timeout_ms.into());
        config.request_timeout = Duration::from_millis(self.request_timeout_ms.into());
        config.pinned_spki_sha256 = self
            .pinned_spki_sha256
            .iter()
            .map(|pin| <[u8; 32]>::try_from(pin.as_slice()))
            .collect::<Result<_, _>>()
            .map_err(|_| SmartHdError::validation("pinned_spki_sha256", "each pin is a 32-byte SHA-256 hash"))?;
        if let Some(issuer) = &self.issuer {
            config.identity.issuer = issuer.clone();
        }
        if let Some(client_id) = &self.client_id {
            config.identity.client_id = client_id.clone();
        }
        if let Some(redirect_uri) = &self.redirect_uri {
            config.identity.redirect_uri = redirect_uri.clone();
        }
        let pins = |pins: &[String], field: &str| {
            pins.iter()
                .map(|pin| smarthd_core::ReceiptKeyPin::parse(pin))
                .collect::<smarthd_core::Result<Vec<_>>>()
                .map_err(|error| SmartHdError::validation(field, error.to_string()))
        };
        config.receipt_keys = pins(&self.receipt_keys, "receipt_keys")?;
        config.ticket_keys = pins(&self.ticket_keys, "ticket_keys")?;
        config.extra_roots_der = self.extra_roots_der.clone();
        Ok(config)
    }
}

/// The core: one per app process, opened on the app's data dir. It hands out one object per
/// capability (`catalog()`, `session()`, `dossiers()`, `payments()`, `sync()`), each a thin
/// wrapper of the core's handle. Every call is coarse (a page of results, a whole record)
/// because each crossing of the boundary costs microseconds.
#[derive(uniffi::Object)]
pub struct SmartHd {
    /// Holds the app's services (events, secure storage, signer) through their adapters.
    core: smarthd_core::SmartHd,
}

impl SmartHd {
    fn open_with(
        config: CoreConfig,
        storage: Arc<dyn SecureStorage>,
        events: Option<Arc<dyn EventListener>>,
        logger: Option<Arc<dyn Logger>>,
        signer: Option<Arc<dyn Signer>>,
        recover: bool,
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
        let core = if recover {
            smarthd_core::SmartHd::open_recovering(core_config, services)?
        } else {
            smarthd_core::SmartHd::open(core_config, services)?
        };
        tracing::info!(version = env!("CARGO_PKG_VERSION"), "smarthd core opened");
        Ok(Arc::new(SmartHd { core }))
    }
}

#[uniffi::export]
impl SmartHd {
    /// Opens (and migrates) the catalog in `config.data_dir`; makes no network call. The
    /// resident's data (`user.db`, the data key) opens at the first call that needs it, so the
    /// catalog's first page never waits for it. `events` receives sync progress; `logger`
    /// receives log lines at `config.log_level` and above (the last logger given is the
    /// process's); `storage` is the platform's secure storage (the core keeps its session key
    /// there); `signer` an optional hardware-backed DPoP key. A lost or changed data key is that
    /// first call's `UserDataUnreadable`: see [`SmartHd::open_recovering`].
    #[uniffi::constructor(default(events = None, logger = None, signer = None))]
    pub fn open(
        config: CoreConfig,
        storage: Arc<dyn SecureStorage>,
        events: Option<Arc<dyn EventListener>>,
        logger: Option<Arc<dyn Logger>>,
        signer: Option<Arc<dyn Signer>>,
    ) -> Result<Arc<Self>> {
        Self::open_with(config, storage, events, logger, signer, false)
    }

    /// Opens after `UserDataUnreadable`: what the data key cannot open is kept aside (never
    /// dropped), a new key is made if the old one is gone, and the resident logs in again.
    #[uniffi::constructor(default(events = None, logger = None, signer = None))]
    pub fn open_recovering(
        config: CoreConfig,
        storage: Arc<dyn SecureStorage>,
        events: Option<Arc<dyn EventListener>>,
        logger: Option<Arc<dyn Logger>>,
        signer: Option<Arc<dyn Signer>>,
    ) -> Result<Arc<Self>> {
        Self::open_with(config, storage, events, logger, signer, true)
    }

    /// The offline procedures: search, records, facets, favourites.
    pub fn catalog(&self) -> Arc<CatalogApi> {
        Arc::new(CatalogApi(self.core.catalog()))
    }

    /// The VNeID login and who is logged in.
    pub fn session(&self) -> Arc<SessionApi> {
        Arc::new(SessionApi(self.core.session()))
    }

    /// Drafts, submitting, and the public lookup.
    pub fn dossiers(&self) -> Arc<DossiersApi> {
        Arc::new(DossiersApi(self.core.dossiers()))
    }

    /// My documents: results, e-receipts and personal papers, offline.
    pub fn documents(&self) -> Arc<DocumentsApi> {
        Arc::new(DocumentsApi(self.core.documents()))
    }

    /// Fees and e-receipts.
    pub fn payments(&self) -> Arc<PaymentsApi> {
        Arc::new(PaymentsApi(self.core.payments()))
    }

    /// Appointments at the commune's one-stop counter.
    pub fn appointments(&self) -> Arc<AppointmentsApi> {
        Arc::new(AppointmentsApi(self.core.appointments()))
    }

    /// Field reports: drafts with photos and the place, sending, progress, rating, the feed.
    pub fn reports(&self) -> Arc<reports::ReportsApi> {
        Arc::new(reports::ReportsApi(self.core.reports()))
    }

    /// The inbox: the city's alerts and the app's own notices, and the push token.
    pub fn inbox(&self) -> Arc<InboxApi> {
        Arc::new(InboxApi(self.core.inbox()))
    }

    /// The catalog feed and the outbox.
    pub fn sync(&self) -> Arc<SyncApi> {
        Arc::new(SyncApi(self.core.sync()))
    }

    /// Does nothing: the cost of crossing the boundary, for the call-cost benchmark.
    pub fn ping(&self) {}
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

/// One criterion a resident may score 0 to 2 when rating a dossier's handling.
#[derive(uniffi::Record)]
pub struct RatingCriterion {
    pub key: String,
    pub label: String,
    pub label_en: String,
}

/// The nine criteria of a rating (18 points in all), in the order forms show them.
#[uniffi::export]
pub fn rating_criteria() -> Vec<RatingCriterion> {
    smarthd_core::dossier::RATING_CRITERIA
        .iter()
        .map(|(key, label, label_en)| RatingCriterion {
            key: (*key).into(),
            label: (*label).into(),
            label_en: (*label_en).into(),
        })
        .collect()
}

/// A dossier status for display, Vietnamese then English ("Đã tiếp nhận / Received").
#[uniffi::export]
pub fn dossier_status_label(status: DossierStatus) -> String {
    status.label().to_owned()
}

/// Why a report was refused, for display, Vietnamese then English ("Trùng với phản ánh khác /
/// Duplicate of another report").
#[uniffi::export]
pub fn reject_reason_label(reason: RejectReason) -> String {
    let (vi, en) = reason.labels();
    format!("{vi} / {en}")
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
