//! The fleet model (issue #16): one simulated day of app use by thousands of lightweight
//! simulated devices against the real sandbox over loopback, under three client strategies
//! (periodic background sync, push-triggered sync, and a naive client that refetches the whole
//! catalog at every start). It counts the requests and bytes each device sends the portal, and
//! scales them to Hải Phòng (4.6 million people) at a stated adoption. No target: it prints
//! figures (`fleet ...` lines), which docs/performance.md records with the model's assumptions.
//!
//! A device is a small struct holding what the core keeps (catalog cursor and ETag, the units'
//! ETag, the status, report and inbox feed cursors, a pending payment order, the results it
//! fetched) and issues the requests the core's `sync().catalog()` and `sync().now()` issue, with
//! one shared HTTP client. Devices share the sandbox's three test residents (one real login each
//! through the provider's login page): a device's resident decides which dossiers and alerts
//! reach it. The three fleets live through the same day side by side: the same devices (the same
//! seeds: the same residents and the same app opens), the same portal changes at the same
//! minutes (catalog changes, dossier status changes and a result, a fee paid, alerts).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use smarthd_sandbox::robot::{Credentials, LEVEL2_CITIZEN, OfficerConsole};
use smarthd_tests::{Admin, World, fill_valid, log_in};
use tokio::sync::{Mutex, Semaphore};

/// Hải Phòng after the 2025 merger with Hải Dương (about 4.6 million people).
const CITY_PEOPLE: f64 = 4_600_000.0;
/// Share of the people with the app installed and logged in (assumed, not sourced).
const ADOPTIONS: [f64; 2] = [0.10, 0.30];
/// The periodic strategy's background sync interval (Android WorkManager allows 15 min at the
/// least; apps ask for 1-6 h, and iOS's BGAppRefresh gives a few a day).
const PERIOD_MIN: u32 = 4 * 60;
/// A push at normal priority reaches the phones over this many minutes (FCM and APNs batch
/// them for dozing phones); the app syncs when it arrives.
const PUSH_SPREAD_MIN: f64 = 15.0;
/// The access token's lifetime in the real provider (300 s): a session more than this after
/// the previous one refreshes its token first (one request to the identity provider).
const ACCESS_TOKEN_MIN: u32 = 5;
/// Requests in flight at once.
const CONCURRENCY: usize = 128;
const DAY_MIN: usize = 24 * 60;
/// The sandbox's catalog: the size of Hải Dương's real one.
const CATALOG_SIZE: usize = 1_900;
const REDIRECT_URI: &str = "vn.gov.haiduong.smarthd:/oauth2redirect";

/// When residents open the app, by hour of the day (Việt Nam time): relative weights, night
/// low, busiest 09:00-10:00 (about a tenth of the day's opens).
const OPENS_BY_HOUR: [f64; 24] = [
    0.8, 0.4, 0.3, 0.3, 0.5, 1.5, 3.5, 6.5, 9.0, 11.0, 9.0, 7.5, 6.0, 6.0, 7.0, 8.0, 8.0, 7.0, 6.0, 6.5, 6.0, 4.5, 3.0,
    1.8,
];
/// Opens per device per day: a mix of occasional, regular and frequent users
/// (share, mean opens a day): 0.5 x 0.2 + 0.35 x 1 + 0.15 x 3 = 0.9 a day.
const USERS: [(f64, f64); 3] = [(0.5, 0.2), (0.35, 1.0), (0.15, 3.0)];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Strategy {
    Periodic,
    Push,
    Naive,
}

const STRATEGIES: [Strategy; 3] = [Strategy::Periodic, Strategy::Push, Strategy::Naive];

impl Strategy {
    fn name(self) -> &'static str {
        match self {
            Strategy::Periodic => "periodic_4h",
            Strategy::Push => "push",
            Strategy::Naive => "naive",
        }
    }
}

/// SplitMix64: a seeded generator, so every run simulates the same day.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn poisson(&mut self, mean: f64) -> u32 {
        let (limit, mut p, mut k) = ((-mean).exp(), 1.0, 0);
        loop {
            p *= self.unit();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }
    /// A minute of the day drawn from [`OPENS_BY_HOUR`].
    fn open_minute(&mut self) -> u32 {
        let total: f64 = OPENS_BY_HOUR.iter().sum();
        let mut x = self.unit() * total;
        for (hour, w) in OPENS_BY_HOUR.iter().enumerate() {
            if x < *w {
                return hour as u32 * 60 + (self.unit() * 60.0) as u32;
            }
            x -= w;
        }
        DAY_MIN as u32 - 1
    }
}

