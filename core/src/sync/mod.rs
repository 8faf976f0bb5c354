//! Bringing things up to date with the portal: the catalog feed ([`catalog`]) and the dossier
//! outbox and statuses ([`outbox`]).

mod cancel;
pub mod catalog;
pub mod outbox;

pub use cancel::CancelToken;
pub use catalog::{PAGE_SIZE, SyncOutcome, SyncReport, sync_catalog};
pub use outbox::{DossierSyncReport, OutboxReport};
