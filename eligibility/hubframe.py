"""The hub-level frame: one row per hub, its CHF's inventory row with its GPF's SMI record beside it.

An inventory has one row per SMI device; a hub is its CHF row, which names the GPF in
``gpf_device_id``. The hub frame keeps every column of the CHF row and adds the GPF's
SMI record from the inventory row of type GPF with that Device ID:

| column | from the GPF row |
| --- | --- |
| ``gpf_device_type`` | ``device_type`` (``GPF``; null when the inventory has no such row) |
| ``gpf_status`` | ``status`` |
| ``gpf_status_since`` | ``status_since`` |
| ``gpf_status_history`` | ``status_history`` |

A CHF whose GPF has no row is judged on its CHF alone (as a single-hub check without
``--gpf-*``). Rows of other device types, and GPF rows that no CHF names, are not hubs.
The functions take and return polars frames, eager or lazy, and never build a Python object
per row.
"""

from __future__ import annotations

from typing import Final, TypeVar

import polars as pl

__all__ = ["GPF_COLUMNS", "HUB_KEY", "gpf_records", "hub_frame", "hubs_only"]

#: The GPF's SMI record, as the hub frame names its columns.
GPF_COLUMNS: Final[dict[str, str]] = {
    "device_type": "gpf_device_type",
    "status": "gpf_status",
    "status_since": "gpf_status_since",
    "status_history": "gpf_status_history",
}
#: The column a hub's CHF row and its GPF's record are joined on.
HUB_KEY: Final = "gpf_device_id"

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


def hubs_only(inventory: F) -> F:
    """The CHF rows: one per hub."""
    return inventory.filter(pl.col("device_type") == "CHF")


def gpf_records(inventory: F) -> F:
    """The GPF rows' SMI records, keyed by ``gpf_device_id`` (the GPF's own Device ID)."""
    return inventory.filter(pl.col("device_type") == "GPF").select(
        pl.col("device_id").alias(HUB_KEY), *(pl.col(k).alias(v) for k, v in GPF_COLUMNS.items())
    )


def hub_frame(inventory: F) -> F:
    """One row per hub: the CHF rows of a normalised inventory, each with its GPF's SMI record.

    >>> from datetime import date
    >>> inv = pl.DataFrame({
    ...     "device_id": ["00-00-00-00-00-00-00-02", "00-00-00-00-00-00-00-01"],
    ...     "gpf_device_id": [None, "00-00-00-00-00-00-00-02"],
    ...     "device_type": ["GPF", "CHF"], "status": ["Pending", "Pending"],
    ...     "status_since": [date(2025, 1, 3), date(2025, 1, 1)], "status_history": [None, None]})
    >>> hub_frame(inv).select("device_id", "gpf_status_since").row(0)
    ('00-00-00-00-00-00-00-01', datetime.date(2025, 1, 3))

    Input rows keep their order. Device IDs are expected unique (the inventory reader checks it).
    """
    return hubs_only(inventory).join(gpf_records(inventory), on=HUB_KEY, how="left", maintain_order="left")
