//! `client.reports()`: field reports (phản ánh hiện trường) drafted offline with photos and the
//! place, sent by `sync`, followed to the answer and rated once; the public feed.

use std::sync::Arc;

use smarthd_core::report::{
    GeoPoint, PhotoLink, PublicReport, RejectReason, ReportAnswer, ReportCategory, ReportState, ReportVerdict, Urgency,
};
use smarthd_core::{Commune, FeedQuery, Report, ReportDraft, ReportPhoto, ReportSyncReport, ReportsHandle};

use crate::Result;
use crate::runtime::{CancelHandle, on_runtime};

/// A point on the map, WGS 84 degrees.
#[uniffi::remote(Record)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// A category the portal publishes: who handles it, and whether field reports take it
/// (complaints and denunciations do not: `goes_to` says where they go).
#[uniffi::remote(Record)]
pub struct ReportCategory {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub agency: String,
    pub in_scope: bool,
    pub goes_to: Option<String>,
    /// Working hours the agency has to handle a normal report of this category.
    pub target_hours: u32,
}

#[uniffi::remote(Enum)]
pub enum Urgency {
    Normal,
    Urgent,
}

/// The reporter's verdict on the answer, given once.
#[uniffi::remote(Enum)]
pub enum ReportVerdict {
    Satisfied,
    Acceptable,
    NotSatisfied,
}

/// Why the operations centre refused a report.
#[uniffi::remote(Enum)]
pub enum RejectReason {
    OutOfScope,
    Unclear,
    Duplicate,
    Abusive,
}

/// Where a report stands: the phone's own steps (draft, queued, failed), then the operations
/// centre's.
#[uniffi::remote(Enum)]
pub enum ReportState {
    Draft,
    Queued,
    Failed,
    Waiting,
    Accepted,
    Assigned,
    Handled,
    Rejected,
}

/// A photo as the portal links it.
#[uniffi::remote(Record)]
pub struct PhotoLink {
    pub sha256: String,
    /// A path under the portal.
    pub url: String,
}

/// The agency's answer, with its proof photos.
#[uniffi::remote(Record)]
pub struct ReportAnswer {
    pub agency: String,
    pub message: String,
    pub photos: Vec<PhotoLink>,
    pub at: String,
}

/// A new report as the resident writes it.
#[uniffi::remote(Record)]
pub struct ReportDraft {
    pub category: String,
    pub text: String,
    pub location: GeoPoint,
    /// Helps the agency find the place; never published.
    pub address_note: Option<String>,
    pub urgency: Urgency,
    /// Whether the handling agency may see who reported (the operations centre always can).
    pub share_identity: bool,
}

#[uniffi::remote(Record)]
pub struct ReportPhoto {
    pub sha256: String,
    pub size: u64,
}

/// A report as the resident follows it.
#[uniffi::remote(Record)]
pub struct Report {
    pub id: String,
    pub category: String,
    pub text: String,
    pub location: GeoPoint,
    pub address_note: Option<String>,
    pub commune_code: Option<String>,
    pub urgency: Urgency,
    pub share_identity: bool,
    pub photos: Vec<ReportPhoto>,
    pub state: ReportState,
    pub code: Option<String>,
    /// Why it is not moving or was refused, Vietnamese and English.
    pub problem: Option<String>,
    pub accept_by: Option<String>,
    pub handle_by: Option<String>,
    pub agency: Option<String>,
    pub reject_reason: Option<RejectReason>,
    pub reject_note: Option<String>,
    pub answer: Option<ReportAnswer>,
    pub verdict: Option<ReportVerdict>,
    /// A verdict given on the phone, not yet delivered.
    pub rating_queued: Option<ReportVerdict>,
    pub created_at: String,
    pub updated_at: String,
}

/// What a report sync did.
#[uniffi::remote(Record)]
pub struct ReportSyncReport {
    pub sent: u32,
    pub failed: u32,
    pub pending: u32,
    pub status_changes: u32,
    pub needs_login: bool,
}

#[uniffi::remote(Record)]
pub struct Commune {
    pub code: String,
    pub name: String,
}

