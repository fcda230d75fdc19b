"""Ahead of time: which hubs will strand before they are removed, and how the policies compare.

:func:`fleet_risk` takes a normalised inventory, a start date D, a horizon of M months and
the housekeeping policies to compare, and gives (definitions in :mod:`eligibility.sweep`):

- ``monthly``: per policy and month: removals (that month, cumulative), usable stock lost,
  hubs stranded while still on the SMI (still charged), stranded hub-months, installable;
- ``stranding``: per (Device Model, firmware): its stranding date from D (the first date with
  no plan given the catalogue's future events) and the verdict's reason on that date; every
  hub takes its pair's (``hubs``);
- ``cohorts``: Device Model x firmware x year the hub went pending, per policy;
- ``rotation``: per supplier and month, last-in-first-out installs (:mod:`eligibility.rotation`);
- ``backstop``: per policy and month, returned hubs pending beyond 12 months and still on the
  SMI (:mod:`eligibility.backstop`);
- ``age_profile``: the pending stock by whole months pending at D;
- ``summary``: one :class:`PolicyOutcome` per policy (the comparison table).

A policy may be a policy timeline (:mod:`eligibility.policy_timeline`): timelines compare as
policies do. The population is every CHF in 'Pending' in the inventory (its GPF joined) but the
SMETS1 hubs (never DCC stock: the summary says how many were left out), the same for every
policy, so the policies compare like with like. "Removed" means one thing everywhere (table,
charts, JSON): hubs off the SMI by the date, those removed before the start included
(:data:`LEGEND` words every figure).

The fleet is read in chunks (a frame's slices, or the batches of a lazy scan of a Parquet file)
and every figure is a count: each chunk's hubs add to small arrays (per policy, pair, year the
hub went pending, removal month; the histories' held stock per supplier and month; the
backstop's months), and the tables are computed from those sums at the end. Memory is one chunk
and the sums (and the per-hub table when asked for), not the fleet; the answer is the same
whatever the chunk size (tests/test_risk_stream.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from pydantic import BaseModel, ConfigDict

from eligibility.backstop import BACKSTOP_MONTHS, backstop_from_joint, backstop_joint
from eligibility.cohorts import cohort_table
from eligibility.engine import Engine
from eligibility.frames import records
from eligibility.hubframe import GPF_COLUMNS, HubPairing
from eligibility.policy_timeline import Policy
from eligibility.reference import Reference, ReferenceInfo
from eligibility.rotation import ROTATION_INPUT, rotation_stretches, rotation_table
from eligibility.stranding import PAIR_KEY, FirmwareOutlook, firmware_outlook
from eligibility.sweep import (
    NEVER,
    DeviceDays,
    days,
    gone_histogram,
    hub_removal_days,
    month_dates,
    month_index,
    monthly_figures,
    resolved_status_date,
)

__all__ = ["CHUNK_ROWS", "LEGEND", "PolicyOutcome", "RiskReport", "RiskSummary", "fleet_risk"]

#: One line per figure saying what it counts; the CLI, the HTML page, the charts and the JSON use these.
LEGEND: dict[str, str] = {
    "removed": "hubs off the SMI by that date under the policy, those removed before the start included",
    "removed_before_start": "hubs already off the SMI on the start date",
    "removed_in_horizon": "hubs removed after the start and on or before the end",
    "removed_in_month": "hubs whose removal date falls in the month (after the start)",
    "usable_lost": "hubs removed after the start that still had an upgrade plan (or were in the window) then",
    "stranded_on_smi": "hubs with no plan into the window that are still on the SMI, so still charged",
    "stranded_hub_months": "each month, the stranded hubs still on the SMI at its end, summed",
    "installable": "hubs on the SMI, with a plan or in the window, and before their TSAT installation end",
    "backstop_gap": "returned hubs pending beyond 12 months and still on the SMI",
    "upgrade_path_assumed_hubs": "pending hubs whose answer rests on UPGRADE_PATH_ASSUMED (no catalogue for the model)",
    "smets1_left_out": "pending SMETS1 hubs left out: never DCC stock, so no housekeeping or charge applies",
}


class PolicyOutcome(BaseModel):
    """One row of the policy comparison table, over the whole horizon."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    policy: str
    description: str
    #: off the SMI by the end, those removed before the start included (see LEGEND)
    removed: int
    removed_before_start: int
    removed_in_horizon: int
    usable_lost: int
    stranded_on_smi_at_end: int
    stranded_hub_months: int
    stranded_charge_gbp: float | None
    installable_at_end: int
    returned_hubs: int
    backstop_beyond_12_at_end: int
    backstop_hub_months: int


