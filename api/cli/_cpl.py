"""``hubcheck cpl ...`` and ``hubcheck catalogue ...``: reference data in, and looked at."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli._common import console, date_option, emit_json, err_console, state, today
from cpl_data.catalogue import read_catalogue
from cpl_data.cpl import read_cpl
from eligibility.identifiers import DeviceModel
from eligibility.listing import ModelListing, model_listing

__all__ = ["catalogue_app", "cpl_app"]

cpl_app = typer.Typer(help="Import and inspect the Central Products List.", no_args_is_help=True)
catalogue_app = typer.Typer(help="Import and inspect the firmware catalogue.", no_args_is_help=True)

_FILE = typer.Argument(exists=False, dir_okay=False, help="The file to read.")


@cpl_app.command("import")
def cpl_import(
    ctx: typer.Context,
    file: Annotated[Path, _FILE],
    history: Annotated[
        Path | None,
        typer.Option(help="The CPL's Version Control sheet (CSV or workbook), when FILE does not carry it."),
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Replace a version already imported with other content.")
    ] = False,
    show_warnings: Annotated[
        bool, typer.Option("--warnings/--no-warnings", help="List each warning.")
    ] = True,
) -> None:
    """Import a CPL: the CSV export, the 'Central Products List' sheet as CSV, or the workbook."""
    st = state(ctx)
    imp = read_cpl(file, history)
    outcome = st.store().import_cpl(imp, replace=replace)
    summary = {**imp.summary(), "id": outcome.id, "created": outcome.created, "result": outcome.detail}
    if st.json:
        emit_json({**summary, "warning_messages": list(imp.warnings)})
        return
    console.print(f"[bold]{outcome.detail}[/bold] from {imp.source} ({imp.shape})")
    t = Table(show_header=False, box=None, pad_edge=False)
    t.add_row("CPL version", f"{imp.cpl.version}, issued {imp.cpl.issued_on.isoformat()}")
    t.add_row("entries", str(summary["entries"]))
    t.add_row("device models", str(summary["device_models"]))
    t.add_row("history", f"{summary['history_issues']} issues from {imp.history_source or '(none)'}")
    t.add_row("dated", f"{summary['dated']} of {summary['entries']} entries have a listing date")
    by_status = summary["by_status"]
    assert isinstance(by_status, dict)
    t.add_row("by status", ", ".join(f"{k} {v}" for k, v in by_status.items()))
    console.print(t)
    by_type = summary["by_device_type"]
    assert isinstance(by_type, dict)
    bt = Table("device type", "entries", box=None, pad_edge=False)
    for k, v in by_type.items():
        bt.add_row(k, str(v))
    console.print(bt)
    if imp.warnings:
        err_console.print(f"[yellow]{len(imp.warnings)} warning(s)[/yellow]")
        if show_warnings:
            for w in imp.warnings:
                err_console.print(f"  [yellow]![/yellow] {w}", soft_wrap=True)


@cpl_app.command("list")
def cpl_list(ctx: typer.Context) -> None:
    """The CPL versions in the store, newest first (the newest is used)."""
    st = state(ctx)
    rows = st.store().cpl_versions()
    if st.json:
        emit_json([{k: v for k, v in r.items() if k != "warnings"} for r in rows])
        return
    t = Table("version", "issued", "source", "imported")
    for r in rows:
        t.add_row(
            r["version"],
            r["issued_on"].isoformat(),
            r["source"],
            r["imported_at"].isoformat(timespec="seconds"),
        )
    console.print(t)


def _print_listing(listing: ModelListing) -> None:
    w = listing.window
    fmt = f", shown as {listing.display_format}" if listing.display_format else ""
    order = "as the catalogue states it" if listing.release_order == "catalogue" else "by firmware number"
    console.print(
        f"[bold]{listing.manufacturer}/{listing.model}[/bold] ({', '.join(listing.device_types)}) "
        f"at {listing.date.isoformat()} - CPL {listing.reference.cpl_version}{fmt}; release order {order}"
    )
    t = Table(
        "#", "firmware", "listed", "listing #", "removed", "on CPL", "window", "CHTS/SMETS", "GBCS", "entries"
    )
    for col in t.columns[:7]:
        col.no_wrap = True
    inverted = []
    for v in listing.versions:
        name = v.firmware if v.display == v.firmware else f"{v.firmware} ({v.display})"
        listed = v.listed_on.isoformat() if v.listed_on else "-"
        if v.listed_on_inferred:
            listed += " (inferred)"
        rank = "-" if v.listing_order is None else str(v.listing_order)
        if v.listed_after:
            rank = f"[yellow]{rank} ![/yellow]"
            inverted.append(f"{v.firmware} was listed after {', '.join(v.listed_after)}")
        t.add_row(
            str(v.release_order),
            name + (" [dim](future)[/dim]" if v.future else ""),
            listed,
            rank,
            v.removed_on.isoformat() if v.removed_on else "-",
            ("[green]yes[/green]" if v.on_cpl else "[red]no[/red]")
            + ("" if v.in_production or not v.on_cpl else " (pilot)"),
            f"[bold]{v.window_role}[/bold]" if v.window_role else "",
            ", ".join(v.smets_chts),
            ", ".join(g.replace("GBCS Version ", "") for g in v.gbcs),
            " ".join(f"{e.number}{'' if e.status == 'Current' else '(R)'}" for e in v.entries),
        )
    console.print(t)
    for line in inverted:
        console.print(f"[yellow]![/yellow] listing inversion: {line}, a later release", soft_wrap=True)
    members = ", ".join(f"{w.role(m)}={m}" for m in w.members) or "none: no version is in production"
    console.print(f"window: {members}")


@cpl_app.command("versions")
def cpl_versions(
    ctx: typer.Context,
    manufacturer: Annotated[str, typer.Option(help="Manufacturer identifier, 4 hex (e.g. 1086).")],
    model: Annotated[str, typer.Option(help="Model as DUIS writes it, 8 hex (e.g. 54311F52).")],
    on: Annotated[
        str | None, typer.Option("--date", help="Date to judge at, YYYY-MM-DD (default today).")
    ] = None,
    catalogue: Annotated[Path | None, typer.Option(help="Firmware catalogue (TOML) to use.")] = None,
    window_back: Annotated[int, typer.Option(min=0, help="How many versions before N the window keeps.")] = 1,
    cpl_version: Annotated[
        str | None, typer.Option(help="Use this stored CPL version, not the newest.")
    ] = None,
) -> None:
    """A Device Model's firmware versions in release order (listing dates and order beside it), and the window at a date."""
    st = state(ctx)
    dm = DeviceModel.parse(manufacturer, model)
    d = date_option(on, "--date") or today()
    listing = model_listing(st.reference(catalogue, cpl_version), dm, d, window_back)
    if st.json:
        emit_json(listing)
    else:
        _print_listing(listing)


