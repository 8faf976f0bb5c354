//! Appointments at the one-stop counter through the core against the real sandbox over
//! loopback: booking, the bookings and tickets offline, cancelling, a lost answer retried to the
//! same booking, the portal's rules as typed errors, two residents racing for the last place,
//! a tampered ticket refused, and the reminder given once.

use std::sync::Arc;

use smarthd_core::appointment::client::SlotQuery;
use smarthd_core::appointment::{Appointment, AppointmentStatus, BookingRefusal};
use smarthd_core::{Config, Error, ErrorKind, Event, Services, SmartHd};
use smarthd_sandbox::robot::{LEVEL1_CITIZEN, LEVEL2_CITIZEN};
use smarthd_tests::{Admin, Recorder, World, log_in};

const COUNTER: &str = "MC-10507";

fn vietnam_now() -> chrono::NaiveDateTime {
    (chrono::Utc::now() + chrono::TimeDelta::hours(7)).naive_utc()
}

/// A slot the tester adds `from_now` ahead, with `capacity` places; its id.
async fn slot_in(admin: &Admin, from_now: chrono::TimeDelta, capacity: u32) -> String {
    let at = vietnam_now() + from_now;
    let starts_at = format!("{}+07:00", at.format("%Y-%m-%dT%H:%M:00"));
    let body = admin
        .post(
            "admin/appointments/slots",
            serde_json::json!({"counter_id": COUNTER, "starts_at": starts_at, "capacity": capacity}),
        )
        .await;
    body["slot_id"].as_str().expect("a slot id").to_owned()
}

/// Live bookings of a slot at the portal.
async fn booked_at_portal(admin: &Admin, slot_id: &str) -> u64 {
    admin.get("admin/appointments/ledger").await["slots"][slot_id]["booked"].as_u64().unwrap_or(0)
}

/// A level-2 resident's booking of a slot tomorrow (3 places): the world, the tester, the core,
/// the slot and the booking.
async fn a_booking_tomorrow() -> (World, Admin, SmartHd, String, Appointment) {
    let world = World::new(40).await;
    let admin = Admin::new(&world.sandbox);
    let core = world.core();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let slot = slot_in(&admin, chrono::TimeDelta::days(1), 3).await;
    let booked = core.appointments().book(&slot, None).await.unwrap();
    (world, admin, core, slot, booked)
}

fn refusal(error: &Error) -> Option<BookingRefusal> {
    match error {
        Error::Booking(refusal) => Some(*refusal),
        _ => None,
    }
}

#[tokio::test]
async fn book_list_offline_cancel_and_the_ticket_verifies_offline() {
    let world = World::new(40).await;
    let admin = Admin::new(&world.sandbox);
    let core = world.core();
    let counters = core.appointments().counters(Some("10507")).await.unwrap();
    assert_eq!(counters[0].counter_id, COUNTER);
    let query = SlotQuery { unit_code: Some("10507".into()), ..Default::default() };
    let slots = core.appointments().slots(&query).await.unwrap();
    assert!(!slots.is_empty());
    let error = core.appointments().book(&slots[0].slot_id, None).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NeedsLogin, "booking needs a login");

    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let (first, second) =
        (slot_in(&admin, chrono::TimeDelta::days(1), 3).await, slot_in(&admin, chrono::TimeDelta::days(2), 3).await);
    let kept = core.appointments().book(&first, None).await.unwrap();
    assert_eq!((kept.status, kept.number), (AppointmentStatus::Booked, 1));
    assert!(kept.counter_name.starts_with("Bộ phận một cửa UBND"));
    let other = core.appointments().book(&second, None).await.unwrap();
    let cancelled = core.appointments().cancel(&other.booking_id).await.unwrap();
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert_eq!(booked_at_portal(&admin, &second).await, 0);

    let World { dir, sandbox } = world;
    sandbox.stop().await;
    // Offline: the list and the ticket from user.db, the ticket checked with the kept key.
    let list = core.appointments().list().unwrap();
    let states: Vec<(&str, AppointmentStatus)> = list.iter().map(|a| (a.slot_id.as_str(), a.status)).collect();
    assert_eq!(
        states,
        vec![(first.as_str(), AppointmentStatus::Booked), (second.as_str(), AppointmentStatus::Cancelled)]
    );
    let ticket = core.appointments().ticket(&kept.booking_id).unwrap();
    assert_eq!(ticket.number, 1);
    assert!(ticket.qr_text.starts_with("HDA1~"), "{}", ticket.qr_text);
    let qr = smarthd_core::payment::vietqr::matrix(&ticket.qr_text).unwrap();
    assert!(qr.width <= 57, "a small QR code: width {}", qr.width);
    // Cancelling offline is kept to be sent: the booking shows it, and gives no reminder.
    let cancelling = core.appointments().cancel(&kept.booking_id).await.unwrap();
    assert_eq!(cancelling.status, AppointmentStatus::Cancelling);
    assert_eq!(core.appointments().get(&kept.booking_id).unwrap().status, AppointmentStatus::Cancelling);
    drop(dir);
}

