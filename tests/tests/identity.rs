//! VNeID login against the sandbox's real OpenID provider over loopback: every mode (ES256 and
//! RS256, with and without PAR, DPoP nonces), single-flight refresh, step-up, logout, the
//! sealed session, and each bad input of issue 4 ending in a typed error with nothing stored.

use std::sync::Arc;

use smarthd_core::{ErrorKind, Event, LocalData, SessionState, SmartHd};
use smarthd_sandbox::identity::{Fault, IdentityMode, SigningAlg};
use smarthd_sandbox::robot::{LEVEL1_CITIZEN, LEVEL2_CITIZEN};
use smarthd_tests::{Admin, Recorder, World, log_in, login_callback};

fn set_mode(world: &World, change: impl FnOnce(&mut IdentityMode)) {
    let idp = world.sandbox.identity();
    let mut mode = idp.mode();
    change(&mut mode);
    idp.set_mode(mode);
}

fn refreshes(world: &World) -> u64 {
    world.sandbox.identity().counters().calls.get("refresh_token").copied().unwrap_or(0)
}

async fn assert_logged_out(core: &SmartHd) {
    assert_eq!(core.session().whoami().await.unwrap(), None);
    assert_eq!(core.session().state().await.unwrap(), SessionState::LoggedOut);
}

#[tokio::test]
async fn a_level2_login_in_every_provider_mode() {
    let world = World::new(50).await;
    for alg in [SigningAlg::ES256, SigningAlg::RS256] {
        for require_par in [false, true] {
            for dpop_nonce in [false, true] {
                set_mode(&world, |m| {
                    m.signing_alg = alg;
                    m.require_par = require_par;
                    m.require_dpop = true;
                    m.dpop_nonce = dpop_nonce;
                });
                let dir = tempfile::tempdir().unwrap();
                let config = smarthd_core::Config::new(&world.sandbox.base_url(), dir.path()).unwrap();
                let core =
                    SmartHd::open(config, smarthd_core::Services::with_key_dir(dir.path().join("keys"))).unwrap();
                let mode = format!("{alg:?} par={require_par} nonce={dpop_nonce}");
                let profile = log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap_or_else(|e| panic!("{mode}: {e}"));
                assert_eq!(
                    (profile.name.as_str(), profile.cccd.as_str(), profile.level),
                    ("Nguyễn Văn An", "030095001234", 2),
                    "{mode}"
                );
                assert_eq!(profile.masked_cccd(), "030******234");
                let me = core.session().profile().await.unwrap_or_else(|e| panic!("{mode}: {e}"));
                assert_eq!(me.name, "Nguyễn Văn An", "{mode}");
                let papers =
                    core.session().documents().await.unwrap_or_else(|e| panic!("{mode}: level 2 documents: {e}"));
                assert!(papers.iter().any(|card| card.kind == "cccd" && card.number == "030095001234"), "{mode}");
                assert!(matches!(core.session().state().await.unwrap(), SessionState::LoggedIn { level: 2, .. }));
            }
        }
    }
}

#[tokio::test]
async fn bearer_tokens_when_the_provider_does_not_bind_them() {
    let world = World::new(50).await;
    set_mode(&world, |m| m.offer_dpop = false);
    let core = world.core();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    assert_eq!(core.session().profile().await.unwrap().name, "Trần Thị Bình");
}

#[tokio::test]
async fn fifty_concurrent_calls_with_an_expired_token_make_exactly_one_refresh() {
    let world = World::new(50).await;
    // Issued already expired: the first call must refresh, with no waiting on the clock.
    set_mode(&world, |m| {
        m.access_token_ttl = 0;
        m.dpop_nonce = true;
    });
    let recorder = Arc::new(Recorder::default());
    let core = Arc::new(world.core_with(recorder.clone()));
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    // The refreshed token lives, so one refresh serves every caller.
    set_mode(&world, |m| m.access_token_ttl = 300);
    let before = refreshes(&world);
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let core = core.clone();
            tokio::spawn(async move { core.session().profile().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().expect("every caller succeeds with the one refreshed token");
    }
    assert_eq!(refreshes(&world) - before, 1, "exactly one refresh request for 50 callers");
    let states: Vec<Event> = recorder.0.lock().unwrap().clone();
    assert!(states.contains(&Event::SessionChanged { state: SessionState::Refreshing }));
}

#[tokio::test]
async fn a_refused_refresh_ends_the_session_once_without_retrying() {
    let world = World::new(50).await;
    // Both tokens issued already expired: the provider refuses the refresh.
    set_mode(&world, |m| {
        m.access_token_ttl = 0;
        m.refresh_token_ttl = 0;
    });
    let recorder = Arc::new(Recorder::default());
    let core = world.core_with(recorder.clone());
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    let before = refreshes(&world);
    let err = core.session().profile().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NeedsLogin, "{err}");
    assert_eq!(refreshes(&world) - before, 1);
    assert!(recorder.0.lock().unwrap().contains(&Event::SessionChanged { state: SessionState::Expired }));
    assert_logged_out(&core).await;
    let err = core.session().profile().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NeedsLogin);
    assert_eq!(refreshes(&world) - before, 1, "no retry loop");
}

