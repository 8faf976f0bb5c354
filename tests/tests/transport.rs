//! The transport policy on every hop, against loopback servers that record what reaches them:
//! redirects are never followed (no body, token or proof travels on to another origin), a
//! redirect to plain http elsewhere is refused without a connection, and a session made for one
//! portal is not sent to another.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use smarthd_core::error::{AuthError, PortalError};
use smarthd_core::transport::{Access, Credentials, PortalClient, Prover, Request};
use smarthd_core::{Config, Error, ErrorKind, SessionState, SmartHd};
use smarthd_sandbox::robot::LEVEL1_CITIZEN;
use smarthd_sandbox::{Sandbox, SandboxConfig};
use smarthd_tests::{World, log_in};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

const CCCD: &str = "030095001234";
const ACCESS_TOKEN: &str = "access-token-for-portal-a";
const REFRESH_TOKEN: &str = "refresh-token-for-portal-a";

/// A loopback HTTP server that answers every request with `answer` and keeps what it received.
struct Recording {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Recording {
    fn start(answer: impl Fn() -> String + Send + 'static) -> Recording {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (seen, kept) = (connections.clone(), requests.clone());
        std::thread::spawn(move || {
            for mut stream in listener.incoming().map_while(Result::ok) {
                seen.fetch_add(1, Ordering::SeqCst);
                let request = read_request(&mut stream);
                kept.lock().unwrap().push(request);
                let _ = stream.write_all(answer().as_bytes());
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
        });
        Recording { url, connections, requests }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&self.url).unwrap().join(path).unwrap()
    }
}

/// The head and the body (by Content-Length) of one HTTP/1.1 request, lowercased.
fn read_request(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n");
        if let Some(end) = head_end {
            let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                break;
            }
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => bytes.extend_from_slice(&buffer[..n]),
        }
    }
    String::from_utf8_lossy(&bytes).to_ascii_lowercase()
}