/// A cancellation whose request never reached the portal, and one whose answer was lost, both
/// stay "cancelling" (a refresh reading the booking still live does not undo it) until `sync`
/// sends them; the portal cancels each once.
#[tokio::test]
async fn a_cancellation_not_answered_is_sent_by_sync() {
    let world = World::new(40).await;
    let admin = Admin::new(&world.sandbox);
    let core = world.core();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let (first, second) =
        (slot_in(&admin, chrono::TimeDelta::days(1), 3).await, slot_in(&admin, chrono::TimeDelta::days(2), 3).await);
    let never_sent = core.appointments().book(&first, None).await.unwrap();
    let answer_lost = core.appointments().book(&second, None).await.unwrap();

    admin.fault("cancel", "drop").await;
    let shown = core.appointments().cancel(&never_sent.booking_id).await.unwrap();
    assert_eq!(shown.status, AppointmentStatus::Cancelling);
    admin.delete("admin/faults").await;
    admin.fault("cancel", "commit_then_drop").await;
    let shown = core.appointments().cancel(&answer_lost.booking_id).await.unwrap();
    assert_eq!(shown.status, AppointmentStatus::Cancelling);
    admin.delete("admin/faults").await;
    assert_eq!(booked_at_portal(&admin, &first).await, 1, "the first request was dropped before it was handled");
    assert_eq!(booked_at_portal(&admin, &second).await, 0, "the portal cancelled before the answer was lost");

    let refreshed = core.appointments().refresh().await.unwrap();
    let cancelling = refreshed.iter().find(|a| a.booking_id == never_sent.booking_id).unwrap();
    assert_eq!(cancelling.status, AppointmentStatus::Cancelling, "the portal's live booking does not undo it");

    core.sync().now().await.unwrap();
    for (slot, booking) in [(&first, &never_sent), (&second, &answer_lost)] {
        assert_eq!(core.appointments().get(&booking.booking_id).unwrap().status, AppointmentStatus::Cancelled);
        let ledger = admin.get("admin/appointments/ledger").await;
        assert_eq!(
            (ledger["slots"][slot]["booked"].as_u64(), ledger["slots"][slot]["cancelled"].as_u64()),
            (Some(0), Some(1))
        );
    }
}

