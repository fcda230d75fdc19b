"""Upgrade plans: the shortest over-the-air path from a hub's firmware into the window.

A plan is a shortest path (at most ``max_hops`` hops) in the upgrade graph at D from the
hub's version to any window member. Among shortest paths it prefers target N, then N-1 ...
N-k, then N+1; then the least total image bytes (an unknown size counts as 0); remaining ties
go to the path through earlier releases. No downgrades. Every hop carries the rule that
admitted it and says when it changes the SMETS/CHTS or GBCS version of the entry (the hub's
capabilities change with it). When there is no plan, :class:`NoPlan` says what blocked it.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from eligibility.graph import admission
from eligibility.releases import ModelReleases, Release
from eligibility.window import Window

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["NoPlan", "PlanHop", "UpgradePlan", "find_plan"]


class PlanHop(BaseModel):
    """One over-the-air update: from one version to a later one, and the rule that allows it."""

    model_config = ConfigDict(frozen=True, defer_build=True, populate_by_name=True, serialize_by_alias=True)

    from_: str = Field(alias="from")
    to: str
    rule: str
    image_size: int | None = None
    from_display: str
    to_display: str
    changes: tuple[str, ...] = ()


class UpgradePlan(BaseModel):
    """The hops from ``source`` to ``target`` (a window member, ``target_role`` N, N-1 or N+1)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    source: str
    target: str
    target_role: str
    hops: tuple[PlanHop, ...]
    total_image_bytes: int | None = None


class NoPlan(BaseModel):
    """Why no plan exists: what is reachable, and every constraint that blocks the window."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    source: str
    reachable: tuple[str, ...]
    blockers: tuple[str, ...]

    def summary(self) -> str:
        """One sentence for a verdict's reason."""
        if self.reachable:
            reach = f"from {self.source} and the versions it reaches ({', '.join(self.reachable)})"
        else:
            reach = f"from {self.source}, which can reach no later version"
        return f"{reach}: " + "; ".join(self.blockers)


def _spec(rel: Release, d: date) -> tuple[str | None, str | None]:
    # The entry a hub at this version matches: the newest one on the CPL at d, else the newest.
    on = [e for e in rel.entries if e.on_cpl(d)]
    pool = on or list(rel.entries)
    if not pool:
        return None, None
    e = max(pool, key=lambda e: e.number)
    return e.smets_chts, e.gbcs


def _changes(u: Release, v: Release, d: date) -> tuple[str, ...]:
    out = []
    for a, b in zip(_spec(u, d), _spec(v, d), strict=True):
        if a and b and a != b:
            out.append(f"{a} -> {b}")
    return tuple(out)


def _shortest(
    graph: nx.DiGraph, releases: ModelReleases, source: str
) -> dict[str, tuple[int, int, str | None]]:
    """(hops, bytes, predecessor) of the best path from ``source`` to every reachable version."""
    best: dict[str, tuple[int, int, str | None]] = {source: (0, 0, None)}
    start = releases.get(source)
    assert start is not None
    # Edges only go forward in release order, so one pass in that order settles every node.
    for r in releases.releases[start.position :]:
        here = best.get(r.firmware)
        if here is None:
            continue
        hops, size, _ = here
        for v in graph.successors(r.firmware):
            cand = (hops + 1, size + (graph.edges[r.firmware, v]["size"] or 0))
            old = best.get(v)
            if old is None or cand < old[:2]:
                best[v] = (*cand, r.firmware)
    return best


def find_plan(
    releases: ModelReleases,
    graph: nx.DiGraph,
    window: Window,
    d: date,
    source: str,
    max_hops: int = 8,
) -> UpgradePlan | NoPlan:
    """The preferred plan from ``source`` into ``window``, or why there is none.

    ``source`` must be a version of the model; a source already in the window needs no plan
    and gets an empty one.
    """
    src = releases.get(source)
    if src is None:
        raise ValueError(f"{source} is not a version of {releases.device_model}")
    if source in window.members:
        return UpgradePlan(
            source=source, target=source, target_role=window.role(source) or "", hops=(), total_image_bytes=0
        )
    best = _shortest(graph, releases, source)
    choices = []
    for t in window.members:
        got = best.get(t)
        rank = window.preference(t)
        if got is not None and rank is not None and got[0] <= max_hops:
            choices.append((got[0], rank, got[1], t))
    if not choices:
        return _explain(releases, window, d, src, best, max_hops)
    _, _, _, target = min(choices)
    path = [target]
    while (pred := best[path[-1]][2]) is not None:
        path.append(pred)
    path.reverse()
    hops = []
    sizes: list[int | None] = []
    for a, b in itertools.pairwise(path):
        ra, rb = releases.get(a), releases.get(b)
        assert ra is not None
        assert rb is not None
        sizes.append(rb.image_size)
        hops.append(
            PlanHop(
                from_=a,
                to=b,
                rule=graph.edges[a, b]["rule"],
                image_size=rb.image_size,
                from_display=releases.display(a),
                to_display=releases.display(b),
                changes=_changes(ra, rb, d),
            )
        )
    total = None if any(s is None for s in sizes) else sum(s for s in sizes if s is not None)
    return UpgradePlan(
        source=source,
        target=target,
        target_role=window.role(target) or "",
        hops=tuple(hops),
        total_image_bytes=total,
    )


def _explain(
    releases: ModelReleases,
    window: Window,
    d: date,
    src: Release,
    best: dict[str, tuple[int, int, str | None]],
    max_hops: int,
) -> NoPlan:
    reachable = tuple(fw for fw, (h, _, _) in best.items() if fw != src.firmware and h <= max_hops)
    if not window.members:
        return NoPlan(
            source=src.firmware,
            reachable=reachable,
            blockers=(
                f"no version of {releases.device_model} is in production at {d.isoformat()}: the window is empty",
            ),
        )
    blockers: list[str] = []
    froms = [src] + [r for r in (releases.get(fw) for fw in reachable) if r is not None]
    for t_fw in window.members:
        t = releases.get(t_fw)
        assert t is not None
        role = window.role(t_fw)
        if t.position < src.position:
            blockers.append(f"{role} {t_fw} is older than {src.firmware} in release order: no downgrades")
            continue
        if t_fw in best and best[t_fw][0] > max_hops:
            blockers.append(f"{role} {t_fw} is {best[t_fw][0]} hops away, more than max_hops {max_hops}")
            continue
        for u in froms:
            if u.position < t.position:
                for b in admission(releases, u, t, d).blockers:
                    if b not in blockers:
                        blockers.append(b)
    return NoPlan(source=src.firmware, reachable=reachable, blockers=tuple(blockers))