#[tokio::test]
async fn level_1_is_asked_to_step_up_for_level_2_resources() {
    let world = World::new(50).await;
    let core = world.core();
    let profile = log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    assert_eq!(profile.level, 1);
    core.session().profile().await.unwrap();
    assert_eq!(core.session().documents().await.unwrap_err().kind(), ErrorKind::NeedsLevel2);
    // Asking for level 2 with a level-1 account does not give a level-2 session.
    let err = log_in(&core, 2, &LEVEL1_CITIZEN).await;
    assert!(err.is_err(), "a level-1 citizen cannot log in at level 2");
    // The level-2 citizen can.
    let profile = log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    assert_eq!(profile.level, 2);
    core.session().documents().await.unwrap();
}

#[tokio::test]
async fn logout_revokes_and_wipes() {
    let world = World::new(50).await;
    let core = world.core();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let end_session =
        core.session().logout(LocalData::Keep).await.unwrap().expect("the provider has an end-session endpoint");
    assert!(end_session.starts_with(&format!("{}realms/haiduong/", world.sandbox.base_url())));
    // OpenID RP-Initiated Logout with client_id and an opaque logout_hint: this URL is printed
    // and opened in a browser, so it carries no ID token and nothing personal.
    let url = url::Url::parse(&end_session).unwrap();
    let params: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(params.get("client_id").map(String::as_str), Some("smarthd-app"));
    assert!(params.get("logout_hint").is_some_and(|h| h.len() == 43), "{end_session}");
    assert!(!params.contains_key("id_token_hint"), "{end_session}");
    let decoded: String = params.values().cloned().collect::<Vec<_>>().join(" ");
    assert!(!params.values().any(|v| v.starts_with("eyJ") && v.matches('.').count() == 2), "{end_session}");
    for personal in ["030095001234", "Nguyễn Văn An", "1995-03-14", "Trần Hưng Đạo"] {
        assert!(!decoded.contains(personal) && !end_session.contains(personal), "{personal} in {end_session}");
    }
    assert_logged_out(&core).await;
    assert_eq!(core.session().profile().await.unwrap_err().kind(), ErrorKind::NeedsLogin);
}

#[tokio::test]
async fn the_next_login_on_the_phone_signs_with_its_own_dpop_key() {
    let world = World::new(50).await;
    let core = world.core();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    assert_eq!(core.session().profile().await.unwrap().name, "Trần Thị Bình");
    core.session().logout(LocalData::Keep).await.unwrap();
    // A new login makes a new key, kept with the new session, and the provider binds the new
    // token to it: after a restart (the key read from the session again) the token still works.
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    assert_eq!(core.session().profile().await.unwrap().name, "Nguyễn Văn An");
    drop(core);
    assert_eq!(world.core().session().profile().await.unwrap().name, "Nguyễn Văn An");
}

#[tokio::test]
async fn who_owns_a_draft_follows_a_login_made_by_another_process() {
    let world = World::new(50).await;
    let app = world.core();
    app.sync().catalog().await.unwrap();
    log_in(&app, 1, &LEVEL1_CITIZEN).await.unwrap();
    let code = app.catalog().search("", &Default::default(), Default::default()).unwrap().hits[0].code.clone();
    let first = app.dossiers().new_draft(&code, smarthd_core::catalog::model::Subject::Citizen).unwrap();
    // Another process on the same data dir (a second core) logs out and logs another resident in.
    let other = world.core();
    other.session().logout(LocalData::Keep).await.unwrap();
    log_in(&other, 2, &LEVEL2_CITIZEN).await.unwrap();
    // The app, which asked who is logged in at every step before, now answers for the new resident.
    assert_eq!(app.dossiers().get(&first.id).unwrap_err().kind(), ErrorKind::NotFound);
    let second = app.dossiers().new_draft(&code, smarthd_core::catalog::model::Subject::Citizen).unwrap();
    let theirs: Vec<String> = other.dossiers().list().unwrap().into_iter().map(|d| d.id).collect();
    assert_eq!(theirs, [second.id]);
}

