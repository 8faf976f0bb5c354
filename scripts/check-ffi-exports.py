#!/usr/bin/env python3
"""Everything the core offers reaches the apps: every public method of a capability handle of
smarthd-core (`impl CatalogHandle` ... in core/src) must be exported by its wrapper in
bindings/src (`#[uniffi::export] impl CatalogApi`), and every exported method of a wrapper must be
called by the Kotlin and the Swift layer's client for that capability (`CatalogClient.kt`,
`CatalogClient.swift`). The same for `SmartHd` itself.

A method left out on purpose is listed in NOT_EXPORTED or NOT_WRAPPED with the reason. Fails
(exit 1) naming what is missing. Reads source text only; needs Python 3.

    python3 scripts/check-ffi-exports.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "core" / "src"
BINDINGS = ROOT / "bindings" / "src"
KOTLIN = ROOT / "bindings" / "kotlin" / "src" / "main" / "kotlin" / "vn" / "gov" / "haiduong" / "smarthd" / "client"
SWIFT = ROOT / "bindings" / "swift" / "Sources" / "SmartHDCore"

# (core type, method): why the bindings do not export it under that name.
NOT_EXPORTED = {
    ("DossiersHandle", "new_draft_for"): "exported as new_draft(..., for_person = None)",
    ("SmartHd", "config"): "the app made the config it opened the core with",
}
# (binding type, method): why the Kotlin and Swift layers do not wrap it.
NOT_WRAPPED = {
    ("SmartHd", "open"): "the layers' SmartHdClient opens the core",
    ("SmartHd", "open_recovering"): "the layers' SmartHdClient opens the core",
    ("SmartHd", "ping"): "the call-cost benchmark calls it on client.core",
}

PUB_FN = re.compile(r"^\s{4}pub (?:async )?fn (\w+)", re.M)


def impl_blocks(text: str, type_name: str, exported_only: bool) -> list[str]:
    """The bodies of `impl TYPE {` blocks (to the `}` at column 0), optionally only those
    preceded by `#[uniffi::export]`."""
    bodies = []
    for match in re.finditer(rf"^(#\[uniffi::export[^\]]*\]\n)?impl {type_name} \{{\n", text, re.M):
        if exported_only and not match.group(1):
            continue
        end = text.find("\n}\n", match.end())
        bodies.append(text[match.end() : end if end >= 0 else len(text)])
    return bodies


def pub_fns(bodies: list[str]) -> set[str]:
    return {name for body in bodies for name in PUB_FN.findall(body)}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def main() -> int:
    problems: list[str] = []
    core_sources = {path: path.read_text(encoding="utf-8") for path in CORE.rglob("*.rs")}
    binding_sources = {path: path.read_text(encoding="utf-8") for path in BINDINGS.glob("*.rs")}

    # Each wrapper: `pub struct CatalogApi(pub(crate) CatalogHandle);`, plus SmartHd itself.
    pairs = [("SmartHd", "SmartHd", None)]
    for path, text in binding_sources.items():
        for api, handle in re.findall(r"pub struct (\w+Api)\(pub\(crate\) (\w+Handle)\);", text):
            pairs.append((handle, api, path))
    handles_in_core = {
        name for text in core_sources.values() for name in re.findall(r"^pub struct (\w+Handle)\b", text, re.M)
    }
    wrapped = {handle for handle, _, _ in pairs}
    for handle in sorted(handles_in_core - wrapped):
        problems.append(f"core handle {handle} has no wrapper in bindings/src")

    checked = 0
    for handle, api, _ in pairs:
        core_fns = set()
        for text in core_sources.values():
            core_fns |= pub_fns(impl_blocks(text, handle, exported_only=False))
        exported = set()
        for text in binding_sources.values():
            exported |= pub_fns(impl_blocks(text, api, exported_only=True))
        if not core_fns or not exported:
            problems.append(f"found no methods of {handle} in core/src or of {api} in bindings/src")
            continue
        for name in sorted(core_fns - exported):
            if (handle, name) not in NOT_EXPORTED:
                problems.append(f"{handle}::{name} (core) is not exported by {api} (bindings/src)")
        for name in sorted(exported):
            checked += 1
            if (api, name) in NOT_WRAPPED:
                continue
            capability = api.removesuffix("Api")
            client = f"{capability}Client" if api != "SmartHd" else "SmartHdClient"
            for layer, path in (("Kotlin", KOTLIN / f"{client}.kt"), ("Swift", SWIFT / f"{client}.swift")):
                if not path.exists():
                    problems.append(f"{layer} layer has no {path.relative_to(ROOT)} for {api}")
                    continue
                # The generated method under its camelCase name, called on the wrapped object
                # (`api.search(...)`), or on a channel made from it (`SearchChannel(api)`, then
                # `channel.search(...)`).
                text = path.read_text(encoding="utf-8")
                on_api = rf"(?<![\w$])(?:api|core|it|\$0)\.`?{camel(name)}`?\("
                on_channel = rf"(?<![\w$])channel\.{camel(name)}\("
                if not (
                    re.search(on_api, text)
                    or (re.search(on_channel, text) and re.search(r"\w+Channel\(api\)", text))
                ):
                    problems.append(f"{layer}: {path.relative_to(ROOT)} does not wrap {api}.{camel(name)}")

    if problems:
        print("check-ffi-exports: the core offers more than the SDKs do:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"check-ffi-exports: {len(pairs)} handles, {checked} exported methods, all exported and wrapped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
