#!/usr/bin/env bash
# The portal contract, fuzzed: schemathesis against the sandbox's own /openapi.json (no 5xx, every
# answer as the document describes it). Installs schemathesis when missing; needs the debug
# `smarthd` binary (built here). CONTRACT_EXAMPLES: cases per operation (25 by default).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import schemathesis' 2>/dev/null ||
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore 'schemathesis>=4,<5'
cargo build --locked -q -p smarthd-cli
# A hard bound on the time it adds to scripts/test.sh, whatever the machine.
timeout 600 python3 scripts/contract.py
