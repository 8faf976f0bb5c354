//! The payments' public face: asking for an order, the gateway's return, reconciling, and the
//! orders and receipts kept on the phone.

use std::sync::Arc;

use super::{PaymentMethod, PaymentOrder, Receipt, client};
use crate::error::Result;
use crate::shared::Shared;

/// `core.payments()`: paying a received dossier's fees and the e-receipts that prove it.
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
        client::pay(&self.shared.payment_context(), dossier_id, method, return_url).await
    }

    /// The gateway sent the browser back to the app: the payment is "being confirmed" until the
    /// portal says otherwise.
    pub async fn handle_return(&self, return_url: &str) -> Result<PaymentOrder> {
        client::handle_return(&self.shared.payment_context(), return_url).await
    }

    /// Asks the portal for a payment's outcome now.
    pub async fn refresh(&self, order_id: &str) -> Result<PaymentOrder> {
        client::reconcile(&self.shared.payment_context(), order_id).await
    }

    pub fn list(&self) -> Result<Vec<PaymentOrder>> {
        self.shared.payments.list()
    }

    pub fn get(&self, order_id: &str) -> Result<PaymentOrder> {
        self.shared.payments.get(order_id)
    }

    /// Every receipt kept on the phone, each verified again with the portal's cached key.
    pub fn receipts(&self) -> Result<Vec<Receipt>> {
        let payments = &self.shared.payments;
        payments.receipt_ids()?.iter().map(|id| payments.verify_receipt(id)).collect()
    }

    /// Verifies a kept receipt offline; a tampered one gives a validation error.
    pub fn verify_receipt(&self, receipt_id: &str) -> Result<Receipt> {
        self.shared.payments.verify_receipt(receipt_id)
    }
}
