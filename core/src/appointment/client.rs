//! Talking to the portal about appointments: counters and slots (public), booking (durably),
//! cancelling, refreshing the resident's bookings, the ticket keys, and the reminders `sync`
//! gives.

use serde::Deserialize;
use serde_json::json;

use super::{Appointment, AppointmentStatus, Appointments, BookingRefusal, Counter, PendingBooking, Slot, WireBooking};
use crate::error::{Class, Error, PortalError, Result};
use crate::events::{Event, EventListener};
use crate::identity::ResidentCredentials;
use crate::owner::Owner;
use crate::transport::{PortalClient, Request, segment};

/// Reminders are given for appointments starting within this long.
pub const REMINDER_WINDOW_HOURS: i64 = 24;

pub struct Context<'a> {
    pub portal: &'a PortalClient,
    pub credentials: ResidentCredentials<'a>,
    pub appointments: &'a Appointments,
    pub events: &'a dyn EventListener,
    /// The resident logged in: whose bookings these are.
    pub owner: &'a Owner,
}

/// Which slots to list: a counter, or a unit's counter; for a procedure (checked by the portal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotQuery {
    pub unit_code: Option<String>,
    pub counter_id: Option<String>,
    pub procedure_code: Option<String>,
}

#[derive(Deserialize)]
struct CountersPage {
    counters: Vec<Counter>,
}

#[derive(Deserialize)]
struct SlotsPage {
    slots: Vec<Slot>,
}

#[derive(Deserialize)]
struct BookingsPage {
    bookings: Vec<WireBooking>,
}

/// The one-stop counters, of one unit or all.
pub async fn counters(portal: &PortalClient, unit_code: Option<&str>) -> Result<Vec<Counter>> {
    let mut url = portal.url("api/v1/appointments/counters")?;
    if let Some(unit) = unit_code {
        url.query_pairs_mut().append_pair("unit", unit);
    }
    Ok(portal.send(Request::get(url)).await?.json::<CountersPage>()?.counters)
}

/// The bookable slots (now to 6 days ahead) with their places left.
pub async fn slots(portal: &PortalClient, query: &SlotQuery) -> Result<Vec<Slot>> {
    if query.unit_code.is_none() && query.counter_id.is_none() {
        return Err(Error::Validation {
            field: "unit".into(),
            reason: "chọn đơn vị hoặc quầy / name a unit or a counter".into(),
        });
    }
    let mut url = portal.url("api/v1/appointments/slots")?;
    {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in
            [("unit", &query.unit_code), ("counter", &query.counter_id), ("procedure", &query.procedure_code)]
        {
            if let Some(value) = value {
                pairs.append_pair(name, value);
            }
        }
    }
    Ok(portal.send(Request::get(url)).await?.json::<SlotsPage>()?.slots)
}

/// Books a slot: the request is committed under a permanent id, then sent. A lost answer or a
/// crash leaves it queued; booking the same slot again (or `sync`) sends it under the same id.
/// No connection at all: nothing is kept (the resident is told it is not booked).
pub async fn book(cx: &Context<'_>, slot_id: &str, procedure_code: Option<&str>) -> Result<Appointment> {
    if slot_id.is_empty() || slot_id.len() > 100 {
        return Err(Error::Validation {
            field: "slot_id".into(),
            reason: "không có khung giờ này / no such slot".into(),
        });
    }
    let (pending, made_now) = cx.appointments.request(cx.owner, slot_id, procedure_code)?;
    match send_request(cx, &pending).await {
        // Made by this call and it never left the phone (no connection): not booked, as the
        // error says. Kept to be sent by a later sync, it would be booked behind the resident's
        // back, who may have booked another slot meanwhile. A request kept from before (its
        // answer lost, a crash) may be at the portal: it stays queued.
        Err(error @ Error::Portal(PortalError::Unreachable(_))) if made_now => {
            cx.appointments.drop_request(&pending.booking_id)?;
            Err(error)
        }
        other => other,
    }
}

async fn send_request(cx: &Context<'_>, pending: &PendingBooking) -> Result<Appointment> {
    let body = json!({
        "booking_id": pending.booking_id,
        "slot_id": pending.slot_id,
        "procedure_code": pending.procedure_code,
    })
    .to_string();
    let url = cx.portal.url("api/v1/appointments")?;
    let answer = cx.portal.send_authorized(&cx.credentials, Request::post(url).json(body.as_bytes())).await?;
    if answer.is_success() {
        let booking: WireBooking = answer.json()?;
        let appointment = cx.appointments.record(cx.owner, &booking)?;
        // The ticket's key now, while online, so the ticket verifies offline later.
        if let Err(e) = cx.appointments.keys().learn(cx.portal, &booking.ticket.key_id).await {
            tracing::info!("ticket key not fetched yet: {e}");
        }
        return Ok(appointment);
    }
    let refusal = answer.refusal();
    if refusal.class().is_final() {
        // The portal will never book this request: do not keep asking.
        cx.appointments.drop_request(&pending.booking_id)?;
    }
    Err(typed(refusal))
}

