"""What the page tests check on every sandbox page: axe-core (pinned in scripts/test.sh) with
no violation, in the light and the dark colour scheme, and no horizontal overflow at 360 px."""

import json
import os
import pathlib

from conftest import TARGET

AXE_JS = pathlib.Path(os.environ.get("AXE_JS", TARGET / "axe" / "axe.min.js"))
SCHEMES = ("light", "dark")


def phone(browser, width=360):
    """A phone's viewport: `width` CSS pixels, as Chrome's device emulation sets it."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": 780, "deviceScaleFactor": 1, "mobile": True})


def scheme(browser, name):
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-color-scheme", "value": name}]})


def axe_violations(browser):
    assert AXE_JS.is_file(), f"axe-core is missing at {AXE_JS}: scripts/test.sh installs it"
    if not browser.execute_script("return typeof window.axe === 'object'"):
        browser.execute_script(AXE_JS.read_text(encoding="utf-8"))
    browser.set_script_timeout(60)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));")
    return result


def check_page(browser, label, schemes=SCHEMES):
    """The page now shown: no axe violation in each scheme, no horizontal overflow."""
    problems = []
    for name in schemes:
        scheme(browser, name)
        assert browser.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches") == (name == "dark")
        for violation in axe_violations(browser):
            problems.append(f"{label} [{name}]: {json.dumps(violation, ensure_ascii=False)}")
        # A phone zooms out to fit a page wider than itself (innerWidth grows): compare with
        # the emulated screen's width too.
        widths = browser.execute_script(
            "return [document.scrollingElement.scrollWidth, Math.min(window.innerWidth, screen.width)]")
        if widths[0] > widths[1]:
            problems.append(f"{label} [{name}]: {widths[0]} px wide in a {widths[1]} px viewport")
    scheme(browser, "light")
    return problems