/// A test resident, logged in once; devices share residents.
struct Resident {
    token: String,
    level2: bool,
}

/// The residents: 0 follows dossiers today (5% of devices) and may have a fee being paid, 1 is
/// level 1 (commune Thanh Hà), 2 level 2 (commune Nam Sách).
const FOLLOWER: usize = 0;
const COMMUNE_RESIDENT: usize = 1;

/// What a device keeps, as the core does.
#[derive(Default)]
struct Device {
    resident: usize,
    catalog_since: u64,
    catalog_etag: Option<String>,
    units_etag: Option<String>,
    dossiers_since: u64,
    reports_since: u64,
    inbox_since: u64,
    pending_order: Option<String>,
    had_payment: bool,
    results: HashSet<String>,
    last_session: Option<u32>,
    token_refreshes: u64,
}

/// What one fleet sent and received: requests by simulated minute, bytes.
struct Counts {
    per_minute: Vec<AtomicU64>,
    bytes: AtomicU64,
    body_bytes: AtomicU64,
}

impl Counts {
    fn new() -> Counts {
        Counts {
            per_minute: (0..DAY_MIN).map(|_| AtomicU64::new(0)).collect(),
            bytes: AtomicU64::new(0),
            body_bytes: AtomicU64::new(0),
        }
    }
    fn requests(&self) -> u64 {
        self.per_minute.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }
}

/// The portal as the devices see it: one HTTP client over loopback, counting.
struct Wire {
    http: reqwest::Client,
    base: String,
    host: String,
}

struct Answer {
    status: StatusCode,
    etag: Option<String>,
    body: Vec<u8>,
}

impl Wire {
    /// One request, counted for `counts` at `minute`: the HTTP/1.1 request line and headers as
    /// reqwest writes them (plus a DPoP proof's estimate when authorized), the status line,
    /// response headers and body as received. No TLS, TCP or IP overhead.
    async fn call(
        &self,
        counts: &Counts,
        minute: u32,
        method: Method,
        path: &str,
        token: Option<&str>,
        etag: Option<&str>,
    ) -> Answer {
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.base));
        let mut sent = (method.as_str().len() + 1 + 1 + path.len() + 11) as u64; // "GET /path HTTP/1.1\r\n"
        sent += ("host: ".len() + self.host.len() + 2) as u64 + "accept: */*\r\n".len() as u64 + 2;
        if let Some(token) = token {
            // The app sends `Authorization: DPoP <token>` and a proof; the fleet's tokens are
            // Bearer, so the proof is counted at the size the core's would have.
            sent +=
                ("authorization: DPoP ".len() + token.len() + 2) as u64 + dpop_header_bytes(&method, &self.base, path);
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if let Some(etag) = etag {
            sent += ("if-none-match: ".len() + etag.len() + 2) as u64;
            request = request.header("if-none-match", etag);
        }
        if method == Method::POST {
            request = request.header("content-type", "application/json").body("{}");
            sent += "content-type: application/json\r\ncontent-length: 2\r\n".len() as u64 + 2;
        }
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status();
        let mut received = (9 + 3 + 1 + status.canonical_reason().unwrap_or("").len() + 2 + 2) as u64;
        for (name, value) in response.headers() {
            received += (name.as_str().len() + 2 + value.len() + 2) as u64;
        }
        let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = response.bytes().await.expect("a body").to_vec();
        counts.per_minute[minute as usize].fetch_add(1, Ordering::Relaxed);
        counts.bytes.fetch_add(sent + received + body.len() as u64, Ordering::Relaxed);
        counts.body_bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
        Answer { status, etag, body }
    }
}

