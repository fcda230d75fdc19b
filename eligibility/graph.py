"""The upgrade graph of a Device Model at a date.

Nodes are every firmware version the model ever had (and the catalogue's future releases).
An edge u -> v means a hub at u can take v's image over the air at D. It exists when:

- v comes later than u in release order (no downgrades);
- v is on the CPL at D;
- v's image is distributable at D (catalogue ``withdrawn_on`` unset or after D);
- v's ``min_source`` (if any) is u or earlier than u in release order;
- v's ``sources`` (a delta image), if any, include u;
- no stepping stone lies strictly between u and v.

Without a catalogue every later version on the CPL is one hop away (the ZigBee OTA default).
Each edge records the rule that admitted it; each refused pair can say what refused it.

networkx is imported when a graph is first built: only a hub outside its window needs one, and
``hubcheck check`` on a hub inside it should not pay the library's import (a quarter of a second).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from eligibility.releases import ModelReleases, Release

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Admission", "admission", "upgrade_graph"]


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether u -> v is a hop at D: the rule that admits it, or every constraint that refuses it."""

    allowed: bool
    rule: str = ""
    blockers: tuple[str, ...] = ()


def _stepping_stone_between(releases: ModelReleases, u: Release, v: Release) -> Release | None:
    for r in releases.releases[u.position + 1 : v.position]:
        if r.stepping_stone:
            return r
    return None


def admission(releases: ModelReleases, u: Release, v: Release, d: date) -> Admission:
    """Decide the hop u -> v at ``d``, with its rule or every reason it is refused."""
    blockers: list[str] = []
    if v.position <= u.position:
        blockers.append(f"{v.firmware} is not later than {u.firmware} in release order (no downgrades)")
        return Admission(False, blockers=tuple(blockers))
    if not v.on_cpl(d):
        blockers.append(
            f"{v.firmware} is not on the CPL at {d.isoformat()}"
            + (" (a future release, not yet listed)" if v.future else "")
        )
    info = v.info
    if info is not None and info.withdrawn_on is not None and info.withdrawn_on <= d:
        blockers.append(f"{v.firmware}'s image was withdrawn on {info.withdrawn_on.isoformat()}")
    rules: list[str] = []
    if info is not None and info.min_source is not None:
        floor = releases.get(info.min_source)
        if floor is not None and u.position < floor.position:
            blockers.append(f"{v.firmware} accepts only sources from {info.min_source} on (min_source)")
        else:
            rules.append(f"min_source {info.min_source}")
    if info is not None and info.sources is not None:
        if u.firmware in info.sources:
            rules.append(f"delta from {u.firmware}")
        else:
            blockers.append(f"{v.firmware} is a delta image from {', '.join(info.sources)} only")
    stone = _stepping_stone_between(releases, u, v)
    if stone is not None:
        # Worded without u and v: one stone blocks many pairs, and a reader needs it once.
        state = ""
        if not stone.distributable(d) and stone.info is not None and stone.info.withdrawn_on is not None:
            state = f" and its image was withdrawn on {stone.info.withdrawn_on.isoformat()}"
        elif not stone.on_cpl(d):
            state = f" and it is not on the CPL at {d.isoformat()}"
        blockers.append(f"stepping stone {stone.firmware} cannot be jumped over{state}")
    if blockers:
        return Admission(False, blockers=tuple(blockers))
    if v.stepping_stone:
        rules.append("stepping stone")
    return Admission(True, rule=", ".join(rules) or "later release")


def upgrade_graph(releases: ModelReleases, d: date) -> nx.DiGraph:
    """The model's upgrade graph at ``d``: node attribute ``position``; edge attributes ``rule``, ``size``."""
    import networkx as nx

    g = nx.DiGraph()
    rel = releases.releases
    for r in rel:
        g.add_node(r.firmware, position=r.position)
    # Targets that can never be reached at d are skipped early: most pairs fail there.
    targets = [v for v in rel if v.on_cpl(d) and v.distributable(d)]
    for u in rel:
        for v in targets:
            if v.position <= u.position:
                continue
            a = admission(releases, u, v, d)
            if a.allowed:
                g.add_edge(u.firmware, v.firmware, rule=a.rule, size=v.image_size)
    return g
