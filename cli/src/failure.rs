//! What a resident reads when a command fails. Every core error is turned into a message here,
//! in this one place: Vietnamese, then English ("… / …"), naming the file or thing at fault
//! (the attachment path, the dossier code, the portal's host), and never an HTTP path, a status
//! number or a library's error text. The detail a developer needs goes to the log
//! (`SMARTHD_LOG=debug`), not to the resident.

use std::path::{Path, PathBuf};

use smarthd_core::error::{AuthError, Class, PortalError};
use smarthd_core::payment::{PaymentOrder, PaymentStatus};
use smarthd_core::{Error, ErrorKind};

use crate::output::{printable, vnd};

/// Why a command failed: a core error, maybe about a file the resident named, or an outcome the
/// CLI itself reports as a failure.
#[derive(Debug)]
pub enum Failure {
    Core(Error),
    /// A file named on the command line could not be read or written.
    File {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The payment ended without the fee being paid (failed, cancelled, expired, or still not
    /// settled when the CLI stopped waiting).
    PaymentNotCompleted(Box<PaymentOrder>),
    /// The sandbox's officer console (testers) refused or failed.
    Officer {
        kind: ErrorKind,
        detail: String,
    },
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure::Core(error)
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Failure {
        Failure::Core(error.into())
    }
}

/// Ties a core error to the file the command was reading or writing, so the message names it.
pub fn at_file(path: &Path) -> impl FnOnce(Error) -> Failure + '_ {
    move |error| match error {
        Error::Io(error) | Error::InputFile { source: error, .. } => Failure::File { path: path.to_owned(), error },
        // The core names the file by its name alone ("tmp: not a regular file"): the path the
        // resident typed says more.
        Error::Validation { field, reason } => {
            let name = path.file_name().map(|n| format!("{}: ", n.to_string_lossy())).unwrap_or_default();
            let reason = match reason.strip_prefix(&name) {
                Some(rest) if !name.is_empty() => format!("{}: {rest}", path.display()),
                _ => reason,
            };
            Failure::Core(Error::Validation { field, reason })
        }
        error => Failure::Core(error),
    }
}

/// What the command was about, for messages that have nothing else to name: "hồ sơ mã X /
/// dossier X".
#[derive(Clone, Default)]
pub struct Context {
    pub portal: String,
    pub data_dir: PathBuf,
    /// (Vietnamese, English) name of the thing, with its value: ("hồ sơ mã", "dossier", "H19…").
    pub thing: Option<(&'static str, &'static str, String)>,
}

impl Failure {
    /// The stable kind a script branches on (docs/cli.md).
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::PaymentNotCompleted(_) => "payment_not_completed",
            // A file the resident named that is not there: their input, not this device's storage.
            Failure::File { error, .. } if error.kind() == std::io::ErrorKind::NotFound => "not_found",
            Failure::File { .. } => "storage",
            Failure::Core(e) => kind_name(e.kind()),
            Failure::Officer { kind, .. } => kind_name(*kind),
        }
    }

    /// The exit status for the kind (docs/cli.md); 2 stays clap's, for a command line it
    /// cannot read.
    pub fn exit_code(&self) -> u8 {
        match self.kind() {
            "validation" => 10,
            "not_found" => 11,
            "needs_login" => 12,
            "needs_level2" => 13,
            "offline" | "network" => 14,
            "conflict" => 15,
            "storage" | "user_data_unreadable" => 16,
            "update_needed" => 17,
            "payment_not_completed" => 18,
            _ => 1,
        }
    }

    /// The input at fault, when the core names one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Failure::Core(error) => error.field(),
            Failure::File { .. } => Some("file"),
            _ => None,
        }
    }

    /// The message for people, bilingual.
    pub fn message(&self, ctx: &Context) -> String {
        tracing::debug!("failure: {self:?}");
        match self {
            Failure::Core(error) => message(error, ctx),
            Failure::File { path, error } => io_message(error, &path.display().to_string()),
            Failure::PaymentNotCompleted(order) => {
                let reason =
                    order.failure_message.as_deref().map(|m| format!(": {}", printable(m))).unwrap_or_default();
                let (status_vi, status_en) = status_words(order.status);
                format!(
                    "Chưa thanh toán được {} cho hồ sơ {} ({status_vi}) / the payment of {} for dossier {} was not \
                     completed ({status_en}){reason}",
                    vnd(order.amount_vnd),
                    printable(&order.dossier_id),
                    vnd(order.amount_vnd),
                    printable(&order.dossier_id),
                )
            }
            Failure::Officer { kind: ErrorKind::NotFound, .. } if ctx.thing.is_some() => {
                let (vi, en, value) = ctx.thing.as_ref().expect("checked");
                let value = printable(value);
                format!("Không tìm thấy {vi} {value} / {en} {value} not found")
            }
            Failure::Officer { detail, .. } => {
                format!("Bàn làm việc cán bộ từ chối / the officer console refused: {}", printable(detail))
            }
        }
    }
}