#[tokio::test]
async fn a_login_by_another_process_while_a_logout_goes_on_stays() {
    let world = World::new(50).await;
    let app = world.core();
    log_in(&app, 1, &LEVEL1_CITIZEN).await.unwrap();
    // The logout's first request (removing the phone's push registration) answers late: another
    // process on the data dir logs another resident in meanwhile.
    app.inbox().register_push("fcm-token-of-this-phone", "fcm").await.unwrap();
    let other = world.core();
    let callback = login_callback(&other, 2, &LEVEL2_CITIZEN).await.unwrap();
    Admin::new(&world.sandbox)
        .post(
            "admin/faults",
            serde_json::json!({"route": "*", "kind": "answer_late", "probability": 1.0, "delay_ms": 1500}),
        )
        .await;
    let ending = app.session();
    let (logout, login) = tokio::join!(ending.logout(LocalData::Keep), async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        other.session().complete_login(&callback).await
    });
    assert_eq!(logout.unwrap(), None, "the session it would end is not there any more");
    assert_eq!(login.unwrap().name, "Nguyễn Văn An");
    // The logout ended only the resident who asked: the new login stays, for every process.
    for core in [&app, &other, &world.core()] {
        assert_eq!(core.session().whoami().await.unwrap().unwrap().name, "Nguyễn Văn An");
    }
}

#[tokio::test]
async fn the_session_survives_a_restart_and_is_sealed_on_disk() {
    let world = World::new(50).await;
    {
        let core = world.core();
        log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
        core.session().profile().await.unwrap();
    }
    let core = world.core();
    assert_eq!(core.session().whoami().await.unwrap().unwrap().name, "Nguyễn Văn An");
    core.session().profile().await.unwrap();

    // Nothing personal or secret in the clear anywhere in the data dir.
    let needles: [&[u8]; 5] = [b"030095001234", "Nguyễn Văn An".as_bytes(), b"eyJ", b"Matkhau", b"refresh"];
    for entry in walk(&world.data_dir()) {
        let bytes = std::fs::read(&entry).unwrap();
        for needle in needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} holds {:?} in plaintext",
                entry.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

#[tokio::test]
async fn a_login_survives_an_app_restart_during_the_browser_hop() {
    let world = World::new(50).await;
    let url = world
        .core()
        .session()
        .begin_login(&smarthd_core::LoginOptions { level: 2, ..Default::default() })
        .await
        .unwrap();
    let callback = smarthd_sandbox::robot::log_in(&url, &LEVEL2_CITIZEN).await.unwrap();
    // The app was killed while the browser was open: a new core completes the login.
    let core = world.core();
    assert_eq!(core.session().complete_login(&callback).await.unwrap().level, 2);
}

#[tokio::test]
async fn a_wrong_state_is_refused_and_the_real_answer_still_completes() {
    let world = World::new(50).await;
    let core = world.core();
    let url = core.session().begin_login(&smarthd_core::LoginOptions { level: 1, ..Default::default() }).await.unwrap();
    let callback = smarthd_sandbox::robot::log_in(&url, &LEVEL1_CITIZEN).await.unwrap();
    let forged = replace_param(&callback, "state", "forged");
    let err = core.session().complete_login(&forged).await.unwrap_err();
    assert!(err.to_string().contains("state"), "{err}");
    assert_logged_out(&core).await;
    core.session().complete_login(&callback).await.unwrap();
}

fn replace_param(url: &str, name: &str, value: &str) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name { value.to_owned() } else { v.into_owned() };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

#[tokio::test]
async fn a_replayed_authorization_code_is_refused() {
    let world = World::new(50).await;
    let core = world.core();
    let url = core.session().begin_login(&smarthd_core::LoginOptions { level: 1, ..Default::default() }).await.unwrap();
    let callback = smarthd_sandbox::robot::log_in(&url, &LEVEL1_CITIZEN).await.unwrap();
    // Keep the login in progress as it was, use the code, then bring the old state back.
    let user_db = world.data_dir().join("user.db");
    drop(core);
    let saved = std::fs::read(&user_db).unwrap();
    let core = world.core();
    core.session().complete_login(&callback).await.unwrap();
    core.session().logout(LocalData::Keep).await.unwrap();
    drop(core);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", user_db.display()));
    }
    std::fs::write(&user_db, saved).unwrap();
    let core = world.core();
    let err = core.session().complete_login(&callback).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NeedsLogin, "{err}");
    assert!(err.to_string().contains("invalid_grant"), "{err}");
    assert_logged_out(&core).await;
}

