//! `client.documents()`: My documents (results, e-receipts, personal papers), offline.

use std::path::Path;

use smarthd_core::documents::MyDocument;
use smarthd_core::documents::handle::DocumentsHandle;

use crate::Result;

#[derive(uniffi::Object)]
pub struct DocumentsApi(pub(crate) DocumentsHandle);

#[uniffi::export]
impl DocumentsApi {
    /// Everything the logged-in resident holds, newest first, filtered by `query` (with or
    /// without tone marks; empty for all). Results and receipts say whether they still verify.
    #[uniffi::method(default(query = ""))]
    pub fn list(&self, query: String) -> Result<Vec<MyDocument>> {
        Ok(self.0.list(&query)?)
    }

    /// Writes document `id` to `path` (a result's PDF, a receipt's signed JSON, a card's JSON).
    pub fn export(&self, id: String, path: String) -> Result<MyDocument> {
        Ok(self.0.export(&id, Path::new(&path))?)
    }
}