fn status_words(status: PaymentStatus) -> (&'static str, &'static str) {
    match status {
        PaymentStatus::Failed => ("không thành công", "failed"),
        PaymentStatus::Cancelled => ("đã huỷ", "cancelled"),
        PaymentStatus::Expired => ("đã hết hạn", "expired"),
        _ => ("chưa xong khi hết thời gian chờ", "not settled when the wait ended"),
    }
}

/// The stable name of an error's kind in `--json` errors (docs/cli.md).
pub fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Offline => "offline",
        ErrorKind::Network => "network",
        ErrorKind::NeedsLogin => "needs_login",
        ErrorKind::NeedsLevel2 => "needs_level2",
        ErrorKind::Validation => "validation",
        ErrorKind::Conflict => "conflict",
        ErrorKind::NotFound => "not_found",
        ErrorKind::Storage => "storage",
        ErrorKind::UserDataUnreadable => "user_data_unreadable",
        ErrorKind::UpdateNeeded => "update_needed",
        ErrorKind::Cancelled => "cancelled",
        ErrorKind::Other => "other",
    }
}

const LOG_IN: &str = "Chưa đăng nhập hoặc phiên đã hết; hãy đăng nhập: smarthd login / not logged in, or the \
                      session has ended; log in: smarthd login";
const LEVEL2: &str = "Việc này cần đăng nhập VNeID mức 2: smarthd login --level 2 / this needs a VNeID level 2 \
                      login: smarthd login --level 2";
const UNEXPECTED: &str = "Lỗi không mong đợi trong smarthd; chạy lại với SMARTHD_LOG=debug để xem chi tiết / an \
                          unexpected error in smarthd; run again with SMARTHD_LOG=debug for the details";