class RiskSummary(BaseModel):
    """What the report covers, the fleet's stranding outlook, and the policy comparison."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    start: date
    months: int
    end: date
    supplier: str | None
    reference: ReferenceInfo
    tariff_gbp_per_hub_month: float | None
    pending_hubs: int
    stranded_at_start: int
    stranding_within_horizon: int
    stranding_later: int
    upgrade_path_assumed_hubs: int
    smets1_left_out: int
    policies: tuple[PolicyOutcome, ...]


@dataclass(frozen=True)
class RiskReport:
    """The summary and its tables (polars frames); ``hubs`` has one row per hub."""

    summary: RiskSummary
    monthly: pl.DataFrame
    stranding: pl.DataFrame
    cohorts: pl.DataFrame
    rotation: pl.DataFrame
    backstop: pl.DataFrame
    age_profile: pl.DataFrame
    hubs: pl.DataFrame

    def to_json(self) -> dict[str, Any]:
        """Everything but the per-hub table, frames as lists of records (dates ISO), and the legend."""
        doc = self.summary.model_dump(mode="json")
        doc["legend"] = dict(LEGEND)
        for name in ("monthly", "stranding", "cohorts", "rotation", "backstop", "age_profile"):
            doc[name] = records(getattr(self, name))
        return doc


#: Inventory columns the report never reads (left out before anything is copied).
_UNREAD = ("csp_region", "han_variant")


def _months_pending(start: date) -> pl.Expr:
    since = pl.col("status_since")
    whole = (start.year - since.dt.year()) * 12 + (start.month - since.dt.month())
    return (whole - (since.dt.day() > start.day).cast(pl.Int32)).alias("months_pending")


#: Inventory rows a chunk holds by default: a million rows (half a million hubs) is a few hundred MB.
CHUNK_ROWS = 1_000_000
#: The pair's columns each hub takes from the outlook.
_PAIR_COLUMNS = ("pair_id", "stranding_date", "stranding_code", "upgrade_path_assumed", "smets1_hub")
_ROW = "__row"
#: The hub frame's columns the counts read.
_READ = (
    _ROW, "supplier", *PAIR_KEY, "device_type", "status", "status_since", "status_history", "tsat_install_end",
    *GPF_COLUMNS.values(),
)  # fmt: skip


def _chunks(inventory: pl.DataFrame | pl.LazyFrame, rows: int) -> Iterator[pl.DataFrame]:
    """The inventory ``rows`` rows at a time (at least one chunk, maybe empty), each numbered."""
    offset = 0
    if isinstance(inventory, pl.DataFrame):
        frame = inventory.drop(_UNREAD, strict=False)
        batches: Iterator[pl.DataFrame] = (frame.slice(o, rows) for o in range(0, max(frame.height, 1), rows))
    else:
        lazy = inventory.drop(_UNREAD, strict=False)
        batches = lazy.collect_batches(chunk_size=rows)
    for batch in batches:
        yield batch.with_row_index(_ROW, offset)
        offset += batch.height
    if offset == 0 and not isinstance(inventory, pl.DataFrame):
        yield lazy.head(0).collect().with_row_index(_ROW)


def _grow(a: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    """``a`` with its first axis (pairs) padded with zeros to ``n``."""
    if a.shape[0] >= n:
        return a
    return np.concatenate([a, np.zeros((n - a.shape[0], *a.shape[1:]), dtype=a.dtype)])


@dataclass
class _PolicyCounts:
    """One policy's sums over the hubs fed so far."""

    #: year the hub went pending (None: unknown) -> [pair, removal month index k, lost]
    cohorts: dict[int | None, npt.NDArray[np.int64]] = field(default_factory=dict)
    #: [pair, earlier of removal month and TSAT month]
    tsat: npt.NDArray[np.int64] | None = None
    #: returned hubs: [month beyond 12 months, removal month]
    backstop: npt.NDArray[np.int64] | None = None
    #: per chunk, the hubs' removal dates (only when the per-hub table is asked for)
    removal: list[pl.Series] = field(default_factory=list)


