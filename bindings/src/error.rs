//! The one public error: few kinds, each saying what the app can do. Converted from the core's
//! detailed [`smarthd_core::Error`] in exactly one place ([`From`] below), by its
//! [`ErrorKind`](smarthd_core::ErrorKind) and its message (and the VietQR decoder's errors, which
//! are `Validation` on `vietqr`; a core task aborted by a cancelled call is `Cancelled`). The
//! core's messages name what failed and where, never tokens or personal data, so they may be
//! shown in logs and bug reports.

use smarthd_core::error::PortalError;
use smarthd_core::payment::vietqr::VietQrError;
use smarthd_core::{Error, ErrorKind};

/// Kotlin: `SmartHdException.NotFound` ...; Swift: `SmartHdError.NotFound(detail:)`;
/// Python: `smarthd.SmartHdError.NotFound`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum SmartHdError {
    /// No connection to the portal: retry later; cached data still works.
    #[error("{detail}")]
    Offline { detail: String },
    /// The network or the portal failed in a way a retry may fix.
    #[error("{detail}")]
    Network { detail: String },
    /// Log in (again).
    #[error("{detail}")]
    NeedsLogin { detail: String },
    /// Log in again at VNeID level 2.
    #[error("{detail}")]
    NeedsLevel2 { detail: String },
    /// Bad input: `field` names it, `reason` says what to fix.
    #[error("invalid {field}: {reason}")]
    Validation { field: String, reason: String },
    /// The request conflicts with what the portal already has.
    #[error("{detail}")]
    Conflict { detail: String },
    #[error("{detail}")]
    NotFound { detail: String },
    /// Local storage failed (disk full, corrupt user database, secure storage refused...).
    #[error("{detail}")]
    Storage { detail: String },
    /// The phone's data key is lost or changed (an Android Keystore invalidation, a restore onto
    /// another phone): reopen with `SmartHd.openRecovering` and ask the resident to log in again.
    /// Nothing that cannot be read is dropped: it is kept aside.
    #[error("{detail}")]
    UserDataUnreadable { detail: String },
    /// The portal sent something this version does not know (a new dossier status...): ask the
    /// resident to update the app. Nothing was changed.
    #[error("{detail}")]
    UpdateNeeded { detail: String },
    /// The operation was cancelled through its `CancelHandle` (or its coroutine/task).
    #[error("{detail}")]
    Cancelled { detail: String },
    /// A bug or an unexpected failure (including an exception thrown by an app callback).
    #[error("{detail}")]
    Other { detail: String },
}

impl From<Error> for SmartHdError {
    fn from(error: Error) -> Self {
        let detail = error.to_string();
        match error.kind() {
            ErrorKind::Offline => SmartHdError::Offline { detail },
            ErrorKind::Network => SmartHdError::Network { detail },
            ErrorKind::NeedsLogin => SmartHdError::NeedsLogin { detail },
            ErrorKind::NeedsLevel2 => SmartHdError::NeedsLevel2 { detail },
            ErrorKind::Validation => {
                let field = error.field().unwrap_or("request").to_owned();
                let reason = match error {
                    Error::Validation { reason, .. } => reason,
                    // The portal refused the request for good: its own words are what the
                    // resident reads ("the portal answered HTTP 422 to …" is for the logs).
                    Error::Portal(PortalError::Refused { message: Some(message), .. })
                        if !message.trim().is_empty() =>
                    {
                        message
                    }
                    _ => detail,
                };
                SmartHdError::Validation { field, reason }
            }
            ErrorKind::Conflict => SmartHdError::Conflict { detail },
            ErrorKind::NotFound => SmartHdError::NotFound { detail },
            ErrorKind::Storage => SmartHdError::Storage { detail },
            ErrorKind::UserDataUnreadable => SmartHdError::UserDataUnreadable { detail },
            ErrorKind::UpdateNeeded => SmartHdError::UpdateNeeded { detail },
            ErrorKind::Cancelled => SmartHdError::Cancelled { detail },
            ErrorKind::Other => SmartHdError::Other { detail },
        }
    }
}

/// A VietQR payload that does not decode (or is too long to draw): `Validation` on `vietqr`.
impl From<VietQrError> for SmartHdError {
    fn from(error: VietQrError) -> Self {
        SmartHdError::validation("vietqr", error.to_string())
    }
}

