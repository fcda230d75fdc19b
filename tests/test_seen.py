"""The Device IDs seen so far in a stream: exact membership, chunk after chunk."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from cpl_data._seen import SeenDevices, device_keys

_KEYS = st.lists(st.integers(min_value=0, max_value=60), max_size=40)


@given(chunks=st.lists(_KEYS, max_size=12), probe=_KEYS)
def test_membership_is_a_set_of_everything_added(chunks: list[list[int]], probe: list[int]) -> None:
    seen, model = SeenDevices(), set()
    for chunk in chunks:
        seen.add(np.array(chunk, dtype=np.uint64))
        model.update(chunk)
    assert seen.contains(np.array(probe, dtype=np.uint64)).tolist() == [k in model for k in probe]
    assert len(seen) == sum(len(c) for c in chunks)


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_a_device_id_is_its_64_bit_value(value: int) -> None:
    text = "-".join(f"{value:016X}"[i : i + 2] for i in range(0, 16, 2))
    assert device_keys(pl.Series([text, None])).to_list() == [value, None]
