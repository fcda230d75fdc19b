"""DUIS responses as an inventory: SR 8.2 Read Inventory and SR 11.2 Read Firmware Version.

Input is one response file, a folder of them, or a zip. Each response is parsed as hostile XML
(:mod:`cpl_data.safe_xml`) and validated against the DUIS schema of its ``schemaVersion``
(:mod:`cpl_data.duis_schema`). Then:

- **SR 8.2** (``ServiceReference`` 8.2): each ``sr:Device`` of type CHF or GPF becomes an
  inventory row (``DeviceID``, ``DeviceType``, ``DeviceStatus``, ``DeviceManufacturer``,
  ``DeviceModel``, ``DeviceFirmwareVersion``, ``CSPRegion``, ``HANVariant``). Other device types
  are counted and left out (they are not hubs). SR 8.2 does not say since when a status holds,
  nor which GPF belongs to which CHF: a **side file** (CSV: ``device_id`` and any of
  ``status_since``, ``status_history``, ``gpf_device_id``, ``supplier``, ``tsat_install_end``)
  fills them in; without it the status date is unknown (the verdict says
  ``SMI_STATUS_DATE_UNKNOWN``), and a CHF and a GPF of one response are paired when they are the
  only CHF and GPF of the same Device Model (and UPRN, when given) in it.
- **SR 11.2** (``ServiceReference`` 11.2): the firmware the device reports (in the GBCS payload,
  :mod:`cpl_data.gbcs`) replaces the SMI's for that device and its hub's other device; each
  difference is reported as a **firmware mismatch** (like the ``FirmwareVersionMismatch`` alert).
  The device is the target of the request (the second part of ``RequestID``); the latest
  response per device counts.

Responses of other service references, and error responses (a ``ResponseCode`` other than
``I0``), are counted and skipped. A response that is refused (hostile, malformed, invalid) is a
problem named by file: the read stops with all of them listed, or with ``skip_invalid`` the file
is recorded as a reject and the rest goes on.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import polars as pl
from lxml import etree

from cpl_data.duis_schema import DuisSchemas
from cpl_data.gbcs import firmware_from_payload
from cpl_data.inventory import INVENTORY_COLUMNS, read_inventory
from cpl_data.safe_xml import MAX_XML_BYTES, parse_untrusted_xml
from cpl_data.sources import InventorySource
from eligibility.errors import DataError, Problem

__all__ = ["SIDE_COLUMNS", "DuisRead", "duis_source", "read_duis"]

_SR: Final = "{http://www.dccinterface.co.uk/ServiceUserGateway}"
#: What a side file may give for a device.
SIDE_COLUMNS: Final = ("status_since", "status_history", "gpf_device_id", "supplier", "tsat_install_end")
_FIELDS: Final = {
    "device_id": "DeviceID",
    "device_type": "DeviceType",
    "status": "DeviceStatus",
    "manufacturer": "DeviceManufacturer",
    "model": "DeviceModel",
    "firmware": "DeviceFirmwareVersion",
    "csp_region": "CSPRegion",
    "han_variant": "HANVariant",
}


@dataclass
class DuisRead:
    """What a set of DUIS responses says: inventory rows, firmware reads and what was skipped."""

    frame: pl.DataFrame
    mismatches: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    #: where each inventory row came from (file, device number), for error messages
    origins: list[str] = field(default_factory=list)


def _documents(path: Path, max_bytes: int) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each response: the file, the folder's ``*.xml``, or the zip's members."""
    if path.is_dir():
        for p in sorted(q for q in path.rglob("*") if q.is_file() and q.suffix.lower() == ".xml"):
            yield str(p.relative_to(path)), _head(p, max_bytes)
        return
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for info in sorted(z.infolist(), key=lambda i: i.filename):
                if info.is_dir() or not info.filename.lower().endswith(".xml"):
                    continue
                name = f"{path.name}:{info.filename}"
                # the size in the directory can lie: read at most one byte past the bound
                with z.open(info) as member:
                    yield name, member.read(max_bytes + 1)
        return
    yield path.name, _head(path, max_bytes)


def _head(path: Path, max_bytes: int) -> bytes:
    """At most one byte more than the bound: enough to refuse an oversized file without reading it."""
    with path.open("rb") as f:
        return f.read(max_bytes + 1)


def _short(message: str, limit: int = 240) -> str:
    """A schema error cut to a readable length (an enumeration facet lists every allowed value)."""
    return message if len(message) <= limit else message[: limit - 3] + "..."


def _text(node: etree._Element, tag: str) -> str | None:
    child = node.find(f"{_SR}{tag}")
    return child.text.strip() if child is not None and child.text else None


