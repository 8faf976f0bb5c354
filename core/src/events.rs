//! What the core tells the app as it happens. The app implements [`EventListener`]; the
//! bindings turn it into a foreign trait (a Kotlin Flow, a Swift AsyncStream).

use serde::Serialize;
use smarthd_model::alert::Severity;
use smarthd_model::report::ReportState;
use smarthd_model::{DossierStatus, PaymentStatus};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// Catalog sync progress: `done` of `total` changes applied.
    CatalogSyncProgress { done: u64, total: u64 },
    /// The login session changed (logged in, refreshing, expired, logged out).
    SessionChanged { state: SessionState },
    /// A dossier's status changed (queued, received, processing, result ready...): the shells
    /// turn this into a local notification.
    DossierStatusChanged { dossier_id: String, code: Option<String>, status: DossierStatus },
    /// A dossier changed on the phone without a new status: an action (a supplement, a
    /// withdrawal, a rating) queued or delivered. For screens showing it to read it again;
    /// nothing to notify.
    DossierUpdated { dossier_id: String },
    /// A field report moved (sent, refused, accepted, assigned, handled...): the shells turn
    /// this into a local notification.
    ReportStatusChanged { report_id: String, code: Option<String>, state: ReportState },
    /// An announcement or alert for the resident's commune arrived in the inbox (from a sync): the
    /// shells notify, an emergency at once whatever the quiet hours.
    AlertReceived { alert_id: String, title: String, severity: Severity },
    /// A payment moved (issued, being confirmed, paid, failed...).
    PaymentUpdated { order_id: String, status: PaymentStatus },
    /// An appointment at a one-stop counter starts within 24 hours: given once per booking, by
    /// `sync().now()`; the shells turn it into a local notification.
    AppointmentReminder { booking_id: String, counter_name: String, starts_at: String, number: u32 },
}

/// Observable session state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SessionState {
    LoggedOut,
    LoggedIn {
        level: u8,
        expires_at: i64,
    },
    Refreshing,
    /// The provider ended the session (refresh refused): log in again.
    Expired,
}

pub trait EventListener: Send + Sync {
    fn on_event(&self, event: Event);

    /// Several events from one step (a batch of dossiers received), in order.
    fn on_events(&self, events: Vec<Event>) {
        for event in events {
            self.on_event(event);
        }
    }
}

/// For callers that do not listen.
pub struct NoEvents;

impl EventListener for NoEvents {
    fn on_event(&self, _event: Event) {}
}
