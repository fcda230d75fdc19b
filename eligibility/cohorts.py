"""The cohort table: Device Model x firmware x year the hub went pending, per policy.

Each hub falls in one cohort, numbered ``pair * (years + 1) + year`` (the last year slot for an
unknown status date); every figure is a weighted ``bincount`` over that number, so the table
costs one pass over the hubs per policy, whatever the fleet's size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from eligibility.stranding import PAIR_KEY

__all__ = ["COHORT_FIGURES", "Cohorts", "cohort_table"]

#: The per-policy figures of a cohort, each a sum over its hubs.
COHORT_FIGURES = (
    "removed_before_start",
    "removed",
    "usable_lost",
    "stranded_on_smi_at_end",
    "stranded_hub_months",
)


@dataclass(frozen=True)
class Cohorts:
    """Every hub's cohort number, and the pairs and years the numbers decode to."""

    key: npt.NDArray[np.int64]
    years: list[int]
    n_pairs: int

    @classmethod
    def of(cls, pair: npt.NDArray[np.int64], pending_since: pl.Series, n_pairs: int) -> Cohorts:
        """Cohorts of hubs given their pair ids and status dates."""
        year = pending_since.dt.year()
        lo = int(year.min()) if year.null_count() < len(year) else 0  # type: ignore[arg-type]
        hi = int(year.max()) if year.null_count() < len(year) else -1  # type: ignore[arg-type]
        slots = hi - lo + 2  # the last slot: status date unknown
        y = (year - lo).fill_null(slots - 1).to_numpy().astype(np.int64)
        return cls(pair * slots + y, list(range(lo, hi + 1)), n_pairs)

    @property
    def _slots(self) -> int:
        return len(self.years) + 1

    def _sum(self, weights: npt.NDArray[np.generic] | None = None) -> npt.NDArray[np.int64]:
        out = np.bincount(self.key, weights=weights, minlength=self.n_pairs * self._slots)
        return out.astype(np.int64)

    def table(
        self, pairs: pl.DataFrame, per_policy: dict[str, dict[str, npt.NDArray[np.generic]]]
    ) -> pl.DataFrame:
        """One row per non-empty cohort and policy: the pair's key and stranding date, hubs, the figures."""
        shape = (self.n_pairs, self._slots)
        sums = {
            policy: {name: self._sum(figures[name]).reshape(shape) for name in COHORT_FIGURES}
            for policy, figures in per_policy.items()
        }
        return cohort_table(pairs, self.years, self._sum().reshape(shape), sums)


def cohort_table(
    pairs: pl.DataFrame,
    years: list[int],
    hubs: npt.NDArray[np.int64],
    per_policy: dict[str, dict[str, npt.NDArray[np.int64]]],
) -> pl.DataFrame:
    """The cohort table from sums ``[pair_id, year slot]`` (the last slot: status date unknown):
    ``hubs``, and per policy one array per :data:`COHORT_FIGURES`. One row per non-empty cohort
    and policy: the pair's key and stranding date, hubs, the figures."""
    slots = len(years) + 1
    flat = hubs.ravel()
    present = np.nonzero(flat)[0]
    pair_of = present // slots
    year_slot = present % slots
    year_of = pl.Series(
        "pending_year", [years[s] if s < len(years) else None for s in year_slot.tolist()], pl.Int32
    )
    base = pl.DataFrame({"pair_id": pair_of.astype(np.int64), "hubs": flat[present]}).with_columns(year_of)
    base = base.join(pairs.select("pair_id", *PAIR_KEY, "stranding_date"), on="pair_id", how="left")
    frames = []
    for policy, figures in per_policy.items():
        cols = {name: figures[name].ravel()[present].astype(np.int64) for name in COHORT_FIGURES}
        frames.append(
            base.with_columns(pl.lit(policy).alias("policy"), *(pl.Series(k, v) for k, v in cols.items()))
        )
    if not frames:
        return base
    return (
        pl.concat(frames)
        .select(*PAIR_KEY, "pending_year", "policy", "hubs", "stranding_date", *COHORT_FIGURES)
        .with_columns(pl.col("hubs").cast(pl.Int64))
        .sort(*PAIR_KEY, "pending_year", "policy", nulls_last=True)
    )
