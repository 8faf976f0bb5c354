//! `client.appointments()`: a place at the commune's one-stop counter, and its ticket.

use std::sync::Arc;

use smarthd_core::AppointmentsHandle;
use smarthd_core::appointment::client::SlotQuery;
use smarthd_core::appointment::{Appointment, Counter, Slot, VerifiedTicket};

use crate::Result;
use crate::runtime::{CancelHandle, on_runtime};

#[derive(uniffi::Object)]
pub struct AppointmentsApi(pub(crate) AppointmentsHandle);

#[uniffi::export]
impl AppointmentsApi {
    /// The one-stop counters of a commune-level unit (all of them without one).
    #[uniffi::method(default(unit_code = None, cancel = None))]
    pub async fn counters(&self, unit_code: Option<String>, cancel: Option<Arc<CancelHandle>>) -> Result<Vec<Counter>> {
        let handle = self.0.clone();
        on_runtime(cancel, async move { handle.counters(unit_code.as_deref()).await }).await
    }

    /// The bookable slots (now to 6 days ahead) with the places left.
    #[uniffi::method(default(cancel = None))]
    pub async fn slots(&self, query: SlotQuery, cancel: Option<Arc<CancelHandle>>) -> Result<Vec<Slot>> {
        let handle = self.0.clone();
        on_runtime(cancel, async move { handle.slots(&query).await }).await
    }

    /// Books a slot; booking it again after a lost answer gets the same booking. A full slot is
    /// `Conflict`; more than 6 days ahead or 2 already that day is `Validation` on `slot_id`.
    #[uniffi::method(default(procedure_code = None, cancel = None))]
    pub async fn book(
        &self,
        slot_id: String,
        procedure_code: Option<String>,
        cancel: Option<Arc<CancelHandle>>,
    ) -> Result<Appointment> {
        let handle = self.0.clone();
        on_runtime(cancel, async move { handle.book(&slot_id, procedure_code.as_deref()).await }).await
    }

    #[uniffi::method(default(cancel = None))]
    pub async fn cancel(&self, booking_id: String, cancel: Option<Arc<CancelHandle>>) -> Result<Appointment> {
        let handle = self.0.clone();
        on_runtime(cancel, async move { handle.cancel(&booking_id).await }).await
    }

    /// Brings the kept bookings up to date with the portal's.
    #[uniffi::method(default(cancel = None))]
    pub async fn refresh(&self, cancel: Option<Arc<CancelHandle>>) -> Result<Vec<Appointment>> {
        let handle = self.0.clone();
        on_runtime(cancel, async move { handle.refresh().await }).await
    }

    /// The resident's bookings, offline, soonest first.
    pub fn list(&self) -> Result<Vec<Appointment>> {
        Ok(self.0.list()?)
    }

    pub fn get(&self, booking_id: String) -> Result<Appointment> {
        Ok(self.0.get(&booking_id)?)
    }

    /// The booking's ticket verified offline; a tampered one is `Validation` on `ticket`.
    pub fn ticket(&self, booking_id: String) -> Result<VerifiedTicket> {
        Ok(self.0.ticket(&booking_id)?)
    }
}
