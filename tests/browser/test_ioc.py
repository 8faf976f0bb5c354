"""The operations centre's (IOC) console in a real browser: a resident's field report, sent
through the portal's JSON API as the phone sends it, is accepted, assigned and answered with a
proof photo by a sandbox officer in headless Chromium; the resident's JSON feed then says it is
handled, with that proof. The list and the report's page pass axe-core at 360 px in light and
dark mode."""

import base64
import hashlib
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from a11y import check_page, phone
from conftest import ARTIFACTS
from test_officer import officer_login

RESIDENT = ("030198005678", "Matkhau@123")  # Trần Thị Bình, level 1
REDIRECT_URI = "vn.gov.haiduong.smarthd:/oauth2redirect"
IN_FIRST_COMMUNE = {"lat": 20.82, "lon": 106.22}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


HTTP = urllib.request.build_opener(NoRedirect)


def call(method, url, body=None, token=None, content_type="application/json"):
    """The status and the body of one request; a redirect is answered, not followed."""
    headers = {"Content-Type": content_type} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with HTTP.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers, answer.read()


def resident_token(sandbox):
    """The test resident's access token, through the provider's login page (code with PKCE)."""
    verifier = secrets.token_urlsafe(32)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({
        "client_id": "smarthd-app", "redirect_uri": REDIRECT_URI, "response_type": "code",
        "scope": "openid profile", "state": "s", "code_challenge": challenge, "code_challenge_method": "S256"})
    status, _, page = call("GET", f"{sandbox}realms/haiduong/authorize?{query}")
    assert status == 200, page
    page = page.decode()
    marker = 'name="handle" value="'
    start = page.index(marker) + len(marker)
    handle = page[start:page.index('"', start)]
    form = urllib.parse.urlencode({"handle": handle, "cccd": RESIDENT[0], "password": RESIDENT[1], "otp": "123456"})
    status, headers, _ = call("POST", f"{sandbox}realms/haiduong/login", form.encode(),
                              content_type="application/x-www-form-urlencoded")
    assert status == 302, status
    code = urllib.parse.parse_qs(urllib.parse.urlparse(headers["Location"]).query)["code"][0]
    exchange = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                                       "client_id": "smarthd-app", "code_verifier": verifier})
    status, _, tokens = call("POST", f"{sandbox}realms/haiduong/token", exchange.encode(),
                             content_type="application/x-www-form-urlencoded")
    assert status == 200, tokens
    return json.loads(tokens)["access_token"]


def pixels_only(jpeg):
    """The JPEG without its APP1..APP15 and comment segments (Chromium's canvas adds an ICC
    profile), as the app's normaliser sends photos: the portal refuses any metadata."""
    out, at = bytearray(jpeg[:2]), 2
    while jpeg[at + 1] != 0xDA:  # up to the start of scan: the pixels follow
        length = int.from_bytes(jpeg[at + 2:at + 4], "big")
        if not (0xE1 <= jpeg[at + 1] <= 0xEF or jpeg[at + 1] == 0xFE):
            out += jpeg[at:at + 2 + length]
        at += 2 + length
    return bytes(out + jpeg[at:])


def camera_jpeg(browser, hue):
    """A real JPEG drawn by the browser's canvas, cleaned to its pixels."""
    data_url = browser.execute_script(
        "const c = document.createElement('canvas'); c.width = 320; c.height = 240;"
        "const g = c.getContext('2d'); const h = arguments[0];"
        "for (let x = 0; x < 320; x += 16) { g.fillStyle = `hsl(${h + x / 4}, 70%, ${30 + x / 8}%)`;"
        " g.fillRect(x, 0, 16, 240); }"
        "return c.toDataURL('image/jpeg', 0.9);", hue)
    return pixels_only(base64.b64decode(data_url.split(",", 1)[1]))


