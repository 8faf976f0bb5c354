//! Sending field reports and their ratings, and following their progress.
//!
//! The same delivery as dossiers ([`super::outbox`]): an entry leaves the report outbox only in
//! the transaction that keeps the portal's answer; photos are uploaded first, resumably, by
//! their digest; the portal deduplicates on the report's (or the rating's) permanent id, so a
//! retry after a crash or a lost answer never makes a second report or a second rating.

use serde::Deserialize;
use serde_json::json;

use super::outbox::{self, Failure};
use crate::catalog::Catalog;
use crate::dossier::Attachment;
use crate::error::{Class, Error, ErrorBody, PortalError, Result};
use crate::events::Event;
use crate::owner::Owner;
use crate::report::{
    AREAS_LIST, CATEGORIES_LIST, Delivery, EntryKind, OutboxEntry, ReportState, ReportSyncReport, ReportView, Reports,
};
use crate::transport::{PortalClient, Request, segment};

/// The portal's feed page size: a shorter page is the last.
const FEED_PAGE: usize = 500;

pub struct Context<'a> {
    pub outbox: outbox::Context<'a>,
    pub reports: &'a Reports,
}

/// Fetches the report categories and commune boundaries the portal publishes, and keeps both
/// or neither: a draft needs both (the boundaries say whether the place is in the city).
pub async fn refresh_published(portal: &PortalClient, catalog: &Catalog) -> Result<()> {
    let mut fetched = Vec::new();
    for (list, path) in [(CATEGORIES_LIST, "api/v1/reports/categories"), (AREAS_LIST, "api/v1/reports/areas")] {
        let answer = portal.send(Request::get(portal.url(path)?)).await?;
        if !answer.is_success() {
            return Err(answer.refusal().into());
        }
        // Checked before it is kept: a list that does not parse would break drafting offline.
        let parses = match list {
            CATEGORIES_LIST => serde_json::from_slice::<Vec<crate::report::ReportCategory>>(&answer.body).is_ok(),
            _ => serde_json::from_slice::<Vec<crate::report::CommuneArea>>(&answer.body).is_ok(),
        };
        if !parses {
            return Err(PortalError::malformed(path, "not the published list").into());
        }
        fetched.push((list, answer.body));
    }
    let lists: Vec<(&str, &[u8])> = fetched.iter().map(|(list, body)| (*list, body.as_ref())).collect();
    catalog.keep_published(&lists)
}

/// Sends what is due (everything when `force`), then asks the portal how the resident's
/// reports stand.
pub async fn sync(cx: &Context<'_>, force: bool) -> Result<ReportSyncReport> {
    let Some(owner) = cx.outbox.owner else { return Ok(ReportSyncReport::default()) };
    let catalog = cx.outbox.catalog;
    let missing = catalog.published(CATEGORIES_LIST)?.is_none() || catalog.published(AREAS_LIST)?.is_none();
    if missing && let Err(error) = refresh_published(cx.outbox.portal, cx.outbox.catalog).await {
        tracing::info!("report categories not fetched: {error}");
    }
    let mut report = flush(cx, owner, force).await?;
    if !report.needs_login {
        match follow(cx, owner).await {
            Ok(changes) => report.status_changes = changes,
            Err(error) => tracing::info!("report progress not refreshed: {error}"),
        }
    }
    report.pending = cx.reports.pending_count(owner)?;
    Ok(report)
}

