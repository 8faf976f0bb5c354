//! The payments' public face: asking for an order, the gateway's return, reconciling, and the
//! orders and receipts kept on the phone.

use std::sync::Arc;

use super::{PaymentMethod, PaymentOrder, Receipt, client};
use crate::error::{Error, Result};
use crate::shared::Shared;

/// `core.payments()`: paying a received dossier's fees and the e-receipts that prove it. All of
/// it is the logged-in resident's: logged out, the lists are empty and paying needs a login.
#[derive(Clone)]
pub struct PaymentsHandle {
    shared: Arc<Shared>,
}

impl PaymentsHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        PaymentsHandle { shared }
    }

    /// Asks the portal for the order paying a received dossier's fees: open `pay_url` in the
    /// browser (gateway) or show `vietqr` (bank transfer). `return_url` is where the gateway
    /// sends the browser back.
    pub async fn pay(&self, dossier_id: &str, method: PaymentMethod, return_url: &str) -> Result<PaymentOrder> {
        crate::config::checked_return_url(return_url, &self.shared.config.identity.redirect_uri)?;
        self.noted(async |cx| client::pay(cx, dossier_id, method, return_url).await).await
    }

    /// The gateway sent the browser back to the app: the payment is "being confirmed" until the
    /// portal says otherwise.
    pub async fn handle_return(&self, return_url: &str) -> Result<PaymentOrder> {
        self.noted(async |cx| client::handle_return(cx, return_url).await).await
    }

    /// Asks the portal for a payment's outcome now.
    pub async fn refresh(&self, order_id: &str) -> Result<PaymentOrder> {
        self.noted(async |cx| client::reconcile(cx, order_id).await).await
    }

    /// Runs `call` for the resident logged in; what changes is told to the app and kept in
    /// their inbox, as a sync's changes are ("Đã thanh toán" stays there after the screen).
    async fn noted<T>(&self, call: impl AsyncFnOnce(&client::Context<'_>) -> Result<T>) -> Result<T> {
        let owner = self.shared.resident()?;
        let noting = self.shared.noting(&owner)?;
        let mut cx = self.shared.payment_context(&owner)?;
        cx.events = &noting;
        call(&cx).await
    }

    /// The logged-in resident's payments (none when logged out).
    pub fn list(&self) -> Result<Vec<PaymentOrder>> {
        match self.shared.owner()? {
            Some(owner) => self.shared.user()?.payments.list(&owner),
            None => Ok(Vec::new()),
        }
    }

    /// One of the logged-in resident's payments; any other (or any, logged out) is not found.
    pub fn get(&self, order_id: &str) -> Result<PaymentOrder> {
        match self.shared.owner()? {
            Some(owner) => self.shared.user()?.payments.get(&owner, order_id),
            None => Err(Error::NotFound(format!("payment {order_id}"))),
        }
    }

    /// The logged-in resident's receipts kept on the phone (none when logged out), each
    /// verified again with the portal's cached key.
    pub fn receipts(&self) -> Result<Vec<Receipt>> {
        let Some(owner) = self.shared.owner()? else { return Ok(Vec::new()) };
        let payments = &self.shared.user()?.payments;
        payments.receipt_ids(&owner)?.iter().map(|id| payments.verify_receipt(&owner, id)).collect()
    }

    /// Verifies a kept receipt offline; a tampered one gives a validation error.
    pub fn verify_receipt(&self, receipt_id: &str) -> Result<Receipt> {
        match self.shared.owner()? {
            Some(owner) => self.shared.user()?.payments.verify_receipt(&owner, receipt_id),
            None => Err(Error::NotFound(format!("receipt {receipt_id}"))),
        }
    }
}
