"""The support window ('N-1, N, N+1') of a Device Model at a date.

At date D, among the releases *in production* (on the CPL at D and past their catalogue
``production_from``), in release order: N is the last, N-1 the one before, back to N-k
(``window_back``). N+1 is the earliest release later than N that the catalogue puts in pilot
by D and that is on the CPL at D but not yet in production. Without a catalogue there is no
N+1. The window is {N-k ... N} and N+1.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, computed_field

from eligibility.releases import ModelReleases

__all__ = ["Window", "support_window"]


class Window(BaseModel):
    """The versions production supports at ``date``; ``older`` is N-1, N-2 ... nearest first."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    date: date
    n: str | None
    older: tuple[str, ...] = ()
    n_plus_1: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def n_minus_1(self) -> str | None:
        """The release before N, if the window reaches back that far."""
        return self.older[0] if self.older else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def members(self) -> tuple[str, ...]:
        """Every window member, oldest first (N-k ... N, then N+1)."""
        out = list(reversed(self.older))
        if self.n is not None:
            out.append(self.n)
        if self.n_plus_1 is not None:
            out.append(self.n_plus_1)
        return tuple(out)

    def role(self, firmware: str) -> str | None:
        """``'N'``, ``'N-1'`` ..., ``'N+1'`` for a member; None otherwise."""
        if firmware == self.n:
            return "N"
        if firmware == self.n_plus_1:
            return "N+1"
        if firmware in self.older:
            return f"N-{self.older.index(firmware) + 1}"
        return None

    def preference(self, firmware: str) -> int | None:
        """Rank of a member as an upgrade target: N first (0), then N-1 ..., N+1 last."""
        if firmware == self.n:
            return 0
        if firmware in self.older:
            return 1 + self.older.index(firmware)
        if firmware == self.n_plus_1:
            return 1 + len(self.older)
        return None


def support_window(releases: ModelReleases, d: date, window_back: int = 1) -> Window:
    """The window of a Device Model at ``d``.

    Raises ValueError when ``window_back`` is negative.
    """
    if window_back < 0:
        raise ValueError("window_back must be 0 or more")
    production = [r for r in releases.releases if r.in_production(d)]
    if production:
        n_release = production[-1]
        n: str | None = n_release.firmware
        older = tuple(r.firmware for r in reversed(production[-1 - window_back : -1]))
        after = n_release.position
    else:
        n, older, after = None, (), -1
    n_plus_1 = next(
        (
            r.firmware
            for r in releases.releases
            if r.position > after and r.in_pilot(d) and r.on_cpl(d) and not r.in_production(d)
        ),
        None,
    )
    return Window(date=d, n=n, older=older, n_plus_1=n_plus_1)
