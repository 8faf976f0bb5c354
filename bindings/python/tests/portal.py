"""What a resident does in the browser, scripted over plain HTTP (stdlib only): the sandbox's
VNeID login page, its payment gateway page, and the officer console. The core never sees these
pages: the app opens them in the system browser and gets back a redirect."""

from __future__ import annotations

import http.client
import json
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

LEVEL2_CITIZEN = ("030095001234", "Matkhau@123")
LEVEL1_CITIZEN = ("030198005678", "Matkhau@123")
OTP = "123456"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
# The sandbox's /admin routes need this token; the suites start it with SMARTHD_SANDBOX_ADMIN_TOKEN.
ADMIN_TOKEN = "python-suite-admin-token"
OFFICER = ("canbo.motcua", "Canbo@123")


def fetch(method, url, body=None, headers=None):
    """One request, redirects not followed: (status, headers with lower-case names, body)."""
    parts = urlsplit(url)
    assert parts.scheme == "http", f"the sandbox is plain HTTP on loopback: {url}"
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = dict(headers or {})
        if path.startswith("/admin/"):  # the admin routes take the token, and JSON only
            headers["X-Sandbox-Admin-Token"] = ADMIN_TOKEN
            if method != "GET":
                headers.setdefault("Content-Type", "application/json")
                body = body if body is not None else b"{}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


class _Form(HTMLParser):
    """The first form's action and every input's value, by name."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.inputs = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        elif tag == "input" and attrs.get("name"):
            self.inputs.setdefault(attrs["name"], attrs.get("value") or "")


def _form_of(page: bytes) -> _Form:
    form = _Form()
    form.feed(page.decode("utf-8"))
    return form


def log_in(authorization_url: str, who=LEVEL2_CITIZEN, otp: str = OTP) -> str:
    """Opens the authorization URL (following redirects to the login page), fills the form, and
    returns the provider's redirect: the app's redirect URI with `code`, `state` and `iss`."""
    url = authorization_url
    for _ in range(10):
        status, headers, body = fetch("GET", url)
        if 300 <= status < 400:
            url = urljoin(url, headers["location"])
            continue
        assert status == 200, f"the login page answered {status}: {body[:300]!r}"
        break
    else:
        raise AssertionError("too many redirects before the login page")
    form = _form_of(body)
    assert "handle" in form.inputs, "no login form on the page"
    action = urljoin(url, form.action or "login")
    cccd, password = who
    fields = {"handle": form.inputs["handle"], "lang": "vi", "cccd": cccd, "password": password, "otp": otp}
    status, headers, body = fetch("POST", action, urlencode(fields), FORM)
    assert status in (302, 303), f"the login form answered {status}: {body[:300]!r}"
    return headers["location"]


def pay_at_gateway(pay_url: str, bank: str = "NCB") -> str:
    """Opens the gateway page, pays, follows the gateway's redirects within the sandbox, and
    returns the URL the browser is finally sent to (the app's return URL, signed)."""
    status, _, body = fetch("GET", pay_url)
    assert status == 200, f"the gateway page answered {status}"
    request = _form_of(body).inputs.get("request")
    assert request, "no payment form on the gateway page"
    origin = urlsplit(pay_url)[:2]
    url = urljoin(pay_url, "/gateway/vpcpay.html")
    status, headers, body = fetch("POST", url, urlencode({"request": request, "action": "pay", "bank": bank}), FORM)
    for _ in range(10):
        assert 300 <= status < 400, f"the gateway answered {status} instead of a redirect: {body[:300]!r}"
        url = urljoin(url, headers["location"])
        if urlsplit(url)[:2] != origin:
            return url
        status, headers, body = fetch("GET", url)
    raise AssertionError("the gateway never sent the browser back to the app")


def officer_session(base_url: str, who=OFFICER) -> dict:
    """Logs a sandbox officer in to the console: the headers its calls carry (the session cookie
    and the session's CSRF token)."""
    username, password = who
    answer, headers, text = fetch("POST", f"{base_url}officer/login",
                                  json.dumps({"username": username, "password": password}), JSON)
    assert answer == 200, f"the officer login answered {answer}: {text[:300]!r}"
    cookie = headers["set-cookie"].split(";")[0]
    assert cookie.startswith("hd_officer="), cookie
    return {**JSON, "Cookie": cookie, "X-CSRF-Token": json.loads(text)["csrf"]}


def officer_set_status(base_url: str, code: str, status: str, message: str | None = None):
    """The sandbox's officer console, as HTTP: a sandbox officer logs in and moves a dossier on."""
    body = {"status": status} if message is None else {"status": status, "message": message}
    answer, _, text = fetch("POST", f"{base_url}officer/dossiers/{code}/status", json.dumps(body),
                            officer_session(base_url))
    assert 200 <= answer < 300, f"the officer console answered {answer}: {text[:300]!r}"
    return json.loads(text)
