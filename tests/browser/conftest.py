"""Shared fixtures for the browser tests: the release-independent debug `smarthd` binary, a
sandbox portal in its own process, and headless Debian Chromium driven through WebDriver."""

import json
import os
import pathlib
import socket
import subprocess
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
SMARTHD = TARGET / "debug" / "smarthd"
ARTIFACTS = TARGET / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sandbox(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [str(SMARTHD), "--data-dir", str(tmp_path / "sandbox"), "sandbox", "serve",
         "--addr", f"127.0.0.1:{port}", "--catalog-size", "200"],
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(url + "healthz", timeout=1)
            break
        except OSError:
            if time.time() > deadline:
                process.kill()
                raise
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=420,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


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
    hits = json.loads(smarthd(sandbox, data, "--json", "catalog", "search", "ly lich tu phap"))["hits"]
    code = next(h["code"] for h in hits
                if json.loads(smarthd(sandbox, data, "--json", "catalog", "show", h["code"]))["fees"])
    return received_dossier(sandbox, data, code)


def received_dossier(sandbox, data, code):
    """A dossier of `code`, filled as a resident would and received by the portal."""
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
