//! Fee payments against the real sandbox over loopback: the VNPay-compatible gateway, VietQR
//! through the bank simulator, reconciliation when the IPN never comes, cancel then retry, and
//! Ed25519 receipts verified offline. Nothing is ever shown as paid unless the portal says so,
//! and the ledger never shows two charges for one order.

use std::collections::BTreeMap;

use smarthd_core::catalog::model::Subject;
use smarthd_core::payment::{PaymentMethod, PaymentStatus, receipt};
use smarthd_core::{DossierStatus, ErrorKind, SmartHd};
use smarthd_sandbox::payment::{GatewayAction, pay_at_gateway};
use smarthd_sandbox::robot::LEVEL2_CITIZEN;
use smarthd_tests::{Admin, World, fill_valid, forge_receipt, log_in, pay_a_fee};

const RETURN_URL: &str = "vn.gov.haiduong.smarthd:/payment-return";

/// A received dossier of a fee-paying procedure, for a level-2 resident.
async fn received_paid_dossier(world: &World) -> (SmartHd, String) {
    let core = world.core();
    core.sync().catalog().await.unwrap();
    log_in(&core, 2, &LEVEL2_CITIZEN).await.unwrap();
    let hits = core.catalog().search("ly lich tu phap", &Default::default(), Default::default()).unwrap().hits;
    let code =
        hits.iter().map(|h| core.catalog().procedure(&h.code).unwrap()).find(|p| !p.fees.is_empty()).unwrap().code;
    let draft = core.dossiers().new_draft(&code, Subject::Citizen).unwrap();
    fill_valid(&core, &draft.id);
    core.dossiers().submit(&draft.id).unwrap();
    core.sync().now().await.unwrap();
    assert_eq!(core.dossiers().get(&draft.id).unwrap().status, DossierStatus::Received);
    (core, draft.id)
}

/// At most one charge, judged on the portal's whole ledger against the phone's records: the
/// portal holds exactly the orders the phone knows, each paid one charged once, every other
/// charged nothing (a second order, or a second charge under any id, fails here).
async fn assert_charges_match_the_phone(world: &World, core: &SmartHd) {
    let ledger = Admin::new(&world.sandbox).get("admin/payments/ledger").await;
    let portal: BTreeMap<String, u64> = ledger["orders"]
        .as_object()
        .expect("the ledger lists orders")
        .iter()
        .map(|(id, entry)| (id.clone(), entry["charges"].as_u64().expect("a count")))
        .collect();
    let phone: BTreeMap<String, u64> = core
        .payments()
        .list()
        .unwrap()
        .into_iter()
        .map(|order| (order.order_id, u64::from(order.status == PaymentStatus::Succeeded)))
        .collect();
    assert!(phone.values().any(|&paid| paid == 1), "a payment went through");
    assert_eq!(portal, phone, "orders and charges at the portal, against the phone's records");
}

#[tokio::test]
async fn a_gateway_payment_ends_with_a_receipt_verified_offline() {
    let world = World::new(300).await;
    let (core, dossier) = received_paid_dossier(&world).await;
    let order = core.payments().pay(&dossier, PaymentMethod::Gateway, RETURN_URL).await.unwrap();
    assert_eq!(order.status, PaymentStatus::AwaitingPayment);
    assert!(order.amount_vnd > 0);
    let again = core.payments().pay(&dossier, PaymentMethod::Gateway, RETURN_URL).await.unwrap();
    assert_eq!(again.order_id, order.order_id, "asking twice gives the same order");

    let landed =
        pay_at_gateway(order.pay_url.as_deref().unwrap(), &GatewayAction::Pay { bank: "NCB".into() }).await.unwrap();
    assert!(landed.starts_with(RETURN_URL), "{landed}");
    let paid = core.payments().handle_return(&landed).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    // The inbox keeps it beside the dossier's story, after the payment screen is gone.
    let notices = core.inbox().list().unwrap();
    assert!(
        notices.iter().any(|n| n.kind == smarthd_core::InboxKind::Payment && n.body.starts_with("Đã thanh toán")),
        "{notices:?}"
    );
    let receipts = core.payments().receipts().unwrap();
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].amount_vnd, order.amount_vnd);
    assert_eq!(receipts[0].order_id, order.order_id);
    assert_charges_match_the_phone(&world, &core).await;

    // Paying again answers the paid order: no second charge is possible.
    assert_eq!(
        core.payments().pay(&dossier, PaymentMethod::Gateway, RETURN_URL).await.unwrap().status,
        PaymentStatus::Succeeded
    );
    assert_charges_match_the_phone(&world, &core).await;
    let World { dir, sandbox } = world;
    sandbox.stop().await;
    let receipt_id = paid.receipt_id.unwrap();
    assert_eq!(core.payments().verify_receipt(&receipt_id).unwrap().amount_vnd, order.amount_vnd, "offline");
    drop(dir);
}

