//! Who owns a local record. Several residents may share one phone: every dossier, outbox
//! entry, attachment, timeline entry, payment, receipt, appointment, status-feed cursor,
//! favourite and recently viewed procedure in `user.db` carries its owner, and only the logged-in owner sees, sends or wipes it.
//!
//! The owner is stored as a tag, HMAC-SHA256 of the e-identity `sub` under a key derived from
//! the vault's data key ([`Vault::owner_tag`]): the raw `sub` is not in the file, and the tag
//! means nothing without the key in the platform's secure storage.
//!
//! Rows written before owners were recorded are [`UNCLAIMED`]: the first resident to log in
//! afterwards takes them, but only while no other resident has records on the phone (the
//! resident who was logged in at the upgrade, in practice). A dossier whose owner is NULL is a
//! draft made while logged out: anyone on the phone sees it until it is submitted, which needs
//! a login and binds it to that resident.

use rusqlite::params;

use crate::error::{Error, Result};
use crate::store::UserDb;
use crate::vault::Vault;

/// The owner of rows kept from before owners were recorded.
pub const UNCLAIMED: &str = "unclaimed";

/// The tables whose rows belong to a resident (each has an `owner` column).
const OWNED_TABLES: &[&str] = &[
    "report",
    "report_photo",
    "report_outbox",
    "dossier",
    "dossier_attachment",
    "dossier_event",
    "dossier_result",
    "outbox",
    "payment_request",
    "payment",
    "receipt",
    "appointment_request",
    "appointment",
];

/// Lists kept per resident (a code once per owner): favourites and recently viewed procedures.
/// Browsing needs no login, so they also have [`LOGGED_OUT`]'s lists.
const OWNED_LISTS: &[&str] = &["favorite", "recent_view"];

/// The owner of the lists kept while nobody is logged in.
pub const LOGGED_OUT: &str = "";

/// Whose lists the app shows now: the resident's, or the logged-out ones.
pub fn list_owner(owner: Option<&Owner>) -> &str {
    owner.map_or(LOGGED_OUT, Owner::tag)
}

/// A resident, as `user.db` knows them: the keyed tag of their `sub`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner(String);

impl Owner {
    pub fn of(vault: &Vault, sub: &str) -> Owner {
        Owner(vault.owner_tag(sub))
    }

    pub fn tag(&self) -> &str {
        &self.0
    }
}

/// Gives the unclaimed rows to `owner`, unless another resident already has records here.
/// Answers whether anything was claimed.
pub fn claim_unclaimed(db: &UserDb, owner: &Owner) -> Result<bool> {
    let mut conn = db.lock();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut unclaimed = 0;
    for table in OWNED_TABLES.iter().chain(OWNED_LISTS) {
        let others: i64 = tx.query_row(
            &format!("SELECT count(*) FROM {table} WHERE owner IS NOT NULL AND owner NOT IN (?1, ?2, ?3)"),
            params![owner.tag(), UNCLAIMED, LOGGED_OUT],
            |r| r.get(0),
        )?;
        if others > 0 {
            return Ok(false);
        }
        unclaimed += tx.query_row(&format!("SELECT count(*) FROM {table} WHERE owner = ?1"), [UNCLAIMED], |r| {
            r.get::<_, i64>(0)
        })?;
    }
    if unclaimed == 0 {
        return Ok(false);
    }
    for table in OWNED_TABLES {
        tx.execute(&format!("UPDATE {table} SET owner = ?1 WHERE owner = ?2"), params![owner.tag(), UNCLAIMED])?;
    }
    move_lists(&tx, UNCLAIMED, owner.tag())?;
    tx.commit()?;
    Ok(true)
}

/// Gives the lists of `from` to `to`; a code `to` already has stays as `to` had it.
fn move_lists(tx: &rusqlite::Transaction, from: &str, to: &str) -> Result<()> {
    for table in OWNED_LISTS {
        tx.execute(&format!("UPDATE OR IGNORE {table} SET owner = ?1 WHERE owner = ?2"), params![to, from])?;
        tx.execute(&format!("DELETE FROM {table} WHERE owner = ?1"), [from])?;
    }
    Ok(())
}

