//! `smarthd-core`: the shared core of the Smart-Hải Dương citizen app.
//!
//! [`SmartHd`] is the face an app (through the bindings), the CLI and tests use. Capabilities
//! live in their own modules: [`catalog`] (offline procedures and search), [`sync`] (bringing the
//! offline copy up to date), [`store`] (the SQLite files), [`http`] (the portal client),
//! [`text`] (Vietnamese folding).

pub mod catalog;
pub mod config;
pub mod error;
pub mod events;
pub mod http;
pub mod store;
pub mod sync;
pub mod text;

use std::sync::Arc;

pub use catalog::{Catalog, FacetCount, Freshness, PageRequest, SearchFilters, SearchHit, SearchPage};
pub use config::Config;
pub use error::{Error, ErrorKind, Result};
pub use events::{Event, EventListener, NoEvents};
pub use sync::{CancelToken, SyncOutcome, SyncReport};

use catalog::model::{AdminUnits, Procedure};
use http::PortalClient;

/// The core, opened on a data dir and pointed at a portal.
pub struct SmartHd {
    config: Config,
    portal: PortalClient,
    catalog: Catalog,
    events: Arc<dyn EventListener>,
}

impl SmartHd {
    /// Opens (and migrates) the databases in `config.data_dir`. Makes no network call.
    pub fn open(config: Config, events: Arc<dyn EventListener>) -> Result<Self> {
        let portal = PortalClient::new(&config)?;
        let catalog = Catalog::open(&config.data_dir)?;
        Ok(SmartHd { config, portal, catalog, events })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Brings the offline catalog up to date (needs a tokio runtime: reqwest).
    pub async fn sync_catalog(&self, cancel: &CancelToken) -> Result<SyncReport> {
        sync::sync_catalog(&self.portal, &self.catalog, self.events.as_ref(), cancel).await
    }

    /// Ranked search over the offline copy; never touches the network.
    pub fn search(&self, query: &str, filters: &SearchFilters, page: PageRequest) -> Result<SearchPage> {
        self.catalog.search(query, filters, page)
    }

    /// A procedure's whole record, from the offline copy; noted as recently viewed.
    pub fn procedure(&self, code: &str) -> Result<Procedure> {
        let procedure = self.catalog.procedure(code)?;
        self.catalog.record_view(&procedure.code)?;
        Ok(procedure)
    }

    pub fn fields(&self) -> Result<Vec<FacetCount>> {
        self.catalog.fields()
    }

    pub fn agencies(&self) -> Result<Vec<FacetCount>> {
        self.catalog.agencies()
    }

    pub fn units(&self) -> Result<AdminUnits> {
        self.catalog.units()
    }

    pub fn freshness(&self) -> Result<Freshness> {
        self.catalog.freshness()
    }

    pub fn add_favorite(&self, code: &str) -> Result<()> {
        self.catalog.add_favorite(code)
    }

    pub fn remove_favorite(&self, code: &str) -> Result<()> {
        self.catalog.remove_favorite(code)
    }

    pub fn favorites(&self) -> Result<Vec<SearchHit>> {
        self.catalog.favorites()
    }

    pub fn recently_viewed(&self, limit: u32) -> Result<Vec<SearchHit>> {
        self.catalog.recently_viewed(limit)
    }
}
