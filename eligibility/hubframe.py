"""The hub-level frame: one row per hub, its CHF's inventory row with its GPF's SMI record beside it.

An inventory has one row per SMI device; a hub is its CHF row, which names the GPF in
``gpf_device_id``. The hub frame keeps every column of the CHF row and adds the GPF's
SMI record from the inventory row of type GPF with that Device ID:

| column | from the GPF row |
| --- | --- |
| ``gpf_device_type`` | ``device_type`` (``GPF``; null when the inventory has no such row) |
| ``gpf_status`` | ``status`` |
| ``gpf_status_since`` | ``status_since`` |
| ``gpf_status_history`` | ``status_history`` |

A CHF whose GPF has no row is judged on its CHF alone (as a single-hub check without
``--gpf-*``). When the inventory has a ``supplier`` column, a CHF pairs only with a GPF row of
the same supplier: a frame of many suppliers' rows (the store's) may hold one Device ID under
two of them, and one supplier's hub must never take another's GPF record. Rows of other device types, and GPF rows that no CHF names, are not hubs.
The functions take and return polars frames, eager or lazy, and never build a Python object
per row. :class:`HubPairing` does the same over the chunks of a stream.
"""

from __future__ import annotations

from typing import Final, TypeVar

import polars as pl

__all__ = [
    "GPF_COLUMNS",
    "HUB_KEY",
    "HubPairing",
    "adjacent_pairs",
    "gpf_records",
    "hub_frame",
    "hubs_only",
]

#: The GPF's SMI record, as the hub frame names its columns.
GPF_COLUMNS: Final[dict[str, str]] = {
    "device_type": "gpf_device_type",
    "status": "gpf_status",
    "status_since": "gpf_status_since",
    "status_history": "gpf_status_history",
}
#: The column a hub's CHF row and its GPF's record are joined on.
HUB_KEY: Final = "gpf_device_id"

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


def hubs_only(inventory: F) -> F:
    """The CHF rows: one per hub."""
    return inventory.filter(pl.col("device_type") == "CHF")


def gpf_records(inventory: F, *, by_supplier: bool = False) -> F:
    """The GPF rows' SMI records, keyed by ``gpf_device_id`` (the GPF's own Device ID), and by
    ``supplier`` too when ``by_supplier``."""
    records = inventory.lazy().filter(pl.col("device_type") == "GPF")  # lazy: select the 5 columns first
    owner = [pl.col("supplier")] if by_supplier else []
    out = records.select(
        pl.col("device_id").alias(HUB_KEY), *owner, *(pl.col(k).alias(v) for k, v in GPF_COLUMNS.items())
    )
    return out.collect() if isinstance(inventory, pl.DataFrame) else out


def hub_frame(inventory: F) -> F:
    """One row per hub: the CHF rows of a normalised inventory, each with its GPF's SMI record.

    >>> from datetime import date
    >>> inv = pl.DataFrame({
    ...     "device_id": ["00-00-00-00-00-00-00-02", "00-00-00-00-00-00-00-01"],
    ...     "gpf_device_id": [None, "00-00-00-00-00-00-00-02"],
    ...     "device_type": ["GPF", "CHF"], "status": ["Pending", "Pending"],
    ...     "status_since": [date(2025, 1, 3), date(2025, 1, 1)], "status_history": [None, None]})
    >>> hub_frame(inv).select("device_id", "gpf_status_since").row(0)
    ('00-00-00-00-00-00-00-01', datetime.date(2025, 1, 3))

    Input rows keep their order. Device IDs are expected unique per supplier (the inventory
    reader checks a file's; the store keys its rows by supplier and Device ID).
    """
    names = inventory.collect_schema().names() if isinstance(inventory, pl.LazyFrame) else inventory.columns
    if "supplier" not in names:
        return hubs_only(inventory).join(
            gpf_records(inventory), on=HUB_KEY, how="left", maintain_order="left"
        )
    return hubs_only(inventory).join(
        gpf_records(inventory, by_supplier=True),
        on=[HUB_KEY, "supplier"],
        how="left",
        maintain_order="left",
        nulls_equal=True,  # rows of no supplier pair with each other
    )


def adjacent_pairs(chunk: pl.DataFrame, *, by_supplier: bool = False) -> pl.DataFrame | None:
    """The chunk's hubs when every hub's GPF row follows its CHF row (of the same supplier, when
    ``by_supplier``); else None.

    Exports list a hub's devices together (``hubcheck synth`` does: CHF, then its GPF), and then
    pairing is a shift by one row instead of a join on 23-character keys: a few times cheaper,
    and the batch's pairing runs on the one thread that must follow the stream's order. The
    answer is the join's exactly: it is taken only when every CHF naming a GPF is followed by that
    GPF's row and every GPF row follows a CHF naming it (so nothing would wait or be unclaimed).
    """
    flags = chunk.select(
        chf=(pl.col("device_type") == "CHF").fill_null(False),
        gpf=(pl.col("device_type") == "GPF").fill_null(False),
        named=pl.col(HUB_KEY).is_not_null(),
    )
    is_chf, named = flags["chf"], flags["named"]
    follows = (chunk["device_id"].shift(-1) == chunk[HUB_KEY]) & flags["gpf"].shift(-1)
    if by_supplier:
        follows = follows & chunk["supplier"].shift(-1).eq_missing(chunk["supplier"])
    # when every CHF naming a GPF is followed by it, those GPF rows are distinct, and every GPF
    # row follows a CHF naming it exactly when there are as many of them as GPF rows
    paired = is_chf & named
    if not (~paired | follows.fill_null(False)).all() or int(paired.sum()) != int(flags["gpf"].sum()):
        return None
    hubs = chunk.filter(is_chf)
    # the row after each CHF (none after a CHF that ends the chunk: it names no GPF, as checked)
    after = chunk.select(GPF_COLUMNS.keys()).filter(is_chf.shift(1, fill_value=False))
    if after.height < hubs.height:
        after = pl.concat([after, after.clear(1)])
    return hubs.with_columns(
        pl.when(hubs[HUB_KEY].is_not_null()).then(after[k]).otherwise(None).alias(v)
        for k, v in GPF_COLUMNS.items()
    ).rechunk()


