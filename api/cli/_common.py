"""What every CLI command shares: the store, reference data, dates, output."""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console

from cpl_data.catalogue import read_catalogue
from eligibility.amounts import MAX_GBP
from eligibility.dates import parse_date
from eligibility.reference import Reference

if TYPE_CHECKING:
    import polars as pl

    from api.store import Store

__all__ = [
    "CatalogueOption",
    "InventoryArgument",
    "State",
    "TariffOption",
    "console",
    "emit_json",
    "err_console",
    "finite_gbp",
    "state",
    "today",
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

# Piped output is read by people too (logs, CI): give tables room instead of 80 columns.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)


@dataclass
class State:
    """Global options, set by the top-level callback."""

    db: str | None = None
    json: bool = False
    _store: Store | None = None

    def store(self) -> Store:
        """The store named by ``--db`` / ``HUBCHECK_DB`` (opened once)."""
        if self._store is None:
            # imported here: SQLAlchemy and Alembic cost a quarter second that --help need not pay
            from api.store import Store

            self._store = Store(self.db)
        return self._store

    def inventory_frame(self, path: Path | None) -> pl.DataFrame:
        """The normalised inventory of ``path``, or the store's when no file is given."""
        from cpl_data.inventory import read_inventory

        return read_inventory(path).frame if path is not None else self.store().inventory_frame()

    def reference(self, catalogue: Path | None = None, cpl_version: str | None = None) -> Reference:
        """The latest CPL (or ``cpl_version``) and the catalogue file given, else the store's."""
        store = self.store()
        cpl = store.load_cpl(cpl_version)
        cat = read_catalogue(catalogue, cpl).catalogue if catalogue is not None else store.active_catalogue()
        return Reference(cpl, cat)


def state(ctx: typer.Context) -> State:
    """The global State from a command's context."""
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def today() -> date:
    """The date used when a command is not given one."""
    return date.today()


def date_option(value: str | None, field: str) -> date | None:
    """Parse an optional date option, naming the option in the error."""
    return None if value is None else parse_date(value, field=field)


def _default(o: Any) -> Any:
    if isinstance(o, date):
        return o.isoformat()
    if isinstance(o, BaseModel):
        return o.model_dump(mode="json")
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    raise TypeError(f"cannot serialise {type(o).__name__}")


def emit_json(value: Any) -> None:
    """Write ``value`` as JSON on stdout (pydantic models by their JSON form)."""
    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2, by_alias=True)
    else:
        text = json.dumps(value, indent=2, default=_default)
    sys.stdout.write(text + "\n")
