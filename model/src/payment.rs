//! The payment state machine, pure. Only the portal's authoritative status can say a payment
//! succeeded; the gateway's return URL can only say "back from the gateway, waiting".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Asked for on the phone, not yet at the portal.
    Created,
    /// The portal issued a pay URL or a VietQR.
    AwaitingPayment,
    /// Back from the gateway; the portal has not confirmed yet.
    Processing,
    Succeeded,
    Failed,
    Cancelled,
    Expired,
}

/// What happened to a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentEvent {
    /// The resident came back from the gateway (whatever the return URL claims).
    ReturnedFromGateway,
    /// The portal says this, with the authority of the gateway's notification or querydr.
    PortalSays(PaymentStatus),
}

impl PaymentStatus {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            PaymentStatus::Succeeded | PaymentStatus::Failed | PaymentStatus::Cancelled | PaymentStatus::Expired
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Created => "created",
            PaymentStatus::AwaitingPayment => "awaiting_payment",
            PaymentStatus::Processing => "processing",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Cancelled => "cancelled",
            PaymentStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentStatus> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentStatus::Created => "Đang tạo lệnh / being created",
            PaymentStatus::AwaitingPayment => "Chờ thanh toán / awaiting payment",
            PaymentStatus::Processing => "Đang xác nhận / being confirmed",
            PaymentStatus::Succeeded => "Đã thanh toán / paid",
            PaymentStatus::Failed => "Không thành công / failed",
            PaymentStatus::Cancelled => "Đã hủy / cancelled",
            PaymentStatus::Expired => "Hết hạn / expired",
        }
    }

    /// The next status. A success never comes from the return URL, and a success the portal
    /// confirmed is never undone.
    pub fn apply(self, event: PaymentEvent) -> PaymentStatus {
        match (self, event) {
            (PaymentStatus::AwaitingPayment, PaymentEvent::ReturnedFromGateway) => PaymentStatus::Processing,
            (current, PaymentEvent::ReturnedFromGateway) => current,
            (PaymentStatus::Succeeded, PaymentEvent::PortalSays(_)) => PaymentStatus::Succeeded,
            (_, PaymentEvent::PortalSays(portal)) => portal,
        }
    }
}

/// What a VNPay response code means, for a resident: Vietnamese, then English.
pub fn response_message(code: &str) -> (&'static str, &'static str) {
    match code {
        "00" => ("Giao dịch thành công", "Payment successful"),
        "07" => ("Trừ tiền thành công, giao dịch bị nghi ngờ", "Debited, but the transaction is under review"),
        "09" => ("Thẻ/tài khoản chưa đăng ký Internet Banking", "Card or account not registered for internet banking"),
        "10" => {
            ("Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần", "Card details entered wrongly too many times")
        }
        "11" => ("Hết hạn chờ thanh toán", "The payment timed out"),
        "12" => ("Thẻ/tài khoản bị khóa", "The card or account is locked"),
        "13" => ("Nhập sai mật khẩu xác thực giao dịch (OTP)", "Wrong transaction OTP"),
        "24" => ("Bạn đã hủy giao dịch", "You cancelled the payment"),
        "51" => ("Tài khoản không đủ số dư", "Insufficient balance"),
        "65" => ("Tài khoản đã vượt quá hạn mức giao dịch trong ngày", "Daily transaction limit exceeded"),
        "75" => ("Ngân hàng thanh toán đang bảo trì", "The bank is under maintenance"),
        "79" => ("Nhập sai mật khẩu thanh toán quá số lần quy định", "Payment password entered wrongly too many times"),
        _ => ("Giao dịch không thành công", "The payment did not go through"),
    }
}

/// An amount in đồng as residents read it everywhere (the app, the CLI, the portal's pages):
/// thousands grouped with dots, then " đ" ("190.000 đ").
pub fn vnd(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    if amount < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out + " đ"
}

#[cfg(test)]
mod tests {
    use super::PaymentEvent::*;
    use super::PaymentStatus::*;
    use super::{response_message, vnd};

    #[test]
    fn only_the_portal_says_paid() {
        assert_eq!(AwaitingPayment.apply(ReturnedFromGateway), Processing);
        assert_eq!(Processing.apply(ReturnedFromGateway), Processing);
        assert_eq!(Created.apply(ReturnedFromGateway), Created);
        assert_eq!(Processing.apply(PortalSays(Succeeded)), Succeeded);
        assert_eq!(Succeeded.apply(PortalSays(Processing)), Succeeded, "never undone");
        assert_eq!(Succeeded.apply(ReturnedFromGateway), Succeeded);
        // A failed or cancelled attempt can be retried: the portal issues a new one.
        assert_eq!(Cancelled.apply(PortalSays(AwaitingPayment)), AwaitingPayment);
        assert_eq!(Processing.apply(PortalSays(Expired)), Expired);
    }

    #[test]
    fn names_round_trip() {
        for s in [Created, AwaitingPayment, Processing, Succeeded, Failed, Cancelled, Expired] {
            assert_eq!(super::PaymentStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn response_codes_read_well() {
        assert_eq!(response_message("24").0, "Bạn đã hủy giao dịch");
        assert_eq!(response_message("51").1, "Insufficient balance");
        assert_eq!(response_message("??").1, "The payment did not go through");
    }

    #[test]
    fn amounts_group_thousands_with_dots() {
        assert_eq!(vnd(769_500), "769.500 đ");
        assert_eq!(vnd(0), "0 đ");
        assert_eq!(vnd(1_000_000), "1.000.000 đ");
        assert_eq!(vnd(-5_000), "-5.000 đ");
    }
}
