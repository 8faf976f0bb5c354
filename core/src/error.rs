//! Errors: a detailed internal enum, the one way a portal's answer is classified, and the few
//! kinds an app can act on.
//!
//! Messages never carry tokens or personal data (CCCD numbers, names): they name what failed and
//! where, not the values involved.

use std::path::PathBuf;

use serde::Deserialize;
use smarthd_model::appointment::BookingRefusal;

/// The cause a [`PortalError`] wraps when it is not another crate's error (a short explanation).
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong inside the core, with the detail a developer needs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("refusing plain http:// to {host}: only loopback may use http, use https")]
    InsecureUrl { host: String },
    #[error("invalid URL {url:?}: {source}")]
    InvalidUrl {
        url: String,
        #[source]
        source: url::ParseError,
    },
    #[error("unsupported URL scheme {scheme:?}: use https")]
    UnsupportedScheme { scheme: String },
    #[error(transparent)]
    Portal(#[from] PortalError),
    /// Something outside the portal (the browser coming back) did not answer in time.
    #[error("no answer from {waiting_for}")]
    TimedOut { waiting_for: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("invalid {field}: {reason}")]
    Validation { field: String, reason: String },
    #[error("storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error(
        "the user database {path} is damaged; it was kept aside at {kept_at} and not deleted, and \
         what could be read ({salvaged} rows) was copied into a new one, used from the next open"
    )]
    UserDataCorrupt { path: PathBuf, kept_at: PathBuf, salvaged: u64 },
    /// The data key cannot open sealed user data: secure storage lost the key (an Android
    /// Keystore invalidation, a restore onto another phone) or holds another one. Logging in
    /// again recovers (`recover_user_data`): what cannot be read is kept aside, never dropped.
    #[error(
        "dữ liệu đã mã hoá không mở được / the sealed {what} cannot be opened with this phone's data key; \
         log in again to recover (what cannot be read is kept aside)"
    )]
    UserDataUnreadable { what: String },
    /// The portal sent a value this version of the app does not know (a new status): nothing
    /// is applied or skipped until the app is updated.
    #[error("ứng dụng cần cập nhật / the app needs an update: the portal sent an unknown {what} ({value})")]
    UpdateNeeded { what: &'static str, value: String },
    /// A wipe would delete what the portal has not received yet: sent first (a sync), or
    /// discarded by asking for it ([`crate::LocalData::WipeDiscardingUnsent`]).
    #[error(
        "còn {count} việc chưa gửi lên cổng (hồ sơ, phản ánh, lịch hẹn, thanh toán); đồng bộ để gửi trước khi xoá, \
         hoặc chọn xoá cả chúng / {count} things are not sent to the portal yet; sync to send them before \
         wiping, or choose to discard them"
    )]
    UnsentWork { count: u32 },
    #[error("database {path} has schema version {found}, newer than this app knows ({known})")]
    SchemaTooNew { path: PathBuf, found: i64, known: i64 },
    /// A file the caller named (to attach, a photo) that is not there or cannot be read: their
    /// input, not the phone's storage.
    #[error("{file}: không đọc được tệp / the file cannot be read: {source}")]
    InputFile {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("file system error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the operation was cancelled")]
    Cancelled,
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("the HTTP client cannot be built")]
    HttpClient(#[source] reqwest::Error),
    #[error("a request header is not valid HTTP")]
    InvalidHeader(#[from] reqwest::header::InvalidHeaderValue),
    #[error("TLS cannot be set up")]
    TlsSetup(#[source] Cause),
    #[error("the stored {what} cannot be encoded or decoded")]
    Encoding {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The portal refused a booking by one of its rules (the slot is full, too far ahead, two
    /// already that day...): the message says it in Vietnamese and English.
    #[error("{0}")]
    Booking(BookingRefusal),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why a login or an authorized call failed; each says what the app should do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("not logged in")]
    NotLoggedIn,
    #[error("the session has ended; log in again")]
    SessionExpired,
    /// The stored session was made with another portal or identity provider than the one the
    /// app now points at: its tokens are not sent there.
    #[error("the session was made for another portal or identity provider ({made_for}); log in again to use {now_at}")]
    OtherPortal { made_for: String, now_at: String },
    #[error("this needs VNeID level 2; log in again at level 2")]
    NeedsLevel2,
    #[error("no login is in progress")]
    NoPendingLogin,
    #[error("the login was cancelled")]
    Cancelled,
    #[error("the login response does not belong to the login in progress (state mismatch)")]
    StateMismatch,
    #[error("the login response came from another issuer or did not name its issuer (iss)")]
    IssuerMismatch,
    #[error("the provider's discovery document names another issuer than the one configured")]
    DiscoveryIssuerMismatch,
    #[error("the ID token was signed with a key the provider does not publish")]
    UnknownKey,
    #[error("the ID token is not valid: {0}")]
    IdToken(&'static str),
    #[error("the provider's token response is not valid: {0}")]
    TokenResponse(String),
    #[error("the provider refused the grant ({0})")]
    Grant(String),
    #[error("the login response is not valid: {0}")]
    Callback(String),
    #[error("the identity provider misbehaves: {0}")]
    Provider(String),
}

/// A request to the portal or the identity provider that did not give a usable answer.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("the portal cannot be reached ({}); cached data is still available", root_cause(.0))]
    Unreachable(#[source] reqwest::Error),
    #[error("the portal did not answer in time")]
    Timeout(#[source] reqwest::Error),
    #[error("network error talking to the portal ({})", root_cause(.0))]
    Network(#[source] reqwest::Error),
    #[error("the portal answered HTTP {status} to {path}{}", describe(.error, .message, .field))]
    Refused { status: u16, path: String, error: Option<String>, message: Option<String>, field: Option<String> },
    /// Redirects are never followed: a body or token must not travel on to another place.
    #[error("the portal redirected {path} (HTTP {status}) elsewhere; redirects are not followed")]
    Redirected { status: u16, path: String },
    /// A number (a cursor, an offset) beyond what the app can store: refused, nothing changed.
    #[error("the portal sent an out-of-range {field} at {path}")]
    OutOfRange { path: String, field: &'static str },
    /// A request that the portal kept answering without progress (an upload offset that never
    /// advances): given up for now, the work stays queued.
    #[error("no progress at {path} after {tries} tries")]
    NoProgress { path: String, tries: u32 },
    #[error("the answer from {path} is larger than {limit} bytes")]
    TooLarge { path: String, limit: usize },
    #[error("malformed answer from the portal at {path}: {cause}")]
    Malformed {
        path: String,
        #[source]
        cause: Cause,
    },
}

/// The innermost cause (an OS or TLS error), which says most; reqwest errors reach here
/// without their URL.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

fn describe(error: &Option<String>, message: &Option<String>, field: &Option<String>) -> String {
    match (error, field, message) {
        (_, Some(field), Some(message)) => format!(": {field}: {message}"),
        (_, None, Some(message)) => format!(": {message}"),
        (Some(error), _, None) => format!(" ({error})"),
        (None, _, None) => String::new(),
    }
}

/// What the app does about a failed request: the classes every capability acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The portal (or the way to it) failed in a way a later attempt may fix.
    RetryLater,
    /// No connection at all: stop for now, cached data still works.
    Offline,
    NeedsLogin,
    NeedsLevel2,
    /// The portal holds something that contradicts the request.
    Conflict,
    NotFound,
    /// The portal refused the request for good: sending it again changes nothing.
    Permanent,
}

impl Class {
    /// The portal will never do what was asked (refused, not found, contradicted): a kept
    /// request is dropped rather than sent again.
    pub fn is_final(self) -> bool {
        matches!(self, Class::Permanent | Class::NotFound | Class::Conflict)
    }
}

/// An error body: the portal's `{"error", "message", "field"}` (`docs/portal-api.md`), or the
/// provider's OAuth `{"error", ...}`.
#[derive(Deserialize, Default)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    /// `409 offset_mismatch`: where the upload stands.
    #[serde(default)]
    pub received: Option<u64>,
}

impl ErrorBody {
    pub fn parse(body: &[u8]) -> ErrorBody {
        serde_json::from_slice(body).unwrap_or_default()
    }
}

/// Classifies a portal answer that is not a success, by its status and its `error` code.
pub fn classify(status: u16, body: &[u8]) -> Class {
    classify_code(status, ErrorBody::parse(body).error.as_deref())
}

fn classify_code(status: u16, error: Option<&str>) -> Class {
    match (status, error) {
        (401, Some("insufficient_user_authentication")) => Class::NeedsLevel2,
        (401, _) => Class::NeedsLogin,
        (404, _) => Class::NotFound,
        (408 | 425 | 429 | 500..=599, _) => Class::RetryLater,
        // The portal lost an attachment, or a chunk started elsewhere, or the bytes did not
        // hash right: the next attempt uploads again from where the portal stands.
        (409, Some("attachment_missing" | "offset_mismatch")) | (422, Some("digest_mismatch")) => Class::RetryLater,
        (409, _) | (422, Some("idempotency_conflict")) => Class::Conflict,
        (400..=499, _) => Class::Permanent,
        // Unexpected informational or redirect answers: something between the app and the
        // portal (a captive portal, a maintenance page), not a refusal of the request.
        _ => Class::RetryLater,
    }
}

impl PortalError {
    /// A non-success answer: its status and the error code of its body.
    pub fn refused(status: u16, path: &str, body: &[u8]) -> PortalError {
        let body = ErrorBody::parse(body);
        PortalError::Refused {
            status,
            path: path_only(path),
            error: body.error,
            message: body.message,
            field: body.field,
        }
    }

    pub fn malformed(path: &str, cause: impl Into<Cause>) -> PortalError {
        let cause: Cause = cause.into();
        // serde_json quotes the value it could not take (a CCCD sent as a number): only where
        // the answer went wrong is kept, for the logs and messages this error reaches.
        let cause = match cause.downcast_ref::<serde_json::Error>() {
            Some(json) => {
                let what = match json.classify() {
                    serde_json::error::Category::Syntax => "not JSON",
                    serde_json::error::Category::Data => "a value of the wrong type or shape",
                    serde_json::error::Category::Eof => "cut short",
                    serde_json::error::Category::Io => "unreadable",
                };
                format!("{what} at line {} column {}", json.line(), json.column()).into()
            }
            None => cause,
        };
        PortalError::Malformed { path: path_only(path), cause }
    }

    pub fn class(&self) -> Class {
        match self {
            PortalError::Unreachable(_) => Class::Offline,
            PortalError::Timeout(_)
            | PortalError::Network(_)
            | PortalError::Malformed { .. }
            | PortalError::OutOfRange { .. }
            | PortalError::NoProgress { .. } => Class::RetryLater,
            PortalError::Refused { status, error, .. } => classify_code(*status, error.as_deref()),
            PortalError::Redirected { .. } => Class::RetryLater,
            PortalError::TooLarge { .. } => Class::RetryLater,
        }
    }
}

/// Query strings may carry user input; errors name the path alone.
pub fn path_only(path: &str) -> String {
    path.split('?').next().unwrap_or(path).to_owned()
}

/// What an app can do about an error; the bindings expose these, converted in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No connection to the portal: retry later, cached data still works.
    Offline,
    /// The network or the portal failed in a way a retry may fix.
    Network,
    /// Log in (again).
    NeedsLogin,
    /// Log in again at VNeID level 2.
    NeedsLevel2,
    /// Bad input, or a request the portal refuses for good: the message says what to fix.
    Validation,
    /// The request conflicts with what the portal already has.
    Conflict,
    NotFound,
    /// Local storage failed (disk full, corrupt user database...).
    Storage,
    /// The phone's data key cannot open the resident's sealed data: log in again to recover.
    UserDataUnreadable,
    /// The portal sent something this version does not know: update the app.
    UpdateNeeded,
    Cancelled,
    Other,
}

impl Error {
    /// The class of an error that came from the portal or the identity provider; `None` for
    /// what failed on the phone (storage, input, a bug), which no portal answer explains.
    pub fn class(&self) -> Option<Class> {
        match self {
            Error::Portal(portal) => Some(portal.class()),
            Error::Auth(AuthError::NeedsLevel2) => Some(Class::NeedsLevel2),
            Error::Auth(AuthError::Cancelled) => None,
            Error::Auth(_) => Some(Class::NeedsLogin),
            // The portal's refusal, by its rule.
            Error::Booking(refusal) => Some(if refusal.status() == 409 { Class::Conflict } else { Class::Permanent }),
            _ => None,
        }
    }

    /// The input at fault, for a `Validation` error: the field named, the portal's field of a
    /// refusal (`request` when it names none), `slot_id` for a booking rule, `attachment` for a
    /// file, `portal_url` for an address. The FFI and the CLI both say it.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Validation { field, .. } => Some(field.as_str()),
            Error::Portal(PortalError::Refused { field, .. }) => Some(field.as_deref().unwrap_or("request")),
            Error::Booking(_) => Some("slot_id"),
            Error::InputFile { .. } => Some("attachment"),
            Error::InsecureUrl { .. } | Error::InvalidUrl { .. } | Error::UnsupportedScheme { .. } => {
                Some("portal_url")
            }
            _ => None,
        }
        .filter(|_| self.kind() == ErrorKind::Validation)
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Cancelled | Error::Auth(AuthError::Cancelled) => ErrorKind::Cancelled,
            Error::Portal(_) | Error::Auth(_) => self.class().map_or(ErrorKind::Other, kind_of),
            Error::TimedOut { .. } => ErrorKind::Network,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::InsecureUrl { .. }
            | Error::InvalidUrl { .. }
            | Error::UnsupportedScheme { .. }
            | Error::Validation { .. } => ErrorKind::Validation,
            Error::UserDataUnreadable { .. } => ErrorKind::UserDataUnreadable,
            Error::UnsentWork { .. } => ErrorKind::Conflict,
            Error::InputFile { source, .. } if source.kind() == std::io::ErrorKind::NotFound => ErrorKind::NotFound,
            Error::InputFile { .. } => ErrorKind::Validation,
            Error::Booking(refusal) => match refusal {
                BookingRefusal::SlotFull | BookingRefusal::AlreadyBooked => ErrorKind::Conflict,
                BookingRefusal::TooFarAhead | BookingRefusal::DailyLimit | BookingRefusal::SlotPast => {
                    ErrorKind::Validation
                }
            },
            // A file a newer app wrote: updating reads it; "storage failed" would invite clearing
            // the app's data, which deletes the resident's dossiers.
            Error::UpdateNeeded { .. } | Error::SchemaTooNew { .. } => ErrorKind::UpdateNeeded,
            Error::Storage(_) | Error::UserDataCorrupt { .. } | Error::Io(_) => ErrorKind::Storage,
            Error::HttpClient(_)
            | Error::InvalidHeader(_)
            | Error::TlsSetup(_)
            | Error::Encoding { .. }
            | Error::Internal(_) => ErrorKind::Other,
        }
    }
}

fn kind_of(class: Class) -> ErrorKind {
    match class {
        Class::RetryLater => ErrorKind::Network,
        Class::Offline => ErrorKind::Offline,
        Class::NeedsLogin => ErrorKind::NeedsLogin,
        Class::NeedsLevel2 => ErrorKind::NeedsLevel2,
        Class::Conflict => ErrorKind::Conflict,
        Class::NotFound => ErrorKind::NotFound,
        Class::Permanent => ErrorKind::Validation,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validation_error_names_its_field_one_way_for_the_ffi_and_the_cli() {
        let refused = |body: &str| Error::from(PortalError::refused(422, "api/v1/payments", body.as_bytes()));
        let cases: [(Error, Option<&str>); 6] = [
            (Error::Validation { field: "ho_ten".into(), reason: "Bắt buộc nhập / required".into() }, Some("ho_ten")),
            (refused(r#"{"error":"validation","field":"amount_vnd"}"#), Some("amount_vnd")),
            (refused("{}"), Some("request")),
            (Error::Booking(BookingRefusal::DailyLimit), Some("slot_id")),
            (
                Error::InputFile { file: "scan.pdf".into(), source: std::io::ErrorKind::PermissionDenied.into() },
                Some("attachment"),
            ),
            // Not a validation error: no field.
            (Error::Booking(BookingRefusal::SlotFull), None),
        ];
        for (error, field) in cases {
            assert_eq!(error.field(), field, "{error}");
        }
    }

    #[test]
    fn answers_are_classified_by_status_and_error_code() {
        use Class::*;
        let table: &[(u16, &str, Class)] = &[
            (401, "", NeedsLogin),
            (401, r#"{"error":"invalid_token"}"#, NeedsLogin),
            (401, r#"{"error":"insufficient_user_authentication"}"#, NeedsLevel2),
            (400, r#"{"error":"validation","field":"so_cccd","message":"12 digits"}"#, Permanent),
            (400, r#"{"error":"bad_request"}"#, Permanent),
            (403, "", Permanent),
            (404, r#"{"error":"unknown_procedure"}"#, NotFound),
            (404, "not json", NotFound),
            (408, "", RetryLater),
            (409, r#"{"error":"attachment_missing","field":"ab"}"#, RetryLater),
            (409, r#"{"error":"offset_mismatch","received":5}"#, RetryLater),
            (409, r#"{"error":"no_fee"}"#, Conflict),
            (413, r#"{"error":"too_large"}"#, Permanent),
            (415, r#"{"error":"unsupported_type"}"#, Permanent),
            (422, r#"{"error":"idempotency_conflict"}"#, Conflict),
            (422, r#"{"error":"procedure_not_in_force"}"#, Permanent),
            (422, r#"{"error":"digest_mismatch"}"#, RetryLater),
            (425, "", RetryLater),
            (429, "", RetryLater),
            (500, r#"{"error":"server_error"}"#, RetryLater),
            (502, "<html>bad gateway</html>", RetryLater),
            (503, "", RetryLater),
            (302, "", RetryLater),
        ];
        for (status, body, class) in table {
            assert_eq!(classify(*status, body.as_bytes()), *class, "{status} {body}");
            let error = Error::from(PortalError::refused(*status, "api/v1/x?q=secret", body.as_bytes()));
            assert_eq!(error.class(), Some(*class), "{status} {body}");
            assert!(!error.to_string().contains("secret"), "{error}");
        }
    }

    #[test]
    fn kinds_follow_the_class_and_local_failures_are_never_portal_refusals() {
        let refused = |status, body: &str| Error::from(PortalError::refused(status, "p", body.as_bytes())).kind();
        assert_eq!(refused(400, r#"{"error":"validation"}"#), ErrorKind::Validation);
        assert_eq!(refused(413, ""), ErrorKind::Validation);
        assert_eq!(refused(503, ""), ErrorKind::Network);
        assert_eq!(refused(409, r#"{"error":"no_fee"}"#), ErrorKind::Conflict);
        assert_eq!(refused(404, ""), ErrorKind::NotFound);
        let storage = Error::Storage(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            Some("database or disk is full".into()),
        ));
        assert_eq!(storage.class(), None);
        assert_eq!(storage.kind(), ErrorKind::Storage);
        let io = Error::Io(std::io::Error::other("disk full"));
        assert_eq!((io.class(), io.kind()), (None, ErrorKind::Storage));
        assert_eq!(Error::Auth(AuthError::NeedsLevel2).kind(), ErrorKind::NeedsLevel2);
        let other = AuthError::OtherPortal { made_for: "a".into(), now_at: "b".into() };
        assert_eq!(Error::Auth(other).kind(), ErrorKind::NeedsLogin);
    }

    #[test]
    fn refusals_say_what_the_portal_said() {
        let error = PortalError::refused(
            400,
            "api/v1/dossiers",
            br#"{"error":"validation","field":"so_cccd","message":"12 digits"}"#,
        );
        assert_eq!(error.to_string(), "the portal answered HTTP 400 to api/v1/dossiers: so_cccd: 12 digits");
        let error = PortalError::refused(503, "api/v1/units", b"");
        assert_eq!(error.to_string(), "the portal answered HTTP 503 to api/v1/units");
    }

    #[test]
    fn a_malformed_answer_says_where_never_the_value_it_could_not_take() {
        #[derive(Debug, serde::Deserialize)]
        struct Card {
            #[allow(dead_code)]
            number: String,
        }
        let wrong = serde_json::from_str::<Card>("{\n\"number\": 30095001234}").unwrap_err();
        let error = Error::from(PortalError::malformed("api/v1/me/documents?since=1", wrong));
        let (message, detail) = (error.to_string(), format!("{error:?}"));
        assert_eq!(
            message,
            "malformed answer from the portal at api/v1/me/documents: a value of the wrong type or shape at line 2 \
             column 21"
        );
        assert!(!detail.contains("30095001234"), "{detail}");
        let cut = serde_json::from_str::<Card>("{\"number\": \"0300").unwrap_err();
        assert!(PortalError::malformed("api/v1/me", cut).to_string().ends_with("cut short at line 1 column 16"));
    }
}
