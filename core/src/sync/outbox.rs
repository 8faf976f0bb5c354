//! Flushing the dossier outbox and following statuses.
//!
//! Delivery is at-least-once: an entry leaves the outbox only in the same transaction that
//! records the portal's answer, so a crash or a lost answer means sending again; the portal
//! deduplicates on the dossier's permanent id, so "again" never makes a second dossier.
//! Attachments go first, in chunks, resuming where the portal says it stands.
//!
//! An entry is sent only with its owner's session ([`crate::owner`]): another resident's queued
//! dossiers wait, counted in [`OutboxReport::waiting_for_owner`], until that resident logs in.

use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::catalog::Catalog;
use crate::dossier::{
    ActionPayload, Attachment, Dossier, DossierStatus, Dossiers, OutboxItem, QueuedAction, RemoteDossier, SubmitAnswer,
};
use crate::error::{Class, Error, ErrorBody, PortalError, Result};
use crate::events::{Event, EventListener};
use crate::identity::Identity;
use crate::owner::Owner;
use crate::transport::{Answer, PortalClient, Request, segment};

/// Bytes per upload request.
pub const CHUNK_BYTES: usize = 512 * 1024;
/// Chunk answers in one attempt that leave the upload where it was or move it back (a `409
/// offset_mismatch` that keeps naming the same offset) before the attempt is given up.
const MAX_STALLED_CHUNKS: u32 = 4;
/// Longest wait between two attempts of one entry.
const MAX_BACKOFF_SECS: i64 = 300;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutboxReport {
    /// Received by the portal in this flush.
    pub sent: u32,
    /// Refused for good (kept, with the reason, as failed dossiers).
    pub failed: u32,
    /// The resident's entries still in the outbox (to retry later, or waiting for level 2).
    pub pending: u32,
    /// Nothing could be sent: the resident must log in.
    pub needs_login: bool,
    /// Entries that wait for a VNeID level 2 login.
    pub waiting_for_level2: u32,
    /// Entries another resident queued on this phone (all of them when logged out): they are
    /// never sent with this session and wait for their owner to log in ([`WAITING_FOR_OWNER`]).
    pub waiting_for_owner: u32,
}

/// Why another resident's queued dossiers were not sent, as the app shows it.
pub const WAITING_FOR_OWNER: &str = "đang chờ chủ hồ sơ đăng nhập / waiting for their owner to log in";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DossierSyncReport {
    pub outbox: OutboxReport,
    /// Dossiers whose status the portal changed.
    pub status_changes: u32,
    /// Payments whose status changed (orders sent, outcomes settled).
    pub payments_updated: u32,
    /// Results the portal issued that are now on the phone, verified.
    pub results_kept: u32,
    /// Field reports and ratings sent, and reports whose progress changed.
    pub reports: crate::report::ReportSyncReport,
}

/// Why an attempt did not deliver an entry.
#[derive(Debug)]
pub enum Failure {
    /// The portal (or the way to it) did not take the entry: the class says what to do, the
    /// reason is shown beside the dossier.
    Attempt { class: Class, reason: String },
    /// Something failed on the phone (storage, sealing): the flush stops with this error and
    /// the entry stays queued as it was; it is not the portal's refusal.
    Local(Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        match error.class() {
            Some(class) => Failure::Attempt { class, reason: shown_reason(&error, class) },
            None => Failure::Local(error),
        }
    }
}