/// The portal books, then the connection drops before the answer: the request stays queued
/// under its permanent id, and both ways of retrying (booking again, `sync`) get the same
/// booking; the portal's ledger shows one place taken.
#[tokio::test]
async fn a_lost_answer_is_retried_to_the_same_booking() {
    let world = World::new(40).await;
    let admin = Admin::new(&world.sandbox);
    let core = world.core();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    for (round, by_sync) in [(1, false), (2, true)] {
        let slot = slot_in(&admin, chrono::TimeDelta::days(round), 3).await;
        admin.fault("book", "commit_then_drop").await;
        let error = core.appointments().book(&slot, None).await.unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::Network | ErrorKind::Offline), "{error}");
        admin.delete("admin/faults").await;
        assert_eq!(booked_at_portal(&admin, &slot).await, 1, "the portal booked before the answer was lost");
        assert!(core.appointments().list().unwrap().iter().all(|a| a.slot_id != slot), "not known on the phone yet");
        let booked = if by_sync {
            core.sync().now().await.unwrap();
            core.appointments().list().unwrap().into_iter().find(|a| a.slot_id == slot).expect("booked by sync")
        } else {
            core.appointments().book(&slot, None).await.unwrap()
        };
        assert_eq!(booked.number, 1, "the place the lost answer held");
        assert_eq!(booked_at_portal(&admin, &slot).await, 1, "one place, not two");
        // Nothing left to send: another sync changes nothing.
        core.sync().now().await.unwrap();
        assert_eq!(booked_at_portal(&admin, &slot).await, 1);
    }
    let ledger = admin.get("admin/appointments/ledger").await;
    let total: u64 = ledger["slots"].as_object().unwrap().values().map(|s| s["booked"].as_u64().unwrap()).sum();
    assert_eq!(total, 2);
    assert_eq!(core.appointments().list().unwrap().len(), 2);
}

#[tokio::test]
async fn the_portals_rules_are_typed_errors() {
    let world = World::new(40).await;
    let admin = Admin::new(&world.sandbox);
    let core = world.core();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();

    // A timetable slot 8 days ahead on a working day.
    let mut day = vietnam_now().date() + chrono::TimeDelta::days(8);
    while matches!(chrono::Datelike::weekday(&day), chrono::Weekday::Sat | chrono::Weekday::Sun) {
        day += chrono::TimeDelta::days(1);
    }
    let far = format!("{COUNTER}-{}0800", day.format("%Y%m%d"));
    let error = core.appointments().book(&far, None).await.unwrap_err();
    assert_eq!(refusal(&error), Some(BookingRefusal::TooFarAhead), "{error}");
    assert_eq!(error.kind(), ErrorKind::Validation);
    assert!(error.to_string().contains("6 ngày") && error.to_string().contains("6 days ahead"), "{error}");

    // Three slots of one day (at fixed hours, so they stay on that day whenever the test runs).
    let day = vietnam_now().date() + chrono::TimeDelta::days(3);
    let at = |hh, mm| day.and_hms_opt(hh, mm, 0).unwrap() - vietnam_now();
    for (hh, mm) in [(9, 0), (9, 30)] {
        let slot = slot_in(&admin, at(hh, mm), 3).await;
        core.appointments().book(&slot, None).await.unwrap();
    }
    let third = slot_in(&admin, at(10, 0), 3).await;
    let error = core.appointments().book(&third, None).await.unwrap_err();
    assert_eq!(refusal(&error), Some(BookingRefusal::DailyLimit), "{error}");
    // A refused request is not kept to be sent again.
    core.sync().now().await.unwrap();
    assert_eq!(booked_at_portal(&admin, &third).await, 0);
    assert_eq!(core.appointments().list().unwrap().len(), 2);
}