class _Tally:
    """The risk report's counts, fed the hubs of a fleet chunk by chunk."""

    def __init__(
        self, engine: Engine, start: date, months: int, policies: Sequence[Policy], *, per_hub: bool
    ) -> None:
        self.engine, self.start, self.m, self.policies, self.per_hub = (
            engine,
            start,
            months,
            policies,
            per_hub,
        )
        self.dates = month_dates(start, months)
        self.t = np.array([_epoch_day(d) for d in self.dates], dtype=np.int64)
        self.outlook = firmware_outlook(engine, [], start)
        self.known = self.outlook.pairs.select(*PAIR_KEY, *_PAIR_COLUMNS)
        self.counts = {p.name: _PolicyCounts() for p in policies}
        self.pair_hubs = np.zeros(0, dtype=np.int64)
        self.smets1_left_out = 0
        self.returned = 0
        self.stretches: list[pl.DataFrame] = []
        self.ages: list[pl.DataFrame] = []
        self.hubs: list[pl.DataFrame] = []
        #: [pair, day - t_0]: stranded on each day of the horizon (rebuilt as pairs come)
        self._strand: npt.NDArray[np.bool_] | None = None

    def _pairs_of(self, pending: pl.DataFrame) -> pl.DataFrame:
        """Each hub's pair id and the pair's outlook columns, in row order; pairs not met before
        are assessed first (the outlook grows)."""
        keys = pending.select(PAIR_KEY)
        found = keys.join(self.known, on=list(PAIR_KEY), how="left", maintain_order="left")
        if found["pair_id"].null_count():
            new = found.filter(pl.col("pair_id").is_null()).select(PAIR_KEY).unique()
            self.outlook = self.outlook.extended(firmware_outlook(self.engine, new, self.start))
            self.known = self.outlook.pairs.select(*PAIR_KEY, *_PAIR_COLUMNS)
            found = keys.join(self.known, on=list(PAIR_KEY), how="left", maintain_order="left")
        return found.drop(PAIR_KEY)

    def stage(self, hubs: pl.DataFrame) -> tuple[pl.DataFrame, int, npt.NDArray[np.bool_]]:
        """A chunk's hubs (a hub frame's rows, suppliers filled, numbered by ``__row``) made ready for
        :meth:`count`: its stock rotation counted, its pending hubs with their pair ids (new pairs
        assessed), SMETS1 hubs left out; with the number of pairs and the stranded table then.

        Stages run in the chunks' order, each before its count: a count may run (on another thread)
        while the next chunk is staged, as it reads only what it is given and the sums.
        """
        self.stretches.append(rotation_stretches(hubs.select(ROTATION_INPUT), self.start))
        # only the columns read from here on: every filter below copies what it keeps
        pending = hubs.select(*_READ, *(("device_id",) if self.per_hub else ()))
        is_pending = pending["status"] == "Pending"
        if not is_pending.all():
            pending = pending.filter(is_pending)
        pending = pending.with_columns(resolved_status_date(pending))
        pending = pending.hstack(self._pairs_of(pending))
        # a SMETS1 hub is never DCC stock: left out of the population, and counted
        smets1 = int(pending["smets1_hub"].sum())
        if smets1:
            self.smets1_left_out += smets1
            pending = pending.filter(~pl.col("smets1_hub"))
        n_pairs = self.outlook.pairs.height
        if self._strand is None or self._strand.shape[0] != n_pairs:
            self._strand = _stranded_days(self.outlook, int(self.t[0]), int(self.t[-1]))
        return pending, n_pairs, self._strand

    def count(self, pending: pl.DataFrame, n_pairs: int, strand: npt.NDArray[np.bool_]) -> None:
        """Add a staged chunk's hubs (:meth:`stage`) to the sums."""
        chf, gpf = DeviceDays.of(pending, "chf"), DeviceDays.of(pending, "gpf")
        # returned: either device's history held a status other than Pending (see eligibility.backstop)
        returned = chf.came_back | gpf.came_back
        since = pending["status_since"]
        # months pending, computed once per distinct status date
        self.ages.append(
            pending.group_by("status_since")
            .agg(pl.len().alias("hubs"))
            .drop_nulls("status_since")
            .select(_months_pending(self.start), "hubs")
        )
        # without the per-hub table, an empty slice keeps its columns; with it, the pair's columns
        # are its id until the end (a few bytes a hub, not five strings)
        kept = pending if self.per_hub else pending.clear()
        self.hubs.append(
            kept.select(
                _ROW, "device_id" if self.per_hub else pl.lit(None, pl.String).alias("device_id"),
                "supplier", pl.col("pair_id").cast(pl.Int32), "status_since",
                pl.Series("returned", returned if self.per_hub else [], pl.Boolean),
            )
        )  # fmt: skip
        m = self.m
        pair = pending["pair_id"].to_numpy().astype(np.int64)
        self.returned += int(returned.sum())
        self.pair_hubs = _grow(self.pair_hubs, n_pairs) + np.bincount(pair, minlength=n_pairs)
        k_tsat = month_index(self.t, days(pending["tsat_install_end"]), "right")
        beyond = chf.plus_months(BACKSTOP_MONTHS)[returned]
        years, slot = _year_slots(since)
        for pol in self.policies:
            c = self.counts[pol.name]
            day = hub_removal_days(pol, chf, gpf)
            c.removal.append(_dates(day if self.per_hub else day[:0], f"removal_date_{pol.name}"))
            k = month_index(self.t, day, "left")
            lost = _lost(strand, self.t, pair, day, k)
            code = ((pair * len(years) + slot) * (m + 2) + k) * 2 + lost
            cells = np.bincount(code, minlength=n_pairs * len(years) * (m + 2) * 2)
            cells = cells.reshape(n_pairs, len(years), m + 2, 2)
            for s, year in enumerate(years):
                c.cohorts[year] = _grow(c.cohorts.get(year, cells[:0, s]), n_pairs) + cells[:, s]
            tsat = gone_histogram(pair, np.minimum(k, k_tsat), n_pairs, m)
            c.tsat = tsat if c.tsat is None else _grow(c.tsat, n_pairs) + tsat
            joint = backstop_joint(self.t, beyond, k[returned])
            c.backstop = joint if c.backstop is None else c.backstop + joint

    def report(self, supplier: str | None, tariff: float | None) -> RiskReport:
        """The report from the sums."""
        m, dates, start = self.m, self.dates, self.start
        outlook = self.outlook
        pairs = outlook.pairs
        n_pairs = pairs.height
        stranded = outlook.stranded_matrix(dates)
        # stranded months of a hub on the SMI up to month k: cumulative over k >= 1
        stranded_cum = np.cumsum(np.where(np.arange(m + 1)[None, :] >= 1, stranded, False), axis=1)
        # a hub removed at month index k was charged for its stranded months up to k - 1
        charged = stranded_cum[:, np.clip(np.arange(m + 2) - 1, 0, m)]
        known_years = sorted(y for c in self.counts.values() for y in c.cohorts if y is not None)
        years = list(range(known_years[0], known_years[-1] + 1)) if known_years else []
        monthly, backstop, outcomes = [], [], []
        per_cohort: dict[str, dict[str, npt.NDArray[np.int64]]] = {}
        cohort_hubs = np.zeros((n_pairs, len(years) + 1), dtype=np.int64)
        for pol in self.policies:
            c = self.counts[pol.name]
            cells = np.zeros((n_pairs, len(years) + 1, m + 2, 2), dtype=np.int64)
            for year, a in c.cohorts.items():
                cells[:, len(years) if year is None else year - years[0]] += _grow(a, n_pairs)
            by_k = cells.sum(axis=3)  # [pair, year, k]
            cohort_hubs = by_k.sum(axis=2)
            frame, removed_before = monthly_figures(
                pol.name,
                dates,
                by_k.sum(axis=(0, 1)),
                cells[..., 1].sum(axis=(0, 1)),
                by_k.sum(axis=1),
                _grow(c.tsat, n_pairs) if c.tsat is not None else np.zeros((n_pairs, m + 2), np.int64),
                stranded,
            )
            monthly.append(frame)
            joint = c.backstop if c.backstop is not None else np.zeros((m + 2, m + 2), np.int64)
            gap = backstop_from_joint(joint)
            backstop.append(
                pl.DataFrame(
                    {
                        "policy": pol.name,
                        "month": np.arange(m + 1),
                        "date": dates,
                        "returned_beyond_12_on_smi": gap,
                    },
                    schema_overrides={"month": pl.Int64, "returned_beyond_12_on_smi": pl.Int64},
                )
            )
            per_cohort[pol.name] = {
                "removed_before_start": by_k[:, :, 0],
                "removed": by_k[:, :, : m + 1].sum(axis=2),
                "usable_lost": cells[..., 1].sum(axis=2),
                "stranded_on_smi_at_end": by_k[:, :, m + 1] * stranded[:, m][:, None],
                "stranded_hub_months": (by_k * charged[:, None, :]).sum(axis=2),
            }
            last = frame.row(m, named=True)
            outcomes.append(
                PolicyOutcome(
                    policy=pol.name,
                    description=pol.describe(),
                    removed=last["removed"],
                    removed_before_start=removed_before,
                    removed_in_horizon=last["removed"] - removed_before,
                    usable_lost=last["usable_lost_cumulative"],
                    stranded_on_smi_at_end=last["stranded_on_smi"],
                    stranded_hub_months=last["stranded_hub_months_cumulative"],
                    stranded_charge_gbp=None
                    if tariff is None
                    else round(last["stranded_hub_months_cumulative"] * tariff, 2),
                    installable_at_end=last["installable"],
                    returned_hubs=self.returned,
                    backstop_beyond_12_at_end=int(gap[m]),
                    backstop_hub_months=int(gap[1:].sum()),
                )
            )
        end = dates[-1]
        pair_hubs = _grow(self.pair_hubs, n_pairs)
        counted = pairs.with_columns(pl.Series("hubs", pair_hubs, pl.Int64))
        sd = pl.col("stranding_date")

        def hubs_where(cond: pl.Expr) -> int:
            return int(counted.select(pl.col("hubs").filter(cond).sum()).item())

        summary = RiskSummary(
            start=start,
            months=m,
            end=end,
            supplier=supplier,
            reference=self.engine.reference.info,
            tariff_gbp_per_hub_month=tariff,
            pending_hubs=int(pair_hubs.sum()),
            stranded_at_start=hubs_where(sd == start),
            stranding_within_horizon=hubs_where((sd > start) & (sd <= end)),
            stranding_later=hubs_where(sd > end),
            upgrade_path_assumed_hubs=hubs_where(pl.col("upgrade_path_assumed")),
            smets1_left_out=self.smets1_left_out,
            policies=tuple(outcomes),
        )
        stranding = (
            counted.filter(~pl.col("smets1_hub"))
            .with_columns(pl.when(pl.col("hubs") > 0).then(pl.col("hubs")).cast(pl.UInt32))
            .select(
                *PAIR_KEY,
                "hubs",
                "stranded_at_start",
                "stranding_date",
                "stranding_code",
                "stranding_evidence",
            )
            .sort("stranding_date", *PAIR_KEY, nulls_last=True)
        )
        ages = (
            pl.concat(self.ages)
            .group_by("months_pending")
            .agg(pl.col("hubs").sum().cast(pl.UInt32))
            .sort("months_pending")
        )
        return RiskReport(
            summary=summary,
            monthly=pl.concat(monthly),
            stranding=stranding,
            cohorts=cohort_table(pairs, years, cohort_hubs, per_cohort),
            rotation=rotation_table(pl.concat(self.stretches)),
            backstop=pl.concat(backstop),
            age_profile=ages,
            hubs=self._per_hub(),
        )

    def _per_hub(self) -> pl.DataFrame:
        """Every hub's row, in inventory order (a hub whose GPF row came later waited for it)."""
        removals = [f"removal_date_{name}" for name in self.counts]
        frame = pl.concat(self.hubs).with_columns(
            pl.concat(c.removal).alias(col) for col, c in zip(removals, self.counts.values(), strict=True)
        )
        if not frame[_ROW].is_sorted():
            frame = frame.sort(_ROW)
        # pair ids are the pairs' row numbers: their columns are gathered once, at the end
        pairs = self.outlook.pairs.select(*PAIR_KEY, "stranding_date", "stranding_code")
        pair = frame["pair_id"]
        return frame.select(
            "device_id", "supplier", *(pairs[c].gather(pair) for c in PAIR_KEY), "status_since", "returned",
            *(pairs[c].gather(pair) for c in ("stranding_date", "stranding_code")), *removals,
        )  # fmt: skip