/// Why an entry was not delivered, as the resident reads it beside the dossier: Vietnamese and
/// English, the portal's own words when it gave some, never an HTTP path or status (those go to
/// the log).
fn shown_reason(error: &Error, class: Class) -> String {
    tracing::info!("outbox attempt failed: {error}");
    let retry = "sẽ gửi lại / will retry";
    match error {
        Error::Portal(PortalError::Refused { message, field, .. }) if class.is_final() => {
            let said = match (field, message) {
                (Some(field), Some(message)) => format!(": {field}: {message}"),
                (None, Some(message)) => format!(": {message}"),
                _ => String::new(),
            };
            format!("cổng dịch vụ công từ chối / the portal refused{said}")
        }
        Error::Portal(PortalError::Unreachable(_)) => {
            format!("không kết nối được cổng dịch vụ công / the portal cannot be reached; {retry}")
        }
        Error::Portal(
            PortalError::Malformed { .. } | PortalError::OutOfRange { .. } | PortalError::TooLarge { .. },
        ) => {
            format!("cổng trả lời không đọc được / the portal's answer was malformed; {retry}")
        }
        Error::Portal(PortalError::NoProgress { tries, .. }) => {
            format!("tải tệp không tiến triển sau {tries} lần / no progress uploading after {tries} tries; {retry}")
        }
        Error::Portal(_) => format!("cổng dịch vụ công đang gặp sự cố / the portal is having trouble; {retry}"),
        other => other.to_string(),
    }
}

