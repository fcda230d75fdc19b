"""The verdict on one hub: every gate's outcome, with reasons a person can act on.

| code | severity | when |
| --- | --- | --- |
| ``DEVICE_MODEL_NOT_ON_CPL`` | blocking | no entry of this manufacturer and model is on the CPL at D (never listed, or every entry removed: AC 2.4) |
| ``DEVICE_TYPE_MISMATCH`` | blocking | the CPL lists the Device Model as another device type (a meter's model for a CHF or GPF, a hub's for a meter) |
| ``SMETS1_HUB`` | blocking | the model's entries are SMETS1 Communications Hubs: never DCC stock; the window, AC 7.2 and the Stock Level Charge do not apply |
| ``UPGRADE_PATH_ASSUMED`` | warning | no catalogue for this model: N is the newest listed version, no N+1, any later listed version one hop away |
| ``FIRMWARE_UNKNOWN`` | blocking | the firmware was never listed for this Device Model |
| ``FIRMWARE_NOT_ON_CPL`` | warning | listed once, not on the CPL at D |
| ``FIRMWARE_IN_WINDOW`` | info | the firmware is a window member at D |
| ``UPGRADE_REQUIRED`` | info | outside the window, a plan exists |
| ``NO_UPGRADE_PATH`` | blocking | outside the window, no plan within ``max_hops`` |
| ``SMI_STATUS_NOT_INSTALLABLE`` | blocking | status is not Pending or InstalledNotCommissioned |
| ``SMI_STATUS_DATE_UNKNOWN`` | warning | no ``status_since``: removal cannot be judged |
| ``SMI_REMOVED`` | blocking | Pending and the policy's removal date is on or before D |
| ``SMI_REMOVAL_SOON`` | warning | Pending and the removal date is within 90 days after D |
| ``TSAT_INSTALL_END_PASSED`` | blocking | D is after the hub's TSAT installation end date |

Verdict: NOT_ELIGIBLE if any reason is blocking, else ELIGIBLE_AFTER_UPGRADE if an upgrade
is required, else ELIGIBLE.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from eligibility.dates import parse_date
from eligibility.identifiers import parse_device_id, parse_manufacturer, parse_model
from eligibility.plan import NoPlan, PlanHop
from eligibility.reference import ReferenceInfo
from eligibility.smi import StatusChange, parse_device_type, parse_history, parse_status
from eligibility.versions import parse_firmware
from eligibility.window import Window

__all__ = [
    "REASON_CODES",
    "SEVERITY",
    "VERDICT_ADAPTER",
    "DeviceModelView",
    "DeviceRecord",
    "Hub",
    "Reason",
    "ReasonCode",
    "Severity",
    "SmiView",
    "Verdict",
    "VerdictCode",
]

Severity = Literal["blocking", "warning", "info"]
VerdictCode = Literal["ELIGIBLE", "ELIGIBLE_AFTER_UPGRADE", "NOT_ELIGIBLE"]
ReasonCode = Literal[
    "DEVICE_MODEL_NOT_ON_CPL",
    "DEVICE_TYPE_MISMATCH",
    "SMETS1_HUB",
    "UPGRADE_PATH_ASSUMED",
    "FIRMWARE_UNKNOWN",
    "FIRMWARE_NOT_ON_CPL",
    "FIRMWARE_IN_WINDOW",
    "UPGRADE_REQUIRED",
    "NO_UPGRADE_PATH",
    "SMI_STATUS_NOT_INSTALLABLE",
    "SMI_STATUS_DATE_UNKNOWN",
    "SMI_REMOVED",
    "SMI_REMOVAL_SOON",
    "TSAT_INSTALL_END_PASSED",
]

SEVERITY: Final[dict[str, Severity]] = {
    "DEVICE_MODEL_NOT_ON_CPL": "blocking",
    "DEVICE_TYPE_MISMATCH": "blocking",
    "SMETS1_HUB": "blocking",
    "UPGRADE_PATH_ASSUMED": "warning",
    "FIRMWARE_UNKNOWN": "blocking",
    "FIRMWARE_NOT_ON_CPL": "warning",
    "FIRMWARE_IN_WINDOW": "info",
    "UPGRADE_REQUIRED": "info",
    "NO_UPGRADE_PATH": "blocking",
    "SMI_STATUS_NOT_INSTALLABLE": "blocking",
    "SMI_STATUS_DATE_UNKNOWN": "warning",
    "SMI_REMOVED": "blocking",
    "SMI_REMOVAL_SOON": "warning",
    "TSAT_INSTALL_END_PASSED": "blocking",
}
REASON_CODES: Final[tuple[str, ...]] = tuple(SEVERITY)


# The result types are plain frozen dataclasses: a verdict is built millions of times and a
# dataclass costs a fraction of a pydantic model to construct. Pydantic still serialises and
# documents them (``VERDICT_ADAPTER``, FastAPI response models).


@dataclass(frozen=True, slots=True)
class Reason:
    """One gate's outcome: a code, its severity, and a message that says why."""

    code: ReasonCode
    severity: Severity
    message: str
    device_id: str | None = None

    @classmethod
    def of(cls, code: ReasonCode, message: str, device_id: str | None = None) -> Reason:
        """A reason with the severity its code always has."""
        return cls(code, SEVERITY[code], message, device_id)


