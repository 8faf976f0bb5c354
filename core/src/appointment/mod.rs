//! Appointments at the commune's one-stop counter (Bộ phận một cửa): the bookings kept on the
//! phone, booking requests that have not reached the portal yet, the portal's ticket keys, and
//! tickets verified offline.
//!
//! Booking is durable like paying: the request, with a permanent booking id, is committed before
//! it is sent; the portal books once per id, so a retry after a lost answer or a crash gets the
//! same booking, never a second place. Requests and bookings belong to the resident who made
//! them ([`crate::owner`]).
//!
//! Cancelling is durable too: the wish is committed (the booking shows "cancelling") before it is
//! sent, and `sync` sends it after a lost answer, offline or a crash; the portal cancels a
//! booking once and answers a second cancel as it is.
//!
//! A ticket verifies only if its signature checks with a trusted key (pinned in
//! [`crate::Config::ticket_keys`], or fetched from the portal over the pinned transport and kept
//! sealed: a row written into `user.db` by anything else is never a key) *and* it is the ticket
//! of the local booking: same booking, counter, start and place in the queue.

pub mod client;
pub mod handle;

use std::sync::Arc;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::config::ReceiptKeyPin;
use crate::error::{Error, Result};
use crate::identity::jose::unb64;
use crate::owner::Owner;
use crate::store::UserDb;
use crate::trusted_keys::TrustedKeys;
use crate::vault::Vault;
pub use smarthd_model::appointment::{
    BookingRefusal, Counter, MAX_DAYS_AHEAD, MAX_PER_DAY, SignedTicket, Slot, Ticket, WireBooking,
};

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    /// The resident cancelled it on the phone; the portal has not answered yet (offline, a lost
    /// answer): `sync` sends the cancellation.
    Cancelling,
    Cancelled,
}

impl AppointmentStatus {
    /// A status as kept in `user.db`.
    fn parse(text: &str) -> Option<AppointmentStatus> {
        match text {
            "booked" => Some(AppointmentStatus::Booked),
            "cancelling" => Some(AppointmentStatus::Cancelling),
            "cancelled" => Some(AppointmentStatus::Cancelled),
            _ => None,
        }
    }

    /// A status as the portal gives it: "cancelling" is the phone's own.
    fn from_portal(text: &str) -> Option<AppointmentStatus> {
        AppointmentStatus::parse(text).filter(|status| *status != AppointmentStatus::Cancelling)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Cancelling => "cancelling",
            AppointmentStatus::Cancelled => "cancelled",
        }
    }

    /// "Đã đặt / Booked"
    pub fn label(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "Đã đặt / Booked",
            AppointmentStatus::Cancelling => "Đang huỷ: sẽ gửi khi có mạng / Cancelling: sent when online",
            AppointmentStatus::Cancelled => "Đã huỷ / Cancelled",
        }
    }
}

/// A booking as the app shows it, offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appointment {
    pub booking_id: String,
    pub slot_id: String,
    pub counter_id: String,
    pub counter_name: String,
    pub unit_code: String,
    pub procedure_code: Option<String>,
    /// RFC 3339, Vietnam time.
    pub starts_at: String,
    pub ends_at: String,
    pub status: AppointmentStatus,
    /// The place in the slot's queue.
    pub number: u32,
}

/// A ticket verified offline: what the QR code holds, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedTicket {
    pub booking_id: String,
    /// The text to draw as a QR code; the counter scans and verifies it.
    pub qr_text: String,
    pub key_id: String,
    pub counter_id: String,
    pub counter_name: String,
    pub starts_at: String,
    pub number: u32,
    pub status: AppointmentStatus,
}

/// A booking request that has not reached the portal yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingBooking {
    pub booking_id: String,
    pub slot_id: String,
    pub procedure_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error(
        "chữ ký của vé không hợp lệ / the ticket's signature does not verify: it was altered or not issued by the portal"
    )]
    BadSignature,
    #[error("không có khoá {0} của cổng để kiểm tra vé / no key {0} from the portal to check the ticket with")]
    UnknownKey(String),
    #[error("vé không đúng định dạng / the ticket is malformed")]
    Malformed,
    #[error("vé không phải của lịch hẹn này ({0}) / the ticket's {0} is not this booking's")]
    NotTheBookings(&'static str),
}

