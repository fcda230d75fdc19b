"""Batch checks over HTTP: an inventory in the body (CSV or NDJSON), verdicts streamed back as NDJSON.

The body is checked whole first, with the inventory reader's column checks (every bad cell
reported at once, 422, nothing streamed); then hubs are judged one by one and written out in
chunks, so the first lines leave while later hubs are still being judged. A GPF row that its
CHF's row names is judged with that CHF, not on its own.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import polars as pl

from api.app._duis import duis_inventory
from api.app.bodies import Upload, unsupported
from api.errors import PayloadTooLarge
from api.store import hub_from_rows
from cpl_data.inventory import INVENTORY_COLUMNS, InventoryRead, normalise_inventory, read_inventory
from eligibility.engine import Engine
from eligibility.errors import DataError
from eligibility.policy_timeline import Policy
from eligibility.verdict import VERDICT_ADAPTER

__all__ = ["read_batch", "stream_verdicts"]

_CHUNK = 256


def _ndjson(data: bytes) -> InventoryRead:
    try:
        raw = pl.read_ndjson(io.BytesIO(data), infer_schema_length=None)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise DataError(
            f"request body: not NDJSON ({str(exc).splitlines()[0]}); send one JSON object a line, "
            'e.g. {"device_id": "00-DB-12-34-56-78-90-A0", "manufacturer": "F0A1", ...}'
        ) from exc
    wanted = [c for c in raw.columns if c.strip().lower() in INVENTORY_COLUMNS]
    raw = raw.select(pl.col(c).cast(pl.String) for c in wanted)
    return normalise_inventory(raw, source="request body")


def read_batch(upload: Upload, max_rows: int, *, xsd_dir: str | None = None) -> pl.DataFrame:
    """The batch's rows, checked and normalised. Raises DataError, PayloadTooLarge."""
    if upload.kind == "ndjson":
        read = _ndjson(upload.data)
    elif upload.kind in ("csv", "text"):
        read = read_inventory(upload.data, source="request body", fmt="csv")
    elif upload.kind == "xml":
        read = duis_inventory(upload.data, source="request body", xsd_dir=xsd_dir)
    else:
        raise unsupported(
            upload.kind, "batch", "text/csv, application/x-ndjson or DUIS XML (application/xml)"
        )
    if read.frame.height == 0:
        raise DataError("request body: no rows to judge (only a header, or nothing); give one row per device")
    if read.frame.height > max_rows:
        raise PayloadTooLarge(
            f"the batch has {read.frame.height:,} rows; at most {max_rows:,} are taken in one request - "
            "split it, or run `hubcheck batch` on the file",
            field="body",
        )
    return read.frame


def stream_verdicts(frame: pl.DataFrame, engine: Engine, d: date, policy: Policy) -> Iterator[bytes]:
    """NDJSON lines of verdicts, a chunk of hubs at a time."""
    named = set(frame["gpf_device_id"].drop_nulls().to_list())
    gpfs = {r["device_id"]: r for r in frame.filter(pl.col("device_id").is_in(named)).iter_rows(named=True)}
    lines: list[bytes] = []
    for row in frame.filter(~pl.col("device_id").is_in(named)).iter_rows(named=True):
        hub = hub_from_rows(row, gpfs.get(row["gpf_device_id"]))
        lines.append(VERDICT_ADAPTER.dump_json(engine.verdict(hub, d, policy), by_alias=True))
        if len(lines) >= _CHUNK:
            yield b"\n".join(lines) + b"\n"
            lines = []
    if lines:
        yield b"\n".join(lines) + b"\n"
