//! The counters and their timetable, computed, not stored: one one-stop counter (Bộ phận một
//! cửa) per commune-level unit the sandbox serves, open Monday to Friday, 30-minute slots
//! 07:30–11:30 and 13:30–17:00. A slot's id names its counter and start (`MC-10507-202612020730`),
//! so every slot of the timetable exists without a row; the tester's extra slots and capacities
//! are rows in the store. Vietnam time throughout.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Weekday};
use smarthd_model::appointment::{Counter, SLOT_MINUTES};
use smarthd_model::catalog::UnitKind;

use crate::generator;

/// Places per slot unless a tester set another capacity.
pub const DEFAULT_CAPACITY: u32 = 3;
const HOURS: &str = "Thứ Hai – Thứ Sáu, 07:30–11:30, 13:30–17:00 / Monday – Friday";
/// Starts of the morning and afternoon slots (minutes after midnight).
const SESSIONS: [(u32, u32); 2] = [(7 * 60 + 30, 11 * 60 + 30), (13 * 60 + 30, 17 * 60)];

pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("a valid offset")
}

pub fn now() -> DateTime<FixedOffset> {
    chrono::Utc::now().with_timezone(&vietnam())
}

/// Every commune-level unit's counter (the province has none: its centre is not a commune's).
pub fn counters() -> Vec<Counter> {
    generator::admin_units()
        .units
        .into_iter()
        .filter(|u| u.kind != UnitKind::Province)
        .map(|u| Counter {
            counter_id: format!("MC-{}", u.code),
            name: format!("Bộ phận một cửa UBND {}", u.name),
            address: format!("Trụ sở UBND {}, Thành phố Hải Phòng", u.name),
            unit_code: u.code,
            unit_name: u.name,
            hours: HOURS.to_owned(),
        })
        .collect()
}

pub fn counter(counter_id: &str) -> Option<Counter> {
    counters().into_iter().find(|c| c.counter_id == counter_id)
}

pub fn slot_id(counter_id: &str, start: &NaiveDateTime) -> String {
    format!("{counter_id}-{}", start.format("%Y%m%d%H%M"))
}

/// The counter and start a slot id names (whether the slot exists is the store's question).
pub fn parse_slot_id(slot_id: &str) -> Option<(String, NaiveDateTime)> {
    let (counter_id, start) = slot_id.rsplit_once('-')?;
    if start.len() != 12 || !start.bytes().all(|b| b.is_ascii_digit()) || !counter_id.starts_with("MC-") {
        return None;
    }
    let start = NaiveDateTime::parse_from_str(start, "%Y%m%d%H%M").ok()?;
    Some((counter_id.to_owned(), start))
}

/// A slot of the regular timetable: a working day, a slot start within a session.
pub fn in_timetable(start: &NaiveDateTime) -> bool {
    let working = !matches!(start.weekday(), Weekday::Sat | Weekday::Sun);
    let minute = start.hour() * 60 + start.minute();
    let on_grid = SESSIONS.iter().any(|&(from, to)| {
        minute >= from && minute + SLOT_MINUTES as u32 <= to && (minute - from).is_multiple_of(SLOT_MINUTES as u32)
    });
    working && on_grid && start.second() == 0
}

/// The timetable's slot starts on `day`.
pub fn starts_on(day: NaiveDate) -> Vec<NaiveDateTime> {
    SESSIONS
        .iter()
        .flat_map(|&(from, to)| {
            (from..to).step_by(SLOT_MINUTES as usize).filter(move |m| m + SLOT_MINUTES as u32 <= to)
        })
        .filter_map(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0))
        .map(|t| day.and_time(t))
        .filter(in_timetable)
        .collect()
}

pub fn ends(start: &NaiveDateTime) -> NaiveDateTime {
    *start + TimeDelta::minutes(SLOT_MINUTES)
}

/// RFC 3339 in Vietnam time.
pub fn rfc3339(at: &NaiveDateTime) -> String {
    at.and_local_timezone(vietnam()).single().map(|t| t.to_rfc3339()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timetable_has_fifteen_slots_on_working_days_only() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let starts = starts_on(monday);
        assert_eq!(starts.len(), 8 + 7);
        assert_eq!(starts[0].format("%H:%M").to_string(), "07:30");
        assert_eq!(starts.last().unwrap().format("%H:%M").to_string(), "16:30");
        assert!(starts_on(monday + TimeDelta::days(5)).is_empty(), "Saturday");
        let id = slot_id("MC-10507", &starts[0]);
        assert_eq!(id, "MC-10507-202611300730");
        assert_eq!(parse_slot_id(&id), Some(("MC-10507".into(), starts[0])));
        assert_eq!(parse_slot_id("MC-10507-2026113007"), None);
        assert!(!in_timetable(&monday.and_hms_opt(7, 45, 0).unwrap()));
        assert!(!in_timetable(&monday.and_hms_opt(11, 30, 0).unwrap()));
        assert!(counters().iter().any(|c| c.name == "Bộ phận một cửa UBND Phường Hải Dương"));
    }
}
