"""The upgrade graph and plans: each rule on a small model, then invariants on random models."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility.catalogue import CatalogueModel, CatalogueRelease
from eligibility.cpl import CplEntry
from eligibility.graph import admission, upgrade_graph
from eligibility.identifiers import DeviceModel
from eligibility.plan import NoPlan, UpgradePlan, find_plan
from eligibility.releases import ModelReleases, model_releases
from eligibility.window import support_window

DM = DeviceModel("F0A1", "A1010100")
D = date(2026, 1, 1)


def model(
    listed: list[date | None],
    removed: list[date | None] | None = None,
    infos: Mapping[int, Mapping[str, object]] | None = None,
    firmware: list[str] | None = None,
    order: list[int] | None = None,
) -> ModelReleases:
    fws = firmware or [f"{0x0A000000 + i * 0x10000:08X}" for i in range(len(listed))]  # numerically ascending
    removed = removed or [None] * len(listed)
    entries = [
        CplEntry(
            number=i + 1,
            status="Removed" if removed[i] else "Current",
            device_type="Communications Hub",
            manufacturer=DM.manufacturer,
            model=DM.model,
            firmware=fws[i],
            listed_on=listed[i],
            removed_on=removed[i],
        )
        for i in range(len(listed))
    ]
    cat = None
    if infos or order is not None:
        rels = []
        for i, kw in (infos or {}).items():
            extra: dict[str, Any] = dict(kw)
            # tests name sources by their index in release order
            if "min_source" in extra:
                extra["min_source"] = fws[extra["min_source"]]
            if "sources" in extra:
                extra["sources"] = tuple(fws[j] for j in extra["sources"])
            rels.append(CatalogueRelease(firmware=fws[i], **extra))
        cat = CatalogueModel(
            manufacturer=DM.manufacturer,
            model=DM.model,
            releases=tuple(rels),
            order=None if order is None else tuple(fws[i] for i in order),
        )
    return model_releases(DM, entries, cat)


def days(n: int) -> date:
    return date(2020, 1, 1) + timedelta(days=n)


def plan_of(rel: ModelReleases, source_index: int, d: date = D, max_hops: int = 8) -> UpgradePlan | NoPlan:
    w = support_window(rel, d)
    return find_plan(rel, upgrade_graph(rel, d), w, d, rel.releases[source_index].firmware, max_hops)


# -- each rule ---------------------------------------------------------------------------------


def test_release_order_is_numeric_not_listing_order() -> None:
    # listed newest number first: release order is still the numbers'
    rel = model([days(20), days(10), days(0)])
    assert [r.firmware for r in rel.releases] == ["0A000000", "0A010000", "0A020000"]


def test_a_catalogue_order_overrides_numeric_order() -> None:
    rel = model([days(0), days(10), days(20)], order=[2, 0, 1])
    assert [r.firmware for r in rel.releases] == ["0A020000", "0A000000", "0A010000"]
    assert support_window(rel, D).n == "0A010000"


@pytest.mark.parametrize(
    ("infos", "removed", "u", "v", "allowed", "text"),
    [
        # the ZigBee default: any later version on the CPL
        ({}, None, 0, 3, True, "later release"),
        # no downgrades
        ({}, None, 3, 1, False, "not later"),
        # the target must be on the CPL at D
        ({}, [None, None, days(50), None], 0, 2, False, "not on the CPL"),
        # a withdrawn image cannot be distributed
        ({2: {"withdrawn_on": days(30)}}, None, 0, 2, False, "withdrawn on 2020-01-31"),
        ({2: {"withdrawn_on": date(2030, 1, 1)}}, None, 0, 2, True, "later release"),
        # min_source: only from that release or a later one
        ({3: {"min_source": 1}}, None, 0, 3, False, "min_source"),
        ({3: {"min_source": 1}}, None, 1, 3, True, "min_source 0A010000"),
        ({3: {"min_source": 1}}, None, 2, 3, True, "min_source 0A010000"),
        # sources: a delta image from exact versions only
        ({3: {"sources": [1]}}, None, 1, 3, True, "delta from 0A010000"),
        ({3: {"sources": [1]}}, None, 2, 3, False, "delta image from 0A010000 only"),
        # a stepping stone cannot be jumped over, but can be the target
        ({1: {"stepping_stone": True}}, None, 0, 2, False, "stepping stone 0A010000 cannot be jumped over"),
        ({1: {"stepping_stone": True}}, None, 0, 1, True, "stepping stone"),
        ({1: {"stepping_stone": True}}, None, 1, 3, True, "later release"),
    ],
)
def test_admission_rules(
    infos: dict[int, dict[str, object]],
    removed: list[date | None] | None,
    u: int,
    v: int,
    allowed: bool,
    text: str,
) -> None:
    rel = model([days(0), days(10), days(20), days(30)], removed, infos)
    a = admission(rel, rel.releases[u], rel.releases[v], days(100))
    assert a.allowed is allowed
    assert text in (a.rule if allowed else "; ".join(a.blockers))


def test_plan_prefers_fewest_hops_then_n_then_bytes() -> None:
    # versions 0..4; window at D: N=4, N-1=3. 4 accepts only sources from 2 on.
    rel = model([days(i * 10) for i in range(5)], infos={4: {"min_source": 2}})
    p = plan_of(rel, 0)
    assert isinstance(p, UpgradePlan)
    # N-1 is one hop away, N two: the shortest path wins
    assert (p.target, p.target_role, len(p.hops)) == ("0A030000", "N-1", 1)
    p = plan_of(rel, 2)
    assert isinstance(p, UpgradePlan)
    # both one hop away: N is preferred
    assert (p.target, p.target_role, len(p.hops)) == ("0A040000", "N", 1)


def test_plan_takes_the_smaller_images_on_equal_hops() -> None:
    # to reach N (4) from 0 one must stop at 1 or 2 (min_source 1, and 3 is withdrawn)
    infos: dict[int, dict[str, object]] = {
        1: {"image_size": 900},
        2: {"image_size": 300},
        3: {"withdrawn_on": days(5)},
        4: {"min_source": 1, "image_size": 100},
    }
    rel = model(
        [days(i * 10) for i in range(5)],
        infos=infos,
        firmware=["00000001", "00000002", "00000003", "00000004", "00000005"],
    )
    w = support_window(rel, D)
    assert w.members == ("00000004", "00000005")
    p = plan_of(rel, 0)
    assert isinstance(p, UpgradePlan)
    assert [h.to for h in p.hops] == ["00000003", "00000005"]
    assert p.total_image_bytes == 400


def test_in_window_needs_no_plan() -> None:
    rel = model([days(0), days(10)])
    p = plan_of(rel, 1)
    assert isinstance(p, UpgradePlan)
    assert p.hops == ()


def test_max_hops_bounds_the_plan() -> None:
    stones = {i: {"stepping_stone": True} for i in range(1, 5)}
    rel = model([days(i * 10) for i in range(6)], infos=stones)
    # 0 -> 1 -> 2 -> 3 -> 4 -> 5: N-1 (4) is four hops away
    p = plan_of(rel, 0, max_hops=4)
    assert isinstance(p, UpgradePlan)
    assert (len(p.hops), p.target_role) == (4, "N-1")
    p = plan_of(rel, 0, max_hops=3)
    assert isinstance(p, NoPlan)
    assert any("more than max_hops 3" in b for b in p.blockers)


def test_no_plan_explains_the_constraint() -> None:
    rel = model(
        [days(i * 10) for i in range(4)], infos={1: {"stepping_stone": True, "withdrawn_on": days(50)}}
    )
    p = plan_of(rel, 0)
    assert isinstance(p, NoPlan)
    assert p.reachable == ()
    assert p.blockers == (
        "stepping stone 0A010000 cannot be jumped over and its image was withdrawn on 2020-02-20",
    )


# -- invariants on random models ---------------------------------------------------------------


@dataclass
class Case:
    rel: ModelReleases
    d: date
    max_hops: int
    order: list[str] | None = None


@st.composite
def cases(draw: st.DrawFn) -> Case:
    n = draw(st.integers(min_value=2, max_value=8))
    gaps = draw(st.lists(st.integers(min_value=0, max_value=400), min_size=n, max_size=n))
    undated = draw(st.integers(min_value=0, max_value=1))
    listed: list[date | None] = []
    t = 0
    for i, g in enumerate(gaps):
        t += g
        listed.append(None if i < undated else days(t))
    removed: list[date | None] = []
    for x in listed:
        base = x or days(0)
        removed.append(
            days((base - days(0)).days + draw(st.integers(1, 900)))
            if draw(st.booleans()) and draw(st.booleans())
            else None
        )
    infos: dict[int, dict[str, object]] = {}
    for i in range(n):
        kw: dict[str, object] = {}
        if draw(st.integers(0, 4)) == 0:
            kw["stepping_stone"] = True
        if draw(st.integers(0, 4)) == 0:
            kw["withdrawn_on"] = days(draw(st.integers(0, 2500)))
        if i > 0 and draw(st.integers(0, 4)) == 0:
            kw["min_source"] = draw(st.integers(0, i - 1))
        if i > 0 and draw(st.integers(0, 5)) == 0:
            kw["sources"] = draw(st.lists(st.integers(0, i - 1), min_size=1, max_size=3, unique=True))
        if draw(st.integers(0, 3)) == 0:
            p = draw(st.integers(0, 2500))
            kw["pilot_from"] = days(p)
            kw["production_from"] = days(p + draw(st.integers(0, 200)))
        if draw(st.booleans()):
            kw["image_size"] = draw(st.integers(0, 1000))
        if kw:
            infos[i] = kw
    fws = [
        f"{v:08X}" for v in draw(st.lists(st.integers(0, 0xFFFFFFFF), min_size=n, max_size=n, unique=True))
    ]
    # now and then a catalogue states the order (a vendor whose numbers do not rise)
    order = draw(st.permutations(range(n))) if draw(st.integers(0, 3)) == 0 else None
    rel = model(listed, removed, infos, fws, order)
    stated = None if order is None else [fws[i] for i in order]
    return Case(rel, days(draw(st.integers(0, 2800))), draw(st.integers(1, 8)), stated)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_release_order_is_numeric_unless_a_catalogue_states_it(case: Case) -> None:
    got = [r.firmware for r in case.rel.releases]
    if case.order is None:
        assert got == sorted(got, key=lambda fw: int(fw, 16))
    else:
        assert got == case.order
    assert [r.position for r in case.rel.releases] == list(range(len(got)))


def _brute(case: Case, source: int) -> dict[str, tuple[int, int]]:
    """Fewest hops (then fewest bytes) to every version, by breadth-first search over admission()."""
    rel, d = case.rel, case.d
    best: dict[str, tuple[int, int]] = {rel.releases[source].firmware: (0, 0)}
    queue = deque([(source, 0, 0)])
    while queue:
        i, hops, size = queue.popleft()
        if hops == case.max_hops:
            continue
        for j in range(len(rel.releases)):
            v = rel.releases[j]
            if admission(rel, rel.releases[i], v, d).allowed:
                cand = (hops + 1, size + (v.image_size or 0))
                if v.firmware not in best or cand < best[v.firmware]:
                    best[v.firmware] = cand
                    queue.append((j, *cand))
    return best


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.data())
def test_plan_invariants(case: Case, data: st.DataObject) -> None:
    rel, d = case.rel, case.d
    source = data.draw(st.integers(0, len(rel.releases) - 1))
    src = rel.releases[source]
    window = support_window(rel, d)
    plan = find_plan(rel, upgrade_graph(rel, d), window, d, src.firmware, case.max_hops)
    brute = _brute(case, source)
    reachable = {t: brute[t] for t in window.members if t in brute}
    if src.firmware in window.members:
        assert isinstance(plan, UpgradePlan)
        assert plan.hops == ()
        return
    if not reachable:
        assert isinstance(plan, NoPlan), "a plan where brute force finds none"
        return
    assert isinstance(plan, UpgradePlan), "brute force finds a path the planner missed"
    positions = [src.position]
    prev = src
    rank = {fw: i for i, fw in enumerate(case.order)} if case.order is not None else None
    for hop in plan.hops:
        # no hop goes down in release order: numerically, unless the catalogue states the order
        if rank is None:
            assert int(hop.to, 16) > int(hop.from_, 16)
        else:
            assert rank[hop.to] > rank[hop.from_]
        r = rel.get(hop.to)
        assert r is not None
        a = admission(rel, prev, r, d)  # every hop is admitted by the rules
        assert a.allowed
        assert a.rule == hop.rule
        assert r.on_cpl(d)
        assert r.distributable(d)
        positions.append(r.position)
        prev = r
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)  # never a downgrade, never standing still
    assert len(plan.hops) <= case.max_hops
    assert plan.target in window.members
    fewest = min(h for h, _ in reachable.values())
    assert len(plan.hops) == fewest
    ranks = [window.preference(t) or 0 for t, (h, _) in reachable.items() if h == fewest]
    assert window.preference(plan.target) == min(ranks)
    assert sum((rel.get(h.to) or src).image_size or 0 for h in plan.hops) == reachable[plan.target][1]
