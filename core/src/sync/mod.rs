//! Bringing things up to date with the portal: the catalog feed ([`catalog`]), the dossier
//! outbox and statuses ([`outbox`]), field reports and their progress ([`reports`]), and the
//! results the portal issued ([`results`]).

pub mod catalog;
pub mod handle;
pub mod outbox;
pub mod reports;
pub mod results;

pub use catalog::{PAGE_SIZE, SyncOutcome, SyncReport, sync_catalog};
pub use outbox::{DossierSyncReport, OutboxReport};
