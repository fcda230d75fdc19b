"""The eligibility engine: reference data in, verdicts out, with what can be precomputed cached.

The firmware side of a verdict depends only on (Device Model, firmware, date); the upgrade
graph only on which of the model's change dates (listings, removals, pilot, production and
withdrawal dates) have passed. So :class:`Engine` keeps

- one graph per (Device Model, epoch), an epoch being the number of change dates on or before D;
- one :class:`FirmwareAssessment` per (Device Model, firmware, date);

and a verdict adds only the SMI and TSAT arithmetic to a cached assessment. The batch path asks
for the assessments of a whole (model, firmware) table at once and joins them columnar.
Dates are arguments: the engine never reads the clock.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import networkx as nx

from eligibility.graph import upgrade_graph
from eligibility.identifiers import DeviceModel
from eligibility.plan import NoPlan, UpgradePlan, find_plan
from eligibility.reference import Reference
from eligibility.releases import ModelReleases
from eligibility.smi import INSTALLABLE, HousekeepingPolicy
from eligibility.verdict import DeviceModelView, DeviceRecord, Hub, Reason, SmiView, Verdict, VerdictCode
from eligibility.window import Window, support_window

__all__ = ["Engine", "EngineSettings", "FirmwareAssessment"]


@dataclass(frozen=True)
class EngineSettings:
    """Settings a deployment may change: window depth, plan length, the 'removal soon' horizon."""

    window_back: int = 1
    max_hops: int = 8
    removal_soon_days: int = 90

    def __post_init__(self) -> None:
        if self.window_back < 0 or self.max_hops < 1 or self.removal_soon_days < 0:
            raise ValueError("window_back >= 0, max_hops >= 1 and removal_soon_days >= 0 are required")


@dataclass(frozen=True)
class FirmwareAssessment:
    """The CPL, window and plan gates for one (Device Model, firmware) at one date."""

    device_model: DeviceModel
    firmware: str
    firmware_display: str
    reasons: tuple[Reason, ...]
    window: Window | None
    plan: UpgradePlan | None
    no_plan: NoPlan | None

    @property
    def blocking(self) -> bool:
        """A firmware gate blocks installation."""
        return any(r.severity == "blocking" for r in self.reasons)

    @property
    def upgrade_required(self) -> bool:
        """The hub needs the plan before it can be commissioned."""
        return any(r.code == "UPGRADE_REQUIRED" for r in self.reasons)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes of these gates."""
        return tuple(r.code for r in self.reasons)


@dataclass
class _ModelState:
    releases: ModelReleases
    change_dates: tuple[date, ...]
    graphs: dict[int, nx.DiGraph] = field(default_factory=dict)