/// Two residents, each on their own phone, book the last place at the same moment: exactly
/// one gets it, the other `slot_full` (a conflict), and the slot holds no more than its places.
#[tokio::test]
async fn two_residents_racing_for_the_last_place_exactly_one_wins() {
    let world = World::new(40).await;
    let admin = Admin::new(&world.sandbox);
    let alice = world.core();
    let other_dir = world.dir.path().join("phone-b");
    let bob = SmartHd::open(
        Config::new(&world.sandbox.base_url(), &other_dir).unwrap(),
        Services::with_key_dir(other_dir.join("keys")),
    )
    .unwrap();
    log_in(&alice, 2, &LEVEL2_CITIZEN).await.unwrap();
    log_in(&bob, 1, &LEVEL1_CITIZEN).await.unwrap();
    for round in 0..6 {
        let slot =
            slot_in(&admin, chrono::TimeDelta::days(1 + round % 5) + chrono::TimeDelta::minutes(30 * round), 1).await;
        let (a_handle, b_handle) = (alice.appointments(), bob.appointments());
        let (a, b) = tokio::join!(a_handle.book(&slot, None), b_handle.book(&slot, None));
        let (winner, loser) = match (a, b) {
            (Ok(_), Ok(_)) => panic!("round {round}: both got the last place"),
            (Ok(won), Err(lost)) => ((&alice, won), lost),
            (Err(lost), Ok(won)) => ((&bob, won), lost),
            (Err(a), Err(b)) => panic!("round {round}: nobody got it: {a}; {b}"),
        };
        assert_eq!(refusal(&loser), Some(BookingRefusal::SlotFull), "round {round}: {loser}");
        assert_eq!(loser.kind(), ErrorKind::Conflict);
        assert!(loser.to_string().contains("hết chỗ") && loser.to_string().contains("full"), "{loser}");
        assert_eq!(booked_at_portal(&admin, &slot).await, 1, "round {round}");
        // The winner gives the place back, so nobody reaches the daily limit in later rounds.
        winner.0.appointments().cancel(&winner.1.booking_id).await.unwrap();
    }
}

#[tokio::test]
async fn a_tampered_ticket_is_refused_offline() {
    let (world, _, core, _, booked) = a_booking_tomorrow().await;
    core.appointments().ticket(&booked.booking_id).unwrap();
    drop(core);
    let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    // A better place in the queue, the portal's signature kept.
    db.execute(
        "UPDATE appointment SET ticket_payload = replace(ticket_payload, '~1', '~0'), number = 0 WHERE booking_id = ?1",
        [&booked.booking_id],
    )
    .unwrap();
    drop(db);
    let core = world.core();
    let error = core.appointments().ticket(&booked.booking_id).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    assert!(error.to_string().contains("signature"), "{error}");
}

#[tokio::test]
async fn a_reminder_is_given_once_for_an_appointment_within_24_hours() {
    let world = World::new(40).await;
    let admin = Admin::new(&world.sandbox);
    let recorder = Arc::new(Recorder::default());
    let core = world.core_with(recorder.clone());
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let soon = slot_in(&admin, chrono::TimeDelta::hours(3), 3).await;
    let later = slot_in(&admin, chrono::TimeDelta::days(3), 3).await;
    let soon = core.appointments().book(&soon, None).await.unwrap();
    core.appointments().book(&later, None).await.unwrap();
    let reminders = |recorder: &Recorder| -> Vec<String> {
        recorder
            .0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                Event::AppointmentReminder { booking_id, .. } => Some(booking_id.clone()),
                _ => None,
            })
            .collect()
    };
    core.sync().now().await.unwrap();
    assert_eq!(reminders(&recorder), vec![soon.booking_id.clone()]);
    core.sync().now().await.unwrap();
    assert_eq!(reminders(&recorder).len(), 1, "once");
}