async fn flush(cx: &Context<'_>, owner: &Owner, force: bool) -> Result<ReportSyncReport> {
    let mut report = ReportSyncReport::default();
    for entry in cx.reports.due(owner, chrono::Utc::now().timestamp(), force)? {
        match send(cx, owner, &entry).await {
            Ok(view) => match cx.reports.delivered(owner, &entry, &view)? {
                // Settled by another sync meanwhile: its answer stands, told once.
                Delivery::ByAnother => {}
                // The feed told of a newer step already.
                Delivery::Overtaken => report.sent += 1,
                Delivery::Applied(state) => {
                    report.sent += 1;
                    if entry.kind == EntryKind::Submit {
                        tell(cx, &entry.report_id, Some(&view.code), state);
                    }
                }
            },
            // The data key cannot open this entry: it waits for the recovery.
            Err(Failure::Local(Error::UserDataUnreadable { .. })) => {}
            Err(Failure::Local(error)) => return Err(error),
            Err(Failure::Attempt { class: Class::Permanent | Class::NotFound | Class::Conflict, reason }) => {
                if !cx.reports.refused(&entry, &reason)? {
                    continue;
                }
                report.failed += 1;
                if entry.kind == EntryKind::Submit {
                    tell(cx, &entry.report_id, None, ReportState::Failed);
                }
            }
            Err(Failure::Attempt { class: Class::NeedsLogin, .. }) => {
                report.needs_login = true;
                cx.reports.reschedule(&entry, 0, "cần đăng nhập / needs a login")?;
                break;
            }
            Err(Failure::Attempt { class: Class::Offline, reason }) => {
                cx.reports.reschedule(&entry, outbox::after_backoff(entry.attempts), &reason)?;
                break;
            }
            Err(Failure::Attempt { class: Class::RetryLater | Class::NeedsLevel2, reason }) => {
                cx.reports.reschedule(&entry, outbox::after_backoff(entry.attempts), &reason)?
            }
        }
    }
    Ok(report)
}

async fn send(cx: &Context<'_>, owner: &Owner, entry: &OutboxEntry) -> Result<ReportView, Failure> {
    outbox::still_logged_in(&cx.outbox, owner)?;
    let (path, body) = match &entry.kind {
        EntryKind::Submit => {
            let report = cx.reports.get(owner, &entry.report_id)?;
            for (i, photo) in report.photos.iter().enumerate() {
                let attachment = Attachment {
                    sha256: photo.sha256.clone(),
                    name: format!("anh-hien-truong-{}.jpg", i + 1),
                    size: photo.size,
                    content_type: "image/jpeg".into(),
                    document: None,
                    round: 0,
                };
                outbox::upload(&cx.outbox, owner, &attachment).await?;
            }
            ("api/v1/reports".to_owned(), json!(report.to_new_report()))
        }
        EntryKind::Rating { rating_id, verdict } => (
            format!("api/v1/reports/{}/rating", segment(&entry.report_id)?),
            json!({"rating_id": rating_id, "verdict": verdict.as_str()}),
        ),
    };
    let body = body.to_string();
    let url = cx.outbox.portal.url(&path)?;
    let answer = cx
        .outbox
        .portal
        .send_authorized(&cx.outbox.identity.acting_for(owner), Request::post(url).json(body.as_bytes()))
        .await?;
    if !answer.is_success() {
        let error = ErrorBody::parse(&answer.body);
        if error.error.as_deref() == Some("attachment_missing")
            && let Some(sha256) = error.field
        {
            // The portal lost a photo we thought sent: upload it again next time.
            cx.outbox.dossiers.set_upload_done(owner, &sha256, false)?;
        }
        return Err(answer.refusal().into());
    }
    let view: ReportView = answer.json()?;
    if view.report_id != entry.report_id {
        return Err(PortalError::malformed("api/v1/reports", "the portal answered for another report").into());
    }
    Ok(view)
}

#[derive(Deserialize)]
struct FeedPage {
    items: Vec<ReportView>,
    next_since: u64,
}

/// Follows the resident's reports through the portal's feed; answers how many changed.
async fn follow(cx: &Context<'_>, owner: &Owner) -> Result<u32> {
    let mut changes = 0;
    loop {
        let since = cx.reports.cursor(owner)?;
        let page: FeedPage = cx
            .outbox
            .portal
            .authorized_json(&cx.outbox.identity.acting_for(owner), &format!("api/v1/reports?since={since}"))
            .await?;
        if page.next_since < since || page.next_since > i64::MAX as u64 {
            return Err(PortalError::OutOfRange { path: "api/v1/reports".into(), field: "next_since" }.into());
        }
        for (report_id, code, state) in cx.reports.apply_feed(owner, &page.items, page.next_since)? {
            tell(cx, &report_id, Some(&code), state);
            changes += 1;
        }
        if page.items.len() < FEED_PAGE || page.next_since == since {
            return Ok(changes);
        }
    }
}

/// A report's new state, told to the app (the sync's listener also keeps it in the inbox).
fn tell(cx: &Context<'_>, report_id: &str, code: Option<&str>, state: ReportState) {
    cx.outbox.events.on_event(Event::ReportStatusChanged {
        report_id: report_id.to_owned(),
        code: code.map(str::to_owned),
        state,
    });
}