/// Verifies `signed` with the Ed25519 `public_key` and reads it (pure).
pub fn verify_ticket(signed: &SignedTicket, public_key: &[u8]) -> Result<Ticket, TicketError> {
    let signature = unb64(&signed.signature).ok_or(TicketError::BadSignature)?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public_key)
        .verify(signed.payload.as_bytes(), &signature)
        .map_err(|_| TicketError::BadSignature)?;
    Ticket::parse(&signed.payload).map_err(|_| TicketError::Malformed)
}

/// A genuine ticket of another booking, counter, time or place proves nothing about this one.
pub fn check_booking(ticket: &Ticket, booking: &Appointment) -> Result<(), TicketError> {
    if ticket.booking_id != booking.booking_id {
        return Err(TicketError::NotTheBookings("booking"));
    }
    if ticket.counter_id != booking.counter_id {
        return Err(TicketError::NotTheBookings("counter"));
    }
    let start = chrono::DateTime::parse_from_rfc3339(&booking.starts_at)
        .map(|t| t.format("%Y%m%d%H%M").to_string())
        .unwrap_or_default();
    if ticket.starts_at != start {
        return Err(TicketError::NotTheBookings("time"));
    }
    if ticket.number != booking.number {
        return Err(TicketError::NotTheBookings("number"));
    }
    Ok(())
}

fn now() -> String {
    crate::catalog::now()
}

const COLUMNS: &str = "booking_id, slot_id, counter_id, counter_name, unit_code, procedure_code, starts_at, ends_at, \
                       status, number";

fn appointment(r: &rusqlite::Row<'_>) -> rusqlite::Result<Appointment> {
    Ok(Appointment {
        booking_id: r.get(0)?,
        slot_id: r.get(1)?,
        counter_id: r.get(2)?,
        counter_name: r.get(3)?,
        unit_code: r.get(4)?,
        procedure_code: r.get(5)?,
        starts_at: r.get(6)?,
        ends_at: r.get(7)?,
        status: AppointmentStatus::parse(&r.get::<_, String>(8)?).unwrap_or(AppointmentStatus::Cancelled),
        number: r.get(9)?,
    })
}

pub struct Appointments {
    db: UserDb,
    /// The portal's ticket keys: pinned by the configuration, or fetched and sealed.
    keys: TrustedKeys,
}

impl Appointments {
    pub fn new(db: UserDb, vault: Arc<Vault>, pinned_keys: Vec<ReceiptKeyPin>) -> Appointments {
        let keys =
            TrustedKeys::new(db.clone(), vault, pinned_keys, ("appointment_key", "ticket", "api/v1/appointments/keys"));
        Appointments { db, keys }
    }

