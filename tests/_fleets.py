"""Tiny reference data and fleets whose every figure is computed by hand in the tests.

Three Device Models, each built to strand in one named way, plus one model the CPL lacks:

- ``M1`` (F0A1/A1010100): 01 (2020), 02 (2021, a stepping stone whose image is withdrawn on
  2025-07-01), 03 (2022), 04 (2023), 05 (listed 2024-06-01, pilot 2025-09-01, production
  2026-01-01, ``min_source`` 03). A hub at 01 reaches the window through 02 until 2025-07-01,
  then strands: nothing may jump over the withdrawn stone.
- ``M3`` (F0C3/C3010101): w1 (2020), w2 (2021, image withdrawn 2024-01-01), w3 (2022, a delta
  image from w2 only), w4 (2023, a delta from w3 only). A hub at w1 has no plan from 2024-01-01.
- ``M2`` (F0B2/B2100300) is on no CPL entry; ``0F000000`` was never listed for M1.

Window at 2025-08-01 for M1: N = 04, N-1 = 03 (05 is on the CPL but in production only from
2026-01-01; from 2025-09-01 it is N+1). From 2026-01-01: N = 05, N-1 = 04.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from cpl_data.catalogue import load_catalogue
from cpl_data.inventory import INVENTORY_COLUMNS, normalise_inventory
from eligibility.cpl import Cpl, CplEntry
from eligibility.engine import Engine
from eligibility.reference import Reference

M1 = ("F0A1", "A1010100")
M2 = ("F0B2", "B2100300")
M3 = ("F0C3", "C3010101")

_ENTRIES = [
    # (number, model, firmware, listed_on)
    (1, M1, "01000000", date(2020, 1, 1)),
    (2, M3, "0A000001", date(2020, 1, 1)),
    (3, M1, "02000000", date(2021, 1, 1)),
    (4, M3, "0A010001", date(2021, 1, 1)),
    (5, M1, "03000000", date(2022, 1, 1)),
    (6, M3, "0A020001", date(2022, 1, 1)),
    (7, M1, "04000000", date(2023, 1, 1)),
    (8, M3, "0A030001", date(2023, 1, 1)),
    (9, M1, "05000000", date(2024, 6, 1)),
]

CATALOGUE = b"""
name = "test catalogue"

[[model]]
manufacturer = "F0A1"
model = "A1010100"
[[model.release]]
firmware = "02000000"
stepping_stone = true
withdrawn_on = 2025-07-01
[[model.release]]
firmware = "05000000"
pilot_from = 2025-09-01
production_from = 2026-01-01
min_source = "03000000"

[[model]]
manufacturer = "F0C3"
model = "C3010101"
[[model.release]]
firmware = "0A010001"
withdrawn_on = 2024-01-01
[[model.release]]
firmware = "0A020001"
sources = ["0A010001"]
[[model.release]]
firmware = "0A030001"
sources = ["0A020001"]
"""


def tiny_reference() -> Reference:
    """The CPL and catalogue described in this module's docstring."""
    entries = tuple(
        CplEntry(
            number=n,
            status="Current",
            device_type="Communications Hub",
            manufacturer=m[0],
            model=m[1],
            firmware=fw,
            listed_on=listed,
        )
        for n, m, fw, listed in _ENTRIES
    )
    cpl = Cpl(version="9.001", issued_on=date(2024, 6, 1), entries=entries)
    return Reference(cpl, load_catalogue(CATALOGUE, source="test.toml", cpl=cpl).catalogue)


#: The inventory columns the tests' rows give (all but the CSP region).
COLUMNS = tuple(c for c in INVENTORY_COLUMNS if c != "csp_region")


def inventory(rows: list[tuple[str | None, ...]]) -> pl.DataFrame:
    """A normalised inventory from rows of :data:`COLUMNS` (text, as a CSV would give them)."""
    raw = pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String), orient="row")
    return normalise_inventory(raw, source="test").frame


def dev(n: int) -> str:
    """Device ID number ``n``."""
    return f"00-DB-00-00-00-00-{n // 256:02X}-{n % 256:02X}"


def sample_engine() -> Engine:
    """The engine on the sample CPL and catalogue (what ``make run`` serves)."""
    from cpl_data.sample import sample_reference

    return Engine(Reference(*sample_reference()))


def sample_fleet(hubs: int, seed: int) -> pl.DataFrame:
    """A synthetic fleet on the sample reference, mixed as the shipped sample fleet is, as of 2026-11-01."""
    from cpl_data.sample import SAMPLE_FLEET_MIX, sample_reference
    from cpl_data.synth import synth_fleet

    cpl, cat = sample_reference()
    return synth_fleet(cpl, cat, hubs=hubs, seed=seed, as_of=date(2026, 11, 1), mix=SAMPLE_FLEET_MIX)
