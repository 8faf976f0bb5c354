//! Flushing the dossier outbox and following statuses.
//!
//! Delivery is at-least-once: an entry leaves the outbox only in the same transaction that
//! records the portal's answer, so a crash or a lost answer means sending again; the portal
//! deduplicates on the dossier's permanent id, so "again" never makes a second dossier.
//! Attachments go first, in chunks, resuming where the portal says it stands.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::Catalog;
use crate::dossier::{Attachment, DossierStatus, Dossiers, OutboxItem, RemoteDossier, SubmitAnswer};
use crate::error::{Error, ErrorKind, Result};
use crate::events::{Event, EventListener};
use crate::http::PortalClient;
use crate::identity::{Body, Identity};

/// Bytes per upload request.
pub const CHUNK_BYTES: usize = 512 * 1024;
/// Longest wait between two attempts of one entry.
const MAX_BACKOFF_SECS: i64 = 300;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutboxReport {
    /// Received by the portal in this flush.
    pub sent: u32,
    /// Refused for good (kept, with the reason, as failed dossiers).
    pub failed: u32,
    /// Still in the outbox (to retry later, or waiting for a login).
    pub pending: u32,
    /// Nothing could be sent: the resident must log in.
    pub needs_login: bool,
    /// Entries that wait for a VNeID level 2 login.
    pub waiting_for_level2: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DossierSyncReport {
    pub outbox: OutboxReport,
    /// Dossiers whose status the portal changed.
    pub status_changes: u32,
    /// Payments whose status changed (orders sent, outcomes settled).
    pub payments_updated: u32,
}

/// What to do with an entry after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The network or the portal failed: try again later.
    Retry(String),
    /// No connection at all: stop this flush.
    Offline(String),
    /// The portal refused it for good.
    Permanent(String),
    /// The portal already has another content under this dossier id.
    Conflict(String),
    NeedsLogin,
    NeedsLevel2,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        match e.kind() {
            ErrorKind::Offline => Failure::Offline(e.to_string()),
            ErrorKind::NeedsLogin => Failure::NeedsLogin,
            ErrorKind::NeedsLevel2 => Failure::NeedsLevel2,
            ErrorKind::Storage | ErrorKind::Validation => Failure::Permanent(e.to_string()),
            _ => Failure::Retry(e.to_string()),
        }
    }
}

#[derive(Deserialize, Default)]
struct PortalError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    received: Option<u64>,
}

/// Classifies a portal answer that is not a success (pure).
pub fn classify(status: u16, body: &[u8]) -> Failure {
    let error: PortalError = serde_json::from_slice(body).unwrap_or_default();
    let described = || match (&error.field, error.message.is_empty()) {
        (Some(field), false) => format!("{field}: {}", error.message),
        (_, false) => error.message.clone(),
        _ => format!("the portal answered {status} {}", error.error),
    };
    match status {
        401 => Failure::NeedsLogin,
        408 | 425 | 429 | 500..=599 => Failure::Retry(format!("the portal answered {status}")),
        422 if error.error == "idempotency_conflict" => Failure::Conflict(described()),
        400 | 404 | 413 | 415 | 422 => Failure::Permanent(described()),
        409 if error.error == "attachment_missing" => Failure::Retry(described()),
        _ => Failure::Retry(described()),
    }
}

/// Exponential backoff with jitter: half the cap fixed, half random (`unit` in [0, 1)), so
/// retries from many phones after an outage spread out.
pub fn backoff_secs(attempts: u32, unit: f64) -> i64 {
    let cap = (1i64 << attempts.min(20)).min(MAX_BACKOFF_SECS);
    cap / 2 + ((cap - cap / 2) as f64 * unit.clamp(0.0, 1.0)) as i64
}

fn unit_random() -> f64 {
    let mut bytes = [0u8; 8];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).expect("a random source");
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

pub struct Context<'a> {
    pub portal: &'a PortalClient,
    pub identity: &'a Identity,
    pub dossiers: &'a Dossiers,
    pub catalog: &'a Catalog,
    pub events: &'a dyn EventListener,
}

/// Sends what is due (everything when `force`), then asks the portal what changed.
pub async fn sync_dossiers(cx: &Context<'_>, force: bool) -> Result<DossierSyncReport> {
    let outbox = flush(cx, force).await?;
    let status_changes = if outbox.needs_login {
        0
    } else {
        refresh_statuses(cx).await.unwrap_or_else(|e| {
            tracing::info!("status refresh failed: {e}");
            0
        })
    };
    Ok(DossierSyncReport { outbox, status_changes, payments_updated: 0 })
}

