"""A hub's removal date (the earlier of its two devices'), columnar, against eligibility.smi's rules."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.hubframe import hub_frame
from eligibility.smi import POLICIES, SMI_STATUSES, parse_history, parse_policy
from eligibility.sweep import hub_removal_date as removal_date
from eligibility.sweep import hub_status_date
from tests._fleets import M1, dev, inventory

POLICY_LIST = [
    *POLICIES.values(),
    parse_policy("months=24;exclude=GPF"),
    parse_policy("secmp0060;history-aware"),
]

_dates = st.dates(date(2019, 1, 1), date(2028, 12, 31))
_history = st.one_of(
    st.none(),
    st.lists(st.sampled_from(SMI_STATUSES), min_size=1, max_size=3).map(
        lambda ss: ";".join(f"{s}:2019-0{i + 1}-01" for i, s in enumerate(ss))
    ),
)
_device = st.tuples(
    st.sampled_from(["Pending", "Pending", "Commissioned"]), st.one_of(st.none(), _dates), _history
)


@settings(max_examples=80, deadline=None)
@given(devices=st.lists(st.tuples(_device, st.one_of(st.none(), _device)), min_size=1, max_size=12))
def test_removal_date_is_the_earlier_of_the_two_devices(
    devices: list[tuple[tuple[str, date | None, str | None], tuple[str, date | None, str | None] | None]],
) -> None:
    rows: list[tuple[str | None, ...]] = []
    for i, (chf, gpf) in enumerate(devices):
        gpf_id = dev(1000 + i) if gpf is not None else None
        for d_id, d_type, (status, since, hist), link in [(dev(i), "CHF", chf, gpf_id)] + (
            [(gpf_id, "GPF", gpf, None)] if gpf is not None else []
        ):
            rows.append((d_id, link, d_type, *M1, "01000000", status, since.isoformat() if since else None, hist,
                         "S", None, None))  # fmt: skip
    hubs = hub_frame(inventory(rows)).with_columns(hub_status_date())
    assert hubs.height == len(devices)
    for pol in POLICY_LIST:
        got = hubs.select(removal_date(pol)).to_series().to_list()
        for (chf, gpf), g in zip(devices, got, strict=True):
            want = []
            for d_type, (status, since, hist) in [("CHF", chf)] + ([("GPF", gpf)] if gpf else []):
                h = parse_history(hist) if hist else None
                if since is None and h and h[-1].status == status:
                    since = h[-1].since
                r = pol.removal_date(d_type, status, since, h)
                if r is not None:
                    want.append(r)
            assert g == (min(want) if want else None), (pol.name, chf, gpf)


def test_hub_frame_keeps_chf_rows_and_joins_the_gpf() -> None:
    inv = inventory(
        [
            (dev(1), dev(2), "CHF", *M1, "01000000", "Pending", "2025-01-01", None, "S", None, None),
            (dev(2), None, "GPF", *M1, "01000000", "Pending", "2024-01-01", "Commissioned:2023-01-01;Pending:2024-01-01", "S", None, None),
            (dev(3), None, "ESME", *M1, "01000000", "Pending", "2024-01-01", None, "S", None, None),
        ]
    )  # fmt: skip
    hubs = hub_frame(inv).with_columns(hub_status_date())
    assert hubs["device_id"].to_list() == [dev(1)]
    assert hubs.select("gpf_status", "gpf_status_since").row(0) == ("Pending", date(2024, 1, 1))
    assert hubs.select(removal_date(POLICIES["sec-ac-7.2"])).item() == date(2025, 1, 1)
    # history-aware: the GPF came back from the field, so the hub goes when the GPF does
    assert hubs.select(removal_date(POLICIES["history-aware"])).item() == date(2025, 1, 1)
    assert hubs.select(removal_date(POLICIES["exclusion-list"])).item() is None
    assert isinstance(hubs, pl.DataFrame)