@catalogue_app.command("import")
def catalogue_import(ctx: typer.Context, file: Annotated[Path, _FILE]) -> None:
    """Check a TOML catalogue against the newest CPL and make it the active one."""
    st = state(ctx)
    store = st.store()
    imp = read_catalogue(file, store.load_cpl())
    outcome = store.import_catalogue(imp)
    summary = {**imp.summary(), "id": outcome.id, "created": outcome.created, "result": outcome.detail}
    if st.json:
        emit_json(summary)
        return
    console.print(f"[bold]{outcome.detail}[/bold]")
    for k, v in summary.items():
        if k not in ("id", "created", "result"):
            console.print(f"  {k}: {v}")


@catalogue_app.command("check")
def catalogue_check(ctx: typer.Context, file: Annotated[Path, _FILE]) -> None:
    """Check a TOML catalogue against the newest CPL without importing it."""
    st = state(ctx)
    imp = read_catalogue(file, st.store().load_cpl())
    if st.json:
        emit_json(imp.summary())
    else:
        console.print(f"[green]ok[/green]: {imp.summary()}")


@catalogue_app.command("clear")
def catalogue_clear(ctx: typer.Context) -> None:
    """Stop using any catalogue (verdicts then use the CPL alone)."""
    state(ctx).store().clear_catalogue()
    console.print("no catalogue is active")