class DeviceRecord(BaseModel):
    """One SMI device of a hub (the CHF, or its GPF): its status and when it was set."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    device_id: str | None = None
    device_type: str = "CHF"
    status: str = "Pending"
    status_since: date | None = None
    history: tuple[StatusChange, ...] | None = None

    @classmethod
    def parse(
        cls,
        *,
        device_id: str | None = None,
        device_type: str = "CHF",
        status: str = "Pending",
        status_since: str | None = None,
        history: str | None = None,
        prefix: str = "",
    ) -> DeviceRecord:
        """Build from text inputs, naming the field at fault (``prefix`` e.g. ``gpf_``)."""
        hist = parse_history(history, field=f"{prefix}status_history") if history else None
        since = parse_date(status_since, field=f"{prefix}status_since") if status_since else None
        st = parse_status(status, field=f"{prefix}status")
        if since is None and hist and hist[-1].status == st:
            since = hist[-1].since  # the history's last step is the current status
        return cls(
            device_id=parse_device_id(device_id, field=f"{prefix}device_id") if device_id else None,
            device_type=parse_device_type(device_type, field=f"{prefix}device_type"),
            status=st,
            status_since=since,
            history=hist,
        )


class Hub(BaseModel):
    """What is known of one Communications Hub: its Device Model, firmware and SMI records."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    manufacturer: str
    model: str
    firmware: str
    chf: DeviceRecord = Field(default_factory=DeviceRecord)
    gpf: DeviceRecord | None = None
    tsat_install_end: date | None = None
    supplier: str | None = None

    @property
    def device_id(self) -> str | None:
        """The hub's Device ID: its CHF's."""
        return self.chf.device_id

    @classmethod
    def parse(
        cls,
        *,
        manufacturer: str,
        model: str,
        firmware: str,
        chf: DeviceRecord | None = None,
        gpf: DeviceRecord | None = None,
        tsat_install_end: str | None = None,
        supplier: str | None = None,
    ) -> Hub:
        """Build from text inputs; firmware of 1-8 hex digits is padded (DUIS allows it)."""
        return cls(
            manufacturer=parse_manufacturer(manufacturer),
            model=parse_model(model),
            firmware=parse_firmware(firmware, pad=True),
            chf=chf or DeviceRecord(),
            gpf=gpf,
            tsat_install_end=parse_date(tsat_install_end, field="tsat_install_end")
            if tsat_install_end
            else None,
            supplier=supplier,
        )


@dataclass(frozen=True, slots=True)
class SmiView:
    """A device's standing on the SMI under the policy at the install date."""

    device_id: str | None
    device_type: str
    status: str
    status_since: date | None
    policy: str
    removal_date: date | None
    exempt: bool
    #: Why the device is never removed, in words ("CHF is on the exclusion list of exclusion-list").
    exempt_reason: str | None = None
    #: The policy that removes it on ``removal_date`` (under a timeline, the one then in force).
    removed_under: str | None = None


@dataclass(frozen=True, slots=True)
class DeviceModelView:
    """Manufacturer and model, as given."""

    manufacturer: str
    model: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """Can this hub be installed and commissioned at ``install_date``, and why."""

    device_id: str | None
    verdict: VerdictCode
    reasons: tuple[Reason, ...]
    install_date: date
    device_model: DeviceModelView
    firmware: str
    firmware_display: str
    window: Window | None
    upgrade_plan: tuple[PlanHop, ...] | None
    plan_target: str | None
    plan_target_role: str | None
    no_plan: NoPlan | None
    smi: SmiView
    smi_devices: tuple[SmiView, ...]
    tsat_install_end: date | None
    reference: ReferenceInfo
    #: How a person reads each version this verdict names (its firmware, the window, the plan) where
    #: that differs from the hex: the vendor's name from the CPL's notes, else the display format.
    version_names: dict[str, str] = field(default_factory=dict)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in gate order."""
        return tuple(r.code for r in self.reasons)

    def to_json(self) -> dict[str, Any]:
        """The verdict's JSON form (plan hops keyed ``from``/``to``)."""
        return VERDICT_ADAPTER.dump_python(self, mode="json", by_alias=True)  # type: ignore[no-any-return]


VERDICT_ADAPTER: Final[TypeAdapter[Verdict]] = TypeAdapter(Verdict)