fn redirect(status: &str, location: &str) -> String {
    format!("HTTP/1.1 {status}\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

/// Credentials for portal A, with a DPoP "proof" that is easy to spot.
struct PortalA {
    origin: url::Origin,
    dpop: bool,
}

struct FakeProof;

impl Prover for FakeProof {
    fn proof(
        &self,
        _: &reqwest::Method,
        _: &url::Url,
        _: Option<&str>,
        _: Option<&str>,
    ) -> smarthd_core::Result<String> {
        Ok("proof-for-portal-a".into())
    }
}

impl PortalA {
    fn access(&self) -> Access {
        Access {
            token: ACCESS_TOKEN.into(),
            portal: self.origin.clone(),
            prover: self.dpop.then(|| Arc::new(FakeProof) as Arc<dyn Prover>),
        }
    }
}

impl Credentials for PortalA {
    async fn access(&self) -> smarthd_core::Result<Access> {
        Ok(PortalA::access(self))
    }

    async fn renew(&self, _refused: &Access) -> smarthd_core::Result<Access> {
        Ok(PortalA::access(self))
    }
}

fn client_for(url: &str) -> PortalClient {
    let mut config = Config::new(url, std::env::temp_dir()).unwrap();
    // Were a redirect to an unroutable address followed, this fails fast as a timeout, which
    // the assertions tell apart from a refused redirect.
    config.connect_timeout = std::time::Duration::from_millis(300);
    PortalClient::new(&config).unwrap()
}

fn assert_redirect_refused(result: smarthd_core::Result<smarthd_core::transport::Answer>, what: &str) {
    match result {
        Err(Error::Portal(PortalError::Redirected { .. })) => {}
        Err(other) => panic!("{what}: expected a refused redirect, got {other}"),
        Ok(answer) => panic!("{what}: the redirect was followed to an answer {}", answer.status),
    }
}

fn assert_nothing_secret(request: &str) {
    for secret in ["authorization", "dpop", ACCESS_TOKEN, REFRESH_TOKEN, "proof-for-portal-a", CCCD] {
        assert!(!request.contains(&secret.to_ascii_lowercase()), "{secret:?} reached the other server:\n{request}");
    }
}

#[tokio::test]
async fn a_redirect_to_another_origin_carries_no_body_token_or_proof() {
    let elsewhere = Recording::start(|| "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".into());
    for status in ["307 Temporary Redirect", "308 Permanent Redirect", "302 Found", "303 See Other"] {
        let location = format!("{}api/v1/dossiers", elsewhere.url);
        let portal = Recording::start(move || redirect(status, &location));
        let client = client_for(&portal.url);
        let credentials = PortalA { origin: portal.url("").origin(), dpop: true };
        let dossier = format!(r#"{{"fields":{{"so_cccd":"{CCCD}"}}}}"#);

        let submit = Request::post(portal.url("api/v1/dossiers")).json(dossier.as_bytes());
        assert_redirect_refused(client.send_authorized(&credentials, submit).await, status);
        let bearer = PortalA { dpop: false, ..credentials };
        let submit = Request::post(portal.url("api/v1/dossiers")).json(dossier.as_bytes());
        assert_redirect_refused(client.send_authorized(&bearer, submit).await, status);
        let refresh = format!("grant_type=refresh_token&refresh_token={REFRESH_TOKEN}");
        let token = Request::post(portal.url("realms/haiduong/token")).form(&refresh);
        assert_redirect_refused(client.send_with_proof(token, Some(&FakeProof)).await, status);
        assert_redirect_refused(client.send(Request::get(portal.url("api/v1/units"))).await, status);

        assert_eq!(portal.requests().len(), 4, "{status}: the portal got each request once");
        assert!(portal.requests()[0].contains(CCCD), "{status}: the portal itself got the body");
        assert_eq!(elsewhere.connections(), 0, "{status}: the other origin was never contacted");
    }
    elsewhere.requests().iter().for_each(|r| assert_nothing_secret(r));
}

#[tokio::test]
async fn the_core_does_not_follow_the_portal_elsewhere() {
    let elsewhere = Recording::start(|| "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".into());
    let location = format!("{}api/v1/dossiers/lookup/X", elsewhere.url);
    let portal = Recording::start(move || redirect("307 Temporary Redirect", &location));
    let dir = tempfile::tempdir().unwrap();
    let config = Config::new(&portal.url, dir.path()).unwrap();
    let core = SmartHd::open(config, smarthd_core::Services::with_key_dir(dir.path().join("keys"))).unwrap();
    let err = core.dossiers().lookup("H19.00-000000-0000").await.unwrap_err();
    assert!(matches!(err, Error::Portal(PortalError::Redirected { status: 307, .. })), "{err}");
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    assert_eq!(elsewhere.connections(), 0);
}

#[tokio::test]
async fn a_redirect_to_plain_http_elsewhere_is_refused_without_a_connection() {
    // 192.0.2.1 (TEST-NET-1) is not loopback: plain http there is against the policy, and a
    // connection attempt would end as a timeout, not as a refused redirect.
    for location in ["http://192.0.2.1/api/v1/dossiers", "http://dichvucong.example/api/v1/dossiers"] {
        let portal = Recording::start(move || redirect("307 Temporary Redirect", location));
        let client = client_for(&portal.url);
        let credentials = PortalA { origin: portal.url("").origin(), dpop: true };
        let submit = Request::post(portal.url("api/v1/dossiers")).json(br#"{"so_cccd":"030095001234"}"#);
        assert_redirect_refused(client.send_authorized(&credentials, submit).await, location);
    }
    let client = client_for("http://127.0.0.1:9/");
    let direct = client.send(Request::get(url::Url::parse("http://192.0.2.1/api/v1/units").unwrap())).await;
    assert!(matches!(direct, Err(Error::InsecureUrl { .. })), "a plain http URL elsewhere is never contacted");
}

#[tokio::test]
async fn a_token_is_not_sent_to_another_origin_than_its_portal() {
    let other = Recording::start(|| "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".into());
    let client = client_for(&other.url);
    let credentials = PortalA { origin: url::Url::parse("http://127.0.0.1:1/").unwrap().origin(), dpop: true };
    let err = client.send_authorized(&credentials, Request::get(other.url("api/v1/me"))).await.unwrap_err();
    assert!(matches!(err, Error::Auth(AuthError::OtherPortal { .. })), "{err}");
    assert_eq!(other.connections(), 0);
}

#[tokio::test]
async fn a_session_made_for_portal_a_is_not_sent_to_portal_b() {
    let world = World::new(50).await;
    log_in(&world.core(), 1, &LEVEL1_CITIZEN).await.unwrap();
    let portal_b = Recording::start(|| "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".into());
    let keys = world.data_dir().join("keys");

    // Pointed at B with B's own realm, and with A's remembered issuer: neither sends A's tokens.
    let mut remembered = Config::new(&portal_b.url, world.data_dir()).unwrap();
    remembered.identity.issuer = format!("{}realms/haiduong", world.sandbox.base_url());
    for config in [Config::new(&portal_b.url, world.data_dir()).unwrap(), remembered] {
        let core = SmartHd::open(config, smarthd_core::Services::with_key_dir(&keys)).unwrap();
        let err = core.session().profile().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NeedsLogin, "{err}");
        assert!(matches!(err, Error::Auth(AuthError::OtherPortal { .. })), "{err}");
        assert!(err.to_string().contains("log in again"), "{err}");
        assert_eq!(core.session().state().await.unwrap(), SessionState::LoggedOut);
        assert_eq!(core.session().whoami().await.unwrap(), None);
        core.sync().now().await.unwrap();
    }
    for request in portal_b.requests() {
        assert_nothing_secret(&request);
    }

    // The same portal with another identity provider: a new login too.
    let mut other_issuer = Config::new(&world.sandbox.base_url(), world.data_dir()).unwrap();
    other_issuer.identity.issuer = format!("{}realms/other", world.sandbox.base_url());
    let core = SmartHd::open(other_issuer, smarthd_core::Services::with_key_dir(&keys)).unwrap();
    let err = core.session().profile().await.unwrap_err();
    assert!(matches!(err, Error::Auth(AuthError::OtherPortal { .. })), "{err}");
    assert!(err.to_string().contains("realms/other"), "{err}");

    // Portal A still takes its own session: nothing was wiped on the way.
    assert_eq!(world.core().session().profile().await.unwrap().name, "Trần Thị Bình");
}

#[tokio::test]
async fn a_closed_port_is_offline_and_says_why_without_the_query() {
    let client = client_for("http://127.0.0.1:9/");
    let url = url::Url::parse("http://127.0.0.1:9/api/v1/dossiers/lookup/X?q=030095001234").unwrap();
    let err = client.send(Request::get(url)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Offline, "{err}");
    assert!(err.to_string().contains("refused"), "{err}");
    assert!(!format!("{err} {err:?}").contains(CCCD), "{err:?}");
}

/// A core on a fresh data dir, talking to `sandbox` over TLS with `change` applied to its config.
fn tls_core(sandbox: &Sandbox, dir: &std::path::Path, change: impl FnOnce(&mut Config)) -> SmartHd {
    let mut config = Config::new(&sandbox.base_url(), dir).unwrap();
    change(&mut config);
    SmartHd::open(config, smarthd_core::Services::with_key_dir(dir.join("keys"))).unwrap()
}

/// SPKI pinning over a real TLS handshake with the sandbox's self-signed certificate: the
/// pinned key gets through; another pin, or the pin without trust in the certificate, ends the
/// handshake before a request is sent.
#[tokio::test]
async fn spki_pinning_meets_a_real_tls_handshake() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
    config.catalog_size = 50;
    config.tls = true;
    let sandbox = Sandbox::start(config).await.unwrap();
    assert!(sandbox.base_url().starts_with("https://"), "{}", sandbox.base_url());
    let certificate = sandbox.certificate_der().expect("a certificate in the TLS mode").to_vec();
    let pin = smarthd_core::transport::spki_sha256(&certificate).unwrap();
    let other_key = ring::digest::digest(&ring::digest::SHA256, b"the SPKI of another key");
    let other_pin: [u8; 32] = other_key.as_ref().try_into().unwrap();

    // (a) Trusted through the test-only root, and its key pinned: the catalog syncs.
    let pinned = tls_core(&sandbox, &dir.path().join("pinned"), |c| {
        c.extra_roots_der = vec![certificate.clone()];
        c.pinned_spki_sha256 = vec![other_pin, pin];
    });
    assert_eq!(pinned.sync().catalog().await.unwrap().upserted, 50);

    // (b) Trusted, but the pin names another key: the handshake fails, nothing is synced.
    let unpinned = tls_core(&sandbox, &dir.path().join("unpinned"), |c| {
        c.extra_roots_der = vec![certificate.clone()];
        c.pinned_spki_sha256 = vec![other_pin];
    });
    let err = unpinned.sync().catalog().await.unwrap_err();
    assert!(chain(&err).contains("pinned key"), "{}", chain(&err));
    assert_eq!(unpinned.catalog().freshness().unwrap().procedures, 0);

    // (c) Pinned but not trusted: the pin adds a check to web PKI verification, never replaces it.
    let untrusted = tls_core(&sandbox, &dir.path().join("untrusted"), |c| c.pinned_spki_sha256 = vec![pin]);
    let err = untrusted.sync().catalog().await.unwrap_err();
    assert!(chain(&err).contains("UnknownIssuer"), "{}", chain(&err));
    assert_eq!(untrusted.catalog().freshness().unwrap().procedures, 0);
    sandbox.stop().await;
}

/// An error and its sources, for checking why a handshake failed.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}
