//! Field reports (phản ánh hiện trường): their statuses, the operations centre's reasons for
//! refusing one, urgency, the reporter's verdict on the answer, the published categories, and
//! which commune a GPS point falls in (resolved offline on the phone from published boundaries).

use serde::{Deserialize, Serialize};

/// Where a report stands at the operations centre (IOC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Chờ tiếp nhận: received, not yet checked by the IOC.
    Waiting,
    /// Đã tiếp nhận: checked and eligible.
    Accepted,
    /// Đang xử lý: assigned to the agency that handles it.
    Assigned,
    /// Đã xử lý: the agency answered, with proof.
    Handled,
    /// Từ chối: refused, with a [`RejectReason`].
    Rejected,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 5] = [
        ReportStatus::Waiting,
        ReportStatus::Accepted,
        ReportStatus::Assigned,
        ReportStatus::Handled,
        ReportStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Waiting => "waiting",
            ReportStatus::Accepted => "accepted",
            ReportStatus::Assigned => "assigned",
            ReportStatus::Handled => "handled",
            ReportStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Vietnamese, then English.
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            ReportStatus::Waiting => ("Chờ tiếp nhận", "Waiting"),
            ReportStatus::Accepted => ("Đã tiếp nhận", "Accepted"),
            ReportStatus::Assigned => ("Đang xử lý", "Assigned to an agency"),
            ReportStatus::Handled => ("Đã xử lý", "Handled"),
            ReportStatus::Rejected => ("Từ chối", "Rejected"),
        }
    }

    /// The moves the IOC and the agency may make; every other one is refused.
    pub fn can_become(self, next: ReportStatus) -> bool {
        use ReportStatus::*;
        matches!(
            (self, next),
            (Waiting, Accepted)
                | (Waiting, Rejected)
                | (Accepted, Assigned)
                | (Assigned, Handled)
                | (Assigned, Assigned)
        )
    }

    /// The IOC's work on it is over.
    pub fn is_final(self) -> bool {
        matches!(self, ReportStatus::Handled | ReportStatus::Rejected)
    }
}

/// Where a report stands, as the phone shows it: the phone's own steps, then the IOC's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// Being written; photos may be added.
    Draft,
    /// Submitted on the phone, waiting in the outbox to be sent.
    Queued,
    /// The portal refused it (the reason is in `problem`); it can be changed and sent again.
    Failed,
    Waiting,
    Accepted,
    Assigned,
    Handled,
    Rejected,
}

impl ReportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Draft => "draft",
            ReportState::Queued => "queued",
            ReportState::Failed => "failed",
            ReportState::Waiting => "waiting",
            ReportState::Accepted => "accepted",
            ReportState::Assigned => "assigned",
            ReportState::Handled => "handled",
            ReportState::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<ReportState> {
        match text {
            "draft" => Some(ReportState::Draft),
            "queued" => Some(ReportState::Queued),
            "failed" => Some(ReportState::Failed),
            other => ReportStatus::parse(other).map(ReportState::from),
        }
    }

    /// Vietnamese, then English.
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            ReportState::Draft => ("Bản nháp", "Draft"),
            ReportState::Queued => ("Chờ gửi", "Waiting to be sent"),
            ReportState::Failed => ("Bị từ chối khi gửi", "Refused when sent"),
            ReportState::Waiting => ReportStatus::Waiting.labels(),
            ReportState::Accepted => ReportStatus::Accepted.labels(),
            ReportState::Assigned => ReportStatus::Assigned.labels(),
            ReportState::Handled => ReportStatus::Handled.labels(),
            ReportState::Rejected => ReportStatus::Rejected.labels(),
        }
    }

    /// Still on the phone only: text, place and photos may change.
    pub fn is_editable(self) -> bool {
        matches!(self, ReportState::Draft | ReportState::Failed)
    }
}

impl From<ReportStatus> for ReportState {
    fn from(status: ReportStatus) -> ReportState {
        match status {
            ReportStatus::Waiting => ReportState::Waiting,
            ReportStatus::Accepted => ReportState::Accepted,
            ReportStatus::Assigned => ReportState::Assigned,
            ReportStatus::Handled => ReportState::Handled,
            ReportStatus::Rejected => ReportState::Rejected,
        }
    }
}

/// Why the IOC refused a report (the reasons every peer city publishes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    OutOfScope,
    Unclear,
    Duplicate,
    Abusive,
}

