//! The sandbox's OpenID Connect provider, standing in for the province's VNeID-connected
//! identity provider: discovery, JWKS (ES256, RS256, rotation), authorization code flow with
//! PKCE S256 and a bilingual login page, PAR (RFC 9126), DPoP (RFC 9449), refresh-token rotation
//! with reuse detection, `iss` in the authorization response (RFC 9207), userinfo, revocation,
//! end-session, and the step-up challenge (RFC 9470) on the portal's own APIs. Test hooks under
//! `/admin/identity/` switch modes and faults at run time. The contract is `docs/identity.md`.
//!
//! Durable (the SQLite file): signing keys, SSO sessions, codes, token families and tokens.
//! In memory (lost on restart, nothing there needs to outlive it): modes, faults, counters,
//! login pages in progress, pushed requests, DPoP `jti`s and nonces.

// Layers, each importing only from those below it: jose, store, citizens, `common` (the shared
// vocabulary); keys, dpop, pages; `provider` (the state); auth; the route modules; this file,
// which only assembles the router and the public face.
mod admin;
mod auth;
mod citizens;
mod common;
mod dpop;
mod jose;
mod keys;
mod pages;
mod provider;
mod resources;
mod routes;
mod store;
mod token;

use std::sync::Arc;

use axum::Router;

pub use auth::{AuthError, Authenticated, Scheme};
pub use citizens::{CITIZENS, Citizen, Organisation, SANDBOX_OTP};
pub use common::{
    ACR_LEVEL1, ACR_LEVEL2, APP_REDIRECT_URI, CLIENT_ID, Counters, Fault, IdentityMode, REALM_PATH, SigningAlg,
    acr_for_level,
};
pub use keys::{KeyError, Rotated};
pub use provider::{IdentityConfig, IdentityProvider};

/// The provider's routes: the realm's OpenID endpoints, the portal's `/api/v1/me` routes, and
/// the tester's `/admin/identity/` routes.
pub fn router(idp: Arc<IdentityProvider>) -> Router {
    routes::router().merge(token::router()).merge(resources::router()).merge(admin::router()).with_state(idp)
}
