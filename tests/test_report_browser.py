"""The risk report opens in a real headless Chromium, offline, with every chart drawn.

The distribution's chromium (``/usr/bin/chromium``) is driven by playwright. A missing browser
is a failure, not a skip: the report is for people, and only a browser shows what they see.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Request, Route, sync_playwright

from api.report import write_risk_report
from cpl_data.sample import sample_reference
from cpl_data.synth import FleetMix, synth_fleet
from eligibility.reference import Reference
from eligibility.risk import fleet_risk
from eligibility.smi import POLICIES
from tests.browser import launch

CHARTS = [
    "pending-stock-by-age",
    "removals-per-month",
    "stranded-over-time",
    "security-backstop",
    "policy-comparison",
]


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cpl, cat = sample_reference()
    start = date(2026, 11, 1)
    fleet = synth_fleet(cpl, cat, hubs=5_000, seed=4, as_of=start, mix=FleetMix(stock=0.5, returned=0.2))
    report = fleet_risk(fleet, start, 36, list(POLICIES.values()), Reference(cpl, cat))
    path = tmp_path_factory.mktemp("report") / "risk.html"
    write_risk_report(report, path)
    return path


@pytest.mark.slow
def test_report_renders_offline_with_its_charts(page_file: Path) -> None:
    outside: list[str] = []

    def refuse(route: Route, request: Request) -> None:
        # the page must need nothing but itself
        if request.url.startswith("file://"):
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.route("**/*", refuse)
            page.goto(page_file.as_uri())
            assert page.title().startswith("hubcheck risk report")
            assert page.locator("h1").inner_text().startswith("Fleet risk")
            for name in CHARTS:
                fig = page.locator(f'figure[data-chart="{name}"]')
                svg = fig.locator("svg")
                box = svg.bounding_box()
                assert box is not None, name
                assert box["width"] > 500, (name, box)
                assert box["height"] > 100, (name, box)
                # drawn: paths with real geometry, not an empty canvas
                assert svg.locator("path").count() > 10, name
                assert fig.locator("figcaption").inner_text().strip(), name
            rows = page.locator("table").first.locator("tbody tr")
            assert rows.count() == len(POLICIES)
            shot = page.screenshot(full_page=True)
            assert len(shot) > 50_000  # a page of charts, not a blank one
        finally:
            browser.close()
    assert outside == []