/// After the data key was lost and a new one made, the owner tags (keyed by the old key) name
/// no one: every owned record becomes [`UNCLAIMED`], for [`claim_unclaimed`] at the next login.
/// Their sealed contents were kept aside by then; what stays readable is the clear part
/// (procedure, status, dossier code).
pub fn unclaim_all(db: &UserDb) -> Result<()> {
    let mut conn = db.lock();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for table in OWNED_TABLES {
        tx.execute(&format!("UPDATE {table} SET owner = ?1 WHERE owner IS NOT NULL"), [UNCLAIMED])?;
    }
    let owners_of_lists: Vec<String> = tx
        .prepare("SELECT owner FROM favorite WHERE owner NOT IN (?1, ?2) UNION SELECT owner FROM recent_view WHERE owner NOT IN (?1, ?2)")?
        .query_map([UNCLAIMED, LOGGED_OUT], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for tag in owners_of_lists {
        move_lists(&tx, &tag, UNCLAIMED)?;
    }
    // Per-owner state under the old tags: fetched again by the next owner.
    tx.execute("DELETE FROM upload", [])?;
    tx.execute("DELETE FROM profile_card", [])?;
    tx.execute("DELETE FROM feed_cursor", [])?;
    // The inbox is fetched again too (its own notices are only notices); push tokens are
    // registered again at login.
    tx.execute("DELETE FROM inbox_item", [])?;
    tx.execute("DELETE FROM inbox_cursor", [])?;
    tx.execute("DELETE FROM push_device", [])?;
    tx.commit()?;
    Ok(())
}

/// Deletes every record of `owner`, with their upload state, status-feed cursor and lists, in one
/// transaction. Other residents' records and drafts nobody owns stay. The sealed files the deleted
/// records named are listed in the same transaction, for
/// [`crate::dossier::Dossiers::remove_listed_files`].
///
/// With `discard_unsent` false, a resident with work the portal has not received yet (see
/// [`unsent`]) is refused with [`Error::UnsentWork`] and nothing is deleted.
pub fn wipe(db: &UserDb, owner: &Owner, discard_unsent: bool) -> Result<()> {
    let mut conn = db.lock();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if !discard_unsent {
        let count = unsent(&tx, owner)?;
        if count > 0 {
            return Err(Error::UnsentWork { count });
        }
    }
    for table in ["dossier_attachment", "dossier_result", "report_photo"] {
        tx.execute(
            &format!("INSERT OR IGNORE INTO file_to_remove (sha256) SELECT sha256 FROM {table} WHERE owner = ?1"),
            [owner.tag()],
        )?;
    }
    // Children before parents (the foreign keys of outbox and payment_request), then the
    // per-owner state.
    let tables = [
        "report_outbox",
        "report_photo",
        "report",
        "outbox",
        "payment_request",
        "dossier_event",
        "dossier_attachment",
        "dossier_result",
        "payment",
        "receipt",
        "dossier",
        "appointment_request",
        "appointment",
    ];
    let per_owner_state = ["upload", "feed_cursor", "profile_card", "inbox_item", "inbox_cursor", "push_device"];
    for table in tables.iter().chain(&per_owner_state).chain(OWNED_LISTS) {
        tx.execute(&format!("DELETE FROM {table} WHERE owner = ?1"), [owner.tag()])?;
    }
    // And nothing of theirs comes back: a sync or a notice still on its way when they logged
    // out writes nothing (`user.db` v15), until they log in again ([`welcome`]).
    tx.execute("INSERT OR IGNORE INTO wiped_owner (owner) VALUES (?1)", [owner.tag()])?;
    tx.commit()?;
    Ok(())
}

/// How many things `owner` asked for that the portal has not received yet: queued dossiers and
/// dossier actions, reports and report actions, bookings, cancellations and payment requests.
/// A wipe would lose them.
pub fn unsent(conn: &rusqlite::Connection, owner: &Owner) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM outbox WHERE owner = ?1)
              + (SELECT count(*) FROM report_outbox WHERE owner = ?1)
              + (SELECT count(*) FROM appointment_request WHERE owner = ?1)
              + (SELECT count(*) FROM appointment WHERE owner = ?1 AND status = 'cancelling')
              + (SELECT count(*) FROM payment_request WHERE owner = ?1)",
        [owner.tag()],
        |r| r.get(0),
    )?)
}

