//! The reports' public face.

use std::path::Path;
use std::sync::Arc;

use super::{
    AREAS_LIST, CATEGORIES_LIST, CommuneArea, GeoPoint, PublicReport, Report, ReportCategory, ReportDraft,
    ReportSyncReport, ReportVerdict, check_draft, photo,
};
use crate::error::{Error, Result};
use crate::shared::Shared;
use crate::transport::Request;

/// A commune or ward (xã, phường), as the app names the place of a report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Commune {
    pub code: String,
    pub name: String,
}

/// Which handled reports the public feed shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedQuery {
    /// Around a point, within `radius_m` metres (2,000 when not given).
    pub near: Option<GeoPoint>,
    pub radius_m: Option<f64>,
    pub commune_code: Option<String>,
    /// At most this many (1 to 200; 50 when not given).
    pub limit: Option<u32>,
}

/// `core.reports()`: field reports (phản ánh hiện trường) drafted offline with photos and the
/// place, sent through the outbox by `core.sync()`, followed to the answer and rated once; and
/// the city's public feed of handled reports.
///
/// Everything here is the logged-in resident's (drafting needs a login, which the phone keeps
/// offline): another resident's reports are not found and not listed.
#[derive(Clone)]
pub struct ReportsHandle {
    shared: Arc<Shared>,
}