    /// Commits the wish to book before anything is sent; an unsent request for the same slot is
    /// reused, so its permanent id stays the same across retries. True when it was made now.
    pub fn request(
        &self,
        owner: &Owner,
        slot_id: &str,
        procedure_code: Option<&str>,
    ) -> Result<(PendingBooking, bool)> {
        // Committed with FULL, as a submitted dossier is: on disk before it is sent.
        self.db.durably(|tx| {
            let existing: Option<(String, Option<String>)> = tx
                .query_row(
                    "SELECT booking_id, procedure_code FROM appointment_request WHERE slot_id = ?1 AND owner = ?2",
                    params![slot_id, owner.tag()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let pending = match existing {
                // The same request again: the same id, and what it asked for (the portal would
                // refuse another procedure under that id).
                Some((booking_id, procedure_code)) => {
                    (PendingBooking { booking_id, slot_id: slot_id.into(), procedure_code }, false)
                }
                None => {
                    let booking_id = crate::dossier::new_id();
                    tx.execute(
                        "INSERT INTO appointment_request (booking_id, slot_id, procedure_code, created_at, owner)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![booking_id, slot_id, procedure_code, now(), owner.tag()],
                    )?;
                    let pending = PendingBooking {
                        booking_id,
                        slot_id: slot_id.into(),
                        procedure_code: procedure_code.map(Into::into),
                    };
                    (pending, true)
                }
            };
            Ok(pending)
        })
    }

    /// Commits the wish to cancel the resident's booking before anything is sent: a booked
    /// appointment becomes "cancelling". Answers the booking as it now stands (a cancelled one
    /// as it is).
    pub fn request_cancel(&self, owner: &Owner, booking_id: &str) -> Result<Appointment> {
        self.db.durably(|tx| {
            tx.execute(
                "UPDATE appointment SET status = 'cancelling', updated_at = ?3
                 WHERE booking_id = ?1 AND owner = ?2 AND status = 'booked'",
                params![booking_id, owner.tag(), now()],
            )?;
            Ok(())
        })?;
        self.get(owner, booking_id)
    }

    /// The portal refused the cancellation for good (the slot has begun): the booking stands.
    pub fn keep_booked(&self, owner: &Owner, booking_id: &str) -> Result<()> {
        self.db.lock().execute(
            "UPDATE appointment SET status = 'booked' WHERE booking_id = ?1 AND owner = ?2 AND status = 'cancelling'",
            params![booking_id, owner.tag()],
        )?;
        Ok(())
    }

    /// The resident's cancellations not answered by the portal yet, oldest first.
    pub fn cancelling(&self, owner: &Owner) -> Result<Vec<String>> {
        let db = self.db.lock();
        let mut stmt = db.prepare(
            "SELECT booking_id FROM appointment WHERE owner = ?1 AND status = 'cancelling' ORDER BY updated_at",
        )?;
        let rows = stmt.query_map([owner.tag()], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn pending(&self, owner: &Owner) -> Result<Vec<PendingBooking>> {
        let db = self.db.lock();
        let mut stmt = db.prepare(
            "SELECT booking_id, slot_id, procedure_code FROM appointment_request WHERE owner = ?1 ORDER BY created_at",
        )?;
        let rows = stmt.query_map([owner.tag()], |r| {
            Ok(PendingBooking { booking_id: r.get(0)?, slot_id: r.get(1)?, procedure_code: r.get(2)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn drop_request(&self, booking_id: &str) -> Result<()> {
        self.db.lock().execute("DELETE FROM appointment_request WHERE booking_id = ?1", [booking_id])?;
        Ok(())
    }

    /// Records what the portal says of a booking (and takes its request off the queue, in the
    /// same transaction). Another resident's booking id is not found.
    pub fn record(&self, owner: &Owner, booking: &WireBooking) -> Result<Appointment> {
        let status = AppointmentStatus::from_portal(&booking.status).ok_or_else(|| Error::UpdateNeeded {
            what: "appointment status",
            value: booking.status.chars().filter(|c| c.is_ascii_graphic()).take(40).collect(),
        })?;
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let found: Option<String> = tx
            .query_row("SELECT owner FROM appointment WHERE booking_id = ?1", [&booking.booking_id], |r| r.get(0))
            .optional()?;
        if found.is_some_and(|found| found != owner.tag()) {
            return Err(Error::NotFound(format!("appointment {}", booking.booking_id)));
        }
        // A cancellation is final at the portal: an answer read before it (a refresh still on its
        // way) does not book the appointment again. A cancellation not sent yet stays to be sent.
        tx.execute(
            "INSERT INTO appointment (booking_id, slot_id, counter_id, counter_name, unit_code, procedure_code,
                                      starts_at, ends_at, status, number, ticket_payload, ticket_signature,
                                      ticket_key_id, updated_at, owner)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT(booking_id) DO UPDATE SET
                status = CASE WHEN appointment.status = 'cancelling' AND excluded.status = 'booked'
                              THEN 'cancelling' ELSE excluded.status END,
                counter_name = excluded.counter_name,
                ticket_payload = excluded.ticket_payload, ticket_signature = excluded.ticket_signature,
                ticket_key_id = excluded.ticket_key_id, updated_at = excluded.updated_at
             WHERE appointment.status != 'cancelled'",
            params![
                booking.booking_id,
                booking.slot_id,
                booking.counter_id,
                booking.counter_name,
                booking.unit_code,
                booking.procedure_code,
                booking.starts_at,
                booking.ends_at,
                status.as_str(),
                booking.number,
                booking.ticket.payload,
                booking.ticket.signature,
                booking.ticket.key_id,
                now(),
                owner.tag(),
            ],
        )?;
        tx.execute("DELETE FROM appointment_request WHERE booking_id = ?1", [&booking.booking_id])?;
        tx.commit()?;
        drop(db);
        self.get(owner, &booking.booking_id)
    }

    pub fn get(&self, owner: &Owner, booking_id: &str) -> Result<Appointment> {
        self.db.checked(|| {
            self.db
                .lock()
                .query_row(
                    &format!("SELECT {COLUMNS} FROM appointment WHERE booking_id = ?1 AND owner = ?2"),
                    params![booking_id, owner.tag()],
                    appointment,
                )
                .optional()?
                .ok_or_else(|| Error::NotFound(format!("appointment {booking_id}")))
        })
    }

    /// The resident's appointments, soonest first.
    pub fn list(&self, owner: &Owner) -> Result<Vec<Appointment>> {
        self.db.checked(|| {
            let db = self.db.lock();
            let mut stmt = db.prepare(&format!(
                "SELECT {COLUMNS} FROM appointment WHERE owner = ?1 ORDER BY starts_at, booking_id"
            ))?;
            let rows = stmt.query_map([owner.tag()], appointment)?.collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
    }

    /// Live appointments starting within `window` from `now` whose reminder was not given yet;
    /// each is marked reminded in the same transaction, so a reminder is given once.
    pub fn due_reminders(
        &self,
        owner: &Owner,
        now: chrono::DateTime<chrono::Utc>,
        window: chrono::TimeDelta,
    ) -> Result<Vec<Appointment>> {
        let mut db = self.db.lock();
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let candidates: Vec<Appointment> = {
            let mut stmt = tx.prepare(&format!(
                "SELECT {COLUMNS} FROM appointment WHERE owner = ?1 AND status = 'booked' AND reminded = 0"
            ))?;
            stmt.query_map([owner.tag()], appointment)?.collect::<rusqlite::Result<_>>()?
        };
        let due: Vec<Appointment> = candidates
            .into_iter()
            .filter(|a| {
                chrono::DateTime::parse_from_rfc3339(&a.starts_at)
                    .is_ok_and(|start| start > now && start <= now + window)
            })
            .collect();
        for a in &due {
            tx.execute("UPDATE appointment SET reminded = 1 WHERE booking_id = ?1", [&a.booking_id])?;
        }
        tx.commit()?;
        Ok(due)
    }

    // --- tickets ---

    /// The portal keys tickets are checked with.
    pub fn keys(&self) -> &TrustedKeys {
        &self.keys
    }

    /// The kept ticket of the resident's booking, verified offline: a trusted key's signature,
    /// and the local booking it names. A tampered ticket is a validation error.
    pub fn ticket(&self, owner: &Owner, booking_id: &str) -> Result<VerifiedTicket> {
        let booking = self.get(owner, booking_id)?;
        let signed = self.db.lock().query_row(
            "SELECT ticket_payload, ticket_signature, ticket_key_id FROM appointment WHERE booking_id = ?1",
            [booking_id],
            |r| Ok(SignedTicket { payload: r.get(0)?, signature: r.get(1)?, key_id: r.get(2)? }),
        )?;
        let invalid = |e: TicketError| Error::Validation { field: "ticket".into(), reason: e.to_string() };
        let key = self
            .keys
            .trusted(&signed.key_id)?
            .ok_or_else(|| invalid(TicketError::UnknownKey(signed.key_id.clone())))?;
        let ticket = verify_ticket(&signed, &key).map_err(invalid)?;
        check_booking(&ticket, &booking).map_err(invalid)?;
        Ok(VerifiedTicket {
            booking_id: booking.booking_id,
            qr_text: signed.qr_text(),
            key_id: signed.key_id,
            counter_id: booking.counter_id,
            counter_name: booking.counter_name,
            starts_at: booking.starts_at,
            number: ticket.number,
            status: booking.status,
        })
    }

    /// The key id of a kept ticket, to fetch the key when it is not trusted yet.
    pub fn ticket_key_id(&self, owner: &Owner, booking_id: &str) -> Result<Option<String>> {
        Ok(self
            .db
            .lock()
            .query_row(
                "SELECT ticket_key_id FROM appointment WHERE booking_id = ?1 AND owner = ?2",
                params![booking_id, owner.tag()],
                |r| r.get(0),
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::jose::b64;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    #[test]
    fn a_ticket_verifies_and_a_tampered_or_anothers_does_not() {
        let rng = ring::rand::SystemRandom::new();
        let pair = Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref()).unwrap();
        let ticket = Ticket {
            booking_id: "b1".into(),
            counter_id: "MC-10507".into(),
            starts_at: "202612030800".into(),
            procedure_code: None,
            number: 1,
        };
        let payload = ticket.payload();
        let signed =
            SignedTicket { signature: b64(pair.sign(payload.as_bytes()).as_ref()), payload, key_id: "a1".into() };
        let key = pair.public_key().as_ref();
        assert_eq!(verify_ticket(&signed, key), Ok(ticket.clone()));
        let tampered = SignedTicket { payload: signed.payload.replace("~1", "~2"), ..signed.clone() };
        assert_eq!(verify_ticket(&tampered, key), Err(TicketError::BadSignature));
        let booking = Appointment {
            booking_id: "b1".into(),
            slot_id: "MC-10507-202612030800".into(),
            counter_id: "MC-10507".into(),
            counter_name: "Bộ phận một cửa".into(),
            unit_code: "10507".into(),
            procedure_code: None,
            starts_at: "2026-12-03T08:00:00+07:00".into(),
            ends_at: "2026-12-03T08:30:00+07:00".into(),
            status: AppointmentStatus::Booked,
            number: 1,
        };
        assert_eq!(check_booking(&ticket, &booking), Ok(()));
        let later = Appointment { starts_at: "2026-12-03T09:00:00+07:00".into(), ..booking.clone() };
        assert_eq!(check_booking(&ticket, &later), Err(TicketError::NotTheBookings("time")));
        let other = Appointment { booking_id: "b2".into(), ..booking };
        assert_eq!(check_booking(&ticket, &other), Err(TicketError::NotTheBookings("booking")));
    }

    fn a_booking_at(dir: &std::path::Path) -> (Appointments, Owner, WireBooking) {
        let vault = Arc::new(Vault::from_key(&[7; 32]));
        let appointments = Appointments::new(UserDb::open(dir).unwrap(), vault.clone(), Vec::new());
        let owner = Owner::of(&vault, "resident-a");
        let booked = WireBooking {
            booking_id: "b1".into(),
            slot_id: "MC-10507-202612030800".into(),
            counter_id: "MC-10507".into(),
            counter_name: "Bộ phận một cửa".into(),
            unit_code: "10507".into(),
            procedure_code: None,
            starts_at: "2026-12-03T08:00:00+07:00".into(),
            ends_at: "2026-12-03T08:30:00+07:00".into(),
            status: "booked".into(),
            number: 1,
            ticket: SignedTicket { payload: "p".into(), signature: "s".into(), key_id: "k".into() },
        };
        (appointments, owner, booked)
    }

    #[test]
    fn a_cancelled_booking_is_not_booked_again_by_an_answer_read_before_the_cancellation() {
        let dir = tempfile::tempdir().unwrap();
        let (appointments, owner, booked) = a_booking_at(dir.path());
        let cancelled = WireBooking { status: "cancelled".into(), ..booked.clone() };
        assert_eq!(appointments.record(&owner, &booked).unwrap().status, AppointmentStatus::Booked);
        assert_eq!(appointments.record(&owner, &cancelled).unwrap().status, AppointmentStatus::Cancelled);
        // A refresh that listed the booking before the cancellation answers after it.
        assert_eq!(appointments.record(&owner, &booked).unwrap().status, AppointmentStatus::Cancelled);
    }

    #[test]
    fn a_cancellation_on_its_way_stays_until_the_portal_answers_it() {
        let dir = tempfile::tempdir().unwrap();
        let (appointments, owner, booked) = a_booking_at(dir.path());
        appointments.record(&owner, &booked).unwrap();
        let other = Owner::of(&Vault::from_key(&[7; 32]), "resident-b");
        assert!(matches!(appointments.request_cancel(&other, "b1"), Err(Error::NotFound(_))), "another's booking");
        assert_eq!(appointments.get(&owner, "b1").unwrap().status, AppointmentStatus::Booked);

        assert_eq!(appointments.request_cancel(&owner, "b1").unwrap().status, AppointmentStatus::Cancelling);
        assert_eq!(appointments.cancelling(&owner).unwrap(), vec!["b1".to_owned()]);
        assert!(appointments.cancelling(&other).unwrap().is_empty());
        // The portal's booking read before the cancellation reached it does not undo it.
        assert_eq!(appointments.record(&owner, &booked).unwrap().status, AppointmentStatus::Cancelling);
        // Refused for good (the slot has begun): the booking stands.
        appointments.keep_booked(&owner, "b1").unwrap();
        assert_eq!(appointments.get(&owner, "b1").unwrap().status, AppointmentStatus::Booked);

        appointments.request_cancel(&owner, "b1").unwrap();
        let cancelled = WireBooking { status: "cancelled".into(), ..booked.clone() };
        assert_eq!(appointments.record(&owner, &cancelled).unwrap().status, AppointmentStatus::Cancelled);
        assert!(appointments.cancelling(&owner).unwrap().is_empty());
        // A cancelled booking is not "cancelling" again, and the portal never says "cancelling".
        assert_eq!(appointments.request_cancel(&owner, "b1").unwrap().status, AppointmentStatus::Cancelled);
        let phones_own = WireBooking { status: "cancelling".into(), ..booked };
        assert!(matches!(appointments.record(&owner, &phones_own), Err(Error::UpdateNeeded { .. })));
    }
}
