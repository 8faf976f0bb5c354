//! Appointments at the one-stop counter against a real sandbox on loopback, with real tokens,
//! over HTTP: counters and slots per commune unit, booking idempotent on the client's id, the
//! rules (6 days ahead, 2 a day, a slot's capacity, no past slot), two residents racing for the
//! last place (exactly one wins, the other gets `slot_full`), and signed tickets the counter
//! verifies (a tampered one does not).

#[allow(dead_code)] // each test binary uses its own part of the shared helpers
mod common;

use chrono::{Datelike, NaiveDateTime, TimeDelta, Weekday};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use smarthd_model::appointment::{SignedTicket, Ticket};
use smarthd_sandbox::{Sandbox, SandboxConfig};

use common::{LEVEL1, LEVEL2, client};

const UNIT: &str = "10507";
const COUNTER: &str = "MC-10507";

struct World {
    _dir: tempfile::TempDir,
    sandbox: Sandbox,
    http: Client,
    base: String,
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut config = SandboxConfig::ephemeral(dir.path().join("sandbox.db"));
        config.catalog_size = 40;
        let sandbox = Sandbox::start(config).await.expect("the sandbox starts");
        let base = sandbox.base_url();
        World { _dir: dir, sandbox, http: client(), base }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        common::call(&self.http, &self.url(path), method, token, body).await
    }

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        common::admin(&self.http, &self.url(path), method, self.sandbox.admin_token(), body).await
    }

    async fn login(&self, who: (&str, &str)) -> String {
        common::access_token(&self.http, &self.base, who, 1).await
    }

    /// A slot the tester adds `from_now` ahead (to the minute), with `capacity` places.
    async fn slot_in(&self, from_now: TimeDelta, capacity: u32) -> String {
        let at = vietnam_now() + from_now;
        let starts_at = format!("{}+07:00", at.format("%Y-%m-%dT%H:%M:00"));
        let (status, body) = self
            .admin(
                Method::POST,
                "admin/appointments/slots",
                Some(json!({"counter_id": COUNTER, "starts_at": starts_at, "capacity": capacity})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["slot_id"].as_str().expect("a slot id").to_owned()
    }

    /// A slot the tester adds `days` from today at `hh:mm` (Vietnam time): slots of one day stay
    /// on that day whatever the hour the test runs at.
    async fn slot_on(&self, days: i64, (hh, mm): (u32, u32), capacity: u32) -> String {
        let day = vietnam_now().date() + TimeDelta::days(days);
        let at = day.and_hms_opt(hh, mm, 0).expect("a time");
        self.slot_in(at - vietnam_now(), capacity).await
    }

    async fn book(&self, token: &str, booking_id: &str, slot_id: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            "api/v1/appointments",
            Some(token),
            Some(json!({"booking_id": booking_id, "slot_id": slot_id, "procedure_code": null})),
        )
        .await
    }

    async fn ledger(&self) -> Value {
        let (status, body) = self.admin(Method::GET, "admin/appointments/ledger", None).await;
        assert_eq!(status, StatusCode::OK);
        body["slots"].clone()
    }

    async fn any_procedure(&self) -> String {
        let (_, page) = self.call(Method::GET, "api/v1/catalog/changes?since=0&limit=1", None, None).await;
        page["items"][0]["code"].as_str().expect("a procedure").to_owned()
    }
}

fn vietnam_now() -> NaiveDateTime {
    (chrono::Utc::now() + TimeDelta::hours(7)).naive_utc()
}

#[tokio::test]
async fn counters_and_slots_are_published_per_commune_unit() {
    let w = World::new().await;
    let (status, body) = w.call(Method::GET, &format!("api/v1/appointments/counters?unit={UNIT}"), None, None).await;
    assert_eq!(status, StatusCode::OK);
    let counters = body["counters"].as_array().unwrap();
    assert_eq!(counters.len(), 1);
    assert_eq!(counters[0]["counter_id"], COUNTER);
    assert!(counters[0]["name"].as_str().unwrap().starts_with("Bộ phận một cửa UBND "));
    let (_, all) = w.call(Method::GET, "api/v1/appointments/counters", None, None).await;
    assert!(all["counters"].as_array().unwrap().len() >= 40, "one per commune-level unit");

    let procedure = w.any_procedure().await;
    let (status, body) =
        w.call(Method::GET, &format!("api/v1/appointments/slots?unit={UNIT}&procedure={procedure}"), None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let slots = body["slots"].as_array().unwrap();
    // Six days ahead always hold at least four working days, minus today's slots gone by.
    assert!(slots.len() >= 3 * 15, "{} slots", slots.len());
    let now = vietnam_now();
    for slot in slots {
        let start = chrono::DateTime::parse_from_rfc3339(slot["starts_at"].as_str().unwrap()).unwrap().naive_local();
        assert!(start > now && (start.date() - now.date()).num_days() <= 6, "{slot}");
        assert!(!matches!(start.weekday(), Weekday::Sat | Weekday::Sun), "{slot}");
        assert_eq!(slot["available"], slot["capacity"]);
        assert_eq!(slot["counter_id"], COUNTER);
    }
    let (status, body) =
        w.call(Method::GET, "api/v1/appointments/slots?unit=10507&procedure=0.000000.NOPE", None, None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_procedure")));
    let (status, body) = w.call(Method::GET, "api/v1/appointments/slots", None, None).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("unit")));
}