/// A refusal by one of the booking rules becomes its typed error.
fn typed(refusal: PortalError) -> Error {
    if let PortalError::Refused { error: Some(code), .. } = &refusal
        && let Some(rule) = BookingRefusal::parse(code)
    {
        return Error::Booking(rule);
    }
    refusal.into()
}

/// Cancels a booking: the wish is committed, then sent. Offline or after a lost answer the booking
/// stays "cancelling" and `sync` sends it; the portal cancels once per booking.
pub async fn cancel(cx: &Context<'_>, booking_id: &str) -> Result<Appointment> {
    // Only the resident's own bookings are cancelled from here (another's is not found).
    let kept = cx.appointments.request_cancel(cx.owner, booking_id)?;
    if kept.status == AppointmentStatus::Cancelled {
        return Ok(kept);
    }
    match send_cancel(cx, booking_id).await {
        Err(e) if matches!(e.class(), Some(Class::Offline | Class::RetryLater)) => {
            tracing::info!("cancellation kept to send later: {e}");
            cx.appointments.get(cx.owner, booking_id)
        }
        answered => answered,
    }
}

async fn send_cancel(cx: &Context<'_>, booking_id: &str) -> Result<Appointment> {
    let url = cx.portal.url(&format!("api/v1/appointments/{}/cancel", segment(booking_id)?))?;
    let answer = cx.portal.send_authorized(&cx.credentials, Request::post(url)).await?;
    if !answer.is_success() {
        let refusal = answer.refusal();
        if refusal.class().is_final() {
            // The portal will never cancel it (the slot has begun): the booking stands.
            cx.appointments.keep_booked(cx.owner, booking_id)?;
        }
        return Err(typed(refusal));
    }
    let booking: WireBooking = answer.json()?;
    cx.appointments.record(cx.owner, &booking)
}

/// Brings the kept bookings up to date with the portal's (a booking cancelled elsewhere).
pub async fn refresh(cx: &Context<'_>) -> Result<Vec<Appointment>> {
    let page: BookingsPage = cx.portal.authorized_json(&cx.credentials, "api/v1/appointments").await?;
    for booking in &page.bookings {
        cx.appointments.record(cx.owner, booking)?;
    }
    cx.appointments.list(cx.owner)
}

/// No connection or no usable session: nothing more can be done now.
fn stops_sync(error: &Error) -> bool {
    matches!(error.class(), Some(Class::Offline | Class::NeedsLogin))
}

/// Sends booking requests and cancellations made before a lost answer, offline or a crash, and
/// refreshes the bookings; answers how many requests were booked.
pub async fn sync(cx: &Context<'_>) -> Result<u32> {
    for booking_id in cx.appointments.cancelling(cx.owner)? {
        match send_cancel(cx, &booking_id).await {
            Ok(_) => {}
            Err(e) if stops_sync(&e) => return Ok(0),
            Err(e) => tracing::info!("cancellation not sent: {e}"),
        }
    }
    let mut booked = 0;
    for pending in cx.appointments.pending(cx.owner)? {
        match send_request(cx, &pending).await {
            Ok(_) => booked += 1,
            Err(e) if stops_sync(&e) => return Ok(booked),
            Err(e) => tracing::info!("booking request not sent: {e}"),
        }
    }
    match refresh(cx).await {
        Ok(list) => {
            for appointment in list {
                if let Some(key_id) = cx.appointments.ticket_key_id(cx.owner, &appointment.booking_id)?
                    && let Err(e) = cx.appointments.keys().learn(cx.portal, &key_id).await
                {
                    tracing::info!("ticket key not fetched: {e}");
                    break;
                }
            }
        }
        Err(e) if e.class().is_some() => tracing::info!("appointments not refreshed: {e}"),
        Err(e) => return Err(e),
    }
    Ok(booked)
}

/// The reminders due now (appointments within 24 hours not reminded yet), each given once.
pub fn remind(appointments: &Appointments, owner: &Owner, events: &dyn EventListener) -> Result<u32> {
    let due = appointments.due_reminders(owner, chrono::Utc::now(), chrono::TimeDelta::hours(REMINDER_WINDOW_HOURS))?;
    for a in &due {
        events.on_event(Event::AppointmentReminder {
            booking_id: a.booking_id.clone(),
            counter_name: a.counter_name.clone(),
            starts_at: a.starts_at.clone(),
            number: a.number,
        });
    }
    Ok(due.len() as u32)
}
