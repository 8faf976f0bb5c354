//! What an app configures: where the portal is, where data lives, how long to wait.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct Config {
    /// The province portal's base URL (https, or http on loopback only).
    pub portal_url: Url,
    /// The folder that holds `catalog.db`, `user.db` and attachments.
    pub data_dir: PathBuf,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// SHA-256 hashes of SubjectPublicKeyInfo (DER) the portal's certificate chain must contain
    /// one of; empty means no pinning beyond the bundled web PKI roots.
    pub pinned_spki_sha256: Vec<[u8; 32]>,
    /// Root certificates (DER) trusted beside the bundled web PKI roots, for testers (a
    /// sandbox's self-signed certificate) and private deployments with their own CA; empty for
    /// the app. Web PKI verification (chain, validity, name) still applies to every certificate.
    pub extra_roots_der: Vec<Vec<u8>>,
    /// The OpenID provider; by default the portal's own realm (`{portal}/realms/haiduong`).
    pub identity: IdentityConfig,
    /// The portal's receipt-signing keys, pinned like the SPKI pins: when any is given, receipts
    /// verify only with these. Empty means the keys are fetched from the portal over the pinned
    /// transport on first use and kept sealed in the vault.
    pub receipt_keys: Vec<ReceiptKeyPin>,
    /// The portal's appointment-ticket keys, trusted the same way: pinned here, or (when empty)
    /// fetched over the pinned transport on first use and kept sealed.
    pub ticket_keys: Vec<ReceiptKeyPin>,
}

impl Config {
    /// A configuration with default timeouts; refuses a non-loopback `http://` portal.
    pub fn new(portal_url: &str, data_dir: impl Into<PathBuf>) -> Result<Self> {
        let portal_url = checked_url(portal_url)?;
        Ok(Config {
            identity: IdentityConfig::for_portal(&portal_url),
            portal_url,
            data_dir: data_dir.into(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            pinned_spki_sha256: Vec::new(),
            receipt_keys: Vec::new(),
            ticket_keys: Vec::new(),
            extra_roots_der: Vec::new(),
        })
    }
}

/// A portal receipt-signing key the app trusts: an Ed25519 public key and the id receipts name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptKeyPin {
    pub key_id: String,
    pub public_key: [u8; 32],
}

impl ReceiptKeyPin {
    /// Reads `KEY_ID:PUBLIC_KEY`, the key as the portal publishes it (base64url, 32 bytes).
    pub fn parse(pin: &str) -> Result<ReceiptKeyPin> {
        use base64::Engine;
        let invalid = |reason: &str| Error::Validation { field: "receipt_key".into(), reason: reason.into() };
        let (key_id, key) = pin.split_once(':').ok_or_else(|| invalid("expected KEY_ID:PUBLIC_KEY"))?;
        if key_id.is_empty() {
            return Err(invalid("the key id is empty"));
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(key.trim_end_matches('='))
            .map_err(|_| invalid("the public key is not base64url"))?;
        let public_key = bytes.try_into().map_err(|_| invalid("an Ed25519 public key has 32 bytes"))?;
        Ok(ReceiptKeyPin { key_id: key_id.to_owned(), public_key })
    }
}

/// Everything the core needs to know of an OpenID provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityConfig {
    /// Exactly the `issuer` the provider's discovery document names.
    pub issuer: String,
    pub client_id: String,
    /// Private-use scheme on phones (`vn.gov.haiduong.smarthd:/oauth2redirect`), loopback for
    /// the CLI (`http://127.0.0.1:{port}/callback`).
    pub redirect_uri: String,
    /// `acr` values of VNeID level 1 and level 2 at this provider.
    pub acr_level1: String,
    pub acr_level2: String,
}

impl IdentityConfig {
    pub const APP_REDIRECT_URI: &'static str = "vn.gov.haiduong.smarthd:/oauth2redirect";

    /// The layout of the province portal (and of the sandbox): the realm under the portal.
    pub fn for_portal(portal_url: &Url) -> IdentityConfig {
        let issuer = portal_url.join("realms/haiduong").map(|u| u.to_string()).unwrap_or_default();
        IdentityConfig {
            issuer,
            client_id: "smarthd-app".into(),
            redirect_uri: Self::APP_REDIRECT_URI.into(),
            acr_level1: "vneid:level1".into(),
            acr_level2: "vneid:level2".into(),
        }
    }
}

