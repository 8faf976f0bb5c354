//! What the portal says about dossiers: the resident's status feed, the public lookup and the
//! answer to a submission, alone or in a batch. Parsing must never panic; every status the phone accepts must be one
//! it can name and store.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smarthd_core::PublicStatus;
use smarthd_core::dossier::{DossierStatus, SubmitAnswer};
use smarthd_core::sync::outbox::{BatchAnswer, StatusPage};

fn known(status: &str) {
    if let Some(parsed) = DossierStatus::parse(status) {
        assert_eq!(parsed.as_str(), status, "a status stored under another name");
        let (vi, en) = parsed.labels();
        assert!(!vi.is_empty() && !en.is_empty());
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(page) = serde_json::from_slice::<StatusPage>(data) {
        for dossier in &page.items {
            known(&dossier.status);
            dossier.timeline.iter().for_each(|event| known(&event.status));
        }
    }
    if let Ok(status) = serde_json::from_slice::<PublicStatus>(data) {
        let again: PublicStatus = serde_json::from_slice(&serde_json::to_vec(&status).unwrap()).unwrap();
        assert_eq!(again, status, "a public status does not round-trip");
    }
    if let Ok(answer) = serde_json::from_slice::<SubmitAnswer>(data) {
        known(&answer.status);
    }
    if let Ok(batch) = serde_json::from_slice::<BatchAnswer>(data) {
        for result in &batch.results {
            if let Ok(answer) = serde_json::from_str::<SubmitAnswer>(result.body.get()) {
                known(&answer.status);
            }
        }
    }
});
