//! `smarthd-sandbox`: a portal server that stands in for the province's systems, for tests, the
//! demo and testers on emulators. It keeps its state in its own SQLite file, so it survives a
//! restart, and listens on loopback by default. The wire contract is `docs/portal-api.md`.

mod api_error;
pub mod appointment;
mod catalog_api;
mod db;
mod dossier;
pub mod faults;
pub mod generator;
mod guard;
mod home;
mod html;
pub mod identity;
mod inbox;
mod openapi;
pub mod payment;
mod portal;
mod push;
pub mod report;
pub mod robot;
mod signing;
mod tls;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use dossier::{OFFICER_CSRF_HEADER, OFFICERS, OfficerAccount};
pub use guard::ADMIN_TOKEN_HEADER;
pub use identity::{IdentityConfig, IdentityProvider};
pub use portal::Portal;

/// The catalog size of Hải Dương's real catalog (1,913 services in June 2024).
pub const DEFAULT_CATALOG_SIZE: usize = 1_900;
pub const DEFAULT_SEED: u64 = 30; // Hải Dương's CCCD province code

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub addr: SocketAddr,
    /// The portal's SQLite file; created and filled from the generator when new.
    pub db_path: PathBuf,
    /// How many procedures a new database is filled with.
    pub catalog_size: usize,
    pub seed: u64,
    /// The OpenID provider's public URL and starting modes.
    pub identity: IdentityConfig,
    /// Faults injected from the start (`--fault`); none by default.
    pub faults: Vec<faults::Fault>,
    /// Payment orders' lifetime (15 minutes by default; tests make it short).
    pub payment: payment::PaymentConfig,
    /// The token `/admin/…` routes require (header `X-Sandbox-Admin-Token`); random at each
    /// start when `None`. Read it back with [`Sandbox::admin_token`].
    pub admin_token: Option<String>,
    /// Serve HTTPS with a self-signed certificate made at start (for tests of the client's TLS
    /// and pinning); plain HTTP on loopback by default.
    pub tls: bool,
    /// Offer `POST /api/v1/dossier-batches` (the default); without it the sandbox stands in for
    /// a portal that takes dossiers one at a time (tests of the app's fallback).
    pub dossier_batches: bool,
}

