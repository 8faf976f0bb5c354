"""The sandbox's pages as testers use them, in headless Chromium at 360 px: the index, the login
page and its one-click personas, the gateway, the bank simulator (list, QR upload, confirmation),
the officer console and the public lookup. Every page passes axe-core in light and dark mode and
does not overflow a phone's width."""

import json
import os
import pathlib
import subprocess
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from a11y import check_page, phone
from conftest import ARTIFACTS, SMARTHD, log_in_level2, received_fee_dossier, smarthd
from test_officer import officer_login

LEVEL2 = "030095001234"
BUSINESS = "030088003456"


def wait_for(browser, condition, what):
    return WebDriverWait(browser, 30).until(condition, message=f"waiting for {what}")


def start_pay(sandbox, data, dossier_id, method):
    pay = subprocess.Popen([str(SMARTHD), "--portal", sandbox, "--data-dir", data, "--json", "pay", dossier_id,
                            "--method", method], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # With --json, the URL to open or the VietQR to scan is a notice on stderr.
    notice = json.loads(pay.stderr.readline())["notice"]
    return pay, notice.get("open_url") or notice["vietqr"]


def finished_order(pay):
    out, err = pay.communicate(timeout=90)
    assert pay.returncode == 0, err
    return json.loads(out)["order"]


def test_every_page_passes_axe_in_both_schemes_and_fits_360_px(sandbox, browser, tmp_path):
    data = str(tmp_path / "data")
    smarthd(sandbox, data, "catalog", "sync")
    phone(browser)
    problems = []

    log_in_level2(sandbox, browser, data)
    problems += check_page(browser, "CLI loopback page after login")
    gateway_dossier = received_fee_dossier(sandbox, data)
    qr_dossier = received_fee_dossier(sandbox, data)
    code = json.loads(smarthd(sandbox, data, "--json", "dossier", "show", gateway_dossier))["code"]

    # Every link of the index leads to a page (officer pages: through the officer login).
    browser.get(sandbox)
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "main a[href]")]
    assert len(links) >= 6, links
    for link in links:
        with urllib.request.urlopen(urllib.request.Request(link, headers={"Accept": "text/html"}), timeout=30) as page:
            assert page.status == 200, link
    for persona in (LEVEL2, "030198005678", BUSINESS):
        browser.get(sandbox)
        assert persona in browser.find_element(By.ID, "personas").text

    for path, label in [("", "index"), ("lookup", "lookup form"), (f"lookup?code={code}", "lookup result"),
                        ("lookup?code=KHONG-CO", "lookup not found"), ("bank", "bank (vi, empty)"),
                        ("bank?lang=en", "bank (en, empty)")]:
        browser.get(sandbox + path)
        problems += check_page(browser, label)

    # The login page, through a real authorization request, in both languages and with an error.
    browser.get(sandbox + "try-login")
    wait_for(browser, lambda b: b.find_elements(By.ID, "cccd"), "the login page")
    problems += check_page(browser, "login (vi)")
    browser.find_element(By.CSS_SELECTOR, "nav.lang a[lang=en]").click()
    wait_for(browser, lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "English")
    problems += check_page(browser, "login (en)")
    browser.find_element(By.ID, "cccd").send_keys("123")
    browser.find_element(By.CSS_SELECTOR, "form:not(.persona) button[type=submit]").click()
    wait_for(browser, lambda b: b.find_elements(By.ID, "form-error"), "the error")
    problems += check_page(browser, "login with an error (en)")

    # The gateway page in both languages, and its refusal of a tampered URL.
    pay, pay_url = start_pay(sandbox, data, gateway_dossier, "gateway")
    try:
        browser.get(pay_url)
        problems += check_page(browser, "gateway (vi)")
        browser.save_screenshot(str(ARTIFACTS / "gateway-360.png"))
        browser.get(pay_url + "&lang=en")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        problems += check_page(browser, "gateway (en)")
        browser.get(pay_url.replace("vnp_Amount=", "vnp_Amount=1", 1))
        problems += check_page(browser, "gateway refusal")
    finally:
        pay.kill()

    # The bank with a waiting order, its confirmation and a refusal.
    pay, _ = start_pay(sandbox, data, qr_dossier, "vietqr")
    try:
        for path, label in [("bank", "bank (vi)"), ("bank?lang=en", "bank (en)")]:
            browser.get(sandbox + path)
            problems += check_page(browser, label)
        browser.find_element(By.CSS_SELECTOR, "#bills button[type=submit]").click()
        wait_for(browser, lambda b: b.find_elements(By.ID, "confirm"), "the confirmation")
        problems += check_page(browser, "bank confirmation (en)")
        browser.save_screenshot(str(ARTIFACTS / "bank-confirm-360.png"))
        browser.get(sandbox + "bank")
        browser.find_element(By.ID, "payload").send_keys("000201010212")
        browser.find_element(By.ID, "review").click()
        wait_for(browser, lambda b: b.find_elements(By.ID, "outcome"), "the refusal")
        assert "VietQR" in browser.find_element(By.ID, "outcome").text
        problems += check_page(browser, "bank refusal (vi)")
    finally:
        pay.kill()

    # The officer console: login, list, one dossier, ratings.
    browser.get(sandbox + "officer/login")
    problems += check_page(browser, "officer login")
    officer_login(browser, sandbox)
    problems += check_page(browser, "officer console")
    browser.save_screenshot(str(ARTIFACTS / "officer-console-360.png"))
    browser.get(sandbox + f"officer/dossiers/{code}")
    problems += check_page(browser, "officer dossier")
    browser.get(sandbox + "officer/ratings")
    problems += check_page(browser, "officer ratings")
    # The console's table as a table on a desktop screen.
    phone(browser, 1280)
    browser.get(sandbox + "officer")
    problems += check_page(browser, "officer console at 1280 px")

    assert problems == [], "\n".join(problems)


