"""The risk report's charts, drawn with matplotlib (Agg backend, no display, no network).

Each chart is a function from the report's frames to a :class:`Chart`: an inline SVG for the
HTML page and a PNG for the file next to it. Colours are fixed per policy so that every chart
speaks the same language.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import matplotlib
import matplotlib.dates
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from eligibility.risk import LEGEND, RiskReport

# Figures are drawn without pyplot, on the Agg canvas: no display, no GUI toolkit.
matplotlib.use("Agg")

__all__ = ["CHARTS", "Chart", "render_charts"]

_POLICY_COLOURS = ["#1f5fa8", "#d1495b", "#2e9c6a", "#edae49", "#6c4f9c", "#00798c", "#8d6a9f", "#666666"]
_ZONES = (("#2e9c6a", "under 12 months"), ("#edae49", "12 to 36 months"), ("#d1495b", "36 months or more"))


@dataclass(frozen=True)
class Chart:
    """One chart: a file-safe name, a title, a caption, and the drawing in two forms."""

    name: str
    title: str
    caption: str
    svg: str
    png: bytes


def _num(d: date) -> float:
    n: float = matplotlib.dates.date2num(d)  # type: ignore[no-untyped-call]
    return n


def _colours(policies: list[str]) -> dict[str, str]:
    return {p: _POLICY_COLOURS[i % len(_POLICY_COLOURS)] for i, p in enumerate(policies)}


def _policies(r: RiskReport) -> list[str]:
    return [p.policy for p in r.summary.policies]


def _figure() -> tuple[Figure, Axes]:
    fig = Figure(figsize=(8.0, 3.6), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _legend_above(ax: Axes) -> None:
    # above the plot: a legend inside it hides the lines it explains
    ax.legend(frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4)


def _render(name: str, title: str, caption: str, fig: Figure) -> Chart:
    # A salt per chart keeps the SVG element ids of two charts on one page apart.
    with matplotlib.rc_context({"svg.hashsalt": name, "svg.fonttype": "path"}):
        svg_buf = io.StringIO()
        fig.savefig(svg_buf, format="svg", metadata={"Date": None})
        png_buf = io.BytesIO()
        fig.savefig(png_buf, format="png", metadata={"Software": None})
    svg = svg_buf.getvalue()
    svg = svg[svg.index("<svg") :]
    return Chart(name, title, caption, svg, png_buf.getvalue())


def age_chart(r: RiskReport) -> Chart:
    """Pending stock by whole months pending at the start, against the 12- and 36-month thresholds."""
    fig, ax = _figure()
    ages = r.age_profile
    x = ages["months_pending"].to_list()
    y = ages["hubs"].to_list()
    colours = [_ZONES[0][0] if a < 12 else _ZONES[1][0] if a < 36 else _ZONES[2][0] for a in x]
    ax.bar(x, y, width=0.9, color=colours)
    for months, label in ((12, "12 months: AC 7.2"), (36, "36 months: SECMP0060")):
        ax.axvline(months - 0.5, color="#333333", linestyle="--", linewidth=1.2)
        ax.annotate(label, (months - 0.3, 0.98), xycoords=("data", "axes fraction"), va="top", fontsize=8)
    ax.legend(
        handles=[Patch(color=colour, label=label) for colour, label in _ZONES],
        frameon=False,
        fontsize=8,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.02),
        ncols=3,
    )
    ax.set_xlabel(f"months pending at {r.summary.start.isoformat()}")
    ax.set_ylabel("hubs")
    older = sum(h for a, h in zip(x, y, strict=True) if a >= 12)
    return _render(
        "pending-stock-by-age",
        "Pending stock by age",
        f"{older:,} of {sum(y):,} hubs with a known status date have been pending 12 months or more.",
        fig,
    )


def _per_policy(r: RiskReport, column: str, frame: pl.DataFrame | None = None) -> Figure:
    fig, ax = _figure()
    data = r.monthly if frame is None else frame
    colours = _colours(_policies(r))
    for p in _policies(r):
        rows = data.filter(pl.col("policy") == p).sort("month")
        ax.plot(
            rows["date"].to_list(),
            rows[column].to_list(),
            label=p,
            color=colours[p],
            linewidth=1.8,
            drawstyle="steps-post",  # a figure holds from its month's date to the next
        )
    _legend_above(ax)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("hubs")
    return fig


def removals_chart(r: RiskReport) -> Chart:
    """Hubs removed from the SMI by each month, per policy: the report's one "removed" figure."""
    fig = _per_policy(r, "removed")
    fig.axes[0].set_ylabel("hubs removed by the date")
    worst = max(r.summary.policies, key=lambda o: o.removed)
    return _render(
        "removals-per-month",
        "Hubs removed from the SMI",
        f"Removed: {LEGEND['removed']}. By {r.summary.end.isoformat()} {worst.policy} has removed the most: "
        f"{worst.removed:,} hubs, {worst.usable_lost:,} of them still upgradeable when removed (usable stock lost).",
        fig,
    )