def _pair(devices: list[dict[str, str | None]], uprns: list[str | None]) -> None:
    """Name the GPF of a CHF when the response holds exactly one CHF and one GPF of its model (and UPRN)."""
    groups: dict[tuple[str | None, ...], list[int]] = {}
    for i, d in enumerate(devices):
        groups.setdefault((d["manufacturer"], d["model"], uprns[i]), []).append(i)
    for members in groups.values():
        chf = [i for i in members if devices[i]["device_type"] == "CHF"]
        gpf = [i for i in members if devices[i]["device_type"] == "GPF"]
        if len(chf) == 1 and len(gpf) == 1:
            devices[chf[0]]["gpf_device_id"] = devices[gpf[0]]["device_id"]


def read_duis(
    path: Path,
    schemas: DuisSchemas,
    *,
    side: Path | None = None,
    skip_invalid: bool = False,
    max_bytes: int = MAX_XML_BYTES,
) -> DuisRead:
    """Read DUIS responses (a file, folder or zip) into inventory rows; see the module docstring.

    Raises DataError listing every refused response (unless ``skip_invalid``), or when the
    schemas are missing or the side file is bad.
    """
    rows: list[dict[str, str | None]] = []
    origins: list[str] = []
    reads: dict[str, tuple[str, str, str]] = {}  # device -> (time, firmware, file)
    out = DuisRead(pl.DataFrame(), pl.DataFrame())
    if not path.exists():
        raise DataError(f"cannot read {path}: no such file or folder")
    for name, data in _documents(path, max_bytes):
        out.files += 1
        try:
            tree = parse_untrusted_xml(data, source=name, max_bytes=max_bytes)
            errors = schemas.validate(tree, name)
            if errors:
                version = tree.getroot().get("schemaVersion")
                listed = "; ".join(_short(e) for e in errors[:5])
                raise DataError(f"{name}: not a valid DUIS response (schema {version}): {listed}")
            root = tree.getroot()
            code = root.findtext(f"{_SR}Header/{_SR}ResponseCode") or ""
            service = root.findtext(f".//{_SR}ServiceReference") or ""
            if code != "I0":
                out.skipped[f"error response {code} ({service})"] += 1
                continue
            if service == "8.2":
                devices, uprns = [], []
                for dev in root.iter(f"{_SR}Device"):
                    d: dict[str, str | None] = {k: _text(dev, tag) for k, tag in _FIELDS.items()}
                    if d["device_type"] not in ("CHF", "GPF"):
                        out.skipped[f"{d['device_type']} device (not a hub)"] += 1
                        continue
                    devices.append(d)
                    uprns.append(_text(dev, "UPRN"))
                    origins.append(f"{name}, device {d['device_id']}")
                _pair(devices, uprns)
                rows.extend(devices)
            elif service == "11.2":
                request = root.findtext(f"{_SR}Header/{_SR}RequestID") or ""
                parts = request.split(":")
                if len(parts) < 2:
                    raise DataError(f"{name}: RequestID {request!r} does not name the device read")
                payload = root.findtext(f".//{_SR}GBCSPayload") or ""
                fw = firmware_from_payload(payload, source=f"{name} GBCSPayload")
                when = root.findtext(f"{_SR}Header/{_SR}ResponseDateTime") or ""
                device = parts[1].upper()
                if device not in reads or reads[device][0] <= when:
                    reads[device] = (when, fw, name)
            else:
                out.skipped[f"service {service} response"] += 1
        except DataError as exc:
            out.problems.append(Problem(str(exc).removeprefix(f"{name}: "), source=name))
    if out.problems and not skip_invalid:
        raise DataError(f"{path.name}: {len(out.problems)} DUIS response(s) refused", out.problems)
    frame = pl.DataFrame(rows, schema=dict.fromkeys([*_FIELDS, "gpf_device_id"], pl.String))
    frame = _with_side(frame, side)
    frame, out.mismatches = _apply_reads(frame, reads)
    known = set(frame["device_id"].str.strip_chars().str.to_uppercase()) if frame.height else set()
    unknown = sum(1 for device in reads if device not in known)
    if unknown:
        out.skipped["firmware read of a device not in the inventory"] += unknown
    out.frame = frame.select([c for c in INVENTORY_COLUMNS if c in frame.columns])
    out.origins = origins
    return out