#[tokio::test]
async fn booking_is_idempotent_on_the_clients_booking_id() {
    let w = World::new().await;
    let token = w.login(LEVEL2).await;
    let slot = w.slot_in(TimeDelta::days(1), 3).await;
    let (status, _) =
        w.call(Method::POST, "api/v1/appointments", None, Some(json!({"booking_id": "b-1", "slot_id": slot}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "booking needs a resident");

    let (status, first) = w.book(&token, "b-1", &slot).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "booked");
    assert_eq!(first["number"], 1);
    // The answer was lost; the app sends the same request again.
    let (status, again) = w.book(&token, "b-1", &slot).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["booking_id"], first["booking_id"]);
    assert_eq!(again["number"], first["number"]);
    assert_eq!(w.ledger().await[&slot]["booked"], 1, "booked once");

    let other = w.slot_in(TimeDelta::days(1) + TimeDelta::hours(1), 3).await;
    let (status, body) = w.book(&token, "b-1", &other).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_conflict")));
    // Another resident cannot take over the id (nor learn the booking).
    let bob = w.login(LEVEL1).await;
    let (status, _) = w.book(&bob, "b-1", &slot).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, mine) = w.call(Method::GET, "api/v1/appointments", Some(&bob), None).await;
    assert_eq!(mine["bookings"], json!([]));
    let (_, mine) = w.call(Method::GET, "api/v1/appointments", Some(&token), None).await;
    assert_eq!(mine["bookings"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_rules_six_days_two_a_day_no_past_slot_one_place_each() {
    let w = World::new().await;
    let token = w.login(LEVEL2).await;
    let refused = |(status, body): (StatusCode, Value), want: StatusCode, code: &str| {
        assert_eq!((status, body["error"].as_str()), (want, Some(code)), "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(" / "), "Vietnamese and English: {message}");
    };

    // A timetable slot 8 days ahead on a working day: its id is known, but it is too far.
    let mut day = vietnam_now().date() + TimeDelta::days(8);
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += TimeDelta::days(1);
    }
    let far = format!("{COUNTER}-{}0800", day.format("%Y%m%d"));
    refused(w.book(&token, "far", &far).await, StatusCode::UNPROCESSABLE_ENTITY, "too_far_ahead");
    let (status, _) = w.book(&token, "nowhere", &format!("{COUNTER}-{}0745", day.format("%Y%m%d"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not a slot of the timetable");

    let past = w.slot_in(TimeDelta::hours(-1), 3).await;
    refused(w.book(&token, "past", &past).await, StatusCode::UNPROCESSABLE_ENTITY, "slot_past");

    // Three slots on one day: two bookings, the third refused; a cancel frees the day.
    let a = w.slot_on(2, (9, 0), 3).await;
    let b = w.slot_on(2, (9, 30), 3).await;
    let c = w.slot_on(2, (10, 0), 3).await;
    assert_eq!(w.book(&token, "a", &a).await.0, StatusCode::CREATED);
    refused(w.book(&token, "a2", &a).await, StatusCode::CONFLICT, "already_booked");
    assert_eq!(w.book(&token, "b", &b).await.0, StatusCode::CREATED);
    refused(w.book(&token, "c", &c).await, StatusCode::UNPROCESSABLE_ENTITY, "daily_limit");
    let (status, cancelled) = w.call(Method::POST, "api/v1/appointments/a/cancel", Some(&token), None).await;
    assert_eq!((status, cancelled["status"].as_str()), (StatusCode::OK, Some("cancelled")));
    let (status, _) = w.call(Method::POST, "api/v1/appointments/a/cancel", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "cancelling again answers the same");
    assert_eq!(w.book(&token, "c", &c).await.0, StatusCode::CREATED);
    let bob = w.login(LEVEL1).await;
    let (status, _) = w.call(Method::POST, "api/v1/appointments/b/cancel", Some(&bob), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another resident's booking");

    // Capacity: one place, taken.
    let one = w.slot_in(TimeDelta::days(3), 1).await;
    assert_eq!(w.book(&bob, "bob-1", &one).await.0, StatusCode::CREATED);
    refused(w.book(&token, "mine-1", &one).await, StatusCode::CONFLICT, "slot_full");
    let ledger = w.ledger().await;
    assert_eq!(ledger[&one], json!({"capacity": 1, "booked": 1, "cancelled": 0}));
    assert_eq!(ledger[&a], json!({"capacity": 3, "booked": 0, "cancelled": 1}));
}

/// Two residents press "book" on the last place at the same moment, round after round: each
/// time exactly one gets it and the other a clear `slot_full`, and the slot never holds more
/// than its capacity.
#[tokio::test]
async fn two_residents_racing_for_the_last_place_exactly_one_wins() {
    let w = World::new().await;
    let (alice, bob) = (w.login(LEVEL2).await, w.login(LEVEL1).await);
    for round in 0..12 {
        let slot = w.slot_in(TimeDelta::days(1 + round % 5) + TimeDelta::minutes(30 * round), 1).await;
        let (a_id, b_id) = (format!("a{round}"), format!("b{round}"));
        let (a, b) = tokio::join!(w.book(&alice, &a_id, &slot), w.book(&bob, &b_id, &slot));
        assert!(!(a.0 == StatusCode::CREATED && b.0 == StatusCode::CREATED), "round {round}: both won the last place");
        let (winner, loser) = if a.0 == StatusCode::CREATED { ((&alice, &a_id), &b) } else { ((&bob, &b_id), &a) };
        assert_eq!(loser.0, StatusCode::CONFLICT, "round {round}: {}", loser.1);
        assert_eq!(loser.1["error"], "slot_full");
        assert!(loser.1["message"].as_str().unwrap().starts_with("Khung giờ này đã hết chỗ"));
        assert_eq!(w.ledger().await[&slot]["booked"], 1, "round {round}");
        // The winner cancels, so that no resident reaches the daily limit in later rounds.
        let path = format!("api/v1/appointments/{}/cancel", winner.1);
        assert_eq!(w.call(Method::POST, &path, Some(winner.0), None).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_ticket_verifies_at_the_counter_and_a_tampered_one_does_not() {
    let w = World::new().await;
    let token = w.login(LEVEL2).await;
    let slot = w.slot_in(TimeDelta::days(1), 3).await;
    let (_, booking) = w.book(&token, "t-1", &slot).await;
    let signed: SignedTicket = serde_json::from_value(booking["ticket"].clone()).unwrap();
    let qr = signed.qr_text();
    assert!(qr.len() < 200, "compact enough for a small QR code: {qr}");
    assert!(!qr.contains("030095001234"), "no personal data");

    // The published key checks it, as the phone does offline.
    let (_, keys) = w.call(Method::GET, "api/v1/appointments/keys", None, None).await;
    let key = &keys["keys"][0];
    assert_eq!(key["key_id"], signed.key_id);
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let public = b64.decode(key["public_key"].as_str().unwrap()).unwrap();
    let signature = b64.decode(&signed.signature).unwrap();
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &public)
        .verify(signed.payload.as_bytes(), &signature)
        .expect("the ticket's signature checks with the published key");
    let ticket = Ticket::parse(&signed.payload).unwrap();
    assert_eq!((ticket.booking_id.as_str(), ticket.number), ("t-1", 1));

    let verify = |qr: String| w.call(Method::POST, "api/v1/appointments/tickets/verify", None, Some(json!({"qr": qr})));
    let (status, answer) = verify(qr.clone()).await;
    assert_eq!((status, answer["valid"].as_bool()), (StatusCode::OK, Some(true)), "{answer}");
    assert_eq!(answer["ticket"]["booking_id"], "t-1");

    // Another place in the queue, same signature: refused.
    let tampered = qr.replacen("~1~a1~", "~2~a1~", 1);
    assert_ne!(tampered, qr);
    let (_, answer) = verify(tampered).await;
    assert_eq!((answer["valid"].as_bool(), answer["reason"].as_str()), (Some(false), Some("signature")));
    let (_, answer) = verify("not a ticket".into()).await;
    assert_eq!(answer["reason"], "format");

    // A cancelled booking's ticket is genuine but no longer admits.
    w.call(Method::POST, "api/v1/appointments/t-1/cancel", Some(&token), None).await;
    let (_, answer) = verify(qr).await;
    assert_eq!((answer["valid"].as_bool(), answer["reason"].as_str()), (Some(false), Some("cancelled")));
}
