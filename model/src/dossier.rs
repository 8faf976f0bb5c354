//! A dossier's life cycle as residents see it: local states on the phone, then the portal's.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DossierStatus {
    /// Nháp: on the phone, editable.
    Draft,
    /// Đang chờ gửi: in the outbox, sent when the network allows.
    Queued,
    /// Gửi không thành công: the portal refused it for good; the reason is kept.
    Failed,
    /// Đã tiếp nhận, with a receipt and a dossier code.
    Received,
    Processing,
    NeedMoreDocuments,
    AwaitingPayment,
    Rejected,
    ResultReady,
    Returned,
    /// Đã rút: the resident withdrew it before it was processed.
    Withdrawn,
}

impl DossierStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DossierStatus::Draft => "draft",
            DossierStatus::Queued => "queued",
            DossierStatus::Failed => "failed",
            DossierStatus::Received => "received",
            DossierStatus::Processing => "processing",
            DossierStatus::NeedMoreDocuments => "need_more_documents",
            DossierStatus::AwaitingPayment => "awaiting_payment",
            DossierStatus::Rejected => "rejected",
            DossierStatus::ResultReady => "result_ready",
            DossierStatus::Returned => "returned",
            DossierStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<DossierStatus> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }

    /// The statuses the portal assigns (the officer's choices), in the order of the life cycle.
    pub const PORTAL: [DossierStatus; 7] = [
        DossierStatus::Received,
        DossierStatus::Processing,
        DossierStatus::NeedMoreDocuments,
        DossierStatus::AwaitingPayment,
        DossierStatus::Rejected,
        DossierStatus::ResultReady,
        DossierStatus::Returned,
    ];

    /// Vietnamese, then English.
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            DossierStatus::Draft => ("Nháp", "Draft"),
            DossierStatus::Queued => ("Đang chờ gửi", "Queued"),
            DossierStatus::Failed => ("Gửi không thành công", "Not accepted"),
            DossierStatus::Received => ("Đã tiếp nhận", "Received"),
            DossierStatus::Processing => ("Đang xử lý", "Processing"),
            DossierStatus::NeedMoreDocuments => ("Yêu cầu bổ sung", "More documents needed"),
            DossierStatus::AwaitingPayment => ("Chờ thanh toán", "Awaiting payment"),
            DossierStatus::Rejected => ("Từ chối", "Rejected"),
            DossierStatus::ResultReady => ("Có kết quả", "Result ready"),
            DossierStatus::Returned => ("Đã trả kết quả", "Result returned"),
            DossierStatus::Withdrawn => ("Đã rút hồ sơ", "Withdrawn"),
        }
    }

    /// "Vietnamese / English", for one line of text.
    pub fn label(self) -> String {
        let (vi, en) = self.labels();
        format!("{vi} / {en}")
    }

    /// Only drafts (and dossiers the portal refused) can be edited on the phone, and a dossier
    /// the officer asked to supplement (its form and attachments, for the next round).
    pub fn is_editable(self) -> bool {
        matches!(self, DossierStatus::Draft | DossierStatus::Failed | DossierStatus::NeedMoreDocuments)
    }

    /// The resident may withdraw it: the portal holds it and has not begun processing it (or
    /// waits for the resident's supplement).
    pub fn is_withdrawable(self) -> bool {
        matches!(self, DossierStatus::Received | DossierStatus::NeedMoreDocuments)
    }

    /// Whether the portal holds it (a withdrawn dossier too: the portal keeps the record).
    pub fn is_at_portal(self) -> bool {
        !matches!(self, DossierStatus::Draft | DossierStatus::Queued | DossierStatus::Failed)
    }

    /// Whether its fee can be paid: fees fall due once the portal received it, and a dossier
    /// withdrawn or rejected owes nothing.
    pub fn is_payable(self) -> bool {
        self.is_at_portal() && !matches!(self, DossierStatus::Withdrawn | DossierStatus::Rejected)
    }
}

