"""Pairing CHF rows with their GPF records across chunks: the same hubs as one join over the whole."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.hubframe import HubPairing, adjacent_pairs, hub_frame

SCHEMA = {
    "device_id": pl.String,
    "gpf_device_id": pl.String,
    "device_type": pl.String,
    "status": pl.String,
    "status_since": pl.Date,
    "status_history": pl.String,
}


@st.composite
def inventories(draw: st.DrawFn) -> pl.DataFrame:
    """Hubs with or without a GPF row, meters, unclaimed GPFs; adjacent, apart or shuffled."""
    rows: list[dict[str, object]] = []
    for i in range(draw(st.integers(0, 30))):
        chf, gpf = f"C{i:04d}", f"G{i:04d}"
        since = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
        shape = draw(
            st.sampled_from(["pair", "pair", "pair", "no-gpf-row", "names-none", "meter", "lone-gpf"])
        )
        if shape in ("pair", "no-gpf-row"):
            rows.append(
                {
                    "device_id": chf,
                    "gpf_device_id": gpf,
                    "device_type": "CHF",
                    "status": "Pending",
                    "status_since": since,
                }
            )
        if shape == "names-none":
            rows.append(
                {
                    "device_id": chf,
                    "gpf_device_id": None,
                    "device_type": "CHF",
                    "status": "Pending",
                    "status_since": since,
                }
            )
        if shape in ("pair", "lone-gpf"):
            status = draw(st.sampled_from(["Pending", "Commissioned"]))
            rows.append(
                {
                    "device_id": gpf,
                    "gpf_device_id": None,
                    "device_type": "GPF",
                    "status": status,
                    "status_since": since + timedelta(days=1),
                }
            )
        if shape == "meter":
            rows.append(
                {
                    "device_id": f"M{i:04d}",
                    "gpf_device_id": None,
                    "device_type": "ESME",
                    "status": "Pending",
                    "status_since": since,
                }
            )
    if draw(st.booleans()):
        rows = draw(st.permutations(rows))
    return pl.DataFrame([{**r, "status_history": None} for r in rows], schema=SCHEMA)


@st.composite
def many_suppliers(draw: st.DrawFn) -> pl.DataFrame:
    """An inventory of several suppliers' rows (one of them no supplier), where a GPF's Device ID
    may also be another supplier's GPF: a CHF must pair with its own supplier's record only."""
    inv = draw(inventories())
    owners = draw(st.lists(st.sampled_from(["a", "b", None]), min_size=inv.height, max_size=inv.height))
    inv = inv.with_columns(pl.Series("supplier", owners, pl.String))
    gpf = inv.filter(pl.col("device_type") == "GPF")
    twins = gpf.with_columns(
        pl.when(pl.col("supplier") == "a").then(pl.lit("b")).otherwise(pl.lit("a")).alias("supplier"),
        pl.lit("Withdrawn").alias("status"),
    ).filter(
        pl.Series(draw(st.lists(st.booleans(), min_size=gpf.height, max_size=gpf.height)), dtype=pl.Boolean)
    )
    out = pl.concat([inv, twins])
    return (
        out.sample(fraction=1.0, shuffle=True, seed=draw(st.integers(0, 99))) if draw(st.booleans()) else out
    )


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("device_id") if frame.height else frame


def _pairing_equals_one_join(inventory: pl.DataFrame, chunk_rows: int, *, by_supplier: bool) -> None:
    whole = hub_frame(inventory)
    pairing = HubPairing(by_supplier=by_supplier)
    parts = [pairing.feed(inventory.slice(i, chunk_rows)) for i in range(0, inventory.height, chunk_rows)]
    rest = pairing.finish()
    parts = [p for p in [*parts, rest] if p.height]
    streamed = pl.concat(parts) if parts else whole.clear()
    # every hub once, with the same GPF record (hubs whose GPF came late are output later)
    assert _sorted(streamed.select(whole.columns)).equals(_sorted(whole))
    keys = ["device_id", "supplier"] if by_supplier else ["device_id"]
    gpf_rows = inventory.filter(pl.col("device_type") == "GPF").select(keys).rows()
    chf = inventory.filter(pl.col("device_type") == "CHF")
    named = set(chf.select(["gpf_device_id", *keys[1:]]).rows())
    assert pairing.unclaimed_gpf == sum(1 for g in gpf_rows if g not in named)


@settings(max_examples=300, deadline=None)
@given(inventories(), st.integers(1, 12))
def test_streamed_pairing_equals_one_join(inventory: pl.DataFrame, chunk_rows: int) -> None:
    _pairing_equals_one_join(inventory, chunk_rows, by_supplier=False)


@settings(max_examples=300, deadline=None)
@given(many_suppliers(), st.integers(1, 12))
def test_streamed_pairing_by_supplier_equals_one_join(inventory: pl.DataFrame, chunk_rows: int) -> None:
    # hub_frame pairs a frame with a supplier column by (GPF ID, supplier): a CHF never takes
    # another supplier's record of the same Device ID
    _pairing_equals_one_join(inventory, chunk_rows, by_supplier=True)


def test_adjacent_rows_keep_their_order() -> None:
    inv = pl.DataFrame(
        [
            {
                "device_id": "C2",
                "gpf_device_id": "G2",
                "device_type": "CHF",
                "status": "Pending",
                "status_since": date(2025, 1, 1),
            },
            {
                "device_id": "G2",
                "gpf_device_id": None,
                "device_type": "GPF",
                "status": "Withdrawn",
                "status_since": date(2025, 2, 1),
            },
            {
                "device_id": "C1",
                "gpf_device_id": None,
                "device_type": "CHF",
                "status": "Pending",
                "status_since": date(2025, 3, 1),
            },
        ],
        schema={k: v for k, v in SCHEMA.items() if k != "status_history"},
    ).with_columns(pl.lit(None, pl.String).alias("status_history"))
    hubs = HubPairing().feed(inv)
    assert hubs.select("device_id", "gpf_status", "gpf_status_since").rows() == [
        ("C2", "Withdrawn", date(2025, 2, 1)),
        ("C1", None, None),
    ]


@settings(max_examples=300, deadline=None)
@given(st.one_of(inventories(), many_suppliers()), st.integers(0, 30), st.integers(1, 30))
def test_adjacent_pairs_answer_as_the_join_or_not_at_all(inventory: pl.DataFrame, at: int, n: int) -> None:
    # any slice of a fleet, so that hubs are cut at either end; when the shortcut answers, it is
    # the join's answer in the rows' order (and then no GPF row is left unclaimed)
    chunk = inventory.slice(at, n)
    pairs = adjacent_pairs(chunk, by_supplier="supplier" in chunk.columns)
    if pairs is None:
        return
    assert pairs.equals(hub_frame(chunk).select(pairs.columns))
    assert pairs.height == chunk.filter(pl.col("device_type") == "CHF").height
    named = set(chunk["gpf_device_id"].drop_nulls())
    assert all(g in named for g in chunk.filter(pl.col("device_type") == "GPF")["device_id"])
