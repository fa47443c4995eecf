"""The report's charts as SVG strings, to be inlined in the HTML.

Text stays text (``svg.fonttype: none``): the reader's browser draws the
Chinese mark names with whatever CJK font it has, so nothing depends on a font
being installed where the report is made, and the names can be searched and
copied. matplotlib still lays the text out with its own fonts, which usually
lack CJK glyphs: its missing-glyph warnings are silenced (the glyphs are never
drawn here) and label margins are computed from the characters' widths instead
of measured. The output is reproducible (fixed hash salt, no date, no
metadata) so two reports of the same week are byte-identical.

matplotlib is imported inside the functions: the CLI should not pay for it
unless it draws a chart. No pyplot: a Figure with the SVG canvas keeps no
global state and needs no GUI backend.
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from ..labels import SEVERITY, severity_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .figures import TrendWeek

# Browsers take the first family they have: Windows, macOS, Linux and Android CJK fonts, then any sans-serif.
FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "SimHei",
         "WenQuanYi Micro Hei", "DejaVu Sans"]
COLOURS = {"high": "#c0392b", "medium": "#e67e22", "low": "#95a5a6"}
FONT_SIZE = 10
# 高 high … from labels.py (the one table), under the name other modules import it by
SEVERITY_LABELS = {s: severity_label(s) for s in SEVERITY}


def _rc(name: str) -> dict[str, object]:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": f"brandwatch-{name}",  # ids differ between charts so two inlined in one page never clash
        "font.family": "sans-serif",
        "font.sans-serif": FONTS,
        "font.size": FONT_SIZE,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _svg(fig: Figure, label: str) -> str:
    """The figure as an ``<svg>`` element for inlining: no XML prologue, no DOCTYPE, no metadata."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)
        FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None, "Format": None, "Type": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def _text_width(text: str) -> float:
    """Width in ems as a browser draws it: CJK characters are a full em, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def trend_svg(weeks: Sequence[TrendWeek]) -> str:
    """New hits per week, stacked by severity (high at the bottom, where it is easiest to compare)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc("trend")):
        fig = Figure(figsize=(7.2, 2.8))
        ax = fig.add_subplot()
        x = list(range(len(weeks)))
        bottom = [0] * len(weeks)
        for severity in ("high", "medium", "low"):
            values = [getattr(w, severity) for w in weeks]
            ax.bar(x, values, bottom=bottom, color=COLOURS[severity], label=severity_label(severity), width=0.7)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        for i, total in enumerate(bottom):
            ax.annotate(str(total), (i, total), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom")
        ax.set_xticks(x, [f"{w.week[5:]}\n{w.monday[5:]}" for w in weeks])
        ax.set_ylim(0, max([*bottom, 1]) * 1.2)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel("新增 new hits")
        # above the plot: inside it, the legend would cover the oldest week's bar whenever that is the tallest
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1), frameon=False, ncols=3, fontsize=FONT_SIZE - 1)
        fig.subplots_adjust(left=0.09, right=0.99, top=0.86, bottom=0.18)
        return _svg(fig, "8-week trend of new hits by severity")


def marks_svg(by_mark: Sequence[tuple[str, int]]) -> str:
    """New hits per mark as horizontal bars, the mark names as tick labels; empty when there are none."""
    if not by_mark:
        return ""
    import matplotlib
    from matplotlib.figure import Figure

    width = 7.2
    height = 0.5 + 0.32 * len(by_mark)
    label_inches = max(_text_width(m) for m, _ in by_mark) * FONT_SIZE / 72 + 0.25
    with matplotlib.rc_context(_rc("marks")):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        y = list(range(len(by_mark)))
        counts = [n for _, n in by_mark]
        ax.barh(y, counts, color="#34495e", height=0.6)
        for i, n in enumerate(counts):
            ax.annotate(str(n), (n, i), xytext=(3, 0), textcoords="offset points", va="center")
        ax.set_yticks(y, [m for m, _ in by_mark])
        ax.invert_yaxis()  # the most-hit mark on top, as in the table
        ax.set_xlim(0, max(counts) * 1.15)
        ax.xaxis.get_major_locator().set_params(integer=True)
        fig.subplots_adjust(left=min(label_inches / width, 0.5), right=0.97, top=1 - 0.12 / height,
                            bottom=0.38 / height)
        return _svg(fig, "new hits by mark")
