//! Errors: a detailed internal enum, and the few kinds an app can act on.
//!
//! Messages never carry tokens or personal data (CCCD numbers, names): they name what failed and
//! where, not the values involved.

use std::path::PathBuf;

use crate::identity::AuthError;

/// Everything that can go wrong inside the core, with the detail a developer needs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("refusing plain http:// to {host}: only loopback may use http, use https")]
    InsecureUrl { host: String },
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("the portal cannot be reached ({0}); cached data is still available")]
    Offline(String),
    #[error("network error talking to the portal: {0}")]
    Network(String),
    #[error("the portal answered HTTP {status} to {path}")]
    Http { status: u16, path: String },
    #[error("malformed response from the portal at {path}: {reason}")]
    MalformedResponse { path: String, reason: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("invalid {field}: {reason}")]
    Validation { field: String, reason: String },
    #[error("storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error(
        "the user database {path} is corrupt; it was kept aside at {kept_at} and not deleted, \
         a new empty one will be created on the next open"
    )]
    UserDataCorrupt { path: PathBuf, kept_at: PathBuf },
    #[error("database {path} has schema version {found}, newer than this app knows ({known})")]
    SchemaTooNew { path: PathBuf, found: i64, known: i64 },
    #[error("file system error: {0}")]
    Io(#[from] std::io::Error),
    #[error("the operation was cancelled")]
    Cancelled,
    #[error(transparent)]
    Auth(#[from] crate::identity::AuthError),
    #[error("internal error: {0}")]
    Internal(String),
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
    /// Bad input: the field and the reason say what to fix.
    Validation,
    /// The request conflicts with what the portal already has.
    Conflict,
    NotFound,
    /// Local storage failed (disk full, corrupt user database...).
    Storage,
    Cancelled,
    Other,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Offline(_) => ErrorKind::Offline,
            Error::Network(_) | Error::MalformedResponse { .. } => ErrorKind::Network,
            Error::Http { status, .. } => match status {
                401 => ErrorKind::NeedsLogin,
                404 => ErrorKind::NotFound,
                409 | 422 => ErrorKind::Conflict,
                _ => ErrorKind::Network,
            },
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::InsecureUrl { .. } | Error::InvalidUrl { .. } | Error::Validation { .. } => ErrorKind::Validation,
            Error::Storage(_) | Error::UserDataCorrupt { .. } | Error::SchemaTooNew { .. } | Error::Io(_) => {
                ErrorKind::Storage
            }
            Error::Cancelled => ErrorKind::Cancelled,
            Error::Auth(auth) => match auth {
                AuthError::NeedsLevel2 => ErrorKind::NeedsLevel2,
                AuthError::Cancelled => ErrorKind::Cancelled,
                _ => ErrorKind::NeedsLogin,
            },
            Error::Internal(_) => ErrorKind::Other,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