impl SandboxConfig {
    /// Loopback on an ephemeral port.
    pub fn ephemeral(db_path: impl Into<PathBuf>) -> Self {
        SandboxConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db_path: db_path.into(),
            catalog_size: DEFAULT_CATALOG_SIZE,
            seed: DEFAULT_SEED,
            identity: IdentityConfig::default(),
            faults: Vec::new(),
            payment: payment::PaymentConfig::default(),
            admin_token: None,
            tls: false,
            dossier_batches: true,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("sandbox I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Identity(#[from] identity::KeyError),
    #[error(transparent)]
    Payments(#[from] payment::OpenError),
    #[error(transparent)]
    Appointments(#[from] appointment::OpenError),
    #[error("sandbox TLS: {0}")]
    Tls(String),
}

/// A running sandbox; stops when [`Sandbox::stop`] is called or it is dropped.
pub struct Sandbox {
    addr: SocketAddr,
    portal: Arc<Portal>,
    identity: Arc<IdentityProvider>,
    payments: Arc<payment::Payments>,
    appointments: Arc<appointment::Appointments>,
    admin_token: Arc<guard::AdminToken>,
    /// The self-signed certificate (DER) in the TLS mode.
    certificate: Option<Vec<u8>>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Opens (or creates and fills) the database, binds, and serves in the background.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        let portal = Arc::new(Portal::open(&config.db_path, config.catalog_size, config.seed)?);
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        // The issuer must name an address clients can reach, not the wildcard bound to.
        let reachable = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port()),
            IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(Ipv6Addr::LOCALHOST.into(), addr.port()),
            _ => addr,
        };
        let certificate = if config.tls { Some(tls::Certificate::self_signed(reachable.ip())?) } else { None };
        let scheme = if certificate.is_some() { "https" } else { "http" };
        let identity =
            Arc::new(IdentityProvider::open(&config.db_path, &format!("{scheme}://{reachable}"), config.identity)?);
        // Pay URLs name the address browsers use (the issuer's); IPN and querydr stay on loopback.
        let public_base = identity.issuer().trim_end_matches(identity::REALM_PATH).to_owned();
        let internal_base = format!("{scheme}://{reachable}");
        let payments =
            Arc::new(payment::Payments::open(&config.db_path, &public_base, &internal_base, config.payment)?);
        let appointments = Arc::new(appointment::Appointments::open(&config.db_path)?);
        let push = Arc::new(push::PushGateway::open(&config.db_path)?);
        let reports = Arc::new(report::Reports::open(&config.db_path, push.clone())?);
        let inbox = Arc::new(inbox::Inbox::open(&config.db_path, push)?);
        let desk = Arc::new(dossier::Desk::default());
        let faults = Arc::new(faults::Faults::new(config.faults));
        let admin_token = Arc::new(guard::AdminToken::new(config.admin_token));
        // Every route goes through `routes!`, so the document lists exactly what is served.
        let document = openapi::Document::default();
        let (app, api) = openapi::base()
            .merge(home::router())
            .merge(catalog_api::router(portal.clone()))
            .merge(identity::router(identity.clone()))
            .merge(dossier::router(
                &config.db_path,
                config.dossier_batches,
                portal.clone(),
                identity.clone(),
                payments.clone(),
                desk.clone(),
            )?)
            .merge(report::router(reports, desk.clone(), identity.clone()))
            .merge(inbox::router(inbox, desk, identity.clone()))
            .merge(payment::router(payments.clone(), portal.clone(), identity.clone()))
            .merge(appointment::router(appointments.clone(), portal.clone(), identity.clone()))
            .merge(faults::router(faults.clone()))
            .merge(openapi::router(document.clone()))
            .split_for_parts();
        document.set(&api);
        let app = app
            .fallback(api_error::no_route)
            .layer(axum::middleware::map_response(api_error::json_errors))
            .layer(axum::middleware::from_fn_with_state(faults, faults::inject))
            .layer(axum::middleware::from_fn_with_state(admin_token.clone(), guard::admin_only))
            .layer(axum::middleware::map_response(guard::security_headers));
        // Faults close connections without answering: through the listener's kill switches.
        let listener = faults::FaultListener(listener);
        let app = app.into_make_service_with_connect_info::<faults::Connection>();
        let (tx, rx) = oneshot::channel::<()>();
        let shutdown = async {
            let _ = rx.await;
        };
        let server = match &certificate {
            None => tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
                    tracing::error!("sandbox server stopped: {e}");
                }
            }),
            Some(certificate) => {
                let listener = tls::TlsListener::new(listener, certificate.acceptor()?)?;
                tokio::spawn(async move {
                    if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
                        tracing::error!("sandbox server stopped: {e}");
                    }
                })
            }
        };
        tracing::info!(%addr, scheme, "sandbox portal listening");
        let certificate = certificate.map(|c| c.der);
        Ok(Sandbox {
            addr,
            portal,
            identity,
            payments,
            appointments,
            admin_token,
            certificate,
            shutdown: Some(tx),
            server: Some(server),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/` (`https://` in the TLS mode)
    pub fn base_url(&self) -> String {
        let scheme = if self.certificate.is_some() { "https" } else { "http" };
        format!("{scheme}://{}/", self.addr)
    }

    /// The self-signed certificate (DER) the TLS mode serves, for a client to trust or pin.
    pub fn certificate_der(&self) -> Option<&[u8]> {
        self.certificate.as_deref()
    }

    /// The token the `/admin/…` routes require, in the `X-Sandbox-Admin-Token` header.
    pub fn admin_token(&self) -> &str {
        self.admin_token.as_str()
    }

    /// Direct access to the portal's state, for tests that check its ledger.
    pub fn portal(&self) -> &Arc<Portal> {
        &self.portal
    }

    /// The OpenID provider, for tests that read its counters or switch its modes directly.
    pub fn identity(&self) -> &Arc<IdentityProvider> {
        &self.identity
    }

    /// The payment side: the merchant's HashSecret, for tests that sign IPNs as the gateway.
    pub fn payments(&self) -> &Arc<payment::Payments> {
        &self.payments
    }

    /// The appointment side: the ticket key, for apps and tests that pin it.
    pub fn appointments(&self) -> &Arc<appointment::Appointments> {
        &self.appointments
    }

    /// The OpenID issuer: `http://127.0.0.1:PORT/realms/haiduong`.
    pub fn issuer(&self) -> &str {
        self.identity.issuer()
    }

    /// Stops accepting, finishes requests in flight, and waits for the server to end.
    pub async fn stop(mut self) {
        self.shutdown_now();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    /// Serves until the process gets Ctrl-C.
    pub async fn serve_until_ctrl_c(mut self) {
        let _ = tokio::signal::ctrl_c().await;
        self.shutdown_now();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}