impl RejectReason {
    pub const ALL: [RejectReason; 4] =
        [RejectReason::OutOfScope, RejectReason::Unclear, RejectReason::Duplicate, RejectReason::Abusive];

    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::OutOfScope => "out_of_scope",
            RejectReason::Unclear => "unclear",
            RejectReason::Duplicate => "duplicate",
            RejectReason::Abusive => "abusive",
        }
    }

    pub fn parse(s: &str) -> Option<RejectReason> {
        RejectReason::ALL.into_iter().find(|reason| reason.as_str() == s)
    }

    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            RejectReason::OutOfScope => ("Không thuộc phạm vi tiếp nhận", "Out of scope"),
            RejectReason::Unclear => ("Nội dung không rõ ràng", "Unclear"),
            RejectReason::Duplicate => ("Trùng với phản ánh khác", "Duplicate of another report"),
            RejectReason::Abusive => ("Ngôn từ không phù hợp", "Abusive"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    #[default]
    Normal,
    Urgent,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
        }
    }

    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            Urgency::Normal => ("Thông thường", "Normal"),
            Urgency::Urgent => ("Khẩn cấp", "Urgent"),
        }
    }
}

/// The reporter's verdict on the answer, given once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportVerdict {
    Satisfied,
    Acceptable,
    NotSatisfied,
}

impl ReportVerdict {
    pub const ALL: [ReportVerdict; 3] =
        [ReportVerdict::Satisfied, ReportVerdict::Acceptable, ReportVerdict::NotSatisfied];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportVerdict::Satisfied => "satisfied",
            ReportVerdict::Acceptable => "acceptable",
            ReportVerdict::NotSatisfied => "not_satisfied",
        }
    }

    /// Also takes the CLI's spelling (`not-satisfied`).
    pub fn parse(s: &str) -> Option<ReportVerdict> {
        let s = s.replace('-', "_");
        ReportVerdict::ALL.into_iter().find(|verdict| verdict.as_str() == s)
    }

    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            ReportVerdict::Satisfied => ("Hài lòng", "Satisfied"),
            ReportVerdict::Acceptable => ("Chấp nhận được", "Acceptable"),
            ReportVerdict::NotSatisfied => ("Không hài lòng", "Not satisfied"),
        }
    }
}

/// A category of the portal's published list: who handles it and whether the IOC takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportCategory {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// The agency responsible for reports of this category.
    pub agency: String,
    /// Complaints and denunciations (khiếu nại, tố cáo) are not field reports: the app says
    /// where they go instead ([`ReportCategory::goes_to`]) and does not send them.
    pub in_scope: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goes_to: Option<String>,
    /// Working hours the agency has to handle a normal report of this category.
    pub target_hours: u32,
}

/// A point on the map, WGS 84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    /// A point a phone can report: finite, on the globe.
    pub fn is_valid(self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
    }

    /// Great-circle distance in metres (haversine; ample for "reports near me").
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        const EARTH_RADIUS_M: f64 = 6_371_008.8;
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.lon - self.lon).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().asin()
    }
}

/// A commune or ward (xã, phường) with its boundary as the portal publishes it: one outer ring
/// of (lon, lat) vertices, GeoJSON order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommuneArea {
    pub code: String,
    pub name: String,
    pub ring: Vec<[f64; 2]>,
}

impl CommuneArea {
    /// Whether `point` is inside the ring (even-odd rule; a point exactly on an edge may fall
    /// either side, which a GPS fix never resolves anyway).
    pub fn contains(&self, point: GeoPoint) -> bool {
        let (x, y) = (point.lon, point.lat);
        let mut inside = false;
        let mut previous = match self.ring.last() {
            Some(last) => *last,
            None => return false,
        };
        for &[xi, yi] in &self.ring {
            let [xj, yj] = previous;
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                inside = !inside;
            }
            previous = [xi, yi];
        }
        inside
    }
}

/// The commune `point` falls in, if any of `areas` holds it.
pub fn locate(areas: &[CommuneArea], point: GeoPoint) -> Option<&CommuneArea> {
    if !point.is_valid() {
        return None;
    }
    areas.iter().find(|area| area.contains(point))
}

/// A new report as the phone sends it (`POST /api/v1/reports`), under the phone's permanent
/// `report_id`: sent again after a lost answer, it is the same report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewReport {
    pub report_id: String,
    pub category: String,
    pub text: String,
    pub location: GeoPoint,
    /// "Trước số nhà 12 ...": helps the agency find the place; never published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_note: Option<String>,
    #[serde(default)]
    pub urgency: Urgency,
    /// Whether the handling agency may see who reported (the IOC always can).
    #[serde(default)]
    pub share_identity: bool,
    /// SHA-256 (hex) of photos uploaded beforehand through `/api/v1/attachments`.
    pub photos: Vec<String>,
}

