//! A dossier's life cycle as residents see it: local states on the phone, then the portal's.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
        }
    }

    /// "Vietnamese / English", for one line of text.
    pub fn label(self) -> String {
        let (vi, en) = self.labels();
        format!("{vi} / {en}")
    }

    /// Only drafts (and dossiers the portal refused) can be edited on the phone.
    pub fn is_editable(self) -> bool {
        matches!(self, DossierStatus::Draft | DossierStatus::Failed)
    }

    /// Whether the portal holds it.
    pub fn is_at_portal(self) -> bool {
        !matches!(self, DossierStatus::Draft | DossierStatus::Queued | DossierStatus::Failed)
    }
}

/// Whom a dossier is about: the resident applying, or a family member they apply for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
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

    #[test]
    fn names_round_trip() {
        for s in [
            DossierStatus::Draft,
            DossierStatus::Queued,
            DossierStatus::Failed,
            DossierStatus::Received,
            DossierStatus::Processing,
            DossierStatus::NeedMoreDocuments,
            DossierStatus::AwaitingPayment,
            DossierStatus::Rejected,
            DossierStatus::ResultReady,
            DossierStatus::Returned,
        ] {
            assert_eq!(DossierStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(DossierStatus::parse("lost"), None);
        assert!(DossierStatus::PORTAL.iter().all(|s| s.is_at_portal()));
        assert!(DossierStatus::Draft.is_editable() && !DossierStatus::Queued.is_editable());
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