/// A core task that did not finish: aborted because its call was cancelled, or panicked.
impl From<tokio::task::JoinError> for SmartHdError {
    fn from(error: tokio::task::JoinError) -> Self {
        if error.is_cancelled() {
            Error::Cancelled.into()
        } else {
            SmartHdError::Other { detail: format!("the core task failed: {error}") }
        }
    }
}

/// A foreign callback (storage, signer) threw something that is not a `SmartHdError`.
impl From<uniffi::UnexpectedUniFFICallbackError> for SmartHdError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SmartHdError::Other { detail: format!("an app callback failed: {}", error.reason) }
    }
}

impl SmartHdError {
    pub(crate) fn validation(field: &str, reason: impl Into<String>) -> Self {
        SmartHdError::Validation { field: field.into(), reason: reason.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16) -> Error {
        PortalError::refused(status, "api/v1/x", b"").into()
    }

    #[test]
    fn every_core_error_maps_by_its_kind() {
        type Check = fn(&SmartHdError) -> bool;
        let cases: Vec<(Error, Check)> = vec![
            (refused(503), |e| matches!(e, SmartHdError::Network { .. })),
            (refused(401), |e| matches!(e, SmartHdError::NeedsLogin { .. })),
            (refused(409), |e| matches!(e, SmartHdError::Conflict { .. })),
            (refused(404), |e| matches!(e, SmartHdError::NotFound { .. })),
            (Error::NotFound("procedure 1.2".into()), |e| matches!(e, SmartHdError::NotFound { .. })),
            (Error::Cancelled, |e| matches!(e, SmartHdError::Cancelled { .. })),
            (Error::Internal("bug".into()), |e| matches!(e, SmartHdError::Other { .. })),
            (Error::Io(std::io::Error::other("disk full")), |e| matches!(e, SmartHdError::Storage { .. })),
        ];
        for (core, check) in cases {
            let shown = core.to_string();
            let public = SmartHdError::from(core);
            assert!(check(&public), "{shown} became {public:?}");
            assert_eq!(public.to_string(), shown, "the message is the core's");
        }
    }

    #[test]
    fn validation_keeps_field_and_reason() {
        let e = SmartHdError::from(Error::Validation { field: "limit".into(), reason: "must be positive".into() });
        assert_eq!(e, SmartHdError::validation("limit", "must be positive"));
        let e = SmartHdError::from(Error::InsecureUrl { host: "portal.example".into() });
        let SmartHdError::Validation { field, reason } = e else { panic!("{e:?}") };
        assert_eq!(field, "portal_url");
        assert!(reason.contains("https"), "{reason}");
    }

    #[test]
    fn a_portal_refusal_reads_in_the_portals_words() {
        let body =
            r#"{"error":"validation","field":"amount_vnd","message":"Số tiền không khớp / the amount does not match"}"#;
        let e = SmartHdError::from(Error::from(PortalError::refused(422, "api/v1/payments", body.as_bytes())));
        assert_eq!(e, SmartHdError::validation("amount_vnd", "Số tiền không khớp / the amount does not match"));
        let SmartHdError::Validation { field, reason } = SmartHdError::from(refused(400)) else { panic!() };
        assert_eq!(field, "request");
        assert!(reason.contains("HTTP 400"), "without words of the portal's, the core's: {reason}");
    }

    #[test]
    fn a_bad_vietqr_is_a_validation_error_on_vietqr() {
        let e = SmartHdError::from(VietQrError::Crc { expected: "2E2E".into(), found: "2E2F".into() });
        let SmartHdError::Validation { field, reason } = e else { panic!("{e:?}") };
        assert_eq!(field, "vietqr");
        assert!(reason.contains("checksum"), "{reason}");
    }

    #[tokio::test]
    async fn an_aborted_core_task_is_cancelled() {
        let task = tokio::spawn(std::future::pending::<()>());
        task.abort();
        let e = SmartHdError::from(task.await.unwrap_err());
        assert!(matches!(e, SmartHdError::Cancelled { .. }), "{e:?}");
    }

    #[test]
    fn an_unexpected_callback_error_is_other() {
        let e = SmartHdError::from(uniffi::UnexpectedUniFFICallbackError::new("boom"));
        assert!(matches!(e, SmartHdError::Other { ref detail } if detail.contains("boom")));
    }
}
