"""``hubcheck batch``: every hub of an inventory judged at once, streamed to CSV or Parquet."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final, Literal

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
from api.cli._engines import EngineOption, MasterOption, check_engine

if TYPE_CHECKING:
    import polars as pl
    from rich.progress import Progress, TaskID
    from rich.table import Table

    from cpl_data.batch_job import BatchSummary, HubCounts
    from cpl_data.duis import DuisRead
    from cpl_data.sources import InventorySource

__all__ = ["batch"]


class _Bar:
    """The progress bar on a terminal (stderr); silent when piped."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def started(self, total_rows: int | None) -> None:
        self.task = self.progress.add_task("rows", total=total_rows)

    def advanced(self, rows: int, hubs: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=rows, description=f"{hubs:,} hubs")


@contextmanager
def _progress(*, shown: bool) -> Iterator[_Bar | None]:
    """The progress bar on a terminal; nothing (and rich's progress machinery not even loaded,
    ~40 ms) under --json or when stderr is piped."""
    if not shown:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=unwrap(err_console), transient=True) as progress:
        yield _Bar(progress)


def batch(
    ctx: typer.Context,
    inventory: Annotated[
        Path, typer.Argument(help="Inventory: CSV, Parquet, or DUIS XML (a response, a folder or a zip).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", callback=writable_file, help="Verdicts file: .parquet or .csv.")
    ],
    install_date: Annotated[
        str | None, typer.Option(help="Install date to judge at, YYYY-MM-DD (default today).")
    ] = None,
    policy: Annotated[
        str,
        typer.Option(
            help="Housekeeping policy: sec-ac-7.2, secmp0060, history-aware, exclusion-list, months=N;..., "
            "or a timeline: sec-ac-7.2,secmp0060@2023-04-01"
        ),
    ] = "sec-ac-7.2",
    catalogue: CatalogueOption = None,
    skip_invalid: Annotated[
        bool, typer.Option(help="Write bad rows to a rejects file and go on, instead of stopping.")
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(callback=writable_file, help="Rejects file (CSV; default OUTPUT.rejects.csv)."),
    ] = None,
    output_format: Annotated[
        Literal["parquet", "csv"] | None,
        typer.Option("--format", help="Output format (default from -o's suffix)."),
    ] = None,
    xsd_dir: Annotated[
        Path | None,
        typer.Option(
            envvar="HUBCHECK_DUIS_XSD", help="DUIS schema folder (v5.1/, v5.3a/, v5.4/ ...) for XML input."
        ),
    ] = None,
    status_dates: Annotated[
        Path | None,
        typer.Option(help="DUIS input: side CSV with device_id and status_since (and status_history, ...)."),
    ] = None,
    window_back: Annotated[int, typer.Option(min=0, max=100, help="Versions before N the window keeps.")] = 1,
    max_hops: Annotated[int, typer.Option(min=1, max=1000, help="Longest plan allowed.")] = 8,
    chunk_rows: Annotated[
        int | None,
        typer.Option(min=1000, max=10_000_000, help="Inventory rows read at a time (default 500,000)."),
    ] = None,
    engine_kind: EngineOption = "polars",
    master: MasterOption = None,
    stock_only: Annotated[
        bool,
        typer.Option(help="Judge and write only hubs in stock (CHF Pending or InstalledNotCommissioned)."),
    ] = False,
) -> None:
    """Judge every hub of an inventory: one output row per hub, a summary at the end."""
    from cpl_data.kinds import detect_kind

    # a path that is missing or unreadable is refused now, before the engine and the batch
    # machinery load (a second); Spark reads its own paths (s3a://, hdfs://, ...)
    kind = None if engine_kind == "spark" else detect_kind(inventory)

    from eligibility.engine import Engine, EngineSettings
    from eligibility.policy_timeline import parse_timeline

    st = state(ctx)
    day = date_option(install_date, "--install-date") or today()
    pol = parse_timeline(policy, field="--policy")
    check_engine(engine_kind, master)
    engine = Engine(st.reference(catalogue), EngineSettings(window_back=window_back, max_hops=max_hops))
    if engine_kind == "spark":
        from cpl_data.spark_job import spark_batch

        summary = spark_batch(
            str(inventory), str(output), engine, pol, day,
            skip_invalid=skip_invalid, rejects=str(rejects) if rejects else None, master=master,
            output_format=output_format,
        )  # fmt: skip
        if st.json:
            emit_json(_json(summary, None, None))
        else:
            _render(summary, None, None)
        return
    # the batch machinery (pyarrow, the job) is loaded by the command that uses it, not by --help
    from cpl_data.batch_job import CHUNK_ROWS, run_batch
    from cpl_data.sources import open_inventory

    duis: DuisRead | None = None
    source: InventorySource
    if kind == "duis":
        # lxml and the schemas load only for DUIS input: every other batch starts faster
        from cpl_data.duis import duis_source
        from cpl_data.duis_schema import DuisSchemas, default_xsd_dir

        schemas = DuisSchemas(xsd_dir or default_xsd_dir())
        source, duis = duis_source(inventory, schemas, side=status_dates, skip_invalid=skip_invalid)
    else:
        source = open_inventory(inventory, kind=kind)
    with _progress(shown=not st.json and sys.stderr.isatty()) as bar:
        summary = run_batch(
            source,
            output,
            engine,
            pol,
            day,
            skip_invalid=skip_invalid,
            rejects=rejects,
            output_format=output_format,
            chunk_rows=chunk_rows or CHUNK_ROWS,
            reporter=bar,
            refused=_refused(duis),
            stock_only=stock_only,
        )
    mismatch_file = _write_mismatches(duis, output)
    if st.json:
        emit_json(_json(summary, duis, mismatch_file))
        for warning in nearly_all(summary):
            err_console.print(f"warning: {warning}", markup=False)
        return
    _render(summary, duis, mismatch_file)