def _with_side(frame: pl.DataFrame, side: Path | None) -> pl.DataFrame:
    """Fill what SR 8.2 does not say from the side file (its values win, the IDs normalised)."""
    if side is None:
        return frame
    try:
        raw = pl.read_csv(side, infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(
            f"{side.name}: not a readable CSV side file ({exc.__class__.__name__}); see docs/formats.md"
        ) from exc
    if "device_id" not in raw.columns:
        raise DataError(
            f"{side.name}: a side file needs a device_id column, and any of {', '.join(SIDE_COLUMNS)}"
        )
    given = [c for c in SIDE_COLUMNS if c in raw.columns]
    # check the side file's cells with the inventory's own rules (it is inventory data too)
    probe = raw.select("device_id", *given).with_columns(
        manufacturer=pl.lit("0000"), model=pl.lit("00000000"), firmware=pl.lit("0"), status=pl.lit("Pending")
    )
    checked = read_inventory(probe.write_csv().encode(), source=side.name).frame.select("device_id", *given)
    ids = frame.select(pl.col("device_id").str.strip_chars().str.to_uppercase().alias("__id"))
    joined = frame.with_columns(ids).join(
        checked.rename({"device_id": "__id", **{c: f"__side_{c}" for c in given}}),
        on="__id",
        how="left",
        maintain_order="left",
    )
    out = joined.with_columns(
        *(
            pl.coalesce(
                pl.col(f"__side_{c}").cast(pl.String), pl.col(c) if c in frame.columns else pl.lit(None)
            ).alias(c)
            for c in given
        )
    )
    return out.drop("__id", *(f"__side_{c}" for c in given))


def _apply_reads(
    frame: pl.DataFrame, reads: dict[str, tuple[str, str, str]]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Set each read device's (and its hub partner's) firmware to what it reported; list the mismatches."""
    schema = {
        "device_id": pl.String,
        "smi_firmware": pl.String,
        "device_firmware": pl.String,
        "source": pl.String,
    }
    if not reads or frame.height == 0:
        return frame, pl.DataFrame(schema=schema)
    read = pl.DataFrame(
        {
            "__id": list(reads),
            "__fw": [r[1] for r in reads.values()],
            "__file": [r[2] for r in reads.values()],
        }
    )
    norm_id = pl.col("device_id").str.strip_chars().str.to_uppercase()
    with_ids = frame.with_columns(norm_id.alias("__id"))
    # a CHF's read applies to its GPF too, and a GPF's to its CHF: both carry the hub's firmware
    partner = with_ids.filter(pl.col("gpf_device_id").is_not_null()).select(
        pl.col("gpf_device_id").str.strip_chars().str.to_uppercase().alias("__id"),
        pl.col("__id").alias("__other"),
    )
    pairs = pl.concat(
        [partner, partner.select(pl.col("__other").alias("__id"), pl.col("__id").alias("__other"))]
    )
    by_partner = pairs.join(read, left_on="__other", right_on="__id", how="inner").select(
        "__id", "__fw", "__file"
    )
    applied = pl.concat([read, by_partner.join(read.select("__id"), on="__id", how="anti")])
    merged = with_ids.join(applied, on="__id", how="left", maintain_order="left")
    smi = pl.col("firmware").str.strip_chars().str.to_uppercase().str.zfill(8)
    mismatches = merged.filter(pl.col("__id").is_in(read["__id"].implode()) & (smi != pl.col("__fw"))).select(
        pl.col("__id").alias("device_id"),
        smi.alias("smi_firmware"),
        pl.col("__fw").alias("device_firmware"),
        pl.col("__file").alias("source"),
    )
    updated = merged.with_columns(pl.coalesce("__fw", "firmware").alias("firmware")).drop(
        "__id", "__fw", "__file"
    )
    return updated, mismatches


def duis_source(
    path: Path,
    schemas: DuisSchemas,
    *,
    side: Path | None = None,
    skip_invalid: bool = False,
    max_bytes: int = MAX_XML_BYTES,
) -> tuple[InventorySource, DuisRead]:
    """DUIS responses as an :class:`InventorySource` for a batch, with what the read found.

    The responses are read whole first (a firmware read may come after the inventory it updates);
    memory is about 200 bytes a device. Raises as :func:`read_duis`.
    """
    read = read_duis(path, schemas, side=side, skip_invalid=skip_invalid, max_bytes=max_bytes)
    frame = read.frame

    def chunks(rows: int) -> Iterator[pl.DataFrame]:
        yield from frame.iter_slices(rows)

    has_gpf = bool(frame.height) and bool(frame["device_type"].eq("GPF").any())
    origins = read.origins

    def locate(row: int) -> str | None:
        return origins[row - 2] if 2 <= row < len(origins) + 2 else None

    source = InventorySource(path.name, "duis", frame.height, tuple(frame.columns), chunks, has_gpf, locate)
    return source, read