/// A photo as the portal links it: its digest and where to fetch it (a path under the portal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoLink {
    pub sha256: String,
    pub url: String,
}

/// The agency's answer, with the proof residents ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportAnswer {
    pub agency: String,
    pub message: String,
    pub photos: Vec<PhotoLink>,
    pub at: String,
}

/// A report as its reporter follows it (the feed `GET /api/v1/reports?since=`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportView {
    pub report_id: String,
    /// The portal's code, "PA-2026-000123".
    pub code: String,
    pub status: ReportStatus,
    pub category: String,
    pub commune_code: Option<String>,
    pub urgency: Urgency,
    pub created_at: String,
    /// The promised deadlines (working hours, Vietnam time): checked by, handled by.
    pub accept_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<RejectReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<ReportAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<ReportVerdict>,
    pub seq: u64,
}

/// A handled report as the public feed shows it: what, where and the answer, never who.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// Longest report text, in characters; photos per report.
pub const MAX_REPORT_TEXT: usize = 2_000;
pub const MAX_REPORT_PHOTOS: usize = 5;

#[cfg(test)]
mod tests {
    use super::*;

    fn square(code: &str, lon: f64, lat: f64, side: f64) -> CommuneArea {
        CommuneArea {
            code: code.into(),
            name: code.into(),
            ring: vec![[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side]],
        }
    }

    #[test]
    fn a_point_is_placed_in_the_commune_that_holds_it() {
        let areas = [square("A", 106.30, 20.90, 0.05), square("B", 106.35, 20.90, 0.05)];
        let at = |lat, lon| locate(&areas, GeoPoint { lat, lon }).map(|a| a.code.as_str());
        assert_eq!(at(20.93, 106.32), Some("A"));
        assert_eq!(at(20.93, 106.37), Some("B"));
        assert_eq!(at(21.5, 106.32), None, "north of both");
        assert_eq!(at(f64::NAN, 106.32), None);
    }

    #[test]
    fn a_concave_boundary_is_followed() {
        // A "U": the notch between its arms belongs to no commune.
        let u = CommuneArea {
            code: "U".into(),
            name: "U".into(),
            ring: vec![[0.0, 0.0], [3.0, 0.0], [3.0, 3.0], [2.0, 3.0], [2.0, 1.0], [1.0, 1.0], [1.0, 3.0], [0.0, 3.0]],
        };
        assert!(u.contains(GeoPoint { lat: 2.0, lon: 0.5 }));
        assert!(u.contains(GeoPoint { lat: 2.0, lon: 2.5 }));
        assert!(!u.contains(GeoPoint { lat: 2.0, lon: 1.5 }), "in the notch");
        assert!(u.contains(GeoPoint { lat: 0.5, lon: 1.5 }), "below the notch");
    }

    #[test]
    fn only_the_published_moves_are_allowed() {
        use ReportStatus::*;
        assert!(Waiting.can_become(Accepted) && Waiting.can_become(Rejected));
        assert!(Accepted.can_become(Assigned) && Assigned.can_become(Handled));
        assert!(!Waiting.can_become(Handled), "not answered before it is checked and assigned");
        assert!(!Handled.can_become(Rejected) && !Rejected.can_become(Accepted));
        for status in ReportStatus::ALL {
            assert_eq!(ReportStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(ReportVerdict::parse("not-satisfied"), Some(ReportVerdict::NotSatisfied));
    }

    #[test]
    fn states_parse_back_and_only_drafts_and_refused_ones_change() {
        for state in [ReportState::Draft, ReportState::Queued, ReportState::Failed] {
            assert_eq!(ReportState::parse(state.as_str()), Some(state));
        }
        for status in ReportStatus::ALL {
            assert_eq!(ReportState::parse(status.as_str()), Some(ReportState::from(status)));
            assert!(!ReportState::from(status).is_editable());
        }
        assert!(ReportState::Draft.is_editable() && ReportState::Failed.is_editable());
        assert!(!ReportState::Queued.is_editable());
        assert_eq!(ReportState::parse("lost"), None);
    }

    #[test]
    fn distances_are_in_metres() {
        // Hải Dương's centre to Hải Phòng's: about 40 km.
        let d = GeoPoint { lat: 20.9373, lon: 106.3146 }.distance_m(GeoPoint { lat: 20.8449, lon: 106.6881 });
        assert!((38_000.0..42_000.0).contains(&d), "{d}");
    }
}