/// Which handled reports the public feed shows.
#[uniffi::remote(Record)]
pub struct FeedQuery {
    pub near: Option<GeoPoint>,
    pub radius_m: Option<f64>,
    pub commune_code: Option<String>,
    pub limit: Option<u32>,
}

/// A handled report as the public feed shows it: never who reported.
#[uniffi::remote(Record)]
pub struct PublicReport {
    pub code: String,
    pub category: String,
    pub category_name: String,
    pub text: String,
    pub location: GeoPoint,
    pub commune_code: Option<String>,
    pub commune_name: Option<String>,
    pub photos: Vec<PhotoLink>,
    pub answer: ReportAnswer,
    pub created_at: String,
}

#[derive(uniffi::Object)]
pub struct ReportsApi(pub(crate) ReportsHandle);

#[uniffi::export]
impl ReportsApi {
    /// The published categories, offline (empty before the first fetch).
    pub fn categories(&self) -> Result<Vec<ReportCategory>> {
        Ok(self.0.categories()?)
    }

    /// The commune or ward a point falls in, offline.
    pub fn commune_at(&self, location: GeoPoint) -> Result<Option<Commune>> {
        Ok(self.0.commune_at(location)?)
    }

    /// Fetches the categories and commune boundaries (no login).
    #[uniffi::method(default(cancel = None))]
    pub async fn refresh_published(&self, cancel: Option<Arc<CancelHandle>>) -> Result<()> {
        let handle = self.0.clone();
        on_runtime(cancel, async move { handle.refresh_published().await }).await
    }

    /// A new draft, checked offline.
    pub fn create(&self, draft: ReportDraft) -> Result<Report> {
        Ok(self.0.create(&draft)?)
    }

    pub fn update(&self, report_id: String, draft: ReportDraft) -> Result<Report> {
        Ok(self.0.update(&report_id, &draft)?)
    }

    /// Adds a photo (JPEG or PNG) from a file: normalised, metadata removed, kept sealed.
    pub fn add_photo(&self, report_id: String, path: String) -> Result<Report> {
        Ok(self.0.add_photo(&report_id, std::path::Path::new(&path))?)
    }

    pub fn remove_photo(&self, report_id: String, sha256: String) -> Result<Report> {
        Ok(self.0.remove_photo(&report_id, &sha256)?)
    }

    /// A photo of one of the resident's reports (JPEG bytes, no metadata).
    pub fn photo(&self, report_id: String, sha256: String) -> Result<Vec<u8>> {
        Ok(self.0.photo(&report_id, &sha256)?)
    }

    /// Queues the report durably; `sync` sends it.
    pub fn submit(&self, report_id: String) -> Result<Report> {
        Ok(self.0.submit(&report_id)?)
    }

    /// The verdict on the answer, once.
    pub fn rate(&self, report_id: String, verdict: ReportVerdict) -> Result<Report> {
        Ok(self.0.rate(&report_id, verdict)?)
    }

    pub fn get(&self, report_id: String) -> Result<Report> {
        Ok(self.0.get(&report_id)?)
    }

    /// The resident's reports, newest first.
    pub fn list(&self) -> Result<Vec<Report>> {
        Ok(self.0.list()?)
    }

    pub fn delete_draft(&self, report_id: String) -> Result<()> {
        Ok(self.0.delete_draft(&report_id)?)
    }

    /// Sends queued reports and ratings, fetches the reports' progress.
    #[uniffi::method(default(cancel = None))]
    pub async fn sync(&self, cancel: Option<Arc<CancelHandle>>) -> Result<ReportSyncReport> {
        let handle = self.0.clone();
        on_runtime(cancel, async move { handle.sync().await }).await
    }

    /// Handled reports the city publishes (no login).
    #[uniffi::method(default(cancel = None))]
    pub async fn feed(&self, query: FeedQuery, cancel: Option<Arc<CancelHandle>>) -> Result<Vec<PublicReport>> {
        let handle = self.0.clone();
        on_runtime(cancel, async move { handle.feed(&query).await }).await
    }
}