/// A shared phone: A's bookings and tickets are A's; B sees none, cannot cancel or show them;
/// B's logout with wipe deletes B's bookings only, and A finds theirs after logging in again.
#[tokio::test]
async fn residents_sharing_a_phone_see_only_their_own_appointments() {
    let world = World::new(40).await;
    let admin = Admin::new(&world.sandbox);
    let core = world.core();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let a = core.appointments().book(&slot_in(&admin, chrono::TimeDelta::days(1), 3).await, None).await.unwrap();
    core.session().logout(smarthd_core::LocalData::Keep).await.unwrap();
    assert!(core.appointments().list().unwrap().is_empty(), "logged out: nobody's");

    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    assert!(core.appointments().list().unwrap().is_empty());
    assert_eq!(core.appointments().ticket(&a.booking_id).unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(core.appointments().cancel(&a.booking_id).await.unwrap_err().kind(), ErrorKind::NotFound);
    let b = core.appointments().book(&slot_in(&admin, chrono::TimeDelta::days(2), 3).await, None).await.unwrap();
    core.sync().now().await.unwrap();
    assert_eq!(core.appointments().list().unwrap(), vec![b.clone()], "the portal's list is B's only");
    core.session().logout(smarthd_core::LocalData::Wipe).await.unwrap();

    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let list = core.appointments().list().unwrap();
    assert_eq!(list.iter().map(|x| x.booking_id.as_str()).collect::<Vec<_>>(), vec![a.booking_id.as_str()]);
    core.appointments().ticket(&a.booking_id).unwrap();
    let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    let rows: i64 = db.query_row("SELECT count(*) FROM appointment", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 1, "B's booking was wiped, A's kept");
}

/// The app is stopped while the booking is on its way (its call dropped before any answer, as
/// when the phone kills it): the request was committed first, so after a restart `sync` books
/// it under the same id, once.
#[tokio::test]
async fn a_booking_stopped_midway_is_sent_after_a_restart() {
    let world = World::new(40).await;
    let admin = Admin::new(&world.sandbox);
    let core = world.core();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let slot = slot_in(&admin, chrono::TimeDelta::days(1), 3).await;
    // The portal holds the request unanswered; the app's call is dropped meanwhile.
    admin
        .post(
            "admin/faults",
            serde_json::json!({"route": "book", "kind": "delay", "probability": 1.0, "delay_ms": 600_000}),
        )
        .await;
    let handle = core.appointments();
    let stopped = tokio::time::timeout(std::time::Duration::from_millis(300), handle.book(&slot, None)).await;
    assert!(stopped.is_err(), "the call was still waiting when it was stopped");
    drop(core);
    admin.delete("admin/faults").await;
    assert_eq!(booked_at_portal(&admin, &slot).await, 0);

    let core = world.core();
    core.sync().now().await.unwrap();
    let list = core.appointments().list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].slot_id.as_str(), list[0].status), (slot.as_str(), AppointmentStatus::Booked));
    assert_eq!(booked_at_portal(&admin, &slot).await, 1);
    core.sync().now().await.unwrap();
    assert_eq!(core.appointments().list().unwrap().len(), 1, "sent once");
}

