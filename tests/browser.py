"""The one way tests start a real browser: the distribution's headless Chromium, never skipped."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Playwright

__all__ = ["CHROMIUM", "launch"]

CHROMIUM = Path("/usr/bin/chromium")
#: No sandbox (CI runs as root), no GPU, and none of Chromium's own network traffic: the
#: machine's network is closed, and a test page must load nothing from elsewhere anyway.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(pw: Playwright) -> Browser:
    """Headless Chromium; fails (never skips) when the browser is not installed."""
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: install the distribution's chromium (apt-get install -y chromium)"
    )
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
