//! Announcements and alerts (thông báo, cảnh báo) the city publishes to residents' inboxes,
//! targeted by commune, with a severity and a validity window.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    /// Khẩn cấp: storms, floods, evacuations. Shown at once, quiet hours or not.
    Emergency,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Emergency];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Emergency => "emergency",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|severity| severity.as_str() == s)
    }

    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            Severity::Info => ("Thông báo", "Announcement"),
            Severity::Warning => ("Cảnh báo", "Warning"),
            Severity::Emergency => ("Khẩn cấp", "Emergency"),
        }
    }
}

/// An alert as the inbox feed carries it (`GET /api/v1/inbox?since=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub alert_id: String,
    pub title: String,
    pub body: String,
    pub severity: Severity,
    /// The communes it targets; empty: the whole city.
    pub communes: Vec<String>,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub published_at: String,
    pub seq: u64,
}

/// Longest alert title and body, in characters.
pub const MAX_ALERT_TITLE: usize = 200;
pub const MAX_ALERT_BODY: usize = 5_000;
