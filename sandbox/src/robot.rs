//! A scripted resident for the demo and the tests: it fills the sandbox's login page over HTTP,
//! as a person would in the browser, and hands back the redirect the app receives. Only for the
//! sandbox; a real provider's page is for people.

use reqwest::redirect::Policy;

/// A test citizen's credentials (see `docs/identity.md`).
pub struct Credentials<'a> {
    pub cccd: &'a str,
    pub password: &'a str,
    pub otp: &'a str,
}

/// Nguyễn Văn An, VNeID level 2.
pub const LEVEL2_CITIZEN: Credentials<'static> =
    Credentials { cccd: "030095001234", password: "Matkhau@123", otp: crate::identity::SANDBOX_OTP };
/// Trần Thị Bình, VNeID level 1.
pub const LEVEL1_CITIZEN: Credentials<'static> =
    Credentials { cccd: "030198005678", password: "Matkhau@123", otp: crate::identity::SANDBOX_OTP };

#[derive(Debug, thiserror::Error)]
pub enum RobotError {
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    #[error("unexpected answer from the login page: {0}")]
    Page(String),
    /// The officer console refused: its status and its own message (`{"message"}`), if any.
    #[error("the officer console answered {status}{}", .message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Refused { status: u16, message: Option<String> },
}

/// A refusal with the console's own words.
async fn refused(response: reqwest::Response) -> RobotError {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    RobotError::Refused { status, message: body["message"].as_str().map(str::to_owned) }
}

/// Opens `authorization_url`, fills the login form, and returns the URL the provider redirects
/// the browser to (the app's redirect URI with `code`, `state` and `iss`).
pub async fn log_in(authorization_url: &str, who: &Credentials<'_>) -> Result<String, RobotError> {
    // Plain loopback HTTP only; the provider install is for reqwest's rustls-no-provider build.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().redirect(Policy::none()).build()?;
    let mut url = reqwest::Url::parse(authorization_url).map_err(|e| RobotError::Page(e.to_string()))?;
    let page = loop {
        let response = client.get(url.clone()).send().await?;
        if response.status().is_redirection() {
            let location = location(&response)?;
            url = url.join(&location).map_err(|e| RobotError::Page(e.to_string()))?;
            continue;
        }
        let status = response.status();
        let body = response.text().await?;
        if !status.is_success() {
            return Err(RobotError::Page(format!("{status}: {}", text_of(&body))));
        }
        break body;
    };
    let handle = hidden_value(&page, "handle").ok_or_else(|| RobotError::Page("no login form".into()))?;
    let action = url.join(form_action(&page).unwrap_or("login")).map_err(|e| RobotError::Page(e.to_string()))?;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("handle", &handle)
        .append_pair("lang", "vi")
        .append_pair("cccd", who.cccd)
        .append_pair("password", who.password)
        .append_pair("otp", who.otp)
        .finish();
    let response = client
        .post(action)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    if !response.status().is_redirection() {
        let status = response.status();
        return Err(RobotError::Page(format!("{status}: {}", text_of(&response.text().await?))));
    }
    location(&response)
}

fn location(response: &reqwest::Response) -> Result<String, RobotError> {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| RobotError::Page("a redirect without Location".into()))
}

fn hidden_value(page: &str, name: &str) -> Option<String> {
    let at = page.find(&format!("name=\"{name}\""))?;
    let rest = &page[at..];
    let start = rest.find("value=\"")? + 7;
    let end = rest[start..].find('"')? + start;
    Some(html_unescape(&rest[start..end]))
}

fn form_action(page: &str) -> Option<&str> {
    let at = page.find("<form")?;
    let rest = &page[at..];
    let start = rest.find("action=\"")? + 8;
    let end = rest[start..].find('"')? + start;
    Some(&rest[start..end])
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The visible text of an error page, for the error message.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(300).collect()
}