#[tokio::test]
async fn a_tampered_receipt_is_detected() {
    let world = World::new(300).await;
    let (core, dossier) = received_paid_dossier(&world).await;
    let order = core.payments().pay(&dossier, PaymentMethod::Gateway, RETURN_URL).await.unwrap();
    let landed =
        pay_at_gateway(order.pay_url.as_deref().unwrap(), &GatewayAction::Pay { bank: "NCB".into() }).await.unwrap();
    let receipt_id = core.payments().handle_return(&landed).await.unwrap().receipt_id.unwrap();
    drop(core);
    let db = rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap();
    // The receipt is sealed at rest; its signature is what a tamperer can reach: one character
    // of it changed.
    db.execute(
        "UPDATE receipt SET signature = (CASE WHEN substr(signature, 1, 1) = 'A' THEN 'B' ELSE 'A' END)
             || substr(signature, 2) WHERE receipt_id = ?1",
        [&receipt_id],
    )
    .unwrap();
    drop(db);
    let core = world.core();
    let err = core.payments().verify_receipt(&receipt_id).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(err.to_string().contains("signature"), "{err}");
}

/// The finding: a key written into `user.db` and a 5,000,000 đ receipt signed with it, the local
/// order's amount raised to match. Neither a pinned key nor a fetched-and-sealed one lets it pass.
#[tokio::test]
async fn an_inserted_key_and_a_forged_receipt_never_verify() {
    let world = World::new(300).await;
    let core = world.core_pinning_receipt_key();
    core.sync().catalog().await.unwrap();
    let (order, receipt_id) = pay_a_fee(&core).await;
    assert_eq!(core.payments().verify_receipt(&receipt_id).unwrap().amount_vnd, order.amount_vnd, "pinned key");
    drop(core);
    // A new key id, and the portal's own id overwritten: both plaintext rows.
    for key_id in ["evil", "r1"] {
        forge_receipt(&world.data_dir(), &order, &receipt_id, key_id);
        for (pinned, core) in [(true, world.core_pinning_receipt_key()), (false, world.core())] {
            let err = core.payments().verify_receipt(&receipt_id).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Validation, "{key_id}: {err}");
            // The pinned r1 is the portal's own key, which the forgery's signature fails; any other
            // key id, and a key row the app did not seal, is no key at all.
            let expected = if pinned && key_id == "r1" {
                "signature does not verify".to_owned()
            } else {
                format!("no key {key_id}")
            };
            assert!(err.to_string().contains(&expected), "{key_id}: {err}");
            assert_eq!(core.payments().receipts().unwrap_err().kind(), ErrorKind::Validation);
        }
    }
}

