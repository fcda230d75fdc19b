"""The engine's small table: the firmware gates of every (Device Model, firmware) of a fleet at a date.

A fleet of millions of hubs has a few hundred distinct (manufacturer, model, firmware); the
firmware side of a verdict depends on nothing else (:meth:`Engine.assess_firmware`). This
module asks the engine once per key and lays the answers out as columns, so that any columnar
engine (polars, DuckDB, a distributed one) finishes the job with a plain keyed join.

Columns of :func:`assessment_table`:

| column | type | meaning |
| --- | --- | --- |
| ``manufacturer``, ``model``, ``firmware`` | text | the key |
| one per firmware code (``DEVICE_MODEL_NOT_ON_CPL`` ... ``NO_UPGRADE_PATH``) | bool | the gate's outcome |
| ``firmware_blocking`` | bool | a firmware gate blocks installation |
| ``plan_hops`` | int16 | hops of the upgrade plan (null: no plan needed or none exists) |
| ``plan_target``, ``plan_target_role`` | text | where the plan ends (``N``, ``N-1``, ``N+1``) |
| ``plan_image_bytes`` | int64 | total image bytes of the plan, when the catalogue knows them |
| ``window_n``, ``window_n_minus_1``, ``window_n_plus_1`` | text | the window at the date |
| ``window_members`` | text | every member, oldest first, ``;``-joined |
| ``firmware_display`` | text | the firmware in the model's display format |
"""

from __future__ import annotations

from datetime import date
from typing import Final

import polars as pl

from eligibility.engine import Engine
from eligibility.identifiers import DeviceModel
from eligibility.verdict import REASON_CODES

__all__ = ["ASSESSMENT_SCHEMA", "FIRMWARE_CODES", "KEY", "assessment_table"]

#: The reason codes the firmware gates decide, in the verdict's order (the rest are SMI and TSAT).
FIRMWARE_CODES: Final[tuple[str, ...]] = tuple(c for c in REASON_CODES if not c.startswith(("SMI_", "TSAT_")))
#: The join key.
KEY: Final[tuple[str, str, str]] = ("manufacturer", "model", "firmware")
ASSESSMENT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "manufacturer": pl.String(),
    "model": pl.String(),
    "firmware": pl.String(),
    **{c: pl.Boolean() for c in FIRMWARE_CODES},
    "firmware_blocking": pl.Boolean(),
    "plan_hops": pl.Int16(),
    "plan_target": pl.String(),
    "plan_target_role": pl.String(),
    "plan_image_bytes": pl.Int64(),
    "window_n": pl.String(),
    "window_n_minus_1": pl.String(),
    "window_n_plus_1": pl.String(),
    "window_members": pl.String(),
    "firmware_display": pl.String(),
}


def assessment_table(engine: Engine, keys: pl.DataFrame, d: date) -> pl.DataFrame:
    """The firmware gates at ``d`` of each distinct (manufacturer, model, firmware) in ``keys``.

    ``keys`` holds at least the three key columns, normalised (4 and 8 upper-case hex, firmware
    8 hex); duplicates are ignored. One engine call per distinct key, cached by the engine.

    >>> from eligibility.cpl import Cpl, CplEntry
    >>> from eligibility.reference import Reference
    >>> e = CplEntry(number=1, status="Current", device_type="Communications Hub",
    ...              manufacturer="F0A1", model="A1010100", firmware="01000000")
    >>> engine = Engine(Reference(Cpl(version="1", issued_on=date(2026, 1, 1), entries=(e,))))
    >>> keys = pl.DataFrame({"manufacturer": ["F0A1"], "model": ["A1010100"], "firmware": ["01000000"]})
    >>> assessment_table(engine, keys, date(2026, 6, 1)).select("FIRMWARE_IN_WINDOW", "window_n").row(0)
    (True, '01000000')
    """
    distinct = keys.select(KEY).unique(maintain_order=True)
    rows: dict[str, list[object]] = {c: [] for c in ASSESSMENT_SCHEMA}
    for manufacturer, model, firmware in distinct.iter_rows():
        fa = engine.assess_firmware(DeviceModel(manufacturer, model), firmware, d)
        codes = set(fa.codes)
        plan, window = fa.plan, fa.window
        values: dict[str, object] = {
            "manufacturer": manufacturer,
            "model": model,
            "firmware": firmware,
            **{c: c in codes for c in FIRMWARE_CODES},
            "firmware_blocking": fa.blocking,
            "plan_hops": len(plan.hops) if plan is not None else None,
            "plan_target": plan.target if plan is not None else None,
            "plan_target_role": plan.target_role if plan is not None else None,
            "plan_image_bytes": plan.total_image_bytes if plan is not None else None,
            "window_n": window.n if window is not None else None,
            "window_n_minus_1": window.n_minus_1 if window is not None else None,
            "window_n_plus_1": window.n_plus_1 if window is not None else None,
            "window_members": ";".join(window.members) if window is not None else None,
            "firmware_display": fa.firmware_display,
        }
        for c, v in values.items():
            rows[c].append(v)
    return pl.DataFrame(rows, schema=ASSESSMENT_SCHEMA)
