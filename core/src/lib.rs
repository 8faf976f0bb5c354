//! `smarthd-core`: the shared core of the Smart-Hải Dương citizen app.
//!
//! [`SmartHd`] is what an app (through the bindings), the CLI and tests open; it hands out one
//! handle per capability: [`catalog`] (offline procedures and search), [`session`] (the VNeID
//! login through [`identity`]), [`dossier`] (drafts and submitting), [`payment`] (fees and
//! receipts), [`appointment`] (a place at the one-stop counter), [`report`] (field reports),
//! [`inbox`] (alerts and notices) and [`sync`] (bringing the offline copy and the outbox up to
//! date). Beneath them:
//! [`store`] (the SQLite files, kept private by [`private_files`]), [`transport`] (every request to the portal and the identity
//! provider), [`text`] (Vietnamese folding), and [`platform`] (the services the app injects).
//!
//! Layers, each using only those below it: the shared vocabulary ([`error`], [`events`],
//! [`config`], and the `smarthd-model` crate); the services ([`store`], [`vault`], [`owner`],
//! [`platform`], [`transport`]); the capabilities; their handles (each capability's `handle.rs`, and
//! [`session`]); this top, which builds them.

pub mod appointment;
pub mod catalog;
pub mod config;
pub mod documents;
pub mod dossier;
pub mod error;
pub mod events;
pub mod identity;
pub mod inbox;
pub mod owner;
pub mod payment;
pub mod platform;
pub mod private_files;
pub mod report;
pub mod session;
mod shared;
pub mod store;
pub mod sync;
pub mod transport;
pub mod trusted_keys;
pub mod vault;

pub use smarthd_model::text;

pub use appointment::handle::AppointmentsHandle;
pub use catalog::handle::CatalogHandle;
pub use catalog::{Catalog, FacetCount, Freshness, PageRequest, SearchFilters, SearchHit, SearchPage};
pub use config::{Config, ReceiptKeyPin};
pub use dossier::handle::{DossiersHandle, PublicStatus};
pub use dossier::{Attachment, Dossier, DossierStatus, FieldError, FieldProblem, ForPerson};
pub use error::{Error, ErrorKind, Result};
pub use events::{Event, EventListener, NoEvents, SessionState};
pub use identity::{LoginOptions, Profile};
pub use inbox::handle::InboxHandle;
pub use inbox::{InboxItem, InboxKind};
pub use payment::handle::PaymentsHandle;
pub use platform::Services;
pub use report::handle::{Commune, FeedQuery, ReportsHandle};
pub use report::{Report, ReportDraft, ReportPhoto, ReportState, ReportSyncReport};
pub use session::{LocalData, PortalProfile, SessionHandle};
pub use sync::handle::SyncHandle;
pub use sync::{DossierSyncReport, OutboxReport, SyncOutcome, SyncReport};

use std::sync::Arc;

use shared::Shared;
use transport::PortalClient;

/// The core, opened on a data dir and pointed at a portal. It does nothing itself: it hands out
/// one handle per capability (`core.catalog().search(..)`, `core.sync().now()`), each a cheap
/// clone sharing the same databases, portal client and session.
///
/// A new capability follows the same shape: a `…Handle` in its module's `handle.rs` holding
/// `Arc<Shared>`, with a small public face, and one method here that builds it. Handles import
/// their module, never the other way round, so no import circle forms.
pub struct SmartHd {
    shared: Arc<Shared>,
}

impl SmartHd {
    /// Opens (and migrates) the catalog in `config.data_dir`. Makes no network call. The
    /// resident's side (`user.db`, the data key) opens at the first call that needs it, so the
    /// catalog's first page never waits for it: a lost or changed data key is that call's
    /// `ErrorKind::UserDataUnreadable` (see [`SmartHd::open_recovering`]), a damaged `user.db`
    /// its `UserDataCorrupt`.
    pub fn open(config: Config, services: Services) -> Result<Self> {
        Self::open_with(config, services, false)
    }

    /// Opens after `UserDataUnreadable`, the resident's side at once: what the data key cannot
    /// open (the session, dossiers' form values) is kept aside in `user.db`, still sealed, never
    /// dropped; a new key is made if the old one is gone. The resident logs in again.
    pub fn open_recovering(config: Config, services: Services) -> Result<Self> {
        Self::open_with(config, services, true)
    }

    fn open_with(config: Config, services: Services, recover: bool) -> Result<Self> {
        private_files::create_dir(&config.data_dir)?;
        // A bad issuer is the configuration's error, found at open like the portal's.
        config::checked_url(&config.identity.issuer)?;
        let portal = PortalClient::new(&config)?;
        let catalog = Catalog::open(&config.data_dir)?;
        let shared = Shared::open(config, portal, catalog, services, recover)?;
        Ok(SmartHd { shared: Arc::new(shared) })
    }

    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// The offline procedures: search, records, facets, favourites.
    pub fn catalog(&self) -> CatalogHandle {
        CatalogHandle::new(self.shared.clone())
    }

    /// The VNeID login, the session, and what the portal knows of the resident.
    pub fn session(&self) -> SessionHandle {
        SessionHandle::new(self.shared.clone())
    }

    /// Drafts, their fields and attachments, submitting, and the public lookup.
    pub fn dossiers(&self) -> DossiersHandle {
        DossiersHandle::new(self.shared.clone())
    }

    /// My documents: results, e-receipts and personal papers, offline, searchable, exportable.
    pub fn documents(&self) -> documents::handle::DocumentsHandle {
        documents::handle::DocumentsHandle::new(self.shared.clone())
    }

    /// Paying a dossier's fees, the gateway's return, and the receipts kept on the phone.
    pub fn payments(&self) -> PaymentsHandle {
        PaymentsHandle::new(self.shared.clone())
    }

    /// A place at the commune's one-stop counter: counters, slots, booking, tickets.
    pub fn appointments(&self) -> AppointmentsHandle {
        AppointmentsHandle::new(self.shared.clone())
    }

    /// Field reports: drafts with photos and the place, sent through the outbox, followed to
    /// the answer and rated; the city's public feed of handled reports.
    pub fn reports(&self) -> ReportsHandle {
        ReportsHandle::new(self.shared.clone())
    }

    /// The city's alerts and the app's own notices, offline, with read state; the push token.
    pub fn inbox(&self) -> InboxHandle {
        InboxHandle::new(self.shared.clone())
    }

    /// Bringing the offline copy and the outbox up to date with the portal.
    pub fn sync(&self) -> SyncHandle {
        SyncHandle::new(self.shared.clone())
    }
}
