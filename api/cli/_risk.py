"""``hubcheck risk``: which hubs strand before removal, and how the housekeeping policies compare."""

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
    err_console,
    required_date,
    state,
    writable_file,
)

if TYPE_CHECKING:
    from eligibility.policy_timeline import PolicyTimeline
    from eligibility.risk import RiskReport


__all__ = ["ALL_POLICIES", "parse_policies", "risk"]

#: The --policies default: every named policy of eligibility.smi.POLICIES, written out so that
#: --help need not import it (tests/test_cli_startup.py checks they agree).
ALL_POLICIES = "sec-ac-7.2,secmp0060,history-aware,exclusion-list"


def parse_policies(text: str, *, field: str = "--policies") -> list[PolicyTimeline]:
    """The --policies option's value: ``eligibility.policy_timeline.parse_policies``, loaded on use."""
    from eligibility.policy_timeline import parse_policies as parse

    return parse(text, field=field)


#: The comparison's rows: what each counts, and the policy outlook's field.
_MEASURES = (
    ("removed by the end", "removed"),
    ("  before the start", "removed_before_start"),
    ("  in the horizon", "removed_in_horizon"),
    ("  of them usable (lost)", "usable_lost"),
    ("stranded on SMI at end", "stranded_on_smi_at_end"),
    ("stranded hub-months", "stranded_hub_months"),
    ("installable at end", "installable_at_end"),
    ("backstop gap at end", "backstop_beyond_12_at_end"),
)


def _print(r: RiskReport) -> None:
    from rich.table import Table

    from api.cli._output import indented
    from eligibility.risk import LEGEND

    s = r.summary
    who = f" (supplier {s.supplier})" if s.supplier else ""
    console.print(
        f"[bold]Fleet risk{who} from {s.start.isoformat()} to {s.end.isoformat()}[/bold] ({s.months} months): "
        f"{s.pending_hubs:,} pending hubs; {s.stranded_at_start:,} stranded at the start, "
        f"{s.stranding_within_horizon:,} strand within the horizon, {s.stranding_later:,} later"
    )
    # one column per policy: four policies and their measures fit 80 columns
    t = Table(box=None, pad_edge=False)
    t.add_column("hubs", no_wrap=True)
    for o in s.policies:
        t.add_column(o.policy, justify="right", overflow="fold")
    for label, attr in _MEASURES:
        t.add_row(label, *(f"{getattr(o, attr):,}" for o in s.policies))
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
    if stranding.height:
        console.print("Where hubs strand (Device Model, firmware):")
    for row in stranding.head(15).iter_rows(named=True):
        indented(
            f"{row['manufacturer']}/{row['model']} {row['firmware']}: {row['hubs']:,} hub(s) strand on "
            f"{row['stranding_date']:%Y-%m-%d} ({row['stranding_code']})",
            hang=2,
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
    ] = ALL_POLICIES,
    supplier: Annotated[str | None, typer.Option(help="Only this supplier's hubs.")] = None,
    catalogue: CatalogueOption = None,
    tariff: TariffOption = None,
    report: Annotated[
        Path | None,
        typer.Option(
            callback=writable_file, help="Write the HTML report here, and its charts as PNG beside it."
        ),
    ] = None,
    hubs_out: Annotated[
        Path | None,
        typer.Option(
            callback=writable_file, help="Write every hub's stranding and removal dates (CSV or Parquet)."
        ),
    ] = None,
) -> None:
    """Month by month per policy: removals, usable stock lost, stranded hubs still charged, installable.

    Also each hub's stranding date, a cohort table, stock rotation and the security backstop.
    """  # fmt: skip
    from api.cli._output import write_table
    from eligibility.risk import fleet_risk
    from eligibility.suppliers import select_supplier

    st = state(ctx)
    d = required_date(start, "--from")
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
        per_hub=hubs_out is not None,  # a table of every pending hub is built only when asked for
    )
    if report is not None:
        from api.report import write_risk_report  # matplotlib: loaded only for a report

        written = write_risk_report(result, report)
        charts = f" and {len(written) - 1} charts beside it (PNG)" if len(written) > 1 else ""
        err_console.print(f"report written to {written[0]}{charts}", markup=False)
    if hubs_out is not None:
        write_table(result.hubs, hubs_out, "hub(s)")
    if st.json:
        emit_json(result.to_json())
    else:
        _print(result)
