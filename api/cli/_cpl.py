"""``hubcheck cpl ...`` and ``hubcheck catalogue ...``: reference data in, and looked at."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli._common import console, date_option, emit_json, state, today

if TYPE_CHECKING:
    from eligibility.listing import ModelListing


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
        bool,
        typer.Option(
            "--warnings/--no-warnings",
            help="List each warning, or only their count by kind (the default); --details FILE writes them all.",
        ),
    ] = False,
) -> None:
    """Import a CPL: the CSV export, the 'Central Products List' sheet as CSV, or the workbook."""
    from rich.table import Table

    from api.cli._problems import print_warnings
    from cpl_data.cpl import read_cpl

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
    print_warnings(imp.warnings, listed=show_warnings, details=st.details)


@cpl_app.command("list")
def cpl_list(ctx: typer.Context) -> None:
    """The CPL versions in the store, newest first (the newest is used)."""
    from rich.table import Table

    st = state(ctx)
    rows = st.store().cpl_versions()
    if st.json:
        emit_json([{k: v for k, v in r.items() if k != "warnings"} for r in rows])
        return
    t = Table("version", "issued", "source", "imported", box=None, pad_edge=False)
    for r in rows:
        t.add_row(
            r["version"],
            r["issued_on"].isoformat(),
            r["source"],
            r["imported_at"].strftime("%Y-%m-%d %H:%M"),
        )
    console.print(t)


def _print_listing(listing: ModelListing) -> None:
    from rich.table import Table

    w = listing.window
    fmt = f", shown as {listing.display_format}" if listing.display_format else ""
    order = "as the catalogue states it" if listing.release_order == "catalogue" else "by firmware number"
    console.print(
        f"[bold]{listing.manufacturer}/{listing.model}[/bold] ({', '.join(listing.device_types)}) "
        f"at {listing.date.isoformat()} - CPL {listing.reference.cpl_version}{fmt}; release order {order}"
    )
    # 80 columns: no box, short cells; the firmware's name, the specifications and the entries wrap
    # in their own columns. Rows are in release order; the listing date and its rank ("#") sit
    # beside it, so an inversion shows.
    removed = any(v.removed_on for v in listing.versions)  # a column of dashes only takes room
    t = Table(box=None, pad_edge=False, padding=(0, 1, 0, 0))
    for head in ("firmware", "listed", "#", *(("removed",) if removed else ()), "on CPL", "window"):
        t.add_column(head, no_wrap=True)
    t.add_column("CHTS/GBCS", no_wrap=True)
    t.add_column("entries", no_wrap=True)
    inverted = []
    inferred = False
    for v in listing.versions:
        name = v.firmware if v.display == v.firmware else f"{v.firmware} ({v.display})"
        if v.future:
            on = "[dim]future[/dim]"
        elif not v.on_cpl:
            on = "[red]no[/red]"
        else:
            on = "[green]yes[/green]" if v.in_production else "[yellow]pilot[/yellow]"
        listed = v.listed_on.isoformat() if v.listed_on else "-"
        if v.listed_on_inferred:
            listed += "*"
            inferred = True
        rank = "-" if v.listing_order is None else str(v.listing_order)
        if v.listed_after:
            rank = f"[yellow]{rank}![/yellow]"
            inverted.append(f"{v.firmware} was listed after {', '.join(v.listed_after)}")
        # "CHTS V1.1" and "GBCS Version 2.0" as "1.1/2.0" (a SMETS1 entry keeps its word); a version
        # with several entries gets a line for each further specification and entry
        chts = ",".join(c.removeprefix("CHTS V") for c in v.smets_chts)
        gbcs = "\n".join(g.removeprefix("GBCS Version ").removeprefix("GBCS ") for g in v.gbcs)
        t.add_row(
            name,
            listed,
            rank,
            *((v.removed_on.isoformat() if v.removed_on else "-",) if removed else ()),
            on,
            f"[bold]{v.window_role}[/bold]" if v.window_role else "",
            f"{chts}/{gbcs}" if chts or gbcs else "",
            "\n".join(f"{e.number}{'' if e.status == 'Current' else '(R)'}" for e in v.entries),
        )
    console.print(t)
    if listing.versions:
        note = "; *: listing date inferred (no note adds the entry)" if inferred else ""
        if any(e.status != "Current" for v in listing.versions for e in v.entries):
            note += "; (R): a removed entry"
        console.print(f"[dim]#: listing order; !: listed after a later release{note}[/dim]")
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
    window_back: Annotated[
        int, typer.Option(min=0, max=100, help="How many versions before N the window keeps.")
    ] = 1,
    cpl_version: Annotated[
        str | None, typer.Option(help="Use this stored CPL version, not the newest.")
    ] = None,
) -> None:
    """A Device Model's firmware versions in release order (listing dates and order beside it), and the window at a date."""
    from eligibility.identifiers import DeviceModel
    from eligibility.listing import model_listing

    st = state(ctx)
    dm = DeviceModel.parse(manufacturer, model)
    d = date_option(on, "--date") or today()
    listing = model_listing(st.reference(catalogue, cpl_version), dm, d, window_back)
    if st.json:
        emit_json(listing)
    else:
        _print_listing(listing)


def _catalogue_summary(s: dict[str, object], cpl_version: str) -> str:
    """What a catalogue holds, in a sentence."""

    def n(key: str, one: str, many: str) -> str:
        count = s[key]
        assert isinstance(count, int)
        return f"{count:,} {one if count == 1 else many}"

    return (
        f"'{s['catalogue']}' from {s['source']}: {n('device_models', 'Device Model', 'Device Models')}, "
        f"{n('releases', 'release', 'releases')} ({n('future_releases', 'future', 'future')}), "
        f"{n('stepping_stones', 'stepping stone', 'stepping stones')}, "
        f"{n('withdrawn', 'withdrawn image', 'withdrawn images')}; it agrees with CPL {cpl_version}"
    )


@catalogue_app.command("import")
def catalogue_import(ctx: typer.Context, file: Annotated[Path, _FILE]) -> None:
    """Check a TOML catalogue against the newest CPL and make it the active one."""
    from cpl_data.catalogue import read_catalogue

    st = state(ctx)
    store = st.store()
    cpl = store.load_cpl()
    cpl_version = cpl.version
    imp = read_catalogue(file, cpl)
    outcome = store.import_catalogue(imp)
    summary = {**imp.summary(), "id": outcome.id, "created": outcome.created, "result": outcome.detail}
    if st.json:
        emit_json(summary)
        return
    console.print(f"[bold]{outcome.detail}[/bold]")
    console.print(_catalogue_summary(summary, cpl_version), markup=False)


@catalogue_app.command("check")
def catalogue_check(ctx: typer.Context, file: Annotated[Path, _FILE]) -> None:
    """Check a TOML catalogue against the newest CPL without importing it."""
    from cpl_data.catalogue import read_catalogue

    st = state(ctx)
    cpl = st.store().load_cpl()
    imp = read_catalogue(file, cpl)
    if st.json:
        emit_json(imp.summary())
        return
    console.print(f"[green]ok[/green]: {imp.source} is a good catalogue (not imported)")
    console.print(_catalogue_summary(imp.summary(), cpl.version), markup=False)
    console.print("hubcheck catalogue import FILE makes it the active one", markup=False)


@catalogue_app.command("clear")
def catalogue_clear(ctx: typer.Context) -> None:
    """Stop using any catalogue (verdicts then use the CPL alone)."""
    st = state(ctx)
    st.store().clear_catalogue()
    if st.json:
        emit_json({"active_catalogue": None})
    else:
        console.print("no catalogue is active")
