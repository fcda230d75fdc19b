"""The eligibility engine: reference data in, verdicts out, with what can be precomputed cached.

The firmware side of a verdict depends only on (Device Model, firmware, date); the upgrade
graph only on which of the model's change dates (listings, removals, pilot, production and
withdrawal dates) have passed. So :class:`Engine` keeps

- one graph per (Device Model, epoch), an epoch being the number of change dates on or before D;
- one :class:`FirmwareAssessment` per (Device Model, firmware, date, device type);

and a verdict adds only the SMI and TSAT arithmetic to a cached assessment. The batch path asks
for the assessments of a whole (model, firmware) table at once and joins them columnar.
Dates are arguments: the engine never reads the clock.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from eligibility import messages as say
from eligibility.cpl import DUIS_TYPES
from eligibility.graph import upgrade_graph
from eligibility.identifiers import DeviceModel
from eligibility.plan import NoPlan, UpgradePlan, find_plan
from eligibility.policy_timeline import Policy, as_timeline
from eligibility.reference import Reference
from eligibility.releases import ModelReleases
from eligibility.smi import INSTALLABLE
from eligibility.verdict import DeviceModelView, DeviceRecord, Hub, Reason, SmiView, Verdict, VerdictCode
from eligibility.window import Window, support_window

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["SMETS1_NOT_STOCK", "Engine", "EngineSettings", "FirmwareAssessment"]

#: Why a SMETS1 hub's devices are never removed by housekeeping (a verdict's ``exempt_reason``).
SMETS1_NOT_STOCK = (
    "a SMETS1 hub, enrolled through the DCC's SMETS1 service: AC 7.2 housekeeping does not apply"
)


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
    #: the display of each version named here (firmware, window, plan) that differs from its hex
    names: dict[str, str] = field(default_factory=dict)

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

    @property
    def smets1_hub(self) -> bool:
        """The model is a SMETS1 hub's: no SMETS2 window, no AC 7.2 housekeeping, no Stock Level Charge."""
        return any(r.code == "SMETS1_HUB" for r in self.reasons)

    @property
    def upgrade_path_assumed(self) -> bool:
        """The window and the plan rest on the CPL alone (no catalogue for the model)."""
        return any(r.code == "UPGRADE_PATH_ASSUMED" for r in self.reasons)


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
        self._assessments: dict[tuple[DeviceModel, str, date, str], FirmwareAssessment] = {}

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

    def assess_firmware(
        self, dm: DeviceModel, firmware: str, d: date, device_type: str = "CHF"
    ) -> FirmwareAssessment:
        """The CPL, window and plan gates for a ``device_type`` of model ``dm`` at ``firmware`` on ``d``."""
        key = (dm, firmware, d, device_type)
        got = self._assessments.get(key)
        if got is None:
            if len(self._assessments) >= self.CACHE_LIMIT:
                self._assessments.clear()
            got = self._assessments[key] = self._assess(dm, firmware, d, device_type)
        return got

    def assess_many(self, pairs: Iterable[tuple[DeviceModel, str]], d: date) -> list[FirmwareAssessment]:
        """Assessments of CHFs for many (model, firmware) pairs at one date: the batch's small table."""
        return [self.assess_firmware(dm, fw, d) for dm, fw in pairs]

    def _model_gate(self, dm: DeviceModel, fw: str, d: date, device_type: str) -> Reason | None:
        """The Device Model's own gates, in the verdict table's order: listed, its type, SMETS1, on the CPL at D."""
        st = self._state(dm)
        if st is None:
            return Reason.of(
                "DEVICE_MODEL_NOT_ON_CPL", say.device_model_not_listed(dm, self.reference.cpl.version)
            )
        rel = st.releases
        cpl_type = rel.device_type
        if cpl_type is not None and device_type not in DUIS_TYPES.get(cpl_type, frozenset()):
            return Reason.of("DEVICE_TYPE_MISMATCH", say.device_type_mismatch(dm, cpl_type, device_type))
        if rel.smets1_hub:
            return Reason.of("SMETS1_HUB", say.smets1_hub(dm))
        if not rel.on_cpl(d):
            elsewhere = next(
                (
                    e
                    for e in self.reference.entries_with_firmware(dm.manufacturer, fw)
                    if e.device_model != dm and e.on_cpl(d) and e.device_type == cpl_type
                ),
                None,
            )
            return Reason.of(
                "DEVICE_MODEL_NOT_ON_CPL", say.device_model_not_on_cpl(dm, rel.entries, d, fw, elsewhere)
            )
        return None

    def _assess(self, dm: DeviceModel, fw: str, d: date, device_type: str) -> FirmwareAssessment:
        fa = self._gates(dm, fw, d, device_type)
        st = self._state(dm)
        if st is None:
            return fa
        named = [fw]
        if fa.window is not None:
            named += fa.window.members
        if fa.plan is not None:
            named += [h.to for h in fa.plan.hops]
        names = {v: shown for v in named if (shown := st.releases.display(v)) != v}
        return FirmwareAssessment(
            fa.device_model,
            fa.firmware,
            fa.firmware_display,
            fa.reasons,
            fa.window,
            fa.plan,
            fa.no_plan,
            names,
        )

    def _gates(self, dm: DeviceModel, fw: str, d: date, device_type: str) -> FirmwareAssessment:
        model_gate = self._model_gate(dm, fw, d, device_type)
        st = self._state(dm)
        if model_gate is not None or st is None:
            # the window and the plan mean nothing for a model that is not a SMETS2 hub on the CPL at D
            assert model_gate is not None
            display = st.releases.display(fw) if st is not None else fw
            return FirmwareAssessment(dm, fw, display, (model_gate,), None, None, None)
        cpl = self.reference.cpl
        rel = st.releases
        display = rel.display(fw)
        label = rel.label(fw)
        window = self.window(dm, d)
        assert window is not None
        this = rel.get(fw)
        if this is None or this.future:
            known = [r.firmware for r in rel.releases if not r.future]
            msg = say.firmware_unknown(fw, dm, cpl.version, known)
            return FirmwareAssessment(
                dm, fw, display, (Reason.of("FIRMWARE_UNKNOWN", msg),), window, None, None
            )
        # no catalogue for the model: the window and the plan rest on the ZigBee defaults, and say so
        reasons: list[Reason] = []
        if self.reference.catalogue is None or self.reference.catalogue.for_model(dm) is None:
            reasons.append(Reason.of("UPGRADE_PATH_ASSUMED", say.upgrade_path_assumed(dm)))
        if not this.on_cpl(d):
            reasons.append(
                Reason.of(
                    "FIRMWARE_NOT_ON_CPL", say.firmware_not_on_cpl(label, d, this.listed_on, this.removed_on)
                )
            )
        members = [(window.role(m) or "", rel.label(m)) for m in window.members]
        if fw in window.members:
            reasons.append(
                Reason.of("FIRMWARE_IN_WINDOW", say.firmware_in_window(label, window.role(fw) or "", d))
            )
            return FirmwareAssessment(dm, fw, display, tuple(reasons), window, None, None)
        graph = self.graph(dm, d)
        assert graph is not None
        found = find_plan(rel, graph, window, d, fw, self.settings.max_hops)
        if isinstance(found, UpgradePlan):
            path = [fw, *(h.to for h in found.hops)]
            msg = say.upgrade_required(
                label, members, d, len(found.hops), rel.label(found.target), found.target_role, path
            )
            reasons.append(Reason.of("UPGRADE_REQUIRED", msg))
            return FirmwareAssessment(dm, fw, display, tuple(reasons), window, found, None)
        msg = say.no_upgrade_path(label, members, d, self.settings.max_hops, found.summary())
        reasons.append(Reason.of("NO_UPGRADE_PATH", msg))
        return FirmwareAssessment(dm, fw, display, tuple(reasons), window, None, found)

    # -- SMI and TSAT gates ------------------------------------------------------------------

    def smi_gates(
        self, rec: DeviceRecord, policy: Policy, d: date, *, never_removed: str | None = None
    ) -> tuple[SmiView, list[Reason]]:
        """One device's standing on the SMI under ``policy`` (or a timeline of them) at ``d``, with its reasons.

        ``never_removed`` says why no housekeeping applies to the device at all (a SMETS1 hub).
        """
        timeline = as_timeline(policy)
        who = f"{rec.device_type} {rec.device_id}" if rec.device_id else rec.device_type
        exempt_reason = never_removed or timeline.exempt_reason(rec.device_type, rec.history, rec.status)
        exempt = exempt_reason is not None
        removal = (
            None if exempt else timeline.removal(rec.device_type, rec.status, rec.status_since, rec.history)
        )
        reasons: list[Reason] = []
        if rec.status not in INSTALLABLE:
            reasons.append(
                Reason.of(
                    "SMI_STATUS_NOT_INSTALLABLE",
                    say.smi_status_not_installable(who, rec.status),
                    rec.device_id,
                )
            )
        if rec.status == "Pending" and not exempt:
            if rec.status_since is None:
                reasons.append(
                    Reason.of(
                        "SMI_STATUS_DATE_UNKNOWN",
                        say.smi_status_date_unknown(who, timeline.name),
                        rec.device_id,
                    )
                )
            elif removal is not None and removal[0] <= d:
                reasons.append(
                    Reason.of("SMI_REMOVED", say.smi_removed(who, rec.status_since, *removal), rec.device_id)
                )
            elif removal is not None and removal[0] <= d + timedelta(days=self.settings.removal_soon_days):
                days = (removal[0] - d).days
                reasons.append(
                    Reason.of(
                        "SMI_REMOVAL_SOON",
                        say.smi_removal_soon(who, rec.status_since, *removal, days),
                        rec.device_id,
                    )
                )
        view = SmiView(
            device_id=rec.device_id,
            device_type=rec.device_type,
            status=rec.status,
            status_since=rec.status_since,
            policy=timeline.name,
            removal_date=None if removal is None else removal[0],
            exempt=exempt,
            exempt_reason=exempt_reason,
            removed_under=None if removal is None else removal[1].name,
        )
        return view, reasons

    # -- the verdict -------------------------------------------------------------------------

    def verdict(self, hub: Hub, d: date, policy: Policy) -> Verdict:
        """Every gate for ``hub`` at install date ``d`` under ``policy`` (or a timeline); no short-circuit."""
        dm = DeviceModel(hub.manufacturer, hub.model)
        fa = self.assess_firmware(dm, hub.firmware, d, hub.chf.device_type)
        reasons = list(fa.reasons)
        never = SMETS1_NOT_STOCK if fa.smets1_hub else None
        timeline = as_timeline(policy)
        views: list[tuple[SmiView, list[Reason]]] = [
            self.smi_gates(hub.chf, timeline, d, never_removed=never)
        ]
        if hub.gpf is not None:
            views.append(self.smi_gates(hub.gpf, timeline, d, never_removed=never))
        for _, rs in views:
            reasons.extend(rs)
        if hub.tsat_install_end is not None and d > hub.tsat_install_end:
            reasons.append(
                Reason.of(
                    "TSAT_INSTALL_END_PASSED",
                    say.tsat_install_end_passed(hub.tsat_install_end),
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
            version_names=fa.names,
        )


def _worse(views: list[SmiView], reasons: list[list[Reason]]) -> SmiView:
    """The device that decides the hub's SMI standing: blocked first, then the earliest removal."""

    def rank(i: int) -> tuple[int, int, date]:
        blocked = any(r.severity == "blocking" for r in reasons[i])
        warned = any(r.severity == "warning" for r in reasons[i])
        removal = views[i].removal_date or date.max
        return (0 if blocked else 1, 0 if warned else 1, removal)

    return views[min(range(len(views)), key=rank)]
