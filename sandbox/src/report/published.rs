//! What the portal publishes for field reports: the categories (`sandbox/data/report_categories.json`),
//! the communes' boundaries, and the working calendar its deadlines are counted on (the holiday
//! table `sandbox/data/holidays.json`).
//!
//! The boundaries are synthetic: each commune of the sample units is a 0.04° square in a grid
//! over Hải Dương (7 to a row from 106.20°E, 20.80°N), so tests can place a point in a known
//! commune. A real portal publishes surveyed polygons in the same shape.

use std::sync::OnceLock;

use chrono::NaiveDate;
use smarthd_model::catalog::UnitKind;
use smarthd_model::report::{CommuneArea, ReportCategory};
use smarthd_model::workcal::WorkingCalendar;

use crate::generator::admin_units;

const CATEGORIES: &str = include_str!("../../data/report_categories.json");
const HOLIDAYS: &str = include_str!("../../data/holidays.json");
/// The files above, for the check that every data file is read and in NFC (`generator`'s tests).
#[cfg(test)]
pub(crate) const DATA_FILES: [(&str, &str); 2] = [("report_categories.json", CATEGORIES), ("holidays.json", HOLIDAYS)];
const GRID_ORIGIN: (f64, f64) = (106.20, 20.80);
const GRID_CELL: f64 = 0.04;
const GRID_COLUMNS: usize = 7;

pub fn categories() -> &'static [ReportCategory] {
    static PARSED: OnceLock<Vec<ReportCategory>> = OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str(CATEGORIES).expect("sandbox/data/report_categories.json is valid"))
}

pub fn areas() -> &'static [CommuneArea] {
    static BUILT: OnceLock<Vec<CommuneArea>> = OnceLock::new();
    BUILT.get_or_init(|| {
        admin_units()
            .units
            .into_iter()
            .filter(|u| u.kind != UnitKind::Province)
            .enumerate()
            .map(|(i, unit)| {
                let lon = GRID_ORIGIN.0 + (i % GRID_COLUMNS) as f64 * GRID_CELL;
                let lat = GRID_ORIGIN.1 + (i / GRID_COLUMNS) as f64 * GRID_CELL;
                let ring = vec![
                    [lon, lat],
                    [lon + GRID_CELL, lat],
                    [lon + GRID_CELL, lat + GRID_CELL],
                    [lon, lat + GRID_CELL],
                ];
                CommuneArea { code: unit.code, name: unit.name, ring }
            })
            .collect()
    })
}

/// The holiday table: `{"YYYY": ["YYYY-MM-DD", ...], "_note": "..."}`.
fn holidays() -> Vec<NaiveDate> {
    let table: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(HOLIDAYS).expect("sandbox/data/holidays.json is valid");
    table
        .iter()
        .filter(|(year, _)| !year.starts_with('_'))
        .flat_map(|(_, days)| days.as_array().expect("a year lists its days").iter())
        .map(|day| day.as_str().and_then(|d| d.parse().ok()).expect("holidays are YYYY-MM-DD"))
        .collect()
}

pub struct Published {
    calendar: WorkingCalendar,
}

impl Published {
    pub fn load() -> Published {
        Published { calendar: WorkingCalendar::new(holidays()) }
    }

    pub fn calendar(&self) -> &WorkingCalendar {
        &self.calendar
    }

    pub fn category(&self, code: &str) -> Option<&'static ReportCategory> {
        categories().iter().find(|c| c.code == code)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use smarthd_model::report::{GeoPoint, locate};

    use super::*;

    fn vn(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("{text}+07:00")).unwrap().to_utc()
    }

    #[test]
    fn deadlines_skip_weekends_and_the_tet_holiday_of_the_table() {
        let calendar = Published::load();
        let calendar = calendar.calendar();
        // Friday 13 February 2026, 15:00: 2 h that day, then Tết (16-20 February) and two weekends.
        assert_eq!(calendar.add_working_hours(vn("2026-02-13T15:00:00"), 8), vn("2026-02-23T15:00:00"));
        // An urgent report on a Friday afternoon: 4 working hours run into Monday.
        assert_eq!(calendar.add_working_hours(vn("2026-12-04T15:00:00"), 4), vn("2026-12-07T09:30:00"));
        // National Day 2026 (1-2 September, Tuesday and Wednesday).
        assert_eq!(calendar.add_working_hours(vn("2026-08-31T16:00:00"), 2), vn("2026-09-03T08:30:00"));
    }

    #[test]
    fn every_sample_commune_has_a_boundary_that_holds_its_own_centre() {
        for area in areas() {
            let [lon, lat] = area.ring[0];
            let centre = GeoPoint { lat: lat + GRID_CELL / 2.0, lon: lon + GRID_CELL / 2.0 };
            assert_eq!(locate(areas(), centre).map(|a| &a.code), Some(&area.code));
        }
        assert!(categories().iter().all(|c| c.in_scope == c.goes_to.is_none()), "out of scope says where to go");
    }
}
