"""Commands on names: check, screen, variants, and the saved index."""


from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import click

from ..config import (
    load_watchlists,
)
from ..errors import BrandwatchError
from ..match.variants import generate_variants
from ..screen import ScreenSummary, screen_file
from .common import (
    _KIND,
    EXIT_HITS,
    _matcher,
    _watchlists,
    _watchlists_option,
    main,
    unknown,
)


@main.command()
@click.argument("names", nargs=-1, required=True)
@_watchlists_option
@click.option("--kind", type=_KIND, default="company", show_default=True,
              help="What the names are: registered companies, apps or social accounts.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per name on stdout.")
@click.pass_context
def check(ctx: click.Context, names: tuple[str, ...], watchlists: str | None, kind: str, as_json: bool) -> None:
    """Check NAMES against the watchlists; exit 3 when any of them matched."""
    matcher, _ = _matcher(ctx, watchlists)
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
@click.argument("infile", metavar="IN", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write hits to this CSV (UTF-8 with BOM); default stdout.")
@_watchlists_option
@click.option("--kind", type=_KIND, default="company", show_default=True,
              help="Kind for rows that do not say.")
@click.option("--all", "all_rows", is_flag=True,
              help="Write every input row with its own columns and a verdict (a clearance record), not only hits.")
@click.option("--column", metavar="NAME|LETTER", default=None,
              help="The column of names, by header or letter (default: name, 名称, 企业名称 …, else the first).")
@click.option("--sheet", metavar="NAME|N", default=None,
              help=".xlsx: the worksheet, by name or number (default the first).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes to match in (local: default 1; dask: the local cluster's workers, default one a CPU).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this process (and --workers); dask: a Dask cluster, for registers that outgrow a machine.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="With --engine dask: the scheduler to use (tcp://HOST:8786); default a local cluster.")
@click.pass_context
def screen(ctx: click.Context, infile: str, output: str | None, watchlists: str | None, kind: str, all_rows: bool,
           column: str | None, sheet: str | None, workers: int | None, engine: str, scheduler: str | None) -> None:
    """Screen IN (CSV or TSV with a header, .xlsx, JSONL, or one name a line) and write one row per hit.

    CSV and text may be UTF-8, GBK/GB18030 or UTF-16 (with its byte-order mark). With --all, every row
    of IN is written with its columns and a verdict. With --engine dask, IN may also be a Parquet file
    or a folder of CSV, JSONL or Parquet files.
    """
    from ..inputs import ReadOptions

    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler goes with --engine dask")
    if scheduler and workers:
        raise click.UsageError("--workers sizes the local cluster; with --scheduler the cluster has its own workers")
    if engine == "dask":
        from ..distributed import require_dask, screen_dask

        require_dask()  # before the matcher is built: say which extra to install at once
    elif Path(infile).is_dir():
        raise click.UsageError(f"{infile} is a folder; the local engine reads one file (a folder needs --engine dask)")
    options = ReadOptions(default_kind=kind, column=column, sheet=sheet)
    matcher, _ = _matcher(ctx, watchlists)
    started = time.perf_counter()
    if engine == "dask":
        summary = screen_dask(infile, output, matcher, scheduler, workers=workers, options=options,
                              all_rows=all_rows, out_stream=None if output else sys.stdout)
        _screened(Path(infile), summary, time.perf_counter() - started, output)
        return
    bar = None
    on_bytes = None
    if sys.stderr.isatty():
        bar = click.progressbar(length=Path(infile).stat().st_size if Path(infile).is_file() else 0,
                                label="screening", file=sys.stderr)
        bar.__enter__()
        on_bytes = bar.update
    try:
        summary = screen_file(infile, output, matcher, workers=workers or 1, options=options, all_rows=all_rows,
                              out_stream=None if output else click.get_text_stream("stdout"), on_bytes=on_bytes)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    _screened(Path(infile), summary, time.perf_counter() - started, output)


def _screened(infile: Path, summary: ScreenSummary, took: float, output: str | None) -> None:
    from ..inputs import describe

    if summary.read.encoding:
        click.echo(describe(infile, summary.read), err=True)
    for note in (*summary.read.notes, *summary.notes):
        click.echo(note, err=True)
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
@click.option("--any", "any_text", is_flag=True,
              help="MARK is any text, not a mark of the watchlists (a name you are about to file, a rival's).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per variant.")
@click.pass_context
def variants(ctx: click.Context, mark: str, watchlists: str | None, limit: int, any_text: bool, as_json: bool) -> None:
    """Look-alike names for MARK (a mark of the watchlists: its id, name or alias), most likely first.

    With --any, MARK is any text. A MARK the watchlists do not hold is an error without --any, so that a
    typo is not answered with the variants of the typo.
    """
    terms: tuple[str, ...] = (mark,)
    if not any_text:
        lists = load_watchlists(_watchlists(ctx, watchlists))
        found = [m for wl in lists for m in wl.marks
                 if mark.casefold() in (m.id.casefold(), *(t.casefold() for t in m.terms))]
        if not found:
            marks = sorted(f"{m.id} ({', '.join(m.terms)})" for wl in lists for m in wl.marks)
            raise unknown("variants", mark, "mark", "marks", marks, " in the watchlists",
                          "for the variants of any text, add --any")
        terms = found[0].terms
    for rank, v in enumerate(generate_variants(terms, limit), start=1):
        if as_json:
            click.echo(json.dumps({"rank": rank, "variant": v.text, "rule": v.rule, "score": round(v.score, 1)},
                                  ensure_ascii=False))
        else:
            click.echo(f"{rank}\t{v.text}\t{v.rule}\t{v.score:.0f}")




@main.group()
def index() -> None:
    """The compiled matcher saved beside the database, so that commands start in about a second."""


@index.command("build")
@_watchlists_option
@click.pass_context
def index_build(ctx: click.Context, watchlists: str | None) -> None:
    """Compile the watchlists and save the index (check, screen, run and the daemon then load it)."""
    _, info = _matcher(ctx, watchlists, rebuild=True)
    if info is None:
        raise BrandwatchError("BRANDWATCH_INDEX=off is set in the environment: unset it to build the index")
    click.echo(f"built {info.path} in {info.seconds:.1f}s: {info.marks} marks, {info.forms} forms, "
               f"{info.path.stat().st_size / 2**20:.0f} MiB")


@main.command()
@click.argument("infile", metavar="IN", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write one JSON line per input text here; default stdout.")
@_watchlists_option
@click.pass_context
def texts(ctx: click.Context, infile: str, output: str | None, watchlists: str | None) -> None:
    """Read texts (posts, captions, comments, bios, pages, map listings) for marks, pitches and contacts.

    IN has one JSON object a line with ``id``, ``kind`` (post, caption, comment, bio, page, map) and
    ``text``. Each output line has ``id``, ``marks``, ``category`` (the pitch sold, or none),
    ``categories`` (every category quoted, with its phrases), ``contacts``, ``fake_contact`` and the hits
    with their explanations. Exit 3 when any text gave a hit.
    """
    from ..leads.scan import scan_text
    from ..leads.texts import read_texts

    matcher, _ = _matcher(ctx, watchlists)
    any_hit = False
    n = 0
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        for item in read_texts(Path(infile)):
            scan = scan_text(matcher, matcher.watchlists, item.text, item.kind, images=item.read_images())
            any_hit = any_hit or bool(scan.hits)
            out.write(json.dumps(scan.as_json(item.id), ensure_ascii=False) + "\n")
            n += 1
    finally:
        if output:
            out.close()
    click.echo(f"{n} text(s) read" + (f"; written to {output}" if output else ""), err=True)
    ctx.exit(EXIT_HITS if any_hit else 0)


@main.group()
def pitches() -> None:
    """The black-and-gray-market pitch lexicon (brandwatch/data/pitches.json) and its keyword variants."""


@pitches.command(name="list")
@click.option("--category", default=None, help="Only this category's phrases.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a phrase.")
def pitches_list(category: str | None, as_json: bool) -> None:
    """The lexicon's phrases by category, with their weights (3 decides alone, 2 needs a selling cue)."""
    from ..leads.pitches import lexicon

    lex = lexicon()
    if category is not None and category not in lex.phrases:
        raise unknown("--category", category, "category", "categories", list(lex.phrases))
    click.echo(f"lexicon version {lex.version}", err=True)
    for cat, phrases in lex.phrases.items():
        if category not in (None, cat):
            continue
        for phrase, weight in phrases:
            if as_json:
                click.echo(json.dumps({"category": cat, "phrase": phrase, "weight": weight}, ensure_ascii=False))
            else:
                click.echo(f"{cat}\t{weight}\t{phrase}")


@pitches.command(name="variants")
@click.argument("phrase")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a variant.")
def pitches_variants(phrase: str, limit: int, as_json: bool) -> None:
    """Forms a seller may write PHRASE in (homophones, pinyin initials, separators, traditional forms,
    evasions), each with the generator that made it; the classifier finds every one (keyword
    generalisation, as `variants` does for marks)."""
    from ..leads.pitches import pitch_variants

    for v in pitch_variants(phrase, limit):
        if as_json:
            click.echo(json.dumps({"text": v.text, "generator": v.generator}, ensure_ascii=False))
        else:
            click.echo(f"{v.text}\t{v.generator}")
