//! `smarthd login`: the RFC 8252 loopback flow. A listener on an ephemeral loopback port is the
//! redirect URI; the system browser does the login; the redirect brings the code back here.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use smarthd_core::{Config, Error, LoginOptions, Profile, SmartHd};

use crate::loopback::{Loopback, back_to_terminal};

/// How long to wait for the browser to come back.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// The provider chosen at login, kept so that later commands (whoami, logout, refresh) talk
/// to the same one.
#[derive(Serialize, Deserialize)]
pub struct SavedProvider {
    pub issuer: String,
    pub client_id: String,
}

const PROVIDER_FILE: &str = "identity.json";

pub fn saved_provider(data_dir: &Path) -> Option<SavedProvider> {
    serde_json::from_slice(&std::fs::read(data_dir.join(PROVIDER_FILE)).ok()?).ok()
}

pub fn apply_provider(config: &mut Config, issuer: Option<&str>, client_id: Option<&str>) {
    let saved = saved_provider(&config.data_dir);
    if let Some(issuer) = issuer.map(str::to_owned).or_else(|| saved.as_ref().map(|s| s.issuer.clone())) {
        config.identity.issuer = issuer;
    }
    if let Some(client_id) = client_id.map(str::to_owned).or_else(|| saved.map(|s| s.client_id)) {
        config.identity.client_id = client_id;
    }
}

/// Binds the loopback redirect, runs the login, and returns who logged in.
pub async fn login(
    mut config: Config,
    open_core: impl FnOnce(Config) -> Result<SmartHd, Error>,
    level: u8,
    open_browser: bool,
) -> Result<Profile, Error> {
    let loopback = Loopback::bind().await?;
    let redirect = loopback.url("/callback");
    config.identity.redirect_uri = redirect.clone();
    let provider =
        SavedProvider { issuer: config.identity.issuer.clone(), client_id: config.identity.client_id.clone() };
    let data_dir = config.data_dir.clone();
    let core = open_core(config)?;
    let url = core
        .session()
        .begin_login(&LoginOptions { level, locale: Some("vi".into()), prompt: Some("login".into()) })
        .await?;
    eprintln!("Mở địa chỉ này trong trình duyệt để đăng nhập bằng VNeID / open this URL in a browser to log in:");
    println!("{url}");
    if open_browser && let Err(e) = std::process::Command::new("xdg-open").arg(&url).spawn() {
        eprintln!("(không mở được trình duyệt / could not open a browser: {e})");
    }
    let page = back_to_terminal("Đã nhận phản hồi đăng nhập", "Login response received");
    let callback = tokio::time::timeout(LOGIN_TIMEOUT, loopback.wait_for("/callback", &page))
        .await
        .map_err(|_| Error::Network("no answer from the browser within 5 minutes".into()))??;
    let profile = core.session().complete_login(&callback).await?;
    std::fs::write(data_dir.join(PROVIDER_FILE), serde_json::to_vec(&provider).expect("serializable"))?;
    Ok(profile)
}
