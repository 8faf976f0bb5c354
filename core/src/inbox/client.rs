//! The inbox's requests: the alert feed by delta, and the push token registered for the
//! resident (removed at logout, so a shared phone stops getting the last resident's pushes).

use serde::Deserialize;

use super::{Alert, Inbox};
use crate::error::{Error, Result};
use crate::events::{Event, EventListener};
use crate::identity::ResidentCredentials;
use crate::owner::Owner;
use crate::transport::{PortalClient, Request, segment};

/// The portal's page size: a shorter page is the last, unless the portal says `has_more` (the
/// alerts for other communes it skipped do not count in a page).
const FEED_PAGE: usize = 500;

#[derive(Deserialize)]
struct FeedPage {
    items: Vec<Alert>,
    next_since: u64,
    #[serde(default)]
    has_more: bool,
}

pub struct Context<'a> {
    pub portal: &'a PortalClient,
    pub credentials: ResidentCredentials<'a>,
    pub inbox: &'a Inbox,
    pub owner: &'a Owner,
    pub events: &'a dyn EventListener,
}

/// Fetches the alerts published since the resident's cursor; answers how many are new.
pub async fn sync(cx: &Context<'_>) -> Result<u32> {
    let mut new = 0;
    loop {
        let since = cx.inbox.cursor(cx.owner)?;
        let page: FeedPage = cx.portal.authorized_json(&cx.credentials, &format!("api/v1/inbox?since={since}")).await?;
        if page.next_since < since || page.next_since > i64::MAX as u64 {
            return Err(
                crate::error::PortalError::OutOfRange { path: "api/v1/inbox".into(), field: "next_since" }.into()
            );
        }
        let more = page.has_more || page.items.len() >= FEED_PAGE;
        let kept = cx.inbox.keep_alerts(cx.owner, &page.items, page.next_since)?;
        new += kept.len() as u32;
        for alert in kept {
            cx.events.on_event(Event::AlertReceived {
                alert_id: alert.alert_id.clone(),
                title: alert.title.clone(),
                severity: alert.severity,
            });
        }
        if !more || page.next_since == since {
            return Ok(new);
        }
    }
}

/// Registers the platform's push token (`fcm` or `apns`) for the logged-in resident.
pub async fn register(cx: &Context<'_>, token: &str, platform: &str) -> Result<()> {
    if !matches!(platform, "fcm" | "apns") {
        return Err(Error::Validation { field: "platform".into(), reason: "fcm or apns".into() });
    }
    if matches!(token, "" | "." | "..") || token.len() > 4096 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::Validation { field: "token".into(), reason: "the push token the platform gave".into() });
    }
    // Kept before it is sent: a logout while the request is on its way (or its answer lost)
    // finds the token and removes the registration at the portal too.
    let kept = cx.inbox.keep_push_token(cx.owner, token, platform)?;
    let body = serde_json::json!({"token": token, "platform": platform}).to_string();
    let url = cx.portal.url("api/v1/push/registrations")?;
    let answer = cx.portal.send_authorized(&cx.credentials, Request::post(url).json(body.as_bytes())).await?;
    if !answer.is_success() {
        let refusal = answer.refusal();
        // Refused for good: the portal holds no registration of it. A failure that may come
        // after the portal registered it (a 5xx) keeps the token, for the logout to remove.
        if refusal.class().is_final() {
            cx.inbox.forget_push_token(cx.owner, Some(&kept))?;
        }
        return Err(refusal.into());
    }
    Ok(())
}

/// Removes the resident's push registration at the portal and here (at logout). Best effort at
/// the portal: a phone offline at logout forgets the token all the same.
pub async fn unregister(cx: &Context<'_>) -> Result<()> {
    // A token the data key cannot open is forgotten all the same (no request without it).
    let token = match cx.inbox.push_token(cx.owner) {
        Err(Error::UserDataUnreadable { .. }) => None,
        other => other?,
    };
    let Some(token) = token else {
        cx.inbox.forget_push_token(cx.owner, None)?;
        return Ok(());
    };
    let removed = async {
        let url = cx.portal.url(&format!("api/v1/push/registrations/{}", segment(&token)?))?;
        cx.portal.send_authorized(&cx.credentials, Request::new(reqwest::Method::DELETE, url)).await
    };
    match removed.await {
        Ok(answer) if !answer.is_success() => tracing::info!("push registration not removed: {}", answer.status),
        Ok(_) => {}
        // Its kind only: the error may name the request's path, which holds the push token.
        Err(error) => tracing::info!("push registration not removed: {:?}", error.kind()),
    }
    cx.inbox.forget_push_token(cx.owner, None)
}
