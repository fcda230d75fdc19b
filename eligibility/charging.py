"""Before charging: which hubs in stock to exclude from the Stock Level Charge, with evidence.

At a date D, under a housekeeping policy:

- **stock** = hubs (CHF rows, their GPF joined) in 'Pending' and still on the SMI (no removal
  date, or one after D), per supplier;
- **excluded** = stock that could not be commissioned in production at D: the firmware gates
  ``DEVICE_MODEL_NOT_ON_CPL``, ``DEVICE_TYPE_MISMATCH``, ``FIRMWARE_UNKNOWN`` or
  ``NO_UPGRADE_PATH`` block it;
- **chargeable** = stock that is not excluded. Stock = chargeable + excluded, per supplier
  and overall; the report checks it and says so.
- **return due**: stock past its TSAT installation end date stays as it is (chargeable or
  excluded) and is flagged, with a return cost estimate (DP238: redeployable, or by HAN band);
- **dropped**: Pending hubs the inventory holds but the SMI has already removed under the
  policy (or policy timeline); reported apart, never in the stock;
- **SMETS1 hubs** (``SMETS1_HUB``): enrolled through the DCC's SMETS1 service, never DCC stock, so
  the Stock Level Charge does not apply; listed apart with why, never in the stock.

How many answers rest on ``UPGRADE_PATH_ASSUMED`` (no catalogue for the hub's model: the window
and the plan come from the CPL alone) is counted per supplier and overall, and flagged per
excluded hub.

Every excluded hub carries the evidence a charging dispute needs: its firmware (and display),
the window at D, why no plan exists (every constraint that blocks it), and the CPL version and
catalogue used. Tariffs are settings (:class:`ChargingSettings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from eligibility.assessment import assessment_table
from eligibility.engine import Engine
from eligibility.frames import records
from eligibility.hubframe import hub_frame
from eligibility.identifiers import DeviceModel
from eligibility.policy_timeline import Policy
from eligibility.reference import Reference, ReferenceInfo
from eligibility.smi import POLICIES
from eligibility.stranding import PAIR_KEY, STRANDING_CODES, stranding_reason
from eligibility.sweep import hub_removal_date, hub_status_date

__all__ = [
    "EVIDENCE_COLUMNS",
    "SMETS1_COLUMNS",
    "SMETS1_WHY",
    "ChargingReport",
    "ChargingSettings",
    "ChargingTotals",
    "charging_exclusions",
]

#: Columns of the exclusions file, one row per excluded hub.
EVIDENCE_COLUMNS: Final[tuple[str, ...]] = (
    "supplier",
    "device_id",
    "gpf_device_id",
    "manufacturer",
    "model",
    "firmware",
    "firmware_display",
    "reason",
    "message",
    "window_n_minus_1",
    "window_n",
    "window_n_plus_1",
    "window_members",
    "reachable",
    "blockers",
    "upgrade_path_assumed",
    "status_since",
    "removal_date",
    "tsat_install_end",
    "return_due",
    "return_cost_gbp",
    "as_of",
    "policy",
    "cpl_version",
    "cpl_issued_on",
    "catalogue",
)
#: Columns of the SMETS1 hubs listed apart (not stock).
SMETS1_COLUMNS: Final[tuple[str, ...]] = (
    "supplier", "device_id", "manufacturer", "model", "firmware", "status_since", "why",
)  # fmt: skip
NO_SUPPLIER: Final = "(none)"
#: Why a SMETS1 hub is not stock, as the report says it.
SMETS1_WHY: Final = (
    "a SMETS1 hub (its Device Model is listed under SMETS V1.x): enrolled through the DCC's SMETS1 service, "
    "never DCC stock, so the Stock Level Charge does not apply"
)


class ChargingSettings(BaseModel):
    """Tariffs: the Stock Level Charge (not public: give it) and DP238's return charges (examples)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    #: GBP per hub per month; None when unknown (no money figures then).
    stock_charge_gbp_per_hub_month: float | None = Field(default=None, ge=0)
    return_redeployable_gbp: float = Field(default=8.27, ge=0)
    return_single_band_gbp: float = Field(default=30.87, ge=0)
    return_dual_band_gbp: float = Field(default=58.75, ge=0)