/// Parses `raw` and accepts it only when it is `https://`, or `http://` to a loopback host.
pub fn checked_url(raw: &str) -> Result<Url> {
    let url = Url::parse(raw).map_err(|source| Error::InvalidUrl { url: raw.to_owned(), source })?;
    check_policy(&url)?;
    Ok(url)
}

/// The transport policy, for every URL a request goes to: `https://`, or `http://` to loopback.
pub fn check_policy(url: &Url) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(Error::InsecureUrl { host: url.host_str().unwrap_or_default().to_owned() }),
        other => Err(Error::UnsupportedScheme { scheme: other.to_owned() }),
    }
}

/// Where a payment gateway may send the browser back, checked like a redirect URI (RFC 8252):
/// the app's private-use scheme (its login redirect URI's, `app_redirect_uri`), or `http://` to
/// a loopback address (`127.0.0.1`, `[::1]`; not the name `localhost`, section 8.3); no
/// fragment, no credentials. Checked before a payment request is kept, so a bad one never
/// replaces a good one.
pub fn checked_return_url(raw: &str, app_redirect_uri: &str) -> Result<()> {
    let refused = || Error::Validation {
        field: "return_url".into(),
        reason: "địa chỉ quay lại phải là của ứng dụng / the return URL must be the app's scheme or loopback http"
            .into(),
    };
    let url = Url::parse(raw).map_err(|_| refused())?;
    let app_scheme =
        Url::parse(app_redirect_uri).is_ok_and(|app| app.scheme().contains('.') && app.scheme() == url.scheme());
    let loopback_http = url.scheme() == "http"
        && match url.host() {
            Some(url::Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
            Some(url::Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
            _ => false,
        };
    if !(app_scheme || loopback_http)
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(refused());
    }
    Ok(())
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_return_url_is_the_apps_scheme_or_loopback_http() {
        let app = IdentityConfig::APP_REDIRECT_URI;
        for good in ["vn.gov.haiduong.smarthd:/payment-return", "http://127.0.0.1:8123/r", "http://[::1]:9/r?x=1"] {
            assert!(checked_return_url(good, app).is_ok(), "{good}");
        }
        for bad in [
            "",
            "https://x/",
            "http://localhost:8123/r",
            "http://10.0.0.1/r",
            "vn.gov.haiduong.smarthd:/payment-return#f",
            "http://u:p@127.0.0.1/r",
            "javascript:alert(1)",
            "com.example.other:/payment-return",
        ] {
            assert!(matches!(checked_return_url(bad, app), Err(Error::Validation { .. })), "{bad}");
        }
    }

    #[test]
    fn only_loopback_may_use_plain_http() {
        for ok in [
            "https://dichvucong.haiphong.gov.vn",
            "http://127.0.0.1:8787",
            "http://127.8.0.1/",
            "http://localhost:1234/x",
            "http://[::1]:80",
        ] {
            assert!(checked_url(ok).is_ok(), "{ok} should be accepted");
        }
        for insecure in ["http://10.0.2.2:8787", "http://dichvucong.gov.vn", "http://localhost.evil.com"] {
            assert!(
                matches!(checked_url(insecure), Err(Error::InsecureUrl { .. })),
                "{insecure} should be refused as insecure"
            );
        }
        assert!(matches!(checked_url("ftp://x"), Err(Error::UnsupportedScheme { .. })));
        assert!(matches!(checked_url("not a url"), Err(Error::InvalidUrl { .. })));
    }

    #[test]
    fn a_receipt_key_pin_is_an_id_and_32_bytes() {
        let pin = ReceiptKeyPin::parse("r1:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA").unwrap();
        assert_eq!((pin.key_id.as_str(), pin.public_key[0], pin.public_key[31]), ("r1", 1, 32));
        for bad in ["r1", ":AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA", "r1:AQID", "r1:not base64!"] {
            assert!(matches!(ReceiptKeyPin::parse(bad), Err(Error::Validation { .. })), "{bad}");
        }
    }
}
