//! `client.catalog()`: the offline procedures. Every call is a local SQLite read or write
//! (sub-millisecond), so none is async; call them off the main thread.

use smarthd_core::catalog::model::{AdminUnits, Procedure};
use smarthd_core::{CatalogHandle, FacetCount, Freshness, PageRequest, SearchFilters, SearchHit, SearchPage};

use crate::Result;

#[derive(uniffi::Object)]
pub struct CatalogApi(pub(crate) CatalogHandle);

#[uniffi::export]
impl CatalogApi {
    /// Search over the offline copy, with or without tone marks; never touches the network. One
    /// page per call: every match is reachable by paging, `has_more` true exactly when another
    /// page holds one. A limit outside 1..=200 is a `Validation` error.
    #[uniffi::method(default(page))]
    pub fn search(&self, query: String, filters: SearchFilters, page: PageRequest) -> Result<SearchPage> {
        Ok(self.0.search(&query, &filters, page)?)
    }

    /// Completions of the search box text as it is typed ("dang k"): up to `limit` (1..=20)
    /// distinct procedure names from the offline copy, the most likely first.
    #[uniffi::method(default(limit = 8))]
    pub fn suggest(&self, prefix: String, limit: u32) -> Result<Vec<String>> {
        Ok(self.0.suggest(&prefix, limit)?)
    }

    /// A procedure's whole record (documents, fees, steps, e-form schema) from the offline
    /// copy; noted as recently viewed. `NotFound` for an unknown code.
    pub fn procedure(&self, code: String) -> Result<Procedure> {
        Ok(self.0.procedure(&code)?)
    }

    /// Lĩnh vực (fields) with their counts of in-force procedures.
    pub fn fields(&self) -> Result<Vec<FacetCount>> {
        Ok(self.0.fields()?)
    }

    /// Agencies with their counts of in-force procedures.
    pub fn agencies(&self) -> Result<Vec<FacetCount>> {
        Ok(self.0.agencies()?)
    }

    /// Administrative units after the 2025 reform, and the old units mapped to them.
    pub fn units(&self) -> Result<AdminUnits> {
        Ok(self.0.units()?)
    }

    /// When the copy was last brought up to date, and whether it is complete.
    pub fn freshness(&self) -> Result<Freshness> {
        Ok(self.0.freshness()?)
    }

    pub fn add_favorite(&self, code: String) -> Result<()> {
        Ok(self.0.add_favorite(&code)?)
    }

    pub fn remove_favorite(&self, code: String) -> Result<()> {
        Ok(self.0.remove_favorite(&code)?)
    }

    pub fn favorites(&self) -> Result<Vec<SearchHit>> {
        Ok(self.0.favorites()?)
    }

    /// The procedures opened most recently, newest first.
    #[uniffi::method(default(limit = 20))]
    pub fn recently_viewed(&self, limit: u32) -> Result<Vec<SearchHit>> {
        Ok(self.0.recently_viewed(limit)?)
    }
}
