"""Reading and checking a firmware catalogue (TOML), reporting every problem with its line.

The catalogue must agree with the CPL it is used with: every Device Model it names is on the
CPL, and every release is a firmware the CPL lists for that model or is declared
``future = true``. ``min_source`` and ``sources`` must name versions known for the model.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eligibility.catalogue import Catalogue
from eligibility.cpl import Cpl
from eligibility.errors import DataError, InputError, Problem

__all__ = ["CatalogueImport", "load_catalogue", "read_catalogue"]

_TABLE = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.]+)\s*\]\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")
_TOML_POS = re.compile(r"at line (\d+), column (\d+)")


@dataclass(frozen=True)
class CatalogueImport:
    """A catalogue read from a file, with the text kept for the store."""

    catalogue: Catalogue
    source: str
    sha256: str
    text: str

    def summary(self) -> dict[str, object]:
        """Counts for a person to check."""
        rels = [r for m in self.catalogue.models for r in m.releases]
        return {
            "catalogue": self.catalogue.name or self.source,
            "source": self.source,
            "device_models": len(self.catalogue.models),
            "releases": len(rels),
            "future_releases": sum(1 for r in rels if r.future),
            "stepping_stones": sum(1 for r in rels if r.stepping_stone),
            "withdrawn": sum(1 for r in rels if r.withdrawn_on is not None),
        }


class _Locator:
    """Finds the line of ``model[i].release[j].key`` in the TOML text."""

    def __init__(self, text: str) -> None:
        self.tables: dict[tuple[Any, ...], int] = {}
        self.keys: dict[tuple[Any, ...], int] = {}
        counters: dict[str, int] = {}
        current: tuple[Any, ...] = ()
        model_i = -1
        for n, line in enumerate(text.splitlines(), start=1):
            t = _TABLE.match(line)
            if t:
                name = t.group(1)
                if name == "model":
                    model_i += 1
                    counters["release"] = -1
                    current = ("model", model_i)
                elif name == "model.release":
                    counters["release"] = counters.get("release", -1) + 1
                    current = ("model", model_i, "release", counters["release"])
                else:
                    current = (name,)
                self.tables[current] = n
                continue
            k = _KEY.match(line)
            if k:
                self.keys[(*current, k.group(1))] = n

    def line(self, loc: Iterable[Any]) -> int | None:
        path = tuple(loc)
        while path:
            if path in self.keys:
                return self.keys[path]
            if path in self.tables:
                return self.tables[path]
            path = path[:-1]
        return None


def _field_name(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _check_against_cpl(cat: Catalogue, cpl: Cpl, source: str, where: _Locator) -> list[Problem]:
    problems: list[Problem] = []
    listed = cpl.by_model()
    seen_models: dict[Any, int] = {}
    for i, m in enumerate(cat.models):
        dm = m.device_model
        if dm in seen_models:
            problems.append(
                Problem(
                    f"Device Model {dm} is described twice (also model[{seen_models[dm]}]); merge them",
                    source=source,
                    line=where.line(("model", i)),
                    column=f"model[{i}]",
                )
            )
        seen_models.setdefault(dm, i)
        on_cpl = {e.firmware for e in listed.get(dm, ())}
        known = on_cpl | {r.firmware for r in m.releases}
        if dm not in listed and not all(r.future for r in m.releases):
            problems.append(
                Problem(
                    f"Device Model {dm} is not on CPL {cpl.version}; check manufacturer and model, or mark "
                    "every release of this future model 'future = true'",
                    source=source,
                    line=where.line(("model", i, "model")),
                    column=f"model[{i}].model",
                )
            )
        if m.order is not None:
            unknown = [fw for fw in m.order if fw not in known]
            missing = sorted(known - set(m.order), key=lambda fw: int(fw, 16))
            if unknown or missing:
                why = []
                if unknown:
                    why.append(
                        f"names {', '.join(unknown)}, not a version of {dm} on the CPL or in this catalogue"
                    )
                if missing:
                    why.append(f"leaves out {', '.join(missing)}")
                problems.append(
                    Problem(
                        f"order {' and '.join(why)}; list every version of the model once, oldest first",
                        source=source,
                        line=where.line(("model", i, "order")),
                        column=f"model[{i}].order",
                    )
                )
        seen_fw: dict[str, int] = {}
        for j, r in enumerate(m.releases):
            at = ("model", i, "release", j)
            if r.firmware in seen_fw:
                problems.append(
                    Problem(
                        f"firmware {r.firmware} is described twice for {dm} (also release[{seen_fw[r.firmware]}])",
                        source=source,
                        line=where.line((*at, "firmware")),
                        column=_field_name((*at, "firmware")),
                    )
                )
            seen_fw.setdefault(r.firmware, j)
            if dm in listed and r.firmware not in on_cpl and not r.future:
                problems.append(
                    Problem(
                        f"firmware {r.firmware} was never listed on CPL {cpl.version} for {dm}; fix the "
                        "version, or declare a release not yet on the CPL with 'future = true'",
                        source=source,
                        line=where.line((*at, "firmware")),
                        column=_field_name((*at, "firmware")),
                        value=r.firmware,
                    )
                )
            refs = [("min_source", r.min_source)] if r.min_source else []
            refs += [("sources", s) for s in r.sources or ()]
            for key, ref in refs:
                if ref not in known:
                    problems.append(
                        Problem(
                            f"{key} names {ref}, which is neither on the CPL nor in this catalogue for {dm}",
                            source=source,
                            line=where.line((*at, key)),
                            column=_field_name((*at, key)),
                            value=ref,
                        )
                    )
            if r.pilot_from and r.production_from and r.pilot_from > r.production_from:
                problems.append(
                    Problem(
                        f"pilot_from {r.pilot_from} is after production_from {r.production_from}; a release "
                        "is piloted before production",
                        source=source,
                        line=where.line((*at, "pilot_from")),
                        column=_field_name((*at, "pilot_from")),
                    )
                )
    return problems


#: A catalogue nests three deep ([[model.release]] with an array); far more is no catalogue.
MAX_NESTING = 32


def _nesting(text: str) -> int:
    """The deepest nesting of brackets and braces in TOML text, strings and comments aside."""
    depth = deepest = 0
    quote = ""
    escaped = comment = False
    for c in text:
        if comment:
            comment = c != "\n"
        elif quote:
            if escaped:
                escaped = False
            elif c == "\\" and quote == '"':
                escaped = True
            elif c == quote or c == "\n":
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#":
            comment = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


def load_catalogue(data: bytes, *, source: str = "catalogue", cpl: Cpl | None = None) -> CatalogueImport:
    """Parse and check a TOML catalogue; with ``cpl``, also check it against that CPL.

    Raises DataError listing every problem (with line and field) at once.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{source}: not UTF-8 text (byte {exc.start + 1} is not); save the catalogue as UTF-8"
        ) from None
    if _nesting(text) > MAX_NESTING:  # tomllib recurses once a level: refuse before it overflows
        raise DataError(
            f"{source}: not a catalogue: its arrays or tables are nested more than {MAX_NESTING} deep; a "
            "catalogue is [[model]] tables with [[model.release]] tables (see docs/formats.md)"
        )
    try:
        doc = tomllib.loads(text)
    except RecursionError:  # tomllib descends one frame per nesting level
        raise DataError(
            f"{source}: nested too deeply to be a catalogue; a catalogue is [[model]] tables with "
            "[[model.release]] tables (see docs/formats.md)"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        pos = _TOML_POS.search(str(exc))
        raise DataError(
            f"{source}: not valid TOML",
            [Problem(str(exc), source=source, line=int(pos.group(1)) if pos else None)],
        ) from exc
    where = _Locator(text)
    try:
        cat = Catalogue.model_validate(doc)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"]
            ctx = err.get("ctx", {}).get("error")
            if isinstance(ctx, InputError):
                msg = str(ctx)
            elif err["type"] == "extra_forbidden":
                msg = "unknown key; see the catalogue keys in docs/formats.md"
            problems.append(
                Problem(
                    msg.removeprefix("Value error, "),
                    source=source,
                    line=where.line(loc),
                    column=_field_name(loc),
                    value=None if isinstance(err.get("input"), dict) else str(err.get("input")),
                )
            )
        raise DataError(f"{source}: the catalogue was not read", problems) from None
    if not cat.models:
        # activating an empty catalogue would silently drop every stepping stone and pilot date
        raise DataError(
            f"{source}: the catalogue is empty: it has no [[model]] table; a catalogue describes "
            "Device Models and their releases (see docs/formats.md, 'The firmware catalogue')"
        )
    if cat.name is None:
        cat = cat.model_copy(update={"name": source})
    if cpl is not None:
        problems = _check_against_cpl(cat, cpl, source, where)
        if problems:
            raise DataError(f"{source}: the catalogue does not agree with CPL {cpl.version}", problems)
    return CatalogueImport(cat, source, hashlib.sha256(data).hexdigest(), text)


def read_catalogue(path: Path, cpl: Cpl | None = None) -> CatalogueImport:
    """Read a catalogue file from disk; see :func:`load_catalogue`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {exc.filename}: {exc.strerror}") from exc
    return load_catalogue(data, source=path.name, cpl=cpl)
