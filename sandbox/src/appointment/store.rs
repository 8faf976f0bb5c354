//! The appointment side of the sandbox's SQLite file: bookings (the row keyed by the client's
//! permanent booking id is the dedup record), the tester's extra slots and capacities, and the
//! ticket key.
//!
//! A booking is checked and inserted in one `IMMEDIATE` transaction: the write lock is taken
//! before the count of the slot's places is read, so of two residents racing for the last place
//! exactly one inserts, whatever connection or process the other comes through.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use smarthd_model::appointment::{BookingRefusal, MAX_DAYS_AHEAD, MAX_PER_DAY};

use super::schedule::{self, DEFAULT_CAPACITY};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS appointment_booking (
    booking_id TEXT PRIMARY KEY,             -- the client's permanent id: the dedup key
    sub TEXT NOT NULL,
    slot_id TEXT NOT NULL,
    counter_id TEXT NOT NULL,
    day TEXT NOT NULL,                       -- YYYY-MM-DD, Vietnam time
    starts_at TEXT NOT NULL,                 -- YYYY-MM-DDTHH:MM, Vietnam time
    procedure_code TEXT,
    number INTEGER NOT NULL,                 -- the place in the slot's queue
    status TEXT NOT NULL,                    -- booked | cancelled
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (slot_id, number)
);
CREATE INDEX IF NOT EXISTS appointment_booking_slot ON appointment_booking (slot_id, status);
CREATE INDEX IF NOT EXISTS appointment_booking_sub ON appointment_booking (sub, day, status);
-- Slots a tester added outside the timetable, and capacities a tester changed.
CREATE TABLE IF NOT EXISTS appointment_slot (
    slot_id TEXT PRIMARY KEY,
    capacity INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS appointment_secret (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
";

/// A booking as stored.
#[derive(Debug, Clone)]
pub struct Row {
    pub booking_id: String,
    pub slot_id: String,
    pub counter_id: String,
    pub start: NaiveDateTime,
    pub procedure_code: Option<String>,
    pub number: u32,
    pub status: String,
}

pub enum Booked {
    /// Made now.
    Created(Row),
    /// The same request again (a retry after a lost answer): the booking it made.
    Replayed(Row),
}

/// Why a booking was not made.
pub enum Refused {
    Rule(BookingRefusal),
    /// The booking id was used for another slot, procedure or resident.
    IdConflict,
    NoSuchSlot,
    /// A new booking names a procedure the catalog does not have.
    UnknownProcedure,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Db(e)
    }
}

pub enum StoreError {
    Db(rusqlite::Error),
    Refused(Refused),
}

#[derive(Debug, Serialize)]
pub struct SlotLedger {
    pub capacity: u32,
    pub booked: u32,
    pub cancelled: u32,
}

pub struct Store {
    db: Mutex<Connection>,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    row_at(r, 0)
}

const COLUMNS: &str = "booking_id, slot_id, counter_id, starts_at, procedure_code, number, status";

impl Store {
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        Ok(Store { db: crate::db::open(path, SCHEMA)? })
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        crate::db::lock(&self.db)
    }

    /// The named secret, made by `make` the first time and kept from then on.
    pub fn secret(&self, name: &str, make: impl FnOnce() -> Option<Vec<u8>>) -> rusqlite::Result<Option<Vec<u8>>> {
        crate::db::secret(&self.db(), "appointment_secret", name, make)
    }

    /// The slot's capacity, or `None` when no such slot exists (neither in the timetable nor
    /// added by a tester).
    pub fn capacity(&self, slot_id: &str, start: &NaiveDateTime) -> rusqlite::Result<Option<u32>> {
        capacity(&self.db(), slot_id, start)
    }

    /// Adds a slot outside the timetable, or changes a slot's capacity (tester's route).
    pub fn set_slot(&self, slot_id: &str, capacity: u32) -> rusqlite::Result<()> {
        self.db().execute(
            "INSERT INTO appointment_slot (slot_id, capacity) VALUES (?1, ?2)
             ON CONFLICT(slot_id) DO UPDATE SET capacity = excluded.capacity",
            params![slot_id, capacity],
        )?;
        Ok(())
    }

    /// The tester's slots of `counter_id` starting between `from` and `to` (outside the timetable
    /// or not).
    pub fn extra_slots(&self, counter_id: &str) -> rusqlite::Result<Vec<String>> {
        let db = self.db();
        let mut stmt = db.prepare("SELECT slot_id FROM appointment_slot WHERE slot_id LIKE ?1 || '-%'")?;
        let ids = stmt.query_map([counter_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Live bookings per slot, for the listed slots.
    pub fn booked_counts(&self, slot_ids: &[String]) -> rusqlite::Result<BTreeMap<String, u32>> {
        let db = self.db();
        let mut stmt =
            db.prepare("SELECT count(*) FROM appointment_booking WHERE slot_id = ?1 AND status = 'booked'")?;
        let mut counts = BTreeMap::new();
        for id in slot_ids {
            counts.insert(id.clone(), stmt.query_row([id], |r| r.get(0))?);
        }
        Ok(counts)
    }

    /// Checks the rules and books, in one IMMEDIATE transaction; a booking id seen before
    /// answers the booking it made, if it is the same request, whatever changed since (the
    /// procedure gone from the catalog, the slot full). `procedure_known`: the catalog has the
    /// procedure the booking names (or it names none).
    #[allow(clippy::too_many_arguments)]
    pub fn book(
        &self,
        sub: &str,
        booking_id: &str,
        slot_id: &str,
        procedure_code: Option<&str>,
        procedure_known: bool,
        now: NaiveDateTime,
    ) -> Result<Booked, StoreError> {
        let refused = |r: Refused| Err(StoreError::Refused(r));
        let Some((counter_id, start)) = schedule::parse_slot_id(slot_id) else { return refused(Refused::NoSuchSlot) };
        if schedule::counter(&counter_id).is_none() {
            return refused(Refused::NoSuchSlot);
        }
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(String, Row)> = tx
            .query_row(
                &format!("SELECT sub, {COLUMNS} FROM appointment_booking WHERE booking_id = ?1"),
                [booking_id],
                |r| Ok((r.get(0)?, row_at(r, 1)?)),
            )
            .optional()?;
        if let Some((owner, found)) = existing {
            if owner == sub && found.slot_id == slot_id && found.procedure_code.as_deref() == procedure_code {
                return Ok(Booked::Replayed(found));
            }
            return refused(Refused::IdConflict);
        }
        if !procedure_known {
            return refused(Refused::UnknownProcedure);
        }
        let Some(capacity) = capacity(&tx, slot_id, &start)? else { return refused(Refused::NoSuchSlot) };
        if start <= now {
            return refused(Refused::Rule(BookingRefusal::SlotPast));
        }
        if (start.date() - now.date()).num_days() > MAX_DAYS_AHEAD {
            return refused(Refused::Rule(BookingRefusal::TooFarAhead));
        }
        let mine_here: i64 = tx.query_row(
            "SELECT count(*) FROM appointment_booking WHERE sub = ?1 AND slot_id = ?2 AND status = 'booked'",
            params![sub, slot_id],
            |r| r.get(0),
        )?;
        if mine_here > 0 {
            return refused(Refused::Rule(BookingRefusal::AlreadyBooked));
        }
        let day = start.date().format("%Y-%m-%d").to_string();
        let mine_that_day: i64 = tx.query_row(
            "SELECT count(*) FROM appointment_booking WHERE sub = ?1 AND day = ?2 AND status = 'booked'",
            params![sub, day],
            |r| r.get(0),
        )?;
        if mine_that_day as usize >= MAX_PER_DAY {
            return refused(Refused::Rule(BookingRefusal::DailyLimit));
        }
        let (taken, last_number): (i64, i64) = tx.query_row(
            "SELECT count(*) FILTER (WHERE status = 'booked'), coalesce(max(number), 0)
             FROM appointment_booking WHERE slot_id = ?1",
            [slot_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if taken >= i64::from(capacity) {
            return refused(Refused::Rule(BookingRefusal::SlotFull));
        }
        let stamp = now.format("%Y-%m-%dT%H:%M:%S").to_string();
        let number = last_number + 1;
        tx.execute(
            "INSERT INTO appointment_booking (booking_id, sub, slot_id, counter_id, day, starts_at, procedure_code,
                                              number, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'booked', ?9, ?9)",
            params![
                booking_id,
                sub,
                slot_id,
                counter_id,
                day,
                start.format("%Y-%m-%dT%H:%M").to_string(),
                procedure_code,
                number,
                stamp
            ],
        )?;
        tx.commit()?;
        Ok(Booked::Created(Row {
            booking_id: booking_id.to_owned(),
            slot_id: slot_id.to_owned(),
            counter_id,
            start,
            procedure_code: procedure_code.map(str::to_owned),
            number: number as u32,
            status: "booked".into(),
        }))
    }

    /// Cancels the resident's booking (again: answered as it is). A slot that has begun is past.
    pub fn cancel(&self, sub: &str, booking_id: &str, now: NaiveDateTime) -> Result<Option<Row>, StoreError> {
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: Option<Row> = tx
            .query_row(
                &format!("SELECT {COLUMNS} FROM appointment_booking WHERE booking_id = ?1 AND sub = ?2"),
                params![booking_id, sub],
                row,
            )
            .optional()?;
        let Some(mut found) = found else { return Ok(None) };
        if found.status == "booked" {
            if found.start <= now {
                return Err(StoreError::Refused(Refused::Rule(BookingRefusal::SlotPast)));
            }
            tx.execute(
                "UPDATE appointment_booking SET status = 'cancelled', updated_at = ?2 WHERE booking_id = ?1",
                params![booking_id, now.format("%Y-%m-%dT%H:%M:%S").to_string()],
            )?;
            found.status = "cancelled".into();
        }
        tx.commit()?;
        Ok(Some(found))
    }

    pub fn mine(&self, sub: &str) -> rusqlite::Result<Vec<Row>> {
        let db = self.db();
        let mut stmt = db.prepare(&format!(
            "SELECT {COLUMNS} FROM appointment_booking WHERE sub = ?1 ORDER BY starts_at, booking_id"
        ))?;
        let rows = stmt.query_map([sub], row)?.collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn by_id(&self, booking_id: &str) -> rusqlite::Result<Option<Row>> {
        self.db()
            .query_row(&format!("SELECT {COLUMNS} FROM appointment_booking WHERE booking_id = ?1"), [booking_id], row)
            .optional()
    }

    /// Every slot that was ever booked, with its capacity and its live and cancelled bookings.
    pub fn ledger(&self) -> rusqlite::Result<BTreeMap<String, SlotLedger>> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT slot_id, starts_at, count(*) FILTER (WHERE status = 'booked'),
                    count(*) FILTER (WHERE status = 'cancelled')
             FROM appointment_booking GROUP BY slot_id ORDER BY slot_id",
        )?;
        let rows: Vec<(String, String, u32, u32)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut ledger = BTreeMap::new();
        for (slot_id, start, booked, cancelled) in rows {
            let start = NaiveDateTime::parse_from_str(&start, "%Y-%m-%dT%H:%M").unwrap_or_default();
            let capacity = capacity(&db, &slot_id, &start)?.unwrap_or(0);
            ledger.insert(slot_id, SlotLedger { capacity, booked, cancelled });
        }
        Ok(ledger)
    }
}

fn row_at(r: &rusqlite::Row<'_>, offset: usize) -> rusqlite::Result<Row> {
    let start: String = r.get(offset + 3)?;
    Ok(Row {
        booking_id: r.get(offset)?,
        slot_id: r.get(offset + 1)?,
        counter_id: r.get(offset + 2)?,
        start: NaiveDateTime::parse_from_str(&start, "%Y-%m-%dT%H:%M").map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(offset + 3, rusqlite::types::Type::Text, Box::new(e))
        })?,
        procedure_code: r.get(offset + 4)?,
        number: r.get(offset + 5)?,
        status: r.get(offset + 6)?,
    })
}

fn capacity(db: &Connection, slot_id: &str, start: &NaiveDateTime) -> rusqlite::Result<Option<u32>> {
    let set: Option<u32> =
        db.query_row("SELECT capacity FROM appointment_slot WHERE slot_id = ?1", [slot_id], |r| r.get(0)).optional()?;
    Ok(set.or_else(|| schedule::in_timetable(start).then_some(DEFAULT_CAPACITY)))
}

/// Today in Vietnam and the last day bookable from it.
pub fn bookable_days(now: NaiveDateTime) -> (NaiveDate, NaiveDate) {
    let today = now.date();
    (today, today + chrono::TimeDelta::days(MAX_DAYS_AHEAD))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Barrier};

    use super::*;

    /// Two connections to one file (two portal processes, say), each booking the last place at
    /// the same moment, round after round: one books, the other gets `slot_full`, never an
    /// error and never two bookings. A deferred transaction would read "one place left" on both
    /// and fail one of them with SQLITE_BUSY instead of a clear answer.
    #[test]
    fn the_last_place_goes_to_exactly_one_of_two_connections() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sandbox.db");
        let stores = [Arc::new(Store::open(&path).unwrap()), Arc::new(Store::open(&path).unwrap())];
        let now = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        for round in 0..20u32 {
            let start = now + chrono::TimeDelta::days(1) + chrono::TimeDelta::minutes(i64::from(round));
            let slot_id = schedule::slot_id("MC-10507", &start);
            stores[0].set_slot(&slot_id, 1).unwrap();
            let barrier = Arc::new(Barrier::new(2));
            let racers: Vec<_> = stores
                .iter()
                .enumerate()
                .map(|(i, store)| {
                    let (store, barrier, slot_id) = (store.clone(), barrier.clone(), slot_id.clone());
                    // Other residents each round: nobody reaches the daily limit.
                    let (sub, booking_id) = (format!("sub-{round}-{i}"), format!("b-{round}-{i}"));
                    std::thread::spawn(move || {
                        barrier.wait();
                        match store.book(&sub, &booking_id, &slot_id, None, true, now) {
                            Ok(Booked::Created(_)) => "booked",
                            Err(StoreError::Refused(Refused::Rule(BookingRefusal::SlotFull))) => "slot_full",
                            Ok(Booked::Replayed(_)) => "replayed",
                            Err(StoreError::Refused(_)) => "refused otherwise",
                            Err(StoreError::Db(e)) => panic!("round {round}: a database error, not an answer: {e}"),
                        }
                    })
                })
                .collect();
            let mut answers: Vec<&str> = racers.into_iter().map(|r| r.join().unwrap()).collect();
            answers.sort();
            assert_eq!(answers, ["booked", "slot_full"], "round {round}");
        }
        assert!(stores[0].ledger().unwrap().values().all(|s| s.booked == 1));
    }
}
