"""Hub-level rows from a normalised inventory, and their SMI removal dates per policy, columnar.

The reports of this package (charging, risk) judge *hubs*: a CHF row with its GPF's SMI record
joined (``gpf_device_id`` -> the GPF row). A hub leaves the SMI when the first of its two
devices does, so its removal date under a policy is the earlier of the two devices' (a device
that is not Pending, is exempt, or has no date has none).

This is the small part of the fleet work (issue 4) the reports need; it follows
:meth:`eligibility.smi.HousekeepingPolicy.removal_date` and ``exempt`` rule for rule (a test
compares them on every policy) and is meant to give way to the fleet's hub frame once merged.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from eligibility.smi import SMI_STATUSES, HousekeepingPolicy

__all__ = ["HUB_COLUMNS", "hub_frame", "removal_date"]

#: The columns of :func:`hub_frame` (the inventory's, plus the GPF's SMI record).
HUB_COLUMNS: Final[tuple[str, ...]] = (
    "device_id",
    "gpf_device_id",
    "manufacturer",
    "model",
    "firmware",
    "status",
    "status_since",
    "status_history",
    "supplier",
    "han_variant",
    "tsat_install_end",
    "gpf_status",
    "gpf_status_since",
    "gpf_status_history",
)

_NOT_PENDING = "(?i)(" + "|".join(s for s in SMI_STATUSES if s != "Pending") + ")"
_LAST_STEP = r"(?i)([A-Za-z]+)(?::(\d{4}-\d{2}-\d{2}))?\s*[;,]?\s*$"


def _since(status: str, since: str, history: str) -> pl.Expr:
    # A missing status date is the date of the history's last step when that step is the
    # current status (as DeviceRecord.parse does for one hub).
    last = pl.col(history).str.extract_groups(_LAST_STEP)
    same = last.struct.field("1").str.to_lowercase() == pl.col(status).str.to_lowercase()
    dated = last.struct.field("2").str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    return pl.coalesce(pl.col(since), pl.when(same).then(dated))


def hub_frame(inventory: pl.DataFrame) -> pl.DataFrame:
    """One row per CHF of a normalised inventory, with its GPF's status, date and history.

    >>> import datetime as dt
    >>> inv = pl.DataFrame({"device_id": ["A", "B"], "gpf_device_id": ["B", None],
    ...     "device_type": ["CHF", "GPF"], "manufacturer": ["F0A1"] * 2, "model": ["A1010100"] * 2,
    ...     "firmware": ["01000000"] * 2, "status": ["Pending"] * 2,
    ...     "status_since": [dt.date(2024, 1, 1), dt.date(2023, 6, 1)], "status_history": [None, None],
    ...     "supplier": ["S"] * 2, "csp_region": [None] * 2, "han_variant": [None] * 2,
    ...     "tsat_install_end": [None, None]}, schema_overrides={"tsat_install_end": pl.Date})
    >>> hub_frame(inv).select("device_id", "gpf_status_since").row(0)
    ('A', datetime.date(2023, 6, 1))

    Rows of other device types (meters, displays) are left out; a CHF whose GPF row is absent
    has null GPF columns and is judged on its CHF alone.
    """
    inv = inventory.with_columns(_since("status", "status_since", "status_history").alias("status_since"))
    gpf = inv.filter(pl.col("device_type") == "GPF").select(
        pl.col("device_id").alias("gpf_device_id"),
        pl.col("status").alias("gpf_status"),
        pl.col("status_since").alias("gpf_status_since"),
        pl.col("status_history").alias("gpf_status_history"),
    )
    chf = inv.filter(pl.col("device_type") == "CHF")
    return chf.join(gpf, on="gpf_device_id", how="left").select(HUB_COLUMNS)


def _device_removal(policy: HousekeepingPolicy, device_type: str, prefix: str) -> pl.Expr:
    status, since, history = (pl.col(f"{prefix}{c}") for c in ("status", "status_since", "status_history"))
    if device_type in policy.exclude_types:
        return pl.repeat(None, pl.len(), dtype=pl.Date)  # a column of the frame's length
    removable = status == "Pending"
    if policy.history_aware:
        # Exempt: the history never held anything but Pending (no history: warehouse stock).
        removable = removable & history.fill_null("").str.contains(_NOT_PENDING)
    return pl.when(removable).then(since.dt.offset_by(f"{policy.months}mo"))


def removal_date(policy: HousekeepingPolicy) -> pl.Expr:
    """The hub's SMI removal date under ``policy`` (null: never removed, or not judged).

    A hub without a GPF record is judged on its CHF. Calendar months, a day missing in the
    target month clamped to its last day (2020-02-29 + 12 months = 2021-02-28).
    """
    chf = _device_removal(policy, "CHF", "")
    gpf = _device_removal(policy, "GPF", "gpf_")
    return pl.min_horizontal(chf, gpf).alias("removal_date")
