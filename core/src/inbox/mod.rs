//! The resident's inbox on the phone: the city's announcements and alerts (synced by delta from
//! the portal, per resident) beside the app's own notices about their dossiers, payments and
//! reports, readable offline, each with its read state. Every row belongs to the resident it was
//! kept for ([`crate::owner`]).

pub mod client;
pub mod handle;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
pub use smarthd_model::alert::{Alert, Severity};

use crate::error::{Error, Result};
use crate::events::{Event, EventListener};
use crate::owner::Owner;
use crate::store::UserDb;
use crate::vault::Vault;
use std::sync::Arc;

/// Where an inbox item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxKind {
    Alert,
    Dossier,
    Payment,
    Report,
}

impl InboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxKind::Alert => "alert",
            InboxKind::Dossier => "dossier",
            InboxKind::Payment => "payment",
            InboxKind::Report => "report",
        }
    }

    fn parse(text: &str) -> InboxKind {
        match text {
            "dossier" => InboxKind::Dossier,
            "payment" => InboxKind::Payment,
            "report" => InboxKind::Report,
            _ => InboxKind::Alert,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxItem {
    pub item_id: String,
    pub kind: InboxKind,
    pub title: String,
    pub body: String,
    pub severity: Severity,
    pub valid_until: Option<String>,
    /// When it was published or happened (RFC 3339).
    pub at: String,
    pub read: bool,
}

pub struct Inbox {
    db: UserDb,
    /// Seals the push token: it names the resident's phone to the push service.
    vault: Arc<Vault>,
}

const SEALED_PUSH_TOKEN: &str = "push token";

const COLUMNS: &str = "item_id, kind, title, body, severity, valid_until, at, read";

fn item(r: &rusqlite::Row<'_>) -> rusqlite::Result<InboxItem> {
    Ok(InboxItem {
        item_id: r.get(0)?,
        kind: InboxKind::parse(&r.get::<_, String>(1)?),
        title: r.get(2)?,
        body: r.get(3)?,
        severity: Severity::parse(&r.get::<_, String>(4)?).unwrap_or(Severity::Info),
        valid_until: r.get(5)?,
        at: r.get(6)?,
        read: r.get(7)?,
    })
}

impl Inbox {
    /// Seals, once, a push token an older version kept in the clear (a sealed value starts with
    /// its format byte, 0x01, which no token holds). Looked for without the write lock: an open
    /// with nothing to seal (all but the first after the upgrade) takes none.
    pub fn open(db: UserDb, vault: Arc<Vault>) -> Result<Inbox> {
        const CLEAR: &str = "SELECT owner, token FROM push_device WHERE substr(token, 1, 1) != x'01'";
        let inbox = Inbox { db, vault };
        let mut db = inbox.db.lock();
        if !db.prepare(CLEAR)?.exists([])? {
            drop(db);
            return Ok(inbox);
        }
        // The clear bytes are overwritten, not left in the page's free space, and the WAL that
        // still holds them is emptied after (best effort: another process may be reading it).
        db.pragma_update(None, "secure_delete", true)?;
        let sealed = (|| -> Result<()> {
            let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let clear: Vec<(String, Vec<u8>)> =
                tx.prepare(CLEAR)?.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            for (owner, token) in clear {
                let sealed = inbox.vault.seal(SEALED_PUSH_TOKEN, &token)?;
                tx.execute("UPDATE push_device SET token = ?2 WHERE owner = ?1", params![owner, sealed])?;
            }
            tx.commit()?;
            Ok(())
        })();
        db.pragma_update(None, "secure_delete", false)?;
        sealed?;
        if let Err(error) = db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
            tracing::info!("the WAL is emptied at a later checkpoint: {:?}", Error::from(error).kind());
        }
        drop(db);
        Ok(inbox)
    }

    /// Keeps `owner`'s push token, sealed, replacing theirs; answers the value kept, for
    /// [`Inbox::forget_push_token`] to remove exactly it.
    pub fn keep_push_token(&self, owner: &Owner, token: &str, platform: &str) -> Result<Vec<u8>> {
        let sealed = self.vault.seal(SEALED_PUSH_TOKEN, token.as_bytes())?;
        self.db.lock().execute(
            "INSERT INTO push_device (owner, token, platform) VALUES (?1, ?2, ?3)
             ON CONFLICT (owner) DO UPDATE SET token = ?2, platform = ?3",
            params![owner.tag(), sealed, platform],
        )?;
        Ok(sealed)
    }

    /// `owner`'s push token, if one is kept.
    pub fn push_token(&self, owner: &Owner) -> Result<Option<String>> {
        let sealed: Option<Vec<u8>> = self
            .db
            .lock()
            .query_row("SELECT token FROM push_device WHERE owner = ?1", [owner.tag()], |r| r.get(0))
            .optional()?;
        let Some(sealed) = sealed else { return Ok(None) };
        Ok(String::from_utf8(self.vault.open_sealed(SEALED_PUSH_TOKEN, &sealed)?).ok())
    }

    /// Forgets `owner`'s push token: the one kept as `kept` only, or whichever is kept.
    pub fn forget_push_token(&self, owner: &Owner, kept: Option<&[u8]>) -> Result<()> {
        let db = self.db.lock();
        match kept {
            Some(kept) => {
                db.execute("DELETE FROM push_device WHERE owner = ?1 AND token = ?2", params![owner.tag(), kept])?
            }
            None => db.execute("DELETE FROM push_device WHERE owner = ?1", [owner.tag()])?,
        };
        Ok(())
    }

    /// Where `owner`'s alert feed stands.
    pub fn cursor(&self, owner: &Owner) -> Result<u64> {
        let db = self.db.lock();
        let cursor: Option<i64> = db
            .prepare_cached("SELECT cursor FROM inbox_cursor WHERE owner = ?1")?
            .query_row([owner.tag()], |r| r.get(0))
            .optional()?;
        Ok(cursor.unwrap_or(0) as u64)
    }

    /// Keeps a page of the feed and moves the cursor, in one transaction: a crash between the
    /// two never skips an alert. An alert kept before keeps its read state. Answers the new ones.
    pub fn keep_alerts<'a>(&self, owner: &Owner, alerts: &'a [Alert], next_since: u64) -> Result<Vec<&'a Alert>> {
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut new = Vec::new();
        {
            // Prepared once for the page, not once per alert.
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO inbox_item (item_id, kind, title, body, severity, valid_until, at, owner)
                 VALUES (?1, 'alert', ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for alert in alerts {
                let inserted = insert.execute(params![
                    alert.alert_id,
                    alert.title,
                    alert.body,
                    alert.severity.as_str(),
                    alert.valid_until,
                    alert.published_at,
                    owner.tag()
                ])?;
                if inserted > 0 {
                    new.push(alert);
                }
            }
        }
        tx.prepare_cached(
            "INSERT INTO inbox_cursor (owner, cursor) VALUES (?1, ?2)
             ON CONFLICT (owner) DO UPDATE SET cursor = MAX(cursor, ?2)",
        )?
        .execute(params![owner.tag(), next_since as i64])?;
        tx.commit()?;
        Ok(new)
    }

    /// Keeps the notice each event leaves (a dossier's, payment's or report's change), in one
    /// transaction; the same `item_id` twice is one notice. A dossier entering a status again
    /// (a second "needs more documents" round) makes its notice new again: unread, at this time.
    fn note(&self, owner: &Owner, notices: &[Notice]) -> Result<()> {
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO inbox_item (item_id, kind, title, body, severity, at, owner)
                 VALUES (?1, ?2, ?3, ?4, 'info', ?5, ?6)
                 ON CONFLICT (owner, item_id) DO UPDATE SET read = 0, at = excluded.at WHERE kind = 'dossier'",
            )?;
            let now = crate::catalog::now();
            for (kind, item_id, title, body) in notices {
                insert.execute(params![item_id, kind.as_str(), title, body, now, owner.tag()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// `owner`'s inbox, newest first; emergencies still in force come before everything. Times
    /// compared as instants: the portal writes Vietnam time (`+07:00`), the app's notices UTC.
    pub fn list(&self, owner: &Owner) -> Result<Vec<InboxItem>> {
        let db = self.db.lock();
        let mut stmt = db.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM inbox_item WHERE owner = ?1
             ORDER BY (severity = 'emergency' AND (valid_until IS NULL OR julianday(valid_until) > julianday(?2))) DESC,
                      julianday(at) DESC"
        ))?;
        let now = crate::catalog::now();
        Ok(stmt.query_map(params![owner.tag(), now], item)?.collect::<rusqlite::Result<_>>()?)
    }

    pub fn unread(&self, owner: &Owner) -> Result<u32> {
        let db = self.db.lock();
        Ok(db
            .prepare_cached("SELECT count(*) FROM inbox_item WHERE owner = ?1 AND NOT read")?
            .query_row([owner.tag()], |r| r.get(0))?)
    }

    /// Marks one of `owner`'s items read; another resident's is not found.
    pub fn mark_read(&self, owner: &Owner, item_id: &str) -> Result<()> {
        let changed = self
            .db
            .lock()
            .prepare_cached("UPDATE inbox_item SET read = 1 WHERE owner = ?1 AND item_id = ?2")?
            .execute(params![owner.tag(), item_id])?;
        if changed == 0 {
            return Err(Error::NotFound(format!("inbox item {item_id}")));
        }
        Ok(())
    }
}

/// Passes the core's events on to the app and keeps a notice of each change to `owner`'s
/// dossiers, payments and reports in their inbox, so the inbox holds the resident's own story
/// beside the city's alerts (a notification the phone dismissed is not lost). The same change
/// twice is one notice.
pub struct Noting<'a> {
    pub app: &'a dyn EventListener,
    pub inbox: &'a Inbox,
    pub owner: &'a Owner,
}

