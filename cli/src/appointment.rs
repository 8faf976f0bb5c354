//! `smarthd appointments`, `appointment counters|slots|book|cancel|ticket`: a place at the
//! commune's one-stop counter (Bộ phận một cửa) from the terminal.

use smarthd_core::Error;
use smarthd_core::appointment::{Appointment, Counter, Slot, VerifiedTicket};
use smarthd_core::payment::vietqr;

use crate::output::{local, printable, when};
use crate::pay::draw;

fn json<T: serde::Serialize>(value: &T) {
    crate::output::json(value);
}

pub fn counters(counters: &[Counter], as_json: bool) {
    if as_json {
        return json(&counters);
    }
    for c in counters {
        out!(
            "{}  {}  ({} {})",
            printable(&c.counter_id),
            printable(&c.name),
            printable(&c.unit_code),
            printable(&c.unit_name)
        );
        out!("    {}", printable(&c.hours));
    }
}

pub fn slots(slots: &[Slot], as_json: bool) {
    if as_json {
        return json(&slots);
    }
    if slots.is_empty() {
        out!("Không còn khung giờ trống trong 6 ngày tới / no free slot in the next 6 days");
    }
    for s in slots {
        let ends = local(&s.ends_at).map(|t| t.format("%H:%M").to_string());
        out!(
            "{}  {}–{}  còn {}/{} chỗ / {} of {} places left",
            printable(&s.slot_id),
            when(&s.starts_at),
            ends.unwrap_or_default(),
            s.available,
            s.capacity,
            s.available,
            s.capacity
        );
    }
}

pub fn show(a: &Appointment, as_json: bool) {
    if as_json {
        return json(a);
    }
    out!(
        "{}  {}  {}  số thứ tự / number {}  [{}]",
        printable(&a.booking_id),
        when(&a.starts_at),
        printable(&a.counter_name),
        a.number,
        a.status.label()
    );
}

pub fn list(list: &[Appointment], as_json: bool) {
    if as_json {
        return json(&list);
    }
    if list.is_empty() {
        out!("Chưa có lịch hẹn nào / no appointments yet");
    }
    list.iter().for_each(|a| show(a, false));
}

/// The ticket's QR code on the terminal, and what was verified.
pub fn ticket(t: &VerifiedTicket, as_json: bool) -> Result<(), Error> {
    if as_json {
        let mut value = serde_json::to_value(t).expect("serializable");
        value["verified"] = true.into();
        json(&value);
        return Ok(());
    }
    let matrix = vietqr::matrix(&t.qr_text).map_err(|e| Error::Internal(e.to_string()))?;
    out!("{}", draw(&matrix));
    out!("{}", printable(&t.counter_name));
    out!("{}  số thứ tự / number {}  [{}]", when(&t.starts_at), t.number, t.status.label());
    out!(
        "✔ Chữ ký của cổng hợp lệ (khoá {}) / the portal's signature verifies (key {})",
        printable(&t.key_id),
        printable(&t.key_id)
    );
    Ok(())
}
