"""Frames as JSON: the reports' tables as lists of records, dates in ISO form."""

from __future__ import annotations

from typing import Any

import polars as pl

__all__ = ["records"]


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """One dict per row, dates as ``YYYY-MM-DD`` (JSON has no date type).

    >>> import datetime as dt
    >>> records(pl.DataFrame({"d": [dt.date(2026, 1, 2)], "n": [1]}))
    [{'d': '2026-01-02', 'n': 1}]
    """
    dates = [c for c, t in frame.schema.items() if t == pl.Date]
    return frame.with_columns(pl.col(dates).dt.to_string("%Y-%m-%d")).to_dicts()
