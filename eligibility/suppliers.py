"""Supplier names: the one rule by which every endpoint and command matches them.

Two names are the same supplier when their :func:`supplier_key` is equal: the name in Unicode
NFKC form, blanks at either end dropped, every run of blanks inside made one space, case
ignored (``casefold``). So ``Northwind Energy``, ``NORTHWIND ENERGY`` and
``"  northwind   energy "`` are one supplier; ``Northwind Energy Ltd`` is another, and so is a
name that only looks alike in another script (NFKC does not fold Cyrillic into Latin).

A supplier is *known* when the inventory holds a row of it; naming an unknown one is an error
(``NotFound``), never a report of zeros.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

import polars as pl

from eligibility.errors import InputError, NotFound, excerpt

__all__ = ["MAX_NAME", "known_supplier", "same_supplier", "select_supplier", "supplier_key", "supplier_name"]

#: The longest supplier name the store keeps.
MAX_NAME: Final = 64


@lru_cache(maxsize=4096)
def supplier_key(name: str) -> str:
    """The form two names of one supplier share ('' for a blank name).

    >>> supplier_key("  Northwind   ENERGY ")
    'northwind energy'
    """
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def same_supplier(a: str | None, b: str | None) -> bool:
    """Whether two names (None: no supplier) name one supplier.

    >>> same_supplier("Northwind Energy", "northwind  energy")
    True
    """
    return supplier_key(a or "") == supplier_key(b or "")


def supplier_name(text: str, *, field: str = "supplier") -> str:
    """A supplier name as given (blanks at the ends dropped); raises InputError when blank or too long.

    >>> supplier_name(" Northwind Energy ")
    'Northwind Energy'
    """
    name = " ".join(text.split())
    if not name:
        raise InputError(f"{field}: a supplier name is needed, e.g. 'Northwind Energy'", field=field)
    if len(name) > MAX_NAME:
        raise InputError(
            f"{field}: {excerpt(name)} is longer than {MAX_NAME} characters; give the supplier's name",
            field=field,
        )
    return name


def known_supplier(name: str, known: Iterable[str | None], *, field: str = "supplier") -> str:
    """The spelling among ``known`` of the supplier ``name`` names; raises NotFound when none matches.

    >>> known_supplier("NORTHWIND energy", ["Southern Power", "Northwind Energy"])
    'Northwind Energy'
    """
    key = supplier_key(name)
    names = sorted({k for k in known if k})
    for k in names:
        if supplier_key(k) == key:
            return k
    shown = ", ".join(names[:10]) + (f" ... ({len(names)} in all)" if len(names) > 10 else "")
    raise NotFound(
        f"{field}: no supplier {excerpt(name)} in the inventory (names are matched ignoring case and "
        f"extra spaces); suppliers in it: {shown or 'none'}"
    )


def select_supplier(frame: pl.DataFrame, name: str, *, field: str = "supplier") -> tuple[pl.DataFrame, str]:
    """The rows of supplier ``name``, all spelled as the first of them is, and that spelling.

    Raises NotFound when no row is that supplier's.
    """
    values = frame["supplier"].unique().to_list()
    shown = known_supplier(name, values, field=field)
    key = supplier_key(shown)
    spellings = [v for v in values if v is not None and supplier_key(v) == key]
    rows = frame.filter(pl.col("supplier").is_in(spellings))
    return rows.with_columns(pl.lit(shown, pl.String).alias("supplier")), shown
