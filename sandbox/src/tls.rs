//! The TLS mode: HTTPS with a self-signed certificate made at start (rcgen), served by rustls on
//! ring. For tests of the client's certificate checks and SPKI pinning over a real handshake.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::SandboxError;
use crate::faults::{Connection, FaultListener, KillableStream};

/// A handshake that has not finished by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A certificate for `localhost` and the address served, and its key.
pub(crate) struct Certificate {
    pub der: Vec<u8>,
    key_pkcs8: Vec<u8>,
}

impl Certificate {
    pub fn self_signed(ip: IpAddr) -> Result<Certificate, SandboxError> {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), ip.to_string()])
            .map_err(|e| SandboxError::Tls(e.to_string()))?;
        Ok(Certificate { der: made.cert.der().to_vec(), key_pkcs8: made.signing_key.serialize_der() })
    }

    pub fn acceptor(&self) -> Result<TlsAcceptor, SandboxError> {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_pkcs8.clone()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .and_then(|b| b.with_no_client_auth().with_single_cert(vec![CertificateDer::from(self.der.clone())], key))
            .map_err(|e| SandboxError::Tls(e.to_string()))?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

/// Accepts TCP connections (with their fault kill switches) and hands on those whose TLS
/// handshake succeeded. Handshakes run in their own tasks, so a client that refuses the
/// certificate (a pin that does not match) loses only its own connection.
pub(crate) struct TlsListener {
    local_addr: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<KillableStream>, SocketAddr)>,
}

impl TlsListener {
    pub fn new(mut tcp: FaultListener, acceptor: TlsAcceptor) -> io::Result<TlsListener> {
        let local_addr = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                // Ends (and frees the port) once the server has dropped the listener.
                let (stream, addr) = tokio::select! {
                    () = tx.closed() => return,
                    accepted = tcp.accept() => accepted,
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, addr)).await;
                        }
                        Ok(Err(e)) => tracing::info!(%addr, "TLS handshake failed: {e}"),
                        Err(_) => tracing::info!(%addr, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { local_addr, ready })
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<KillableStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, SocketAddr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accepting task only ends after this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local_addr)
    }
}

impl Connected<IncomingStream<'_, TlsListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Connection {
        stream.io().get_ref().0.connection()
    }
}
