//! What the app provides: foreign traits implemented in Kotlin / Swift / Python and injected at
//! construction, and the adapters that plug them into the core.

use std::sync::{Arc, Once, RwLock};

use tracing::field::{Field, Visit};
use tracing::{Level as TraceLevel, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

use crate::error::SmartHdError;

/// Receives what happens in the core: catalog sync progress, session changes, dossier status
/// changes (the shells' local notifications) and payment updates. Called on a core thread (or
/// on the caller's, for `submit`): hand the event over (Kotlin: the `SmartHdClient.events` Flow
/// does) and return quickly. Should not throw: an exception is dropped (the call that raised
/// the event goes on), and the event with it.
#[uniffi::export(foreign)]
pub trait EventListener: Send + Sync {
    fn on_event(&self, event: smarthd_core::Event);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

/// A log line from the core. Never holds tokens or personal data.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LogRecord {
    pub level: LogLevel,
    /// The Rust module that logged, e.g. "smarthd_core::store".
    pub target: String,
    /// The message, then its fields as `key=value`.
    pub message: String,
}

/// Receives the core's log lines (Android: `android.util.Log`; iOS: `os_log`). Called on core
/// threads; should not throw: an exception loses its line, nothing more.
#[uniffi::export(foreign)]
pub trait Logger: Send + Sync {
    fn log(&self, record: LogRecord);
}

/// The platform's secure storage: Android Keystore-backed storage, the iOS Keychain. The
/// identity capability keeps its tokens and keys here; values are opaque bytes.
#[uniffi::export(foreign)]
pub trait SecureStorage: Send + Sync {
    /// The value stored under `key`, or None.
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, SmartHdError>;
    /// Stores (or replaces) `value` under `key`.
    fn put(&self, key: String, value: Vec<u8>) -> Result<(), SmartHdError>;
    /// Removes `key`; removing a missing key is not an error.
    fn delete(&self, key: String) -> Result<(), SmartHdError>;
}

/// An optional hardware-backed ES256 key (Android Keystore / StrongBox, the Secure Enclave) for
/// DPoP proofs: the private key never leaves the hardware. Without one, the core makes a
/// software key and keeps it encrypted in the session.
#[uniffi::export(foreign)]
pub trait Signer: Send + Sync {
    /// The public key as an uncompressed P-256 point: `0x04 || x || y` (65 bytes).
    fn public_key(&self) -> Result<Vec<u8>, SmartHdError>;
    /// The ES256 signature of `message` (SHA-256 then ECDSA P-256) as the 64-byte `r || s`
    /// that JWS uses (not DER).
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, SmartHdError>;
}

/// A failure of the app's storage or signer, as the core sees it (kind Storage).
fn platform_error(service: &str, error: SmartHdError) -> smarthd_core::Error {
    smarthd_core::Error::Io(std::io::Error::other(format!("{service}: {error}")))
}

/// The app's secure storage seen through the core's own trait.
pub(crate) struct ForeignStorage(pub Arc<dyn SecureStorage>);

impl smarthd_core::platform::SecureStorage for ForeignStorage {
    fn get(&self, key: &str) -> smarthd_core::Result<Option<Vec<u8>>> {
        self.0.get(key.to_owned()).map_err(|e| platform_error("secure storage", e))
    }

    fn put(&self, key: &str, value: &[u8]) -> smarthd_core::Result<()> {
        self.0.put(key.to_owned(), value.to_vec()).map_err(|e| platform_error("secure storage", e))
    }

    fn delete(&self, key: &str) -> smarthd_core::Result<()> {
        self.0.delete(key.to_owned()).map_err(|e| platform_error("secure storage", e))
    }
}

/// The app's signer seen through the core's own trait.
pub(crate) struct ForeignSigner(pub Arc<dyn Signer>);

impl smarthd_core::platform::Signer for ForeignSigner {
    fn public_key(&self) -> smarthd_core::Result<Vec<u8>> {
        self.0.public_key().map_err(|e| platform_error("signer", e))
    }

    fn sign(&self, message: &[u8]) -> smarthd_core::Result<Vec<u8>> {
        self.0.sign(message.to_vec()).map_err(|e| platform_error("signer", e))
    }
}

/// The app's listener seen through the core's own trait.
pub(crate) struct ForeignEvents(pub Arc<dyn EventListener>);

impl smarthd_core::EventListener for ForeignEvents {
    fn on_event(&self, event: smarthd_core::Event) {
        // UniFFI panics when a callback that returns nothing throws: the listener's bug stays
        // the listener's, and the work the event told of (a dossier queued, a sync) goes on.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.0.on_event(event)));
    }
}

// --- logging: `tracing` events from the core and this crate go to the app's Logger ---

/// The installed logger and the most verbose level it wants. The last one given wins: a process
/// has one global `tracing` subscriber, and an app has one logger.
static LOGGER: RwLock<Option<(Arc<dyn Logger>, LogLevel)>> = RwLock::new(None);
static SUBSCRIBER: Once = Once::new();

/// Routes `tracing` to `logger` from now on (`None`: stop logging).
pub(crate) fn install_logger(logger: Option<Arc<dyn Logger>>, level: LogLevel) {
    *LOGGER.write().unwrap_or_else(|e| e.into_inner()) = logger.map(|l| (l, level));
    SUBSCRIBER.call_once(|| {
        // Fails only if the embedding process already set one; then that one gets the events.
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(ForeignLogLayer));
    });
}

fn level_of(level: &TraceLevel) -> LogLevel {
    match *level {
        TraceLevel::ERROR => LogLevel::Error,
        TraceLevel::WARN => LogLevel::Warn,
        TraceLevel::INFO => LogLevel::Info,
        TraceLevel::DEBUG => LogLevel::Debug,
        _ => LogLevel::Trace,
    }
}

struct ForeignLogLayer;

impl<S: Subscriber> Layer<S> for ForeignLogLayer {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> tracing::subscriber::Interest {
        // Decided per event: the level can change when another logger is installed.
        tracing::subscriber::Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        match &*LOGGER.read().unwrap_or_else(|e| e.into_inner()) {
            Some((_, max)) => level_of(metadata.level()) <= *max,
            None => false,
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let Some(logger) = LOGGER.read().unwrap_or_else(|e| e.into_inner()).as_ref().map(|(l, _)| l.clone()) else {
            return;
        };
        let mut line = Line::default();
        event.record(&mut line);
        let metadata = event.metadata();
        let record =
            LogRecord { level: level_of(metadata.level()), target: metadata.target().to_owned(), message: line.0 };
        // As for the event listener: a logger that throws loses its line, nothing more.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| logger.log(record)));
    }
}

/// Formats an event as `message key=value ...`.
#[derive(Default)]
struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, "{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            self.0.push_str(value);
        } else {
            self.record_debug(field, &value)
        }
    }
}