/// A value a resident would type into `field`, one its rules accept.
pub fn sample_value(field: &smarthd_model::catalog::FormField) -> String {
    use smarthd_model::catalog::FieldKind;
    let value = match field.kind {
        FieldKind::Text if field.key.contains("noi_sinh") => "Bệnh viện Phụ sản Hải Dương".to_owned(),
        FieldKind::Text if field.key.contains("dia_chi") => "Số 12 Trần Hưng Đạo, Phường Hải Dương".to_owned(),
        FieldKind::Text if field.key.starts_with("tre_") => "Nguyễn Minh Khang".to_owned(),
        FieldKind::Text if field.key.starts_with("me_") => "Trần Thị Bình".to_owned(),
        FieldKind::Text => "Nguyễn Văn An".to_owned(),
        FieldKind::Textarea => "Đề nghị giải quyết theo quy định.".to_owned(),
        FieldKind::Number => "1".to_owned(),
        // Both in the past, as a date of birth must be.
        FieldKind::Date if field.key.starts_with("tre_") => "2025-11-20".to_owned(),
        FieldKind::Date => "1995-06-15".to_owned(),
        FieldKind::Cccd if field.key.starts_with("me_") => "030198005678".to_owned(),
        FieldKind::Cccd => "030095001234".to_owned(),
        FieldKind::Phone => "0912345678".to_owned(),
        FieldKind::Email => "an.nguyen@example.vn".to_owned(),
        FieldKind::Select => field.options.first().map(|o| o.value.clone()).unwrap_or_default(),
        FieldKind::Checkbox => "true".to_owned(),
    };
    match field.max_length {
        Some(max) => value.chars().take(max as usize).collect(),
        None => value,
    }
}

/// A scripted officer at the officer console: logs in with a sandbox officer account (the JSON
/// login), then acts with the session cookie and the session's CSRF token, as the page's forms do.
pub struct OfficerConsole {
    http: reqwest::Client,
    base_url: String,
    cookie: String,
    csrf: String,
}

impl OfficerConsole {
    /// `base_url` ends with a slash (`Sandbox::base_url`).
    pub async fn log_in(base_url: &str, account: &crate::OfficerAccount) -> Result<OfficerConsole, RobotError> {
        Self::log_in_as(base_url, account.username, account.password).await
    }

    /// The same with any credentials (a tester's, from the command line).
    pub async fn log_in_as(base_url: &str, username: &str, password: &str) -> Result<OfficerConsole, RobotError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().redirect(Policy::none()).build()?;
        let body = serde_json::json!({"username": username, "password": password});
        let response = http
            .post(format!("{base_url}officer/login"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        let cookie = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.split(';').next().filter(|c| c.starts_with("hd_officer=")).map(str::to_owned))
            .ok_or_else(|| RobotError::Page("the officer login set no session cookie".into()))?;
        let answer: serde_json::Value = response.json().await?;
        let csrf = answer["csrf"].as_str().ok_or_else(|| RobotError::Page("no CSRF token".into()))?.to_owned();
        Ok(OfficerConsole { http, base_url: base_url.to_owned(), cookie, csrf })
    }

