//! What every dossier route is handed: the store and the catalog, and the identity provider that
//! `Authenticated` asks. Above the store, below the route modules, so that they share it
//! without importing each other.

use std::sync::Arc;

use axum::extract::{FromRef, State};

use super::desk::Desk;
use super::store::Store;
use crate::identity::IdentityProvider;
use crate::portal::Portal;
use crate::signing::DocumentSigner;

pub struct DossierApi {
    pub(super) store: Store,
    pub(super) portal: Arc<Portal>,
    /// Signs results with the portal's published key.
    pub(super) signer: Arc<dyn DocumentSigner>,
    /// The officer console's sessions (shared with the IOC's report routes).
    pub(super) desk: Arc<Desk>,
}

#[derive(Clone)]
pub struct AppState {
    pub(super) api: Arc<DossierApi>,
    pub(super) idp: Arc<IdentityProvider>,
}

impl FromRef<AppState> for Arc<IdentityProvider> {
    fn from_ref(state: &AppState) -> Arc<IdentityProvider> {
        state.idp.clone()
    }
}

pub type Shared = State<AppState>;