impl From<PortalError> for Failure {
    fn from(error: PortalError) -> Failure {
        Error::from(error).into()
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
    /// The resident logged in when the sync started; `None` when logged out.
    pub owner: Option<&'a Owner>,
}

/// Sends what is due (everything when `force`), then asks the portal what changed.
pub async fn sync_dossiers(cx: &Context<'_>, force: bool) -> Result<DossierSyncReport> {
    let outbox = flush(cx, force).await?;
    let status_changes = match cx.owner {
        Some(_) if outbox.needs_login => 0,
        None => 0,
        Some(owner) => match refresh_statuses(cx, owner).await {
            Ok(changes) => changes,
            // The app must say it needs an update; the cursor stayed where it was.
            Err(error @ Error::UpdateNeeded { .. }) => return Err(error),
            Err(error) => {
                tracing::info!("status refresh failed: {error}");
                0
            }
        },
    };
    Ok(DossierSyncReport { outbox, status_changes, ..Default::default() })
}

/// Requests in flight at once: enough to overlap one request's round trip and local writes
/// with another's, few enough not to crowd the province's portal from one phone.
const PARALLEL_DOSSIERS: usize = 4;

/// Submissions sent in one request (`POST /api/v1/dossier-batches`): one proof, one round trip
/// and one check of the token on the portal for several dossiers.
const BATCH_DOSSIERS: usize = 25;

pub async fn flush(cx: &Context<'_>, force: bool) -> Result<OutboxReport> {
    let mut report =
        OutboxReport { waiting_for_owner: cx.dossiers.waiting_for_owner_count(cx.owner)?, ..Default::default() };
    let Some(owner) = cx.owner else {
        // Queued work is always someone's: a login is needed to send it.
        report.needs_login = report.waiting_for_owner > 0;
        return Ok(report);
    };
    let due = cx.dossiers.due(owner, chrono::Utc::now().timestamp(), force)?;
    // A dossier's entries go one after the other, in the order they were queued; different
    // dossiers go side by side. Offline or logged out stops every dossier before its next entry.
    // First the dossiers whose next entry is their submission, several to a request; then, one
    // entry at a time, what follows each of those, the dossiers whose next entry is a later
    // action, and those whose attachments are not all uploaded yet.
    let stop = AtomicBool::new(false);
    let (submissions, mut one_by_one): (Vec<_>, Vec<_>) =
        by_dossier(due).into_iter().partition(|entries| entries[0].action.is_none());
    let mut batches = futures_util::stream::iter(in_batches(submissions))
        .map(|batch| flush_batch(cx, owner, batch, &stop))
        .buffer_unordered(PARALLEL_DOSSIERS);
    while let Some(flushed) = batches.next().await {
        let (flushed, rest) = flushed?;
        report.add(&flushed);
        one_by_one.extend(rest);
    }
    drop(batches);
    let mut dossiers = futures_util::stream::iter(one_by_one)
        .map(|entries| flush_dossier(cx, owner, entries, &stop))
        .buffer_unordered(PARALLEL_DOSSIERS);
    while let Some(flushed) = dossiers.next().await {
        report.add(&flushed?);
    }
    drop(dossiers);
    report.pending = cx.dossiers.pending_count(owner)?;
    Ok(report)
}

impl OutboxReport {
    fn add(&mut self, flushed: &OutboxReport) {
        self.sent += flushed.sent;
        self.failed += flushed.failed;
        self.waiting_for_level2 += flushed.waiting_for_level2;
        self.needs_login |= flushed.needs_login;
    }
}

fn in_batches(dossiers: Vec<Vec<OutboxItem>>) -> Vec<Vec<Vec<OutboxItem>>> {
    let mut dossiers = dossiers.into_iter().peekable();
    let mut batches = Vec::new();
    while dossiers.peek().is_some() {
        batches.push(dossiers.by_ref().take(BATCH_DOSSIERS).collect());
    }
    batches
}

/// Due entries grouped by dossier, each group in queue order, the groups in the order of
/// their first entry.
fn by_dossier(due: Vec<OutboxItem>) -> Vec<Vec<OutboxItem>> {
    let mut groups: Vec<Vec<OutboxItem>> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for item in due {
        match index.get(&item.dossier_id) {
            Some(&at) => groups[at].push(item),
            None => {
                index.insert(item.dossier_id.clone(), groups.len());
                groups.push(vec![item]);
            }
        }
    }
    groups
}

/// Sends one dossier's due entries in order. An entry that stays queued holds back the ones
/// after it (an action never overtakes its dossier); one settled for good (received, refused,
/// dropped) lets the next go.
async fn flush_dossier(
    cx: &Context<'_>,
    owner: &Owner,
    entries: Vec<OutboxItem>,
    stop: &AtomicBool,
) -> Result<OutboxReport> {
    let mut report = OutboxReport::default();
    for item in entries {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let sent = match &item.action {
            None => send(cx, owner, &item).await.map(Delivered::Dossier),
            Some(action) => send_action(cx, owner, &item, action).await.map(Delivered::Action),
        };
        if !settle(cx, owner, &item, sent, stop, &mut report)? {
            break;
        }
    }
    Ok(report)
}

/// Sends the submissions heading a batch of dossiers' queues in one request; answers the report
/// and, for each dossier whose submission was settled for good, the entries after it.
async fn flush_batch(
    cx: &Context<'_>,
    owner: &Owner,
    dossiers: Vec<Vec<OutboxItem>>,
    stop: &AtomicBool,
) -> Result<(OutboxReport, Vec<Vec<OutboxItem>>)> {
    let mut report = OutboxReport::default();
    if stop.load(Ordering::Relaxed) {
        return Ok((report, Vec::new()));
    }
    let heads: Vec<&OutboxItem> = dossiers.iter().map(|entries| &entries[0]).collect();
    let answers = send_batch(cx, owner, &heads).await?;
    let mut rest = Vec::new();
    let mut received = Vec::new();
    for (mut entries, answer) in dossiers.into_iter().zip(answers) {
        let sent = match answer {
            InBatch::Sent(sent) => sent,
            InBatch::Alone => {
                rest.push(entries);
                continue;
            }
        };
        let item = entries.remove(0);
        match sent {
            Ok(answer) => received.push((item, answer, entries)),
            Err(failure) => {
                if settle(cx, owner, &item, Err(failure), stop, &mut report)? && !entries.is_empty() {
                    rest.push(entries);
                }
            }
        }
    }
    // The received ones are recorded together: one transaction for the batch.
    let pairs: Vec<(&OutboxItem, &SubmitAnswer)> = received.iter().map(|(item, answer, _)| (item, answer)).collect();
    let statuses = if pairs.is_empty() { Vec::new() } else { cx.dossiers.mark_all_received(owner, &pairs)? };
    let mut events = Vec::with_capacity(received.len());
    for ((item, answer, entries), status) in received.into_iter().zip(statuses) {
        report.sent += 1;
        if let Some(status) = status {
            events.push(Event::DossierStatusChanged { dossier_id: item.dossier_id, code: Some(answer.code), status });
        }
        if !entries.is_empty() {
            rest.push(entries);
        }
    }
    cx.events.on_events(events);
    Ok((report, rest))
}

/// Records what became of one attempt at an entry; true when the entries after it may go.
fn settle(
    cx: &Context<'_>,
    owner: &Owner,
    item: &OutboxItem,
    sent: Result<Delivered, Failure>,
    stop: &AtomicBool,
    report: &mut OutboxReport,
) -> Result<bool> {
    match sent {
        Ok(delivered) => {
            let (changed, code) = match delivered {
                Delivered::Dossier(answer) => (cx.dossiers.mark_received(owner, item, &answer)?, answer.code),
                Delivered::Action(answer) => (cx.dossiers.mark_action_done(owner, item, &answer)?, answer.code),
            };
            report.sent += 1;
            let dossier_id = item.dossier_id.clone();
            cx.events.on_event(match changed {
                Some(status) => Event::DossierStatusChanged { dossier_id, code: Some(code), status },
                // A rating delivered: the dossier says so now; its status stays.
                None => Event::DossierUpdated { dossier_id },
            });
        }
        // A supplement or a withdrawal the portal will not take (the round closed, the
        // dossier is being processed): dropped with the reason; the dossier stays as it is.
        Err(Failure::Attempt { class: Class::Permanent | Class::NotFound | Class::Conflict, reason })
            if item.action.is_some() =>
        {
            cx.dossiers.drop_action(item, &reason)?;
            report.failed += 1;
        }
        // The data key cannot open this entry: it waits, queued, for the recovery (log in
        // again); the rest of the queue goes on.
        Err(Failure::Local(Error::UserDataUnreadable { .. })) => return Ok(false),
        Err(Failure::Local(error)) => return Err(error),
        Err(Failure::Attempt { class: Class::Permanent | Class::NotFound, reason }) => {
            cx.dossiers.mark_failed(item, &reason)?;
            report.failed += 1;
            cx.events.on_event(Event::DossierStatusChanged {
                dossier_id: item.dossier_id.clone(),
                code: None,
                status: DossierStatus::Failed,
            });
        }
        Err(Failure::Attempt { class: Class::Conflict, reason }) => {
            // What the portal holds under this id stays this id (the status feed brings
            // it); what the resident has here is kept as a refused dossier of its own.
            if let Some(kept) = cx.dossiers.split_off_conflict(item, &reason)? {
                report.failed += 1;
                cx.events.on_event(Event::DossierStatusChanged {
                    dossier_id: kept,
                    code: None,
                    status: DossierStatus::Failed,
                });
            }
        }
        Err(Failure::Attempt { class: Class::NeedsLevel2, .. }) => {
            report.waiting_for_level2 += 1;
            cx.dossiers.reschedule(
                item,
                next_attempt(item),
                "cần đăng nhập VNeID mức 2 / needs a VNeID level 2 login",
            )?;
            return Ok(false);
        }
        Err(Failure::Attempt { class: Class::NeedsLogin, .. }) => {
            report.needs_login = true;
            stop.store(true, Ordering::Relaxed);
            cx.dossiers.reschedule(item, 0, "cần đăng nhập / needs a login")?;
            return Ok(false);
        }
        Err(Failure::Attempt { class: Class::Offline, reason }) => {
            stop.store(true, Ordering::Relaxed);
            cx.dossiers.reschedule(item, next_attempt(item), &reason)?;
            return Ok(false);
        }
        Err(Failure::Attempt { class: Class::RetryLater, reason }) => {
            cx.dossiers.reschedule(item, next_attempt(item), &reason)?;
            return Ok(false);
        }
    }
    Ok(true)
}

/// What the portal answered to a delivered entry.
enum Delivered {
    Dossier(SubmitAnswer),
    /// A later action: the dossier as the status feed shows it.
    Action(RemoteDossier),
}

/// A supplement (the form as it stands, the round's attachments uploaded first) or a
/// withdrawal, under the action's permanent id: the portal answers a retry with its first
/// answer.
async fn send_action(
    cx: &Context<'_>,
    owner: &Owner,
    item: &OutboxItem,
    action: &QueuedAction,
) -> Result<RemoteDossier, Failure> {
    still_logged_in(cx, owner)?;
    let (path, body) = match &action.what {
        ActionPayload::Supplement { round } => {
            let dossier = cx.dossiers.get(Some(owner), &item.dossier_id)?;
            let attachments = cx.dossiers.round_attachments(owner, &item.dossier_id, *round)?;
            for attachment in &attachments {
                upload(cx, owner, attachment).await?;
            }
            let attachments: Vec<_> = attachments
                .iter()
                .map(|a| json!({"sha256": a.sha256, "name": a.name, "document": a.document}))
                .collect();
            let body = json!({
                "supplement_id": action.id, "round": round, "fields": dossier.fields, "attachments": attachments,
            });
            ("supplements", body)
        }
        ActionPayload::Withdrawal { reason } => ("withdrawal", json!({"withdrawal_id": action.id, "reason": reason})),
        ActionPayload::Rating { rating } => (
            "rating",
            json!({"rating_id": action.id, "verdict": rating.verdict, "scores": rating.scores, "comment": rating.comment}),
        ),
    };
    let url = cx.portal.url(&format!("api/v1/dossiers/{}/{path}", segment(&item.dossier_id)?))?;
    let body = body.to_string();
    let answer =
        cx.portal.send_authorized(&cx.identity.acting_for(owner), Request::post(url).json(body.as_bytes())).await?;
    if !answer.is_success() {
        let error = ErrorBody::parse(&answer.body);
        if error.error.as_deref() == Some("attachment_missing")
            && let Some(sha256) = error.field
        {
            cx.dossiers.set_upload_done(owner, &sha256, false)?;
        }
        return Err(answer.refusal().into());
    }
    let answer: RemoteDossier = answer.json()?;
    if answer.dossier_id != item.dossier_id {
        return Err(PortalError::malformed("api/v1/dossiers", "the portal answered for another dossier").into());
    }
    Ok(answer)
}

/// Another process on the data dir may have logged someone else in since the sync began: an
/// entry is not prepared (nor its files uploaded) for a resident no longer logged in. Each request
/// checks it again: it is made `acting_for` the owner.
pub(crate) fn still_logged_in(cx: &Context<'_>, owner: &Owner) -> Result<(), Failure> {
    if cx.identity.owner()?.as_ref() != Some(owner) {
        return Err(Error::from(crate::error::AuthError::NotLoggedIn).into());
    }
    Ok(())
}

fn next_attempt(item: &OutboxItem) -> i64 {
    after_backoff(item.attempts)
}

/// When an entry tried `attempts` times before is tried next (unix seconds).
pub(crate) fn after_backoff(attempts: u32) -> i64 {
    chrono::Utc::now().timestamp() + backoff_secs(attempts + 1, unit_random())
}

/// Where one dossier is submitted, and where several are.
const SUBMIT_PATH: &str = "api/v1/dossiers";
const BATCH_PATH: &str = "api/v1/dossier-batches";

/// Reads a dossier and uploads what its attachments still lack: its submission, ready to send.
async fn prepare(cx: &Context<'_>, owner: &Owner, item: &OutboxItem) -> Result<serde_json::Value, Failure> {
    let dossier = cx.dossiers.get(Some(owner), &item.dossier_id)?;
    for attachment in &dossier.attachments {
        upload(cx, owner, attachment).await?;
    }
    Ok(submission(&dossier))
}

/// What `POST /api/v1/dossiers` takes, alone or in a batch.
fn submission(dossier: &Dossier) -> serde_json::Value {
    json!({
        "dossier_id": dossier.id,
        "procedure_code": dossier.procedure_code,
        "applicant": dossier.applicant,
        "for_person": dossier.for_person,
        "fields": dossier.fields,
        "attachments": dossier.attachments.iter().map(|a| json!({"sha256": a.sha256, "name": a.name})).collect::<Vec<_>>(),
    })
}

async fn send(cx: &Context<'_>, owner: &Owner, item: &OutboxItem) -> Result<SubmitAnswer, Failure> {
    still_logged_in(cx, owner)?;
    let body = prepare(cx, owner, item).await?.to_string();
    let url = cx.portal.url(SUBMIT_PATH)?;
    let answer =
        cx.portal.send_authorized(&cx.identity.acting_for(owner), Request::post(url).json(body.as_bytes())).await?;
    received(cx, owner, item, answer.status.as_u16(), &answer.body)
}

/// What the portal answered one dossier (alone, or within a batch): its receipt, or why not.
fn received(
    cx: &Context<'_>,
    owner: &Owner,
    item: &OutboxItem,
    status: u16,
    body: &[u8],
) -> Result<SubmitAnswer, Failure> {
    if (200..300).contains(&status) {
        let answer: SubmitAnswer = serde_json::from_slice(body).map_err(|e| PortalError::malformed(SUBMIT_PATH, e))?;
        if answer.dossier_id != item.dossier_id {
            return Err(PortalError::malformed(SUBMIT_PATH, "the portal answered for another dossier").into());
        }
        return Ok(answer);
    }
    let error = ErrorBody::parse(body);
    if error.error.as_deref() == Some("attachment_missing")
        && let Some(sha256) = error.field
    {
        // The portal lost an attachment we thought sent: upload it again next time.
        cx.dossiers.set_upload_done(owner, &sha256, false)?;
    }
    Err(PortalError::refused(status, SUBMIT_PATH, body).into())
}

/// The answer to `POST /api/v1/dossier-batches` (public for the fuzz targets in `fuzz/`).
#[derive(Deserialize)]
pub struct BatchAnswer {
    pub results: Vec<BatchResult>,
}

/// One dossier's answer in a batch: what the single route would have answered it.
#[derive(Deserialize)]
pub struct BatchResult {
    pub dossier_id: String,
    pub status: u16,
    pub body: Box<serde_json::value::RawValue>,
}

/// What became of a dossier offered to a batch.
enum InBatch {
    /// Sent (in the batch, or alone where the portal takes no batches): the portal's answer.
    Sent(Result<SubmitAnswer, Failure>),
    /// Some attachment is not at the portal yet: the dossier goes alone, after its uploads, so
    /// that a slow upload never holds back the batch.
    Alone,
}

/// Submits several dossiers in one request; one outcome per item, in order. A portal without
/// the batch route, or refusing the batch itself for good, gets each dossier alone.
async fn send_batch(cx: &Context<'_>, owner: &Owner, items: &[&OutboxItem]) -> Result<Vec<InBatch>> {
    if let Err(failure) = still_logged_in(cx, owner) {
        return Ok(for_each(failure, items.len())?.into_iter().map(InBatch::Sent).collect());
    }
    let mut outcomes: Vec<Option<InBatch>> = Vec::with_capacity(items.len());
    let mut bodies = Vec::with_capacity(items.len());
    for item in items {
        let ready = || -> Result<Option<serde_json::Value>, Failure> {
            let dossier = cx.dossiers.get(Some(owner), &item.dossier_id)?;
            for attachment in &dossier.attachments {
                if !cx.dossiers.upload_done(owner, &attachment.sha256)? {
                    return Ok(None);
                }
            }
            Ok(Some(submission(&dossier)))
        };
        match ready() {
            Ok(Some(body)) => {
                bodies.push(body);
                outcomes.push(None);
            }
            Ok(None) => outcomes.push(Some(InBatch::Alone)),
            Err(failure) => outcomes.push(Some(InBatch::Sent(Err(failure)))),
        }
    }
    let sent: Vec<&OutboxItem> = items.iter().zip(&outcomes).filter(|(_, o)| o.is_none()).map(|(i, _)| *i).collect();
    let mut results = if sent.is_empty() {
        Vec::new()
    } else {
        match batch_request(cx, owner, &sent, bodies).await? {
            Some(results) => results,
            None => {
                let mut one_by_one = Vec::with_capacity(sent.len());
                for item in &sent {
                    one_by_one.push(send(cx, owner, item).await);
                }
                one_by_one
            }
        }
    }
    .into_iter();
    Ok(outcomes
        .into_iter()
        .map(|outcome| outcome.unwrap_or_else(|| InBatch::Sent(results.next().expect("one result per item sent"))))
        .collect())
}

/// One request for `items` (their `bodies`); `None` when the portal wants them one by one.
async fn batch_request(
    cx: &Context<'_>,
    owner: &Owner,
    items: &[&OutboxItem],
    bodies: Vec<serde_json::Value>,
) -> Result<Option<Vec<Result<SubmitAnswer, Failure>>>> {
    let body = json!({ "dossiers": bodies }).to_string();
    let url = cx.portal.url(BATCH_PATH)?;
    let answer =
        match cx.portal.send_authorized(&cx.identity.acting_for(owner), Request::post(url).json(body.as_bytes())).await
        {
            Ok(answer) => answer,
            Err(error) => return for_each(error.into(), items.len()).map(Some),
        };
    if !answer.is_success() {
        let failure = Failure::from(answer.refusal());
        return match failure {
            // No such route (an older portal), or a batch it will not take: each goes alone
            // and gets its own verdict.
            Failure::Attempt { class: Class::Permanent | Class::NotFound | Class::Conflict, .. } => Ok(None),
            failure => for_each(failure, items.len()).map(Some),
        };
    }
    let batch: BatchAnswer = match serde_json::from_slice(&answer.body) {
        Ok(batch) => batch,
        Err(e) => return for_each(PortalError::malformed(BATCH_PATH, e).into(), items.len()).map(Some),
    };
    if batch.results.len() != items.len() || batch.results.iter().zip(items).any(|(r, i)| r.dossier_id != i.dossier_id)
    {
        let wrong = PortalError::malformed(BATCH_PATH, "the results do not answer the dossiers sent");
        return for_each(wrong.into(), items.len()).map(Some);
    }
    Ok(Some(
        batch
            .results
            .iter()
            .zip(items)
            .map(|(result, item)| received(cx, owner, item, result.status, result.body.get().as_bytes()))
            .collect(),
    ))
}

/// A failure of the whole request, for each of its `count` dossiers; a failure on the phone
/// other than an unreadable entry stops the flush, as it does for one dossier.
fn for_each(failure: Failure, count: usize) -> Result<Vec<Result<SubmitAnswer, Failure>>> {
    let each: Box<dyn Fn() -> Failure> = match failure {
        Failure::Attempt { class, reason } => Box::new(move || Failure::Attempt { class, reason: reason.clone() }),
        Failure::Local(Error::UserDataUnreadable { what }) => {
            Box::new(move || Failure::Local(Error::UserDataUnreadable { what: what.clone() }))
        }
        Failure::Local(error) => return Err(error),
    };
    Ok((0..count).map(|_| Err(each())).collect())
}

#[derive(Deserialize)]
struct UploadState {
    received: u64,
    complete: bool,
}

pub(crate) async fn upload(cx: &Context<'_>, owner: &Owner, attachment: &Attachment) -> Result<(), Failure> {
    if cx.dossiers.upload_done(owner, &attachment.sha256)? {
        return Ok(());
    }
    // A file that cannot be read can never be sent: the dossier is kept as failed, with the
    // reason, for the resident to attach it again. The reason is stored in the clear, so it
    // does not name the file (its name is sealed: it may name the resident).
    let bytes = cx.dossiers.attachment_bytes(&attachment.sha256).map_err(|e| Failure::Attempt {
        class: Class::Permanent,
        reason: format!("một tệp đính kèm không đọc được / an attachment cannot be read: {e}"),
    })?;
    let announce = json!({
        "sha256": attachment.sha256,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "name": attachment.name,
    })
    .to_string();
    let url = cx.portal.url("api/v1/attachments")?;
    let answer =
        cx.portal.send_authorized(&cx.identity.acting_for(owner), Request::post(url).json(announce.as_bytes())).await?;
    let mut state: UploadState = answer.json()?;
    let mut stalled = 0;
    while !state.complete {
        if stalled >= MAX_STALLED_CHUNKS {
            // The entry stays queued and is tried again after its backoff.
            return Err(PortalError::NoProgress { path: "api/v1/attachments".into(), tries: stalled }.into());
        }
        let start = state.received as usize;
        if start >= bytes.len() {
            return Err(
                PortalError::malformed("api/v1/attachments", "the portal holds more bytes than the file has").into()
            );
        }
        let end = (start + CHUNK_BYTES).min(bytes.len());
        let url =
            cx.portal.url(&format!("api/v1/attachments/{}/content?offset={start}", segment(&attachment.sha256)?))?;
        let chunk = Request::new(reqwest::Method::PUT, url).body("application/octet-stream", &bytes[start..end]);
        let answer = cx.portal.send_authorized(&cx.identity.acting_for(owner), chunk).await?;
        let before = state.received;
        match resume_position(&answer) {
            Some(received) => state.received = received,
            None => state = answer.json()?,
        }
        if state.received <= before && !state.complete {
            stalled += 1;
        }
    }
    cx.dossiers.set_upload_done(owner, &attachment.sha256, true)?;
    Ok(())
}

/// A chunk that did not start where the upload stands: where to resume.
fn resume_position(answer: &Answer) -> Option<u64> {
    let error = (answer.status.as_u16() == 409).then(|| ErrorBody::parse(&answer.body))?;
    (error.error.as_deref() == Some("offset_mismatch")).then_some(error.received?)
}

/// A page of the resident's status feed, `GET /api/v1/dossiers?since=` (public for the fuzz
/// targets in `fuzz/`).
#[derive(Deserialize)]
pub struct StatusPage {
    pub items: Vec<RemoteDossier>,
    pub next_since: u64,
}

/// Asks the portal which of `owner`'s dossiers changed since the last time (their own cursor);
/// emits an event for each status change.
pub async fn refresh_statuses(cx: &Context<'_>, owner: &Owner) -> Result<u32> {
    let since = cx.dossiers.status_cursor(owner)?;
    let url = cx.portal.url(&format!("api/v1/dossiers?since={since}"))?;
    let page: StatusPage =
        cx.portal.send_authorized(&cx.identity.acting_for(owner), Request::get(url)).await?.json()?;
    let changed = cx.dossiers.apply_remote(owner, &page.items, page.next_since, cx.catalog)?;
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
    fn a_local_failure_stops_the_flush_instead_of_failing_the_dossier() {
        let full = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL), None);
        assert!(matches!(Failure::from(Error::Storage(full)), Failure::Local(_)));
        assert!(matches!(Failure::from(Error::Io(std::io::Error::other("disk full"))), Failure::Local(_)));
        let refused = Failure::from(PortalError::refused(400, "api/v1/dossiers", br#"{"error":"validation"}"#));
        assert!(matches!(refused, Failure::Attempt { class: Class::Permanent, .. }));
        let busy = Failure::from(PortalError::refused(503, "api/v1/dossiers", b""));
        assert!(matches!(busy, Failure::Attempt { class: Class::RetryLater, .. }));
    }

    #[test]
    fn entries_are_grouped_by_dossier_in_queue_order() {
        let item = |seq, dossier: &str| OutboxItem { seq, dossier_id: dossier.into(), attempts: 0, action: None };
        let due = vec![item(1, "a"), item(2, "b"), item(3, "a"), item(4, "c"), item(5, "b"), item(6, "a")];
        let groups: Vec<Vec<i64>> = by_dossier(due).iter().map(|g| g.iter().map(|i| i.seq).collect()).collect();
        assert_eq!(groups, [vec![1, 3, 6], vec![2, 5], vec![4]]);
    }

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
}