impl EventListener for Noting<'_> {
    fn on_event(&self, event: Event) {
        self.on_events(vec![event]);
    }

    /// A batch's notices are kept in one transaction, then each event goes to the app.
    fn on_events(&self, events: Vec<Event>) {
        let notices: Vec<Notice> = events.iter().filter_map(notice).collect();
        if !notices.is_empty()
            && let Err(error) = self.inbox.note(self.owner, &notices)
        {
            tracing::info!("inbox notices not kept: {error}");
        }
        for event in events {
            self.app.on_event(event);
        }
    }
}

/// A notice in the inbox: (kind, item id, title, body), Vietnamese and English.
type Notice = (InboxKind, String, String, String);

/// The notice an event leaves in the inbox.
fn notice(event: &Event) -> Option<Notice> {
    match event {
        Event::DossierStatusChanged { dossier_id, code, status } => {
            let code = code.as_deref().map(|c| format!(" {c}")).unwrap_or_default();
            let id = format!("dossier-{dossier_id}-{}", status.as_str());
            Some((InboxKind::Dossier, id, format!("Hồ sơ{code} / Dossier{code}"), status.label()))
        }
        Event::PaymentUpdated { order_id, status } => Some((
            InboxKind::Payment,
            format!("payment-{order_id}-{}", status.as_str()),
            format!("Thanh toán {order_id} / Payment {order_id}"),
            status.label().to_owned(),
        )),
        Event::ReportStatusChanged { report_id, code, state } => {
            let code = code.as_deref().map(|c| format!(" {c}")).unwrap_or_default();
            let (vi, en) = state.labels();
            Some((
                InboxKind::Report,
                format!("report-{report_id}-{}", state.as_str()),
                format!("Phản ánh{code} / Report{code}"),
                format!("{vi} / {en}"),
            ))
        }
        // An alert is in the inbox already; an update without a new status is no news; the
        // others are not the resident's story.
        Event::AlertReceived { .. }
        | Event::DossierUpdated { .. }
        | Event::CatalogSyncProgress { .. }
        | Event::SessionChanged { .. }
        | Event::AppointmentReminder { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(id: &str, severity: Severity, published_at: String, valid_until: Option<String>) -> Alert {
        Alert {
            alert_id: id.into(),
            title: id.into(),
            body: "Nội dung / details".into(),
            severity,
            communes: Vec::new(),
            valid_from: published_at.clone(),
            valid_until,
            published_at,
            seq: 1,
        }
    }

    /// The portal's times are Vietnam time, the app's notices UTC: as text, 09:00+07:00 reads
    /// later than 05:00Z, which is two hours after it.
    #[test]
    fn times_in_other_offsets_are_compared_as_instants() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = Inbox::open(UserDb::open(dir.path()).unwrap(), Arc::new(Vault::from_key(&[5; 32]))).unwrap();
        let owner = Owner::of(&crate::vault::Vault::from_key(&[5; 32]), "resident");
        let vietnam = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
        let ago = |hours| (chrono::Utc::now() - chrono::TimeDelta::hours(hours)).with_timezone(&vietnam).to_rfc3339();
        let alerts = [
            alert("emergency-over", Severity::Emergency, ago(3), Some(ago(1))),
            alert("info", Severity::Info, ago(2), None),
        ];
        inbox.keep_alerts(&owner, &alerts, 2).unwrap();
        let notice =
            (InboxKind::Dossier, "dossier-d1-received".to_owned(), "Hồ sơ".to_owned(), "Đã tiếp nhận".to_owned());
        inbox.note(&owner, &[notice]).unwrap();

        let order: Vec<String> = inbox.list(&owner).unwrap().into_iter().map(|i| i.item_id).collect();
        assert_eq!(order, ["dossier-d1-received", "info", "emergency-over"], "newest first; the emergency is over");
    }

    /// A second "needs more documents" round leaves the same notice id: the notice is new again.
    #[test]
    fn a_dossier_entering_a_status_again_makes_its_notice_unread() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = Inbox::open(UserDb::open(dir.path()).unwrap(), Arc::new(Vault::from_key(&[5; 32]))).unwrap();
        let owner = Owner::of(&crate::vault::Vault::from_key(&[5; 32]), "resident");
        let round = || {
            let id = "dossier-d1-need_more_documents".to_owned();
            (InboxKind::Dossier, id, "Hồ sơ".to_owned(), "Yêu cầu bổ sung".to_owned())
        };
        inbox.note(&owner, &[round()]).unwrap();
        inbox.mark_read(&owner, "dossier-d1-need_more_documents").unwrap();
        assert_eq!(inbox.unread(&owner).unwrap(), 0);
        inbox.note(&owner, &[round()]).unwrap();
        assert_eq!(inbox.unread(&owner).unwrap(), 1, "the second round is news");
        assert_eq!(inbox.list(&owner).unwrap().len(), 1, "one notice");
    }
}
