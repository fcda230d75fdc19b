"""Request bodies for imports and batches: raw (by Content-Type) or multipart field ``file``, bounded.

A body past its bound is refused with 413 as soon as the bound is crossed, before the rest is
read. What the bytes are (CSV, Parquet, workbook, TOML, NDJSON) is decided from the
Content-Type, and for ``application/octet-stream`` or a multipart file from the content's
first bytes and the file name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from fastapi import Request
from starlette.datastructures import UploadFile

from api.auth import with_article
from api.errors import PayloadTooLarge, UnsupportedMediaType
from eligibility.errors import InputError

__all__ = ["Upload", "kind_of", "read_upload"]

_ZIP: Final = b"PK\x03\x04"
#: The most of a form file's name kept (its end: the suffix says what it is).
_NAME: Final = 100
_PARQUET: Final = b"PAR1"

#: Content-Type (without parameters) -> kind.
_KINDS: Final[dict[str, str]] = {
    "text/csv": "csv",
    "application/csv": "csv",
    "text/plain": "text",
    "application/vnd.apache.parquet": "parquet",
    "application/parquet": "parquet",
    "application/x-parquet": "parquet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "workbook",
    "application/vnd.ms-excel.sheet.macroenabled.12": "workbook",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/toml": "toml",
    "text/toml": "toml",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "application/octet-stream": "sniff",
}
_SUFFIXES: Final[dict[str, str]] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "workbook",
    ".xlsm": "workbook",
    ".xml": "xml",
    ".toml": "toml",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}


@dataclass(frozen=True)
class Upload:
    """A body read whole: its bytes, what it is, and a name for messages."""

    data: bytes
    kind: str
    name: str
    extra: dict[str, bytes]


def kind_of(content_type: str, data: bytes, name: str = "") -> str:
    """What a body is: ``csv``, ``parquet``, ``workbook``, ``xml``, ``toml``, ``ndjson`` or ``text``."""
    mime = content_type.split(";")[0].strip().lower()
    kind = _KINDS.get(mime, "")
    if kind in ("", "sniff", "text"):
        lowered = name.lower()
        by_name = next((k for s, k in _SUFFIXES.items() if lowered.endswith(s)), "")
        if data.startswith(_PARQUET):
            return "parquet"
        if data.startswith(_ZIP):
            return "workbook"
        if data.lstrip()[:5] == b"<?xml":
            return "xml"
        return by_name or kind or ("text" if mime == "" else "unknown:" + mime)
    return kind


async def _raw(request: Request, limit: int, what: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(what, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(what: str, limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the {what} is larger than this service accepts ({limit:,} bytes); split it into smaller parts",
        field="body",
    )


async def read_upload(request: Request, limit: int, what: str, *, extra: tuple[str, ...] = ()) -> Upload:
    """The body as raw bytes, or the multipart field ``file`` (and the ``extra`` file fields).

    Raises PayloadTooLarge past ``limit`` bytes, InputError for an empty body or a form without
    ``file``.
    """
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(what, limit)
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        async with request.form(max_files=1 + len(extra), max_fields=10, max_part_size=limit) as form:
            part = form.get("file")
            if not isinstance(part, UploadFile):
                raise InputError(f"the form has no file field 'file'; send the {what} in it", field="file")
            data = await part.read(limit + 1)
            if len(data) > limit:
                raise _too_large(what, limit)
            others: dict[str, bytes] = {}
            for name in extra:
                other = form.get(name)
                if isinstance(other, UploadFile):
                    others[name] = await other.read(limit + 1)
            filename = (part.filename or "upload")[-_NAME:]  # a name for messages, not an echo
            kind = kind_of(part.content_type or "", data, filename)
            upload = Upload(data, kind, filename, others)
    else:
        data = await _raw(request, limit, what)
        upload = Upload(data, kind_of(content_type, data), "request body", {})
    if not upload.data.strip():
        raise InputError(
            f"the body is empty; send the {what} as the body or as the form field 'file'", field="body"
        )
    return upload


def unsupported(kind: str, what: str, accepted: str) -> UnsupportedMediaType:
    """The error for a body of a kind the endpoint does not read."""
    shown = "content of no type it recognises" if kind == "sniff" else kind.removeprefix("unknown:")
    return UnsupportedMediaType(
        f"{with_article(what)} cannot be read from {shown}; send {accepted}", field="Content-Type"
    )
