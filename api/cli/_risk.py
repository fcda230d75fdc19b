"""``hubcheck risk``: which hubs strand before removal, and how the housekeeping policies compare."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli._common import (
    CatalogueOption,
    InventoryArgument,
    TariffOption,
    console,
    emit_json,
    err_console,
    state,
)
from api.cli._output import write_table
from eligibility.dates import parse_date
from eligibility.policy_timeline import parse_policies
from eligibility.risk import LEGEND, RiskReport, fleet_risk
from eligibility.smi import POLICIES
from eligibility.suppliers import select_supplier

__all__ = ["parse_policies", "risk"]


def _print(r: RiskReport) -> None:
    s = r.summary
    who = f" (supplier {s.supplier})" if s.supplier else ""
    console.print(
        f"[bold]Fleet risk{who} from {s.start.isoformat()} to {s.end.isoformat()}[/bold] ({s.months} months): "
        f"{s.pending_hubs:,} pending hubs; {s.stranded_at_start:,} stranded at the start, "
        f"{s.stranding_within_horizon:,} strand within the horizon, {s.stranding_later:,} later"
    )
    t = Table("policy", "removed", "removed before start", "usable lost", "stranded on SMI at end",
              "stranded hub-months", "installable at end", "backstop gap at end", box=None, pad_edge=False)  # fmt: skip
    for o in s.policies:
        t.add_row(o.policy, *(f"{v:,}" for v in (o.removed, o.removed_before_start, o.usable_lost,
                  o.stranded_on_smi_at_end, o.stranded_hub_months, o.installable_at_end,
                  o.backstop_beyond_12_at_end)))  # fmt: skip
    console.print(t)
    console.print(f"[dim]removed: {LEGEND['removed']}, by {s.end.isoformat()}[/dim]")
    if s.smets1_left_out:
        console.print(
            f"{s.smets1_left_out:,} SMETS1 hub(s) left out: {LEGEND['smets1_left_out'].split(': ', 1)[1]}"
        )
    if s.upgrade_path_assumed_hubs:
        console.print(
            f"{s.upgrade_path_assumed_hubs:,} hub(s) judged on UPGRADE_PATH_ASSUMED: no catalogue describes their "
            "model, so N is its newest listed version and any later version one hop away."
        )
    stranding = r.stranding.drop_nulls("stranding_date")
    for row in stranding.head(15).iter_rows(named=True):
        console.print(
            f"  {row['manufacturer']}/{row['model']} {row['firmware']}: {row['hubs']:,} hub(s) strand on "
            f"{row['stranding_date']:%Y-%m-%d} ({row['stranding_code']})",
            markup=False,
        )
    if stranding.height > 15:
        console.print(
            f"  ... {stranding.height - 15:,} more (Device Model, firmware) pairs: see --json or --report"
        )


def risk(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="The start date D, YYYY-MM-DD.")],
    inventory: InventoryArgument = None,
    months: Annotated[int, typer.Option(min=1, max=600, help="Horizon in calendar months.")] = 36,
    policies: Annotated[
        str,
        typer.Option(
            help="Policies to compare, comma-separated; a step with @DATE continues the one before as a "
            "timeline: sec-ac-7.2,secmp0060,sec-ac-7.2,secmp0060@2023-04-01."
        ),
    ] = ",".join(POLICIES),
    supplier: Annotated[str | None, typer.Option(help="Only this supplier's hubs.")] = None,
    catalogue: CatalogueOption = None,
    tariff: TariffOption = None,
    report: Annotated[
        Path | None, typer.Option(help="Write the HTML report here, and its charts as PNG beside it.")
    ] = None,
    hubs_out: Annotated[
        Path | None, typer.Option(help="Write every hub's stranding and removal dates (CSV or Parquet).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
) -> None:
    """Month by month per policy: removals, usable stock lost, stranded hubs still charged, installable.

    Also each hub's stranding date, a cohort table, stock rotation and the security backstop.
    """  # fmt: skip
    st = state(ctx)
    d = parse_date(start, field="--from")
    pols = parse_policies(policies)
    frame = st.inventory_frame(inventory)
    if supplier is not None:  # matched as every command matches it; an unknown one is exit 2
        frame, supplier = select_supplier(frame, supplier, field="--supplier")
    result = fleet_risk(
        frame,
        d,
        months,
        pols,
        st.reference(catalogue),
        supplier=supplier,
        tariff_gbp_per_hub_month=tariff,
    )
    if report is not None:
        from api.report import write_risk_report  # matplotlib: loaded only for a report

        written = write_risk_report(result, report)
        err_console.print(f"report written: {', '.join(str(p) for p in written)}")
    if hubs_out is not None:
        write_table(result.hubs, hubs_out, "hub(s)")
    if st.json or json_out:
        emit_json(result.to_json())
    else:
        _print(result)