class ChargingTotals(BaseModel):
    """The counts for one supplier (or, with ``supplier`` None, for all)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    supplier: str | None
    stock: int
    chargeable: int
    excluded: int
    excluded_by_reason: dict[str, int]
    return_due: int
    return_cost_gbp: float
    dropped_from_smi: int
    status_date_unknown: int
    #: stock whose answer rests on UPGRADE_PATH_ASSUMED (no catalogue for its model)
    upgrade_path_assumed: int
    #: Pending SMETS1 hubs in the inventory: listed apart, not stock
    smets1_not_stock: int
    monthly_charge_gbp: float | None
    monthly_charge_excluded_gbp: float | None
    reconciles: bool


class ChargingSummary(ChargingTotals):
    """The totals of the whole report (``supplier``: the one asked for, or None for all), what
    they were computed from, and the same per supplier: what a charging run reads first."""

    as_of: date
    policy: str
    policy_description: str
    reference: ReferenceInfo
    settings: ChargingSettings
    reconciliation: str
    suppliers: tuple[ChargingTotals, ...]


@dataclass(frozen=True)
class ChargingReport:
    """The summary, and the hubs behind it: ``exclusions`` (with evidence), ``return_due``, ``dropped``,
    ``smets1`` (not stock, with why)."""

    summary: ChargingSummary
    exclusions: pl.DataFrame
    return_due: pl.DataFrame
    dropped: pl.DataFrame
    smets1: pl.DataFrame

    def flat_exclusions(self) -> pl.DataFrame:
        """The exclusions with list columns joined by ``'; '`` (for CSV)."""
        return self.exclusions.with_columns(pl.col(c).list.join("; ") for c in ("reachable", "blockers"))

    def to_json(self) -> dict[str, Any]:
        """The JSON form: the summary's keys (``stock``, ``chargeable``, ``excluded`` as numbers) and the hubs."""
        doc = self.summary.model_dump(mode="json")
        doc["excluded_hubs"] = records(self.exclusions)
        doc["return_due_hubs"] = records(self.return_due)
        doc["dropped_hubs"] = records(self.dropped)
        doc["smets1_hubs"] = records(self.smets1)
        return doc


def _evidence(engine: Engine, pairs: pl.DataFrame, d: date) -> pl.DataFrame:
    """Per (manufacturer, model, firmware): the window at ``d`` (the batch's assessment table)
    and, for the pairs that strand, the blocking code, its message, and why there is no plan."""
    table = assessment_table(engine, pairs, d).select(
        *PAIR_KEY, "firmware_display", "window_n_minus_1", "window_n", "window_n_plus_1", "window_members",
        "firmware_blocking", pl.col("UPGRADE_PATH_ASSUMED").alias("upgrade_path_assumed"),
    )  # fmt: skip
    why = []
    for manufacturer, model, firmware in table.filter("firmware_blocking").select(PAIR_KEY).rows():
        fa = engine.assess_firmware(DeviceModel(manufacturer, model), firmware, d)
        code = stranding_reason(fa)
        why.append(
            {
                "manufacturer": manufacturer,
                "model": model,
                "firmware": firmware,
                "reason": code,
                "message": next((r.message for r in fa.reasons if r.code == code), None),
                "reachable": list(fa.no_plan.reachable) if fa.no_plan else [],
                "blockers": list(fa.no_plan.blockers) if fa.no_plan else [],
            }
        )
    schema: dict[str, pl.DataType] = {
        **dict.fromkeys((*PAIR_KEY, "reason", "message"), pl.String()),
        "reachable": pl.List(pl.String),
        "blockers": pl.List(pl.String),
    }
    return table.drop("firmware_blocking").join(
        pl.DataFrame(why, schema=schema), on=list(PAIR_KEY), how="left"
    )