class Engine:
    """Verdicts for hubs against one set of reference data."""

    #: Bound on cached assessments; past it the cache starts again (a batch reuses few keys).
    CACHE_LIMIT = 500_000

    def __init__(self, reference: Reference, settings: EngineSettings | None = None) -> None:
        self.reference = reference
        self.settings = settings or EngineSettings()
        self._models: dict[DeviceModel, _ModelState | None] = {}
        self._windows: dict[tuple[DeviceModel, date], Window] = {}
        self._assessments: dict[tuple[DeviceModel, str, date], FirmwareAssessment] = {}

    # -- per model ---------------------------------------------------------------------------

    def _state(self, dm: DeviceModel) -> _ModelState | None:
        if dm not in self._models:
            rel = self.reference.releases(dm)
            self._models[dm] = None if rel is None else _ModelState(rel, rel.change_dates())
        return self._models[dm]

    def graph(self, dm: DeviceModel, d: date) -> nx.DiGraph | None:
        """The model's upgrade graph at ``d`` (shared by every date of the same epoch)."""
        st = self._state(dm)
        if st is None:
            return None
        epoch = bisect.bisect_right(st.change_dates, d)
        g = st.graphs.get(epoch)
        if g is None:
            g = st.graphs[epoch] = upgrade_graph(st.releases, d)
        return g

    def window(self, dm: DeviceModel, d: date) -> Window | None:
        """The model's support window at ``d``; None when no CPL entry has this model."""
        key = (dm, d)
        w = self._windows.get(key)
        if w is None:
            st = self._state(dm)
            if st is None:
                return None
            w = self._windows[key] = support_window(st.releases, d, self.settings.window_back)
        return w

    # -- firmware gates ----------------------------------------------------------------------

    def assess_firmware(self, dm: DeviceModel, firmware: str, d: date) -> FirmwareAssessment:
        """The CPL, window and plan gates for a hub of model ``dm`` at ``firmware`` on ``d``."""
        key = (dm, firmware, d)
        got = self._assessments.get(key)
        if got is None:
            if len(self._assessments) >= self.CACHE_LIMIT:
                self._assessments.clear()
            got = self._assessments[key] = self._assess(dm, firmware, d)
        return got

    def assess_many(self, pairs: Iterable[tuple[DeviceModel, str]], d: date) -> list[FirmwareAssessment]:
        """Assessments for many (model, firmware) pairs at one date: the batch's small table."""
        return [self.assess_firmware(dm, fw, d) for dm, fw in pairs]

    def _assess(self, dm: DeviceModel, fw: str, d: date) -> FirmwareAssessment:
        st = self._state(dm)
        cpl = self.reference.cpl
        if st is None:
            msg = (
                f"Device Model {dm} is not on CPL {cpl.version}: no entry has manufacturer {dm.manufacturer} "
                f"and model {dm.model}; check the model, or the hub cannot be commissioned"
            )
            return FirmwareAssessment(
                dm, fw, fw, (Reason.of("DEVICE_MODEL_NOT_ON_CPL", msg),), None, None, None
            )
        rel = st.releases
        display = rel.display(fw)
        label = fw if display == fw else f"{fw} ({display})"
        window = self.window(dm, d)
        assert window is not None
        this = rel.get(fw)
        if this is None or this.future:
            known = ", ".join(r.firmware for r in rel.releases if not r.future)
            msg = (
                f"firmware {fw} was never listed on CPL {cpl.version} for Device Model {dm} "
                f"(its versions: {known}); check the firmware read from the hub"
            )
            return FirmwareAssessment(
                dm, fw, display, (Reason.of("FIRMWARE_UNKNOWN", msg),), window, None, None
            )
        reasons: list[Reason] = []
        if not this.on_cpl(d):
            when = f"since {this.removed_on.isoformat()}" if this.removed_on and this.removed_on <= d else ""
            if this.listed_on is not None and this.listed_on > d:
                when = f"until {this.listed_on.isoformat()}"
            reasons.append(
                Reason.of(
                    "FIRMWARE_NOT_ON_CPL",
                    f"firmware {label} is not on the CPL at {d.isoformat()} {when}".rstrip(),
                )
            )
        members = ", ".join(f"{window.role(m)}={m}" for m in window.members) or "empty"
        if fw in window.members:
            reasons.append(
                Reason.of(
                    "FIRMWARE_IN_WINDOW",
                    f"firmware {label} is {window.role(fw)} in the window at {d.isoformat()}",
                )
            )
            return FirmwareAssessment(dm, fw, display, tuple(reasons), window, None, None)
        graph = self.graph(dm, d)
        assert graph is not None
        found = find_plan(rel, graph, window, d, fw, self.settings.max_hops)
        if isinstance(found, UpgradePlan):
            n = len(found.hops)
            reasons.append(
                Reason.of(
                    "UPGRADE_REQUIRED",
                    f"firmware {label} is outside the window ({members}); upgrade over the air in {n} "
                    f"hop{'s' if n != 1 else ''} to {found.target} ({found.target_role}): "
                    + " -> ".join([fw, *(h.to for h in found.hops)]),
                )
            )
            return FirmwareAssessment(dm, fw, display, tuple(reasons), window, found, None)
        reasons.append(
            Reason.of(
                "NO_UPGRADE_PATH",
                f"firmware {label} is outside the window ({members}) and no over-the-air path reaches it "
                f"within {self.settings.max_hops} hops: {found.summary()}",
            )
        )
        return FirmwareAssessment(dm, fw, display, tuple(reasons), window, None, found)

    # -- SMI and TSAT gates ------------------------------------------------------------------

    def smi_gates(
        self, rec: DeviceRecord, policy: HousekeepingPolicy, d: date
    ) -> tuple[SmiView, list[Reason]]:
        """One device's standing on the SMI under ``policy`` at ``d``, with its reasons."""
        who = f"{rec.device_type} {rec.device_id}" if rec.device_id else rec.device_type
        exempt = policy.exempt(rec.device_type, rec.history, rec.status)
        removal = policy.removal_date(rec.device_type, rec.status, rec.status_since, rec.history)
        reasons: list[Reason] = []
        if rec.status not in INSTALLABLE:
            reasons.append(
                Reason.of(
                    "SMI_STATUS_NOT_INSTALLABLE",
                    f"{who}: SMI status {rec.status} cannot be installed; it must be Pending or "
                    "InstalledNotCommissioned",
                    rec.device_id,
                )
            )
        if rec.status == "Pending" and not exempt:
            if rec.status_since is None:
                reasons.append(
                    Reason.of(
                        "SMI_STATUS_DATE_UNKNOWN",
                        f"{who}: Pending since an unknown date, so removal under {policy.name} cannot be judged; "
                        "give the date the status was set (from the SMI extract or your records)",
                        rec.device_id,
                    )
                )
            elif removal is not None and removal <= d:
                reasons.append(
                    Reason.of(
                        "SMI_REMOVED",
                        f"{who}: Pending since {rec.status_since.isoformat()}, so removed from the SMI under "
                        f"{policy.name} on {removal.isoformat()} ({policy.months} months); it must be put back "
                        "on the SMI before it can be commissioned",
                        rec.device_id,
                    )
                )
            elif removal is not None and removal <= d + timedelta(days=self.settings.removal_soon_days):
                days = (removal - d).days
                reasons.append(
                    Reason.of(
                        "SMI_REMOVAL_SOON",
                        f"{who}: Pending since {rec.status_since.isoformat()}; removed from the SMI under "
                        f"{policy.name} on {removal.isoformat()}, in {days} day{'s' if days != 1 else ''}",
                        rec.device_id,
                    )
                )
        view = SmiView(
            device_id=rec.device_id,
            device_type=rec.device_type,
            status=rec.status,
            status_since=rec.status_since,
            policy=policy.name,
            removal_date=removal,
            exempt=exempt,
        )
        return view, reasons

    # -- the verdict -------------------------------------------------------------------------

    def verdict(self, hub: Hub, d: date, policy: HousekeepingPolicy) -> Verdict:
        """Every gate for ``hub`` at install date ``d`` under ``policy``; no short-circuit."""
        dm = DeviceModel(hub.manufacturer, hub.model)
        fa = self.assess_firmware(dm, hub.firmware, d)
        reasons = list(fa.reasons)
        views: list[tuple[SmiView, list[Reason]]] = [self.smi_gates(hub.chf, policy, d)]
        if hub.gpf is not None:
            views.append(self.smi_gates(hub.gpf, policy, d))
        for _, rs in views:
            reasons.extend(rs)
        if hub.tsat_install_end is not None and d > hub.tsat_install_end:
            reasons.append(
                Reason.of(
                    "TSAT_INSTALL_END_PASSED",
                    f"the TSAT installation end date {hub.tsat_install_end.isoformat()} has passed; the hub must be "
                    "returned (DP238)",
                    hub.device_id,
                )
            )
        code: VerdictCode
        if any(r.severity == "blocking" for r in reasons):
            code = "NOT_ELIGIBLE"
        elif fa.upgrade_required:
            code = "ELIGIBLE_AFTER_UPGRADE"
        else:
            code = "ELIGIBLE"
        worst = _worse([v for v, _ in views], [rs for _, rs in views])
        plan = fa.plan
        return Verdict(
            device_id=hub.device_id,
            verdict=code,
            reasons=tuple(reasons),
            install_date=d,
            device_model=DeviceModelView(dm.manufacturer, dm.model),
            firmware=hub.firmware,
            firmware_display=fa.firmware_display,
            window=fa.window,
            upgrade_plan=plan.hops if plan is not None else None,
            plan_target=plan.target if plan is not None else None,
            plan_target_role=plan.target_role if plan is not None else None,
            no_plan=fa.no_plan,
            smi=worst,
            smi_devices=tuple(v for v, _ in views),
            tsat_install_end=hub.tsat_install_end,
            reference=self.reference.info,
        )


def _worse(views: list[SmiView], reasons: list[list[Reason]]) -> SmiView:
    """The device that decides the hub's SMI standing: blocked first, then the earliest removal."""

    def rank(i: int) -> tuple[int, int, date]:
        blocked = any(r.severity == "blocking" for r in reasons[i])
        warned = any(r.severity == "warning" for r in reasons[i])
        removal = views[i].removal_date or date.max
        return (0 if blocked else 1, 0 if warned else 1, removal)

    return views[min(range(len(views)), key=rank)]