/// A genuine receipt proves only its own order: another order, amount or dossier is refused.
#[tokio::test]
async fn a_genuine_receipt_of_another_order_amount_or_dossier_does_not_verify() {
    let world = World::new(300).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let (order, receipt_id) = pay_a_fee(&core).await;
    drop(core);
    let (o, d, r) = (&order.order_id, &order.dossier_id, &receipt_id);
    let tampers = [
        (
            receipt::AMOUNT,
            "UPDATE payment SET amount_vnd = amount_vnd + 1".to_owned(),
            "UPDATE payment SET amount_vnd = amount_vnd - 1".to_owned(),
        ),
        (
            receipt::DOSSIER,
            "UPDATE payment SET dossier_id = 'other'".to_owned(),
            format!("UPDATE payment SET dossier_id = '{d}'"),
        ),
        (
            receipt::ORDER,
            format!(
                "INSERT INTO payment SELECT 'PO-OTHER', dossier_id, amount_vnd, status, method, NULL, pay_url, vietqr,
                        expires_at, failure_code, receipt_id, updated_at, owner FROM payment WHERE order_id = '{o}';
                 UPDATE receipt SET order_id = 'PO-OTHER'"
            ),
            format!("UPDATE receipt SET order_id = '{o}'; DELETE FROM payment WHERE order_id = 'PO-OTHER'"),
        ),
        (
            receipt::RECEIPT_ID,
            "UPDATE payment SET receipt_id = 'BL-OTHER'".to_owned(),
            format!("UPDATE payment SET receipt_id = '{r}'"),
        ),
    ];
    let run =
        |sql: &str| rusqlite::Connection::open(world.data_dir().join("user.db")).unwrap().execute_batch(sql).unwrap();
    for (what, tamper, restore) in tampers {
        run(&tamper);
        let err = world.core().payments().verify_receipt(&receipt_id).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{what}: {err}");
        assert!(err.to_string().contains(&format!("does not match this payment ({what})")), "{what}: {err}");
        run(&restore);
        assert_eq!(world.core().payments().verify_receipt(&receipt_id).unwrap().order_id, order.order_id, "{what}");
    }
}

#[tokio::test]
async fn a_return_url_saying_00_without_the_ipn_stays_processing_until_reconciled() {
    let world = World::new(300).await;
    let (core, dossier) = received_paid_dossier(&world).await;
    let admin = Admin::new(&world.sandbox);
    admin.post("admin/payments/faults", serde_json::json!({"ipn": "drop"})).await;
    let order = core.payments().pay(&dossier, PaymentMethod::Gateway, RETURN_URL).await.unwrap();
    let landed =
        pay_at_gateway(order.pay_url.as_deref().unwrap(), &GatewayAction::Pay { bank: "NCB".into() }).await.unwrap();
    assert!(landed.contains("vnp_ResponseCode=00"), "the return URL claims success: {landed}");
    // The IPN never came: the portal has not confirmed, so neither do we. (The portal's
    // reconcile asks the gateway, which does know: the sandbox's querydr settles it.)
    // With the portal unable to answer, the return URL alone decides nothing.
    admin.fault("*", "error_500").await;
    let unconfirmed = core.payments().handle_return(&landed).await.unwrap();
    assert_ne!(unconfirmed.status, PaymentStatus::Succeeded, "never paid on the return URL's word");
    assert_eq!(core.payments().get(&order.order_id).unwrap().status, unconfirmed.status, "nor recorded as paid");
    admin.delete("admin/faults").await;
    let after = core.payments().handle_return(&landed).await.unwrap();
    assert_eq!(after.status, PaymentStatus::Succeeded, "querydr reconciliation settles it");
    assert_charges_match_the_phone(&world, &core).await;
    admin.delete("admin/payments/faults").await;
}

#[tokio::test]
async fn a_cancelled_payment_can_be_retried_with_at_most_one_charge() {
    let world = World::new(300).await;
    let (core, dossier) = received_paid_dossier(&world).await;
    let first = core.payments().pay(&dossier, PaymentMethod::Gateway, RETURN_URL).await.unwrap();
    let landed = pay_at_gateway(first.pay_url.as_deref().unwrap(), &GatewayAction::Cancel).await.unwrap();
    let cancelled = core.payments().handle_return(&landed).await.unwrap();
    assert_eq!(cancelled.status, PaymentStatus::Cancelled);
    assert!(cancelled.failure_message.unwrap().contains("hủy"));
    let failed_url = core.payments().pay(&dossier, PaymentMethod::Gateway, RETURN_URL).await.unwrap().pay_url.unwrap();
    let landed = pay_at_gateway(&failed_url, &GatewayAction::Fail { code: "51".into() }).await.unwrap();
    let failed = core.payments().handle_return(&landed).await.unwrap();
    assert_eq!(failed.status, PaymentStatus::Failed);
    assert!(failed.failure_message.unwrap().contains("Insufficient balance"));
    let retry = core.payments().pay(&dossier, PaymentMethod::Gateway, RETURN_URL).await.unwrap();
    assert_eq!(retry.order_id, first.order_id);
    assert_ne!(retry.pay_url, first.pay_url, "a new attempt");
    let landed = pay_at_gateway(retry.pay_url.as_deref().unwrap(), &GatewayAction::Pay { bank: "VIETCOMBANK".into() })
        .await
        .unwrap();
    assert_eq!(core.payments().handle_return(&landed).await.unwrap().status, PaymentStatus::Succeeded);
    assert_charges_match_the_phone(&world, &core).await;
}