pub async fn flush(cx: &Context<'_>, force: bool) -> Result<OutboxReport> {
    let mut report = OutboxReport::default();
    for item in cx.dossiers.due(chrono::Utc::now().timestamp(), force)? {
        match send(cx, &item).await {
            Ok(answer) => {
                let status = cx.dossiers.mark_received(&item, &answer)?;
                report.sent += 1;
                cx.events.on_event(Event::DossierStatusChanged {
                    dossier_id: item.dossier_id.clone(),
                    code: Some(answer.code),
                    status,
                });
            }
            Err(Failure::Permanent(reason)) => {
                cx.dossiers.mark_failed(&item, &reason)?;
                report.failed += 1;
                cx.events.on_event(Event::DossierStatusChanged {
                    dossier_id: item.dossier_id.clone(),
                    code: None,
                    status: DossierStatus::Failed,
                });
            }
            Err(Failure::Conflict(reason)) => {
                // What the portal holds under this id stays this id (the status feed brings
                // it); what the resident has here is kept as a refused dossier of its own.
                let kept = cx.dossiers.split_off_conflict(&item, &reason)?;
                report.failed += 1;
                cx.events.on_event(Event::DossierStatusChanged {
                    dossier_id: kept,
                    code: None,
                    status: DossierStatus::Failed,
                });
            }
            Err(Failure::NeedsLevel2) => {
                report.waiting_for_level2 += 1;
                cx.dossiers.reschedule(
                    &item,
                    next_attempt(&item),
                    "cần đăng nhập VNeID mức 2 / needs a VNeID level 2 login",
                )?;
            }
            Err(Failure::NeedsLogin) => {
                report.needs_login = true;
                cx.dossiers.reschedule(&item, 0, "cần đăng nhập / needs a login")?;
                break;
            }
            Err(Failure::Offline(reason)) => {
                cx.dossiers.reschedule(&item, next_attempt(&item), &reason)?;
                break;
            }
            Err(Failure::Retry(reason)) => cx.dossiers.reschedule(&item, next_attempt(&item), &reason)?,
        }
    }
    report.pending = cx.dossiers.pending_count()?;
    Ok(report)
}

fn next_attempt(item: &OutboxItem) -> i64 {
    chrono::Utc::now().timestamp() + backoff_secs(item.attempts + 1, unit_random())
}

async fn send(cx: &Context<'_>, item: &OutboxItem) -> Result<SubmitAnswer, Failure> {
    let dossier = cx.dossiers.get(&item.dossier_id)?;
    for attachment in &dossier.attachments {
        upload(cx, attachment).await?;
    }
    let body = json!({
        "dossier_id": dossier.id,
        "procedure_code": dossier.procedure_code,
        "applicant": dossier.applicant,
        "fields": dossier.fields,
        "attachments": dossier.attachments.iter().map(|a| json!({"sha256": a.sha256, "name": a.name})).collect::<Vec<_>>(),
    })
    .to_string();
    let url = cx.portal.url("api/v1/dossiers")?;
    let (status, bytes) = cx
        .identity
        .send(reqwest::Method::POST, &url, Some(Body { content_type: "application/json", bytes: body.as_bytes() }))
        .await?;
    if status.is_success() {
        let answer: SubmitAnswer = serde_json::from_slice(&bytes)
            .map_err(|e| Failure::Retry(format!("malformed answer from the portal: {e}")))?;
        if answer.dossier_id != dossier.id {
            return Err(Failure::Retry("the portal answered for another dossier".into()));
        }
        return Ok(answer);
    }
    let failure = classify(status.as_u16(), &bytes);
    if status.as_u16() == 409 {
        // The portal lost an attachment we thought sent: upload it again next time.
        let error: PortalError = serde_json::from_slice(&bytes).unwrap_or_default();
        if let Some(sha256) = error.field {
            cx.dossiers.set_upload_done(&sha256, false)?;
        }
    }
    Err(failure)
}

#[derive(Deserialize)]
struct UploadState {
    received: u64,
    complete: bool,
}

