"""How a synthetic fleet is drawn, chunk by chunk (see :mod:`cpl_data.synth` for what and why).

Everything is vectorised (numpy, polars): per chunk, a few arrays of n hubs, then 2 n rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from cpl_data._hexcols import hex_series
from eligibility.catalogue import Catalogue
from eligibility.cpl import Cpl
from eligibility.errors import ReferenceDataMissing
from eligibility.identifiers import DeviceModel
from eligibility.reference import Reference
from eligibility.releases import ModelReleases
from eligibility.window import support_window

__all__ = [
    "NORTH_MANUFACTURERS",
    "SUPPLIERS",
    "FleetMix",
    "FleetModel",
    "FleetModels",
    "draw_chunk",
    "fleet_models",
]

#: Fictional energy suppliers, largest first.
SUPPLIERS: Final[tuple[str, ...]] = (
    "Ampere Energy",
    "Brightwater Power",
    "Calder Gas & Electric",
    "Dunmore Energy",
    "Evenlode Supply",
    "Fernhill Power",
    "Greystone Energy",
    "Harrow Utilities",
    "Iverley Energy",
    "Juniper Home Energy",
    "Kestrel Power",
    "Larkspur Energy",
)
_HUB = "Communications Hub"
_EPOCH = date(1970, 1, 1)
_4G_FROM = date(2023, 6, 1)
# status and region codes drawn per hub index these tables
_STATUSES: Final = [
    "Pending",
    "InstalledNotCommissioned",
    "Commissioned",
    "Decommissioned",
    "Withdrawn",
    "Suspended",
]
_REGIONS: Final = ["North", "Central", "South", "4G North", "4G Central", "4G South", "SMETS1"]
_SMETS1_REGION: Final = _REGIONS.index("SMETS1")
#: The CSP that delivers each manufacturer's hubs: Arqiva (North) takes EDMI's; Telefonica/VMO2
#: (Central and South) takes Toshiba's and WNC's (1072, and 5401 on the first issues).
NORTH_MANUFACTURERS: Final = frozenset({"106C"})
_Category = Literal["stock", "returned", "inc", "commissioned", "other"]
_CATEGORIES: Final[tuple[_Category, ...]] = ("stock", "returned", "inc", "commissioned", "other")


@dataclass(frozen=True)
class FleetMix:
    """How a synthetic fleet is made up; every share is of all hubs unless it says otherwise."""

    stock: float = 0.05  # Pending since delivery, never left the warehouse
    returned: float = 0.015  # commissioned once, decommissioned, back to Pending
    installed_not_commissioned: float = 0.005
    other: float = 0.01  # Decommissioned, Withdrawn, Suspended
    stock_age_days: float = 240.0  # mean age of warehouse stock
    stock_without_history: float = 0.5  # share of stock whose history is absent
    stock_undated: float = 0.01  # share of stock whose status date is unknown
    late_firmware: float = 0.15  # share of stock delivered with N-1 rather than N
    gpf_later: float = 0.02  # GPF status set a few days after its CHF's (and no history)
    gpf_undated: float = 0.005
    unknown_firmware: float = 0.001  # firmware the CPL never listed for the model
    unlisted_model: float = 0.0005  # a Device Model the CPL does not know
    four_g: float = 0.5  # share of hubs delivered from mid-2023 that are 4G
    tsat_months: int = 48
    wrong_type_model: float = 0.0  # a CHF recorded with a meter's Device Model (a data error)
    #: manufacturers whose hubs the North CSP delivers; every other SMETS2 hub is Central or South
    north: frozenset[str] = NORTH_MANUFACTURERS

    def __post_init__(self) -> None:
        shares = (self.stock, self.returned, self.installed_not_commissioned, self.other)
        if any(not 0 <= s <= 1 for s in shares) or sum(shares) > 1 or not 0 <= self.wrong_type_model <= 1:
            raise ValueError("the status shares must be between 0 and 1 and add up to at most 1")
        if self.stock_age_days <= 0 or self.tsat_months < 1:
            raise ValueError("stock_age_days must be positive and tsat_months at least 1")


@dataclass(frozen=True)
class FleetModel:
    """What the generator needs of one hub Device Model."""

    dm: DeviceModel
    weight: float
    start: int  # first day it can be delivered (days since 1970-01-01)
    end: int  # last day
    points: npt.NDArray[np.int64]  # days at which production's firmware may change
    n_fw: npt.NDArray[np.int64]  # index in the firmware table of N at each point
    prev_fw: npt.NDArray[np.int64]  # ... of N-1 (N when there is none)
    north: bool
    dual_band: bool
    smets1: bool  # a SMETS1 hub: enrolled through the SMETS1 service, never DCC stock


def _day(d: date) -> int:
    return (d - _EPOCH).days


def _production_at(rel: ModelReleases, d: date) -> tuple[str, str]:
    """N and N-1 at ``d``; when nothing is in production, the last version listed by then."""
    w = support_window(rel, d, 1)
    if w.n is not None:
        return w.n, w.n_minus_1 or w.n
    listed = [r.firmware for r in rel.releases if not r.future and (r.listed_on is None or r.listed_on <= d)]
    fw = listed[-1] if listed else next(r.firmware for r in rel.releases if not r.future)
    return fw, fw


@dataclass(frozen=True)
class FleetModels:
    """What every chunk draws from: the hub models, the firmware table, and meters' models (for mistakes)."""

    models: list[FleetModel]
    firmware: list[str]
    meters: list[DeviceModel]


