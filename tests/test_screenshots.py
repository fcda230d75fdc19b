"""The docs' screenshots can be taken: the installer page at 360 px, the risk report (``make screenshots``)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.screenshots import PHONE, REPORT, take


def _size(png: Path) -> tuple[int, int]:
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


@pytest.mark.slow
def test_screenshots_are_taken(tmp_path: Path) -> None:
    installer, report = take(tmp_path)
    width, height = _size(installer)
    assert width == 2 * PHONE["width"]  # 360 CSS pixels at a phone's 2x
    assert height >= 2 * PHONE["height"]  # the whole card, scrolled
    assert _size(report) == (REPORT["width"], REPORT["height"])


@pytest.mark.parametrize("name", ["installer-360.png", "risk-report.png"])
def test_the_docs_hold_the_screenshots(name: str) -> None:
    shot = REPO / "docs" / "img" / name
    assert shot.exists(), "run make screenshots"
    _size(shot)
    assert f"img/{name}" in "".join(p.read_text() for p in (REPO / "docs").glob("*.md"))
