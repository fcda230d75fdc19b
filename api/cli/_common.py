"""What every CLI command shares: the store, reference data, dates, outputs checked before work.

Imported by every command, ``--help`` included: only the standard library, typer, rich's
console and light parts of hubcheck are imported at the top. pydantic, SQLAlchemy and the
readers load inside the functions that need them (``tests/test_cli_startup.py`` holds the line).
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final, cast

import typer

from eligibility.amounts import MAX_GBP
from eligibility.errors import InputError, InvalidDate, ReferenceDataMissing

if TYPE_CHECKING:
    import polars as pl
    from rich.console import Console

    from api.store import Store
    from eligibility.reference import Reference

__all__ = [
    "WRITERS",
    "CatalogueOption",
    "InventoryArgument",
    "State",
    "TariffOption",
    "check_writable",
    "console",
    "date_checked",
    "date_option",
    "emit_json",
    "err_console",
    "finite_gbp",
    "required_date",
    "state",
    "today",
    "unwrap",
    "unwritable",
    "writable_file",
]

#: The options several commands share, declared once.
CatalogueOption = Annotated[
    Path | None, typer.Option(help="Firmware catalogue (TOML); default the store's active one.")
]
InventoryArgument = Annotated[
    Path | None,
    typer.Argument(help="Inventory file (CSV or Parquet); without it, the store's inventory is used."),
]


def finite_gbp(value: float | None) -> float | None:
    """An amount option's value, refused (exit 2) unless finite (FloatRange lets NaN through)."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not an amount; give GBP from 0 to {MAX_GBP:,.0f}")
    return value


TariffOption = Annotated[
    float | None,
    typer.Option(min=0, max=MAX_GBP, callback=finite_gbp, help="Stock Level Charge, GBP per hub per month."),
]


def _console(*, stderr: bool) -> Console:
    """Laid out for a terminal's width (or COLUMNS; 80 in a pipe). Lines are word-wrapped when the
    width is known (a terminal, or COLUMNS set); in a plain pipe a line stays whole, for grep and logs."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    sized = stream.isatty() or os.environ.get("COLUMNS", "").isdigit()
    return Console(stderr=stderr, highlight=False, soft_wrap=not sized)


class _Deferred:
    """A rich Console made on first use: importing rich costs ``--help`` and the commands that
    print nothing (``--json``) tens of milliseconds. Reads and writes of attributes go to it
    (no ``__dict__`` of its own: a test's monkeypatch then restores the console's own value)."""

    __slots__ = ("_real", "_stderr")

    def __init__(self, *, stderr: bool) -> None:
        object.__setattr__(self, "_stderr", stderr)
        object.__setattr__(self, "_real", None)

    def real(self) -> Console:
        """The console itself (made now, if it was not yet)."""
        got: Console | None = object.__getattribute__(self, "_real")
        if got is None:
            got = _console(stderr=object.__getattribute__(self, "_stderr"))
            object.__setattr__(self, "_real", got)
        return got

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # the proxy's own protocol (__dict__ ...), not the console's
        return getattr(self.real(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.real(), name, value)


def unwrap(c: Console) -> Console:
    """The console itself, for rich code that takes one (``Progress(console=...)``, ``Text.wrap``)."""
    return c.real() if isinstance(c, _Deferred) else c


#: stdout and stderr, as rich consoles (typed as such: every use goes through to the real one).
console: Console = cast("Console", _Deferred(stderr=False))
err_console: Console = cast("Console", _Deferred(stderr=True))

#: The commands that may create a store (every other one only reads, and refuses a missing store).
WRITERS: Final = frozenset(
    {
        "cpl import",
        "catalogue import",
        "catalogue clear",
        "inventory import",
        "keys create",
        "keys revoke",
        "keys demo",
        "serve",
    }
)


@dataclass
class State:
    """Global options, set by the top-level callback."""

    db: str | None = None
    json: bool = False
    #: where to write every problem or warning in full (--details)
    details: Path | None = None
    #: the command's path ("cpl import"), when main() parsed it
    command: str | None = None
    _store: Store | None = None

    def store(self) -> Store:
        """The store named by ``--db`` / ``HUBCHECK_DB`` (opened once).

        A command that only reads refuses a store that does not exist, instead of creating its
        folder and an empty store (raises ReferenceDataMissing).
        """
        if self._store is None:
            self._refuse_missing_store()
            # imported here: SQLAlchemy and Alembic cost a quarter second that --help need not pay
            from api.store import Store

            try:
                self._store = Store(self.db)
            except InputError as exc:
                if exc.field != "--db":
                    raise
                raise InputError(_db_refusal(self.db), field="--db") from None
        return self._store

    def _refuse_missing_store(self) -> None:
        if self.command is None or self.command in WRITERS:
            return
        path = _sqlite_file(self.db)
        if path is not None and not path.exists():
            given = self.db or os.environ.get("HUBCHECK_DB") or str(path)
            raise ReferenceDataMissing(
                f"no store at {path}: nothing has been imported there; check --db (or HUBCHECK_DB), "
                f"or import a CPL first: hubcheck --db {given} cpl import FILE"
            )

    def inventory_frame(self, path: Path | None) -> pl.DataFrame:
        """The normalised inventory of ``path``, or the store's when no file is given."""
        from cpl_data.inventory import read_inventory

        return read_inventory(path).frame if path is not None else self.store().inventory_frame()

    def reference(self, catalogue: Path | None = None, cpl_version: str | None = None) -> Reference:
        """The latest CPL (or ``cpl_version``) and the catalogue file given, else the store's.

        The latest CPL with the active catalogue comes from the store's snapshot: read straight
        from an SQLite file when it is current, without opening the store (SQLAlchemy's import
        alone costs more than the whole verdict), else through the store (see api.store.snapshot).
        """
        from eligibility.reference import Reference

        if cpl_version is not None:
            store = self.store()
            cpl = store.load_cpl(cpl_version)
            cat = store.active_catalogue()
        else:
            ref = self._snapshot() or self.store().reference()
            if catalogue is None:
                return ref
            cpl, cat = ref.cpl, None
        if catalogue is not None:
            from cpl_data.catalogue import read_catalogue

            cat = read_catalogue(catalogue, cpl).catalogue
        return Reference(cpl, cat)

    def _snapshot(self) -> Reference | None:
        """The snapshot of an SQLite store read without opening it; None to open the store instead."""
        if self._store is not None:
            return None  # open already: it reads the snapshot itself
        self._refuse_missing_store()
        from api.store._location import sqlite_file_of

        path = sqlite_file_of(self.db)
        if path is None:
            return None
        from api.store.snapshot import read_file

        return read_file(path)