/// What the officer asks the resident to supplement (one round: "Yêu cầu bổ sung"), as the
/// portal's status feed carries it while the dossier waits for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupplementRequest {
    /// 1 for the first request, then 2, ...; a supplement answers one round.
    pub round: u32,
    pub message: String,
    /// The documents asked for, by name ("Bản sao giấy chứng sinh"); each must come back as an
    /// attachment naming it.
    #[serde(default)]
    pub documents: Vec<String>,
    /// The last day to supplement (YYYY-MM-DD, Vietnam time).
    pub deadline: String,
}

/// The resident's overall verdict on how a dossier was handled (đánh giá mức độ hài lòng).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RatingVerdict {
    NotSatisfied,
    Satisfied,
    VerySatisfied,
}

impl RatingVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            RatingVerdict::NotSatisfied => "not_satisfied",
            RatingVerdict::Satisfied => "satisfied",
            RatingVerdict::VerySatisfied => "very_satisfied",
        }
    }

    pub fn parse(s: &str) -> Option<RatingVerdict> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }

    /// Vietnamese, then English.
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            RatingVerdict::NotSatisfied => ("Không hài lòng", "Not satisfied"),
            RatingVerdict::Satisfied => ("Hài lòng", "Satisfied"),
            RatingVerdict::VerySatisfied => ("Rất hài lòng", "Very satisfied"),
        }
    }
}

/// The criteria a resident may score 0 to 2 (nine, 18 points in all, as on the published
/// rating forms behind Decision 766/QĐ-TTg): key, Vietnamese, English.
pub const RATING_CRITERIA: [(&str, &str, &str); 9] = [
    ("cong_khai", "Thông tin thủ tục được công khai đầy đủ", "The procedure's information was published in full"),
    ("huong_dan", "Được hướng dẫn rõ ràng, dễ hiểu", "Guidance was clear and easy to follow"),
    ("thanh_phan", "Thành phần hồ sơ đúng quy định, không yêu cầu thêm", "Only the documents the rules ask for"),
    ("dung_han", "Kết quả được trả đúng hẹn", "The result came on the promised date"),
    ("so_lan", "Không phải đi lại nhiều lần", "No repeated trips"),
    ("chi_phi", "Phí, lệ phí đúng quy định", "Fees as the rules set them"),
    ("thai_do", "Cán bộ lịch sự, tận tình", "Officers were courteous and helpful"),
    ("truc_tuyen", "Dịch vụ công trực tuyến dễ sử dụng", "The online service was easy to use"),
    ("phan_hoi", "Ý kiến, kiến nghị được tiếp nhận, trả lời", "Feedback was received and answered"),
];

/// Longest rating comment, in characters.
pub const MAX_RATING_COMMENT: usize = 1000;

/// A rating of a dossier's handling: once per dossier, after its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    pub verdict: RatingVerdict,
    /// Criterion key (of [`RATING_CRITERIA`]) to a score from 0 to 2; any subset.
    #[serde(default)]
    pub scores: std::collections::BTreeMap<String, u8>,
    #[serde(default)]
    pub comment: Option<String>,
}

impl Rating {
    /// The same rules on the phone and at the portal: known criteria, scores 0 to 2, a comment
    /// of at most [`MAX_RATING_COMMENT`] characters without control characters (trimmed; empty
    /// is none). Answers the cleaned rating, or which part is wrong and why.
    pub fn checked(mut self) -> Result<Rating, (&'static str, String)> {
        for (key, score) in &self.scores {
            if !RATING_CRITERIA.iter().any(|(k, _, _)| k == key) {
                return Err(("scores", format!("tiêu chí không có / no criterion {key}")));
            }
            if *score > 2 {
                return Err(("scores", format!("điểm từ 0 đến 2 / a score is 0 to 2 ({key}: {score})")));
            }
        }
        self.comment = self
            .comment
            .map(|c| c.chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().trim().to_owned())
            .filter(|c| !c.is_empty());
        if self.comment.as_ref().is_some_and(|c| c.chars().count() > MAX_RATING_COMMENT) {
            return Err((
                "comment",
                format!("tối đa {MAX_RATING_COMMENT} ký tự / at most {MAX_RATING_COMMENT} characters"),
            ));
        }
        Ok(self)
    }
}

