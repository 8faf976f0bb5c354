"""The officer console in a real browser: a sandbox officer logs in and asks for more documents
with a message, and the resident's `smarthd sync` shows the new status and the message in the timeline."""

import json

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ARTIFACTS, log_in_level2, received_dossier, smarthd


def officer_login(browser, sandbox):
    """The console sends a browser without an officer session to its login page."""
    browser.get(sandbox + "officer")
    assert "/officer/login" in browser.current_url
    browser.find_element(By.ID, "username").send_keys("canbo.motcua")
    browser.find_element(By.ID, "password").send_keys("Canbo@123")
    browser.find_element(By.ID, "officer-login").click()
    # A click returns before the next page loads: wait for it.
    WebDriverWait(browser, 20).until(lambda b: "/officer/login" not in b.current_url)
    assert "Phạm Thị Hạnh" in browser.page_source


def test_an_officer_asks_for_more_documents(sandbox, browser, tmp_path):
    data = str(tmp_path / "data")
    smarthd(sandbox, data, "catalog", "sync")
    log_in_level2(sandbox, browser, data)
    dossier_id = received_dossier(sandbox, data, "1.001193.H19")
    code = json.loads(smarthd(sandbox, data, "--json", "dossier", "show", dossier_id))["code"]

    officer_login(browser, sandbox)
    assert "Đăng ký khai sinh" in browser.page_source
    form = browser.find_element(By.CSS_SELECTOR, f"form[action='/officer/dossiers/{code}/status']")
    Select(form.find_element(By.NAME, "status")).select_by_value("need_more_documents")
    form.find_element(By.NAME, "message").send_keys("Bổ sung bản sao giấy chứng sinh")
    browser.save_screenshot(str(ARTIFACTS / "officer-console.png"))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # Read the page in one script call: an element found before the form's redirect lands goes
    # stale between finding it and reading its text.
    WebDriverWait(browser, 20).until(
        lambda b: "Bổ sung bản sao giấy chứng sinh" in b.execute_script("return document.body ? document.body.innerText : ''")
    )
    browser.save_screenshot(str(ARTIFACTS / "officer-console-after.png"))

    report = json.loads(smarthd(sandbox, data, "--json", "sync"))
    assert report["status_changes"] == 1
    dossier = json.loads(smarthd(sandbox, data, "--json", "dossier", "show", dossier_id))
    assert dossier["status"] == "need_more_documents"
    assert dossier["timeline"][-1]["message"] == "Bổ sung bản sao giấy chứng sinh"
    public = json.loads(smarthd(sandbox, data, "--json", "dossier", "track", code))
    assert public["status"] == "need_more_documents" and "Nguyễn" not in json.dumps(public, ensure_ascii=False)


def test_the_dossier_page_shows_what_was_sent_and_asks_for_named_documents(sandbox, browser, tmp_path):
    """The officer opens one dossier from the list: its form values and timeline; asks for two
    named documents with a deadline; the page lists the round, and the resident's sync brings it."""
    data = str(tmp_path / "data")
    smarthd(sandbox, data, "catalog", "sync")
    log_in_level2(sandbox, browser, data)
    dossier_id = received_dossier(sandbox, data, "1.001193.H19")
    code = json.loads(smarthd(sandbox, data, "--json", "dossier", "show", dossier_id))["code"]

    officer_login(browser, sandbox)
    browser.find_element(By.LINK_TEXT, code).click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("/officer/dossiers/" + code))
    assert browser.find_element(By.ID, "fields").text.strip(), "the form values are shown"
    assert "Đã tiếp nhận" in browser.find_element(By.ID, "timeline").text
    form = browser.find_element(By.ID, "handle")
    Select(form.find_element(By.NAME, "status")).select_by_value("need_more_documents")
    form.find_element(By.NAME, "message").send_keys("Bổ sung giấy tờ")
    form.find_element(By.NAME, "documents").send_keys("Bản sao CCCD\nẢnh 4x6")
    browser.execute_script("arguments[0].value = '2026-12-31'", form.find_element(By.NAME, "deadline"))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # The console answers the form with a redirect to the list: the round is stored by then.
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("/officer"))
    browser.get(sandbox + "officer/dossiers/" + code)
    rounds = browser.find_element(By.ID, "rounds").text
    assert "Bản sao CCCD; Ảnh 4x6" in rounds and "2026-12-31" in rounds, rounds
    browser.save_screenshot(str(ARTIFACTS / "officer-dossier-page.png"))

    smarthd(sandbox, data, "--json", "sync")
    dossier = json.loads(smarthd(sandbox, data, "--json", "dossier", "show", dossier_id))
    assert dossier["status"] == "need_more_documents"
    assert dossier["supplement"]["documents"] == ["Bản sao CCCD", "Ảnh 4x6"]
    assert dossier["supplement"]["deadline"] == "2026-12-31"
