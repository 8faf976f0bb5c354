//! Bringing things up to date with the portal: the catalog feed ([`catalog`]) and the dossier
//! outbox and statuses ([`outbox`]).

pub mod catalog;
pub mod handle;
pub mod outbox;

pub use catalog::{PAGE_SIZE, SyncOutcome, SyncReport, sync_catalog};
pub use outbox::{DossierSyncReport, OutboxReport};
