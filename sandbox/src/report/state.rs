//! What every report route is handed: the reports' store, what the portal publishes, the push
//! stand-in, and the officer console's sessions. Below the route modules (the JSON API in
//! `mod.rs`, the IOC's rules in `ioc`, its pages in `console`), so they share it without
//! importing each other.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{FromRef, State};

use super::published::Published;
use super::store::Store;
use crate::dossier::Desk;
use crate::identity::IdentityProvider;
use crate::push::PushGateway;

pub struct Reports {
    pub(super) store: Store,
    pub(super) published: Published,
    pub(super) push: Arc<PushGateway>,
}

impl Reports {
    pub fn open(db_path: &Path, push: Arc<PushGateway>) -> rusqlite::Result<Reports> {
        Ok(Reports { store: Store::open(db_path)?, published: Published::load(), push })
    }
}

#[derive(Clone)]
pub struct AppState {
    pub(super) reports: Arc<Reports>,
    pub(super) desk: Arc<Desk>,
    pub(super) idp: Arc<IdentityProvider>,
}

impl FromRef<AppState> for Arc<IdentityProvider> {
    fn from_ref(state: &AppState) -> Arc<IdentityProvider> {
        state.idp.clone()
    }
}

pub type Shared = State<AppState>;