def _return_cost(settings: ChargingSettings) -> pl.Expr:
    # DP238: a hub that can still be redeployed costs the small charge; one that cannot (here:
    # excluded, no plan) costs its band's. An unknown band is costed as dual band, the dearer.
    band = (
        pl.when(pl.col("han_variant") == "Single Band")
        .then(pl.lit(settings.return_single_band_gbp))
        .otherwise(pl.lit(settings.return_dual_band_gbp))
    )
    cost = pl.when(pl.col("reason").is_null()).then(pl.lit(settings.return_redeployable_gbp)).otherwise(band)
    return pl.when(pl.col("return_due")).then(cost).otherwise(pl.lit(0.0)).alias("return_cost_gbp")


def _totals(
    judged: pl.DataFrame, dropped: pl.DataFrame, smets1: pl.DataFrame, by: list[str], tariff: float | None
) -> pl.DataFrame:
    excl = pl.col("reason").is_not_null()
    aggs = [
        pl.len().alias("stock"),
        (~excl).sum().alias("chargeable"),
        excl.sum().alias("excluded"),
        *((pl.col("reason") == c).sum().alias(c) for c in STRANDING_CODES),
        pl.col("return_due").sum().alias("return_due"),
        pl.col("return_cost_gbp").sum().alias("return_cost_gbp"),
        pl.col("status_since").is_null().sum().alias("status_date_unknown"),
        pl.col("upgrade_path_assumed").fill_null(False).sum().alias("upgrade_path_assumed"),
    ]
    if by:
        t = judged.group_by(by).agg(aggs)
        d = dropped.group_by(by).agg(pl.len().alias("dropped_from_smi"))
        s1 = smets1.group_by(by).agg(pl.len().alias("smets1_not_stock"))
        t = t.join(d, on=by, how="full", coalesce=True).join(s1, on=by, how="full", coalesce=True).sort(by)
    else:
        t = judged.select(aggs).with_columns(
            pl.lit(dropped.height).alias("dropped_from_smi"), pl.lit(smets1.height).alias("smets1_not_stock")
        )
    return t.with_columns(pl.exclude(*by, "return_cost_gbp").fill_null(0).cast(pl.Int64)).with_columns(
        pl.col("return_cost_gbp").fill_null(0.0).round(2)
    )


def _model(row: dict[str, Any], supplier: str | None, tariff: float | None) -> ChargingTotals:
    return ChargingTotals(
        supplier=supplier,
        stock=row["stock"],
        chargeable=row["chargeable"],
        excluded=row["excluded"],
        excluded_by_reason={c: row[c] for c in STRANDING_CODES},
        return_due=row["return_due"],
        return_cost_gbp=row["return_cost_gbp"],
        dropped_from_smi=row["dropped_from_smi"],
        status_date_unknown=row["status_date_unknown"],
        upgrade_path_assumed=row["upgrade_path_assumed"],
        smets1_not_stock=row["smets1_not_stock"],
        monthly_charge_gbp=None if tariff is None else round(row["chargeable"] * tariff, 2),
        monthly_charge_excluded_gbp=None if tariff is None else round(row["excluded"] * tariff, 2),
        reconciles=row["stock"] == row["chargeable"] + row["excluded"],
    )


