"""The eligibility engine on the real CPL v2.051.

- one verdict with the reference data loaded (cache warm), microseconds per call, against a
  baseline that builds everything afresh for each verdict (a new Engine per call);
- building every Device Model's release order, window and upgrade graph for the whole CPL.

Run: ``make bench`` or ``.venv/bin/python -m bench.engine``.
"""

from __future__ import annotations

import time
from datetime import date

from bench._timing import median_seconds, report
from cpl_data.catalogue import load_catalogue
from cpl_data.cpl import read_cpl
from cpl_data.real_data import shared_data_dir
from eligibility.engine import Engine
from eligibility.reference import Reference
from eligibility.smi import parse_policy
from eligibility.verdict import DeviceRecord, Hub

D = date(2026, 11, 28)
CATALOGUE = b"""
[[model]]
manufacturer = "1086"
model = "54311F52"
display_format = "quad"
[[model.release]]
firmware = "0C1D0000"
stepping_stone = true
"""


def _per_call(fn: object, n: int) -> float:
    assert callable(fn)
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def main() -> None:
    cpl = read_cpl(shared_data_dir() / "cpl" / "CPL_v2.051_2022-09-21__workbook_rebuilt.xlsx").cpl
    cat = load_catalogue(CATALOGUE, cpl=cpl).catalogue
    ref = Reference(cpl, cat)
    policy = parse_policy("sec-ac-7.2")
    hub = Hub.parse(
        manufacturer="1086",
        model="54311F52",
        firmware="0B150000",
        chf=DeviceRecord.parse(device_id="00db1234567890a0", status_since="2026-01-10"),
    )
    print("== eligibility engine (real CPL v2.051, Toshiba SKU1 at 0B150000, 2-hop plan) ==")
    base = _per_call(lambda: Engine(Reference(cpl, cat)).verdict(hub, D, policy), 300)
    report("baseline: a fresh engine per verdict (nothing cached)", base, unit="us")
    engine = Engine(ref)
    engine.verdict(hub, D, policy)
    warm = min(_per_call(lambda: engine.verdict(hub, D, policy), 50_000) for _ in range(3))
    report("one verdict, reference data loaded (warm)", warm, baseline=base, unit="us")

    models = Reference(cpl).device_models()

    def every_graph() -> None:
        e = Engine(Reference(cpl))
        for dm in models:
            e.window(dm, D)
            e.graph(dm, D)

    t = median_seconds(every_graph, repeat=5)
    report(f"release order + window + graph for all {len(models)} Device Models", t)

    def every_epoch() -> None:
        e = Engine(Reference(cpl))
        for dm in models:
            rel = e.reference.releases(dm)
            assert rel is not None
            for d in rel.change_dates():
                e.window(dm, d)
                e.graph(dm, d)

    t = median_seconds(every_epoch, repeat=3)
    report("... at every change date of every model (the whole timeline)", t)


if __name__ == "__main__":
    main()