def test_a_persona_logs_in_with_one_click_through_the_normal_flow(sandbox, browser, tmp_path):
    data = str(tmp_path / "data")
    login = subprocess.Popen([str(SMARTHD), "--portal", sandbox, "--data-dir", data, "--json", "login", "--level", "2"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # With --json, the URL to open is a notice on stderr; stdout holds the profile only.
    browser.get(json.loads(login.stderr.readline())["notice"]["open_url"])
    browser.find_element(By.ID, f"persona-{LEVEL2}").click()
    wait_for(browser, lambda b: "/callback" in b.current_url, "the app's redirect")
    assert "Đang hoàn tất đăng nhập" in browser.page_source
    out, err = login.communicate(timeout=60)
    assert login.returncode == 0, err
    assert json.loads(out)["level"] == 2

    # The index names the business account; the try-out logs it in and comes back with a code.
    browser.get(sandbox)
    assert BUSINESS in browser.find_element(By.ID, "personas").text
    browser.find_element(By.ID, "link-login").click()
    wait_for(browser, lambda b: b.find_elements(By.ID, f"persona-{BUSINESS}"), "the login page")
    browser.find_element(By.ID, f"persona-{BUSINESS}").click()
    wait_for(browser, lambda b: "/try-login/done" in b.current_url, "the try-out's redirect")
    assert "code=" in browser.current_url and "state=try-login" in browser.current_url
    assert browser.find_element(By.ID, "outcome").get_attribute("class") == "done"


def listening_port(pid):
    """The TCP port process `pid` listens on (Linux: its socket inodes in /proc/net/tcp)."""
    inodes = set()
    for fd in pathlib.Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    for line in pathlib.Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and fields[9] in inodes:
            return int(fields[1].split(":")[1], 16)
    return None


def test_a_login_redirect_with_an_error_shows_a_failure_page(sandbox, browser, tmp_path):
    """The CLI's loopback page for a redirect that carries `error` (RFC 6749 4.1.2.1) says the
    login did not complete, and the CLI fails."""
    data = str(tmp_path / "data")
    login = subprocess.Popen([str(SMARTHD), "--portal", sandbox, "--data-dir", data, "login"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert login.stdout.readline().startswith(sandbox)
        port = wait_for(browser, lambda _: listening_port(login.pid), "the CLI's loopback port")
        browser.get(f"http://127.0.0.1:{port}/callback?error=access_denied&state=x")
        assert "Không thành công" in browser.page_source and "Đang hoàn tất" not in browser.page_source
        phone(browser)
        problems = check_page(browser, "CLI loopback failure page")
        assert problems == [], "\n".join(problems)
        assert login.wait(timeout=60) != 0
    finally:
        login.kill()


def test_the_bank_lists_a_waiting_vietqr_order_and_pays_it_after_confirmation(sandbox, browser, tmp_path):
    data = str(tmp_path / "data")
    smarthd(sandbox, data, "catalog", "sync")
    log_in_level2(sandbox, browser, data)
    dossier_id = received_fee_dossier(sandbox, data)
    pay, payload = start_pay(sandbox, data, dossier_id, "vietqr")
    try:
        browser.get(sandbox + "bank")
        button = wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#bills button[type=submit]"),
                          "the waiting order")[0]
        bill = button.get_attribute("id").removeprefix("bill-")
        button.click()
        wait_for(browser, lambda b: b.find_elements(By.ID, "confirm"), "the confirmation")
        amount = browser.find_element(By.ID, "confirm-amount").text
        assert amount.endswith(" đ") and "." in amount, amount
        assert browser.find_element(By.ID, "confirm-reference").text == bill
        assert "VietinBank" in browser.find_element(By.ID, "confirm-bank").text
        # Nothing is paid before the confirmation.
        assert pay.poll() is None
        status = json.loads(smarthd(sandbox, data, "--json", "payments"))[0]["status"]
        assert status == "awaiting_payment", status
        browser.find_element(By.ID, "confirm").click()
        wait_for(browser, lambda b: b.find_elements(By.ID, "bank-tran-no"), "the bank's answer")
        assert browser.find_element(By.ID, "bank-tran-no").text.startswith("FT")
        order = finished_order(pay)
    finally:
        pay.kill()
    assert order["status"] == "succeeded" and order["receipt_id"]
    assert payload and bill in payload
    # The order is no longer offered, and paying it again is refused in both languages.
    browser.get(sandbox + "bank")
    assert browser.find_elements(By.ID, f"bill-{bill}") == []


def test_a_qr_picture_uploaded_to_the_bank_pays_its_order(sandbox, browser, tmp_path):
    data = str(tmp_path / "data")
    smarthd(sandbox, data, "catalog", "sync")
    log_in_level2(sandbox, browser, data)
    dossier_id = received_fee_dossier(sandbox, data)
    pay, _ = start_pay(sandbox, data, dossier_id, "vietqr")
    try:
        browser.get(sandbox + "bank?lang=en")
        picture = wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#bills img"), "the QR")[0]
        wait_for(browser, lambda b: b.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0",
                                                     picture), "the QR picture")
        # As a phone's screenshot would show it: large, the modules sharp.
        browser.execute_script("arguments[0].style.width = arguments[0].style.height = '360px';"
                               "arguments[0].style.imageRendering = 'pixelated'; arguments[0].scrollIntoView({block: 'center'})",
                               picture)
        png = tmp_path / "qr.png"
        png.write_bytes(picture.screenshot_as_png)
        (ARTIFACTS / "bank-qr-upload.png").write_bytes(png.read_bytes())
        browser.find_element(By.ID, "qr-image").send_keys(str(png))
        browser.find_element(By.ID, "upload").click()
        wait_for(browser, lambda b: b.find_elements(By.ID, "confirm") or b.find_elements(By.ID, "outcome"),
                 "the confirmation")
        assert not browser.find_elements(By.ID, "outcome"), browser.find_element(By.ID, "outcome").text
        assert "Confirm" in browser.find_element(By.ID, "confirm").text
        browser.find_element(By.ID, "confirm").click()
        wait_for(browser, lambda b: b.find_elements(By.ID, "bank-tran-no"), "the bank's answer")
        order = finished_order(pay)
    finally:
        pay.kill()
    assert order["status"] == "succeeded"
    # A picture without a QR code is refused in both languages, without paying anything.
    blank = tmp_path / "blank.png"
    browser.get(sandbox + "bank")
    blank.write_bytes(browser.find_element(By.TAG_NAME, "h1").screenshot_as_png)
    browser.find_element(By.ID, "qr-image").send_keys(str(blank))
    browser.find_element(By.ID, "upload").click()
    outcome = wait_for(browser, lambda b: b.find_elements(By.ID, "outcome"), "the refusal")[0]
    assert "mã QR" in outcome.text and "QR code" in outcome.text