/// A resident logging in: their records may be written again after a [`wipe`].
pub fn welcome(db: &UserDb, owner: &Owner) -> Result<()> {
    db.lock().execute("DELETE FROM wiped_owner WHERE owner = ?1", [owner.tag()])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_with(owners: &[Option<&str>]) -> (tempfile::TempDir, UserDb) {
        let dir = tempfile::tempdir().unwrap();
        let db = UserDb::open(dir.path()).unwrap();
        for (i, owner) in owners.iter().enumerate() {
            db.lock()
                .execute(
                    "INSERT INTO dossier (id, procedure_code, procedure_name, applicant, fields, status, created_at,
                                          updated_at, owner) VALUES (?1, 'p', 'n', 'citizen', x'00', 'queued', 't', 't', ?2)",
                    params![format!("d{i}"), owner],
                )
                .unwrap();
        }
        (dir, db)
    }

    fn owners(db: &UserDb) -> Vec<Option<String>> {
        let conn = db.lock();
        let mut stmt = conn.prepare("SELECT owner FROM dossier ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn unclaimed_rows_go_to_the_first_resident_only_when_nobody_else_has_data() {
        let vault = Vault::from_key(&[1; 32]);
        let (a, b) = (Owner::of(&vault, "sub-a"), Owner::of(&vault, "sub-b"));
        let (_dir, db) = db_with(&[Some(UNCLAIMED), None]);
        assert!(claim_unclaimed(&db, &a).unwrap());
        assert_eq!(owners(&db), vec![Some(a.tag().to_owned()), None], "a logged-out draft stays nobody's");
        assert!(!claim_unclaimed(&db, &b).unwrap(), "nothing left to claim");

        let (_dir, db) = db_with(&[Some(UNCLAIMED), Some(a.tag())]);
        assert!(!claim_unclaimed(&db, &b).unwrap(), "A has data here: B claims nothing");
        assert_eq!(owners(&db), vec![Some(UNCLAIMED.to_owned()), Some(a.tag().to_owned())]);
        assert!(claim_unclaimed(&db, &a).unwrap(), "A may claim next to A's own records");
    }

    #[test]
    fn unclaimed_lists_are_claimed_beside_the_residents_own_and_logged_out_lists_do_not_block() {
        let vault = Vault::from_key(&[1; 32]);
        let a = Owner::of(&vault, "sub-a");
        let (_dir, db) = db_with(&[]);
        let rows = [(UNCLAIMED, "X"), (UNCLAIMED, "Y"), (a.tag(), "X"), (LOGGED_OUT, "Z")];
        for (owner, code) in rows {
            db.lock().execute("INSERT INTO favorite VALUES (?1, ?2, 't')", params![owner, code]).unwrap();
        }
        assert!(claim_unclaimed(&db, &a).unwrap());
        let conn = db.lock();
        let mut stmt = conn.prepare("SELECT owner = ?1, code FROM favorite ORDER BY code").unwrap();
        let kept: Vec<(bool, String)> =
            stmt.query_map([a.tag()], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
        assert_eq!(kept, [(true, "X".to_owned()), (true, "Y".to_owned()), (false, "Z".to_owned())]);
    }

    #[test]
    fn wiping_removes_only_the_owners_records() {
        let vault = Vault::from_key(&[1; 32]);
        let (a, b) = (Owner::of(&vault, "sub-a"), Owner::of(&vault, "sub-b"));
        let (_dir, db) = db_with(&[Some(a.tag()), Some(b.tag()), None]);
        wipe(&db, &a, false).unwrap();
        assert_eq!(owners(&db), vec![Some(b.tag().to_owned()), None]);
    }

    #[test]
    fn a_wipe_that_would_lose_unsent_work_is_refused_unless_asked_to_discard_it() {
        let vault = Vault::from_key(&[1; 32]);
        let (a, b) = (Owner::of(&vault, "sub-a"), Owner::of(&vault, "sub-b"));
        let (_dir, db) = db_with(&[Some(a.tag()), Some(b.tag())]);
        let queue = |dossier: &str, owner: &Owner| {
            db.lock()
                .execute(
                    "INSERT INTO outbox (dossier_id, entry_id, attempts, next_attempt_at, created_at, owner)
                     VALUES (?1, ?1, 0, 0, 't', ?2)",
                    params![dossier, owner.tag()],
                )
                .unwrap()
        };
        queue("d1", &b);
        assert_eq!(unsent(&db.lock(), &a).unwrap(), 0, "another resident's queue is not A's");
        queue("d0", &a);
        assert_eq!(unsent(&db.lock(), &a).unwrap(), 1);

        let refused = wipe(&db, &a, false).unwrap_err();
        assert!(matches!(refused, Error::UnsentWork { count: 1 }), "{refused:?}");
        assert_eq!(owners(&db), vec![Some(a.tag().to_owned()), Some(b.tag().to_owned())], "nothing deleted");
        let queued: i64 = db.lock().query_row("SELECT count(*) FROM outbox", [], |r| r.get(0)).unwrap();
        assert_eq!(queued, 2);

        wipe(&db, &a, true).unwrap();
        assert_eq!(owners(&db), vec![Some(b.tag().to_owned())]);
        assert_eq!(unsent(&db.lock(), &b).unwrap(), 1, "B's queue stays");
    }
}
