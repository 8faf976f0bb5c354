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
}

/// What the officer asks the resident to supplement (one round: "Yêu cầu bổ sung"), as the
/// portal's status feed carries it while the dossier waits for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
            DossierStatus::Withdrawn,
        ] {
            assert_eq!(DossierStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(DossierStatus::parse("lost"), None);
        assert!(DossierStatus::PORTAL.iter().all(|s| s.is_at_portal()));
        assert!(DossierStatus::Draft.is_editable() && !DossierStatus::Queued.is_editable());
    }
}