impl ReportsHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        ReportsHandle { shared }
    }

    /// The categories the portal publishes (each with its agency, and whether field reports
    /// take it), as last fetched; empty before the first [`ReportsHandle::refresh_published`].
    pub fn categories(&self) -> Result<Vec<ReportCategory>> {
        self.published(CATEGORIES_LIST)
    }

    /// The commune or ward a point falls in, offline, from the published boundaries.
    pub fn commune_at(&self, location: GeoPoint) -> Result<Option<Commune>> {
        let areas: Vec<CommuneArea> = self.published(AREAS_LIST)?;
        Ok(smarthd_model::report::locate(&areas, location)
            .map(|area| Commune { code: area.code.clone(), name: area.name.clone() }))
    }

    fn published<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Vec<T>> {
        match self.shared.catalog.published(name)? {
            Some(body) => serde_json::from_slice(&body)
                .map_err(|source| Error::Encoding { what: "published report list", source }),
            None => Ok(Vec::new()),
        }
    }

    /// Fetches the categories and the commune boundaries (public, no login); `core.sync()` does
    /// it too when they were never fetched.
    pub async fn refresh_published(&self) -> Result<()> {
        crate::sync::reports::refresh_published(&self.shared.portal, &self.shared.catalog).await
    }

    /// A new draft, checked offline against the published lists: the category exists and field
    /// reports take it (if not, the error says where it goes), the text is 1 to 2,000
    /// characters, the place is in the city (its commune is found here).
    pub fn create(&self, draft: &ReportDraft) -> Result<Report> {
        let owner = self.shared.resident()?;
        let commune = check_draft(draft, &self.categories()?, &self.published(AREAS_LIST)?)?;
        self.reports()?.create(&owner, draft, &commune)
    }

    /// Changes what a draft (or a refused report) says, checked as [`ReportsHandle::create`].
    pub fn update(&self, report_id: &str, draft: &ReportDraft) -> Result<Report> {
        let owner = self.shared.resident()?;
        let commune = check_draft(draft, &self.categories()?, &self.published(AREAS_LIST)?)?;
        self.reports()?.update(&owner, report_id, draft, &commune)
    }

    /// Adds a photo (JPEG or PNG): normalised here (orientation applied, every metadata block
    /// removed, at most 1,600 px on the long edge, re-encoded) and kept sealed; 1 to 5 per report.
    pub fn add_photo(&self, report_id: &str, path: &Path) -> Result<Report> {
        let user = self.shared.user()?;
        let owner = self.shared.resident()?;
        // Refused before the photo is read: another's report, one already sent.
        user.reports.editable(&owner, report_id)?;
        let file = crate::dossier::source::read_regular_file(path, photo::MAX_INPUT_BYTES as u64)?;
        let normalized = photo::normalize(&file.bytes).map_err(|problem| Error::Validation {
            field: "photo".into(),
            reason: format!("{}: {problem}", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()),
        })?;
        let sha256 = crate::dossier::hex(ring::digest::digest(&ring::digest::SHA256, &normalized.jpeg).as_ref());
        user.dossiers.keep_file(&sha256, &normalized.jpeg)?;
        match user.reports.add_photo(&owner, report_id, &sha256, normalized.jpeg.len() as u64) {
            // Kept again if a cleanup took it while nothing named it yet.
            Ok(report) => user.dossiers.keep_file(&sha256, &normalized.jpeg).map(|()| report),
            Err(error) => {
                user.dossiers.forget_file(&sha256);
                Err(error)
            }
        }
    }

    pub fn remove_photo(&self, report_id: &str, sha256: &str) -> Result<Report> {
        let user = self.shared.user()?;
        let report = user.reports.remove_photo(&self.shared.resident()?, report_id, sha256)?;
        user.dossiers.tidy_files();
        Ok(report)
    }

    /// A photo of one of the resident's reports, as it will be (or was) sent: a JPEG without
    /// metadata.
    pub fn photo(&self, report_id: &str, sha256: &str) -> Result<Vec<u8>> {
        let report = self.get(report_id)?;
        if !report.photos.iter().any(|p| p.sha256 == sha256) {
            return Err(Error::NotFound(format!("photo {sha256}")));
        }
        self.shared.user()?.dossiers.attachment_bytes(sha256)
    }

    /// Queues the report durably; `core.sync()` sends it (exactly once, however often it is
    /// tried).
    pub fn submit(&self, report_id: &str) -> Result<Report> {
        let owner = self.shared.resident()?;
        self.reports()?.submit(&owner, report_id)
    }

    /// The resident's verdict on the answer: once, after the agency answered; queued and sent
    /// like a submission.
    pub fn rate(&self, report_id: &str, verdict: ReportVerdict) -> Result<Report> {
        let owner = self.shared.resident()?;
        self.reports()?.rate(&owner, report_id, verdict)
    }

    pub fn get(&self, report_id: &str) -> Result<Report> {
        self.reports()?.get(&self.shared.resident()?, report_id)
    }

    /// The resident's reports, newest first (empty when logged out).
    pub fn list(&self) -> Result<Vec<Report>> {
        match self.shared.owner()? {
            Some(owner) => self.reports()?.list(&owner),
            None => Ok(Vec::new()),
        }
    }

    /// Deletes a draft or a refused report; never one the portal holds.
    pub fn delete_draft(&self, report_id: &str) -> Result<()> {
        let user = self.shared.user()?;
        user.reports.delete_draft(&self.shared.resident()?, report_id)?;
        user.dossiers.tidy_files();
        Ok(())
    }

    /// Sends the resident's queued reports and ratings, and fetches their reports' progress.
    pub async fn sync(&self) -> Result<ReportSyncReport> {
        let Some(owner) = self.shared.owner()? else { return Ok(ReportSyncReport::default()) };
        let noting = self.shared.noting(&owner)?;
        let mut cx = self.shared.reports_context(Some(&owner))?;
        cx.outbox.events = &noting;
        crate::sync::reports::sync(&cx, true).await
    }

    /// Handled reports the city publishes (no login): what, where and the answer with its proof,
    /// never who reported.
    pub async fn feed(&self, query: &FeedQuery) -> Result<Vec<PublicReport>> {
        let path = feed_path(query)?;
        #[derive(serde::Deserialize)]
        struct Page {
            items: Vec<PublicReport>,
        }
        let portal = &self.shared.portal;
        let url = portal.url(&path)?;
        let page: Page = portal.send(Request::get(url)).await?.json()?;
        Ok(page.items)
    }

    /// The resident's field reports (their side of the core opens at the first call that needs it).
    fn reports(&self) -> Result<&super::Reports> {
        Ok(&self.shared.user()?.reports)
    }
}

/// The public feed's path with the query's parameters, checked.
fn feed_path(query: &FeedQuery) -> Result<String> {
    let invalid = |field: &str, reason: &str| Error::Validation { field: field.into(), reason: reason.into() };
    let mut params = url::form_urlencoded::Serializer::new(String::new());
    if let Some(near) = query.near {
        if !near.is_valid() {
            return Err(invalid("near", "vĩ độ, kinh độ / LAT,LON"));
        }
        params.append_pair("near", &format!("{},{}", near.lat, near.lon));
    }
    if let Some(radius) = query.radius_m {
        if !(radius.is_finite() && radius > 0.0) {
            return Err(invalid("radius", "số mét lớn hơn 0 / metres, more than 0"));
        }
        params.append_pair("radius", &radius.to_string());
    }
    if let Some(commune) = &query.commune_code {
        params.append_pair("commune", commune);
    }
    if let Some(limit) = query.limit {
        if !(1..=200).contains(&limit) {
            return Err(invalid("limit", "1 – 200"));
        }
        params.append_pair("limit", &limit.to_string());
    }
    Ok(format!("api/v1/reports/public?{}", params.finish()))
}