    async fn post(&self, path: &str, body: serde_json::Value) -> Result<serde_json::Value, RobotError> {
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::COOKIE, &self.cookie)
            .header(crate::OFFICER_CSRF_HEADER, &self.csrf)
            .body(body.to_string())
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        Ok(response.json().await?)
    }

    async fn get(&self, path: &str) -> Result<serde_json::Value, RobotError> {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::COOKIE, &self.cookie)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        Ok(response.json().await?)
    }

    /// The newest dossiers, as the console lists them: `{"dossiers": [...]}`.
    pub async fn list(&self) -> Result<serde_json::Value, RobotError> {
        self.get("officer/dossiers").await
    }

    /// One dossier whole: form values, attachments, rounds, timeline, rating.
    pub async fn dossier(&self, code: &str) -> Result<serde_json::Value, RobotError> {
        self.get(&format!("officer/dossiers/{}", segment(code))).await
    }

    /// Attaches the result as the officer's own PDF.
    pub async fn attach_result_file(
        &self,
        code: &str,
        name: &str,
        pdf: &[u8],
    ) -> Result<serde_json::Value, RobotError> {
        use base64::Engine;
        let content = base64::engine::general_purpose::STANDARD.encode(pdf);
        self.post(
            &format!("officer/dossiers/{}/result", segment(code)),
            serde_json::json!({"name": name, "content_base64": content}),
        )
        .await
    }

    /// Moves a dossier on; answers the dossier as residents see it.
    pub async fn set_status(
        &self,
        code: &str,
        status: &str,
        message: Option<&str>,
    ) -> Result<serde_json::Value, RobotError> {
        self.post(
            &format!("officer/dossiers/{}/status", segment(code)),
            serde_json::json!({"status": status, "message": message}),
        )
        .await
    }

    /// Publishes an alert (`info`, `warning` or `emergency`) to the inboxes of `communes` (none:
    /// the whole city).
    pub async fn publish_alert(
        &self,
        severity: &str,
        communes: &[String],
        title: &str,
        body: &str,
    ) -> Result<serde_json::Value, RobotError> {
        let alert = serde_json::json!({"severity": severity, "communes": communes, "title": title, "body": body});
        self.post("officer/api/alerts", alert).await
    }

    /// Asks for more documents ("Yêu cầu bổ sung"): a round naming `documents`, due in the
    /// portal's default number of days.
    pub async fn request_supplement(
        &self,
        code: &str,
        message: &str,
        documents: &[&str],
    ) -> Result<serde_json::Value, RobotError> {
        self.request_supplement_by(code, message, documents, None).await
    }

    /// The same, due on `deadline` (YYYY-MM-DD).
    pub async fn request_supplement_by(
        &self,
        code: &str,
        message: &str,
        documents: &[&str],
        deadline: Option<&str>,
    ) -> Result<serde_json::Value, RobotError> {
        let body = serde_json::json!({
            "status": "need_more_documents", "message": message, "documents": documents, "deadline": deadline,
        });
        self.post(&format!("officer/dossiers/{}/status", segment(code)), body).await
    }

    /// Attaches the result document.
    pub async fn attach_result(&self, code: &str, name: &str) -> Result<serde_json::Value, RobotError> {
        self.post(&format!("officer/dossiers/{}/result", segment(code)), serde_json::json!({"name": name})).await
    }

    /// The operations centre's field reports, newest first, only those in `status` when given:
    /// `{"items": [...]}`.
    pub async fn reports(&self, status: Option<&str>) -> Result<serde_json::Value, RobotError> {
        let query = status
            .map(|s| format!("?status={}", url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()));
        self.get(&format!("officer/api/reports{}", query.unwrap_or_default())).await
    }

    /// One field report as the IOC sees it: text, photos, place, reporter, answer, timeline.
    pub async fn report(&self, code: &str) -> Result<serde_json::Value, RobotError> {
        self.get(&format!("officer/api/reports/{}", segment(code))).await
    }

    /// Accepts a waiting report (its handling deadline starts).
    pub async fn accept_report(&self, code: &str) -> Result<serde_json::Value, RobotError> {
        self.post(&format!("officer/api/reports/{}/accept", segment(code)), serde_json::json!({})).await
    }

    /// Rejects a waiting report for `reason` (`out_of_scope`, `unclear`, `duplicate`, `abusive`).
    pub async fn reject_report(
        &self,
        code: &str,
        reason: &str,
        note: Option<&str>,
    ) -> Result<serde_json::Value, RobotError> {
        let body = serde_json::json!({"reason": reason, "note": note});
        self.post(&format!("officer/api/reports/{}/reject", segment(code)), body).await
    }

    /// Assigns a report to the agency that handles it.
    pub async fn assign_report(&self, code: &str, agency: &str) -> Result<serde_json::Value, RobotError> {
        self.post(&format!("officer/api/reports/{}/assign", segment(code)), serde_json::json!({"agency": agency})).await
    }

    /// The agency's answer, with proof photos (JPEG without metadata).
    pub async fn answer_report(
        &self,
        code: &str,
        message: &str,
        photos: &[Vec<u8>],
    ) -> Result<serde_json::Value, RobotError> {
        use base64::Engine;
        let photos: Vec<String> = photos.iter().map(|p| base64::engine::general_purpose::STANDARD.encode(p)).collect();
        let body = serde_json::json!({"message": message, "photos_base64": photos});
        self.post(&format!("officer/api/reports/{}/answer", segment(code)), body).await
    }
}

/// `text` as one URL path segment.
fn segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}

/// A scripted officer (the first sandbox officer account): moves a dossier on.
pub async fn officer_set_status(
    base_url: &str,
    code: &str,
    status: &str,
    message: Option<&str>,
) -> Result<(), RobotError> {
    OfficerConsole::log_in(base_url, &crate::OFFICERS[0]).await?.set_status(code, status, message).await.map(|_| ())
}