def fleet_models(cpl: Cpl, catalogue: Catalogue | None, as_of: date, seed: int, mix: FleetMix) -> FleetModels:
    """The hub models a fleet at ``as_of`` is drawn from, with when each was delivered and its firmware.

    Raises ReferenceDataMissing when the CPL lists no SMETS2 Communications Hub by ``as_of``.
    """
    ref = Reference(cpl, catalogue)
    rng = np.random.default_rng([seed, 1])
    firmware: dict[str, int] = {}
    models: list[FleetModel] = []
    first_issue = min((i.issued_on for i in cpl.history), default=cpl.issued_on)
    for dm in sorted(cpl.device_models(_HUB), key=str):
        rel = ref.releases(dm)
        assert rel is not None
        listed = [r for r in rel.releases if not r.future]
        starts = [r.listed_on or first_issue for r in listed]
        start = min(starts)
        removed = [r.removed_on for r in listed]
        end = (
            as_of if any(x is None for x in removed) else min(as_of, max(x for x in removed if x is not None))
        )
        if start > as_of:
            continue
        days = sorted({start, *(d for d in rel.change_dates() if start < d <= end)})
        n_fw, prev_fw = [], []
        for d in days:
            n, prev = _production_at(rel, d)
            n_fw.append(firmware.setdefault(n, len(firmware)))
            prev_fw.append(firmware.setdefault(prev, len(firmware)))
        models.append(
            FleetModel(
                dm=dm,
                weight=float(sum(len(r.entries) for r in listed)),
                start=_day(start),
                end=_day(max(start, end)),
                points=np.array([_day(d) for d in days], dtype=np.int64),
                n_fw=np.array(n_fw, dtype=np.int64),
                prev_fw=np.array(prev_fw, dtype=np.int64),
                north=dm.manufacturer in mix.north,
                dual_band=bool(rng.random() < 0.3),
                smets1=rel.smets1_hub,
            )
        )
    if not any(not m.smets1 for m in models):
        raise ReferenceDataMissing(
            f"CPL {cpl.version} lists no SMETS2 Communications Hub on or before {as_of.isoformat()}: there is "
            "nothing to draw a fleet from; import a CPL with hubs, or choose a later --as-of"
        )
    meters = sorted(dm for dm in cpl.device_models() if dm not in set(cpl.device_models(_HUB)))
    return FleetModels(models, list(firmware), meters)


