"""Screenshots for the docs, taken in the tests' Chromium: the installer page at 360 px, the risk report.

``make screenshots`` (``python -m tests.screenshots docs/img``) writes them from ``make run``'s data;
``tests/test_screenshots.py`` takes them into a scratch folder, so the code that makes them is
tested with the rest.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

from playwright.sync_api import ViewportSize, sync_playwright

from tests.browser import launch
from tests.conftest import SAMPLE_DIR
from tests.make_run import make_run_data
from tests.service_support import Server

__all__ = ["INSTALLER_HUB", "PHONE", "REPORT", "take"]

#: A hub of the demo installer's supplier whose card shows reasons and an upgrade plan.
INSTALLER_HUB: Final = "10-F0-B2-30-34-E7-13-EE"  # red: off the SMI, though one hop would upgrade it
ON: Final = "2026-11-28"
PHONE: Final[ViewportSize] = {"width": 360, "height": 740}
#: The report's first screen: the summary, the policy comparison and the first chart.
REPORT: Final[ViewportSize] = {"width": 1000, "height": 1400}


def _hubcheck(*args: str) -> str:
    bin_ = Path(sys.prefix) / "bin" / "hubcheck"
    return subprocess.run([str(bin_), *args], check=True, capture_output=True, text=True, timeout=300).stdout


def take(out: Path) -> list[Path]:
    """Write ``installer-360.png`` and ``risk-report.png`` into ``out``; returns them."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        store = make_run_data(tmp)
        url = f"sqlite:///{store}"
        installer = _hubcheck("--db", url, "--json", "keys", "demo")
        key = next(line.split('"')[3] for line in installer.splitlines() if '"key"' in line)
        report = tmp / "risk.html"
        _hubcheck(
            "--db", url, "risk", str(SAMPLE_DIR / "sample-fleet.csv"), "--from", ON, "--report", str(report)
        )
        server = Server(url)
        try:
            with sync_playwright() as pw:
                browser = launch(pw)
                try:
                    page = browser.new_page(viewport=PHONE, device_scale_factor=2, has_touch=True)
                    page.goto(server.url + "/")
                    page.fill("#api-key", key)
                    page.click("#save-key")
                    page.fill("#device-id", INSTALLER_HUB)
                    page.fill("#install-date", ON)
                    page.click("#go")
                    page.wait_for_selector("[data-testid=result]:not([hidden])")
                    page.screenshot(path=str(out / "installer-360.png"), full_page=True)
                    page = browser.new_page(viewport=REPORT)
                    page.goto(report.as_uri())
                    page.screenshot(path=str(out / "risk-report.png"))
                finally:
                    browser.close()
        finally:
            server.stop()
    return [out / "installer-360.png", out / "risk-report.png"]


if __name__ == "__main__":  # pragma: no cover - make screenshots
    for p in take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img")):
        print(f"written {p}")
