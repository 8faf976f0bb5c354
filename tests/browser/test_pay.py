"""`smarthd pay` completed from a real browser: headless Chromium opens the gateway URL the CLI
prints, picks a bank and approves; the gateway's redirect reaches the CLI on its loopback port,
the portal confirms, and the CLI shows the verified e-receipt."""

import json
import subprocess

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ARTIFACTS, SMARTHD

SAMPLE = {"text": "Nguyễn Văn An", "textarea": "Đề nghị cấp theo quy định.", "number": "1", "date": "1995-06-15",
          "cccd": "030095001234", "phone": "0912345678", "email": "an@example.vn", "checkbox": "true"}


def smarthd(sandbox, data, *args):
    done = subprocess.run([str(SMARTHD), "--portal", sandbox, "--data-dir", data, *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def json_documents(text):
    decoder, documents, at = json.JSONDecoder(), [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        document, at = decoder.raw_decode(text, at)
        documents.append(document)
    return documents


def log_in_level2(sandbox, browser, data):
    login = subprocess.Popen([str(SMARTHD), "--portal", sandbox, "--data-dir", data, "login", "--level", "2"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    browser.get(login.stdout.readline().strip())
    browser.find_element(By.ID, "cccd").send_keys("030095001234")
    browser.find_element(By.ID, "password").send_keys("Matkhau@123")
    browser.find_element(By.ID, "otp").send_keys("123456")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert login.wait(timeout=60) == 0


def received_fee_dossier(sandbox, data):
    hits = json.loads(smarthd(sandbox, data, "--json", "catalog", "search", "ly lich tu phap"))
    code = next(h["code"] for h in hits
                if json.loads(smarthd(sandbox, data, "--json", "catalog", "show", h["code"]))["fees"])
    started = json.loads(smarthd(sandbox, data, "--json", "dossier", "new", code))
    dossier_id = started["dossier"]["id"]
    for field in started["form"]["fields"]:
        value = field["options"][0]["value"] if field["kind"] == "select" else SAMPLE[field["kind"]]
        if field.get("max_length"):
            value = value[: field["max_length"]]
        smarthd(sandbox, data, "dossier", "set", dossier_id, field["key"], value)
    smarthd(sandbox, data, "dossier", "submit", dossier_id)
    assert json.loads(smarthd(sandbox, data, "--json", "dossier", "show", dossier_id))["status"] == "received"
    return dossier_id


def test_paying_a_fee_on_the_gateway_page(sandbox, browser, tmp_path):
    data = str(tmp_path / "data")
    smarthd(sandbox, data, "catalog", "sync")
    log_in_level2(sandbox, browser, data)
    dossier_id = received_fee_dossier(sandbox, data)

    pay = subprocess.Popen([str(SMARTHD), "--portal", sandbox, "--data-dir", data, "--json", "pay", dossier_id],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pay_url = pay.stdout.readline().strip()
    assert "/gateway/vpcpay.html?" in pay_url and "vnp_SecureHash=" in pay_url, pay_url
    browser.get(pay_url)
    assert "Thanh toán" in browser.page_source
    browser.save_screenshot(str(ARTIFACTS / "gateway-page.png"))
    browser.find_element(By.ID, "bank-NCB").click()
    browser.find_element(By.ID, "pay").click()
    WebDriverWait(browser, 30).until(lambda b: "/payment-return" in b.current_url)

    out, err = pay.communicate(timeout=90)
    assert pay.returncode == 0, err
    order, receipt = json_documents(out)
    assert order["status"] == "succeeded"
    assert receipt["order_id"] == order["order_id"] and receipt["amount_vnd"] == order["amount_vnd"]

    receipts = json.loads(smarthd(sandbox, data, "--json", "receipts"))
    assert [r["receipt_id"] for r in receipts] == [order["receipt_id"]]
    verified = json.loads(smarthd(sandbox, data, "--json", "receipt", "verify", order["receipt_id"]))
    assert verified["amount_vnd"] == order["amount_vnd"]


def test_a_tampered_pay_url_is_refused_by_the_gateway(sandbox, browser, tmp_path):
    data = str(tmp_path / "data")
    smarthd(sandbox, data, "catalog", "sync")
    log_in_level2(sandbox, browser, data)
    dossier_id = received_fee_dossier(sandbox, data)
    pay = subprocess.Popen([str(SMARTHD), "--portal", sandbox, "--data-dir", data, "pay", dossier_id],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        pay_url = pay.stdout.readline().strip()
        tampered = pay_url.replace("vnp_Amount=", "vnp_Amount=1", 1)
        browser.get(tampered)
        assert browser.find_elements(By.ID, "pay") == [], "no pay button for a tampered URL"
        browser.save_screenshot(str(ARTIFACTS / "gateway-tampered.png"))
    finally:
        pay.kill()