/// The size of the `DPoP:` header the core sends with an authorized request: an ES256 compact
/// JWS with the core's header (`typ`, `alg`, the P-256 public JWK) and claims (`jti` of 32
/// random bytes, `htm`, `htu` without the query, `iat`, `ath`), as `identity::dpop::proof` makes.
fn dpop_header_bytes(method: &Method, base: &str, path: &str) -> u64 {
    let b43 = "A".repeat(43); // 32 bytes in base64url
    let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": {"kty": "EC", "crv": "P-256", "x": b43, "y": b43}});
    let htu = format!("{base}{}", path.split('?').next().unwrap());
    let claims = json!({"jti": b43, "htm": method.as_str(), "htu": htu, "iat": 1_800_000_000, "ath": b43});
    let b64_len = |n: usize| (4 * n).div_ceil(3);
    let jws = b64_len(header.to_string().len()) + 1 + b64_len(claims.to_string().len()) + 1 + b64_len(64);
    ("dpop: ".len() + jws + 2) as u64
}

fn json(answer: &Answer, what: &str) -> Value {
    assert!(answer.status.is_success(), "{what}: {}", answer.status);
    serde_json::from_slice(&answer.body).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// A catalog page's `next_since` and `has_more`, read from the page's tail (the portal writes
/// them after `items`), so that the client's side of a full fetch costs the fleet little: the
/// core parses every page, the fleet model only counts it.
fn page_tail(answer: &Answer) -> (u64, bool) {
    assert!(answer.status.is_success(), "catalog changes: {}", answer.status);
    let body = &answer.body;
    // A cut inside a character finds no fields: the whole page is parsed instead.
    let tail = std::str::from_utf8(&body[body.len().saturating_sub(300)..]).unwrap_or("");
    let field = |name: &str| {
        let at = tail.rfind(&format!("\"{name}\":"))? + name.len() + 3;
        let value: String = tail[at..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        Some(value)
    };
    match (field("next_since"), field("has_more")) {
        (Some(next), Some(more)) if !next.is_empty() => (next.parse().unwrap(), more == "true"),
        _ => {
            let page = json(answer, "catalog changes");
            (page["next_since"].as_u64().unwrap(), page["has_more"].as_bool().unwrap())
        }
    }
}

/// The core's catalog sync: the procedures' change feed and the units, each conditional on the
/// ETag kept (the naive client keeps none and starts from 0 every time).
async fn sync_catalog(wire: &Wire, counts: &Counts, minute: u32, device: &mut Device, naive: bool) {
    let mut since = if naive { 0 } else { device.catalog_since };
    let mut etag = if naive { None } else { device.catalog_etag.clone() };
    loop {
        let path = format!("api/v1/catalog/changes?since={since}&limit={}", smarthd_core::sync::PAGE_SIZE);
        let answer = wire.call(counts, minute, Method::GET, &path, None, etag.as_deref()).await;
        if answer.status == StatusCode::NOT_MODIFIED {
            break;
        }
        let (next_since, has_more) = page_tail(&answer);
        since = next_since;
        etag = None;
        if !has_more {
            if !naive {
                device.catalog_since = since;
                device.catalog_etag = answer.etag;
            }
            break;
        }
    }
    let units_etag = if naive { None } else { device.units_etag.clone() };
    let answer = wire.call(counts, minute, Method::GET, "api/v1/units", None, units_etag.as_deref()).await;
    if !naive && answer.status == StatusCode::OK {
        device.units_etag = answer.etag;
    }
}

/// The core's `sync().now()` for a logged-in resident with nothing queued: the status feed
/// (and a new result, fetched once), unsettled payments reconciled (and the receipt of one
/// paid), the bookings, the reports' and the inbox's feeds, and at level 2 the personal papers.
async fn sync_now(wire: &Wire, counts: &Counts, minute: u32, device: &mut Device, resident: &Resident) {
    let token = Some(resident.token.as_str());
    let path = format!("api/v1/dossiers?since={}", device.dossiers_since);
    let page = json(&wire.call(counts, minute, Method::GET, &path, token, None).await, "dossiers");
    device.dossiers_since = page["next_since"].as_u64().unwrap();
    for item in page["items"].as_array().unwrap() {
        let id = item["dossier_id"].as_str().unwrap().to_owned();
        if item["result"].is_object() && device.results.insert(id.clone()) {
            for route in ["result/signed", "result"] {
                let path = format!("api/v1/dossiers/{id}/{route}");
                let answer = wire.call(counts, minute, Method::GET, &path, token, None).await;
                assert!(answer.status.is_success(), "{path}: {}", answer.status);
            }
        }
    }
    if let Some(order) = device.pending_order.clone() {
        let path = format!("api/v1/payments/{order}/reconcile");
        let order = json(&wire.call(counts, minute, Method::POST, &path, token, None).await, "reconcile");
        if order["status"] == "succeeded" {
            let path = format!("api/v1/receipts/{}", order["receipt_id"].as_str().unwrap());
            json(&wire.call(counts, minute, Method::GET, &path, token, None).await, "receipt");
            device.pending_order = None;
        }
    }
    json(&wire.call(counts, minute, Method::GET, "api/v1/appointments", token, None).await, "appointments");
    let path = format!("api/v1/reports?since={}", device.reports_since);
    let page = json(&wire.call(counts, minute, Method::GET, &path, token, None).await, "reports");
    device.reports_since = page["next_since"].as_u64().unwrap();
    let path = format!("api/v1/inbox?since={}", device.inbox_since);
    let page = json(&wire.call(counts, minute, Method::GET, &path, token, None).await, "inbox");
    device.inbox_since = page["next_since"].as_u64().unwrap();
    if resident.level2 {
        json(&wire.call(counts, minute, Method::GET, "api/v1/me/documents", token, None).await, "papers");
    }
}

#[derive(Clone, Copy, Debug)]
enum Trigger {
    Open,
    Tick,
    Push,
}

#[derive(Clone, Copy, Debug)]
enum Change {
    Catalog(u32),
    Status(usize, &'static str),
    Result(usize),
    Paid,
    Alert { severity: &'static str, commune_only: bool },
}

/// The portal's day: what changes, when (minute of the day), and whose devices a push wakes.
const CHANGES: [(u32, Change); 9] = [
    (8 * 60, Change::Catalog(5)),
    (9 * 60, Change::Status(0, "processing")),
    (10 * 60, Change::Alert { severity: "info", commune_only: false }),
    (11 * 60, Change::Paid),
    (13 * 60, Change::Catalog(5)),
    (14 * 60, Change::Status(1, "processing")),
    (15 * 60 + 30, Change::Result(1)),
    (17 * 60, Change::Alert { severity: "warning", commune_only: true }),
    (19 * 60 + 30, Change::Alert { severity: "info", commune_only: false }),
];

fn push_recipients(change: Change, resident: usize, pending_payment: bool) -> bool {
    match change {
        Change::Catalog(_) => false,
        Change::Status(..) | Change::Result(_) => resident == FOLLOWER,
        Change::Paid => pending_payment,
        Change::Alert { commune_only, .. } => !commune_only || resident == COMMUNE_RESIDENT,
    }
}

/// A real login through the provider's login page (PKCE, no DPoP: a Bearer token): the
/// access token and the refresh token.
async fn bearer_token(base: &str, who: &Credentials<'_>, level: u8) -> (String, String) {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let verifier = b64(format!("fleet-verifier-{}-{level}-0123456789abcdef0123456789", who.cccd).as_bytes());
    let challenge = b64(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()).as_ref());
    let mut url = url::Url::parse(&format!("{base}realms/haiduong/authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", "smarthd-app")
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile")
        .append_pair("state", "fleet")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("acr_values", &format!("vneid:level{level}"));
    let callback = smarthd_sandbox::robot::log_in(url.as_str(), who).await.expect("the login page lets the robot in");
    let callback = url::Url::parse(&callback).unwrap();
    let code = callback.query_pairs().find(|(k, _)| k == "code").expect("a code").1.into_owned();
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", &code)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("client_id", "smarthd-app")
        .append_pair("code_verifier", &verifier)
        .finish();
    let tokens: Value = reqwest::Client::new()
        .post(format!("{base}realms/haiduong/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = |name: &str| tokens[name].as_str().unwrap_or_else(|| panic!("a {name}")).to_owned();
    (token("access_token"), token("refresh_token"))
}

/// The bytes of one token refresh at the identity provider, counted as [`Wire::call`] counts
/// (with the DPoP proof the core would send, without `ath`): one real refresh.
async fn refresh_bytes(base: &str, host: &str, refresh_token: &str) -> u64 {
    let path = "realms/haiduong/token";
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "refresh_token")
        .append_pair("refresh_token", refresh_token)
        .append_pair("client_id", "smarthd-app")
        .finish();
    let content_type = "application/x-www-form-urlencoded";
    let mut sent =
        ("POST /".len() + path.len() + 11 + "host: ".len() + host.len() + 2 + "accept: */*\r\n".len()) as u64;
    sent +=
        ("content-type: ".len() + content_type.len() + 2 + "content-length: ".len() + 4 + 2 + 2 + form.len()) as u64;
    let b43 = "A".repeat(43);
    let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": {"kty": "EC", "crv": "P-256", "x": b43, "y": b43}});
    let claims = json!({"jti": b43, "htm": "POST", "htu": format!("{base}{path}"), "iat": 1_800_000_000});
    let b64_len = |n: usize| (4 * n).div_ceil(3);
    sent += ("dpop: ".len() + b64_len(header.to_string().len()) + b64_len(claims.to_string().len()) + 88 + 2) as u64;
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", content_type)
        .body(form)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "refresh: {}", response.status());
    let mut received = "HTTP/1.1 200 OK\r\n\r\n".len() as u64;
    for (name, value) in response.headers() {
        received += (name.as_str().len() + 2 + value.len() + 2) as u64;
    }
    sent + received + response.bytes().await.unwrap().len() as u64
}

fn main() {
    let full_run = std::env::args().any(|a| a == "--bench");
    let devices_per_fleet: usize = if full_run { 2_000 } else { 20 };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let started = Instant::now();
    let world = runtime.block_on(World::new(CATALOG_SIZE));
    let base = world.sandbox.base_url();
    let admin = Admin::new(&world.sandbox);
    // Tokens live through the simulation (the refreshes a real day needs are counted apart).
    let identity = world.sandbox.identity();
    let mut mode = identity.mode();
    mode.access_token_ttl = 86_400;
    identity.set_mode(mode);

    // The follower's two dossiers (one with a fee, its payment started and left pending), sent
    // by a real core.
    let (dossier_codes, order, pay_url) = runtime.block_on(async {
        let core = world.core();
        log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
        core.sync().catalog().await.unwrap();
        let hits = core.catalog().search("ly lich tu phap", &Default::default(), Default::default()).unwrap().hits;
        let code =
            hits.iter().map(|h| core.catalog().procedure(&h.code).unwrap()).find(|p| !p.fees.is_empty()).unwrap().code;
        let mut ids = Vec::new();
        for _ in 0..2 {
            let draft = core.dossiers().new_draft(&code, smarthd_core::catalog::model::Subject::Citizen).unwrap();
            fill_valid(&core, &draft.id);
            core.dossiers().submit(&draft.id).unwrap();
            ids.push(draft.id);
        }
        core.sync().now().await.unwrap();
        let codes: Vec<String> = ids.iter().map(|id| core.dossiers().get(id).unwrap().code.unwrap()).collect();
        let return_url = "vn.gov.haiduong.smarthd:/payment-return";
        let order =
            core.payments().pay(&ids[0], smarthd_core::payment::PaymentMethod::Gateway, return_url).await.unwrap();
        (codes, order.order_id, order.pay_url.unwrap())
    });

    let url = url::Url::parse(&base).unwrap();
    let host = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let (residents, refresh) = runtime.block_on(async {
        let business = Credentials { cccd: "030088003456", password: "Doanhnghiep@123", otp: "123456" };
        let residents = vec![
            Resident { token: bearer_token(&base, &LEVEL2_CITIZEN, 2).await.0, level2: true },
            Resident { token: bearer_token(&base, &smarthd_sandbox::robot::LEVEL1_CITIZEN, 1).await.0, level2: false },
            Resident { token: bearer_token(&base, &business, 2).await.0, level2: true },
        ];
        // One more login, to measure a refresh on its own token family.
        let (_, refresh_token) = bearer_token(&base, &LEVEL2_CITIZEN, 2).await;
        (residents, refresh_bytes(&base, &host, &refresh_token).await)
    });
    println!(
        "fleet request overhead: an access token of {} bytes (the sandbox's ES256 JWT), a DPoP header of about {} \
         bytes, on every authorized request",
        residents[0].token.len(),
        dpop_header_bytes(&Method::GET, &base, "api/v1/inbox?since=0")
    );
    let residents = Arc::new(residents);
    let units: Value = runtime.block_on(get_public(&base, "api/v1/units"));
    let thanh_ha = units["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "Xã Thanh Hà")
        .expect("Xã Thanh Hà among the units")["code"]
        .as_str()
        .unwrap()
        .to_owned();

    let wire = Arc::new(Wire { http: reqwest::Client::new(), base: base.clone(), host });

    // The devices at the start of the day: every copy up to date (the cursors as the portal
    // stands, read with one uncounted sync per resident).
    let scratch = Counts::new();
    let warm: Vec<Device> = runtime.block_on(async {
        let mut warm = Vec::new();
        let (full, check) = (Counts::new(), Counts::new());
        let mut device = Device::default();
        sync_catalog(&wire, &full, 0, &mut device, true).await;
        sync_catalog(&wire, &full, 0, &mut device, false).await;
        sync_catalog(&wire, &check, 0, &mut device, false).await;
        let kb = |c: &Counts| c.bytes.load(Ordering::Relaxed) as f64 / 1e3;
        println!(
            "fleet catalog ({} procedures): a full fetch without ETags {:.0} KB, {} requests (the naive client's \
             start); an unchanged catalog's two conditional GETs (304) {:.1} KB",
            CATALOG_SIZE,
            kb(&full) / 2.0,
            full.requests() / 2,
            kb(&check)
        );
        for (r, resident) in residents.iter().enumerate() {
            let mut device = Device { resident: r, ..Default::default() };
            sync_catalog(&wire, &scratch, 0, &mut device, false).await;
            sync_now(&wire, &scratch, 0, &mut device, resident).await;
            warm.push(device);
        }
        warm
    });

    // The day's plan: the same devices (resident, pending payment, opens, tick phase, push
    // delays) in each fleet.
    let mut plan: Vec<(u32, Strategy, usize, Trigger)> = Vec::new();
    let mut fleets: Vec<Arc<Vec<Mutex<Device>>>> = Vec::new();
    for strategy in STRATEGIES {
        let mut devices = Vec::with_capacity(devices_per_fleet);
        for i in 0..devices_per_fleet {
            let mut rng = Rng(0xF1EE7 ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
            let x = rng.unit();
            let resident = if x < 0.05 {
                FOLLOWER
            } else if x < 0.50 {
                COMMUNE_RESIDENT
            } else {
                2
            };
            let pending_payment = resident == FOLLOWER && rng.unit() < 0.2;
            let from = &warm[resident];
            devices.push(Mutex::new(Device {
                resident,
                catalog_since: from.catalog_since,
                catalog_etag: from.catalog_etag.clone(),
                units_etag: from.units_etag.clone(),
                dossiers_since: from.dossiers_since,
                reports_since: from.reports_since,
                inbox_since: from.inbox_since,
                pending_order: pending_payment.then(|| order.clone()),
                had_payment: pending_payment,
                ..Default::default()
            }));
            let mut x = rng.unit();
            let mut mean = USERS[USERS.len() - 1].1;
            for (share, m) in USERS {
                if x < share {
                    mean = m;
                    break;
                }
                x -= share;
            }
            for _ in 0..rng.poisson(mean) {
                plan.push((rng.open_minute(), strategy, i, Trigger::Open));
            }
            let phase = (rng.unit() * PERIOD_MIN as f64) as u32;
            let pushes: Vec<u32> = CHANGES
                .iter()
                .filter(|(_, change)| push_recipients(*change, resident, pending_payment))
                .map(|(at, _)| (*at + (rng.unit() * PUSH_SPREAD_MIN) as u32).min(DAY_MIN as u32 - 1))
                .collect();
            match strategy {
                Strategy::Periodic | Strategy::Naive => plan.extend(
                    (phase..DAY_MIN as u32).step_by(PERIOD_MIN as usize).map(|m| (m, strategy, i, Trigger::Tick)),
                ),
                Strategy::Push => plan.extend(pushes.into_iter().map(|m| (m, strategy, i, Trigger::Push))),
            }
        }
        fleets.push(Arc::new(devices));
    }
    plan.sort_by_key(|(minute, ..)| *minute);
    // A session more than the access token's lifetime after the device's previous one
    // refreshes its token first.
    for (minute, strategy, i, _) in &plan {
        let k = STRATEGIES.iter().position(|s| s == strategy).unwrap();
        let mut device = fleets[k][*i].try_lock().unwrap();
        if device.last_session.is_none_or(|last| *minute >= last + ACCESS_TOKEN_MIN) {
            device.token_refreshes += 1;
        }
        device.last_session = Some(*minute);
    }
    let triggers: Vec<[usize; 3]> = STRATEGIES
        .iter()
        .map(|s| {
            let of = |t: fn(&Trigger) -> bool| plan.iter().filter(|(_, st, _, tr)| st == s && t(tr)).count();
            [of(|t| matches!(t, Trigger::Open)), of(|t| matches!(t, Trigger::Tick)), of(|t| matches!(t, Trigger::Push))]
        })
        .collect();
    let counts: Vec<Arc<Counts>> = STRATEGIES.iter().map(|_| Arc::new(Counts::new())).collect();

    // The day, in compressed time: the devices' syncs up to each portal change run concurrently,
    // then the change is made.
    let setup = started.elapsed();
    let day_started = Instant::now();
    runtime.block_on(async {
        let officer = OfficerConsole::log_in(&base, &smarthd_sandbox::OFFICERS[0]).await.unwrap();
        let permits = Arc::new(Semaphore::new(CONCURRENCY));
        let mut next = 0;
        let steps = CHANGES.iter().map(|(at, change)| (*at, Some(*change))).chain([(DAY_MIN as u32, None)]);
        for (at, change) in steps {
            let mut tasks = tokio::task::JoinSet::new();
            while next < plan.len() && plan[next].0 < at {
                let (minute, strategy, i, trigger) = plan[next];
                next += 1;
                let k = STRATEGIES.iter().position(|s| *s == strategy).unwrap();
                let (fleet, counts, wire, residents) =
                    (fleets[k].clone(), counts[k].clone(), wire.clone(), residents.clone());
                let permit = permits.clone().acquire_owned().await.unwrap();
                tasks.spawn(async move {
                    let mut device = fleet[i].lock().await;
                    if matches!(trigger, Trigger::Open) {
                        sync_catalog(&wire, &counts, minute, &mut device, strategy == Strategy::Naive).await;
                    }
                    let resident = &residents[device.resident];
                    sync_now(&wire, &counts, minute, &mut device, resident).await;
                    drop(permit);
                });
            }
            while let Some(done) = tasks.join_next().await {
                done.expect("a device's sync");
            }
            let Some(change) = change else { break };
            match change {
                Change::Catalog(n) => {
                    admin.post(&format!("admin/catalog/mutate?count={n}"), json!({})).await;
                }
                Change::Status(d, status) => {
                    officer.set_status(&dossier_codes[d], status, None).await.unwrap();
                }
                Change::Result(d) => {
                    officer.attach_result(&dossier_codes[d], "Phiếu lý lịch tư pháp số 1").await.unwrap();
                }
                Change::Paid => {
                    smarthd_sandbox::payment::pay_at_gateway(
                        &pay_url,
                        &smarthd_sandbox::payment::GatewayAction::Pay { bank: "NCB".into() },
                    )
                    .await
                    .unwrap();
                }
                Change::Alert { severity, commune_only } => {
                    let communes = if commune_only { vec![thanh_ha.clone()] } else { vec![] };
                    let body = "Thông báo của UBND thành phố: lịch cắt điện, ngập úng cục bộ, tiêm chủng.";
                    officer.publish_alert(severity, &communes, "Thông báo", body).await.unwrap();
                }
            }
        }
    });
    let day = day_started.elapsed();

    // The deltas were real: what the devices' copies show at the end of the day.
    for (strategy, fleet) in STRATEGIES.iter().zip(&fleets) {
        let devices: Vec<_> = fleet.iter().map(|d| d.try_lock().unwrap()).collect();
        let count = |f: &dyn Fn(&Device) -> bool| devices.iter().filter(|d| f(d)).count();
        let catalog = if *strategy == Strategy::Naive {
            "the whole catalog at every open".to_owned()
        } else {
            format!("catalog changes on {} devices", count(&|d| d.catalog_since > warm[d.resident].catalog_since))
        };
        println!(
            "fleet {} deltas seen by the end of the day: {catalog}, alerts on {}, dossier \
             changes on {} of the follower's {}, the result fetched on {}, payments still pending {} (of {})",
            strategy.name(),
            count(&|d| d.inbox_since > warm[d.resident].inbox_since),
            count(&|d| d.resident == FOLLOWER && d.dossiers_since > warm[FOLLOWER].dossiers_since),
            count(&|d| d.resident == FOLLOWER),
            count(&|d| !d.results.is_empty()),
            count(&|d| d.pending_order.is_some()),
            count(&|d| d.had_payment)
        );
    }

    report(devices_per_fleet, &fleets, &counts, &triggers, refresh, setup, day);
}

async fn get_public(base: &str, path: &str) -> Value {
    reqwest::get(format!("{base}{path}")).await.unwrap().json().await.unwrap()
}

fn report(
    devices: usize,
    fleets: &[Arc<Vec<Mutex<Device>>>],
    counts: &[Arc<Counts>],
    triggers: &[[usize; 3]],
    refresh_bytes: u64,
    setup: std::time::Duration,
    day: std::time::Duration,
) {
    let all: u64 = counts.iter().map(|c| c.requests()).sum();
    println!(
        "fleet model: {devices} devices per strategy, 3 strategies, one simulated day in {:.1} s ({all} requests, \
         {:.0} requests/s over loopback; set-up {:.1} s)",
        day.as_secs_f64(),
        all as f64 / day.as_secs_f64(),
        setup.as_secs_f64()
    );
    let n = devices as f64;
    let mut per_device_bytes = Vec::new();
    for (((strategy, counts), fleet), [opens, ticks, pushes]) in STRATEGIES.iter().zip(counts).zip(fleets).zip(triggers)
    {
        println!(
            "fleet {} syncs: {:.2} app opens (catalog + sync), {:.2} periodic ticks, {:.2} pushes per device per day",
            strategy.name(),
            *opens as f64 / n,
            *ticks as f64 / n,
            *pushes as f64 / n
        );
        let requests = counts.requests() as f64;
        let bytes = counts.bytes.load(Ordering::Relaxed) as f64;
        let body = counts.body_bytes.load(Ordering::Relaxed) as f64;
        let refreshes: u64 = fleet.iter().map(|d| d.try_lock().unwrap().token_refreshes).sum();
        per_device_bytes.push(bytes / n);
        let by_hour: Vec<u64> =
            counts.per_minute.chunks(60).map(|hour| hour.iter().map(|c| c.load(Ordering::Relaxed)).sum()).collect();
        let (busiest_hour, hour_requests) = by_hour.iter().enumerate().max_by_key(|(_, r)| **r).unwrap();
        let (busiest_minute, minute_requests) =
            counts.per_minute.iter().map(|c| c.load(Ordering::Relaxed)).enumerate().max_by_key(|(_, r)| *r).unwrap();
        let hour_share = *hour_requests as f64 / requests;
        let minute_share = minute_requests as f64 / requests;
        println!(
            "fleet {}: {:.1} requests/device/day, {:.1} KB/device/day ({:.1} KB of it bodies); at the identity \
             provider {:.1} token refreshes/device/day, {:.1} KB; busiest hour {busiest_hour:02}:00 with {:.1}% of the \
             day's requests, busiest minute {:02}:{:02} with {:.2}%",
            strategy.name(),
            requests / n,
            bytes / n / 1e3,
            body / n / 1e3,
            refreshes as f64 / n,
            (refreshes * refresh_bytes) as f64 / n / 1e3,
            hour_share * 100.0,
            busiest_minute / 60,
            busiest_minute % 60,
            minute_share * 100.0,
        );
        for adoption in ADOPTIONS {
            let city_devices = CITY_PEOPLE * adoption;
            let per_day = requests / n * city_devices;
            println!(
                "fleet {} city {:.0}% ({:.2} M devices): {:.2} M requests/day, {:.0} GB/day; peak {:.0} requests/s \
                 (busiest hour's mean), {:.0} requests/s (busiest minute's mean), {:.0} requests/s (at 10% of the \
                 day in one hour)",
                strategy.name(),
                adoption * 100.0,
                city_devices / 1e6,
                per_day / 1e6,
                bytes / n * city_devices / 1e9,
                per_day * hour_share / 3600.0,
                per_day * minute_share / 60.0,
                per_day * 0.10 / 3600.0,
            );
        }
    }
    println!(
        "fleet naive_to_periodic bytes/device/day: {:.1}x; naive_to_push: {:.1}x",
        per_device_bytes[2] / per_device_bytes[0],
        per_device_bytes[2] / per_device_bytes[1]
    );
}
