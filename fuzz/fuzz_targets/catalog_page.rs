//! The catalog change feed and the administrative units come from the portal: parsing must never
//! panic, what parses must round-trip, and the page check must let through only pages whose
//! changes lie in their cursor range and carry the record they name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smarthd_core::catalog::model::{AdminUnits, ChangesPage};
use smarthd_core::sync::catalog::check_page;

fuzz_target!(|data: &[u8]| {
    if let Ok(page) = serde_json::from_slice::<ChangesPage>(data) {
        let again: ChangesPage = serde_json::from_slice(&serde_json::to_vec(&page).unwrap()).unwrap();
        assert_eq!(again, page, "a changes page does not round-trip");
        let first = page.items.iter().map(|c| c.seq).min().unwrap_or(0);
        for since in [0, first.saturating_sub(1), first, page.next_since.saturating_sub(1), page.next_since] {
            if check_page(&page, since).is_ok() {
                assert!(!page.has_more || page.next_since > since, "the cursor must advance");
                for change in &page.items {
                    assert!(since < change.seq && change.seq <= page.next_since);
                    if !change.removed {
                        assert_eq!(change.procedure.as_ref().map(|p| p.code.as_str()), Some(change.code.as_str()));
                    }
                }
            }
        }
    }
    if let Ok(units) = serde_json::from_slice::<AdminUnits>(data) {
        let again: AdminUnits = serde_json::from_slice(&serde_json::to_vec(&units).unwrap()).unwrap();
        assert_eq!(again, units, "the units do not round-trip");
    }
});
