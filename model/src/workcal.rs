//! The Vietnamese working calendar: deadlines counted in working hours, the way the operations
//! centre promises them ("tiếp nhận trong 8 giờ làm việc"). Offices work Monday to Friday,
//! 07:30-11:30 and 13:00-17:00 Vietnam time (UTC+7, no daylight saving), except public holidays
//! (Tết and the others), which the portal keeps in a table per year.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday};

/// Vietnam's offset from UTC, all year round.
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// The office's working periods in a day, Vietnam time: (start, end) in minutes after midnight.
const PERIODS: [(u32, u32); 2] = [(7 * 60 + 30, 11 * 60 + 30), (13 * 60, 17 * 60)];

#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    holidays: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        WorkingCalendar { holidays: holidays.into_iter().collect() }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&date)
    }

    /// The moment `hours` working hours after `from`. Time outside working periods (nights,
    /// lunch, weekends, holidays) does not count: a report sent on Friday evening starts its
    /// clock on Monday at 07:30.
    pub fn add_working_hours(&self, from: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
        let local = from.with_timezone(&vietnam());
        let mut date = local.date_naive();
        let mut now = minutes_of_day(local.time());
        let mut left = u64::from(hours) * 60;
        // Ends: the holiday table is finite, so working days follow its last entry.
        loop {
            if self.is_working_day(date) {
                for (start, end) in PERIODS {
                    let begin = now.max(start);
                    if begin >= end {
                        continue;
                    }
                    let available = u64::from(end - begin);
                    if left <= available {
                        return at(date, begin + left as u32);
                    }
                    left -= available;
                }
            }
            date = date + Days::new(1);
            now = 0;
        }
    }
}

/// Minutes after midnight, seconds rounded up so a deadline is never earlier than promised.
fn minutes_of_day(time: NaiveTime) -> u32 {
    time.num_seconds_from_midnight().div_ceil(60)
}

fn at(date: NaiveDate, minutes: u32) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).expect("inside a working period");
    vietnam().from_local_datetime(&date.and_time(time)).single().expect("a fixed offset has one local time").to_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vn(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("{text}+07:00")).unwrap().to_utc()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn hours_inside_one_day_skip_lunch() {
        let calendar = WorkingCalendar::default();
        // Tuesday 10:00 + 4 h: 1.5 h before lunch, 2.5 h after it.
        assert_eq!(calendar.add_working_hours(vn("2026-12-01T10:00:00"), 4), vn("2026-12-01T15:30:00"));
        // Lunch time counts from 13:00.
        assert_eq!(calendar.add_working_hours(vn("2026-12-01T12:00:00"), 1), vn("2026-12-01T14:00:00"));
        // Ending exactly at closing time stays on that day.
        assert_eq!(calendar.add_working_hours(vn("2026-12-01T07:30:00"), 8), vn("2026-12-01T17:00:00"));
    }

    #[test]
    fn a_weekend_does_not_count() {
        let calendar = WorkingCalendar::default();
        // Friday 16:00 + 8 h: 1 h on Friday, 7 h on Monday (4 before lunch, 3 after).
        assert_eq!(calendar.add_working_hours(vn("2026-12-04T16:00:00"), 8), vn("2026-12-07T16:00:00"));
        // Sent on Saturday night: the clock starts on Monday at 07:30.
        assert_eq!(calendar.add_working_hours(vn("2026-12-05T22:15:00"), 4), vn("2026-12-07T11:30:00"));
    }

    #[test]
    fn tet_does_not_count() {
        // Tết Bính Ngọ 2026: offices closed from Saturday 14 to Sunday 22 February.
        let tet = (14..=22).map(|d| day(&format!("2026-02-{d:02}")));
        let calendar = WorkingCalendar::new(tet);
        // Friday 13 February 15:00 + 8 h: 2 h before Tết, 6 h from Monday 23 February.
        assert_eq!(calendar.add_working_hours(vn("2026-02-13T15:00:00"), 8), vn("2026-02-23T15:00:00"));
        assert!(!calendar.is_working_day(day("2026-02-18")), "a Wednesday inside Tết");
        let without = WorkingCalendar::default();
        assert_eq!(without.add_working_hours(vn("2026-02-13T15:00:00"), 8), vn("2026-02-16T15:00:00"));
    }

    #[test]
    fn times_are_taken_in_vietnam_time_whatever_the_input_offset() {
        let calendar = WorkingCalendar::default();
        // 01:00 UTC is 08:00 in Vietnam: +1 h is 09:00 Vietnam, 02:00 UTC.
        let from = DateTime::parse_from_rfc3339("2026-12-01T01:00:00Z").unwrap().to_utc();
        assert_eq!(calendar.add_working_hours(from, 1), vn("2026-12-01T09:00:00"));
        // Seconds round up: 07:59:30 + 1 h is not earlier than 09:00.
        assert_eq!(calendar.add_working_hours(vn("2026-12-01T07:59:30"), 1), vn("2026-12-01T09:00:00"));
    }
}
