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
    url = login.stdout.readline().strip()
    assert url.startswith(sandbox + "realms/haiduong/authorize"), url

    browser.get(url)
    assert "Đăng nhập" in browser.page_source
    browser.save_screenshot(str(ARTIFACTS / "login-page.png"))
    browser.find_element(By.ID, "cccd").send_keys("030095001234")
    browser.find_element(By.ID, "password").send_keys("Matkhau@123")
    browser.find_element(By.ID, "otp").send_keys("123456")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 20).until(lambda b: "/callback" in b.current_url)
    assert "Đã nhận phản hồi đăng nhập" in browser.page_source

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
    try:
        browser.get(login.stdout.readline().strip())
        browser.find_element(By.ID, "cccd").send_keys("030095001234")
        browser.find_element(By.ID, "password").send_keys("sai-mat-khau")
        browser.find_element(By.ID, "otp").send_keys("123456")
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        page = browser.page_source
        assert "/callback" not in browser.current_url
        assert "mật khẩu" in page.lower()
        browser.save_screenshot(str(ARTIFACTS / "login-page-error.png"))
    finally:
        login.kill()
