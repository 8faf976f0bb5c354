//! A field report for the `officer reports` tests: sent by the core's logged-in resident, as
//! the phone sends it, with a camera photo the core cleans.

use std::path::Path;

use smarthd_core::SmartHd;
use smarthd_core::report::{GeoPoint, Urgency};

/// A report in the first sample commune, sent and received by the portal; its code. `seed`
/// makes its photo differ from the others'.
pub async fn submitted(core: &SmartHd, dir: &Path, seed: u32) -> String {
    core.reports().refresh_published().await.unwrap();
    let draft = smarthd_core::ReportDraft {
        category: "chieu_sang".into(),
        text: "Đèn đường hỏng cả tuần nay.".into(),
        location: GeoPoint { lat: 20.82, lon: 106.22 },
        address_note: None,
        urgency: Urgency::Normal,
        share_identity: false,
    };
    let report = core.reports().create(&draft).unwrap();
    let photo = smarthd_tests::camera_photo(dir, &format!("{}.jpg", report.id), seed);
    core.reports().add_photo(&report.id, &photo).unwrap();
    core.reports().submit(&report.id).unwrap();
    core.sync().now().await.unwrap();
    core.reports().get(&report.id).unwrap().code.expect("received by the portal")
}