#[tokio::test]
async fn vietqr_paid_from_a_banking_app_settles_on_sync() {
    let world = World::new(300).await;
    let (core, dossier) = received_paid_dossier(&world).await;
    let order = core.payments().pay(&dossier, PaymentMethod::Vietqr, RETURN_URL).await.unwrap();
    let payload = order.vietqr.clone().expect("a VietQR payload");
    let qr = smarthd_core::payment::vietqr::decode(&payload).unwrap();
    assert_eq!(qr.amount, Some(order.amount_vnd as u64));
    assert!(qr.bill_number.is_some());
    let matrix = smarthd_core::payment::vietqr::matrix(&payload).unwrap();
    assert_eq!(matrix.modules.len() as u32, matrix.width * matrix.width);
    // Before the bank pays, a sync settles nothing.
    core.sync().now().await.unwrap();
    assert_eq!(core.payments().get(&order.order_id).unwrap().status, PaymentStatus::AwaitingPayment);
    Admin::new(&world.sandbox).post("bank/pay", serde_json::json!({"payload": payload})).await;
    let report = core.sync().now().await.unwrap();
    assert_eq!(report.payments_updated, 1);
    let paid = core.payments().get(&order.order_id).unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(core.payments().verify_receipt(paid.receipt_id.as_deref().unwrap()).unwrap().method, "vietqr");
    assert_charges_match_the_phone(&world, &core).await;
}

#[tokio::test]
async fn a_dossier_not_yet_at_the_portal_cannot_be_paid_and_bad_return_urls_are_refused() {
    let world = World::new(300).await;
    let (core, _) = received_paid_dossier(&world).await;
    let draft = core.dossiers().new_draft("1.001193.H19", Subject::Citizen).unwrap();
    assert_eq!(
        core.payments().pay(&draft.id, PaymentMethod::Gateway, RETURN_URL).await.unwrap_err().kind(),
        ErrorKind::Validation
    );
    for bad in [
        "not a url",
        "vn.gov.haiduong.smarthd:/payment-return?vnp_ResponseCode=00",
        "http://127.0.0.1:1/r?vnp_TxnRef=NOPE&vnp_ResponseCode=00",
    ] {
        let err = core.payments().handle_return(bad).await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Validation | ErrorKind::NotFound), "{bad}: {err}");
    }
    assert!(core.payments().list().unwrap().is_empty(), "nothing was recorded");
}

