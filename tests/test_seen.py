"""The Device IDs seen so far in a stream: exact membership, chunk after chunk."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cpl_data._seen import SeenDevices

_KEYS = st.lists(st.integers(min_value=0, max_value=60), max_size=40)


@given(chunks=st.lists(_KEYS, max_size=12), probe=_KEYS)
def test_membership_is_a_set_of_everything_added(chunks: list[list[int]], probe: list[int]) -> None:
    seen, model = SeenDevices(), set()
    for chunk in chunks:
        keys = np.array(sorted(set(chunk)), dtype=np.uint64)
        seen.add_sorted(keys)
        model.update(chunk)
    asked = np.array(probe, dtype=np.uint64)
    assert seen.contains(asked).tolist() == [k in model for k in probe]
    assert seen.contains_any(np.sort(asked)) == any(k in model for k in probe)
    assert len(seen) == sum(len(set(c)) for c in chunks)
