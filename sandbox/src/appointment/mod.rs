//! Appointments at the commune's one-stop counter (Bộ phận một cửa) in the sandbox: the counters
//! and their 30-minute slots, booking (idempotent on the client's permanent booking id), cancel,
//! the resident's bookings, signed tickets the counter verifies, and the ledger tests read. The
//! rules are the portal's: at most 6 days ahead, at most 2 bookings a day per resident, and a
//! slot's capacity, checked and booked in one transaction. The wire contract is the
//! "Appointments" section of `docs/portal-api.md`.

// Layers, each importing only from those below it: schedule and ticket; store; this file, which
// holds the routes.
mod schedule;
mod store;
mod ticket;

use std::path::Path;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRef, Path as UrlPath, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use smarthd_model::appointment::{BookingRefusal, Counter, SignedTicket, Slot, Ticket, WireBooking};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api_error::ApiError;
use crate::identity::{Authenticated, IdentityProvider};
use crate::openapi::ErrorBody;
use crate::portal::Portal;
use store::{Booked, Refused, Row, Store, StoreError};

const TICKET_KEY: &str = "ticket_key_a1";
/// Booking ids are the client's: a UUID or the like, never more than this.
const MAX_ID: usize = 64;

pub struct Appointments {
    store: Store,
    signer: ticket::Signer,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("appointments database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("the ticket signing key could not be made or read")]
    Key,
}

impl Appointments {
    /// Opens the appointment tables; the ticket key is made the first time and kept.
    pub fn open(db_path: &Path) -> Result<Appointments, OpenError> {
        let store = Store::open(db_path)?;
        let pkcs8 = store.secret(TICKET_KEY, ticket::Signer::generate)?.ok_or(OpenError::Key)?;
        let signer = ticket::Signer::from_pkcs8(&pkcs8).ok_or(OpenError::Key)?;
        Ok(Appointments { store, signer })
    }

    /// The ticket key as an app pins it: `KEY_ID:PUBLIC_KEY`.
    pub fn ticket_key_pin(&self) -> String {
        format!("{}:{}", ticket::KEY_ID, self.signer.public_key())
    }

    fn wire(&self, row: &Row) -> WireBooking {
        let counter = schedule::counter(&row.counter_id);
        let ticket = Ticket {
            booking_id: row.booking_id.clone(),
            counter_id: row.counter_id.clone(),
            starts_at: row.start.format("%Y%m%d%H%M").to_string(),
            procedure_code: row.procedure_code.clone(),
            number: row.number,
        };
        WireBooking {
            booking_id: row.booking_id.clone(),
            slot_id: row.slot_id.clone(),
            counter_id: row.counter_id.clone(),
            counter_name: counter.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
            unit_code: counter.map(|c| c.unit_code).unwrap_or_default(),
            procedure_code: row.procedure_code.clone(),
            starts_at: schedule::rfc3339(&row.start),
            ends_at: schedule::rfc3339(&schedule::ends(&row.start)),
            status: row.status.clone(),
            number: row.number,
            ticket: self.signer.sign(&ticket),
        }
    }
}

#[derive(Clone)]
struct AppState {
    appointments: Arc<Appointments>,
    portal: Arc<Portal>,
    idp: Arc<IdentityProvider>,
}

impl FromRef<AppState> for Arc<IdentityProvider> {
    fn from_ref(state: &AppState) -> Arc<IdentityProvider> {
        state.idp.clone()
    }
}

type Shared = State<AppState>;

/// The resident's and the counter's appointment routes, and the tester's.
pub fn router(appointments: Arc<Appointments>, portal: Arc<Portal>, idp: Arc<IdentityProvider>) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(counters))
        .routes(routes!(slots))
        .routes(routes!(book, mine))
        .routes(routes!(cancel))
        .routes(routes!(keys))
        .routes(routes!(verify))
        .routes(routes!(ledger))
        .routes(routes!(set_slot))
        .with_state(AppState { appointments, portal, idp })
}

#[derive(serde::Serialize, ToSchema)]
struct CounterList {
    counters: Vec<Counter>,
}

#[derive(serde::Serialize, ToSchema)]
struct SlotList {
    counter: Counter,
    slots: Vec<Slot>,
}

#[derive(serde::Serialize, ToSchema)]
struct BookingList {
    bookings: Vec<WireBooking>,
}

fn private(status: StatusCode, body: impl serde::Serialize) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

fn refusal(r: BookingRefusal) -> ApiError {
    let status = StatusCode::from_u16(r.status()).unwrap_or(StatusCode::CONFLICT);
    ApiError::new(status, r.code(), r.message()).with_field("slot_id")
}

fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Db(e) => e.into(),
        StoreError::Refused(Refused::Rule(r)) => refusal(r),
        StoreError::Refused(Refused::NoSuchSlot) => ApiError::not_found("slot"),
        StoreError::Refused(Refused::UnknownProcedure) => {
            ApiError::new(StatusCode::NOT_FOUND, "unknown_procedure", "no such procedure")
        }
        StoreError::Refused(Refused::IdConflict) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_conflict",
            "this booking id was already used for another slot or procedure",
        ),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CountersQuery {
    #[serde(default)]
    unit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/appointments/counters", operation_id = "appointment_counters", tag = "appointments", params(CountersQuery),
    responses((status = 200, description = "Quầy / The counters", body = CounterList), (status = 400, body = ErrorBody)))]
async fn counters(q: Result<Query<CountersQuery>, QueryRejection>) -> Result<Json<CounterList>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let counters: Vec<Counter> =
        schedule::counters().into_iter().filter(|c| q.unit.as_deref().is_none_or(|u| c.unit_code == u)).collect();
    Ok(Json(CounterList { counters }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SlotsQuery {
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    counter: Option<String>,
    #[serde(default)]
    procedure: Option<String>,
}

/// The bookable slots (from now to 6 days ahead) of a counter, or of a unit's counter.
#[utoipa::path(get, path = "/api/v1/appointments/slots", tag = "appointments", params(SlotsQuery),
    responses((status = 200, description = "Khung giờ / A counter's slots", body = SlotList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn slots(State(s): Shared, q: Result<Query<SlotsQuery>, QueryRejection>) -> Result<Json<SlotList>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if let Some(code) = &q.procedure
        && s.portal.procedure(code)?.is_none()
    {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "unknown_procedure", "no such procedure"));
    }
    let counter = match (&q.counter, &q.unit) {
        (Some(id), _) => schedule::counter(id),
        (None, Some(unit)) => schedule::counters().into_iter().find(|c| &c.unit_code == unit),
        (None, None) => return Err(ApiError::validation("unit", "name a unit (unit=) or a counter (counter=)")),
    }
    .ok_or_else(|| ApiError::not_found("counter"))?;
    let now = schedule::now().naive_local();
    let (today, last) = store::bookable_days(now);
    let mut starts: Vec<chrono::NaiveDateTime> =
        today.iter_days().take_while(|d| *d <= last).flat_map(schedule::starts_on).collect();
    for id in s.appointments.store.extra_slots(&counter.counter_id)? {
        if let Some((_, start)) = schedule::parse_slot_id(&id) {
            starts.push(start);
        }
    }
    starts.retain(|start| *start > now && start.date() <= last);
    starts.sort();
    starts.dedup();
    let ids: Vec<String> = starts.iter().map(|start| schedule::slot_id(&counter.counter_id, start)).collect();
    let booked = s.appointments.store.booked_counts(&ids)?;
    let mut slots = Vec::new();
    for (id, start) in ids.iter().zip(&starts) {
        let Some(capacity) = s.appointments.store.capacity(id, start)? else { continue };
        let taken = booked.get(id).copied().unwrap_or(0);
        slots.push(Slot {
            slot_id: id.clone(),
            counter_id: counter.counter_id.clone(),
            unit_code: counter.unit_code.clone(),
            starts_at: schedule::rfc3339(start),
            ends_at: schedule::rfc3339(&schedule::ends(start)),
            capacity,
            available: capacity.saturating_sub(taken),
        });
    }
    Ok(Json(SlotList { counter, slots }))
}

#[derive(Deserialize, ToSchema)]
struct BookBody {
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    booking_id: String,
    slot_id: String,
    #[serde(default)]
    procedure_code: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/appointments", tag = "appointments", security(("bearer" = [])), request_body = BookBody,
    responses((status = 201, description = "Đã đặt / Booked", body = WireBooking), (status = 200, description = "Đã đặt trước đó / Already booked", body = WireBooking),
        (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn book(State(s): Shared, auth: Authenticated, body: Bytes) -> Result<Response, ApiError> {
    let body: BookBody =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("invalid body: {e}")))?;
    let id_ok = |id: &str| {
        !id.is_empty() && id.len() <= MAX_ID && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !id_ok(&body.booking_id) {
        return Err(ApiError::validation("booking_id", "1 to 64 letters, digits, '-' or '_'"));
    }
    let procedure_known = match &body.procedure_code {
        Some(code) => s.portal.procedure(code)?.is_some(),
        None => true,
    };
    let now = schedule::now().naive_local();
    let booked = s
        .appointments
        .store
        .book(&auth.sub, &body.booking_id, &body.slot_id, body.procedure_code.as_deref(), procedure_known, now)
        .map_err(store_error)?;
    Ok(match booked {
        Booked::Created(row) => private(StatusCode::CREATED, s.appointments.wire(&row)),
        Booked::Replayed(row) => private(StatusCode::OK, s.appointments.wire(&row)),
    })
}

#[utoipa::path(post, path = "/api/v1/appointments/{booking_id}/cancel", tag = "appointments", security(("bearer" = [])),
    params(("booking_id" = String, Path)),
    responses((status = 200, description = "Đã huỷ / Cancelled", body = WireBooking), (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cancel(
    State(s): Shared,
    auth: Authenticated,
    UrlPath(booking_id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let now = schedule::now().naive_local();
    let row = s
        .appointments
        .store
        .cancel(&auth.sub, &booking_id, now)
        .map_err(store_error)?
        .ok_or_else(|| ApiError::not_found("booking"))?;
    Ok(private(StatusCode::OK, s.appointments.wire(&row)))
}

#[utoipa::path(get, path = "/api/v1/appointments", tag = "appointments", security(("bearer" = [])),
    responses((status = 200, description = "Lịch hẹn của tôi / My bookings", body = BookingList), (status = 400, description = "Yêu cầu sai / Bad request", body = ErrorBody), (status = 401, description = "Cần đăng nhập / A valid access token is required", body = ErrorBody)))]
async fn mine(State(s): Shared, auth: Authenticated) -> Result<Response, ApiError> {
    let bookings: Vec<WireBooking> =
        s.appointments.store.mine(&auth.sub)?.iter().map(|row| s.appointments.wire(row)).collect();
    Ok(private(StatusCode::OK, BookingList { bookings }))
}

#[utoipa::path(get, path = "/api/v1/appointments/keys", tag = "appointments",
    responses((status = 200, description = "The tickets' Ed25519 public keys", body = crate::openapi::KeyList)))]
async fn keys(State(s): Shared) -> Json<Value> {
    Json(
        json!({"keys": [{"key_id": ticket::KEY_ID, "alg": "Ed25519", "public_key": s.appointments.signer.public_key()}]}),
    )
}

#[derive(Deserialize)]
struct VerifyBody {
    /// The text the ticket's QR code holds.
    qr: String,
}

/// The counter scans a ticket: is it the portal's, and is the booking still live? Answers no
/// personal data, only what the ticket itself says and the booking's status.
#[utoipa::path(post, path = "/api/v1/appointments/tickets/verify", tag = "appointments", request_body = Object,
    responses((status = 200, description = "valid, or why not", body = Object), (status = 400, body = ErrorBody)))]
