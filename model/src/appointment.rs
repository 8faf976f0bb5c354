//! Appointments at the commune's one-stop counter (Bộ phận một cửa): the wire types the portal
//! and the phone share, the booking rules' numbers, the refusals with their bilingual messages,
//! and the ticket's compact text (what the QR code holds).
//!
//! A ticket is signed by the portal with Ed25519 over the exact bytes of its payload; the QR
//! code holds `payload~key_id~signature`, short enough for a small code and free of personal
//! data (the booking id is random, nothing names the resident).

use serde::{Deserialize, Serialize};

/// A slot can be booked at most this many days ahead (Vietnam date), as Hà Nội's app does.
pub const MAX_DAYS_AHEAD: i64 = 6;
/// At most this many live bookings per resident per day.
pub const MAX_PER_DAY: usize = 2;
/// Slots last 30 minutes.
pub const SLOT_MINUTES: i64 = 30;
/// The first word of a ticket's payload: the format's version.
pub const TICKET_TAG: &str = "HDA1";
/// Separates the ticket's fields; never part of an id, a code or a time.
const SEP: char = '~';

/// A one-stop counter of a commune-level unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counter {
    pub counter_id: String,
    pub unit_code: String,
    pub unit_name: String,
    /// "Bộ phận một cửa UBND Phường Hải Dương"
    pub name: String,
    pub address: String,
    /// Opening hours as shown: "Thứ Hai – Thứ Sáu, 07:30–11:30, 13:30–17:00".
    pub hours: String,
}

/// A 30-minute slot at a counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slot {
    pub slot_id: String,
    pub counter_id: String,
    pub unit_code: String,
    /// RFC 3339, Vietnam time (`+07:00`).
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: u32,
    /// Places left now.
    pub available: u32,
}

/// A booking as the portal answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WireBooking {
    pub booking_id: String,
    pub slot_id: String,
    pub counter_id: String,
    pub counter_name: String,
    pub unit_code: String,
    #[serde(default)]
    pub procedure_code: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    /// `booked` or `cancelled`.
    pub status: String,
    /// The place in the slot's queue (1..=capacity).
    pub number: u32,
    pub ticket: SignedTicket,
}

/// The ticket as the portal signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedTicket {
    /// `HDA1~booking_id~counter_id~starts_at~procedure~number`
    pub payload: String,
    /// Ed25519 over the payload's UTF-8 bytes, base64url without padding.
    pub signature: String,
    pub key_id: String,
}

/// What a ticket's payload says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    pub booking_id: String,
    pub counter_id: String,
    /// `YYYYMMDDHHMM`, Vietnam time.
    pub starts_at: String,
    pub procedure_code: Option<String>,
    pub number: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketFormatError {
    #[error("vé không đúng định dạng / the ticket is not in the expected format")]
    Format,
}

impl Ticket {
    /// The payload the portal signs.
    pub fn payload(&self) -> String {
        let procedure = self.procedure_code.as_deref().unwrap_or("");
        format!(
            "{TICKET_TAG}{SEP}{}{SEP}{}{SEP}{}{SEP}{procedure}{SEP}{}",
            self.booking_id, self.counter_id, self.starts_at, self.number
        )
    }

    pub fn parse(payload: &str) -> Result<Ticket, TicketFormatError> {
        let parts: Vec<&str> = payload.split(SEP).collect();
        let [tag, booking_id, counter_id, starts_at, procedure, number] = parts.as_slice() else {
            return Err(TicketFormatError::Format);
        };
        let clean = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic());
        if *tag != TICKET_TAG || !clean(booking_id) || !clean(counter_id) || starts_at.len() != 12 {
            return Err(TicketFormatError::Format);
        }
        if !starts_at.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TicketFormatError::Format);
        }
        Ok(Ticket {
            booking_id: (*booking_id).to_owned(),
            counter_id: (*counter_id).to_owned(),
            starts_at: (*starts_at).to_owned(),
            procedure_code: (!procedure.is_empty()).then(|| (*procedure).to_owned()),
            number: number.parse().map_err(|_| TicketFormatError::Format)?,
        })
    }
}

impl SignedTicket {
    /// The text the QR code holds: `payload~key_id~signature`.
    pub fn qr_text(&self) -> String {
        format!("{}{SEP}{}{SEP}{}", self.payload, self.key_id, self.signature)
    }