/// A payment request kept while the portal could not be reached is not replaced by a second one
/// with a return URL the portal would refuse (which then dropped the first): the bad one is
/// refused on the phone, and the kept one is sent by the next sync.
#[tokio::test]
async fn a_bad_return_url_is_refused_on_the_phone_and_replaces_no_kept_request() {
    let world = World::new(300).await;
    let admin = Admin::new(&world.sandbox);
    let (core, dossier) = received_paid_dossier(&world).await;
    admin.fault("*", "error_500").await;
    core.payments().pay(&dossier, PaymentMethod::Gateway, RETURN_URL).await.unwrap_err();
    admin.delete("admin/faults").await;
    for bad in ["https://example.com/back", "http://localhost:8123/r", "vn.gov.haiduong.smarthd:/r#x", ""] {
        let err = core.payments().pay(&dossier, PaymentMethod::Gateway, bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{bad}: {err}");
    }
    core.sync().now().await.unwrap();
    let orders = core.payments().list().unwrap();
    assert_eq!(orders.len(), 1, "the kept request was sent");
    assert!(orders[0].pay_url.is_some());
}

/// A dossier the portal rejected, or the resident withdrew, owes nothing: the portal refuses an
/// order for it while the phone has not heard yet (and the phone keeps no request), and once the
/// phone knows, it refuses first, offline.
#[tokio::test]
async fn a_rejected_or_withdrawn_dossier_cannot_be_paid() {
    let world = World::new(300).await;
    let (core, rejected) = received_paid_dossier(&world).await;
    let code = core.dossiers().get(&rejected).unwrap().code.unwrap();
    assert!(core.dossiers().get(&rejected).unwrap().payable, "received, with a fee");
    let officer =
        smarthd_sandbox::robot::OfficerConsole::log_in(&world.sandbox.base_url(), &smarthd_sandbox::OFFICERS[0])
            .await
            .unwrap();
    officer.set_status(&code, "rejected", Some("Hồ sơ không đúng thẩm quyền")).await.unwrap();
    let err = core.payments().pay(&rejected, PaymentMethod::Gateway, RETURN_URL).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert!(err.to_string().contains("withdrawn or rejected"), "{err}");
    assert!(core.payments().list().unwrap().is_empty(), "no order, no request kept");
    core.sync().now().await.unwrap();
    assert_eq!(core.dossiers().get(&rejected).unwrap().status, DossierStatus::Rejected);
    assert!(!core.dossiers().get(&rejected).unwrap().payable);
    let err = core.payments().pay(&rejected, PaymentMethod::Vietqr, RETURN_URL).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    assert!(err.to_string().contains("Từ chối"), "{err}");

    let (_, withdrawn) = received_paid_dossier(&world).await;
    core.dossiers().withdraw(&withdrawn, None).unwrap();
    core.sync().now().await.unwrap();
    assert_eq!(core.dossiers().get(&withdrawn).unwrap().status, DossierStatus::Withdrawn);
    assert!(!core.dossiers().get(&withdrawn).unwrap().payable);
    let err = core.payments().pay(&withdrawn, PaymentMethod::Gateway, RETURN_URL).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    assert!(core.payments().list().unwrap().is_empty());
    let ledger = Admin::new(&world.sandbox).get("admin/payments/ledger").await;
    assert_eq!(ledger["orders"].as_object().map(|orders| orders.len()), Some(0), "no order at the portal: {ledger}");

    // An order paid before the dossier was rejected is still answered, as paid.
    let (paid, _) = pay_a_fee(&core).await;
    let code = core.dossiers().get(&paid.dossier_id).unwrap().code.unwrap();
    officer.set_status(&code, "rejected", Some("Hồ sơ không đúng thẩm quyền")).await.unwrap();
    let again = core.payments().pay(&paid.dossier_id, PaymentMethod::Gateway, RETURN_URL).await.unwrap();
    assert_eq!((again.order_id, again.status), (paid.order_id, PaymentStatus::Succeeded));
}

/// A payment request whose answer was lost is answered with its order on retry, even when the
/// procedure left the catalog meanwhile (nothing would be due for a new order).
#[tokio::test]
async fn a_retried_payment_request_is_answered_after_its_procedure_left_the_catalog() {
    let world = World::new(300).await;
    let (core, dossier) = received_paid_dossier(&world).await;
    let admin = Admin::new(&world.sandbox);
    admin.fault("*", "commit_then_drop").await;
    core.payments().pay(&dossier, PaymentMethod::Gateway, RETURN_URL).await.unwrap_err();
    admin.delete("admin/faults").await;
    let procedure = core.dossiers().get(&dossier).unwrap().procedure_code;
    admin.delete(&format!("admin/catalog/procedures/{procedure}")).await;
    let order = core.payments().pay(&dossier, PaymentMethod::Gateway, RETURN_URL).await.unwrap();
    assert_eq!(order.status, PaymentStatus::AwaitingPayment);
    let ledger = admin.get("admin/payments/ledger").await;
    assert_eq!(ledger["orders"].as_object().map(|orders| orders.len()), Some(1), "{ledger}");
    assert!(ledger["orders"].get(&order.order_id).is_some(), "{ledger}");
}
