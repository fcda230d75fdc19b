"""Reports rendered for people: the risk report's charts (matplotlib) and its HTML page."""

from __future__ import annotations

from pathlib import Path

from api.report.charts import Chart, render_charts
from api.report.html import risk_html
from eligibility.risk import RiskReport

__all__ = ["Chart", "render_charts", "risk_html", "write_risk_report"]


def write_risk_report(report: RiskReport, html_path: Path) -> list[Path]:
    """Write the HTML page and, beside it, one PNG per chart (``<stem>-<chart>.png``).

    Returns the files written, the page first. Raises OSError when the folder is not writable.
    """
    charts = render_charts(report)
    html_path.write_text(risk_html(report, charts), encoding="utf-8")
    written = [html_path]
    for c in charts:
        png = html_path.with_name(f"{html_path.stem}-{c.name}.png")
        png.write_bytes(c.png)
        written.append(png)
    return written
