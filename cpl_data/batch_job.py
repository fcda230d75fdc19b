"""A batch job: an inventory streamed in, every hub's verdict streamed out, memory bounded.

Per chunk of the input (:mod:`cpl_data.sources`): check and normalise the rows
(:func:`~cpl_data.inventory.check_inventory`, then :func:`~cpl_data.inventory.mark_earlier` for
duplicates across chunks), pair CHF rows with their GPF records
(:class:`~eligibility.hubframe.HubPairing`), extend the engine's small table with any new
(manufacturer, model, firmware) (:func:`~eligibility.assessment.assessment_table`), join and
compute (:func:`~eligibility.batch.evaluate`), append to the output. Memory holds a few chunks in
flight, the small table, 8 bytes per Device ID seen (the duplicate check) and any hubs waiting
for their GPF's row.

A file (CSV, Parquet) is first read on a fast path: each chunk proven clean on its distinct
values (:func:`~cpl_data._clean_chunks.clean_chunk`) with no rejects to list, its Device IDs
hashed (a repeat is looked for once, at the end), its hubs paired on a worker when they sit in
adjacent rows. At the first doubt the job starts again on the path above, which names every bad
row exactly as it always has; a clean inventory never pays for it.

The output appears whole or not at all: it is written beside the target and moved into place at
the end. Without ``skip_invalid`` a bad row stops the job with every problem listed (up to
:data:`MAX_PROBLEMS`); with it, bad rows go to the rejects file and the job goes on.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter, deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import IO, Final, Literal, Protocol

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from cpl_data._clean_chunks import CHECKED_COLUMNS, HashedIds, clean_chunk
from cpl_data._seen import SeenDevices
from cpl_data.csv_out import write_csv
from cpl_data.inventory import InventoryRead, check_inventory, mark_earlier
from cpl_data.sources import InventorySource
from eligibility.assessment import ASSESSMENT_SCHEMA, KEY, assessment_table
from eligibility.batch import OUTPUT_COLUMNS, OUTPUT_SCHEMA, VERDICT_INPUTS, evaluate, mask_counts
from eligibility.engine import Engine
from eligibility.errors import DataError, Problem
from eligibility.hubframe import HubPairing, adjacent_pairs
from eligibility.policy_timeline import Policy
from eligibility.smi import INSTALLABLE

__all__ = [
    "CHUNK_ROWS",
    "MAX_PROBLEMS",
    "BatchReporter",
    "BatchSummary",
    "HubCounts",
    "OutputFormat",
    "run_batch",
]

#: Inventory rows read at a time (a few chunks are in flight at once: ~2 GB at most).
CHUNK_ROWS: Final = 500_000
#: Problems listed when a job stops on bad rows (the count says how many more there were).
MAX_PROBLEMS: Final = 1000

OutputFormat = Literal["parquet", "csv"]


class BatchReporter(Protocol):
    """Progress hooks (a terminal shows a bar; tests and services pass nothing)."""

    def started(self, total_rows: int | None) -> None:
        """The job starts; ``total_rows`` when the input says how many rows it has."""

    def advanced(self, rows: int, hubs: int) -> None:
        """Another chunk is done: ``rows`` inventory rows read, ``hubs`` verdicts written so far."""


@dataclass
class HubCounts:
    """Hubs per verdict and per reason code, for one group of hubs."""

    hubs: int = 0
    by_verdict: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, masks: Counter[int]) -> HubCounts:
        """The counts of hubs per ``reason_mask``, summed up."""
        by_verdict, by_reason = mask_counts(masks)
        return cls(sum(masks.values()), by_verdict, {c: n for c, n in by_reason.items() if n})


@dataclass
class BatchSummary:
    """What a batch job did, for the summary table and ``--json``.

    ``stock`` counts the hubs whose CHF is Pending or InstalledNotCommissioned (what can still be
    fitted), ``not_stock`` the others (commissioned, decommissioned ...), so that a fleet of
    installed hubs does not hide its stock's verdicts.
    """

    source: str
    output: str
    install_date: date
    policy: str
    cpl_version: str
    catalogue: str | None
    rows_read: int = 0
    hubs: int = 0
    rejected_rows: int = 0
    rejects_file: str | None = None
    unclaimed_gpf: int = 0
    other_devices: int = 0
    distinct_firmware: int = 0
    seconds: float = 0.0
    by_verdict: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    ignored_columns: tuple[str, ...] = ()
    stock: HubCounts = field(default_factory=HubCounts)
    not_stock: HubCounts = field(default_factory=HubCounts)
    #: with ``stock_only``: the hubs not in stock, left out (not judged, not written)
    stock_only: bool = False
    skipped_not_stock: int = 0

    @property
    def hubs_per_second(self) -> float:
        """Throughput, end to end."""
        return self.hubs / self.seconds if self.seconds > 0 else 0.0


class _Writer:
    """Appends output chunks to a Parquet or CSV file."""

    def __init__(self, out: IO[bytes], fmt: OutputFormat) -> None:
        self.out = out
        self.fmt = fmt
        self._pq: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._header = True

    def write(self, frame: pl.DataFrame) -> None:
        if self.fmt == "csv":
            write_csv(frame, self.out, include_header=self._header)  # reasons ;-joined
            self._header = False
            return
        table = frame.to_arrow()
        if self._pq is None:
            self._schema = table.schema
            self._pq = pq.ParquetWriter(self.out, table.schema, compression="zstd")
        elif table.schema != self._schema:
            table = table.cast(self._schema)
        self._pq.write_table(table)

    def abandon(self) -> None:
        """Let go of a file the job gives up on (pyarrow would otherwise close it when collected)."""
        if self._pq is not None:
            with contextlib.suppress(Exception):  # the partial file goes anyway
                self._pq.close()
            self._pq = None

    def close(self, empty: pl.DataFrame) -> None:
        if self._pq is None and self._header:
            self.write(empty)  # a job with no hubs still writes a file with the columns
        if self._pq is not None:
            self._pq.close()


class _Rejects:
    """The rejects file, created only when a row is rejected (as CSV: row, column, value, why)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def __enter__(self) -> _Rejects:
        return self

    def write(self, rejects: pl.DataFrame) -> None:
        header = self._file is None
        if self._file is None:
            self._file = self.path.open("wb")
        write_csv(rejects, self._file, include_header=header)

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()