/// A core error as the resident reads it.
pub fn message(error: &Error, ctx: &Context) -> String {
    match error {
        Error::InsecureUrl { host } => format!(
            "Địa chỉ cổng phải dùng https (chỉ máy này, loopback, được dùng http): {h} / the portal address must use \
             https (only loopback may use http): {h}",
            h = printable(host)
        ),
        Error::InvalidUrl { url, .. } => {
            format!("Địa chỉ không hợp lệ / not a valid address: «{}»", printable(url))
        }
        Error::UnsupportedScheme { scheme } => format!(
            "Địa chỉ phải bắt đầu bằng https:// (không phải {s}:) / the address must start with https:// (not {s}:)",
            s = printable(scheme)
        ),
        Error::Portal(portal) => portal_message(portal, ctx),
        Error::TimedOut { waiting_for } => {
            format!("Hết thời gian chờ / no answer in time: {}", printable(waiting_for))
        }
        Error::NotFound(what) => not_found(what),
        Error::Validation { field, reason } => {
            let (field, reason) = (printable(field), printable(reason));
            // The reason names the fields itself ("ho_ten: Bắt buộc nhập / required; …"), or
            // the field is named before it.
            let named = field.split(", ").all(|f| reason.contains(f));
            match (named, reason.contains(" / ")) {
                (true, true) => reason,
                (false, true) => format!("{field}: {reason}"),
                (_, false) => format!("Giá trị không hợp lệ / invalid value: {field}: {reason}"),
            }
        }
        Error::Storage(e) => {
            // rusqlite is not a dependency of the CLI: the code's name says it.
            let full = e.sqlite_error_code().is_some_and(|code| format!("{code:?}") == "DiskFull");
            let dir = ctx.data_dir.display();
            if full {
                format!("Hết chỗ trên đĩa / the disk is full: {dir}")
            } else {
                format!(
                    "Không đọc hoặc ghi được dữ liệu trên máy, trong {dir} / the data on this device cannot be read or \
                     written, in {dir}"
                )
            }
        }
        Error::UserDataCorrupt { path, kept_at, salvaged } => format!(
            "Tệp dữ liệu {p} bị hỏng: đã giữ lại ở {k}, {salvaged} dòng đọc được đã chép sang tệp mới / the user \
             database {p} is damaged: kept aside at {k}, the {salvaged} readable rows copied into a new one",
            p = path.display(),
            k = kept_at.display()
        ),
        Error::SchemaTooNew { path, .. } => format!(
            "Tệp {p} do một phiên bản mới hơn của ứng dụng ghi; hãy cập nhật smarthd / {p} was written by a newer \
             version; update smarthd",
            p = path.display()
        ),
        // Written for people already, in both languages.
        Error::UserDataUnreadable { .. } | Error::UpdateNeeded { .. } | Error::Booking(_) => {
            printable(&error.to_string())
        }
        Error::UnsentWork { count } => format!(
            "Chưa xoá, vẫn đăng nhập: còn {count} việc chưa gửi lên cổng; chạy smarthd sync để gửi, hoặc thêm \
             --discard-unsent để xoá cả chúng / nothing wiped, still logged in: {count} things are not sent to the \
             portal yet; run smarthd sync to send them, or add --discard-unsent to delete them too"
        ),
        Error::Io(io) => io_message(io, &format!("{}", ctx.data_dir.display())),
        Error::InputFile { file, source } => io_message(source, &printable(file)),
        Error::Cancelled => "Đã huỷ / cancelled".to_owned(),
        Error::Auth(auth) => auth_message(auth),
        Error::HttpClient(_)
        | Error::InvalidHeader(_)
        | Error::TlsSetup(_)
        | Error::Encoding { .. }
        | Error::Internal(_) => UNEXPECTED.to_owned(),
    }
}

/// "procedure 1.0" as "Không tìm thấy thủ tục 1.0 / procedure 1.0 not found".
fn not_found(what: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("result of dossier ", "kết quả của hồ sơ "),
        ("procedure ", "thủ tục "),
        ("dossier ", "hồ sơ "),
        ("appointment ", "lịch hẹn "),
        ("document ", "giấy tờ "),
        ("payment attempt ", "lần thanh toán "),
        ("payment ", "khoản thanh toán "),
        ("receipt ", "biên lai "),
        ("report ", "phản ánh "),
        ("photo ", "ảnh "),
        ("inbox item ", "thông báo "),
    ];
    let what = printable(what);
    match NAMES.iter().find_map(|(en, vi)| what.strip_prefix(en).map(|value| (*en, *vi, value))) {
        Some((en, vi, value)) => format!("Không tìm thấy {vi}{value} / {en}{value} not found"),
        None => format!("Không tìm thấy / not found: {what}"),
    }
}

