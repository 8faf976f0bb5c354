//! `smarthd login`: the RFC 8252 loopback flow. A listener on an ephemeral loopback port is the
//! redirect URI; the system browser does the login; the redirect brings the code back here.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use smarthd_core::{Config, Error, ErrorKind, LoginOptions, Profile, SmartHd};

use crate::loopback::{Loopback, back_to_terminal};

/// How long to wait for the browser to come back.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// The provider chosen at login, kept so that later commands (whoami, logout, refresh) talk
/// to the same one, as long as they use the same portal.
#[derive(Serialize, Deserialize)]
pub struct SavedProvider {
    /// The portal the login was for; a file without one (older CLI) is not applied.
    #[serde(default)]
    pub portal: Option<String>,
    pub issuer: String,
    pub client_id: String,
}

const PROVIDER_FILE: &str = "identity.json";

const KEPT_ASIDE: &str = "Không đọc được dữ liệu cũ trên máy (khoá dữ liệu đã mất hoặc đã đổi): dữ liệu được giữ lại; \
    hồ sơ đã gửi sẽ hiện lại sau khi đăng nhập / the data kept here could not be read (its key is lost or changed): \
    it was kept aside; dossiers you sent come back once you are logged in";

pub fn saved_provider(data_dir: &Path) -> Option<SavedProvider> {
    serde_json::from_slice(&std::fs::read(data_dir.join(PROVIDER_FILE)).ok()?).ok()
}

/// Applies `--issuer`/`--client-id`, else the provider of the last login when it was for this
/// portal: pointed at another portal, the CLI uses that portal's own realm (and the core asks
/// for a new login) rather than the old issuer.
pub fn apply_provider(config: &mut Config, issuer: Option<&str>, client_id: Option<&str>) {
    let portal = config.portal_url.as_str();
    let saved = saved_provider(&config.data_dir).filter(|s| s.portal.as_deref() == Some(portal));
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
    open_core: impl Fn(Config, bool) -> Result<SmartHd, Error>,
    level: u8,
    open_browser: bool,
    json: bool,
) -> Result<Profile, Error> {
    let loopback = Loopback::bind().await?;
    let redirect = loopback.url("/callback");
    config.identity.redirect_uri = redirect.clone();
    let provider = SavedProvider {
        portal: Some(config.portal_url.to_string()),
        issuer: config.identity.issuer.clone(),
        client_id: config.identity.client_id.clone(),
    };
    let data_dir = config.data_dir.clone();
    let options = LoginOptions { level, locale: Some("vi".into()), prompt: Some("login".into()) };
    let core = open_core(config.clone(), false)?;
    // Logging in again is how a lost data key is recovered: what it cannot open is kept aside,
    // still sealed, and the new login owns what is left.
    let (core, url, kept_aside) = match core.session().begin_login(&options).await {
        Err(error) if error.kind() == ErrorKind::UserDataUnreadable => {
            drop(core);
            let core = open_core(config, true)?;
            let url = core.session().begin_login(&options).await?;
            (core, url, true)
        }
        begun => (core, begun?, false),
    };
    // The URL alone on stdout's first line (a script opens it); with --json, a notice on stderr.
    if json {
        crate::output::notice(serde_json::json!({"open_url": url}));
    } else {
        eprintln!("Mở địa chỉ này trong trình duyệt để đăng nhập bằng VNeID / open this URL in a browser to log in:");
        out!("{url}");
    }
    if kept_aside {
        if json {
            crate::output::notice(serde_json::json!({"kept_aside_unreadable_data": true}));
        } else {
            eprintln!("{KEPT_ASIDE}");
        }
    }
    if open_browser && std::process::Command::new("xdg-open").arg(&url).spawn().is_err() && !json {
        eprintln!("(không mở được trình duyệt (xdg-open) / could not open a browser (xdg-open))");
    }
    let page = back_to_terminal("Đang hoàn tất đăng nhập", "Completing the login");
    let callback =
        tokio::time::timeout(LOGIN_TIMEOUT, loopback.wait_for("/callback", &page)).await.map_err(|_| {
            Error::TimedOut { waiting_for: "trình duyệt, trong 5 phút / the browser, within 5 minutes".into() }
        })??;
    let profile = core.session().complete_login(&callback).await?;
    std::fs::write(data_dir.join(PROVIDER_FILE), serde_json::to_vec(&provider).expect("serializable"))?;
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_provider_applies_to_its_own_portal_only() {
        let dir = std::env::temp_dir().join(format!("smarthd-saved-provider-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let saved = SavedProvider {
            portal: Some("http://127.0.0.1:8787/".into()),
            issuer: "http://127.0.0.1:8787/realms/other".into(),
            client_id: "cli".into(),
        };
        std::fs::write(dir.join(PROVIDER_FILE), serde_json::to_vec(&saved).unwrap()).unwrap();

        let mut same = Config::new("http://127.0.0.1:8787", &dir).unwrap();
        apply_provider(&mut same, None, None);
        assert_eq!((same.identity.issuer.as_str(), same.identity.client_id.as_str()), (saved.issuer.as_str(), "cli"));

        // The sandbox moved to another port: its own realm, not the remembered issuer.
        let mut moved = Config::new("http://127.0.0.1:9797", &dir).unwrap();
        apply_provider(&mut moved, None, None);
        assert_eq!(moved.identity.issuer, "http://127.0.0.1:9797/realms/haiduong");
        assert_eq!(moved.identity.client_id, "smarthd-app");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
