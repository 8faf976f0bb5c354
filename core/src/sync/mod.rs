//! Bringing things up to date with the portal: the catalog feed ([`catalog`]) and the dossier
//! outbox and statuses ([`outbox`]).

pub mod catalog;
mod handle;
pub mod outbox;

pub use catalog::{PAGE_SIZE, SyncOutcome, SyncReport, sync_catalog};
pub use handle::SyncHandle;
pub use outbox::{DossierSyncReport, OutboxReport};
