//! Announcements and alerts to residents' inboxes, and the push registrations that wake the app.
//! The IOC publishes an alert for some communes or the whole city; a resident's inbox feed
//! (`GET /api/v1/inbox?since=`) holds the alerts for the commune of their registered address
//! (VNeID) and the city-wide ones; each publication records one push per device of the residents
//! it reaches (`push`). Contract: the "Alerts and the inbox" section of `docs/portal-api.md`.

use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRef, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, params};
use serde::Deserialize;
use serde_json::json;
use smarthd_model::alert::{Alert, MAX_ALERT_BODY, MAX_ALERT_TITLE, Severity};
use smarthd_model::workcal::vietnam;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api_error::{ApiError, json_body};
use crate::dossier::Desk;
use crate::identity::{Authenticated, IdentityProvider, address_of};
use crate::openapi::ErrorBody;
use crate::push::{PushGateway, PushKind};
use crate::report::areas;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS alert (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    severity TEXT NOT NULL,
    communes TEXT NOT NULL,            -- JSON array of codes; empty: the whole city
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    published_at TEXT NOT NULL
);
";

/// How many alerts a feed page scans.
const FEED_PAGE: usize = 500;

pub struct Inbox {
    db: Mutex<Connection>,
    push: Arc<PushGateway>,
}

/// The commune of `sub`'s registered address: the sample unit whose name it contains.
pub fn home_commune(sub: &str) -> Option<&'static str> {
    let address = address_of(sub)?;
    areas().iter().find(|a| address.contains(a.name.as_str())).map(|a| a.code.as_str())
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam()).to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn alert(r: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    let severity: String = r.get(3)?;
    let communes: String = r.get(4)?;
    Ok(Alert {
        seq: r.get::<_, i64>(0)? as u64,
        alert_id: format!("TB-{:06}", r.get::<_, i64>(0)?),
        title: r.get(1)?,
        body: r.get(2)?,
        severity: Severity::parse(&severity).unwrap_or(Severity::Info),
        communes: serde_json::from_str(&communes).unwrap_or_default(),
        valid_from: r.get(5)?,
        valid_until: r.get(6)?,
        published_at: r.get(7)?,
    })
}

impl Inbox {
    pub fn open(path: &Path, push: Arc<PushGateway>) -> rusqlite::Result<Inbox> {
        Ok(Inbox { db: crate::db::open(path, SCHEMA)?, push })
    }

    fn publish(&self, new: &NewAlert, now: DateTime<Utc>) -> Result<Alert, ApiError> {
        let db = crate::db::lock(&self.db);
        let communes = serde_json::to_string(&new.communes).map_err(ApiError::internal)?;
        let alert = db.query_row(
            "INSERT INTO alert (title, body, severity, communes, valid_from, valid_until, published_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             RETURNING seq, title, body, severity, communes, valid_from, valid_until, published_at",
            params![
                new.title.trim(),
                new.body.trim(),
                new.severity.as_str(),
                communes,
                new.valid_from.clone().unwrap_or_else(|| rfc3339(now)),
                new.valid_until,
                rfc3339(now)
            ],
            alert,
        )?;
        Ok(alert)
    }

    /// The alerts published after `since` that reach a resident of `commune`, the cursor to ask
    /// from next (past the alerts for other communes too, which never concern this resident),
    /// and whether more were published after it: a page with few alerts may not be the last.
    fn for_resident(&self, commune: Option<&str>, since: u64) -> rusqlite::Result<(Vec<Alert>, u64, bool)> {
        let db = crate::db::lock(&self.db);
        let mut stmt = db.prepare_cached(
            "SELECT seq, title, body, severity, communes, valid_from, valid_until, published_at
             FROM alert WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let mut scanned =
            stmt.query_map([since as i64, FEED_PAGE as i64 + 1], alert)?.collect::<rusqlite::Result<Vec<_>>>()?;
        let has_more = scanned.len() > FEED_PAGE;
        scanned.truncate(FEED_PAGE);
        let next_since = scanned.last().map_or(since, |a| a.seq);
        let reaching = scanned
            .into_iter()
            .filter(|a| a.communes.is_empty() || commune.is_some_and(|c| a.communes.iter().any(|x| x == c)))
            .collect();
        Ok((reaching, next_since, has_more))
    }
}

#[derive(Clone)]
struct AppState {
    inbox: Arc<Inbox>,
    desk: Arc<Desk>,
    idp: Arc<IdentityProvider>,
}

impl FromRef<AppState> for Arc<IdentityProvider> {
    fn from_ref(state: &AppState) -> Arc<IdentityProvider> {
        state.idp.clone()
    }
}

type Shared = State<AppState>;

pub fn router(inbox: Arc<Inbox>, desk: Arc<Desk>, idp: Arc<IdentityProvider>) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(inbox_feed))
        .routes(routes!(register))
        .routes(routes!(unregister))
        .routes(routes!(publish))
        .routes(routes!(push_log))
        .with_state(AppState { inbox, desk, idp })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SinceQuery {
    #[serde(default)]
    since: u64,
}