/// Whom a dossier is about: the resident applying, or a family member they apply for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ForPerson {
    #[default]
    #[serde(rename = "self")]
    Myself,
    Child,
    Parent,
    Spouse,
    Other,
}

impl ForPerson {
    pub const ALL: [ForPerson; 5] =
        [ForPerson::Myself, ForPerson::Child, ForPerson::Parent, ForPerson::Spouse, ForPerson::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            ForPerson::Myself => "self",
            ForPerson::Child => "child",
            ForPerson::Parent => "parent",
            ForPerson::Spouse => "spouse",
            ForPerson::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ForPerson> {
        ForPerson::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Vietnamese, then English.
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            ForPerson::Myself => ("Bản thân", "Myself"),
            ForPerson::Child => ("Con", "Child"),
            ForPerson::Parent => ("Cha, mẹ", "Parent"),
            ForPerson::Spouse => ("Vợ, chồng", "Spouse"),
            ForPerson::Other => ("Người khác", "Someone else"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every status: the phone's own, the portal's, and the withdrawal.
    fn every_status() -> Vec<DossierStatus> {
        [DossierStatus::Draft, DossierStatus::Queued, DossierStatus::Failed]
            .into_iter()
            .chain(DossierStatus::PORTAL)
            .chain([DossierStatus::Withdrawn])
            .collect()
    }

    #[test]
    fn names_round_trip() {
        for s in every_status() {
            assert_eq!(DossierStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(DossierStatus::parse("lost"), None);
        assert!(DossierStatus::PORTAL.iter().all(|s| s.is_at_portal()));
        assert!(DossierStatus::Draft.is_editable() && !DossierStatus::Queued.is_editable());
    }

    #[test]
    fn a_fee_is_payable_from_reception_unless_withdrawn_or_rejected() {
        use DossierStatus::*;
        let payable: Vec<DossierStatus> = every_status().into_iter().filter(|s| s.is_payable()).collect();
        assert_eq!(payable, [Received, Processing, NeedMoreDocuments, AwaitingPayment, ResultReady, Returned]);
    }

    #[test]
    fn ratings_keep_to_the_criteria_the_scale_and_the_comment_length() {
        let rating = |scores: &[(&str, u8)], comment: Option<&str>| Rating {
            verdict: RatingVerdict::Satisfied,
            scores: scores.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
            comment: comment.map(str::to_owned),
        };
        let ok = rating(&[("dung_han", 2), ("thai_do", 0)], Some("  Cán bộ nhiệt tình\u{1b}[2J  ")).checked().unwrap();
        assert_eq!(ok.comment.as_deref(), Some("Cán bộ nhiệt tình[2J"));
        assert_eq!(rating(&[], Some("   ")).checked().unwrap().comment, None);
        assert_eq!(rating(&[("dung_han", 3)], None).checked().unwrap_err().0, "scores");
        assert_eq!(rating(&[("khong_co", 1)], None).checked().unwrap_err().0, "scores");
        let long = "ạ".repeat(MAX_RATING_COMMENT + 1);
        assert_eq!(rating(&[], Some(&long)).checked().unwrap_err().0, "comment");
        assert_eq!(RatingVerdict::parse("very_satisfied"), Some(RatingVerdict::VerySatisfied));
        assert_eq!(RATING_CRITERIA.len() * 2, 18, "18 points in all");
    }

    #[test]
    fn for_person_round_trips() {
        for p in ForPerson::ALL {
            assert_eq!(ForPerson::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        assert_eq!(ForPerson::parse("cousin"), None);
    }
}
