"""The words of every reason: full sentences an installer can read aloud, in one place.

Each function returns one reason's message: it starts with a capital letter and ends with a
full stop, counts agree with their nouns ("1 month", "2 hops"), and a message that blocks a hub
says first, in one plain sentence, what it means for the hub, then why. A version is written
with the vendor's name or the model's display format beside the hex (``126094D0 (1.38.3)``).
``tests/test_messages.py`` reads every message of generated verdicts against these rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from eligibility.cpl import CplEntry
from eligibility.identifiers import DeviceModel
from eligibility.smi import HousekeepingPolicy

__all__ = [
    "device_model_not_listed",
    "device_model_not_on_cpl",
    "device_type_mismatch",
    "firmware_in_window",
    "firmware_not_on_cpl",
    "firmware_unknown",
    "no_upgrade_path",
    "plural",
    "smets1_hub",
    "smi_removal_soon",
    "smi_removed",
    "smi_status_date_unknown",
    "smi_status_not_installable",
    "tsat_install_end_passed",
    "upgrade_path_assumed",
    "upgrade_required",
]


def plural(n: int, noun: str) -> str:
    """``n`` and the noun in the number it takes.

    >>> plural(1, "month"), plural(36, "month"), plural(0, "hop")
    ('1 month', '36 months', '0 hops')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _policy(p: HousekeepingPolicy) -> str:
    return f"{p.name} ({plural(p.months, 'month')} pending)"


# -- the Device Model ------------------------------------------------------------------------


def device_model_not_listed(dm: DeviceModel, cpl_version: str) -> str:
    """DEVICE_MODEL_NOT_ON_CPL for a model no entry has ever listed."""
    return (
        f"This hub cannot be commissioned: Device Model {dm} is not on CPL {cpl_version}, where no entry has "
        f"manufacturer {dm.manufacturer} and model {dm.model}. Check the model on the hub's label."
    )


def device_model_not_on_cpl(
    dm: DeviceModel, entries: Sequence[CplEntry], d: date, firmware: str, elsewhere: CplEntry | None
) -> str:
    """DEVICE_MODEL_NOT_ON_CPL for a listed model none of whose entries is on the CPL at ``d``."""
    listed = [e.listed_on for e in entries if e.listed_on is not None]
    removed = [e.removed_on for e in entries if e.removed_on is not None]
    numbers = ", ".join(e.label for e in entries)
    if listed and min(listed) > d:
        when = f"it is first listed on {min(listed).isoformat()} (entry {numbers})"
    elif removed and len(removed) == len(entries):
        start = f"from {min(listed).isoformat()} " if listed else ""
        when = f"it was on the CPL {start}until {max(removed).isoformat()} (entry {numbers}, since removed)"
    else:
        when = f"none of its entries ({numbers}) is on the CPL on that date"
    text = (
        f"This hub cannot be commissioned: Device Model {dm} is not on the CPL on {d.isoformat()}, and the DCC "
        f"delivers only models on the CPL (SEC Appendix AC 2.4); {when}."
    )
    if elsewhere is not None:
        text += (
            f" The same firmware {firmware} is listed under Device Model {elsewhere.device_model} (entry "
            f"{elsewhere.label}): check the model on the hub's label."
        )
    return text


def _a(word: str) -> str:
    # letters whose names start with a vowel sound (an ESME, an HCALCS, an IHD; a CHF, a GPF)
    return ("an " if word[0] in "AEFHILMNORSX" else "a ") + word


def device_type_mismatch(dm: DeviceModel, cpl_type: str, device_type: str) -> str:
    """DEVICE_TYPE_MISMATCH: the CPL lists the model as another kind of device."""
    return (
        f"This device cannot be judged as {_a(device_type)}: the CPL lists Device Model {dm} as {cpl_type}. "
        "Check the model and the device type read from the device."
    )


def smets1_hub(dm: DeviceModel) -> str:
    """SMETS1_HUB: the model's entries are SMETS1 Communications Hubs."""
    return (
        f"This is a SMETS1 hub, not DCC stock: the CPL lists Device Model {dm} under SMETS V1.x, so it is "
        "enrolled through the DCC's SMETS1 service. The SMETS2 support window, the 12-month housekeeping of "
        "AC 7.2 and the Stock Level Charge do not apply to it."
    )


def upgrade_path_assumed(dm: DeviceModel) -> str:
    """UPGRADE_PATH_ASSUMED: no catalogue describes the model."""
    return (
        f"No firmware catalogue describes Device Model {dm}, so this answer assumes that N is its newest "
        "listed version, that there is no N+1, and that any later listed version is one over-the-air hop "
        "away. A catalogue for the model replaces these assumptions."
    )