/// The portal's host (and port), as the resident gave it: what is at fault when it fails.
fn host(portal: &str) -> &str {
    let rest = portal.split_once("://").map_or(portal, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

fn portal_message(error: &PortalError, ctx: &Context) -> String {
    let host = printable(host(&ctx.portal));
    let trouble = || {
        format!(
            "Cổng dịch vụ công {host} đang gặp sự cố; hãy thử lại sau / the portal {host} is having trouble; try again \
             later"
        )
    };
    match error {
        PortalError::Unreachable(_) => format!(
            "Không kết nối được cổng dịch vụ công {host}; dữ liệu đã lưu vẫn dùng được / the portal {host} cannot be \
             reached; the data kept on this device still works"
        ),
        PortalError::Timeout(_) => format!(
            "Cổng dịch vụ công {host} không trả lời kịp; hãy thử lại sau / the portal {host} did not answer in time; \
             try again later"
        ),
        PortalError::Network(_) => format!(
            "Kết nối tới cổng {host} bị lỗi; hãy kiểm tra địa chỉ (https hay http) và mạng, rồi thử lại / the \
             connection to the portal {host} failed; check the address (https or http) and the network, then try \
             again"
        ),
        PortalError::Refused { message, field, .. } => {
            let said = message.as_deref().map(printable).filter(|m| !m.is_empty());
            let said = match (field.as_deref().map(printable), said) {
                (Some(field), Some(said)) => format!(": {field}: {said}"),
                (None, Some(said)) => format!(": {said}"),
                _ => String::new(),
            };
            match error.class() {
                Class::NotFound => match &ctx.thing {
                    Some((vi, en, value)) => {
                        let value = printable(value);
                        format!("Không tìm thấy {vi} {value} / {en} {value} not found")
                    }
                    None => "Cổng dịch vụ công không có mục này / the portal has no such record".to_owned(),
                },
                Class::NeedsLogin => LOG_IN.to_owned(),
                Class::NeedsLevel2 => LEVEL2.to_owned(),
                Class::Conflict => format!(
                    "Yêu cầu trái với dữ liệu cổng đang có / the request conflicts with what the portal already has{said}"
                ),
                Class::Permanent => format!("Cổng dịch vụ công từ chối / the portal refused{said}"),
                Class::RetryLater | Class::Offline => trouble(),
            }
        }
        PortalError::Redirected { .. } | PortalError::NoProgress { .. } => trouble(),
        PortalError::OutOfRange { .. } | PortalError::TooLarge { .. } | PortalError::Malformed { .. } => format!(
            "Cổng dịch vụ công {host} trả lời điều smarthd không đọc được; hãy thử lại sau hoặc cập nhật smarthd / the \
             portal {host} sent an answer smarthd cannot read; try again later, or update smarthd"
        ),
    }
}

fn auth_message(error: &AuthError) -> String {
    match error {
        AuthError::NotLoggedIn | AuthError::SessionExpired => LOG_IN.to_owned(),
        AuthError::OtherPortal { .. } => "Phiên đăng nhập là của một cổng khác; hãy đăng nhập lại ở cổng này: smarthd \
                                          login / the session was made for another portal; log in again here: \
                                          smarthd login"
            .to_owned(),
        AuthError::NeedsLevel2 => LEVEL2.to_owned(),
        AuthError::NoPendingLogin => {
            "Không có lượt đăng nhập nào đang chờ; hãy chạy lại smarthd login / no login is in progress; run smarthd \
             login again"
                .to_owned()
        }
        AuthError::Cancelled => "Đã huỷ đăng nhập / the login was cancelled".to_owned(),
        AuthError::Grant(_) => "Nhà cung cấp định danh không chấp nhận lượt đăng nhập này (đã dùng hoặc hết hạn); \
                                hãy chạy lại smarthd login / the identity provider did not accept this login (used \
                                or expired); run smarthd login again"
            .to_owned(),
        AuthError::StateMismatch
        | AuthError::IssuerMismatch
        | AuthError::DiscoveryIssuerMismatch
        | AuthError::UnknownKey
        | AuthError::IdToken(_)
        | AuthError::TokenResponse(_)
        | AuthError::Callback(_)
        | AuthError::Provider(_) => "Phản hồi đăng nhập không hợp lệ nên không được dùng; hãy chạy lại smarthd \
                                     login / the login response is not valid and was not used; run smarthd login \
                                     again"
            .to_owned(),
    }
}

/// A file that could not be read or written, named.
fn io_message(error: &std::io::Error, path: &str) -> String {
    use std::io::ErrorKind as Io;
    let path = printable(path);
    match error.kind() {
        Io::NotFound => format!("Không có tệp hoặc thư mục {path} / no such file or folder: {path}"),
        Io::PermissionDenied => format!("Không có quyền truy cập {path} / permission denied: {path}"),
        Io::AlreadyExists => format!("{path} đã có / {path} already exists"),
        Io::IsADirectory => format!("{path} là một thư mục, không phải tệp / {path} is a folder, not a file"),
        Io::NotADirectory => format!("{path} không phải thư mục / {path} is not a folder"),
        Io::StorageFull => format!("Hết chỗ trên đĩa / the disk is full: {path}"),
        Io::ReadOnlyFilesystem => format!("Ổ đĩa chỉ đọc / the disk is read-only: {path}"),
        _ => format!("Không đọc hoặc ghi được {path} / cannot read or write {path}"),
    }
}

/// Why a VietQR payload does not read, in both languages (`smarthd vietqr`).
pub fn vietqr(error: &smarthd_core::payment::vietqr::VietQrError) -> Error {
    use smarthd_core::payment::vietqr::VietQrError as E;
    let reason = match error {
        E::NotAPayload => "không phải mã VietQR (rỗng, quá dài hoặc có ký tự lạ) / not a VietQR payload (empty, too \
                           long or not ASCII)"
            .to_owned(),
        E::Truncated => "mã bị cắt ngắn / the payload is cut short".to_owned(),
        E::BadLength { id } => format!("trường {id} sai độ dài / field {id} has a wrong length"),
        E::Crc { .. } => "mã kiểm tra không khớp: mã bị sửa hoặc chép sai / the checksum does not match: the payload \
                          was altered or mistyped"
            .to_owned(),
        E::Missing(id) => format!("thiếu trường {id} / field {id} is missing"),
        // The reason says it in both languages.
        E::BadValue { id, reason } => format!("trường / field {id}: {reason}"),
    };
    Error::Validation { field: "vietqr".into(), reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            portal: "https://dichvucong.haiduong.gov.vn/".into(),
            data_dir: "/home/an/.local/share/smarthd".into(),
            thing: Some(("hồ sơ mã", "dossier", "H19-1".into())),
        }
    }

    /// Vietnamese / English, and none of what the resident must not read.
    fn for_people(message: &str) {
        assert!(message.contains(" / "), "{message}");
        for technical in ["HTTP", "api/v1", "os error", "404", "422", "503", "301", "Malformed", "expected value"] {
            assert!(!message.contains(technical), "{technical:?} in {message:?}");
        }
    }

    #[test]
    fn every_kind_of_portal_failure_reads_for_people() {
        let refused = |status: u16, body: &str| {
            Error::from(PortalError::refused(status, "api/v1/dossiers/lookup/H19-1", body.as_bytes()))
        };
        let cases = [
            refused(404, r#"{"error":"not_found","message":"no such dossier"}"#),
            refused(400, r#"{"error":"validation","field":"so_cccd","message":"12 chữ số / 12 digits"}"#),
            refused(409, r#"{"error":"no_fee"}"#),
            refused(401, ""),
            refused(401, r#"{"error":"insufficient_user_authentication"}"#),
            refused(503, "<html>down</html>"),
            PortalError::malformed("api/v1/dossiers", serde_json::from_str::<u8>("x").unwrap_err()).into(),
            PortalError::Redirected { status: 301, path: "api/v1/x".into() }.into(),
            PortalError::TooLarge { path: "api/v1/x".into(), limit: 10 }.into(),
            PortalError::NoProgress { path: "api/v1/x".into(), tries: 3 }.into(),
            PortalError::OutOfRange { path: "api/v1/x".into(), field: "cursor" }.into(),
            Error::Auth(AuthError::SessionExpired),
            Error::Auth(AuthError::Grant("invalid_grant".into())),
            Error::Auth(AuthError::IdToken("expired")),
            Error::Io(std::io::Error::from_raw_os_error(2)),
            Error::Internal("PNG: expected value".into()),
            Error::NotFound("result of dossier 5f0c".into()),
        ];
        for error in &cases {
            for_people(&message(error, &ctx()));
        }
        let message = super::message(&cases[0], &ctx());
        assert_eq!(message, "Không tìm thấy hồ sơ mã H19-1 / dossier H19-1 not found");
        let message = super::message(&cases[1], &ctx());
        assert!(message.ends_with("so_cccd: 12 chữ số / 12 digits"), "{message}");
        let message = super::message(&cases[5], &ctx());
        assert!(message.contains("dichvucong.haiduong.gov.vn"), "the portal at fault is named: {message}");
        for (what, said) in [
            ("report PA-1", "Không tìm thấy phản ánh PA-1 / report PA-1 not found"),
            ("photo ab12", "Không tìm thấy ảnh ab12 / photo ab12 not found"),
            ("inbox item 7", "Không tìm thấy thông báo 7 / inbox item 7 not found"),
        ] {
            assert_eq!(super::message(&Error::NotFound(what.into()), &ctx()), said);
        }
    }
}
