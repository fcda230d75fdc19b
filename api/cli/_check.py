"""``hubcheck check`` and ``hubcheck plan``: one hub's verdict, or only its upgrade plan.

The engine and its models are imported when a command runs, not when the CLI starts (``--help``
and every other command load this module).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli._common import CatalogueOption, console, date_checked, date_option, emit_json, state, today
from api.cli._output import indented
from eligibility.errors import InputError

if TYPE_CHECKING:
    from eligibility.plan import PlanHop
    from eligibility.verdict import Hub, Verdict

__all__ = ["check", "plan"]

_COLOUR = {"ELIGIBLE": "green", "ELIGIBLE_AFTER_UPGRADE": "yellow", "NOT_ELIGIBLE": "red"}
_MARK = {"blocking": ("x", "red"), "warning": ("!", "yellow"), "info": ("i", "cyan")}

DeviceIdArg = Annotated[
    str | None, typer.Argument(help="The hub's Device ID (its CHF). Alone, the hub is read from the store.")
]
Manufacturer = Annotated[str | None, typer.Option(help="Manufacturer identifier, 4 hex.")]
Model = Annotated[str | None, typer.Option(help="Model as DUIS writes it, 8 hex.")]
Firmware = Annotated[str | None, typer.Option(help="Firmware version, 1-8 hex digits (padded).")]
DeviceType = Annotated[str, typer.Option(help="Device type of DEVICE_ID.")]
Status = Annotated[str, typer.Option(help="SMI status.")]
Since = Annotated[
    str | None, typer.Option(callback=date_checked, help="Date the SMI status was set, YYYY-MM-DD.")
]
History = Annotated[
    str | None,
    typer.Option(
        callback=date_checked,
        help="Status history, oldest first: S1,S2,... or S1:YYYY-MM-DD;S2:YYYY-MM-DD.",
    ),
]
GpfId = Annotated[str | None, typer.Option(help="The hub's GPF Device ID.")]
GpfStatus = Annotated[
    str | None, typer.Option(help="The GPF's SMI status (when it differs from the CHF's record).")
]
Tsat = Annotated[
    str | None, typer.Option(callback=date_checked, help="TSAT installation end date, YYYY-MM-DD.")
]
InstallDate = Annotated[
    str | None, typer.Option(help="Install date to judge at, YYYY-MM-DD (default today).")
]
Policy = Annotated[
    str,
    typer.Option(
        help="Housekeeping policy: sec-ac-7.2, secmp0060, history-aware, exclusion-list, months=N;..., or a "
        "timeline of them, each from a date: sec-ac-7.2,secmp0060@2023-04-01"
    ),
]
WindowBack = Annotated[int, typer.Option(min=0, max=100, help="Versions before N the window keeps.")]
MaxHops = Annotated[int, typer.Option(min=1, max=1000, help="Longest plan allowed.")]


def _hub(
    ctx: typer.Context,
    device_id: str | None,
    manufacturer: str | None,
    model: str | None,
    firmware: str | None,
    device_type: str,
    status: str,
    status_since: str | None,
    history: str | None,
    gpf_id: str | None,
    gpf_status: str | None,
    gpf_status_since: str | None,
    gpf_history: str | None,
    tsat_install_end: str | None,
) -> Hub:
    from eligibility.identifiers import parse_device_id
    from eligibility.verdict import DeviceRecord, Hub

    given = [manufacturer, model, firmware]
    if all(v is None for v in given):
        if device_id is None:
            raise InputError(
                "give a DEVICE_ID (to read the hub from the store) or --manufacturer, --model and --firmware",
                field="device_id",
            )
        return state(ctx).store().get_hub(parse_device_id(device_id))
    missing = [
        n for n, v in zip(("--manufacturer", "--model", "--firmware"), given, strict=True) if v is None
    ]
    if missing:
        raise InputError(
            f"{', '.join(missing)} missing: a hub is described by manufacturer, model and firmware",
            field=missing[0],
        )
    assert manufacturer is not None
    assert model is not None
    assert firmware is not None
    chf = DeviceRecord.parse(
        device_id=device_id,
        device_type=device_type,
        status=status,
        status_since=status_since,
        history=history,
    )
    gpf = None
    if gpf_id or gpf_status or gpf_status_since or gpf_history:
        gpf = DeviceRecord.parse(
            device_id=gpf_id,
            device_type="GPF",
            status=gpf_status or status,
            status_since=gpf_status_since or (status_since if gpf_status is None else None),
            history=gpf_history,
            prefix="gpf_",
        )
    return Hub.parse(
        manufacturer=manufacturer,
        model=model,
        firmware=firmware,
        chf=chf,
        gpf=gpf,
        tsat_install_end=tsat_install_end,
    )


def _print_hops(hops: tuple[PlanHop, ...]) -> None:
    # one hop a line (and its changes under it): reads at 80 columns where a six-column table cannot
    for i, h in enumerate(hops, start=1):
        size = f", image {h.image_size:,} B" if h.image_size is not None else ""
        frm = h.from_ if h.from_display == h.from_ else f"{h.from_} ({h.from_display})"
        to = h.to if h.to_display == h.to else f"{h.to} ({h.to_display})"
        indented(f"{i}. {frm} -> {to}: {h.rule}{size}", hang=3)
        for change in h.changes:
            indented(f"changes {change}", 5)


def _print_plan(v: Verdict) -> None:
    if v.upgrade_plan:
        n = len(v.upgrade_plan)
        console.print(
            f"[bold]Upgrade plan[/bold]: {n} hop{'s' if n != 1 else ''} to {v.plan_target} ({v.plan_target_role})"
        )
        _print_hops(v.upgrade_plan)
    elif v.no_plan is not None:
        console.print("[bold red]No upgrade plan[/bold red]")
        for b in v.no_plan.blockers:
            indented(f"- {b}", hang=2)
    elif v.window is not None and v.firmware in v.window.members:
        console.print(f"No upgrade needed: {v.firmware} is {v.window.role(v.firmware)} in the window")
    else:
        console.print("No upgrade plan: the firmware cannot be judged (see the reasons)")


def _named(v: Verdict, firmware: str) -> str:
    name = v.version_names.get(firmware)
    return f"{firmware} ({name})" if name else firmware


def _print_verdict(v: Verdict) -> None:
    from rich.panel import Panel
    from rich.text import Text

    colour = _COLOUR[v.verdict]
    head = Text(v.verdict.replace("_", " "), style=f"bold {colour}")
    sub = (
        f"{v.device_model.manufacturer}/{v.device_model.model} at firmware {v.firmware}"
        + (f" ({v.firmware_display})" if v.firmware_display != v.firmware else "")
        + f"; install date {v.install_date.isoformat()}; policy {v.smi.policy}"
    )
    console.print(
        Panel(Text.assemble(head, "\n", sub), title=v.device_id or "hub", border_style=colour, expand=False),
        soft_wrap=False,  # a box wraps its lines inside it, in a pipe too
    )
    for r in v.reasons:
        mark, c = _MARK[r.severity]
        console.print(Text.assemble((f" {mark} ", f"bold {c}"), (r.code, "bold")))
        indented(r.message, 3)
    if v.window is not None:
        members = ", ".join(f"{v.window.role(m)}={_named(v, m)}" for m in v.window.members) or "empty"
        console.print(f"window at {v.install_date.isoformat()}: {members}")
    _print_plan(v)
    for s in v.smi_devices:
        who = f"{s.device_type} {s.device_id}" if s.device_id else s.device_type
        since = s.status_since.isoformat() if s.status_since else "an unknown date"
        if s.exempt:
            fate = (
                f"never removed: {s.exempt_reason}"
                if s.exempt_reason
                else f"exempt from removal under {s.policy}"
            )
        elif s.removal_date is not None:
            under = f"{s.removed_under} (policy {s.policy})" if s.removed_under != s.policy else s.policy
            fate = f"SMI removal date {s.removal_date.isoformat()} under {under}"
        elif s.status == "Pending" and s.status_since is None:
            fate = f"removal under {s.policy} cannot be judged: give --status-since"
        else:
            fate = f"no removal date under {s.policy}"
        indented(f"SMI: {who} {s.status} since {since}; {fate}", 0, hang=5)
    ref = v.reference
    cat = f", catalogue {ref.catalogue}" if ref.catalogue else ", no catalogue"
    console.print(f"[dim]reference: CPL {ref.cpl_version} of {ref.cpl_issued_on}{cat}[/dim]")


def _verdict(
    ctx: typer.Context,
    hub: Hub,
    install_date: str | None,
    policy: str,
    catalogue: Path | None,
    window_back: int,
    max_hops: int,
) -> Verdict:
    from eligibility.engine import Engine, EngineSettings
    from eligibility.policy_timeline import parse_timeline

    d = date_option(install_date, "--install-date") or today()
    pol = parse_timeline(policy, field="--policy")
    engine = Engine(
        state(ctx).reference(catalogue), EngineSettings(window_back=window_back, max_hops=max_hops)
    )
    return engine.verdict(hub, d, pol)


def check(
    ctx: typer.Context,
    device_id: DeviceIdArg = None,
    manufacturer: Manufacturer = None,
    model: Model = None,
    firmware: Firmware = None,
    device_type: DeviceType = "CHF",
    status: Status = "Pending",
    status_since: Since = None,
    history: History = None,
    gpf_id: GpfId = None,
    gpf_status: GpfStatus = None,
    gpf_status_since: Since = None,
    gpf_history: History = None,
    tsat_install_end: Tsat = None,
    install_date: InstallDate = None,
    policy: Policy = "sec-ac-7.2",
    catalogue: CatalogueOption = None,
    window_back: WindowBack = 1,
    max_hops: MaxHops = 8,
    plan_only: Annotated[bool, typer.Option("--plan", help="Print only the upgrade plan.")] = False,
) -> None:
    """One hub's verdict: can it be installed and commissioned at the install date, and why.

    Exit code 0 when ELIGIBLE or ELIGIBLE_AFTER_UPGRADE, 1 when NOT_ELIGIBLE, 2 for bad input.
    """
    hub = _hub(
        ctx, device_id, manufacturer, model, firmware, device_type, status, status_since, history,
        gpf_id, gpf_status, gpf_status_since, gpf_history, tsat_install_end,
    )  # fmt: skip
    v = _verdict(ctx, hub, install_date, policy, catalogue, window_back, max_hops)
    if state(ctx).json:
        emit_json(_plan_json(v) if plan_only else v.to_json())
    elif plan_only:
        _print_plan(v)
    else:
        _print_verdict(v)
    if v.verdict == "NOT_ELIGIBLE":
        raise typer.Exit(1)


def _plan_json(v: Verdict) -> dict[str, object]:
    doc = v.to_json()
    return {
        "device_id": v.device_id,
        "firmware": v.firmware,
        "install_date": v.install_date.isoformat(),
        "window": doc["window"],
        "upgrade_plan": doc["upgrade_plan"],
        "plan_target": v.plan_target,
        "plan_target_role": v.plan_target_role,
        "no_plan": doc["no_plan"],
    }


def plan(
    ctx: typer.Context,
    device_id: DeviceIdArg = None,
    manufacturer: Manufacturer = None,
    model: Model = None,
    firmware: Firmware = None,
    install_date: InstallDate = None,
    catalogue: CatalogueOption = None,
    window_back: WindowBack = 1,
    max_hops: MaxHops = 8,
) -> None:
    """Only the upgrade plan: the hops from the hub's firmware into the window, each with its rule."""
    hub = _hub(
        ctx,
        device_id,
        manufacturer,
        model,
        firmware,
        "CHF",
        "Pending",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )
    v = _verdict(ctx, hub, install_date, "sec-ac-7.2", catalogue, window_back, max_hops)
    if state(ctx).json:
        emit_json(_plan_json(v))
    else:
        _print_plan(v)