# -- the firmware ----------------------------------------------------------------------------


def firmware_unknown(firmware: str, dm: DeviceModel, cpl_version: str, known: Sequence[str]) -> str:
    """FIRMWARE_UNKNOWN: the CPL never listed this firmware for the model."""
    return (
        f"This hub cannot be commissioned: firmware {firmware} was never listed on CPL {cpl_version} for "
        f"Device Model {dm} (its versions: {', '.join(known)}). Check the firmware read from the hub."
    )


def firmware_not_on_cpl(label: str, d: date, listed_on: date | None, removed_on: date | None) -> str:
    """FIRMWARE_NOT_ON_CPL: listed once, not on the CPL at ``d``."""
    if listed_on is not None and listed_on > d:
        when = f": it is listed only from {listed_on.isoformat()}"
    elif removed_on is not None and removed_on <= d:
        when = f": it was removed on {removed_on.isoformat()}"
    else:
        when = ""
    return f"Firmware {label} is not on the CPL on {d.isoformat()}{when}."


def _members(members: Sequence[tuple[str, str]], d: date) -> str:
    if not members:
        return f"no version is in production on {d.isoformat()}"
    return (
        f"the versions production supports on {d.isoformat()} ("
        + ", ".join(f"{r} = {m}" for r, m in members)
        + ")"
    )


def firmware_in_window(label: str, role: str, d: date) -> str:
    """FIRMWARE_IN_WINDOW: the firmware is a window member."""
    return f"Firmware {label} is {role} among the versions production supports on {d.isoformat()}."


def upgrade_required(
    label: str,
    members: Sequence[tuple[str, str]],
    d: date,
    hops: int,
    target: str,
    role: str,
    path: Sequence[str],
) -> str:
    """UPGRADE_REQUIRED: outside the window, a plan exists."""
    return (
        f"Firmware {label} is outside {_members(members, d)}, and once the hub is installed and "
        f"commissioned the DCC upgrades it over the air in {plural(hops, 'hop')} to {role} {target}: "
        f"{' -> '.join(path)}. A hub waiting in stock cannot be upgraded."
    )


def no_upgrade_path(label: str, members: Sequence[tuple[str, str]], d: date, max_hops: int, why: str) -> str:
    """NO_UPGRADE_PATH: outside the window and no plan: one plain sentence, then the detail."""
    return (
        f"This hub cannot be commissioned: no over-the-air upgrade brings firmware {label} into "
        f"{_members(members, d)} within {plural(max_hops, 'hop')}. Why: " + _sentence(why)
    )


# -- the SMI and TSAT ------------------------------------------------------------------------


def smi_status_not_installable(who: str, status: str) -> str:
    """SMI_STATUS_NOT_INSTALLABLE."""
    return (
        f"The {who} cannot be installed: its SMI status is {status}, and only a Pending or "
        "InstalledNotCommissioned device can be."
    )


def smi_status_date_unknown(who: str, policy_name: str) -> str:
    """SMI_STATUS_DATE_UNKNOWN: Pending, no status date, removal cannot be judged."""
    return (
        f"The {who} is Pending, but since when is not known, so whether {policy_name} has removed it from the "
        "SMI cannot be judged. Find the date it went Pending (the DCC's SMI extract or your stock records "
        "hold it) and check the hub again with that date before fitting it."
    )


def smi_removed(who: str, since: date, removal: date, policy: HousekeepingPolicy) -> str:
    """SMI_REMOVED: the removal date is on or before the install date."""
    return (
        f"The {who} has been removed from the SMI: it was Pending from {since.isoformat()}, and {_policy(policy)} "
        f"removed it on {removal.isoformat()}. It must be put back on the SMI before it can be commissioned."
    )


def smi_removal_soon(who: str, since: date, removal: date, policy: HousekeepingPolicy, days: int) -> str:
    """SMI_REMOVAL_SOON: the removal date is within the horizon after the install date."""
    return (
        f"Fit it soon: the {who} has been Pending since {since.isoformat()}, and {_policy(policy)} removes it "
        f"from the SMI on {removal.isoformat()}, in {plural(days, 'day')}."
    )


def tsat_install_end_passed(end: date) -> str:
    """TSAT_INSTALL_END_PASSED."""
    return (
        f"Return this hub: its TSAT installation end date {end.isoformat()} has passed, so it must not be "
        "installed (DP238)."
    )
