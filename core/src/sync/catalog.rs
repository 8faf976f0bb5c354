//! The catalog change feed: full first, then delta, with the 304 path; resumable page by page
//! (stopping it between two pages, by dropping its future, loses nothing).

use std::borrow::Borrow;

use serde::Serialize;

use crate::catalog::model::{AdminUnits, ChangesPage, Procedure};
use crate::catalog::{Catalog, PROCEDURES_FEED, ReadyPage, SentProcedure, UNITS_FEED};
use crate::error::{Error, PortalError, Result};
use crate::events::{Event, EventListener};
use crate::transport::{Fetched, PortalClient};

/// Changes asked for per request: big enough to amortise a round trip, small enough to keep
/// memory flat (at most three pages are held: the one being stored, the next one made ready,
/// the one after it as it came: `PageRequest`). With two pages held, pages of 200 made the
/// peak 3-4 MiB higher and pages of 100 the sync about 6% longer (docs/performance.md).
pub const PAGE_SIZE: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOutcome {
    /// The portal said 304: the copy was already current.
    NotModified,
    Updated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub outcome: SyncOutcome,
    pub upserted: u64,
    pub removed: u64,
    pub pages: u32,
    /// The feed position the copy now holds.
    pub cursor: u64,
}

/// Syncs the procedure feed, then the administrative units. Progress goes to `events`.
pub async fn sync_catalog(portal: &PortalClient, catalog: &Catalog, events: &dyn EventListener) -> Result<SyncReport> {
    match sync_once(portal, catalog, events).await {
        // The copy was found damaged and rebuilt empty: fill it from the beginning.
        Err(error) if crate::store::is_corruption(&error) => sync_once(portal, catalog, events).await,
        other => other,
    }
}

async fn sync_once(portal: &PortalClient, catalog: &Catalog, events: &dyn EventListener) -> Result<SyncReport> {
    // The units do not depend on the procedures: both conditional requests go out at once, so
    // an unchanged catalog costs one round trip, not two. Both run to their end (each stores
    // what changed on its own); the feeds found unchanged are then noted in one write, the
    // only one of an unchanged catalog. The procedures' failure is the one reported first.
    let (report, units) = tokio::join!(sync_procedures(portal, catalog, events), sync_units(portal, catalog));
    let unchanged: Vec<&str> =
        [(PROCEDURES_FEED, report.as_ref().map(|r| r.outcome)), (UNITS_FEED, units.as_ref().copied())]
            .into_iter()
            .filter(|(_, outcome)| matches!(outcome, Ok(SyncOutcome::NotModified)))
            .map(|(feed, _)| feed)
            .collect();
    let noted = if unchanged.is_empty() { Ok(()) } else { catalog.mark_synced(&unchanged) };
    let report = report?;
    units?;
    noted?;
    Ok(report)
}

async fn sync_procedures(portal: &PortalClient, catalog: &Catalog, events: &dyn EventListener) -> Result<SyncReport> {
    let state = catalog.feed_state(PROCEDURES_FEED)?;
    // The ETag names a catalog version; only a complete copy may claim to hold one.
    let etag = state.etag.filter(|_| state.complete);
    let mut report =
        SyncReport { outcome: SyncOutcome::Updated, upserted: 0, removed: 0, pages: 0, cursor: state.cursor };
    let mut total = None;
    let mut done = 0u64;
    let mut request = PageRequest::start(portal.clone(), state.cursor, etag, None);
    let mut folding: Option<tokio::task::JoinHandle<()>> = None;
    loop {
        let (page, page_etag, next) = match request.answer().await? {
            Fetched::NotModified => {
                report.outcome = SyncOutcome::NotModified;
                break;
            }
            Fetched::Fresh { value: Taken { page, next, .. }, etag } => (page, etag, next),
        };
        let total = *total.get_or_insert(page.remaining);
        let (next_since, changes) = (page.next_since, page.items.len() as u64);
        let applied = catalog.apply_changes(&page, page_etag.as_deref())?;
        report.upserted += applied.upserted;
        report.removed += applied.removed;
        report.pages += 1;
        report.cursor = next_since;
        done += changes;
        events.on_event(Event::CatalogSyncProgress { done, total: total.max(done) });
        // A sync stopped from the progress callback (its task aborted) stops here, before the
        // next page is stored: that page is often fetched already, and awaiting a finished fetch
        // never hands the task back to the runtime, which alone can stop it.
        tokio::task::yield_now().await;
        let Some(next) = next else {
            if report.pages > 1 {
                if let Some(folding) = folding.take() {
                    let _ = folding.await;
                }
                catalog.fold_wal()?;
            }
            break;
        };
        if folding.as_ref().is_none_or(|f| f.is_finished()) {
            folding = catalog.fold_beside();
        }
        request = next;
    }
    Ok(report)
}