async fn upload(cx: &Context<'_>, attachment: &Attachment) -> Result<(), Failure> {
    if cx.dossiers.upload_done(&attachment.sha256)? {
        return Ok(());
    }
    let bytes = cx.dossiers.attachment_bytes(&attachment.sha256).map_err(|e| {
        Failure::Permanent(format!("tệp đính kèm {} không đọc được / unreadable attachment: {e}", attachment.name))
    })?;
    let announce = json!({
        "sha256": attachment.sha256,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "name": attachment.name,
    })
    .to_string();
    let url = cx.portal.url("api/v1/attachments")?;
    let (status, body) = cx
        .identity
        .send(reqwest::Method::POST, &url, Some(Body { content_type: "application/json", bytes: announce.as_bytes() }))
        .await?;
    let mut state = upload_state(status.as_u16(), &body)?;
    while !state.complete {
        let start = state.received as usize;
        if start >= bytes.len() {
            return Err(Failure::Retry("the portal holds more bytes than the file has".into()));
        }
        let end = (start + CHUNK_BYTES).min(bytes.len());
        let url = cx.portal.url(&format!("api/v1/attachments/{}/content?offset={start}", attachment.sha256))?;
        let (status, body) = cx
            .identity
            .send(
                reqwest::Method::PUT,
                &url,
                Some(Body { content_type: "application/octet-stream", bytes: &bytes[start..end] }),
            )
            .await?;
        if status.as_u16() == 409 {
            // Resume where the portal stands.
            let error: PortalError = serde_json::from_slice(&body).unwrap_or_default();
            state.received = error.received.ok_or_else(|| Failure::Retry("offset mismatch without position".into()))?;
            continue;
        }
        state = upload_state(status.as_u16(), &body)?;
    }
    cx.dossiers.set_upload_done(&attachment.sha256, true)?;
    Ok(())
}

fn upload_state(status: u16, body: &[u8]) -> Result<UploadState, Failure> {
    if !(200..300).contains(&status) {
        return Err(classify(status, body));
    }
    serde_json::from_slice(body).map_err(|e| Failure::Retry(format!("malformed upload answer: {e}")))
}

#[derive(Deserialize)]
struct StatusPage {
    items: Vec<RemoteDossier>,
    next_since: u64,
}

/// Asks the portal which of the resident's dossiers changed since the last time; emits an
/// event for each status change.
pub async fn refresh_statuses(cx: &Context<'_>) -> Result<u32> {
    let since = cx.dossiers.status_cursor()?;
    let url = cx.portal.url(&format!("api/v1/dossiers?since={since}"))?;
    let (status, body) = cx.identity.send(reqwest::Method::GET, &url, None).await?;
    if !status.is_success() {
        return Err(Error::Http { status: status.as_u16(), path: "api/v1/dossiers".into() });
    }
    let page: StatusPage = serde_json::from_slice(&body)
        .map_err(|e| Error::MalformedResponse { path: "api/v1/dossiers".into(), reason: e.to_string() })?;
    let changed = cx.dossiers.apply_remote(&page.items, page.next_since, cx.catalog)?;
    for (dossier_id, code, status) in &changed {
        cx.events.on_event(Event::DossierStatusChanged {
            dossier_id: dossier_id.clone(),
            code: code.clone(),
            status: *status,
        });
    }
    Ok(changed.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped_with_jitter() {
        assert_eq!(backoff_secs(1, 0.0), 1);
        assert_eq!(backoff_secs(1, 0.999), 1);
        assert_eq!(backoff_secs(4, 0.0), 8);
        assert_eq!(backoff_secs(4, 0.999), 15);
        assert_eq!(backoff_secs(30, 0.0), MAX_BACKOFF_SECS / 2);
        assert!(backoff_secs(30, 0.999) <= MAX_BACKOFF_SECS);
        let r = unit_random();
        assert!((0.0..1.0).contains(&r));
    }

    #[test]
    fn answers_are_classified() {
        assert_eq!(classify(503, b""), Failure::Retry("the portal answered 503".into()));
        assert_eq!(classify(401, b""), Failure::NeedsLogin);
        assert_eq!(
            classify(400, br#"{"error":"validation","field":"so_cccd","message":"12 digits"}"#),
            Failure::Permanent("so_cccd: 12 digits".into())
        );
        assert!(matches!(classify(422, br#"{"error":"idempotency_conflict","message":"x"}"#), Failure::Conflict(_)));
        assert!(matches!(classify(422, br#"{"error":"procedure_not_in_force","message":"x"}"#), Failure::Permanent(_)));
        assert!(matches!(classify(409, br#"{"error":"attachment_missing","field":"ab"}"#), Failure::Retry(_)));
        assert!(matches!(classify(404, b"not json"), Failure::Permanent(_)));
    }
}
