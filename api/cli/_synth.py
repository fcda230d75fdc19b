"""``hubcheck synth``: the project's own sample data, and synthetic fleets drawn from the store's CPL."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from api.cli._common import (
    CatalogueOption,
    console,
    date_option,
    emit_json,
    err_console,
    state,
    today,
    unwrap,
    writable_file,
)
from eligibility.errors import InputError

__all__ = ["synth"]


def synth(
    ctx: typer.Context,
    hubs: Annotated[
        int | None,
        typer.Option(
            min=0, max=100_000_000, help="Draw a fleet of this many hubs (two inventory rows each)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Random seed: the same seed gives the same fleet.")] = 0,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", callback=writable_file, help="Fleet file: .parquet (default) or .csv."
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            help="The fleet's date, YYYY-MM-DD: no status is set after it (default today, the date "
            "batch, check, charging and risk judge at; give it for a fleet that does not change)."
        ),
    ] = None,
    catalogue: CatalogueOption = None,
    sample_data: Annotated[
        Path | None,
        typer.Option(
            help="Write the sample data (fictional CPL, history, catalogue, fleet) into this folder."
        ),
    ] = None,
    workbook: Annotated[
        bool, typer.Option(help="With --sample-data, also write the CPL as an .xlsx.")
    ] = False,
) -> None:
    """Generate data: a synthetic fleet from the store's CPL, or the project's sample data."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cpl_data.sample import write_sample_reference
    from cpl_data.synth import write_fleet

    st = state(ctx)
    if sample_data is not None:
        written = write_sample_reference(sample_data, workbook=workbook)
        if st.json:
            emit_json({k: str(v) for k, v in written.items()})
            return
        for kind, path in written.items():
            console.print(f"{kind:10} {path}")
        return
    if hubs is None or output is None:
        raise InputError(
            "give --hubs N and -o FILE to draw a fleet, or --sample-data DIR for the sample data",
            field="hubs",
        )
    ref = st.reference(catalogue)
    # today, as batch's --install-date: a fleet drawn and judged with the defaults is judged on its own date
    day = date_option(as_of, "--as-of") or today()
    t0 = time.perf_counter()
    with Progress(
        TextColumn("synth"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=unwrap(err_console),
        disable=not sys.stderr.isatty(),
        transient=True,
    ) as bar:
        task = bar.add_task("hubs", total=hubs)
        rows = write_fleet(
            output,
            ref.cpl,
            ref.catalogue,
            hubs,
            seed,
            day,
            progress=lambda done: bar.update(task, completed=done),
        )
    seconds = time.perf_counter() - t0
    result = {
        "output": str(output),
        "hubs": hubs,
        "rows": rows,
        "seed": seed,
        "as_of": day.isoformat(),
        "cpl_version": ref.cpl.version,
        "catalogue": ref.catalogue.name if ref.catalogue is not None else None,
        "seconds": round(seconds, 3),
    }
    if st.json:
        emit_json(result)
        return
    console.print(
        f"{hubs} hubs ({rows} inventory rows) as of {day.isoformat()} from CPL {ref.cpl.version}, "
        f"seed {seed}: {output} in {seconds:.1f} s"
    )