def _expo(rng: np.random.Generator, mean: float, n: int) -> npt.NDArray[np.int64]:
    return rng.exponential(mean, n).astype(np.int64)


def _between(
    rng: np.random.Generator, lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """A day uniformly between ``lo`` and ``hi`` (both included; ``hi`` below ``lo`` gives ``lo``)."""
    span = np.maximum(hi - lo, 0)
    step: npt.NDArray[np.int64] = (rng.random(len(lo)) * (span + 1)).astype(np.int64).clip(max=span)
    return lo + step


def _dates(days: npt.NDArray[np.int64]) -> pl.Series:
    return pl.Series(days.astype(np.int32)).cast(pl.Date)


def _lookup(table: Sequence[str], index: npt.NDArray[np.int64], name: str) -> pl.Series:
    """Text column from a small table and one index per row (one gather, no per-row object)."""
    return pl.Series(name, table, dtype=pl.String).gather(index)


def _odd_values(rng: np.random.Generator, share: float, n: int) -> tuple[npt.NDArray[np.bool_], pl.Series]:
    """Which of ``n`` hubs get a random 8-hex value (a firmware or model nobody listed), and the values."""
    odd = rng.random(n) < share
    return odd, hex_series(rng.integers(0, 2**32, int(odd.sum()), dtype=np.uint64), 4)


def _with_odd(
    base: list[str], index: npt.NDArray[np.int64], odd: npt.NDArray[np.bool_], values: pl.Series
) -> tuple[pl.Series, npt.NDArray[np.int64]]:
    table = pl.concat([pl.Series(base, dtype=pl.String), values])
    index = index.copy()
    index[odd] = len(base) + np.arange(int(odd.sum()))
    return table, index


def _delivered_on(
    rng: np.random.Generator,
    models: list[FleetModel],
    day: npt.NDArray[np.int64],
    eligible: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For hubs delivered on ``day``, an ``eligible`` model being delivered then (by weight), and the day
    kept within those models' years. So a model's share of the fleet grows with the days it was
    delivered: one listed for 13 days (5401/57310001) gets hubs only on those 13 days."""
    starts = np.array([m.start for m in models], dtype=np.int64)
    ends = np.array([m.end for m in models], dtype=np.int64)
    weights = np.where(eligible, np.array([m.weight for m in models]), 0.0)
    day = np.clip(day, starts[eligible].min(), ends[eligible].max())
    # the days on which the set of models delivered changes, and each span's cumulative weights
    bp = np.unique(np.concatenate([starts[eligible], ends[eligible] + 1]))
    active = (starts[None, :] <= bp[:, None]) & (ends[None, :] >= bp[:, None])
    cum = np.cumsum(active * weights[None, :], axis=1)
    span = np.searchsorted(bp, day, side="right") - 1
    total = cum[span, -1]
    # one sorted array for every span (each offset past the one before), so one searchsorted picks
    # every hub's model: the first whose cumulative weight passes the hub's draw in its span
    big = weights.sum() + 1.0
    flat = (cum + big * np.arange(len(bp))[:, None]).ravel()
    u = rng.random(len(day)) * total + big * span
    pick = np.searchsorted(flat, u, side="right") - span * len(models)
    # a day between listings (no model delivered): any SMETS2 model by weight, on a day it was delivered
    gap = total <= 0
    if gap.any():
        pick[gap] = rng.choice(len(models), size=int(gap.sum()), p=weights / weights.sum())
        day[gap] = np.clip(day[gap], starts[pick[gap]], ends[pick[gap]])
    return pick.astype(np.int64), day


def draw_chunk(
    fm: FleetModels,
    mix: FleetMix,
    seed: int,
    chunk: int,
    first: int,
    n: int,
    as_of: date,
) -> pl.DataFrame:
    """``n`` hubs as ``2 n`` rows (CHF then GPF); columns are built row-interleaved from the start."""
    models, fw_table = fm.models, fm.firmware
    rng = np.random.default_rng([seed, 0, chunk])
    today = _day(as_of)
    shares = [mix.stock, mix.returned, mix.installed_not_commissioned]
    shares += [1 - sum(shares) - mix.other, mix.other]
    cat = rng.choice(len(_CATEGORIES), size=n, p=shares)
    stock, returned, inc, other = (cat == _CATEGORIES.index(c) for c in ("stock", "returned", "inc", "other"))
    # the delivery day first, then a model being delivered that day (by its weight). Warehouse stock
    # is young (exponential age); other hubs were delivered any day of the list's years. What waits in
    # a DCC hub's life (stock, returned, installed but not commissioned) is SMETS2 only: a SMETS1 hub
    # is never DCC stock; installed hubs are of any model.
    is_smets1 = np.array([m.smets1 for m in models])
    first_day = np.array([m.start for m in models])
    stock_model, stock_day = _delivered_on(rng, models, today - _expo(rng, mix.stock_age_days, n), ~is_smets1)
    any_day = _between(rng, np.full(n, first_day[~is_smets1].min()), np.full(n, today - 30))
    smets2_model, smets2_day = _delivered_on(rng, models, any_day, ~is_smets1)
    any_day = _between(rng, np.full(n, first_day.min()), np.full(n, today - 30))
    any_model, any_day = _delivered_on(rng, models, any_day, np.ones(len(models), dtype=bool))
    mi = np.select([stock, returned | inc], [stock_model, smets2_model], any_model)
    delivered = np.select([stock, returned | inc], [stock_day, smets2_day], any_day)
    smets1 = is_smets1[mi]
    now = np.full(n, today)

    installed = np.minimum(delivered + _expo(rng, 60, n), today)
    decommissioned = _between(rng, installed, now)
    back = np.minimum(decommissioned + _expo(rng, 20, n), today)
    inc_day = np.maximum(today - _expo(rng, 20, n), delivered)
    since = np.select(
        [stock, returned, inc, other], [delivered, back, inc_day, _between(rng, delivered, now)], installed
    )
    written = np.select(
        [stock | inc | other, returned],
        [delivered, _between(rng, installed, decommissioned)],
        _between(rng, installed, now),
    )

    # firmware: production's N (or N-1 for late stock) on the day it was last written
    fw = np.empty(n, dtype=np.int64)
    late = stock & (rng.random(n) < mix.late_firmware)
    for k, m in enumerate(models):
        sel = mi == k
        at = (np.searchsorted(m.points, written[sel], side="right") - 1).clip(0)
        fw[sel] = np.where(late[sel], m.prev_fw[at], m.n_fw[at])
    fw_values, fw = _with_odd(fw_table, fw, *_odd_values(rng, mix.unknown_firmware, n))
    # now and then a CHF recorded with a meter's model (a data error), or a model nobody listed
    dm_index = mi.copy()
    wrong = (rng.random(n) < mix.wrong_type_model) & bool(fm.meters)
    if wrong.any():
        dm_index[wrong] = len(models) + rng.integers(0, len(fm.meters), int(wrong.sum()))
    all_models = [m.dm for m in models] + fm.meters
    model_values, model = _with_odd(
        [dm.model for dm in all_models], dm_index, *_odd_values(rng, mix.unlisted_model, n)
    )

    status = np.select([stock | returned, inc, other], [0, 1, 3 + rng.integers(0, 3, n)], 2)
    undated = stock & (rng.random(n) < mix.stock_undated)
    no_history = (stock & (rng.random(n) < mix.stock_without_history)) | undated
    # regions follow the CSPs: North for its manufacturers, Central or South for the others
    north = np.array([m.north for m in models])[mi]
    region = np.where(north, 0, 1 + (rng.random(n) < 0.5))
    region += 3 * ((delivered >= _day(_4G_FROM)) & (rng.random(n) < mix.four_g))
    region = np.where(smets1, _SMETS1_REGION, region)
    supplier_w = 1 / np.arange(1, len(SUPPLIERS) + 1)
    supplier = rng.choice(len(SUPPLIERS), size=n, p=supplier_w / supplier_w.sum())
    dual = np.array([m.dual_band for m in models], dtype=np.int64)[mi]
    gpf_later = rng.random(n) < mix.gpf_later
    gpf_undated = rng.random(n) < mix.gpf_undated
    gpf_since = np.minimum(since + rng.integers(1, 11, n), today)

    # Device IDs: a prefix per manufacturer, then a scrambled serial (CHF even, GPF odd)
    index = np.arange(first, first + n, dtype=np.uint64)
    serial = (index * np.uint64(0x9E3779B1)) & np.uint64((1 << 39) - 1)
    code = np.array([int(m.dm.manufacturer, 16) for m in models], dtype=np.uint64)[mi]
    chf_id = ((np.uint64(0x100000) | code) << np.uint64(40)) | (serial << np.uint64(1))

    two = np.repeat  # every per-hub array becomes two rows, CHF then GPF
    is_gpf = np.tile(np.array([False, True]), n)
    ids = np.bitwise_or(two(chf_id, 2), is_gpf.astype(np.uint64), dtype=np.uint64)
    device_id = hex_series(ids, 8, sep="-", name="device_id")
    row_since = np.where(is_gpf & two(gpf_later, 2), two(gpf_since, 2), two(since, 2))
    row_undated = np.where(is_gpf, two(undated | gpf_undated, 2), two(undated, 2))
    hub_dates = pl.DataFrame(
        {
            k: _dates(v).dt.to_string("%Y-%m-%d")
            for k, v in (("d", delivered), ("c", installed), ("x", decommissioned), ("s", since))
        }
    )
    d, c, x, s_ = (pl.col(k) for k in "dcxs")
    history = hub_dates.select(
        pl.when(pl.Series(returned))
        .then(
            pl.concat_str(
                pl.lit("Pending:"),
                d,
                pl.lit(";Commissioned:"),
                c,
                pl.lit(";Decommissioned:"),
                x,
                pl.lit(";Pending:"),
                s_,
            )
        )
        .when(pl.Series(inc))
        .then(pl.concat_str(pl.lit("Pending:"), d, pl.lit(";InstalledNotCommissioned:"), s_))
        .when(pl.Series(stock & ~no_history))
        .then(pl.concat_str(pl.lit("Pending:"), d))
        .otherwise(None)
    ).to_series()
    rows = two(np.arange(n), 2)
    frame = pl.DataFrame(
        [
            device_id,
            device_id.shift(-1).alias("gpf_device_id"),
            _lookup(["CHF", "GPF"], is_gpf.astype(np.int64), "device_type"),
            _lookup([dm.manufacturer for dm in all_models], two(dm_index, 2), "manufacturer"),
            model_values.gather(two(model, 2)).alias("model"),
            fw_values.gather(two(fw, 2)).alias("firmware"),
            _lookup(_STATUSES, two(status, 2), "status"),
            _dates(row_since).alias("status_since"),
            history.gather(rows).alias("status_history"),
            _lookup(SUPPLIERS, two(supplier, 2), "supplier"),
            _lookup(_REGIONS, two(region, 2), "csp_region"),
            _lookup(["Single Band", "Dual Band"], two(dual, 2), "han_variant"),
            _dates(two(delivered, 2)).dt.offset_by(f"{mix.tsat_months}mo").alias("tsat_install_end"),
        ]
    )
    gpf_row = pl.Series(is_gpf)
    return frame.with_columns(
        gpf_device_id=pl.when(gpf_row).then(None).otherwise(pl.col("gpf_device_id")),
        status_since=pl.when(pl.Series(row_undated)).then(None).otherwise(pl.col("status_since")),
        # a SMETS1 hub has no TSAT installation end: it was never DCC stock
        tsat_install_end=pl.when(pl.Series(two(smets1, 2))).then(None).otherwise(pl.col("tsat_install_end")),
        status_history=pl.when(gpf_row & pl.Series(two(gpf_later, 2)))
        .then(None)
        .otherwise(pl.col("status_history")),
    )