def _refused(duis: DuisRead | None) -> pl.DataFrame | None:
    """Refused DUIS responses as rejects rows (a whole file: no row or column)."""
    import polars as pl

    if duis is None or not duis.problems:
        return None
    files = [p.source for p in duis.problems]
    return pl.DataFrame(
        {
            "row": [None] * len(files),
            "column": ["(file)"] * len(files),
            "value": files,
            "why": [p.message for p in duis.problems],
            "where": files,
        },
        schema={
            "row": pl.Int64,
            "column": pl.String,
            "value": pl.String,
            "why": pl.String,
            "where": pl.String,
        },
    )


def _write_mismatches(duis: DuisRead | None, output: Path) -> Path | None:
    from cpl_data.csv_out import write_csv

    if duis is None or duis.mismatches.height == 0:
        return None
    path = output.with_name(output.name + ".firmware-mismatches.csv")
    write_csv(duis.mismatches, path)
    return path


def _json(summary: BatchSummary, duis: DuisRead | None, mismatches: Path | None) -> dict[str, object]:
    out: dict[str, object] = asdict(summary)
    out["hubs_per_second"] = round(summary.hubs_per_second)
    out["warnings"] = nearly_all(summary)
    if duis is not None:
        out["duis"] = {
            "files": duis.files,
            "refused": [str(p) for p in duis.problems],
            "skipped": dict(duis.skipped),
            "firmware_mismatches": duis.mismatches.to_dicts(),
            "firmware_mismatches_file": str(mismatches) if mismatches else None,
        }
    return out


#: A reason that holds for at least this share of the hubs judged is worth a warning.
NEARLY_ALL: Final = 0.95
_HINTS: Final = {
    "TSAT_INSTALL_END_PASSED": "the install date {day} is after their TSAT installation end: is --install-date "
    "the date you meant (default today)?",
    "SMI_REMOVED": "at {day} they were pending longer than {policy} allows: is --install-date right, and are "
    "the status dates?",
    "SMI_STATUS_NOT_INSTALLABLE": "the inventory is nearly all installed hubs: --stock-only judges the stock alone",
    "SMI_STATUS_DATE_UNKNOWN": "the inventory gives no status dates: add status_since (or dated status_history)",
    "UPGRADE_PATH_ASSUMED": "no firmware catalogue covers their models, so each plan assumes any later version "
    "on the CPL is one hop away: import the manufacturers' catalogue (hubcheck catalogue import FILE) or "
    "give --catalogue FILE",
}
_CPL_HINT: Final = "is CPL {cpl} the one these hubs come from? (hubcheck cpl list shows the store's CPLs)"