#[utoipa::path(get, path = "/api/v1/inbox", operation_id = "inbox_inbox_feed", tag = "inbox", security(("bearer" = [])), params(SinceQuery),
    responses((status = 200, description = "Thông báo mới / Alerts since the cursor", body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn inbox_feed(
    State(s): Shared,
    auth: Authenticated,
    query: Result<Query<SinceQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(SinceQuery { since }) = query.map_err(|_| ApiError::bad_request("since is a cursor (a number)"))?;
    let (items, next_since, has_more) = s.inbox.for_resident(home_commune(&auth.sub), since)?;
    let page = json!({ "items": items, "next_since": next_since, "has_more": has_more });
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(page)).into_response())
}

#[derive(Deserialize)]
struct Registration {
    token: String,
    platform: String,
}

#[utoipa::path(post, path = "/api/v1/push/registrations", operation_id = "inbox_register", tag = "inbox", security(("bearer" = [])), request_body = Object,
    responses((status = 201, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn register(State(s): Shared, auth: Authenticated, body: Bytes) -> Result<Response, ApiError> {
    let r: Registration = json_body(&body)?;
    if !matches!(r.platform.as_str(), "fcm" | "apns") {
        return Err(ApiError::validation("platform", "fcm or apns"));
    }
    let token = r.token.trim();
    if token.is_empty() || token.len() > 4096 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::validation("token", "the push token the platform gave (printable ASCII, at most 4 KiB)"));
    }
    s.inbox.push.register(&auth.sub, token, &r.platform)?;
    Ok((StatusCode::CREATED, Json(json!({"token": token, "platform": r.platform}))).into_response())
}

#[utoipa::path(delete, path = "/api/v1/push/registrations/{token}", operation_id = "inbox_unregister", tag = "inbox", security(("bearer" = [])), params(("token" = String, Path)),
    responses((status = 204, description = "Đã gỡ / Removed"), (status = 401, body = ErrorBody)))]
async fn unregister(
    State(s): Shared,
    auth: Authenticated,
    UrlPath(token): UrlPath<String>,
) -> Result<Response, ApiError> {
    s.inbox.push.unregister(&auth.sub, &token)?;
    // Gone either way: removing twice is not an error.
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct NewAlert {
    title: String,
    body: String,
    severity: Severity,
    #[serde(default)]
    communes: Vec<String>,
    #[serde(default)]
    valid_from: Option<String>,
    #[serde(default)]
    valid_until: Option<String>,
}

#[utoipa::path(post, path = "/officer/api/alerts", operation_id = "inbox_publish", tag = "officer", security(("officer" = [])), request_body = Object,
    responses((status = 201, body = Alert), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn publish(State(s): Shared, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    s.desk.json_session(&headers)?;
    let new: NewAlert = json_body(&body)?;
    let title_len = new.title.trim().chars().count();
    if title_len == 0 || title_len > MAX_ALERT_TITLE {
        return Err(ApiError::validation(
            "title",
            format!("1 đến {MAX_ALERT_TITLE} ký tự / 1 to {MAX_ALERT_TITLE} characters"),
        ));
    }
    let body_len = new.body.trim().chars().count();
    if body_len == 0 || body_len > MAX_ALERT_BODY {
        return Err(ApiError::validation(
            "body",
            format!("1 đến {MAX_ALERT_BODY} ký tự / 1 to {MAX_ALERT_BODY} characters"),
        ));
    }
    if let Some(unknown) = new.communes.iter().find(|c| !areas().iter().any(|a| &a.code == *c)) {
        return Err(ApiError::validation("communes", format!("không có xã/phường {unknown} / no commune {unknown}")));
    }
    for (field, value) in [("valid_from", &new.valid_from), ("valid_until", &new.valid_until)] {
        if value.as_deref().is_some_and(|v| DateTime::parse_from_rfc3339(v).is_err()) {
            return Err(ApiError::validation(field, "RFC 3339, e.g. 2026-12-02T08:00:00+07:00"));
        }
    }
    let alert = s.inbox.publish(&new, Utc::now())?;
    // One push per device of every resident it reaches.
    let subs = s.inbox.push.registered_subs()?;
    let reached: Vec<&str> = subs
        .iter()
        .map(String::as_str)
        .filter(|sub| {
            alert.communes.is_empty() || home_commune(sub).is_some_and(|c| alert.communes.iter().any(|x| x == c))
        })
        .collect();
    let kind = PushKind::Alert { emergency: alert.severity == Severity::Emergency };
    s.inbox.push.notify(&reached, kind, &alert.alert_id)?;
    Ok((StatusCode::CREATED, Json(alert)).into_response())
}

#[utoipa::path(get, path = "/admin/push/log", operation_id = "inbox_push_log", tag = "admin", security(("admin" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
async fn push_log(State(s): Shared) -> Result<Response, ApiError> {
    Ok(Json(json!({ "pushes": s.inbox.push.log()? })).into_response())
}
