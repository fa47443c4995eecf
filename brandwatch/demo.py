"""`brandwatch demo`: screen the bundled sample and print what was found.

The crawl issue turns this into a full offline crawl of a local demo site; for
now it shows the matcher on a few hundred names with imitators among them.
"""

from __future__ import annotations

from collections import defaultdict
from importlib import resources

import click

from .match import Matcher
from .models import Hit
from .screen import read_names


def run_demo(matcher: Matcher) -> None:
    """Screen data/demo_names.csv and print hits grouped by mark and severity."""
    path = resources.files("brandwatch.data").joinpath("demo_names.csv")
    with resources.as_file(path) as p:
        rows = list(read_names(p))
    by_mark: dict[str, list[tuple[str, str, Hit]]] = defaultdict(list)
    names_hit = 0
    for _, name, kind, _ in rows:
        hits = matcher.match(name, kind)
        names_hit += bool(hits)
        for h in hits:
            by_mark[f"{h.mark_id} ({h.mark})"].append((kind, name, h))
    click.echo(f"Screened {len(rows)} sample names against {len(matcher.marks)} marks: "
               f"{names_hit} names matched.\n")
    order = {"high": 0, "medium": 1, "low": 2}
    for mark, items in sorted(by_mark.items()):
        click.echo(f"== {mark}: {len(items)} hit(s)")
        for kind, name, h in sorted(items, key=lambda x: (order[x[2].severity], -x[2].score)):
            click.echo(f"  [{h.severity:6}] {h.score:3} {kind:7} {name}")
            click.echo(f"           {h.rule}: {h.explanation}")
        click.echo("")
    click.echo("Try: brandwatch check 维众科技  ·  brandwatch variants weizhong  ·  brandwatch screen FILE -o hits.csv")
