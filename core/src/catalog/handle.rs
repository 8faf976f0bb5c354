//! The catalog's public face: reads of the offline copy, never the network.

use std::sync::Arc;

use super::model::{AdminUnits, Procedure};
use super::{FacetCount, Freshness, PageRequest, SearchFilters, SearchHit, SearchPage};
use crate::error::Result;
use crate::owner;
use crate::shared::Shared;

/// `core.catalog()`: search, records, facets, favourites and recently viewed procedures.
#[derive(Clone)]
pub struct CatalogHandle {
    shared: Arc<Shared>,
}

impl CatalogHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        CatalogHandle { shared }
    }

    /// Search over the offline copy, one page in relevance order; every match reachable by
    /// paging. Never touches the network.
    pub fn search(&self, query: &str, filters: &SearchFilters, page: PageRequest) -> Result<SearchPage> {
        self.shared.catalog.search(query, filters, page)
    }

    /// Completions of the search box text from the index, at most `limit` (1..=20) names.
    pub fn suggest(&self, prefix: &str, limit: u32) -> Result<Vec<String>> {
        self.shared.catalog.suggest(prefix, limit)
    }

    /// A procedure's whole record, from the offline copy; noted as recently viewed.
    pub fn procedure(&self, code: &str) -> Result<Procedure> {
        let procedure = self.shared.catalog.procedure(code)?;
        self.shared.catalog.record_view(&self.shared.user()?.user_db, &self.lists()?, &procedure.code)?;
        Ok(Arc::unwrap_or_clone(procedure))
    }

    pub fn fields(&self) -> Result<Vec<FacetCount>> {
        self.shared.catalog.fields()
    }

    pub fn agencies(&self) -> Result<Vec<FacetCount>> {
        self.shared.catalog.agencies()
    }

    pub fn units(&self) -> Result<AdminUnits> {
        self.shared.catalog.units()
    }

    pub fn freshness(&self) -> Result<Freshness> {
        self.shared.catalog.freshness()
    }

    pub fn add_favorite(&self, code: &str) -> Result<()> {
        self.shared.catalog.add_favorite(&self.shared.user()?.user_db, &self.lists()?, code)
    }

    pub fn remove_favorite(&self, code: &str) -> Result<()> {
        self.shared.catalog.remove_favorite(&self.shared.user()?.user_db, &self.lists()?, code)
    }

    pub fn favorites(&self) -> Result<Vec<SearchHit>> {
        self.shared.catalog.favorites(&self.shared.user()?.user_db, &self.lists()?)
    }

    pub fn recently_viewed(&self, limit: u32) -> Result<Vec<SearchHit>> {
        self.shared.catalog.recently_viewed(&self.shared.user()?.user_db, &self.lists()?, limit)
    }

    /// Whose favourites and recently viewed procedures: the logged-in resident's, else the
    /// lists kept while nobody is logged in.
    fn lists(&self) -> Result<String> {
        Ok(owner::list_owner(self.shared.owner()?.as_ref()).to_owned())
    }
}
