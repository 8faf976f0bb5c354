"""`smarthd pay` completed from a real browser: headless Chromium opens the gateway URL the CLI
prints, picks a bank and approves; the gateway's redirect reaches the CLI on its loopback port,
the portal confirms, and the CLI shows the verified e-receipt."""

import json
import subprocess

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ARTIFACTS, SMARTHD, log_in_level2, received_fee_dossier, smarthd


def test_paying_a_fee_on_the_gateway_page(sandbox, browser, tmp_path):
    data = str(tmp_path / "data")
    smarthd(sandbox, data, "catalog", "sync")
    log_in_level2(sandbox, browser, data)
    dossier_id = received_fee_dossier(sandbox, data)

    pay = subprocess.Popen([str(SMARTHD), "--portal", sandbox, "--data-dir", data, "--json", "pay", dossier_id],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # With --json, the URL to open is a notice on stderr; stdout holds the answer only.
    pay_url = json.loads(pay.stderr.readline())["notice"]["open_url"]
    assert "/gateway/vpcpay.html?" in pay_url and "vnp_SecureHash=" in pay_url, pay_url
    browser.get(pay_url)
    assert "Thanh toán" in browser.page_source
    browser.save_screenshot(str(ARTIFACTS / "gateway-page.png"))
    browser.find_element(By.ID, "bank-NCB").click()
    browser.find_element(By.ID, "pay").click()
    WebDriverWait(browser, 30).until(lambda b: "/payment-return" in b.current_url)

    out, err = pay.communicate(timeout=90)
    assert pay.returncode == 0, err
    answer = json.loads(out)
    order, receipt = answer["order"], answer["receipt"]
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
