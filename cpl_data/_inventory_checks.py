"""The inventory's column checks, each with a fast path for what real files mostly hold.

Every check returns a :class:`Checked` column: the normalised values, and (only when some cell
is bad) one reason per row. The fast paths do not change a single answer; they only avoid work:

- low-cardinality columns (manufacturer, model, firmware, status, type, region, HAN, supplier,
  dates read as text) are checked and normalised **on their distinct values**, then mapped back
  by a join (skipped when every value is already canonical);
- Device IDs already canonical (``00-DB-12-34-56-78-90-A0``) pass one regex; only the others are
  normalised;
- status histories are looked at only where present; those already canonical
  (``Pending:2024-01-02;Commissioned:2024-03-04``) skip the rewriting and get only the order check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import polars as pl

from eligibility.dates import EARLIEST, LATEST
from eligibility.smi import DEVICE_TYPES, SMI_STATUSES

__all__ = [
    "CSP_REGIONS",
    "DATE_RANGE",
    "RULES",
    "Checked",
    "by_value",
    "check_dates",
    "check_device_ids",
    "check_history",
]

CSP_REGIONS: Final[tuple[str, ...]] = (
    "North",
    "Central",
    "South",
    "4G North",
    "4G Central",
    "4G South",
    "Unknown",
    "SMETS1",
)

_HEX = "[0-9A-F]"
EUI_DASHED: Final = rf"^{_HEX}{{2}}(-{_HEX}{{2}}){{7}}$"
_EUI_PLAIN = rf"^{_HEX}{{16}}$"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"  # ASCII digits only: one date grammar (eligibility.dates)
_STATUS_ALT = "|".join(SMI_STATUSES)
_HISTORY_LOOSE = (
    rf"^\s*(?i:{_STATUS_ALT})(\s*:\s*{_DATE})?(\s*[;,]\s*(?i:{_STATUS_ALT})(\s*:\s*{_DATE})?)*\s*[;,]?\s*$"
)
_HISTORY_CANON = rf"^({_STATUS_ALT})(:{_DATE})?(;({_STATUS_ALT})(:{_DATE})?)*$"
EUI_WHY: Final = "not a Device ID; expected an EUI-64 as 8 hex octets separated by '-' (00-DB-12-34-56-78-90-A0) or 16 hex digits"
HISTORY_WHY: Final = (
    "expected Status:YYYY-MM-DD;... oldest first, e.g. "
    f"Commissioned:2019-03-01;Decommissioned:2021-05-02;Pending:2021-06-01, dates from {EARLIEST} to {LATEST}"
)
DATE_WHY: Final = "not a date; expected YYYY-MM-DD, e.g. 2026-11-28"
RANGE_WHY: Final = f"out of range; hubcheck takes dates from {EARLIEST} to {LATEST}"
#: The dates an inventory may hold (one range for every date hubcheck takes: eligibility.dates).
DATE_RANGE: Final = (EARLIEST, LATEST)


@dataclass(frozen=True)
class Checked:
    """One column checked: normalised values, and a reason per row where a cell is bad (else None)."""

    values: pl.Series
    why: pl.Series | None = None


Rule = tuple[Callable[[pl.Expr], pl.Expr] | None, Callable[[pl.Expr], pl.Expr], pl.DataType]


def _no_reasons(name: str, n: int) -> pl.Series:
    return pl.repeat(None, n, dtype=pl.String, eager=True).alias(name)


def _nullable(v: pl.Expr) -> pl.Expr:
    s = v.str.strip_chars()
    return pl.when(s == "").then(None).otherwise(s)


def _hex_rule(digits: int, example: str) -> Rule:
    def why(v: pl.Expr) -> pl.Expr:
        u = v.str.strip_chars().str.to_uppercase()
        short = u.str.contains(rf"^{_HEX}+$") & (u.str.len_chars() < digits)
        bad = v.is_null() | ~u.str.contains(rf"^{_HEX}{{{digits}}}$")
        return (
            pl.when(bad & short)
            .then(
                pl.lit(
                    f"{digits} hex digits expected; a spreadsheet may have dropped leading zeros - export the cells as text"
                )
            )
            .when(bad)
            .then(pl.lit(f"{digits} hex digits expected, e.g. {example}"))
        )

    return why, lambda v: v.str.strip_chars().str.to_uppercase(), pl.String()


def _firmware_why(v: pl.Expr) -> pl.Expr:
    fw = v.str.strip_chars().str.to_uppercase().str.replace(r"^0X", "")
    return pl.when(v.is_null() | ~fw.str.contains(rf"^{_HEX}{{1,8}}$")).then(
        pl.lit("not a firmware version; expected 1 to 8 hex digits, e.g. 0C240000")
    )


def _status_key(v: pl.Expr) -> pl.Expr:
    return v.str.strip_chars().str.to_uppercase().str.replace_all(r"[\s_]", "")


def _han(v: pl.Expr) -> pl.Expr:
    s = _nullable(v)
    low = s.str.to_lowercase()
    return (
        pl.when(low.str.contains(r"^single[\s_-]*(band)?$"))
        .then(pl.lit("Single Band"))
        .when(low.str.contains(r"^dual[\s_-]*(band)?$"))
        .then(pl.lit("Dual Band"))
        .otherwise(s)
    )


_STATUS_MAP = {s.upper(): s for s in SMI_STATUSES}
_REGION_MAP = {r.lower(): r for r in CSP_REGIONS}

#: The columns checked on their distinct values: (why, normalise, type).
RULES: Final[dict[str, Rule]] = {
    "manufacturer": _hex_rule(4, "1086"),
    "model": _hex_rule(8, "54311F52"),
    "firmware": (
        _firmware_why,
        lambda v: v.str.strip_chars().str.to_uppercase().str.replace(r"^0X", "").str.zfill(8),
        pl.String(),
    ),
    "status": (
        lambda v: pl.when(v.is_null() | ~_status_key(v).is_in(list(_STATUS_MAP))).then(
            pl.lit("not an SMI status; use one of " + ", ".join(SMI_STATUSES))
        ),
        lambda v: _status_key(v).replace_strict(_STATUS_MAP, default=None, return_dtype=pl.String),
        pl.String(),
    ),
    "device_type": (
        lambda v: pl.when(
            _nullable(v).is_not_null() & ~_nullable(v).str.to_uppercase().is_in(list(DEVICE_TYPES))
        ).then(pl.lit("not a device type; use one of " + ", ".join(DEVICE_TYPES))),
        lambda v: _nullable(v).str.to_uppercase().fill_null("CHF"),
        pl.String(),
    ),
    "csp_region": (
        lambda v: pl.when(
            _nullable(v).is_not_null() & ~_nullable(v).str.to_lowercase().is_in(list(_REGION_MAP))
        ).then(pl.lit("not a CSP region; use one of " + ", ".join(CSP_REGIONS))),
        lambda v: (
            _nullable(v).str.to_lowercase().replace_strict(_REGION_MAP, default=None, return_dtype=pl.String)
        ),
        pl.String(),
    ),
    "han_variant": (None, _han, pl.String()),
    "supplier": (None, _nullable, pl.String()),
    "status_since": (
        lambda v: (
            pl.when(_nullable(v).is_not_null() & _date(v).is_null())
            .then(pl.lit(DATE_WHY))
            .when((_date(v) < EARLIEST) | (_date(v) > LATEST))
            .then(pl.lit(RANGE_WHY))
        ),
        lambda v: _date(v),
        pl.Date(),
    ),
}
RULES["tsat_install_end"] = RULES["status_since"]


def by_value(
    s: pl.Series, rule: Rule, *, row_wise: bool = False, distinct: pl.Series | None = None
) -> Checked:
    """Check and normalise ``s`` on its distinct values, then map back (row by row if most are distinct).

    ``distinct`` may give ``s.unique()`` computed beforehand (with other columns', in parallel);
    ``row_wise`` forces the row-by-row path (the tests check both paths agree).
    """
    why, norm, dtype = rule
    n = s.len()
    if row_wise:
        distinct = s
    elif distinct is None:
        distinct = s.unique()
    base = s if row_wise or distinct.len() > max(256, n // 4) else distinct
    f = base.to_frame("v").select(
        pl.col("v"),
        norm(pl.col("v")).cast(dtype).alias("norm"),
        (why(pl.col("v")) if why is not None else pl.lit(None, pl.String)).cast(pl.String).alias("why"),
    )
    clean = f["why"].null_count() == f.height
    if base is s:
        return Checked(f["norm"].alias(s.name), None if clean else f["why"])
    if clean and f["norm"].dtype == s.dtype and f["norm"].equals(f["v"]):
        return Checked(s)
    mapped = s.to_frame("v").join(f, on="v", how="left", nulls_equal=True, maintain_order="left")
    return Checked(mapped["norm"].alias(s.name), None if clean else mapped["why"])


def _date(v: pl.Expr) -> pl.Expr:
    """A text cell as a date when it is YYYY-MM-DD (and a real date); else null."""
    s = _nullable(v)
    return pl.when(s.str.contains(f"^{_DATE}$")).then(s.str.to_date("%Y-%m-%d", strict=False))


def _in_range(checked: Checked) -> Checked:
    """``checked`` with dates outside EARLIEST..LATEST given a reason (a typo such as 9999-12-31)."""
    d = checked.values
    far = (d < EARLIEST) | (d > LATEST)
    if not far.any():
        return checked
    return Checked(d, pl.select(pl.when(pl.lit(far)).then(pl.lit(RANGE_WHY))).to_series())


def check_dates(s: pl.Series) -> Checked:
    """A date column: dates pass as they are (Parquet), text is parsed on its distinct values;
    either way every date is in range."""
    if s.dtype == pl.Date:
        return _in_range(Checked(s))
    if s.dtype == pl.Datetime:
        return _in_range(Checked(s.dt.date()))
    return by_value(s.cast(pl.String), RULES["status_since"])


def check_device_ids(s: pl.Series, *, required: bool, canonical: bool | None = None) -> Checked:
    """Device IDs: canonical ones pass one regex; the others are upper-cased, dashed, and checked.

    ``canonical`` may say beforehand that every ID is canonical (a survey of the whole frame).
    """
    if canonical:
        return Checked(s)
    ok = s.str.contains(EUI_DASHED).fill_null(not required)
    if ok.all():
        return Checked(s)
    idx = (~ok).arg_true()
    t = pl.col("v").str.strip_chars().str.to_uppercase()
    fixed = (
        s.gather(idx)
        .to_frame("v")
        .select(
            pl.when(t.str.contains(_EUI_PLAIN))
            .then(t.str.replace(r"^(..)(..)(..)(..)(..)(..)(..)(..)$", "$1-$2-$3-$4-$5-$6-$7-$8"))
            .when(t == "")
            .then(None)
            .otherwise(t)
            .alias("norm")
        )
        .with_columns(
            pl.when(pl.col("norm").is_null() if required else pl.lit(False))
            .then(pl.lit(EUI_WHY))
            .when(pl.col("norm").is_not_null() & ~pl.col("norm").str.contains(EUI_DASHED))
            .then(pl.lit(EUI_WHY))
            .alias("why")
        )
    )
    values = s.clone().scatter(idx, fixed["norm"])
    if fixed["why"].null_count() == fixed.height:
        return Checked(values)
    why = _no_reasons(s.name, s.len()).scatter(idx, fixed["why"])
    return Checked(values, why)


def _canonical_history(v: pl.Expr) -> pl.Expr:
    item = pl.element().str.strip_chars()
    status = (
        item.str.extract(r"^([^:]+)", 1)
        .str.strip_chars()
        .str.to_uppercase()
        .replace_strict(_STATUS_MAP, default=None, return_dtype=pl.String)
    )
    when = item.str.extract(r":\s*(\d{4}-\d{2}-\d{2})", 1)
    step = pl.when(when.is_null()).then(status).otherwise(pl.concat_str(status, pl.lit(":"), when))
    return (
        v.str.strip_chars()
        .str.replace_all(r"\s*[;,]\s*", ";")
        .str.strip_chars(";")
        .str.split(";")
        .list.eval(step)
        .list.join(";")
    )


def _unordered(canon: pl.Series) -> pl.Series:
    """True where a canonical history's dates are not real dates or not oldest first."""
    dates = canon.str.extract_all(_DATE)
    longest = dates.list.len().max()
    frame = dates.to_frame("d")
    parsed = pl.element().str.to_date("%Y-%m-%d", strict=False)
    bad = frame.select(
        pl.col("d").list.eval(parsed.is_null() | (parsed < EARLIEST) | (parsed > LATEST)).list.any()
    ).to_series()
    width = int(longest) if isinstance(longest, int) else 0
    for i in range(width - 1):
        pair = frame.select(
            (
                pl.col("d").list.get(i, null_on_oob=True) > pl.col("d").list.get(i + 1, null_on_oob=True)
            ).fill_null(False)
        ).to_series()
        bad = bad | pair
    return bad.fill_null(False)


def check_history(s: pl.Series) -> Checked:
    """Status histories: only present ones are looked at; canonical ones skip the rewriting."""
    idx = s.is_not_null().arg_true()
    if idx.len() == 0:
        return Checked(s)
    sub = s.gather(idx)
    canon_ok = sub.str.contains(_HISTORY_CANON)
    canon = sub
    why = _no_reasons("", sub.len())
    if not canon_ok.all():
        f = sub.to_frame("v").select(
            blank=pl.col("v").str.strip_chars() == "",
            loose=pl.col("v").str.contains(_HISTORY_LOOSE),
            rewritten=_canonical_history(pl.col("v")),
        )
        canon = (
            f.select(
                pl.when(pl.Series(canon_ok))
                .then(pl.Series(sub))
                .when(pl.col("blank"))
                .then(None)
                .when(pl.col("loose"))
                .then(pl.col("rewritten"))
                .otherwise(pl.Series(sub))
            )
            .to_series()
            .alias(s.name)
        )
        why = f.select(pl.when(~pl.col("blank") & ~pl.col("loose")).then(pl.lit(HISTORY_WHY))).to_series()
    unordered = _unordered(canon.fill_null(""))
    why = pl.select(pl.when(pl.lit(unordered)).then(pl.lit(HISTORY_WHY)).otherwise(pl.lit(why))).to_series()
    values = s.clone().scatter(idx, canon)
    if why.null_count() == why.len():
        return Checked(values)
    return Checked(values, _no_reasons(s.name, s.len()).scatter(idx, why))