def _lost(
    strand: npt.NDArray[np.bool_],
    t: npt.NDArray[np.int64],
    pair: npt.NDArray[np.int64],
    day: npt.NDArray[np.int64],
    k: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Per hub: removed within the horizon while its pair still had a plan
    (:func:`eligibility.sweep.lost_on_removal`, read from :func:`_stranded_days` of the horizon)."""
    in_horizon = (k >= 1) & (k <= len(t) - 1)
    lost = np.zeros(len(day), dtype=bool)
    lost[in_horizon] = ~strand[pair[in_horizon], day[in_horizon] - t[0]]
    return lost


def _stranded_days(outlook: FirmwareOutlook, first: int, last: int) -> npt.NDArray[np.bool_]:
    """``[pair, day - first]``: whether the pair is stranded on each day ``first`` ... ``last``
    (days since 1970, from the outlook's start on), filled from its steps: hundreds of rows."""
    table = np.zeros((outlook.pairs.height, last - first + 1), dtype=bool)
    steps = outlook.steps.sort("pair_id", "from_date")
    for pair, since, stranded in zip(
        steps["pair_id"].to_list(),
        days(steps["from_date"]).tolist(),
        steps["stranded"].to_list(),
        strict=True,
    ):
        table[pair, max(since - first, 0) :] = stranded  # a later step overwrites the days after it
    return table


def _dates(day: npt.NDArray[np.int64], name: str) -> pl.Series:
    """Days since 1970 as dates (:data:`NEVER`: null)."""
    return (
        pl.Series(name, np.where(day == NEVER, 0, day), pl.Int32)
        .cast(pl.Date)
        .scatter(np.nonzero(day == NEVER)[0], None)
    )


def _epoch_day(d: date) -> int:
    """A date as days since 1970 (as :func:`eligibility.sweep.days` gives them)."""
    return (d - date(1970, 1, 1)).days


def _year_slots(since: pl.Series) -> tuple[list[int | None], npt.NDArray[np.int64]]:
    """The distinct years of ``since`` (None last, for an unknown date), and each hub's index in them."""
    year = since.dt.year()
    known = year.drop_nulls().unique().sort().to_list()
    slots: list[int | None] = [*known, None]
    lo = known[0] if known else 0
    if known and known[-1] - lo < 256:  # the usual fleet: a few years, an offset suffices
        index = np.full(known[-1] - lo + 1, -1, dtype=np.int64)
        index[np.array(known, dtype=np.int64) - lo] = np.arange(len(known))
        y = year.fill_null(lo).to_numpy().astype(np.int64) - lo
        slot = np.where(year.is_null().to_numpy(), len(known), index[y])
    else:
        mapping = {y: n for n, y in enumerate(known)}
        slot = (
            year.replace_strict(mapping, default=len(known), return_dtype=pl.Int64)
            .fill_null(len(known))
            .to_numpy()
        )
    return slots, slot.astype(np.int64)


def fleet_risk(
    inventory: pl.DataFrame | pl.LazyFrame,
    start: date,
    months: int,
    policies: Sequence[Policy],
    reference: Reference,
    *,
    supplier: str | None = None,
    tariff_gbp_per_hub_month: float | None = None,
    engine: Engine | None = None,
    chunk_rows: int = CHUNK_ROWS,
    per_hub: bool = True,
) -> RiskReport:
    """The risk report of a normalised inventory from ``start`` over ``months`` months.

    ``inventory`` may be lazy (``pl.scan_parquet`` of a normalised inventory): it is then read
    ``chunk_rows`` rows at a time and never held whole. ``per_hub`` false leaves the per-hub
    table (``hubs``, one row per pending hub) empty: a fleet of millions need not hold it.

    >>> # see tests/test_risk.py for fleets computed by hand
    >>> fleet_risk.__name__
    'fleet_risk'

    Raises ValueError when ``months`` is not 1 to 600, ``policies`` is empty or ``chunk_rows`` < 1.
    """
    if not 1 <= months <= 600 or not policies:
        raise ValueError("months must be 1 to 600 and at least one policy is needed")
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows: {chunk_rows}; give 1 or more")
    policies = list({p.name: p for p in policies}.values())  # a policy named twice is compared once
    engine = engine or Engine(reference)
    tally = _Tally(engine, start, months, policies, per_hub=per_hub)
    # whether a CHF naming its GPF may wait for the GPF's row: not when the inventory has none
    expect_gpf = (
        not isinstance(inventory, pl.DataFrame)
        or inventory.select((pl.col("device_type") == "GPF").any()).item()
    )
    pairing = HubPairing(expect_gpf=bool(expect_gpf), by_supplier=True)
    wanted = None if supplier is None else supplier.strip().lower()

    # one thread counts a chunk while this one reads, pairs and stages the next (both release the GIL)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hubcheck-risk") as counter:
        counting: Future[None] | None = None

        def feed(paired: pl.DataFrame) -> None:
            nonlocal counting
            hubs = paired.with_columns(pl.col("supplier").fill_null("(none)"))
            if wanted is not None:
                hubs = hubs.filter(pl.col("supplier").str.strip_chars().str.to_lowercase() == wanted)
            staged = tally.stage(hubs)
            if counting is not None:
                counting.result()  # one count at a time, in order; its error is raised here
            counting = counter.submit(tally.count, *staged)

        for chunk in _chunks(inventory, chunk_rows):
            feed(pairing.feed(chunk))
        waited = pairing.finish()
        if waited.height:
            feed(waited)
        if counting is not None:
            counting.result()
    return tally.report(supplier, tariff_gbp_per_hub_month)
