"""``hubcheck charging``: which hubs in stock to exclude from the Stock Level Charge, with evidence."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli._common import (
    CatalogueOption,
    InventoryArgument,
    TariffOption,
    console,
    emit_json,
    finite_gbp,
    required_date,
    state,
    writable_file,
)
from api.cli._engines import EngineOption, MasterOption, check_engine
from eligibility.amounts import MAX_GBP

if TYPE_CHECKING:
    from eligibility.charging import ChargingReport, ChargingTotals


__all__ = ["charging"]

#: The options' defaults: DP238's figures, as ChargingSettings holds them (written out here so
#: that --help need not import the charging engine; tests/test_cli_startup.py checks they agree).
RETURN_DEFAULTS_GBP = {"redeployable": 8.27, "single_band": 30.87, "dual_band": 58.75}

_SHORT = {
    "DEVICE_MODEL_NOT_ON_CPL": "model not on CPL",
    "DEVICE_TYPE_MISMATCH": "not a hub's model",
    "FIRMWARE_UNKNOWN": "firmware unknown",
    "NO_UPGRADE_PATH": "no upgrade path",
}


def _print(r: ChargingReport) -> None:
    from rich.table import Table

    from api.cli._output import indented
    from eligibility.stranding import STRANDING_CODES

    s = r.summary
    ref = s.reference
    cat = f", catalogue {ref.catalogue}" if ref.catalogue else ", no catalogue"
    console.print(f"[bold]Stock Level Charge exclusions at {s.as_of.isoformat()}[/bold]")
    console.print(
        f"policy {s.policy_description}; CPL {ref.cpl_version} of {ref.cpl_issued_on}{cat}", markup=False
    )
    # laid out for 80 columns: the counts per supplier, then money and reasons for the whole
    t = Table(box=None, pad_edge=False)
    t.add_column("supplier", overflow="fold", max_width=26)
    for head in ("stock", "charge-\nable", "excluded", "return\ndue", "dropped\nfrom SMI"):
        t.add_column(head, justify="right", no_wrap=True)
    rows: list[tuple[str, ChargingTotals]] = [(x.supplier or "(none)", x) for x in s.suppliers]
    for i, (name, row) in enumerate([*rows, ("all", s)]):
        if i == len(rows):
            t.add_section()
        t.add_row(
            name,
            *(
                f"{v:,}"
                for v in (row.stock, row.chargeable, row.excluded, row.return_due, row.dropped_from_smi)
            ),
        )
    console.print(t)
    colour = "green" if s.reconciles else "red"
    console.print(f"[{colour}]{s.reconciliation}[/{colour}]")
    by_reason = ", ".join(f"{_SHORT[c]} {s.excluded_by_reason[c]:,}" for c in STRANDING_CODES)
    console.print(f"excluded, by reason: {by_reason}", markup=False)
    money = f"return cost of the hubs due: GBP {s.return_cost_gbp:,.2f}"
    if s.monthly_charge_gbp is not None:
        money += (
            f"; charge GBP {s.monthly_charge_gbp:,.2f} a month on the chargeable hubs, "
            f"GBP {s.monthly_charge_excluded_gbp or 0:,.2f} on the excluded ones"
        )
    console.print(money, markup=False)
    if s.status_date_unknown:
        console.print(
            f"{s.status_date_unknown:,} hub(s) in stock have no status date: their removal cannot be judged."
        )
    if s.upgrade_path_assumed:
        console.print(
            f"{s.upgrade_path_assumed:,} answer(s) rest on UPGRADE_PATH_ASSUMED: no catalogue describes the hub's "
            "model, so N is its newest listed version and any later version one hop away."
        )
    for h in r.smets1.iter_rows(named=True):
        indented(f"{h['device_id']} not stock: {h['why']}", hang=2)
    if r.exclusions.height:
        console.print("[bold]Excluded hubs[/bold]")
    for ex in r.exclusions.head(20).iter_rows(named=True):
        why = "; ".join(ex["blockers"]) or ex["message"]
        indented(f"{ex['device_id']} {ex['reason']}: {why}", hang=2)
    if r.exclusions.height > 20:
        console.print(
            f"  ... {r.exclusions.height - 20:,} more excluded hub(s): use -o FILE or --json for all"
        )


def charging(
    ctx: typer.Context,
    as_of: Annotated[str, typer.Option("--date", help="The charging date, YYYY-MM-DD.")],
    inventory: InventoryArgument = None,
    supplier: Annotated[str | None, typer.Option(help="Only this supplier's hubs.")] = None,
    policy: Annotated[
        str,
        typer.Option(
            help="Housekeeping policy deciding what is still on the SMI, or a timeline: sec-ac-7.2,secmp0060@2023-04-01."
        ),
    ] = "sec-ac-7.2",
    catalogue: CatalogueOption = None,
    tariff: TariffOption = None,
    return_redeployable: Annotated[
        float,
        typer.Option(
            min=0,
            max=MAX_GBP,
            callback=finite_gbp,
            help="Return charge of a redeployable hub (DP238 example).",
        ),
    ] = RETURN_DEFAULTS_GBP["redeployable"],
    return_single_band: Annotated[
        float,
        typer.Option(
            min=0, max=MAX_GBP, callback=finite_gbp, help="Return charge, single band, not redeployable."
        ),
    ] = RETURN_DEFAULTS_GBP["single_band"],
    return_dual_band: Annotated[
        float,
        typer.Option(
            min=0, max=MAX_GBP, callback=finite_gbp, help="Return charge, dual band, not redeployable."
        ),
    ] = RETURN_DEFAULTS_GBP["dual_band"],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            callback=writable_file,
            help="Write the excluded hubs with their evidence (CSV or Parquet).",
        ),
    ] = None,
    engine_kind: EngineOption = "polars",
    master: MasterOption = None,
) -> None:
    """Hubs in stock at --date: chargeable, excluded (with evidence), return due, and dropped from the SMI.

    Stock = Pending hubs still on the SMI under --policy; excluded = those that could not be
    commissioned in production at the date (DEVICE_MODEL_NOT_ON_CPL, DEVICE_TYPE_MISMATCH,
    FIRMWARE_UNKNOWN, NO_UPGRADE_PATH). Stock = chargeable + excluded, per supplier and overall.
    SMETS1 hubs are never stock: they are listed apart, with why.
    """  # fmt: skip
    from api.cli._output import write_table
    from eligibility.charging import ChargingSettings, charging_exclusions
    from eligibility.policy_timeline import parse_timeline
    from eligibility.suppliers import select_supplier

    st = state(ctx)
    d = required_date(as_of, "--date")
    pol = parse_timeline(policy, field="--policy")
    settings = ChargingSettings(
        stock_charge_gbp_per_hub_month=tariff,
        return_redeployable_gbp=return_redeployable,
        return_single_band_gbp=return_single_band,
        return_dual_band_gbp=return_dual_band,
    )
    check_engine(engine_kind, master, inventory_given=inventory is not None)
    if engine_kind == "spark":
        from cpl_data.spark_job import spark_charging_inventory

        frame = spark_charging_inventory(str(inventory), master=master)
    else:
        frame = st.inventory_frame(inventory)
    if supplier is not None:  # matched as every command matches it; an unknown one is exit 2
        frame, supplier = select_supplier(frame, supplier, field="--supplier")
    report = charging_exclusions(frame, d, st.reference(catalogue), pol, settings, supplier=supplier)
    if output is not None:
        write_table(report.exclusions, output, "excluded hub(s) with evidence", report.flat_exclusions())
    if st.json:
        emit_json(report.to_json())
    else:
        _print(report)
