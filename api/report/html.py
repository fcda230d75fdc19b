"""The risk report as one self-contained HTML page: inline SVG charts, inline CSS, no script.

The page opens with no network (a plant room, an air-gapped analyst's laptop): nothing is
fetched, every chart is an inline ``<svg>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from html import escape

import polars as pl

from api.report.charts import Chart
from eligibility.risk import LEGEND, RiskReport

__all__ = ["risk_html"]

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;margin:0;background:#f6f7f9}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin-top:2rem}
.meta{color:#555}.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.card{background:#fff;border-radius:.5rem;padding:.75rem 1rem;box-shadow:0 1px 2px #0002;min-width:10rem}
.card b{display:block;font-size:1.5rem}
figure{background:#fff;border-radius:.5rem;margin:1rem 0;padding:.75rem;box-shadow:0 1px 2px #0002}
figure svg{width:100%;height:auto}figcaption{color:#444;font-size:.9rem}
table{border-collapse:collapse;background:#fff;font-size:.85rem;width:100%;margin:.5rem 0}
th,td{padding:.3rem .5rem;border-bottom:1px solid #e3e6ea;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#eef2f7}
dl{background:#fff;padding:.75rem 1rem;border-radius:.5rem}dt{font-weight:600}dd{margin:0 0 .5rem 0}
"""

_DEFINITIONS = (
    ("removed", escape(LEGEND["removed"]) + " (the same figure in the table, the charts and the JSON)"),
    (
        "removed in month k",
        "the hub's SMI removal date under the policy falls in (t<sub>k-1</sub>, t<sub>k</sub>]",
    ),
    (
        "usable stock lost",
        "removed hubs that still had an upgrade plan (or were in the window) on their removal date",
    ),
    (
        "stranded on the SMI",
        "no plan at t<sub>k</sub> (Device Model not on the CPL, firmware never listed, or no over-the-air path "
        "into the window) yet still on the SMI, so still charged; each such month is one stranded hub-month",
    ),
    (
        "installable",
        "on the SMI, a plan or the window at t<sub>k</sub>, and the TSAT installation end not passed",
    ),
    (
        "stranding date",
        "the first date from the start on which the hub's firmware has no plan, given the catalogue's future events",
    ),
    (
        "backstop gap",
        "returned hubs (a history other than Pending) pending beyond 12 months and still on the SMI",
    ),
    ("assumption", "no hub is installed during the horizon: the figures show what waiting does to the stock"),
)


def _cell(v: object) -> str:
    if v is None:
        return "&ndash;"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, date):
        return v.isoformat()
    return escape(str(v))


def _table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _figure(c: Chart) -> str:
    return (
        f'<figure id="{escape(c.name)}" data-chart="{escape(c.name)}"><h3>{escape(c.title)}</h3>'
        f"{c.svg}<figcaption>{escape(c.caption)}</figcaption></figure>"
    )


def _cohorts(r: RiskReport, limit: int) -> str:
    pols = [p.policy for p in r.summary.policies]
    wide = (
        r.cohorts.pivot(
            on="policy",
            index=["manufacturer", "model", "firmware", "pending_year", "hubs", "stranding_date"],
            values="stranded_hub_months",
        )
        .sort("hubs", descending=True)
        .head(limit)
    )
    head = ["Device Model", "firmware", "pending since", "hubs", "stranding date"] + [
        f"stranded hub-months, {p}" for p in pols
    ]
    rows = [
        [
            f"{row['manufacturer']}/{row['model']}",
            row["firmware"],
            row["pending_year"],
            row["hubs"],
            row["stranding_date"],
        ]
        + [row.get(p) for p in pols]
        for row in wide.iter_rows(named=True)
    ]
    more = r.cohorts.select("manufacturer", "model", "firmware", "pending_year").unique().height - len(rows)
    note = f"<p class=meta>{more:,} smaller cohorts are in the JSON output.</p>" if more > 0 else ""
    return _table(head, rows) + note


