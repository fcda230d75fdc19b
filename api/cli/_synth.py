"""``hubcheck synth``: the project's own sample data (and, later, synthetic fleets)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli._common import console, emit_json, state
from cpl_data.sample import write_sample_reference

__all__ = ["synth"]


def synth(
    ctx: typer.Context,
    sample_data: Annotated[
        Path | None,
        typer.Option(
            help="Write the sample reference data (fictional CPL, history, catalogue) into this folder."
        ),
    ] = None,
    workbook: Annotated[
        bool, typer.Option(help="With --sample-data, also write the CPL as an .xlsx.")
    ] = False,
) -> None:
    """Generate sample data: a CPL of fictional manufacturers in the CPL's own format, and a catalogue."""
    st = state(ctx)
    if sample_data is None:
        raise typer.BadParameter("give --sample-data DIR", param_hint="--sample-data")
    written = write_sample_reference(sample_data, workbook=workbook)
    if st.json:
        emit_json({k: str(v) for k, v in written.items()})
        return
    for kind, path in written.items():
        console.print(f"{kind:10} {path}")
