//! The appointments' public face: counters and slots, booking, cancelling, the bookings kept on
//! the phone and their tickets verified offline.

use std::sync::Arc;

use super::client::{self, SlotQuery};
use super::{Appointment, Counter, Slot, VerifiedTicket};
use crate::error::{Error, Result};
use crate::shared::Shared;

/// `core.appointments()`: a place at the commune's one-stop counter. Counters and slots are
/// public; booking needs a login, and the bookings are the logged-in resident's (none when
/// logged out).
#[derive(Clone)]
pub struct AppointmentsHandle {
    shared: Arc<Shared>,
}

impl AppointmentsHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        AppointmentsHandle { shared }
    }

    /// The one-stop counters of a commune-level unit (all of them without one).
    pub async fn counters(&self, unit_code: Option<&str>) -> Result<Vec<Counter>> {
        client::counters(&self.shared.portal, unit_code).await
    }

    /// The bookable slots of a counter (or a unit's counter) for a procedure, now to 6 days
    /// ahead, with the places left.
    pub async fn slots(&self, query: &SlotQuery) -> Result<Vec<Slot>> {
        client::slots(&self.shared.portal, query).await
    }

    /// Books a slot. Durable: after a lost answer, booking the same slot again (or the next
    /// `sync().now()`) gets the same booking, never a second place. The portal's rules come
    /// back as `Error::Booking` (slot full, more than 6 days ahead, 2 already that day...).
    pub async fn book(&self, slot_id: &str, procedure_code: Option<&str>) -> Result<Appointment> {
        let owner = self.shared.resident()?;
        client::book(&self.shared.appointment_context(&owner)?, slot_id, procedure_code).await
    }

    pub async fn cancel(&self, booking_id: &str) -> Result<Appointment> {
        let owner = self.shared.resident()?;
        client::cancel(&self.shared.appointment_context(&owner)?, booking_id).await
    }

    /// Brings the kept bookings up to date with the portal's.
    pub async fn refresh(&self) -> Result<Vec<Appointment>> {
        let owner = self.shared.resident()?;
        client::refresh(&self.shared.appointment_context(&owner)?).await
    }

    /// The logged-in resident's bookings, offline, soonest first (none when logged out).
    pub fn list(&self) -> Result<Vec<Appointment>> {
        match self.shared.owner()? {
            Some(owner) => self.shared.user()?.appointments.list(&owner),
            None => Ok(Vec::new()),
        }
    }

    pub fn get(&self, booking_id: &str) -> Result<Appointment> {
        match self.shared.owner()? {
            Some(owner) => self.shared.user()?.appointments.get(&owner, booking_id),
            None => Err(Error::NotFound(format!("appointment {booking_id}"))),
        }
    }

    /// The booking's ticket, verified offline with the portal's key: the text to draw as a QR
    /// code. A tampered ticket is a validation error.
    pub fn ticket(&self, booking_id: &str) -> Result<VerifiedTicket> {
        match self.shared.owner()? {
            Some(owner) => self.shared.user()?.appointments.ticket(&owner, booking_id),
            None => Err(Error::NotFound(format!("appointment {booking_id}"))),
        }
    }
}
