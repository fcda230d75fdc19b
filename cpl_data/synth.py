"""Synthetic hub fleets drawn from a CPL: realistic, GB-scale, deterministic for a seed.

The fleet is an inventory in the normalised schema (:data:`cpl_data.inventory.INVENTORY_COLUMNS`),
**two rows per hub, adjacent**: the CHF (naming its GPF in ``gpf_device_id``), then the GPF.
How it is drawn (every rate is a :class:`FleetMix` setting):

- **Delivery day first, then a Device Model** delivered that day, weighted by its number of CPL
  entries (a model that kept getting firmware releases is a model that sold): a model's share of
  the fleet grows with the days it was delivered, from its first listing until its last entry was
  removed (or ``as_of``), so a model listed for 13 days (5401/57310001) holds almost nothing.
  Warehouse stock is young (exponential age, mean ``stock_age_days``); other hubs were delivered
  any day of the list's years. **Firmware** is the version production ran (the window's N, or
  N-1 for late factory stock) on the day the firmware was last written: delivery for stock, a
  day between installation and ``as_of`` for installed hubs (they are upgraded over the air),
  before decommissioning for returned ones.
- **SMETS1 hubs** (models listed under SMETS V1.x) are installed hubs only (region ``SMETS1``,
  no TSAT date): never DCC stock, never returned or waiting for commissioning.
- **SMI statuses and histories**: warehouse stock (``Pending`` since delivery, history
  ``Pending:D`` or absent), returned hubs (``Pending:D;Commissioned:C;Decommissioned:X;Pending:P``),
  installed-not-commissioned, commissioned, and a few decommissioned/withdrawn/suspended. The GPF
  mirrors its CHF, sometimes set a few days later (then with no history), sometimes undated.
- A few hubs carry firmware the CPL never listed, a Device Model it does not know, or (with
  ``wrong_type_model``) a meter's Device Model recorded for a CHF.
- **Suppliers** (fictional, Zipf-like shares), **CSP regions** that follow the CSPs (EDMI's hubs
  North, Toshiba's and WNC's Central or South: ``FleetMix.north``; 4G hubs from mid-2023),
  **HAN variant** per Device Model, and the **TSAT installation end date** (delivery +
  ``tsat_months``).

Generation is chunked (:data:`CHUNK_HUBS` hubs a chunk, each chunk seeded by ``(seed, chunk)``),
so the same seed gives the same fleet whether it is built in memory (:func:`synth_fleet`) or
streamed to a file (:func:`write_fleet`), whose memory stays that of one chunk.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Final

import polars as pl
import pyarrow.parquet as pq

from cpl_data._fleet_draw import SUPPLIERS, FleetMix, draw_chunk, fleet_models
from cpl_data.csv_out import write_csv
from cpl_data.inventory import SCHEMA
from eligibility.catalogue import Catalogue
from eligibility.cpl import Cpl
from eligibility.errors import DataError, InputError

__all__ = ["CHUNK_HUBS", "SUPPLIERS", "FleetMix", "iter_fleet", "synth_fleet", "write_fleet"]

#: Hubs per generated chunk; part of what a seed means (changing it changes the fleet).
CHUNK_HUBS: Final = 500_000


def iter_fleet(
    cpl: Cpl,
    catalogue: Catalogue | None,
    hubs: int,
    seed: int,
    as_of: date,
    mix: FleetMix | None = None,
    *,
    workers: int = 1,
) -> Iterator[pl.DataFrame]:
    """The fleet chunk by chunk (:data:`CHUNK_HUBS` hubs, two rows each); see the module docstring.

    Chunks are independent (each seeded by its number), so ``workers`` threads may draw them
    at once (numpy and polars release the GIL); they still come out in order, at most
    ``workers + 1`` held at a time. Raises InputError for a negative ``hubs``,
    ReferenceDataMissing when the CPL lists no Communications Hub by ``as_of``.
    """
    if hubs < 0:
        raise InputError(f"hubs: {hubs}; give 0 or more", field="hubs")
    fleet_mix = mix or FleetMix()
    fm = fleet_models(cpl, catalogue, as_of, seed, fleet_mix)
    sizes = [min(CHUNK_HUBS, hubs - first) for first in range(0, hubs, CHUNK_HUBS)]

    def draw(chunk: int) -> pl.DataFrame:
        return draw_chunk(fm, fleet_mix, seed, chunk, chunk * CHUNK_HUBS, sizes[chunk], as_of)

    if workers <= 1:
        yield from map(draw, range(len(sizes)))
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hubcheck-synth") as pool:
        ahead: deque[Future[pl.DataFrame]] = deque()
        for chunk in range(len(sizes)):
            ahead.append(pool.submit(draw, chunk))
            if len(ahead) > workers:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()


def synth_fleet(
    cpl: Cpl,
    catalogue: Catalogue | None,
    hubs: int,
    seed: int,
    as_of: date,
    mix: FleetMix | None = None,
) -> pl.DataFrame:
    """A synthetic fleet of ``hubs`` hubs (``2 * hubs`` inventory rows) as of ``as_of``.

    >>> from cpl_data.sample import sample_reference
    >>> cpl, cat = sample_reference()
    >>> fleet = synth_fleet(cpl, cat, hubs=3, seed=1, as_of=date(2026, 11, 1))
    >>> fleet.height, fleet["device_type"].to_list()
    (6, ['CHF', 'GPF', 'CHF', 'GPF', 'CHF', 'GPF'])

    Raises as :func:`iter_fleet`.
    """
    chunks = list(iter_fleet(cpl, catalogue, hubs, seed, as_of, mix))
    if not chunks:
        return pl.DataFrame(schema=SCHEMA)
    return pl.concat(chunks)


def write_fleet(
    path: Path,
    cpl: Cpl,
    catalogue: Catalogue | None,
    hubs: int,
    seed: int,
    as_of: date,
    *,
    mix: FleetMix | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Stream a synthetic fleet to Parquet (or CSV when ``path`` ends in ``.csv``); returns the rows.

    Memory stays that of one chunk whatever ``hubs`` is; ``progress`` is called with the hubs
    written after each chunk. Raises as :func:`iter_fleet`, and DataError when ``path`` cannot be
    written.
    """
    try:
        # two threads draw chunks while this one writes (pyarrow too releases the GIL)
        return _write(path, iter_fleet(cpl, catalogue, hubs, seed, as_of, mix, workers=2), progress)
    except OSError as exc:
        raise DataError(f"cannot write {path}: {exc.strerror or exc}; choose a writable file") from exc


def _write(path: Path, chunks: Iterator[pl.DataFrame], progress: Callable[[int], None] | None) -> int:
    rows = 0
    done = 0
    csv = path.suffix.lower() == ".csv"
    writer: pq.ParquetWriter | None = None
    with path.open("wb") as out:
        try:
            for i, frame in enumerate(chunks):
                if csv:
                    write_csv(frame, out, include_header=i == 0)
                else:
                    table = frame.to_arrow()
                    if writer is None:
                        writer = pq.ParquetWriter(out, table.schema, compression="zstd")
                    writer.write_table(table, row_group_size=256 * 1024)
                rows += frame.height
                done += frame.height // 2
                if progress is not None:
                    progress(done)
            if rows == 0:
                empty = pl.DataFrame(schema=SCHEMA)
                if csv:
                    write_csv(empty, out)
                else:
                    empty.write_parquet(out)
        finally:
            if writer is not None:
                writer.close()
    return rows