def nearly_all(summary: BatchSummary) -> list[str]:
    """A warning for each blocking or warning reason that holds for nearly every hub judged."""
    from eligibility.verdict import SEVERITY

    if summary.hubs < 20:
        return []
    out = []
    for code, n in summary.by_reason.items():
        if SEVERITY.get(code, "info") == "info" or n < NEARLY_ALL * summary.hubs:
            continue
        hint = _HINTS.get(code, _CPL_HINT).format(
            day=summary.install_date.isoformat(), policy=summary.policy, cpl=summary.cpl_version
        )
        out.append(f"{code} holds for {100 * n / summary.hubs:.0f}% of the hubs judged: {hint}")
    return out


def _share(n: int, of: int) -> str:
    return f"{100 * n / of:.1f}%" if of else "-"


def _counts_table(title: str, rows: list[str], groups: list[tuple[str, HubCounts]], key: str) -> Table:
    from rich.table import Table

    t = Table(box=None, pad_edge=False, title=title, title_justify="left", title_style="bold")
    t.add_column("", no_wrap=True)
    for name, _ in groups:
        t.add_column(f"{name}\nhubs", justify="right", no_wrap=True)
        t.add_column("\nshare", justify="right", no_wrap=True)
    colours = {"ELIGIBLE": "green", "ELIGIBLE_AFTER_UPGRADE": "yellow", "NOT_ELIGIBLE": "red"}
    for row in rows:
        cells = []
        for _, g in groups:
            n = getattr(g, key).get(row, 0)
            cells += [f"{n:,}", _share(n, g.hubs)]
        t.add_row(f"[{colours[row]}]{row}[/]" if row in colours else row, *cells)
    return t


def _render(summary: BatchSummary, duis: DuisRead | None, mismatches: Path | None) -> None:
    cat = f", catalogue {summary.catalogue}" if summary.catalogue else ", no catalogue"
    console.print(
        f"[bold]{summary.hubs:,} hubs[/bold] judged at {summary.install_date.isoformat()} under "
        f"{summary.policy} -> {summary.output}"
    )
    console.print(f"CPL {summary.cpl_version}{cat}", markup=False)
    groups = [("in stock", summary.stock)]
    if not summary.stock_only:
        groups.append(("not in stock", summary.not_stock))
    console.print(_counts_table("Verdicts", list(summary.by_verdict), groups, "by_verdict"))
    console.print(_counts_table("Reasons (hubs with each)", list(summary.by_reason), groups, "by_reason"))
    notes = [
        "in stock: the CHF is Pending or InstalledNotCommissioned"
        + (
            f"; {summary.skipped_not_stock:,} hubs not in stock left out (--stock-only)"
            if summary.stock_only
            else "; not in stock: Commissioned, Decommissioned and the rest"
        ),
        f"{summary.rows_read:,} inventory rows read, {summary.distinct_firmware:,} distinct (model, firmware) "
        f"assessed, {summary.seconds:.1f} s ({summary.hubs_per_second:,.0f} hubs/s)",
    ]
    if summary.rejected_rows:
        notes.append(f"{summary.rejected_rows:,} bad rows skipped: {summary.rejects_file}")
    if summary.unclaimed_gpf:
        notes.append(f"{summary.unclaimed_gpf:,} GPF rows named by no CHF (not judged)")
    if summary.other_devices:
        notes.append(f"{summary.other_devices:,} rows of other device types (not hubs)")
    if summary.ignored_columns:
        notes.append("columns ignored: " + ", ".join(summary.ignored_columns))
    if duis is not None:
        notes.append(f"{duis.files} DUIS response(s) read")
        notes.extend(f"skipped: {count} {what}" for what, count in duis.skipped.items())
        notes.extend(f"refused: {p}" for p in duis.problems)
        if mismatches is not None:
            notes.append(
                f"{duis.mismatches.height} firmware mismatch(es) between the SMI and the device "
                f"(the device's version was used): {mismatches}"
            )
    for note in notes:
        console.print(note, markup=False)
    for warning in nearly_all(summary):
        err_console.print(f"[yellow]warning[/yellow]: {warning}")
