"""The command line: each command opens what it needs, calls one library function,
and turns library errors into one line ``Error: …`` with exit code 2.

Exit codes: 0 done (``check``: nothing matched), 3 ``check`` found hits,
2 bad input or configuration, 1 an unexpected failure.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import click

from . import __version__
from .config import load_config, load_watchlists, risk_terms
from .errors import BrandwatchError
from .match import Matcher
from .match.variants import generate_variants
from .models import KINDS
from .screen import screen_file

EXIT_HITS = 3


class _Group(click.Group):
    def invoke(self, ctx: click.Context):  # one line for every library error, exit 2
        try:
            return super().invoke(ctx)
        except BrandwatchError as e:
            click.echo(f"Error: {e}", err=True)
            ctx.exit(2)


def _matcher(ctx: click.Context, watchlists: str | None) -> Matcher:
    config = load_config(ctx.obj["config"])
    folder = Path(watchlists or config.watchlists)
    return Matcher(load_watchlists(folder), risk_terms(config))


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="brandwatch")
@click.option("--config", "config_path", default="config.yaml", show_default=True,
              type=click.Path(dir_okay=False), help="The configuration file.")
@click.pass_context
def main(ctx: click.Context, config_path: str) -> None:
    """brandwatch: find names that imitate your marks, and why."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config_path


_watchlists_option = click.option(
    "--watchlists", type=click.Path(file_okay=False), default=None,
    help="Folder of watchlist YAML files (default: config.yaml's `watchlists`, else ./watchlists).",
)


@main.command()
@click.argument("names", nargs=-1, required=True)
@_watchlists_option
@click.option("--kind", type=click.Choice(KINDS), default="company", show_default=True,
              help="What the names are: registered companies, apps or social accounts.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per name on stdout.")
@click.pass_context
def check(ctx: click.Context, names: tuple[str, ...], watchlists: str | None, kind: str, as_json: bool) -> None:
    """Check NAMES against the watchlists; exit 3 when any of them matched."""
    matcher = _matcher(ctx, watchlists)
    any_hit = False
    for name in names:
        hits = matcher.match(name, kind)
        any_hit = any_hit or bool(hits)
        if as_json:
            click.echo(json.dumps({"name": name, "kind": kind, "hits": [
                {**asdict(h), "rule": h.rule} for h in hits]}, ensure_ascii=False))
            continue
        if not hits:
            click.echo(f"{name}\tno match")
        for h in hits:
            click.echo(f"{name}\t{h.mark_id}\t{h.severity}\t{h.score}\t{h.rule}\t{h.explanation}")
    ctx.exit(EXIT_HITS if any_hit else 0)


@main.command()
@click.argument("infile", metavar="IN", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write hits to this CSV (UTF-8 with BOM); default stdout.")
@_watchlists_option
@click.option("--kind", type=click.Choice(KINDS), default="company", show_default=True,
              help="Kind for rows that do not say.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes to match in.")
@click.pass_context
def screen(ctx: click.Context, infile: str, output: str | None, watchlists: str | None, kind: str,
           workers: int) -> None:
    """Screen IN (CSV with id,name[,kind], JSONL, or one name a line) and write one row per hit."""
    matcher = _matcher(ctx, watchlists)
    started = time.perf_counter()
    bar = None
    on_bytes = None
    if sys.stderr.isatty():
        bar = click.progressbar(length=Path(infile).stat().st_size if Path(infile).is_file() else 0,
                                label="screening", file=sys.stderr)
        bar.__enter__()
        on_bytes = bar.update
    try:
        summary = screen_file(infile, output, matcher, workers=workers, default_kind=kind,
                              out_stream=None if output else click.get_text_stream("stdout"), on_bytes=on_bytes)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    took = time.perf_counter() - started
    sev = ", ".join(f"{summary.by_severity[s]} {s}" for s in ("high", "medium", "low"))
    click.echo(
        f"screened {summary.rows} names in {took:.1f}s: {summary.hits} hits in {summary.names_hit} names ({sev})"
        + (f"; wrote {output}" if output else ""),
        err=True,
    )


@main.command()
@click.argument("mark")
@_watchlists_option
@click.option("--limit", type=click.IntRange(1, None), default=30, show_default=True, help="How many to list.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per variant.")
@click.pass_context
def variants(ctx: click.Context, mark: str, watchlists: str | None, limit: int, as_json: bool) -> None:
    """Look-alike names for MARK (a mark id from the watchlists, or any text), most likely first."""
    terms: tuple[str, ...] = (mark,)
    folder = Path(watchlists or load_config(ctx.obj["config"]).watchlists)
    if folder.is_dir():
        for wl in load_watchlists(folder):
            for m in wl.marks:
                if m.id == mark:
                    terms = m.terms
    for rank, v in enumerate(generate_variants(terms, limit), start=1):
        if as_json:
            click.echo(json.dumps({"rank": rank, "variant": v.text, "rule": v.rule, "score": round(v.score, 1)},
                                  ensure_ascii=False))
        else:
            click.echo(f"{rank}\t{v.text}\t{v.rule}\t{v.score:.0f}")


@main.command()
@_watchlists_option
@click.pass_context
def demo(ctx: click.Context, watchlists: str | None) -> None:
    """Screen the bundled sample of names against the watchlists and print the hits."""
    from .demo import run_demo

    run_demo(_matcher(ctx, watchlists))
