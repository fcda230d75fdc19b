"""Stranding dates per (Device Model, firmware), and the vectorised step-function lookup."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpl_data.catalogue import load_catalogue
from eligibility.cpl import Cpl, CplEntry
from eligibility.engine import Engine
from eligibility.identifiers import DeviceModel
from eligibility.reference import Reference
from eligibility.stranding import firmware_outlook, stranding_reason
from tests._fleets import M1, M2, M3, tiny_reference

START = date(2025, 1, 1)
PAIRS = [
    (*M1, "01000000"),
    (*M1, "02000000"),
    (*M1, "04000000"),
    (*M1, "0F000000"),
    (*M2, "01000000"),
    (*M3, "0A000001"),
    (*M3, "0A030001"),
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(tiny_reference())


@pytest.mark.parametrize(
    ("pair", "stranding", "code", "evidence"),
    [
        # the withdrawn stepping stone: 01 reaches the window through 02 until its image goes
        (
            (*M1, "01000000"),
            date(2025, 7, 1),
            "NO_UPGRADE_PATH",
            "stepping stone 02000000 cannot be jumped over and its image was withdrawn on 2025-07-01",
        ),
        # 02 is the stone itself; it always reaches N (or N-1 once 05 is in production)
        ((*M1, "02000000"), None, None, None),
        ((*M1, "04000000"), None, None, None),
        # never listed: stranded from the start
        ((*M1, "0F000000"), START, "FIRMWARE_UNKNOWN", "firmware 0F000000 was never listed on CPL 9.001"),
        (
            (*M2, "01000000"),
            START,
            "DEVICE_MODEL_NOT_ON_CPL",
            "Device Model F0B2/B2100300 is not on CPL 9.001",
        ),
        # delta images from another source only, and that source's image withdrawn in 2024
        ((*M3, "0A000001"), START, "NO_UPGRADE_PATH", "0A020001 is a delta image from 0A010001 only"),
        ((*M3, "0A030001"), None, None, None),
    ],
)
def test_stranding_date_by_hand(
    engine: Engine, pair: tuple[str, str, str], stranding: date | None, code: str | None, evidence: str | None
) -> None:
    o = firmware_outlook(engine, PAIRS, START)
    row = o.pairs.filter(o.pairs["firmware"] == pair[2], o.pairs["model"] == pair[1]).row(0, named=True)
    assert (row["stranding_date"], row["stranding_code"]) == (stranding, code)
    assert row["stranded_at_start"] == (stranding == START)
    if evidence is None:
        assert row["stranding_evidence"] is None
    else:
        assert evidence in row["stranding_evidence"]


RECOVERY = b"""
[[model]]
manufacturer = "F0D4"
model = "D4000001"
[[model.release]]
firmware = "00000002"
withdrawn_on = 2025-03-01
[[model.release]]
firmware = "00000003"
min_source = "00000002"
[[model.release]]
firmware = "00000004"
sources = ["00000001"]
"""


def test_a_pair_that_strands_and_recovers_keeps_both_steps() -> None:
    # 1 reaches the window only through 2 (3 accepts sources from 2 on) until 2's image is
    # withdrawn; a delta image from 1, listed on 2025-09-01, becomes N and brings it back.
    listed = [date(2020, 1, 1), date(2021, 1, 1), date(2022, 1, 1), date(2025, 9, 1)]
    entries = tuple(
        CplEntry(number=n, status="Current", device_type="Communications Hub", manufacturer="F0D4",
                 model="D4000001", firmware=f"0000000{n}", listed_on=d)
        for n, d in enumerate(listed, start=1)
    )  # fmt: skip
    cpl = Cpl(version="1", issued_on=date(2025, 9, 1), entries=entries)
    ref = Reference(cpl, load_catalogue(RECOVERY, cpl=cpl).catalogue)
    o = firmware_outlook(Engine(ref), [("F0D4", "D4000001", "00000001")], START)
    assert o.steps.select("from_date", "stranded").rows() == [
        (START, False),
        (date(2025, 3, 1), True),
        (date(2025, 9, 1), False),
    ]
    assert o.pairs["stranding_date"].to_list() == [date(2025, 3, 1)]
    day = np.array(
        [(d - date(1970, 1, 1)).days for d in (date(2025, 2, 28), date(2025, 5, 1), date(2026, 1, 1))]
    )
    assert o.stranded_at(np.zeros(3, dtype=np.int64), day).tolist() == [False, True, False]


@settings(max_examples=60, deadline=None)
@given(
    picks=st.lists(
        st.tuples(st.integers(0, len(PAIRS) - 1), st.integers(-400, 3 * 365)), min_size=1, max_size=30
    )
)
def test_stranded_at_agrees_with_the_engine_on_any_day(picks: list[tuple[int, int]]) -> None:
    engine = Engine(tiny_reference())
    o = firmware_outlook(engine, PAIRS, START)
    ids = o.pair_ids(o.pairs)  # row order of o.pairs
    firmware_of = {
        int(i): tuple(r)
        for i, r in zip(ids, o.pairs.select("manufacturer", "model", "firmware").rows(), strict=True)
    }
    pair_idx = np.array([p for p, _ in picks], dtype=np.int64)
    days = np.array([(START - date(1970, 1, 1)).days + d for _, d in picks], dtype=np.int64)
    got = o.stranded_at(pair_idx, days)
    for (p, d), g in zip(picks, got, strict=True):
        m, model, fw = firmware_of[p]
        on = max(START, START + timedelta(days=d))  # before the start: as at the start
        want = stranding_reason(engine.assess_firmware(DeviceModel(m, model), fw, on)) is not None
        assert bool(g) == want, (m, model, fw, on)