def charging_exclusions(
    inventory: pl.DataFrame,
    as_of: date,
    reference: Reference,
    policy: Policy = POLICIES["sec-ac-7.2"],
    settings: ChargingSettings | None = None,
    *,
    supplier: str | None = None,
    engine: Engine | None = None,
) -> ChargingReport:
    """The charging report of a normalised inventory (``cpl_data.inventory``) at ``as_of``.

    >>> # see tests/test_charging.py for fleets computed by hand
    >>> ChargingSettings().return_dual_band_gbp
    58.75

    ``supplier`` keeps that supplier's hubs only (compared without case or surrounding spaces).
    ``engine`` lets a caller share its caches (and settings) across reports. Raises nothing on
    an empty selection: every count is then 0.
    """
    settings = settings or ChargingSettings()
    engine = engine or Engine(reference)
    hubs = (
        hub_frame(inventory.lazy())
        .with_columns(hub_status_date(), pl.col("supplier").fill_null(NO_SUPPLIER))
        .collect()
    )
    if supplier is not None:
        hubs = hubs.filter(
            pl.col("supplier").str.strip_chars().str.to_lowercase() == supplier.strip().lower()
        )
    pending = hubs.filter(pl.col("status") == "Pending")
    # a SMETS1 hub is never DCC stock: no housekeeping removes it and no charge is levied on it
    smets1_models = [
        dm for dm in pending.select("manufacturer", "model").unique().rows()
        if (rel := engine.reference.releases(DeviceModel(*dm))) is not None and rel.smets1_hub
    ]  # fmt: skip
    is_smets1 = pl.concat_str("manufacturer", "model").is_in([m + mo for m, mo in smets1_models])
    smets1 = pending.filter(is_smets1)
    pending = pending.filter(~is_smets1).with_columns(hub_removal_date(policy))
    on_smi = pl.col("removal_date").is_null() | (pl.col("removal_date") > as_of)
    stock = pending.filter(on_smi)
    dropped = pending.filter(~on_smi)
    info = engine.reference.info
    judged = (
        stock.join(_evidence(engine, stock, as_of), on=list(PAIR_KEY), how="left", maintain_order="left")
        .with_columns(
            (pl.col("tsat_install_end").is_not_null() & (pl.col("tsat_install_end") < as_of)).alias(
                "return_due"
            )
        )
        .with_columns(_return_cost(settings))
        .with_columns(
            pl.lit(as_of).alias("as_of"),
            pl.lit(policy.name).alias("policy"),
            pl.lit(info.cpl_version).alias("cpl_version"),
            pl.lit(info.cpl_issued_on).alias("cpl_issued_on"),
            pl.lit(info.catalogue, pl.String).alias("catalogue"),
        )
    )
    tariff = settings.stock_charge_gbp_per_hub_month
    per = _totals(judged, dropped, smets1, ["supplier"], tariff)
    overall = _totals(judged, dropped, smets1, [], tariff).row(0, named=True)
    suppliers = tuple(_model(r, r["supplier"], tariff) for r in per.iter_rows(named=True))
    total = _model(overall, None, tariff)
    sums_agree = all(
        sum(getattr(s, k) for s in suppliers) == getattr(total, k)
        for k in ("stock", "chargeable", "excluded")
    )
    reconciles = total.reconciles and sums_agree and all(s.reconciles for s in suppliers)
    reconciliation = f"stock {total.stock} = chargeable {total.chargeable} + excluded {total.excluded}" + (
        ", for every supplier and overall" if reconciles else ": DOES NOT RECONCILE"
    )
    summary = ChargingSummary(
        as_of=as_of,
        policy=policy.name,
        policy_description=policy.describe(),
        supplier=supplier,
        reference=info,
        settings=settings,
        **total.model_dump(exclude={"supplier", "reconciles"}),
        reconciles=reconciles,
        reconciliation=reconciliation,
        suppliers=suppliers,
    )
    excl = (
        judged.filter(pl.col("reason").is_not_null()).select(EVIDENCE_COLUMNS).sort("supplier", "device_id")
    )
    due = judged.filter(pl.col("return_due")).select(
        "supplier", "device_id", "manufacturer", "model", "firmware", "han_variant", "tsat_install_end",
        "reason", "return_cost_gbp",
    ).sort("supplier", "device_id")  # fmt: skip
    gone = dropped.select(
        "supplier", "device_id", "manufacturer", "model", "firmware", "status_since", "removal_date"
    ).sort("supplier", "device_id")
    apart = (
        smets1.with_columns(pl.lit(SMETS1_WHY).alias("why"))
        .select(SMETS1_COLUMNS)
        .sort("supplier", "device_id")
    )
    return ChargingReport(summary, excl, due, gone, apart)