def submit_report(sandbox, token, photo):
    """The report as the phone sends it: the photo uploaded by its hash, then the report."""
    sha256 = hashlib.sha256(photo).hexdigest()
    announce = {"sha256": sha256, "size": len(photo), "content_type": "image/jpeg", "name": "anh.jpg"}
    status, _, body = call("POST", f"{sandbox}api/v1/attachments", json.dumps(announce).encode(), token)
    assert status == 200, body
    status, _, body = call("PUT", f"{sandbox}api/v1/attachments/{sha256}/content?offset=0", photo, token,
                           content_type="application/octet-stream")
    assert status == 200, body
    report = {"report_id": "r-browser-" + secrets.token_hex(4), "category": "chieu_sang",
              "text": "Đèn đường trước chợ hỏng cả tuần nay, buổi tối rất tối.", "location": IN_FIRST_COMMUNE,
              "address_note": "Trước cổng chợ", "urgency": "urgent", "share_identity": False, "photos": [sha256]}
    status, _, body = call("POST", f"{sandbox}api/v1/reports", json.dumps(report).encode(), token)
    assert status == 201, body
    return json.loads(body)["code"]


def wait_for_status(browser, label):
    """Until the report's page (loaded again after the form's redirect) shows `label`."""
    WebDriverWait(browser, 20).until(
        lambda b: b.execute_script("const s = document.getElementById('status'); return s && s.textContent") == label,
        message=f"waiting for the status {label}")


def test_the_ioc_accepts_assigns_and_answers_a_report_with_proof(sandbox, browser, tmp_path):
    browser.get(sandbox)
    photo, proof = camera_jpeg(browser, 20), camera_jpeg(browser, 200)
    token = resident_token(sandbox)
    code = submit_report(sandbox, token, photo)

    phone(browser)
    officer_login(browser, sandbox)
    browser.find_element(By.ID, "link-reports").click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("/officer/reports"))
    row = browser.find_element(By.ID, f"report-{code}")
    assert "Chờ tiếp nhận" in row.text and "Khẩn cấp" in row.text and "Tiếp nhận trước" in row.text, row.text
    problems = check_page(browser, "IOC list")
    browser.save_screenshot(str(ARTIFACTS / "ioc-list-360.png"))
    Select(browser.find_element(By.ID, "status-filter")).select_by_value("handled")
    browser.find_element(By.CSS_SELECTOR, "#filter button[type=submit]").click()
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.ID, "no-reports"))

    browser.get(f"{sandbox}officer/reports/{code}")
    assert "Trần Thị Bình" in browser.find_element(By.ID, "reporter").text
    shown = browser.find_element(By.CSS_SELECTOR, ".photos img")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", shown) == 320
    problems += check_page(browser, "IOC report (waiting)")
    browser.save_screenshot(str(ARTIFACTS / "ioc-report-360.png"))
    browser.find_element(By.CSS_SELECTOR, "#accept button[type=submit]").click()
    wait_for_status(browser, "Đã tiếp nhận")

    agency = Select(browser.find_element(By.ID, "agency"))
    assert agency.first_selected_option.text == "Công ty Chiếu sáng đô thị", "the category's agency first"
    browser.find_element(By.CSS_SELECTOR, "#assign button[type=submit]").click()
    wait_for_status(browser, "Đang xử lý")
    problems += check_page(browser, "IOC report (assigned)")

    proof_file = tmp_path / "minh-chung.jpg"
    proof_file.write_bytes(proof)
    form = browser.find_element(By.ID, "answer")
    form.find_element(By.NAME, "message").send_keys("Đã thay bóng đèn mới, đèn sáng bình thường.")
    form.find_element(By.NAME, "photo").send_keys(str(proof_file))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_status(browser, "Đã xử lý")
    timeline = browser.find_element(By.ID, "timeline").text
    assert "Công ty Chiếu sáng đô thị" in timeline and "Phạm Thị Hạnh" in timeline, timeline
    problems += check_page(browser, "IOC report (handled)")
    browser.save_screenshot(str(ARTIFACTS / "ioc-report-handled-360.png"))
    assert not problems, "\n".join(problems)

    # The resident's feed (JSON) says handled, with the proof the officer uploaded.
    status, _, feed = call("GET", f"{sandbox}api/v1/reports?since=0", token=token)
    assert status == 200
    mine = next(r for r in json.loads(feed)["items"] if r["code"] == code)
    assert mine["status"] == "handled", mine
    assert mine["answer"]["message"] == "Đã thay bóng đèn mới, đèn sáng bình thường."
    assert [p["sha256"] for p in mine["answer"]["photos"]] == [hashlib.sha256(proof).hexdigest()]
    status, _, public_proof = call("GET", sandbox + mine["answer"]["photos"][0]["url"])
    assert status == 200 and public_proof == proof