    /// Reads what a counter scanned.
    pub fn from_qr_text(text: &str) -> Result<SignedTicket, TicketFormatError> {
        let text = text.trim();
        let (rest, signature) = text.rsplit_once(SEP).ok_or(TicketFormatError::Format)?;
        let (payload, key_id) = rest.rsplit_once(SEP).ok_or(TicketFormatError::Format)?;
        if payload.len() > 300 || key_id.is_empty() || signature.is_empty() {
            return Err(TicketFormatError::Format);
        }
        Ticket::parse(payload)?;
        Ok(SignedTicket { payload: payload.to_owned(), signature: signature.to_owned(), key_id: key_id.to_owned() })
    }
}

/// Why the portal refused a booking: its `error` code, with a message in Vietnamese and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingRefusal {
    /// The slot's last place went to someone else.
    SlotFull,
    /// More than [`MAX_DAYS_AHEAD`] days ahead.
    TooFarAhead,
    /// Already [`MAX_PER_DAY`] bookings that day.
    DailyLimit,
    /// The slot has started or is over.
    SlotPast,
    /// The resident already holds a place in this slot.
    AlreadyBooked,
}

impl BookingRefusal {
    pub const ALL: [BookingRefusal; 5] = [
        BookingRefusal::SlotFull,
        BookingRefusal::TooFarAhead,
        BookingRefusal::DailyLimit,
        BookingRefusal::SlotPast,
        BookingRefusal::AlreadyBooked,
    ];

    pub fn code(self) -> &'static str {
        match self {
            BookingRefusal::SlotFull => "slot_full",
            BookingRefusal::TooFarAhead => "too_far_ahead",
            BookingRefusal::DailyLimit => "daily_limit",
            BookingRefusal::SlotPast => "slot_past",
            BookingRefusal::AlreadyBooked => "already_booked",
        }
    }

    pub fn parse(code: &str) -> Option<BookingRefusal> {
        BookingRefusal::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The HTTP status the portal answers with: a conflict with other bookings, or a rule.
    pub fn status(self) -> u16 {
        match self {
            BookingRefusal::SlotFull | BookingRefusal::AlreadyBooked => 409,
            BookingRefusal::TooFarAhead | BookingRefusal::DailyLimit | BookingRefusal::SlotPast => 422,
        }
    }

    /// "Vietnamese / English"
    pub fn message(self) -> &'static str {
        match self {
            BookingRefusal::SlotFull => {
                "Khung giờ này đã hết chỗ, vui lòng chọn khung giờ khác / This slot is full: please choose another"
            }
            BookingRefusal::TooFarAhead => {
                "Chỉ được đặt lịch trước tối đa 6 ngày / Appointments can be booked at most 6 days ahead"
            }
            BookingRefusal::DailyLimit => {
                "Mỗi ngày chỉ được đặt tối đa 2 lịch hẹn / At most 2 appointments can be booked per day"
            }
            BookingRefusal::SlotPast => "Khung giờ này đã qua / This slot has already begun",
            BookingRefusal::AlreadyBooked => "Bạn đã đặt khung giờ này / You already hold a place in this slot",
        }
    }
}

impl std::fmt::Display for BookingRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_round_trips_through_its_qr_text() {
        let ticket = Ticket {
            booking_id: "0b6f9c1e-8a55-4f57-9e0f-1d2c3b4a5f60".into(),
            counter_id: "MC-10507".into(),
            starts_at: "202612020730".into(),
            procedure_code: Some("1.001234.000.00.00.H19".into()),
            number: 2,
        };
        let payload = ticket.payload();
        assert_eq!(Ticket::parse(&payload).unwrap(), ticket);
        let signed = SignedTicket { payload, signature: "c2ln".into(), key_id: "a1".into() };
        assert_eq!(SignedTicket::from_qr_text(&signed.qr_text()).unwrap(), signed);
        let none = Ticket { procedure_code: None, ..ticket };
        assert_eq!(Ticket::parse(&none.payload()).unwrap(), none);
        for bad in ["", "HDA1~a~b~2026~x~1", "XX~a~b~202612020730~~1", "HDA1~a~b~202612020730~~one", "a~b"] {
            assert!(Ticket::parse(bad).is_err() || SignedTicket::from_qr_text(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refusals_have_codes_and_both_languages() {
        for r in BookingRefusal::ALL {
            assert_eq!(BookingRefusal::parse(r.code()), Some(r));
            assert!(r.message().contains(" / "), "{r:?}");
        }
        assert_eq!(BookingRefusal::SlotFull.status(), 409);
        assert_eq!(BookingRefusal::parse("nope"), None);
    }
}