/// A request for one page of the change feed, on a task of its own: fetched, checked, and made
/// ready to store while the pages before it are stored. Once its page is parsed it asks for the
/// next one (the cursor is in the page), so that the portal's answer travels while this page is
/// made ready: the fetch, the making ready and the store of three pages overlap. At most three
/// pages are held: its answer is parsed, and the next asked for, only once the page before it
/// is taken to be stored (`before_taken`). Stopped when dropped (the sync stopped or failed),
/// and the requests it started with it.
struct PageRequest(tokio::task::JoinHandle<Result<Fetched<Taken>>>);

/// A page ready to store and the request for the next one. Taking it (dropping `_signal`)
/// lets that request ask for the page after it.
struct Taken {
    page: ReadyPage,
    next: Option<PageRequest>,
    _signal: Option<tokio::sync::oneshot::Sender<()>>,
}

impl PageRequest {
    /// `before_taken` closes when the page before this one is taken; `None` for the first.
    fn start(
        portal: PortalClient,
        since: u64,
        etag: Option<String>,
        before_taken: Option<tokio::sync::oneshot::Receiver<()>>,
    ) -> PageRequest {
        PageRequest(tokio::spawn(async move {
            let path = format!("api/v1/catalog/changes?since={since}&limit={PAGE_SIZE}");
            Ok(match portal.get_answer(&path, etag.as_deref()).await? {
                Fetched::NotModified => Fetched::NotModified,
                Fetched::Fresh { value: answer, etag } => {
                    // Held as it came (its bytes take half the room of the parsed page) until the
                    // page before is taken: closed, never sent (or the sync stopped).
                    if let Some(before_taken) = before_taken {
                        let _ = before_taken.await;
                    }
                    let value: ChangesPage<SentProcedure> = answer.json()?;
                    check_page(&value, since)?;
                    let (next, signal) = if value.has_more {
                        let (signal, this_taken) = tokio::sync::oneshot::channel();
                        let next = PageRequest::start(portal, value.next_since, None, Some(this_taken));
                        // A task spawned here waits in this worker's own slot until this one
                        // yields: it sends its request first, then this page is made ready.
                        tokio::task::yield_now().await;
                        (Some(next), Some(signal))
                    } else {
                        (None, None)
                    };
                    Fetched::Fresh { value: Taken { page: ReadyPage::new(value)?, next, _signal: signal }, etag }
                }
            })
        }))
    }

    async fn answer(&mut self) -> Result<Fetched<Taken>> {
        match (&mut self.0).await {
            Ok(answer) => answer,
            Err(stopped) if stopped.is_panic() => std::panic::resume_unwind(stopped.into_panic()),
            Err(_) => Err(Error::Cancelled),
        }
    }
}

impl Drop for PageRequest {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A page the portal sends must move forward, or a buggy feed would loop forever. Pure, and
/// public for the fuzz targets (`fuzz/`).
pub fn check_page<P: Borrow<Procedure>>(page: &ChangesPage<P>, since: u64) -> Result<()> {
    let malformed = |reason: &'static str| Error::from(PortalError::malformed("api/v1/catalog/changes", reason));
    // The cursor is stored as SQLite's signed 64-bit integer; a larger one would wrap and stop
    // every later sync. Every change's seq lies at or below it (checked below).
    if i64::try_from(page.next_since).is_err() {
        return Err(PortalError::OutOfRange { path: "api/v1/catalog/changes".into(), field: "next_since" }.into());
    }
    if page.has_more && page.next_since <= since {
        return Err(malformed("the cursor did not advance"));
    }
    if page.items.iter().any(|c| c.seq <= since || c.seq > page.next_since) {
        return Err(malformed("a change lies outside the page's cursor range"));
    }
    if page.items.iter().any(|c| !c.removed && c.procedure.as_ref().is_none_or(|p| p.borrow().code != c.code)) {
        return Err(malformed("a change's record does not match its code"));
    }
    Ok(())
}

/// The administrative units, replaced whole when they changed; an unchanged answer is noted by
/// the caller, with the procedures', in one write.
async fn sync_units(portal: &PortalClient, catalog: &Catalog) -> Result<SyncOutcome> {
    let state = catalog.feed_state(UNITS_FEED)?;
    match portal.get_json::<AdminUnits>("api/v1/units", state.etag.as_deref()).await? {
        Fetched::NotModified => Ok(SyncOutcome::NotModified),
        Fetched::Fresh { value, etag } => {
            catalog.replace_units(&value, etag.as_deref())?;
            Ok(SyncOutcome::Updated)
        }
    }
}
