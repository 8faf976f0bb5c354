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

    /// Vietnamese, then English.
    pub fn label(self) -> &'static str {
        match self {
            DossierStatus::Draft => "Nháp / draft",
            DossierStatus::Queued => "Đang chờ gửi / queued",
            DossierStatus::Failed => "Gửi không thành công / not accepted",
            DossierStatus::Received => "Đã tiếp nhận / received",
            DossierStatus::Processing => "Đang xử lý / processing",
            DossierStatus::NeedMoreDocuments => "Yêu cầu bổ sung / more documents needed",
            DossierStatus::AwaitingPayment => "Chờ thanh toán / awaiting payment",
            DossierStatus::Rejected => "Từ chối / rejected",
            DossierStatus::ResultReady => "Có kết quả / result ready",
            DossierStatus::Returned => "Đã trả kết quả / result returned",
        }
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
        assert!(DossierStatus::Draft.is_editable() && !DossierStatus::Queued.is_editable());
    }
}