def state(ctx: typer.Context) -> State:
    """The global State from a command's context."""
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def _sqlite_file(db: str | None) -> Path | None:
    """The SQLite file ``--db`` names (or the default one), None for a server's URL or memory."""
    from api.store._location import ENV_DB, sqlite_file_of

    if (simple := sqlite_file_of(db)) is not None:
        return simple  # a path or sqlite:///FILE, read without SQLAlchemy
    raw = db or os.environ.get(ENV_DB) or ""  # a URL now: the default is a path, read above
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw)
    except ArgumentError:
        return None  # the store says what is wrong with the URL
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser()


def _db_refusal(db: str | None) -> str:
    """Why the store cannot be opened, in plain words (the driver's own message names its internals)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from api.store._location import ENV_DB

    raw = db or os.environ.get(ENV_DB) or ""
    hint = "give a file path or an SQLAlchemy URL such as sqlite:///hubcheck.sqlite or postgresql+psycopg://user@host/db"
    why = "it cannot be opened or read (a database server down, or not a hubcheck store?)"
    if "://" in raw:
        try:
            url = make_url(raw)
            url.get_dialect().import_dbapi()
        except (NoSuchModuleError, ImportError):  # NoSuchModuleError is an ArgumentError: first
            why = f"no driver for {raw.split('://', 1)[0]!r} is installed (PostgreSQL: pip install -e '.[postgres]')"
        except ArgumentError:
            why = "it is not an SQLAlchemy URL"
        else:
            path = _sqlite_file(raw)
            if path is not None and not path.parent.is_dir():
                why = f"the folder {path.parent} does not exist"
    return f"--db: cannot open the store {raw!r}: {why}; {hint}"


def today() -> date:
    """The date used when a command is not given one."""
    return date.today()


def date_option(value: str | None, field: str) -> date | None:
    """Parse an optional date option (YYYY-MM-DD, 1990 to 2100: eligibility.dates), naming the option."""
    from eligibility.dates import parse_date

    return None if value is None else parse_date(value, field=field)


def required_date(value: str, field: str) -> date:
    """A date option that must be given (see :func:`date_option`)."""
    day = date_option(value, field)
    assert day is not None
    return day


_DATES_IN_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_checked(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> str | None:
    """An option callback: a date option (or each date in a status history) is YYYY-MM-DD, 1990-2100.

    The value stays text for the core to parse; a far or foreign date is refused at the edge.
    """
    if value is None or ctx.resilient_parsing:
        return value
    name = f"--{(param.name or 'date').replace('_', '-')}"
    try:
        if param.name and param.name.endswith("history"):
            for d in _DATES_IN_TEXT.findall(value):
                date_option(d, name)
            if not value.isascii():
                raise InvalidDate(f"{name}: {value!r} is not a status history; expected S1:YYYY-MM-DD;...")
        else:
            date_option(value, name)
    except InvalidDate as exc:
        raise typer.BadParameter(str(exc).removeprefix(f"{name}: ")) from None
    return value


def unwritable(path: Path) -> str | None:
    """Why ``path`` cannot be written as an output file, or None when it can."""
    where = path.expanduser()
    folder = where.parent
    if where.is_dir():
        return f"{path} is a folder; give a file name in it"
    if not folder.is_dir():
        return f"the folder {folder} does not exist; create it or write elsewhere"
    if not os.access(folder, os.W_OK) or (where.exists() and not os.access(where, os.W_OK)):
        return f"{path} cannot be written (permission denied); write elsewhere"
    return None


def writable_file(ctx: typer.Context, value: Path | None) -> Path | None:
    """An option callback: refuse an output file that cannot be written, before any work starts."""
    if value is not None and not ctx.resilient_parsing and (why := unwritable(value)) is not None:
        raise typer.BadParameter(why)
    return value


def check_writable(path: Path, option: str) -> None:
    """Refuse an output a command derives (a file beside another) that cannot be written: InputError."""
    why = unwritable(path)
    if why is not None:
        raise InputError(f"{option}: {why}", field=option)


def _default(o: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(o, date):
        return o.isoformat()
    if isinstance(o, BaseModel):
        return o.model_dump(mode="json")
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    raise TypeError(f"cannot serialise {type(o).__name__}")


def emit_json(value: Any) -> None:
    """Write ``value`` as JSON on stdout (pydantic models by their JSON form)."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2, by_alias=True)
    else:
        text = json.dumps(value, indent=2, default=_default)
    sys.stdout.write(text + "\n")