/// The ticket key pinned in the configuration is the only one trusted: the ticket verifies with
/// the portal's pinned key, not with another pin, and a key row written into `user.db` by
/// anything but the app (the fetched key replaced) is never a key.
#[tokio::test]
async fn ticket_keys_are_pinned_or_fetched_and_sealed_never_read_from_a_planted_row() {
    let world = World::new(40).await;
    let admin = Admin::new(&world.sandbox);
    let core = world.core();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let booked = core.appointments().book(&slot_in(&admin, chrono::TimeDelta::days(1), 3).await, None).await.unwrap();
    drop(core);
    let open_pinning = |pin: &str| {
        let mut config = world.config();
        config.ticket_keys = vec![smarthd_core::ReceiptKeyPin::parse(pin).unwrap()];
        SmartHd::open(config, Services::with_key_dir(world.data_dir().join("keys"))).unwrap()
    };
    let pinned = open_pinning(&world.sandbox.appointments().ticket_key_pin());
    assert_eq!(pinned.appointments().ticket(&booked.booking_id).unwrap().key_id, "a1");
    drop(pinned);
    let other = open_pinning("a1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let error = other.appointments().ticket(&booked.booking_id).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation, "{error}");
    drop(other);

    // The sealed key replaced by a plain one (an attacker's, or the same bytes unsealed).
    let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    db.execute("UPDATE appointment_key SET public_key = zeroblob(32)", []).unwrap();
    drop(db);
    let core = world.core();
    let error = core.appointments().ticket(&booked.booking_id).unwrap_err();
    assert!(error.to_string().contains("no key a1"), "{error}");
}

/// A retry is answered with the booking its lost answer made, whatever changed since: here the
/// procedure it names left the catalog meanwhile. A new booking naming it is refused.
#[tokio::test]
async fn a_retried_booking_is_answered_after_its_procedure_left_the_catalog() {
    const BIRTH: &str = "1.001193.H19";
    let world = World::new(300).await;
    let admin = Admin::new(&world.sandbox);
    let core = world.core();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let slot = slot_in(&admin, chrono::TimeDelta::days(1), 3).await;
    admin.fault("book", "commit_then_drop").await;
    core.appointments().book(&slot, Some(BIRTH)).await.unwrap_err();
    admin.delete("admin/faults").await;
    admin.delete(&format!("admin/catalog/procedures/{BIRTH}")).await;
    let booked = core.appointments().book(&slot, Some(BIRTH)).await.unwrap();
    assert_eq!((booked.number, booked.procedure_code.as_deref()), (1, Some(BIRTH)));
    assert_eq!(booked_at_portal(&admin, &slot).await, 1, "one place, the one the lost answer held");
    let later = slot_in(&admin, chrono::TimeDelta::days(2), 3).await;
    assert_eq!(core.appointments().book(&later, Some(BIRTH)).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(booked_at_portal(&admin, &later).await, 0);
}

/// An id given to a call goes to the portal as one path segment: a payment "order id" that
/// climbs to another route does not cancel a booking there.
#[tokio::test]
async fn an_id_climbing_to_another_route_reaches_only_its_own() {
    let (_world, admin, core, slot, booked) = a_booking_tomorrow().await;
    let climbing = format!("../appointments/{}/cancel?", booked.booking_id);
    let error = core.payments().refresh(&climbing).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
    assert_eq!(booked_at_portal(&admin, &slot).await, 1, "the booking stands at the portal");
    let error = core.payments().refresh("..").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation, "{error}");
}

/// Booking with no connection at all: the error says "offline", and so it is: nothing is kept to
/// be booked later behind the resident's back (who may well book another slot meanwhile).
#[tokio::test]
async fn a_booking_that_never_left_the_phone_is_not_made_later() {
    let world = World::new(40).await;
    let admin = Admin::new(&world.sandbox);
    let core = world.core();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let slot = slot_in(&admin, chrono::TimeDelta::days(1), 3).await;
    let World { dir, sandbox } = world;
    sandbox.stop().await;

    let offline = core.appointments().book(&slot, None).await.unwrap_err();
    assert_eq!(offline.kind(), ErrorKind::Offline, "{offline}");
    assert_eq!(core.session().unsent().unwrap(), 0, "nothing waits to be booked");
    drop(dir);
}

/// A booking whose answer was lost may be at the portal: booked again with no connection, it is
/// not dropped with the new attempt, and the next sync settles it, once.
#[tokio::test]
async fn a_booking_whose_answer_was_lost_is_kept_through_an_attempt_with_no_connection() {
    let world = World::new(40).await;
    let admin = Admin::new(&world.sandbox);
    let core = world.core();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let slot = slot_in(&admin, chrono::TimeDelta::days(1), 3).await;
    admin.fault("book", "commit_then_drop").await;
    core.appointments().book(&slot, None).await.unwrap_err();
    assert_eq!(booked_at_portal(&admin, &slot).await, 1, "the portal booked it");
    let World { dir, sandbox } = world;
    sandbox.stop().await;

    assert_eq!(core.appointments().book(&slot, None).await.unwrap_err().kind(), ErrorKind::Offline);
    assert_eq!(core.session().unsent().unwrap(), 1, "kept: it may be at the portal");
    drop(dir);
}
