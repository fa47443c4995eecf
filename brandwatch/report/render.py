"""Rendering: WeeklyFigures → a self-contained HTML page, a Markdown file and a short summary.

Names, explanations, URLs and messages come from registries, app stores and
social platforms, so they are untrusted text. The HTML environment autoescapes
everything, links only http(s) URLs (a registry's ``javascript:`` URL stays
text), and the page carries a Content-Security-Policy that refuses scripts and
every external resource, so even a mistake in a template cannot run code or
call out. The Markdown environment escapes every value through ``finalize``
(pipes would break tables, ``<`` would open raw HTML in a renderer); values
shown as code go through the ``code`` filter instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from ..errors import ReportError
from ..labels import FLAG, FLAG_SHORT, SEVERITY, STATUS, rule_label, severity_label, status_label
from ..links import web_url
from ..models import local_text, stamp
from ..store import Store
from ..version import __version__
from .charts import marks_svg, trend_svg
from .figures import WeeklyFigures, gather_figures
from .weeks import DEFAULT_TZ, aware, default_week, local_midnight, week_monday, week_name, zone

# labels.py's tables, under the names other modules import them by (the one table is labels.py)
STATUS_LABELS, FLAG_LABELS = STATUS, FLAG
SUMMARY_ITEMS = 5  # high hits named in the summary; a WeCom message holds at most 4096 bytes


@dataclass(frozen=True)
class ReportFiles:
    """What write_report wrote, and the figures and summary it wrote them from."""

    html: Path
    markdown: Path
    week: str
    figures: WeeklyFigures
    summary: str  # Markdown, short enough for a WeCom or DingTalk message on its own


def write_report(store: Store, week: str | None = None, *, out_dir: Path | str, now: datetime | None = None,
                 tz: str = DEFAULT_TZ) -> ReportFiles:
    """Write ``brandwatch-report-<week>.html`` and ``.md`` into ``out_dir`` for one ISO week.

    ``week`` defaults to the last complete week before ``now`` (in ``tz``); a
    week still under way may be asked for, and says so in the report. Files are
    written whole or not at all (a temporary file renamed into place), since a
    half-written report could be filed as evidence.
    """
    now = aware(now)
    zone(tz)
    week = week_name(week_monday(week)) if week else default_week(now, tz)  # 2026-w48 → 2026-W48
    if local_midnight(week_monday(week), tz) > now:
        today = now.astimezone(zone(tz)).date()
        raise ReportError(f"--week {week}: that week has not started (today is {today} in {tz}, "
                          f"week {week_name(today)}); give a week up to {week_name(today)}")
    figures = gather_figures(store, week, now=now, tz=tz)
    summary = render_summary(figures)
    html = render_html(figures)
    markdown = render_markdown(figures, summary)
    out = Path(out_dir)
    base = f"brandwatch-report-{week}"
    html_path, md_path = out / f"{base}.html", out / f"{base}.md"
    try:
        out.mkdir(parents=True, exist_ok=True)
        for path, text in ((html_path, html), (md_path, markdown)):
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(text, encoding="utf-8", newline="\n")
            os.replace(tmp, path)
    except OSError as e:
        raise ReportError(f"{out}: cannot write the report ({e.strerror or e}); check report.output in config.yaml "
                          "or give another folder") from None
    return ReportFiles(html_path, md_path, week, figures, summary)


def render_html(figures: WeeklyFigures, charts: Mapping[str, str] | None = None) -> str:
    """The report as one HTML page with its charts inline; ``charts`` (trend, marks) are drawn when not given."""
    if charts is None:
        charts = {"trend": trend_svg(figures.trend), "marks": marks_svg(figures.by_mark)}
    return _html_env().get_template("report.html.j2").render(**_context(figures), charts=charts)


def render_markdown(figures: WeeklyFigures, summary: str | None = None) -> str:
    """The report as Markdown tables, the summary on top; no charts (the HTML has them)."""
    summary = render_summary(figures) if summary is None else summary
    return _md_env().get_template("report.md.j2").render(**_context(figures), summary=_Raw(summary))


def render_summary(figures: WeeklyFigures) -> str:
    """A few lines an alert can send alone: the headline numbers, the first high hits, what needs a person."""
    return _md_env().get_template("summary.md.j2").render(**_context(figures), summary_items=SUMMARY_ITEMS).strip()


# -- formatting ----------------------------------------------------------------------


def _context(figures: WeeklyFigures) -> dict[str, Any]:
    zone(figures.tz)
    return {
        "f": figures,
        "version": __version__,
        "generated_utc": stamp(figures.generated_at),
        "generated_local": local_text(figures.generated_at, figures.tz),
        "status_labels": STATUS_LABELS,
        "severity_labels": {s: severity_label(s) for s in SEVERITY},
        "flag_labels": FLAG_LABELS,
        "flag_short": FLAG_SHORT,
    }


def _local(value: str | None, tz: str) -> str:
    """A stored UTC time for people: local time to the minute with its offset, ``2026-12-02 16:00 (UTC+8)``
    (the UTC stamp is shown beside it where the exact time matters)."""
    return local_text(value, tz)


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _web_url(value: str) -> bool:
    """Only http(s) URLs become links (links.web_url); anything else a source returned is shown as text."""
    return bool(web_url(value))


class _Raw(str):
    """Markdown already escaped or made safe: finalize leaves it alone."""

    __slots__ = ()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md_escape(value: Any) -> str:
    """Untrusted text as one line of Markdown that shows exactly its characters (also inside a table cell)."""
    if isinstance(value, _Raw):
        return value
    if value is None:
        return ""
    text = " ".join(str(value).split())  # a newline in a name would end the table row
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_code(value: Any) -> _Raw:
    """Text as an inline code span (hashes, URLs, commands): shown verbatim, never a link, safe in a table cell."""
    text = " ".join(str(value if value is not None else "").split())
    if not text:
        return _Raw("")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return _Raw(f"{fence}{pad}{text.replace('|', chr(92) + '|')}{pad}{fence}")


_LOADER = jinja2.PackageLoader("brandwatch.report", "templates")


@cache
def _html_env() -> jinja2.Environment:
    env = jinja2.Environment(loader=_LOADER, autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(local=_local, days=_days, status=status_label, severity=severity_label, rule=rule_label)
    env.tests["web_url"] = _web_url
    return env


@cache
def _md_env() -> jinja2.Environment:
    env = jinja2.Environment(loader=_LOADER, autoescape=False, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, finalize=md_escape)
    env.filters.update(local=_local, days=lambda v: _Raw(_days(v)), code=md_code, status=status_label,
                       severity=severity_label, rule=rule_label)
    return env