def _located(source: InventorySource, problems: Sequence[Problem]) -> list[Problem]:
    """Problems named by where their row came from, when rows are not lines of a file."""
    if source.locate is None:
        return list(problems)
    out = []
    for p in problems:
        where = source.locate(p.row) if p.row is not None else None
        out.append(replace(p, source=where, row=None) if where else p)
    return out


def _located_rejects(source: InventorySource, rejects: pl.DataFrame) -> pl.DataFrame:
    """Rejects with the place each row came from in ``value``'s stead of a row number, for DUIS."""
    if source.locate is None:
        return rejects
    where = {r: source.locate(r) for r in rejects["row"].unique().to_list()}  # a few bad rows, not the fleet
    return rejects.with_columns(
        pl.col("row").replace_strict(where, default=None, return_dtype=pl.String).alias("where")
    )


def _output_format(path: Path, fmt: OutputFormat | None) -> OutputFormat:
    if fmt is not None:
        return fmt
    return "csv" if path.suffix.lower() == ".csv" else "parquet"


def run_batch(
    source: InventorySource,
    output: Path,
    engine: Engine,
    policy: Policy,
    install_date: date,
    *,
    skip_invalid: bool = False,
    rejects: Path | None = None,
    output_format: OutputFormat | None = None,
    chunk_rows: int = CHUNK_ROWS,
    reporter: BatchReporter | None = None,
    refused: pl.DataFrame | None = None,
    workers: int = 2,
    stock_only: bool = False,
    fast: bool = True,
) -> BatchSummary:
    """Judge every hub of ``source`` at ``install_date`` under ``policy``; write one row per hub.

    Output columns: :data:`eligibility.batch.OUTPUT_COLUMNS` (``reasons`` a list in Parquet,
    ``;``-joined in CSV). With ``skip_invalid`` bad rows are written to ``rejects`` (default
    ``OUTPUT.rejects.csv``), after ``refused`` (whole inputs refused before the job, e.g. DUIS
    responses). ``workers`` threads check and evaluate chunks. With ``stock_only`` only hubs in
    stock (CHF Pending or InstalledNotCommissioned) are judged and written. Raises DataError listing the bad rows (without ``skip_invalid``) or
    when the input cannot be read or the output written; the output is then left untouched.

    A file is first read on the fast path (:mod:`cpl_data._clean_chunks`: chunks proven clean
    on their distinct values, Device IDs hashed); at the first doubt the job starts again with
    the full check, which names every bad row. ``fast=False`` goes straight to the full check
    (the tests compare the two).
    """
    t0 = time.perf_counter()
    ref = engine.reference
    rejects_path = rejects or output.with_name(output.name + ".rejects.csv")
    partial = output.with_name(output.name + ".partial")

    def attempt(quick: bool) -> _Job:
        summary = BatchSummary(
            source=source.name,
            output=str(output),
            install_date=install_date,
            policy=policy.name,
            cpl_version=ref.cpl.version,
            catalogue=ref.catalogue.name if ref.catalogue is not None else None,
            ignored_columns=source.ignored_columns,
            stock_only=stock_only,
        )
        job = _Job(source, engine, policy, install_date, skip_invalid, summary, reporter, workers, fast=quick)
        if reporter is not None:
            reporter.started(source.total_rows)
        with partial.open("wb") as out_file, _Rejects(rejects_path) as rejects_file:
            job.writer = _Writer(out_file, _output_format(output, output_format))
            job.rejects = rejects_file
            if refused is not None and refused.height:
                rejects_file.write(refused)
                summary.rejects_file = str(rejects_path)
            try:
                job.run(chunk_rows)
            except BaseException:
                job.writer.abandon()
                raise
        return job

    try:
        try:
            # files are read again from the start when the fast path gives up (DUIS is parsed once)
            job = attempt(quick=fast and source.kind != "duis")
        except _NotClean:
            job = attempt(quick=False)  # the full check: it finds and names every bad row
        partial.replace(output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DataError(
            f"cannot write {exc.filename or output}: {exc.strerror or exc}; choose a writable place"
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    summary = job.summary
    summary.distinct_firmware = job.table.height
    summary.stock = HubCounts.of(job.masks[True])
    summary.not_stock = HubCounts.of(job.masks[False])
    summary.by_verdict, by_reason = mask_counts(job.masks[True] + job.masks[False])
    summary.by_reason = {c: n for c, n in by_reason.items() if n}
    summary.seconds = time.perf_counter() - t0
    if reporter is not None:
        reporter.advanced(summary.rows_read, summary.hubs)
    return summary


class _NotClean(Exception):
    """The fast path met a chunk it could not prove clean: the job starts again, fully checked."""


@dataclass(frozen=True)
class _Prepared:
    """A chunk proven clean, readied on a worker thread (see :func:`_prepare`)."""

    frame: pl.DataFrame
    rows: int
    other_devices: int
    hashes: npt.NDArray[np.uint64]
    #: the chunk's hubs when each GPF row follows its CHF (None: the main thread pairs them)
    adjacent: pl.DataFrame | None


def _prepare(raw: pl.DataFrame, known_histories: set[str]) -> _Prepared | None:
    """The fast path's work on one chunk, off the main thread: prove it clean, hash its Device
    IDs, pair its hubs when they sit in adjacent rows; None when it may hold a bad cell."""
    frame = clean_chunk(raw, VERDICT_INPUTS, known_histories)
    if frame is None:
        return None
    other = int(frame.select((~pl.col("device_type").is_in(["CHF", "GPF"])).sum()).item())
    return _Prepared(frame, raw.height, other, HashedIds.of(frame["device_id"]), adjacent_pairs(frame))


#: A judged chunk: its output rows, and hubs per (in stock, reason_mask).
_Judged = tuple[pl.DataFrame, dict[tuple[bool, int], int]]
#: A hub is stock when its CHF can still be fitted.
_STOCK: Final = pl.col("status").is_in(sorted(INSTALLABLE))


class _Job:
    """One batch job's state and its pipeline.

    Two worker threads keep both cores busy (polars, numpy and pyarrow release the GIL): while
    the main thread reads chunk i+1, pairs chunk i's hubs and writes chunk i-1's verdicts, the
    workers check a chunk and evaluate another. What must follow the stream's order (the
    duplicate check across chunks, pairing, the small table, writing) stays on the main thread.
    At most two chunks wait at each stage, so memory stays a few chunks.
    """

    def __init__(
        self,
        source: InventorySource,
        engine: Engine,
        policy: Policy,
        install_date: date,
        skip_invalid: bool,
        summary: BatchSummary,
        reporter: BatchReporter | None,
        workers: int,
        *,
        fast: bool = False,
    ) -> None:
        self.source = source
        self.fast = fast
        self.hashed = HashedIds()
        self.known_histories: set[str] = set()
        self.engine = engine
        self.policy = policy
        self.install_date = install_date
        self.skip_invalid = skip_invalid
        self.summary = summary
        self.reporter = reporter
        self.pairing = HubPairing(expect_gpf=source.has_gpf is not False)
        self.seen = SeenDevices(expected=source.total_rows)
        self.table = pl.DataFrame(schema=ASSESSMENT_SCHEMA)
        self.masks: dict[bool, Counter[int]] = {True: Counter(), False: Counter()}
        self.problems: list[Problem] = []
        self.bad_rows = 0
        self.writer: _Writer | None = None
        self.rejects: _Rejects | None = None
        self._writing: ThreadPoolExecutor | None = None
        self.workers = max(1, workers)
        self._pending_writes: deque[Future[None]] = deque()

    def run(self, chunk_rows: int) -> None:
        checking: deque[Future[InventoryRead | _Prepared | None]] = deque()
        judging: deque[Future[_Judged]] = deque()
        with (
            ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="hubcheck-batch") as pool,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="hubcheck-write") as writing,
        ):
            self._writing = writing
            first = 2
            # the fast path reads only the columns that can hold a bad cell (the job needs no more)
            for raw in self.source.chunks(chunk_rows, CHECKED_COLUMNS if self.fast else None):
                if self.fast:
                    checking.append(pool.submit(_prepare, raw, self.known_histories))
                else:
                    checking.append(
                        pool.submit(check_inventory, raw, source=self.source.name, first_row=first)
                    )
                first += raw.height
                if len(checking) > 1:
                    self._hubs_of(checking.popleft().result(), pool, judging)
                self._write(judging, keep=1)
            while checking:
                self._hubs_of(checking.popleft().result(), pool, judging)
            if self.problems:
                raise self._error()
            if self.fast and self.hashed.any_repeated():
                raise _NotClean  # perhaps a Device ID listed twice: the full check says where
            rest = self._kept(self.pairing.finish())
            if rest.height:
                judging.append(pool.submit(self._judge, rest, self._table_for(rest)))
            self._write(judging, keep=0)
            self._written(keep=0)
        self.summary.unclaimed_gpf = self.pairing.unclaimed_gpf
        assert self.writer is not None
        self.writer.close(pl.DataFrame(schema=OUTPUT_SCHEMA))

    def _hubs_of(
        self,
        read: InventoryRead | _Prepared | None,
        pool: ThreadPoolExecutor,
        judging: deque[Future[_Judged]],
    ) -> None:
        """In stream order: duplicates across chunks, rejects, pairing, the small table; then judge."""
        if not isinstance(read, InventoryRead):
            self._fast_hubs_of(read, pool, judging)
            return
        read = mark_earlier(read, self.seen)
        self.summary.rows_read += read.rows_read
        if read.rejects.height and not self.skip_invalid:
            self.bad_rows += read.rejected_rows
            room = max(0, MAX_PROBLEMS - len(self.problems))
            self.problems.extend(_located(self.source, read.problems()[:room]))
        if self.problems:
            return  # the job will stop: go on only to find every bad row
        if read.rejects.height:
            assert self.rejects is not None
            self.summary.rejected_rows += read.rejected_rows
            self.rejects.write(_located_rejects(self.source, read.rejects))
            self.summary.rejects_file = str(self.rejects.path)
        # only what a verdict reads goes on: pairing and joining fewer columns is cheaper
        frame = read.frame.select(VERDICT_INPUTS)
        self.summary.other_devices += int(
            frame.select((~pl.col("device_type").is_in(["CHF", "GPF"])).sum()).item()
        )
        hubs = self._kept(self.pairing.feed(frame))
        if hubs.height:
            judging.append(pool.submit(self._judge, hubs, self._table_for(hubs)))

    def _fast_hubs_of(
        self, prepared: _Prepared | None, pool: ThreadPoolExecutor, judging: deque[Future[_Judged]]
    ) -> None:
        """:meth:`_hubs_of` for a chunk proven clean: no rejects, duplicates checked at the end."""
        if prepared is None:
            raise _NotClean
        self.summary.rows_read += prepared.rows
        self.summary.other_devices += prepared.other_devices
        self.hashed.add(prepared.hashes)
        hubs = self._kept(self.pairing.feed_adjacent(prepared.frame, prepared.adjacent))
        if hubs.height:
            judging.append(pool.submit(self._judge, hubs, self._table_for(hubs)))

    def _kept(self, hubs: pl.DataFrame) -> pl.DataFrame:
        """The hubs to judge: all, or with ``stock_only`` the ones in stock."""
        if not self.summary.stock_only or not hubs.height:
            return hubs
        stock = hubs.filter(_STOCK)
        self.summary.skipped_not_stock += hubs.height - stock.height
        return stock

    def _table_for(self, hubs: pl.DataFrame) -> pl.DataFrame:
        """The small table, grown by any (manufacturer, model, firmware) these hubs bring."""
        new = hubs.select(KEY).unique().join(self.table, on=list(KEY), how="anti")
        if new.height:
            self.table = pl.concat([self.table, assessment_table(self.engine, new, self.install_date)])
        return self.table

    def _judge(self, hubs: pl.DataFrame, table: pl.DataFrame) -> _Judged:
        # lazy: only what the report needs is computed (half the work of every column)
        query = evaluate(hubs.lazy(), table, self.policy, self.install_date, self.engine.settings)
        # in memory: a chunk is already in memory, and polars' streaming engine (its default) spent
        # ~10% more of the job's CPU on the same query (bench/batch.py)
        out = query.select([*OUTPUT_COLUMNS, "reason_mask", _STOCK.alias("_stock")]).collect(
            engine="in-memory"
        )
        counts = {(s, m): n for s, m, n in out.group_by("_stock", "reason_mask").len().iter_rows()}
        return out.drop("reason_mask", "_stock"), counts

    def _write(self, judging: deque[Future[_Judged]], *, keep: int) -> None:
        """Hand finished verdicts to the writing thread in order, leaving ``keep`` evaluations in flight."""
        assert self._writing is not None
        while len(judging) > keep:
            self._pending_writes.append(self._writing.submit(self._write_one, judging.popleft()))
            self._written(keep=2)

    def _written(self, *, keep: int) -> None:
        """Wait for writes until at most ``keep`` are queued (bounding memory); their errors surface here."""
        while len(self._pending_writes) > keep:
            self._pending_writes.popleft().result()

    def _write_one(self, judged: Future[_Judged]) -> None:
        assert self.writer is not None
        out, counts = judged.result()
        for (stock, mask), n in counts.items():
            self.masks[stock][mask] += n
        if out.height:
            self.writer.write(out)
            self.summary.hubs += out.height
        if self.reporter is not None:
            self.reporter.advanced(self.summary.rows_read, self.summary.hubs)

    def _error(self) -> DataError:
        listed = (
            f"; the first {MAX_PROBLEMS} problems are listed" if len(self.problems) >= MAX_PROBLEMS else ""
        )
        return DataError(
            f"{self.source.name}: the inventory was not read ({self.bad_rows} bad row(s){listed}); "
            "fix them, or pass --skip-invalid to write them to a rejects file and go on",
            self.problems,
        )
