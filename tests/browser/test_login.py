"""`smarthd login` completed from a real browser: headless Chromium opens the authorization URL
the CLI prints, a person's steps are taken on the sandbox's login page, and the CLI receives the
redirect on its loopback port."""

import json
import subprocess

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ARTIFACTS, SMARTHD


def test_cli_login_through_the_browser(sandbox, browser, tmp_path):
    data = str(tmp_path / "data")
    login = subprocess.Popen(
        [str(SMARTHD), "--portal", sandbox, "--data-dir", data, "--json", "login", "--level", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    # With --json, the URL to open is a notice on stderr; stdout holds the profile only.
    url = json.loads(login.stderr.readline())["notice"]["open_url"]
    assert url.startswith(sandbox + "realms/haiduong/authorize"), url

    browser.get(url)
    assert "Đăng nhập" in browser.page_source
    browser.save_screenshot(str(ARTIFACTS / "login-page.png"))
    browser.find_element(By.ID, "cccd").send_keys("030095001234")
    browser.find_element(By.ID, "password").send_keys("Matkhau@123")
    browser.find_element(By.ID, "otp").send_keys("123456")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 20).until(lambda b: "/callback" in b.current_url)
    assert "Đang hoàn tất đăng nhập" in browser.page_source and "nhận" not in browser.title

    out, err = login.communicate(timeout=60)
    assert login.returncode == 0, err
    profile = json.loads(out)
    assert profile == {**profile, "name": "Nguyễn Văn An", "cccd": "030******234", "level": 2}

    whoami = subprocess.run([str(SMARTHD), "--portal", sandbox, "--data-dir", data, "--json", "whoami"],
                            capture_output=True, text=True, check=True)
    assert json.loads(whoami.stdout)["level"] == 2


def test_a_wrong_password_shows_an_error_in_both_languages(sandbox, browser, tmp_path):
    data = str(tmp_path / "data")
    login = subprocess.Popen(
        [str(SMARTHD), "--portal", sandbox, "--data-dir", data, "login"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )

    def wrong_password():
        cccd = browser.find_element(By.ID, "cccd")
        cccd.clear()
        cccd.send_keys("030095001234")
        browser.find_element(By.ID, "password").send_keys("sai-mat-khau")
        browser.find_element(By.ID, "otp").send_keys("123456")
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        # The error itself (not the field's label, which names "mật khẩu" on every page), and
        # the field it is about marked invalid and tied to it for screen readers.
        error = WebDriverWait(browser, 20).until(lambda b: b.find_element(By.ID, "form-error"))
        assert error.get_attribute("role") == "alert"
        cccd = browser.find_element(By.ID, "cccd")
        assert cccd.get_attribute("aria-invalid") == "true"
        assert cccd.get_attribute("aria-describedby") == "form-error"
        assert "/callback" not in browser.current_url
        return error.text

    try:
        browser.get(login.stdout.readline().strip())
        assert not browser.find_elements(By.ID, "form-error"), "no error before a wrong attempt"
        assert wrong_password() == "Số định danh cá nhân hoặc mật khẩu không đúng."
        browser.save_screenshot(str(ARTIFACTS / "login-page-error.png"))
        browser.find_element(By.CSS_SELECTOR, "nav.lang a[lang=en]").click()
        assert wrong_password() == "The personal ID number or the password is incorrect."
    finally:
        login.kill()