async fn verify(State(s): Shared, body: Bytes) -> Result<Response, ApiError> {
    let body: VerifyBody =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("invalid body: {e}")))?;
    let invalid = |reason: &str| {
        private(
            StatusCode::OK,
            json!({"valid": false, "reason": reason, "message": "Vé không hợp lệ / The ticket is not valid"}),
        )
    };
    let Ok(signed) = SignedTicket::from_qr_text(&body.qr) else { return Ok(invalid("format")) };
    let Some(ticket) = s.appointments.signer.verify(&signed) else { return Ok(invalid("signature")) };
    let Some(row) = s.appointments.store.by_id(&ticket.booking_id)? else { return Ok(invalid("unknown_booking")) };
    let counter = schedule::counter(&row.counter_id);
    let live = row.status == "booked";
    let message = if live {
        "Vé hợp lệ / The ticket is valid"
    } else {
        "Lịch hẹn đã bị huỷ / The appointment was cancelled"
    };
    Ok(private(
        StatusCode::OK,
        json!({
            "valid": live,
            "reason": if live { Value::Null } else { Value::from("cancelled") },
            "message": message,
            "status": row.status,
            "ticket": ticket,
            "counter_name": counter.map(|c| c.name),
            "starts_at": schedule::rfc3339(&row.start),
        }),
    ))
}

#[utoipa::path(get, path = "/admin/appointments/ledger", operation_id = "appointments_ledger", tag = "admin", security(("admin" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn ledger(State(s): Shared) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"slots": s.appointments.store.ledger()?})))
}

#[derive(Deserialize)]
struct SlotBody {
    counter_id: String,
    /// RFC 3339; taken in Vietnam time, to the minute.
    starts_at: String,
    capacity: u32,
}

/// Adds a slot outside the timetable (or changes a slot's capacity), for tests that need a slot
/// tomorrow, in the next hour, or with one place.
#[utoipa::path(post, path = "/admin/appointments/slots", tag = "admin", security(("admin" = [])), request_body = Object,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_slot(State(s): Shared, body: Bytes) -> Result<Response, ApiError> {
    let body: SlotBody =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("invalid body: {e}")))?;
    if schedule::counter(&body.counter_id).is_none() {
        return Err(ApiError::not_found("counter"));
    }
    let start = chrono::DateTime::parse_from_rfc3339(&body.starts_at)
        .map_err(|_| ApiError::validation("starts_at", "RFC 3339"))?
        .with_timezone(&schedule::vietnam())
        .naive_local();
    let start =
        start.date().and_hms_opt(chrono::Timelike::hour(&start), chrono::Timelike::minute(&start), 0).unwrap_or(start);
    let slot_id = schedule::slot_id(&body.counter_id, &start);
    s.appointments.store.set_slot(&slot_id, body.capacity)?;
    Ok(private(
        StatusCode::OK,
        json!({"slot_id": slot_id, "starts_at": schedule::rfc3339(&start), "capacity": body.capacity}),
    ))
}