class HubPairing:
    """Pairs CHF rows with their GPF records across the chunks of a stream.

    Each chunk's CHF rows are joined with the GPF records seen so far; a CHF whose GPF has not
    come yet waits for a later chunk, as does a GPF record no CHF has named yet. Memory is
    therefore one chunk plus the rows waiting: nothing when each hub's rows are near each other
    (as every export that lists a hub's devices together, and ``hubcheck synth``), more when
    they are far apart. A hub that waited comes out after hubs of later rows. With
    ``expect_gpf`` false (the inventory has no GPF rows) nothing waits. With ``by_supplier`` (a
    stream of many suppliers' rows, as the risk report reads) a CHF pairs only with its own
    supplier's GPF record, as :func:`hub_frame` pairs a frame with a ``supplier`` column; rows of
    no supplier pair with each other.

    >>> inv = pl.DataFrame({"device_id": ["C1", "G1"], "gpf_device_id": ["G1", None],
    ...     "device_type": ["CHF", "GPF"], "status": ["Pending", "Pending"],
    ...     "status_since": [None, None], "status_history": [None, None]})
    >>> pairing = HubPairing()
    >>> pairing.feed(inv[:1]).height, pairing.waiting
    (0, 1)
    >>> pairing.feed(inv[1:])["gpf_status"].to_list(), pairing.waiting
    (['Pending'], 0)
    """

    def __init__(self, *, expect_gpf: bool = True, by_supplier: bool = False) -> None:
        self.expect_gpf = expect_gpf
        self.by_supplier = by_supplier
        self._keys = [HUB_KEY, "supplier"] if by_supplier else [HUB_KEY]
        self._chf: pl.DataFrame | None = None
        self._gpf: pl.DataFrame | None = None
        self.unclaimed_gpf = 0

    @property
    def waiting(self) -> int:
        """CHF rows held for a GPF still to come."""
        return 0 if self._chf is None else self._chf.height

    def feed(self, chunk: pl.DataFrame) -> pl.DataFrame:
        """The hubs of ``chunk`` (and earlier ones) whose GPF record is known or not named."""
        adjacent = adjacent_pairs(chunk, by_supplier=self.by_supplier) if self._idle() else None
        return self.feed_adjacent(chunk, adjacent)

    def feed_adjacent(self, chunk: pl.DataFrame, adjacent: pl.DataFrame | None) -> pl.DataFrame:
        """:meth:`feed`, given ``adjacent_pairs(chunk)`` computed beforehand (on another thread).

        The shortcut is taken only while nothing waits (and GPF rows are expected).
        """
        if adjacent is not None and self._idle():
            return adjacent
        return self._joined(chunk)

    def _idle(self) -> bool:
        """No CHF or GPF row waits for its partner, so adjacent rows may pair by position."""
        return self.expect_gpf and self._chf is None and self._gpf is None

    def _joined(self, chunk: pl.DataFrame) -> pl.DataFrame:
        chf = hubs_only(chunk)
        gpf = gpf_records(chunk, by_supplier=self.by_supplier)
        if not self.expect_gpf:
            return self._join(chf, gpf).rechunk()
        if self._chf is not None:
            chf = pl.concat([self._chf, chf])
        if self._gpf is not None:
            gpf = pl.concat([self._gpf, gpf])
        joined = self._join(chf, gpf)
        found = pl.col("gpf_device_type").is_not_null()
        counts = joined.select(
            found.sum().alias("found"), (~found & pl.col(HUB_KEY).is_not_null()).sum().alias("wait")
        )
        matched, waits = counts.row(0)
        # the usual chunk: every CHF found its GPF (or names none) and every GPF was claimed
        ready = joined if not waits else joined.filter(found | pl.col(HUB_KEY).is_null())
        self._chf = (
            joined.filter(~found & pl.col(HUB_KEY).is_not_null()).select(chf.columns) if waits else None
        )
        if matched == gpf.height:
            self._gpf = None
        else:
            claimed = joined.filter(found).select(self._keys)
            rest = gpf.join(claimed, on=self._keys, how="anti", nulls_equal=True) if claimed.height else gpf
            self._gpf = rest if rest.height else None
        # one chunk per column: the many small chunks a join leaves slow every later expression
        return ready.rechunk()

    def finish(self) -> pl.DataFrame:
        """The hubs still waiting, judged without a GPF record; counts GPF records no CHF named."""
        self.unclaimed_gpf = 0 if self._gpf is None else self._gpf.height
        out = self._chf
        empty = self._gpf.clear() if self._gpf is not None else None
        self._chf = self._gpf = None
        if out is None:
            return pl.DataFrame()
        if empty is None:  # no GPF record ever came: the records' columns, typed as the CHF's own
            schema = {k: out.schema[k] for k in self._keys}
            empty = pl.DataFrame(schema=schema | {v: out.schema[k] for k, v in GPF_COLUMNS.items()})
        return self._join(out, empty)

    def _join(self, chf: pl.DataFrame, gpf: pl.DataFrame) -> pl.DataFrame:
        # rows of no supplier pair with each other (as in hub_frame)
        return chf.join(gpf, on=self._keys, how="left", maintain_order="left", nulls_equal=True)
