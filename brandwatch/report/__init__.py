"""The weekly report for the legal team: one ISO week of hits, reviews, outcomes and source health.

How it is made, one step per module::

    store ─► figures.gather_figures ─► WeeklyFigures (frozen; every number the report shows)
                                          │
                  charts (SVG strings) ◄──┤
                                          ▼
             render: report.html.j2 (autoescaped, charts inline) · report.md.j2 · summary.md.j2
                                          │
             write_report ─► brandwatch-report-2026-W48.html and .md, plus the summary for alerts

A week is Monday 00:00 to Monday 00:00 in the team's time zone (Asia/Shanghai
by default), queried in UTC (weeks.py). The HTML is one self-contained file
(inline CSS and SVG, no script, no web font, no network reference) so it can
be mailed, archived and filed as it is.
"""

from ..errors import ReportError
from .figures import WeeklyFigures, gather_figures
from .render import ReportFiles, render_html, render_markdown, render_summary, write_report
from .weeks import current_week, default_week, parse_week

__all__ = [
    "ReportError",
    "ReportFiles",
    "WeeklyFigures",
    "current_week",
    "default_week",
    "gather_figures",
    "parse_week",
    "render_html",
    "render_markdown",
    "render_summary",
    "write_report",
]