def _rotation(r: RiskReport) -> str:
    if r.rotation.height == 0:
        return (
            "<p>No dated install (Pending to InstalledNotCommissioned or Commissioned) in the histories.</p>"
        )
    per = (
        r.rotation.group_by("supplier")
        .agg(
            pl.col("installs").sum(),
            pl.col("lifo_installs").sum(),
            pl.col("oldest_skipped_months").max(),
            pl.col("month").min().alias("first"),
            pl.col("month").max().alias("last"),
        )
        .sort("supplier")
    )
    rows = [
        [
            row["supplier"],
            row["installs"],
            row["lifo_installs"],
            f"{100 * row['lifo_installs'] / row['installs']:.0f}%" if row["installs"] else "",
            row["oldest_skipped_months"],
            f"{row['first']:%Y-%m} to {row['last']:%Y-%m}",
        ]
        for row in per.iter_rows(named=True)
    ]
    head = ["supplier", "installs", "last in, first out", "share", "oldest skipped (months)", "months"]
    return _table(head, rows)


def risk_html(report: RiskReport, charts: Sequence[Chart], *, cohort_rows: int = 40) -> str:
    """The whole page for ``report`` with its ``charts`` (from :func:`api.report.charts.render_charts`)."""
    s = report.summary
    ref = s.reference
    who = f" for supplier {escape(s.supplier)}" if s.supplier else ""
    cards = [
        ("pending hubs", s.pending_hubs),
        ("stranded at the start", s.stranded_at_start),
        (f"stranding by {s.end.isoformat()}", s.stranding_within_horizon),
        ("stranding later (known events)", s.stranding_later),
    ]
    comparison = _table(
        ["policy", "removed", "removed before start", "usable lost", "stranded on SMI at end", "stranded hub-months",
         "charge on stranded (GBP)", "installable at end", "backstop gap at end", "backstop hub-months"],
        [
            [o.policy, o.removed, o.removed_before_start, o.usable_lost, o.stranded_on_smi_at_end,
             o.stranded_hub_months, o.stranded_charge_gbp, o.installable_at_end, o.backstop_beyond_12_at_end,
             o.backstop_hub_months]
            for o in s.policies
        ],
    ) + f"<p class=meta>Removed: {escape(LEGEND['removed'])}, by {s.end.isoformat()}.</p>"  # fmt: skip
    notes = []
    if s.smets1_left_out:
        notes.append(
            f"{s.smets1_left_out:,} SMETS1 hub(s) left out: {escape(LEGEND['smets1_left_out'].split(': ', 1)[1])}."
        )
    if s.upgrade_path_assumed_hubs:
        notes.append(
            f"{s.upgrade_path_assumed_hubs:,} hub(s) judged on UPGRADE_PATH_ASSUMED: no catalogue describes their "
            "model, so N is its newest listed version and any later version one hop away."
        )
    stranding = _table(
        ["Device Model", "firmware", "hubs", "stranding date", "reason", "why"],
        [
            [f"{r['manufacturer']}/{r['model']}", r["firmware"], r["hubs"], r["stranding_date"],
             r["stranding_code"], r["stranding_evidence"]]
            for r in report.stranding.filter(pl.col("stranding_date").is_not_null()).iter_rows(named=True)
        ],
    )  # fmt: skip
    by_name = {c.name: c for c in charts}
    first = [c for c in charts if c.name != "policy-comparison"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>hubcheck risk report {s.start.isoformat()}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>Fleet risk{who}: {s.start.isoformat()} to {s.end.isoformat()}</h1>",
        f"<p class=meta>{s.months} months, policies {escape(', '.join(o.policy for o in s.policies))}; "
        f"CPL {escape(ref.cpl_version)} of {escape(ref.cpl_issued_on)}, "
        f"{'catalogue ' + escape(ref.catalogue) if ref.catalogue else 'no catalogue'}.</p>",
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{v:,}</b>{escape(k)}</div>' for k, v in cards)
        + "</div>",
        "<h2>Policy comparison</h2>",
        comparison,
        *(f"<p class=meta>{n}</p>" for n in notes),
        *(_figure(c) for c in first),
        "<h2>Stranding dates</h2><p>Per Device Model and firmware, the first date with no plan.</p>",
        stranding,
        "<h2>Cohorts</h2><p>Device Model &times; firmware &times; year the hub went pending.</p>",
        _cohorts(report, cohort_rows),
        "<h2>Stock rotation</h2>",
        _rotation(report),
        _figure(by_name["policy-comparison"]) if "policy-comparison" in by_name else "",
        "<h2>Definitions</h2><dl>"
        + "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in _DEFINITIONS)
        + "</dl>",
        "</main></body></html>",
    ]
    return "\n".join(parts)
