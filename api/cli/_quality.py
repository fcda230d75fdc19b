"""``hubcheck quality duplicates``: Device IDs more than one supplier holds, for whoever runs the store.

The store keeps each supplier's rows apart, so one Device ID imported by two suppliers is two
rows, neither touching the other. One physical device has one supplier: this report is the
DCC's (the service shows it to dcc and admin keys only, never to a supplier).
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli._common import console, emit_json, state

__all__ = ["quality_app"]

quality_app = typer.Typer(help="Data quality findings in the store's inventory.", no_args_is_help=True)


@quality_app.command("duplicates")
def duplicates(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="Most Device IDs listed.")] = 1000,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
) -> None:
    """Device IDs held by more than one supplier, each with every holder's row (exit 0 either way)."""
    from rich.table import Table

    st = state(ctx)
    count, devices = st.store().duplicate_devices(limit)
    if st.json or json_out:
        emit_json({"count": count, "devices": devices})
        return
    if not count:
        console.print("No Device ID is held by more than one supplier.")
        return
    console.print(f"[bold]{count:,} Device ID(s) held by more than one supplier[/bold]")
    t = Table("device_id", "supplier", "type", "status", "status since", "import", box=None, pad_edge=False)
    for d in devices:
        for r in d["rows"]:
            since = r["status_since"].isoformat() if r["status_since"] else ""
            t.add_row(
                d["device_id"],
                r["supplier"] or "(none)",
                r["device_type"],
                r["status"],
                since,
                str(r["import_id"] or ""),
            )
    console.print(t)
    if count > len(devices):
        console.print(f"... {count - len(devices):,} more: raise --limit or use --json")
