//! `client.payments()`: paying a received dossier's fees, and the e-receipts kept on the phone.

use std::sync::Arc;

use smarthd_core::PaymentsHandle;
use smarthd_core::payment::{PaymentMethod, PaymentOrder, Receipt};

use crate::Result;
use crate::runtime::{CancelHandle, on_runtime};

#[derive(uniffi::Object)]
pub struct PaymentsApi(pub(crate) PaymentsHandle);

#[uniffi::export]
impl PaymentsApi {
    /// Asks the portal for the order paying a received dossier's fees: open `pay_url` in the
    /// browser (`Gateway`) or show `vietqr` (`Vietqr`). `return_url` is where the gateway sends
    /// the browser back (the app's `vn.gov.haiduong.smarthd:/payment-return`). Asking twice gives
    /// the same order.
    #[uniffi::method(default(cancel = None))]
    pub async fn pay(
        &self,
        dossier_id: String,
        method: PaymentMethod,
        return_url: String,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<PaymentOrder> {
        let payments = self.0.clone();
        on_runtime(cancel, async move { payments.pay(&dossier_id, method, &return_url).await }).await
    }

    /// The gateway sent the browser back to the app with `return_url`: the order is
    /// `Processing` until the portal confirms (never paid on the return URL's word).
    #[uniffi::method(default(cancel = None))]
    pub async fn handle_return(&self, return_url: String, cancel: Option<Arc<CancelHandle>>) -> Result<PaymentOrder> {
        let payments = self.0.clone();
        on_runtime(cancel, async move { payments.handle_return(&return_url).await }).await
    }

    /// Asks the portal for a payment's outcome now.
    #[uniffi::method(default(cancel = None))]
    pub async fn refresh(&self, order_id: String, cancel: Option<Arc<CancelHandle>>) -> Result<PaymentOrder> {
        let payments = self.0.clone();
        on_runtime(cancel, async move { payments.refresh(&order_id).await }).await
    }

    pub fn list(&self) -> Result<Vec<PaymentOrder>> {
        Ok(self.0.list()?)
    }

    pub fn get(&self, order_id: String) -> Result<PaymentOrder> {
        Ok(self.0.get(&order_id)?)
    }

    /// Every e-receipt kept on the phone, each verified again offline.
    pub fn receipts(&self) -> Result<Vec<Receipt>> {
        Ok(self.0.receipts()?)
    }

    /// Verifies a kept e-receipt offline with the portal's cached key; a tampered one is a
    /// `Validation` error.
    pub fn verify_receipt(&self, receipt_id: String) -> Result<Receipt> {
        Ok(self.0.verify_receipt(&receipt_id)?)
    }
}