def stranded_chart(r: RiskReport) -> Chart:
    """Hubs with no plan still on the SMI (so still charged), per policy, month by month."""
    fig = _per_policy(r, "stranded_on_smi")
    worst = max(r.summary.policies, key=lambda o: o.stranded_hub_months)
    return _render(
        "stranded-over-time",
        "Stranded hubs still on the SMI",
        f"Hubs that can no longer be upgraded into the window but are still on the SMI and charged for; "
        f"{worst.policy} leaves the most hub-months of charge on them ({worst.stranded_hub_months:,}).",
        fig,
    )


def backstop_chart(r: RiskReport) -> Chart:
    """Returned hubs pending beyond 12 months and still on the SMI, per policy."""
    fig = _per_policy(r, "returned_beyond_12_on_smi", r.backstop)
    returned = r.summary.policies[0].returned_hubs if r.summary.policies else 0
    return _render(
        "security-backstop",
        "Security backstop: returned hubs pending beyond 12 months",
        f"{returned:,} pending hubs came back through the returns chain; the lines show how many of them a "
        "policy leaves on the SMI past 12 months.",
        fig,
    )


def comparison_chart(r: RiskReport) -> Chart:
    """The policy comparison table, drawn."""
    rows = [
        [
            o.policy,
            f"{o.removed:,}",
            f"{o.usable_lost:,}",
            f"{o.stranded_on_smi_at_end:,}",
            f"{o.stranded_hub_months:,}",
            f"{o.installable_at_end:,}",
            f"{o.backstop_beyond_12_at_end:,}",
        ]
        for o in r.summary.policies
    ]
    head = [
        "policy",
        "removed",
        "usable\nlost",
        "stranded\non SMI",
        "stranded\nhub-months",
        "installable\nat end",
        "backstop\ngap",
    ]
    fig = Figure(figsize=(8.0, 0.8 + 0.35 * (len(rows) + 1)), dpi=110)
    ax = fig.add_subplot()
    ax.axis("off")
    table = ax.table(cellText=rows, colLabels=head, loc="center", cellLoc="right", colLoc="right")
    table.auto_set_font_size(False)
    table.set_fontsize(8.5)
    table.scale(1, 1.3)
    for (row, _), cell in table.get_celld().items():
        cell.set_edgecolor("#dddddd")
        if row == 0:
            cell.set_facecolor("#eef2f7")
            cell.set_height(cell.get_height() * 1.9)
    return _render(
        "policy-comparison",
        "Policy comparison",
        f"From {r.summary.start.isoformat()} to {r.summary.end.isoformat()}. Removed: {LEGEND['removed']}. Then "
        "usable stock lost, stranded hubs still on the SMI at the end, their hub-months of charge, hubs still "
        "installable at the end, returned hubs past 12 months still on the SMI at the end.",
        fig,
    )


CHARTS: tuple[Callable[[RiskReport], Chart], ...] = (
    age_chart,
    removals_chart,
    stranded_chart,
    backstop_chart,
    comparison_chart,
)


def render_charts(report: RiskReport) -> list[Chart]:
    """Every chart of the risk report, in page order."""
    return [draw(report) for draw in CHARTS]
