"""The installer page in a real headless Chromium (the distribution's), at a phone's 360 px width.

A missing browser fails these tests: the page is part of the product and CI installs Chromium.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Request, sync_playwright

from eligibility.verdict import REASON_CODES
from tests.browser import launch
from tests.service_support import AMBER, GREEN, RED, SOUTH_HUB, Keys, Server, served_demo


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Keys]]:
    with served_demo(tmp_path_factory.mktemp("page")) as running:
        yield running


@pytest.fixture
def page(served: tuple[Server, Keys]) -> Iterator[Page]:
    server, _ = served
    with sync_playwright() as pw:
        browser = launch(pw)
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, device_scale_factor=2, has_touch=True
        )
        pg = context.new_page()
        foreign: list[str] = []

        def watch(req: Request) -> None:
            if not req.url.startswith(server.url) and not req.url.startswith("data:"):
                foreign.append(req.url)

        pg.on("request", watch)
        pg.goto(server.url + "/")
        yield pg
        assert foreign == [], f"the page reached outside its server: {foreign}"
        context.close()
        browser.close()


def _enter_key(page: Page, key: str) -> None:
    page.fill("#api-key", key)
    page.click("#save-key")


def _check(page: Page, device_id: str, on: str = "2026-11-28", policy: str = "") -> None:
    page.fill("#device-id", device_id)
    page.fill("#install-date", on)
    page.fill("#policy", policy)
    # wait for this check's answer: the card may still show the previous one
    with page.expect_response(lambda r: "/eligibility" in r.url):
        page.click("#go")
    page.wait_for_selector("[data-testid=result]:not([hidden])")
    page.wait_for_function("!document.getElementById('go').disabled")


def test_a_green_card_and_the_key_is_remembered(page: Page, served: tuple[Server, Keys]) -> None:
    _, keys = served
    assert page.is_visible("[data-testid=key-setup]")
    _enter_key(page, keys.installer)
    _check(page, GREEN.replace("-", "").lower())  # typed without dashes, lower case
    card = page.locator("[data-testid=result]")
    assert card.get_attribute("data-verdict") == "ELIGIBLE"
    assert "green" in (card.get_attribute("class") or "")
    assert "Fit it" in card.inner_text()
    codes = page.locator("[data-testid=reasons] li").evaluate_all("els => els.map(e => e.dataset.code)")
    assert codes == ["FIRMWARE_IN_WINDOW"]
    # 2026-09-01 + 12 months, in words
    assert "1 September 2027" in page.inner_text("[data-testid=removal]")
    page.reload()
    assert page.is_visible("[data-testid=key-bar]")
    assert not page.is_visible("[data-testid=key-setup]")
    _check(page, RED)
    assert page.get_attribute("[data-testid=result]", "data-verdict") == "NOT_ELIGIBLE"


def test_amber_card_shows_the_plan_in_display_format(page: Page, served: tuple[Server, Keys]) -> None:
    _enter_key(page, served[1].installer)
    _check(page, AMBER)
    card = page.locator("[data-testid=result]")
    assert card.get_attribute("data-verdict") == "ELIGIBLE_AFTER_UPGRADE"
    assert "amber" in (card.get_attribute("class") or "")
    # the sample catalogue shows F0A1/A1010100 as quad: 02000000 -> 2.0.0.0
    hops = page.locator("[data-testid=plan] li").all_inner_texts()
    assert hops
    assert hops[0].startswith("2.0.0.0 → ")
    assert hops[-1].endswith("3.0.0.0")
    # the DCC upgrades a hub over the air once it is installed and commissioned, not in the warehouse
    assert "the DCC sends over the air once the hub is installed and commissioned" in card.inner_text()


def test_red_card_says_why_in_plain_words(page: Page, served: tuple[Server, Keys]) -> None:
    _enter_key(page, served[1].installer)
    _check(page, RED)
    card = page.locator("[data-testid=result]")
    assert "red" in (card.get_attribute("class") or "")
    assert "Do not fit" in card.inner_text()
    assert "removed from the SMI" in card.inner_text()
    assert "Removed from the SMI on 10 January 2026" in page.inner_text("[data-testid=removal]")


def test_another_suppliers_hub_is_not_found_and_a_bad_key_is_asked_again(
    page: Page, served: tuple[Server, Keys]
) -> None:
    _enter_key(page, served[1].installer)
    _check(page, SOUTH_HUB)
    assert "Hub not found" in page.inner_text("[data-testid=result]")
    page.click("#change-key")
    _enter_key(page, "hck_bad_key")
    _check(page, GREEN)
    assert "Key not accepted" in page.inner_text("[data-testid=result]")
    assert page.is_visible("[data-testid=key-setup]")


def test_fits_a_phone_with_large_touch_targets(page: Page, served: tuple[Server, Keys]) -> None:
    _enter_key(page, served[1].installer)
    _check(page, AMBER)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width} px wide)"
    for selector in ("#device-id", "#install-date", "#go", "#change-key"):
        box = page.locator(selector).bounding_box()
        assert box is not None
        assert box["height"] >= 44, f"{selector} is {box['height']} px high; touch targets need 44"
    # nothing is loaded from elsewhere: no external stylesheet, script, font or image
    external = page.evaluate(
        "[...document.querySelectorAll('link[href],script[src],img[src]')].map(e => e.href || e.src)"
    )
    assert external == []


def test_the_reason_table_names_every_code(page: Page) -> None:
    rows = page.locator("[data-testid=reason-table] tr").evaluate_all("els => els.map(e => e.dataset.code)")
    assert rows == list(REASON_CODES)  # SMI_STATUS_NOT_INSTALLABLE and issue 9's codes among them
    page.click("[data-testid=reason-table] summary")
    assert "SMETS1 hub" in page.inner_text("[data-testid=reason-table]")


def test_a_policy_timeline_and_an_exemption_that_says_why(page: Page, served: tuple[Server, Keys]) -> None:
    _enter_key(page, served[1].installer)
    # RED went Pending on 2025-01-10: removed under 12 months on 2026-01-10, before 36 months began
    _check(page, RED, policy="sec-ac-7.2,secmp0060@2026-06-01")
    removal = page.inner_text("[data-testid=removal]")
    assert (
        "Removed from the SMI on 10 January 2026 (sec-ac-7.2, under policy sec-ac-7.2,secmp0060@2026-06-01)"
        in (removal)
    )
    _check(page, RED, policy="exclusion-list")
    assert page.get_attribute("[data-testid=result]", "data-verdict") == "ELIGIBLE"
    assert "Never removed from the SMI: CHF is on the exclusion list" in page.inner_text(
        "[data-testid=removal]"
    )
