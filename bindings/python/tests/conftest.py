"""Fixtures: the generated `smarthd` module, a real sandbox portal on loopback (the CLI's
`sandbox serve` in a subprocess), and the app-side doubles of the platform services."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ROOT = Path(__file__).resolve().parents[3]
BINDINGS = Path(os.environ.get("SMARTHD_PYTHON_BINDINGS", ROOT / "target" / "bindings" / "python"))
SMARTHD_BIN = Path(os.environ.get("SMARTHD_BIN", ROOT / "target" / "debug" / "smarthd"))

if not (BINDINGS / "smarthd.py").exists():
    raise pytest.UsageError(f"{BINDINGS}/smarthd.py is missing: run scripts/gen-bindings.sh first")
sys.path.insert(0, str(BINDINGS))

import smarthd  # noqa: E402  (the generated module)
from portal import ADMIN_TOKEN  # noqa: E402


class Sandbox:
    """`smarthd sandbox serve` on 127.0.0.1 (a free port), stopped by SIGINT."""

    def __init__(self, workdir: Path, size: int = 300):
        if not SMARTHD_BIN.exists():
            raise RuntimeError(f"{SMARTHD_BIN} is missing: cargo build -p smarthd-cli")
        workdir.mkdir(parents=True, exist_ok=True)
        self.log: list[str] = []
        self.proc = subprocess.Popen(
            [str(SMARTHD_BIN), "--data-dir", str(workdir), "sandbox", "serve",
             "--addr", "127.0.0.1:0", "--catalog-size", str(size), "--db", str(workdir / "sandbox.db")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", env={**os.environ, "SMARTHD_SANDBOX_ADMIN_TOKEN": ADMIN_TOKEN},
        )
        found = threading.Event()
        self.url = None

        def drain():  # read stderr until exit, so the pipe never fills up
            for line in self.proc.stderr:
                self.log.append(line)
                match = re.search(r"http://127\.0\.0\.1:\d+/", line)
                if match and self.url is None:
                    self.url = match.group(0)
                    found.set()
            found.set()

        threading.Thread(target=drain, daemon=True).start()
        if not found.wait(60) or self.url is None:
            self.stop()
            raise RuntimeError("the sandbox did not start:\n" + "".join(self.log))
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Recorder(smarthd.EventListener):
    def __init__(self, on_event=None):
        self.events = []
        self.threads = set()
        self._on_event = on_event

    def on_event(self, event):
        self.events.append(event)
        self.threads.add(threading.current_thread().name)
        if self._on_event:
            self._on_event(event)


class Lines(smarthd.Logger):
    def __init__(self):
        self.records = []

    def log(self, record):
        self.records.append(record)


class MemoryStorage(smarthd.SecureStorage):
    """What Keystore / Keychain are on a phone."""

    def __init__(self):
        self.values = {}

    def get(self, key):
        return self.values.get(key)

    def put(self, key, value):
        self.values[key] = bytes(value)

    def delete(self, key):
        self.values.pop(key, None)


class EcdsaSigner(smarthd.Signer):
    """What a Keystore / Secure Enclave key is to the core: an ES256 key whose private half stays
    here. Signs for real (ECDSA P-256 with the `cryptography` package); counts its signatures."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.signatures = 0

    def public_key(self):
        return self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)

    def sign(self, message):
        self.signatures += 1
        r, s = decode_dss_signature(self.key.sign(bytes(message), ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


# One Keystore per data dir, as on a phone: reopening the app finds its data key again (the core
# refuses to mint a new key over data sealed with a lost one).
_KEYSTORES: dict[str, MemoryStorage] = {}


def open_core(url, data_dir, events=None, logger=None, storage=None, **config):
    cfg = smarthd.CoreConfig(portal_url=url, data_dir=str(data_dir), **config)
    storage = storage or _KEYSTORES.setdefault(str(Path(data_dir).resolve()), MemoryStorage())
    return smarthd.SmartHd.open(cfg, storage, events=events, logger=logger, signer=EcdsaSigner())


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    box = Sandbox(tmp_path_factory.mktemp("sandbox"))
    yield box
    box.stop()


@pytest.fixture(scope="session")
def synced(sandbox, tmp_path_factory):
    """A core synced once from the shared sandbox, for read-only tests."""
    import asyncio

    core = open_core(sandbox.url, tmp_path_factory.mktemp("data"))
    asyncio.run(core.sync().catalog())
    return core
