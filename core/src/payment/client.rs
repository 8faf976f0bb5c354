//! Talking to the portal about payments: creating orders (durably), handling the gateway's
//! return, reconciling unsettled payments, fetching and verifying receipts.

use serde_json::json;

use super::receipt::SignedReceipt;
use super::{PaymentMethod, PaymentOrder, Payments, PendingRequest, WireOrder, gateway_return};
use crate::dossier::Dossiers;
use crate::error::{Class, Error, Result};
use crate::events::{Event, EventListener};
use crate::identity::ResidentCredentials;
use crate::owner::Owner;
use crate::transport::{PortalClient, Request, segment};

pub struct Context<'a> {
    pub portal: &'a PortalClient,
    pub credentials: ResidentCredentials<'a>,
    pub payments: &'a Payments,
    pub dossiers: &'a Dossiers,
    pub events: &'a dyn EventListener,
    /// The resident logged in: whose payments these are.
    pub owner: &'a Owner,
}

fn notify(cx: &Context<'_>, order: &PaymentOrder) {
    cx.events.on_event(Event::PaymentUpdated { order_id: order.order_id.clone(), status: order.status });
}

/// Asks the portal for the order that pays a dossier's fees: the pay URL or the VietQR.
/// The request is committed before it is sent; offline, it waits for the next sync.
pub async fn pay(cx: &Context<'_>, dossier_id: &str, method: PaymentMethod, return_url: &str) -> Result<PaymentOrder> {
    let dossier = cx.dossiers.get(Some(cx.owner), dossier_id)?;
    if !dossier.status.is_at_portal() {
        return Err(Error::Validation {
            field: "dossier".into(),
            reason: "hồ sơ chưa được cổng tiếp nhận / the portal has not received this dossier yet".into(),
        });
    }
    if !dossier.status.is_payable() {
        return Err(Error::Validation {
            field: "dossier".into(),
            reason: format!(
                "hồ sơ không còn phí phải nộp / no fee is due for this dossier ({})",
                dossier.status.label()
            ),
        });
    }
    let request = cx.payments.request(cx.owner, dossier_id, method, return_url)?;
    send_request(cx, &request).await
}

async fn send_request(cx: &Context<'_>, request: &PendingRequest) -> Result<PaymentOrder> {
    let body = json!({
        "request_id": request.request_id,
        "dossier_id": request.dossier_id,
        "method": request.method,
        "return_url": request.return_url,
        "locale": "vn",
    })
    .to_string();
    let url = cx.portal.url("api/v1/payments")?;
    let answer = cx.portal.send_authorized(&cx.credentials, Request::post(url).json(body.as_bytes())).await?;
    if answer.is_success() {
        let order: WireOrder = answer.json()?;
        let order = cx.payments.record(cx.owner, &order, Some(&request.request_id))?;
        notify(cx, &order);
        return Ok(order);
    }
    let refusal = answer.refusal();
    if refusal.class().is_final() {
        // The portal will never make this order: do not keep asking.
        cx.payments.drop_request(&request.request_id)?;
    }
    Err(refusal.into())
}

/// The browser came back from the gateway to the app's return URL. The URL only moves the
/// payment to "being confirmed"; then the portal is asked for the real outcome.
pub async fn handle_return(cx: &Context<'_>, return_url: &str) -> Result<PaymentOrder> {
    let returned = gateway_return::parse(return_url)
        .map_err(|e| Error::Validation { field: "return_url".into(), reason: e.to_string() })?;
    let order = cx.payments.returned(cx.owner, &returned.txn_ref)?;
    notify(cx, &order);
    match reconcile(cx, &order.order_id).await {
        Ok(order) => Ok(order),
        // Offline: the payment stays "being confirmed" and is reconciled on the next sync.
        Err(e) if matches!(e.class(), Some(Class::Offline | Class::RetryLater)) => Ok(order),
        Err(e) => Err(e),
    }
}

/// Asks the portal (which asks the gateway) for the outcome; fetches the receipt once paid.
pub async fn reconcile(cx: &Context<'_>, order_id: &str) -> Result<PaymentOrder> {
    // Only the resident's own orders (one they asked for, or one the portal makes for their
    // dossier below) are reconciled from here.
    let before = cx.payments.get(cx.owner, order_id).ok().map(|o| o.status);
    let url = cx.portal.url(&format!("api/v1/payments/{}/reconcile", segment(order_id)?))?;
    let wire: WireOrder = cx.portal.send_authorized(&cx.credentials, Request::post(url)).await?.json()?;
    let order = cx.payments.record(cx.owner, &wire, None)?;
    if before != Some(order.status) {
        notify(cx, &order);
    }
    if let Some(receipt_id) = &order.receipt_id
        && cx.payments.signed_receipt(cx.owner, receipt_id).is_err()
    {
        fetch_receipt(cx, order_id, receipt_id).await?;
    }
    Ok(order)
}

/// No connection or no usable session: nothing more can be done now.
fn stops_sync(error: &Error) -> bool {
    matches!(error.class(), Some(Class::Offline | Class::NeedsLogin))
}

/// Sends order requests made offline and reconciles every unsettled payment; answers how many
/// payments changed.
pub async fn sync(cx: &Context<'_>) -> Result<u32> {
    let mut changed = 0;
    for request in cx.payments.pending_requests(cx.owner)? {
        match send_request(cx, &request).await {
            Ok(_) => changed += 1,
            Err(e) if stops_sync(&e) => return Ok(changed),
            Err(e) => tracing::info!("payment request not sent: {e}"),
        }
    }
    for order in cx.payments.unsettled(cx.owner)? {
        let before = order.status;
        match reconcile(cx, &order.order_id).await {
            Ok(after) if after.status != before => changed += 1,
            Ok(_) => {}
            Err(e) if stops_sync(&e) => return Ok(changed),
            Err(e) => tracing::info!("payment {} not reconciled: {e}", order.order_id),
        }
    }
    Ok(changed)
}

/// Fetches a receipt and keeps it only if it verifies with a trusted key and is the receipt of
/// the local order. Without pinned keys, a key id not seen before is fetched from the portal over
/// the pinned transport (the only way a key is trusted) and kept sealed.
async fn fetch_receipt(cx: &Context<'_>, order_id: &str, receipt_id: &str) -> Result<()> {
    let url = cx.portal.url(&format!("api/v1/receipts/{}", segment(receipt_id)?))?;
    let signed: SignedReceipt = cx.portal.send_authorized(&cx.credentials, Request::get(url)).await?.json()?;
    cx.payments.keys().learn(cx.portal, &signed.key_id).await?;
    cx.payments.keep_receipt(cx.owner, order_id, &signed)?;
    Ok(())
}
