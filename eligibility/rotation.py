"""Stock rotation: installs that used a newer hub while the same supplier held older ones.

The consultation's proposer suggested reporting "last in, first out" rotation to the Panel:
a supplier who installs the hubs it received last lets the old ones age into removal.

How installs are observed: an install is a step of a CHF's dated status history from
``Pending:<p>`` straight to ``InstalledNotCommissioned:<i>`` or ``Commissioned:<i>`` (the
hub was added to the SMI, or put back, on p and left Pending for installation on i). Steps
without a date are not placed. Held stock: every such Pending stretch [p, i), and every hub
still Pending now from its status date on.

Rotation is counted in whole calendar months: an install in month m used a hub that went
pending in month c(p); the **skipped** stock is the hubs the same supplier went on holding in
Pending (still Pending at the end of month m: a hub installed in the same month was used, not
skipped) that went pending in a month before c(p). Per supplier and month:

- ``installs``; ``lifo_installs``: installs that skipped older stock;
- ``skipped_hubs``: older hubs still held at the end of the month that went pending before
  the newest hub installed that month (each counted once);
- ``oldest_skipped_months`` and ``mean_skipped_age_months``: how old that skipped stock was
  at the end of the month, in whole months since the month it went pending.

Computed as arrays: held stock is a difference array ``[supplier, cohort month, month]``
summed along months; each install then reads one cell of its cumulative sum over cohorts.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

__all__ = [
    "ROTATION_COLUMNS",
    "ROTATION_INPUT",
    "STRETCH_COLUMNS",
    "rotation_stretches",
    "rotation_table",
    "stock_rotation",
]

#: The columns of a hub frame that rotation reads.
ROTATION_INPUT = ("supplier", "status", "status_since", "status_history")

ROTATION_COLUMNS = (
    "supplier",
    "month",
    "installs",
    "lifo_installs",
    "skipped_hubs",
    "oldest_skipped_months",
    "mean_skipped_age_months",
)

_STEP = (
    r"(?i)pending:(\d{4}-\d{2}-\d{2})\s*[;,]\s*(?:installednotcommissioned|commissioned):(\d{4}-\d{2}-\d{2})"
)


def _month(col: pl.Expr) -> pl.Expr:
    return col.dt.year().cast(pl.Int64) * 12 + col.dt.month().cast(pl.Int64) - 1


def _empty() -> pl.DataFrame:
    schema: dict[str, pl.DataType] = dict.fromkeys(ROTATION_COLUMNS, pl.Int64())
    schema.update(supplier=pl.String(), month=pl.Date(), mean_skipped_age_months=pl.Float64())
    return pl.DataFrame(schema=schema)


def stock_rotation(hubs: pl.DataFrame, until: date) -> pl.DataFrame:
    """Per supplier and month (first day of it): the installs and the older stock they skipped.

    ``hubs``: CHF rows with ``supplier``, ``status``, ``status_since``, ``status_history``.
    Installs after ``until`` are ignored (a history cannot know the future).
    """
    return rotation_table(rotation_stretches(hubs, until))


#: The columns of :func:`rotation_stretches`.
STRETCH_COLUMNS = ("supplier", "cp", "ci", "n")


def rotation_stretches(hubs: pl.DataFrame, until: date) -> pl.DataFrame:
    """The held stock of ``hubs`` (as :func:`stock_rotation` takes them), counted: ``n`` stretches
    per supplier, month they went pending (``cp``) and month installed (``ci``; null: still held).

    A small table whatever the fleet's size; the tables of a fleet's chunks, concatenated, give
    :func:`rotation_table` the fleet's rotation.
    """
    # Most histories hold no install: a literal scan finds the few that may, before the regex.
    maybe = pl.col("status_history").str.contains_any(["commissioned"], ascii_case_insensitive=True)
    # a match of _STEP starts "pending:" and its date, and ends with the install date: sliced, not searched
    steps = (
        hubs.filter(maybe)
        .select("supplier", pl.col("status_history").str.extract_all(_STEP).alias("s"))
        .filter(pl.col("s").list.len() > 0)
        .explode("s")
        .select(
            "supplier",
            pl.col("s").str.slice(8, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("p"),
            pl.col("s").str.slice(-10).str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("i"),
        )
        .drop_nulls()
        .filter((pl.col("i") <= until) & (pl.col("p") <= pl.col("i")))
    )
    # held stock: one row per (supplier, status date) first, months computed on those
    waiting = (
        hubs.filter((pl.col("status") == "Pending") & pl.col("status_since").is_not_null())
        .group_by("supplier", pl.col("status_since").alias("p"))
        .agg(pl.len().cast(pl.Int64).alias("n"))
        .select("supplier", _month(pl.col("p")).alias("cp"), pl.lit(None, pl.Int64).alias("ci"), "n")
    )
    installs = steps.select(
        "supplier",
        _month(pl.col("p")).alias("cp"),
        _month(pl.col("i")).alias("ci"),
        pl.lit(1, pl.Int64).alias("n"),
    )
    return pl.concat([installs, waiting]).group_by("supplier", "cp", "ci").agg(pl.col("n").sum())


def rotation_table(stretches: pl.DataFrame) -> pl.DataFrame:
    """:data:`ROTATION_COLUMNS` from counted stretches (:func:`rotation_stretches`; rows with the same
    supplier, ``cp`` and ``ci`` may repeat: their ``n`` add up)."""
    if stretches.filter(pl.col("ci").is_not_null()).height == 0:
        return _empty()
    suppliers = stretches["supplier"].unique().sort()
    sid = {s: n for n, s in enumerate(suppliers.to_list())}
    hi = int(stretches["ci"].max()) + 2  # type: ignore[arg-type]
    # Fifty years back is older than any hub; a wild status date must not size the arrays.
    lo = max(min(int(stretches["cp"].min()), hi - 2), hi - 600)  # type: ignore[arg-type]
    span = hi - lo
    st = stretches.with_columns(pl.col("supplier").replace_strict(sid, return_dtype=pl.Int64).alias("sid"))
    s_idx = st["sid"].to_numpy()
    cp = np.clip(st["cp"].to_numpy() - lo, 0, span - 1)
    ci = np.minimum(st["ci"].fill_null(hi + 1).to_numpy() - lo, span)
    n = st["n"].to_numpy()
    # held through month m: went pending in month m or before, left after month m
    n_s = len(sid)
    diff = np.zeros((n_s, span, span + 1), dtype=np.int64)
    np.add.at(diff, (s_idx, cp, cp), n)
    np.add.at(diff, (s_idx, cp, np.maximum(ci, cp)), -n)
    held = np.cumsum(diff, axis=2)[:, :, :span]  # [supplier, cohort, month]
    older = np.cumsum(held, axis=1)  # held with cohort <= c
    age_weight = np.cumsum(held * (np.arange(span)[None, None, :] - np.arange(span)[None, :, None]), axis=1)

    inst = st.filter(pl.col("ci").is_not_null())
    per_month = inst.group_by("sid", "ci").agg(
        pl.col("n").sum().alias("installs"), pl.col("cp").alias("cps"), pl.col("n").alias("ns"),
        pl.col("supplier").first(),
    )  # fmt: skip
    rows_sid = per_month["sid"].to_numpy()
    rows_m = per_month["ci"].to_numpy() - lo
    lifo = []
    skipped = []
    oldest = []
    mean_age = []
    # one entry per (supplier, month): a few thousand at most, each a handful of array reads
    for s, m, cps, ns in zip(
        rows_sid, rows_m, per_month["cps"].to_list(), per_month["ns"].to_list(), strict=True
    ):
        cohorts = np.clip(np.asarray(cps, dtype=np.int64) - lo, 0, span - 1)
        before = np.where(cohorts > 0, older[s, np.maximum(cohorts - 1, 0), m], 0)
        lifo.append(int(np.asarray(ns, dtype=np.int64)[before > 0].sum()))
        top = int(cohorts.max())
        k = int(older[s, top - 1, m]) if top > 0 else 0
        skipped.append(k)
        if k:
            first = int(np.argmax(held[s, :, m] > 0))
            oldest.append(m - first)
            mean_age.append(round(float(age_weight[s, top - 1, m]) / k, 2))
        else:
            oldest.append(0)
            mean_age.append(0.0)
    out = per_month.select(
        "supplier",
        pl.date(((pl.col("ci")) // 12).cast(pl.Int32), (pl.col("ci") % 12 + 1).cast(pl.Int8), 1).alias(
            "month"
        ),
        pl.col("installs").cast(pl.Int64),
    ).with_columns(
        pl.Series("lifo_installs", lifo, pl.Int64),
        pl.Series("skipped_hubs", skipped, pl.Int64),
        pl.Series("oldest_skipped_months", oldest, pl.Int64),
        pl.Series("mean_skipped_age_months", mean_age, pl.Float64),
    )
    return out.select(ROTATION_COLUMNS).sort("supplier", "month")