#[tokio::test]
async fn refresh_token_reuse_ends_every_session_of_the_family() {
    let world = World::new(50).await;
    set_mode(&world, |m| m.access_token_ttl = 0);
    let core = world.core();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    drop(core);
    let user_db = world.data_dir().join("user.db");
    let first = std::fs::read(&user_db).unwrap(); // refresh token #1, an expired access token
    set_mode(&world, |m| m.access_token_ttl = 300);
    let core = world.core();
    core.session().profile().await.unwrap(); // rotates to refresh token #2
    drop(core);
    let second = std::fs::read(&user_db).unwrap(); // refresh token #2, a live access token
    let core = world.core();
    core.session().profile().await.expect("the live session works before the reuse");
    drop(core);

    // A copy of the phone restored from a backup: #1 is used a second time.
    std::fs::write(&user_db, &first).unwrap();
    let core = world.core();
    let err = core.session().profile().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NeedsLogin, "{err}");
    assert_logged_out(&core).await;
    drop(core);

    // The other session of the family, with #2 and an access token still in its lifetime,
    // ended with it.
    std::fs::write(&user_db, &second).unwrap();
    let core = world.core();
    let err = core.session().profile().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NeedsLogin, "{err}");
    assert_logged_out(&core).await;
}

#[tokio::test]
async fn a_key_rotation_is_followed_with_one_jwks_refetch() {
    let world = World::new(50).await;
    set_mode(&world, |m| m.access_token_ttl = 0);
    let core = world.core();
    log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap();
    set_mode(&world, |m| m.access_token_ttl = 300);
    let idp = world.sandbox.identity();
    idp.rotate_keys(SigningAlg::ES256).unwrap();
    let before = idp.counters();
    // The expired token is refreshed; the refresh brings an ID token signed with the new key.
    core.session().profile().await.unwrap();
    let after = idp.counters();
    assert_eq!(refreshes(&world), before.calls["refresh_token"] + 1, "the call went through a refresh");
    assert_eq!(after.jwks - before.jwks, 1, "exactly one JWKS refetch for the new key");
    core.session().profile().await.unwrap();
    assert_eq!(idp.counters().jwks, after.jwks, "the new key is kept: no more fetches");
}

/// Each provider misbehaviour ends the login with a typed error and stores nothing.
#[tokio::test]
async fn every_bad_provider_answer_is_refused_and_nothing_is_stored() {
    let world = World::new(50).await;
    let idp = world.sandbox.identity().clone();
    let expectations: &[(Fault, &str)] = &[
        (Fault::IdTokenAlgNone, "algorithm"),
        (Fault::IdTokenHs256PublicKey, "algorithm"),
        (Fault::IdTokenUnknownKid, "key"),
        (Fault::IdTokenBadSignature, "signature"),
        (Fault::IdTokenWrongIss, "issuer"),
        (Fault::IdTokenWrongAud, "aud"),
        (Fault::IdTokenExtraAudWrongAzp, "azp"),
        (Fault::IdTokenExtraAudNoAzp, "azp"),
        (Fault::IdTokenExpired, "expired"),
        (Fault::IdTokenIatFuture, "future"),
        (Fault::IdTokenWrongNonce, "nonce"),
        (Fault::TokenResponseNotJson, "token response"),
        (Fault::TokenResponseMissingFields, "token response"),
        (Fault::TokenResponseOversized, "too large"),
        (Fault::AuthorizeResponseNoIss, "iss"),
        (Fault::AuthorizeResponseWrongIss, "iss"),
    ];
    for (fault, says) in expectations {
        idp.clear_faults();
        idp.set_fault(*fault, true);
        let core = world.core();
        let err = log_in(&core, 1, &LEVEL1_CITIZEN).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NeedsLogin, "{fault:?}: {err}");
        assert!(err.to_string().contains(says), "{fault:?}: {err}");
        assert!(!err.to_string().contains("030198005678"), "no CCCD in errors");
        assert_logged_out(&core).await;
    }
    idp.clear_faults();
    idp.set_fault(Fault::DiscoveryWrongIssuer, true);
    let core = world.core();
    let err =
        core.session().begin_login(&smarthd_core::LoginOptions { level: 1, ..Default::default() }).await.unwrap_err();
    assert!(err.to_string().contains("discovery"), "{err}");
    idp.clear_faults();
    log_in(&world.core(), 1, &LEVEL1_CITIZEN).await.expect("fine again once the faults are cleared");
}
