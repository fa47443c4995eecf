"""The command line: each command opens what it needs, calls one library function,
and turns library errors into one line ``Error: …`` with exit code 2.

Exit codes: 0 done (``check``: nothing matched), 3 ``check`` found hits, 4 ``run --once``: a
source's run was partial (stopped by SIGTERM or its time budget too), failed, blocked or deferred,
2 bad input or configuration (an unknown mark, source, status, severity, kind or channel
is one, and the message lists the ones there are; so is an imported page that did not
parse), 1 an unexpected failure or, for ``audit verify`` and ``evidence verify``,
something was changed.

Which config.yaml: ``--config``, else ``$BRANDWATCH_CONFIG``, else the nearest
config.yaml in this folder or a parent (config.find_config); paths in it are
relative to its folder.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from .config import (
    CONFIG_ENV,
    DEFAULT_CONFIG,
    ConfigLocation,
    ConfigSpec,
    find_config,
    load_config,
    load_watchlists,
    risk_terms,
)
from .errors import BrandwatchError, ConfigError
from .index import IndexInfo, matcher_for
from .match import Matcher
from .match.variants import generate_variants
from .models import KINDS, HitRecord, typed_time
from .screen import ScreenSummary, screen_file
from .version import __version__

EXIT_HITS = 3
EXIT_SOURCE_FAILED = 4


class _Group(click.Group):
    def invoke(self, ctx: click.Context):  # one line for every library error, exit 2
        try:
            return super().invoke(ctx)
        except BrandwatchError as e:
            if os.environ.get("BRANDWATCH_DEBUG"):  # the traceback, with the chained original (errors.py)
                traceback.print_exception(e)
            click.echo(f"Error: {e}", err=True)
            ctx.exit(2)


def _location(ctx: click.Context) -> ConfigLocation:
    """Which config file this command uses (found once per command)."""
    obj = ctx.find_root().obj
    if "location" not in obj:
        obj["location"] = find_config(obj["config_arg"])
    return obj["location"]


def _config(ctx: click.Context) -> ConfigSpec:
    """The config, its paths taken from its own folder; the defaults (from this folder) when there is none."""
    obj = ctx.find_root().obj
    if "spec" not in obj:
        where = _location(ctx)
        obj["spec"] = load_config(where.path) if where.path is not None else ConfigSpec()
    return obj["spec"]


def _config_path(ctx: click.Context) -> Path:
    return _location(ctx).path or DEFAULT_CONFIG


def _not_found(ctx: click.Context, path: Path | str, what: str, key: str, fix: str, also: str = "",
               problem: str = "") -> ConfigError:
    """A file or folder the config names is missing: say which config named it (or that none was found)."""
    where = _location(ctx)
    if where.path is None:
        ways = ["run from your project's folder", "pass --config FILE", f"set ${CONFIG_ENV}"]
        problem = f"{what} not found here: {where.describe()}"
    else:
        ways = [fix, f"set `{key}` in {where.path} ({where.describe()}; paths there are relative to its folder)"]
        problem = problem or f"{what} not found"
    ways += [also] if also else []
    return ConfigError(f"{path}: {problem}; {', '.join(ways[:-1])}, or {ways[-1]}")


def _watchlists(ctx: click.Context, given: str | None) -> Path:
    """The watchlist folder: --watchlists, else the config's; a missing one names the config that chose it."""
    if given:
        return Path(given)  # load_watchlists names it
    folder = Path(_config(ctx).watchlists)
    if not folder.is_dir():
        raise _not_found(ctx, folder, "watchlist folder", "watchlists", "create it (see README)",
                         "pass --watchlists DIR")
    return folder


def _allowlisted(ctx: click.Context) -> dict[str, list[str]]:
    """Names the team allowlisted from hits (kept in the store), which every matcher honours, as the daemon's."""
    database = Path(_config(ctx).database)
    if not database.exists():
        return {}
    from .store import Store

    with Store(database) as store:
        return store.allow_names()


def _matcher(ctx: click.Context, watchlists: str | None, rebuild: bool = False) -> tuple[Matcher, IndexInfo | None]:
    """The matcher for the watchlists, from the database's saved index when it matches them (brandwatch/index.py)."""
    from .app import with_allowlisted

    config = _config(ctx)
    lists = with_allowlisted(load_watchlists(_watchlists(ctx, watchlists)), _allowlisted(ctx))
    matcher, info = matcher_for(lists, risk_terms(config), config.database, rebuild=rebuild,
                                background=not rebuild)
    for line in matcher.warnings:  # a form that is an ordinary word: loaded, and said so
        click.echo(f"Warning: {line}", err=True)
    return matcher, info


# -- names the user types: each unknown one is an error that lists the ones there are ---------------

_LISTED = 30  # a watchlist of thousands of marks is not listed whole in an error


def unknown(option: str, value: str, what: str, plural: str, valid: Sequence[str], where: str = "",
            fix: str = "") -> BrandwatchError:
    """``--mark nosuch: no such mark; the marks are: weizhong (微众), …``."""
    fix = f"; {fix}" if fix else ""
    if not valid:
        return BrandwatchError(f"{option} {value}: no such {what}{where}; there are no {plural} yet{fix}")
    shown = ", ".join(valid[:_LISTED]) + (f", … ({len(valid) - _LISTED:,} more)" if len(valid) > _LISTED else "")
    return BrandwatchError(f"{option} {value}: no such {what}{where}; the {plural} are: {shown}{fix}")


class _Among(click.ParamType):
    """One of a fixed set (statuses, severities, kinds); anything else is a one-line error listing the set."""

    def __init__(self, what: str, plural: str, values: Sequence[str]) -> None:
        self.name, self.plural, self.values = what, plural, tuple(values)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.values) + "]"

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(v) for v in self.values if v.startswith(incomplete)]

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if value in self.values:
            return value
        option = param.opts[0] if param is not None and param.opts else self.name
        raise unknown(option, str(value), self.name, self.plural, self.values)


SEVERITIES = ("high", "medium", "low")
_KIND = _Among("kind", "kinds", KINDS)


def _known_marks(ctx: click.Context, store: Any | None) -> tuple[dict[str, str], dict[str, str]]:
    """(mark id → its name and aliases, every form a person may type → mark id): the watchlists' marks (ids, names,
    aliases) and those of hits in the store (a mark dropped from the watchlists still has hits)."""
    names: dict[str, str] = {}
    forms: dict[str, str] = {}
    try:
        lists = load_watchlists(_watchlists(ctx, None))
    except ConfigError:  # the store's marks still filter; commands that match say what is wrong
        lists = ()
    for wl in lists:
        for m in wl.marks:
            names.setdefault(m.id, ", ".join(m.terms))
            for form in (m.id, *m.terms):
                forms.setdefault(form.casefold(), m.id)
    for mark_id, mark in store.hit_marks() if store is not None else ():
        names.setdefault(mark_id, mark)
        forms.setdefault(mark_id.casefold(), mark_id)
        forms.setdefault(mark.casefold(), mark_id)
    return names, forms


def _marks(ctx: click.Context, store: Any, given: Sequence[str]) -> list[str] | None:
    """--mark values as mark ids (a mark's id, name or alias is accepted); None when none was given."""
    if not given:
        return None
    names, forms = _known_marks(ctx, store)
    out = []
    for value in given:
        if value.casefold() not in forms:
            raise unknown("--mark", value, "mark", "marks", [f"{i} ({n})" for i, n in sorted(names.items())])
        out.append(forms[value.casefold()])
    return out


def _sources(ctx: click.Context, store: Any, given: Sequence[str]) -> list[str] | None:
    """--source values, each a source of config.yaml or of listings in the store; None when none was given."""
    if not given:
        return None
    known = list(dict.fromkeys([*(s.name for s in _config(ctx).sources), *store.listing_sources()]))
    for value in given:
        if value not in known:
            raise unknown("--source", value, "source", "sources", known)
    return list(given)


# Bidirectional overrides and isolates reorder what a terminal shows (a name could make its line read as
# another); with the C0/C1 controls (a newline could forge a line, an escape recolour the screen) they are
# shown as escapes in text output. --json keeps every name as it is: there it is evidence.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: Any) -> str:
    """``text`` safe for one line of a terminal or a tab-separated column: controls shown as ``\\n``, ``\\x1b``…"""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) == "Cc" or c in _BIDI
                   else c for c in text)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns (a Chinese character takes two), ending in … when cut."""
    text = " ".join(text.split())
    if _width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = _width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def when(stored: str | None) -> str:
    """A stored UTC time for people: ``2026-11-20T02:00:05Z (2026-11-20 10:00:05 Asia/Shanghai)``."""
    if not stored:
        return "-"
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(stored.replace("Z", "+00:00"))
    except ValueError:
        return stored
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    local = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    return f"{moment:%Y-%m-%dT%H:%M:%SZ} ({local:%Y-%m-%d %H:%M:%S} Asia/Shanghai)"


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="brandwatch")
@click.option("--config", "config_path", default=None, metavar="FILE",
              help="The configuration file (default: $BRANDWATCH_CONFIG, else config.yaml in this folder or the "
                   "nearest parent folder that has one). Paths in it are relative to its folder.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """brandwatch: find names that imitate your marks, and why."""
    ctx.ensure_object(dict)
    ctx.obj["config_arg"] = config_path


_watchlists_option = click.option(
    "--watchlists", type=click.Path(file_okay=False), default=None,
    help="Folder of watchlist YAML files (default: config.yaml's `watchlists`, else ./watchlists).",
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
    from .inputs import ReadOptions

    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler goes with --engine dask")
    if scheduler and workers:
        raise click.UsageError("--workers sizes the local cluster; with --scheduler the cluster has its own workers")
    if engine == "dask":
        from .distributed import require_dask, screen_dask

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
    from .inputs import describe

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


def _setup_logging(log_format: str) -> None:
    import logging

    from .logs import JsonFormatter, install

    handler = install(logging.StreamHandler())  # secrets masked in every line
    handler.setFormatter(JsonFormatter() if log_format == "json"
                         else logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger("brandwatch")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


_log_option = click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
                           help="Logs on stderr: for people, or one JSON object a line (Chinese kept as is).")


@main.command()
@click.option("--once", is_flag=True, help="Run every enabled source once and exit (for cron, and for testing).")
@click.option("--source", "only", default=None, help="With --once: only this source (even if disabled).")
@_log_option
@click.pass_context
def run(ctx: click.Context, once: bool, only: str | None, log_format: str) -> None:
    """Crawl the configured sources: on their schedules (the daemon), or --once.

    SIGTERM or SIGINT stop a running source after its current page (its run is partial) and
    start no other. --once exits 0 when every source's run was ok, 4 when one was partial,
    failed, blocked or deferred (its site asked for a wait beyond the source's budget), 2 on
    a bad configuration.
    """
    from .app import build_context, run_once
    from .scheduler import serve

    if only and not once:
        raise click.UsageError("--source goes with --once")
    _setup_logging(log_format)
    config = _config(ctx)
    _watchlists(ctx, None)
    names = [s.name for s in config.sources]
    if only is not None and only not in names:
        raise unknown("--source", only, "source", "sources", names, f" in {_config_path(ctx)}")
    context = build_context(config, _config_path(ctx))
    if not once:
        serve(context)
        return
    results = run_once(context, only)
    for r in results:
        click.echo(f"{r.source}\t{r.outcome}\t{r.pages} pages\t{r.listings} listings\t{r.new_hits} new hits"
                   + (f"\t{r.message}" if r.message else ""))
    if any(r.outcome != "ok" for r in results):  # cron and monitors see it: some source did not finish
        ctx.exit(EXIT_SOURCE_FAILED)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Per source: the last run, its outcome and counts, blocked state and the next run."""
    from .app import build_context, source_status

    config = _config(ctx)
    _watchlists(ctx, None)
    rows = source_status(build_context(config, _config_path(ctx)))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        last = row["last_run"]
        what = (f"last {when(last['started_at'])} {last['outcome']}: {last['pages']} pages, {last['listings']} "
                f"listings, {last['new_hits']} new hits, {last['errors']} errors" if last else "never run")
        flags = " BLOCKED" if row["blocked"] else ""
        flags += f" (paused until {when(row['paused_until'])})" if row["paused_until"] else ""
        flags += f" DEFERRED (until {when(row['deferred_until'])}, as its site asked)" if row["deferred_until"] else ""
        flags += "" if row["enabled"] else " (disabled: runs only with run --once --source)"
        click.echo(f"{row['source']} [{row['type']}]{flags}: {what}")
        click.echo(f"    next: {_next(row) if row['enabled'] else '-'}")
        if last and last["message"]:
            click.echo(f"    {last['message']}")


def _next(row: dict[str, Any]) -> str:
    """The window the daemon will start the source in (it draws a random delay: see schedules.py)."""
    first, last = row["next_run"], row["next_run_latest"]
    if first is None:
        return f"{row['every']} after the daemon starts (it has never run)"
    from datetime import UTC, datetime

    late = ""
    if last and datetime.fromisoformat(last.replace("Z", "+00:00")) < datetime.now(UTC):
        late = " (overdue: is the daemon running?)"
    return f"between {when(first)} and {when(last)}{late}" if last != first else f"{when(first)}{late}"


@main.command(name="import")
@click.option("--source", "source_name", required=True, help="The configured source the pages come from (gsxt).")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def import_(ctx: click.Context, source_name: str, files: tuple[str, ...]) -> None:
    """Import pages a person saved from a browser (e.g. gsxt behind its captcha) as evidence."""
    from .app import after_run, build_context, database_lock
    from .captures import CaptureArchive
    from .models import utc_now
    from .pipeline import import_files
    from .store import Store

    config = _config(ctx)
    _watchlists(ctx, None)
    context = build_context(config, _config_path(ctx))
    found = [src for spec, src in context.sources if spec.name == source_name]
    if not found:
        raise unknown("--source", source_name, "source", "sources", [spec.name for spec, _ in context.sources],
                      f" in {_config_path(ctx)}")
    paths = [Path(f) for f in files]
    unread = _unreadable(paths, found[0])
    readable = [p for p in paths if p not in unread]
    if readable:
        with database_lock(Path(config.database)), Store(config.database) as store:
            r = import_files(readable, found[0], store=store, archive=CaptureArchive(config.captures_dir),
                             matcher=context.matcher, fetched_at=utc_now())
            after_run(context, store, r.run_id)
        click.echo(f"imported {r.pages} file(s): {r.listings} listings, {r.new_hits} new hits")
    for path, problem in unread.items():
        click.echo(f"Error: {path}: {problem}", err=True)
    if unread:
        ctx.exit(2)


from .bounded import IMPORT_MAX_BYTES  # noqa: E402 -- one limit for the command and the library


def _unreadable(paths: Sequence[Path], source: Any) -> dict[Path, str]:
    """The files ``import`` must refuse, each with why and the fix: not a regular file, too big, or a page in
    which the source's parser finds no listing (an app shell, a captcha, the wrong page). Such a page is
    not imported: an import that found nothing is never taken for "no results"."""
    from .errors import ParseError
    from .fetch import decode
    from .sources import Request

    out: dict[Path, str] = {}
    for path in paths:
        if not path.is_file():
            out[path] = "not a regular file; save the page from the browser as a file and import that"
            continue
        size = path.stat().st_size
        if size > IMPORT_MAX_BYTES:
            out[path] = (f"{size:,} bytes, more than a saved page can be ({IMPORT_MAX_BYTES:,}); "
                         "save only the search results page")
            continue
        with path.open("rb") as f:
            body = f.read(IMPORT_MAX_BYTES + 1)
        text, _ = decode(body, "")
        try:
            parsed = source.parse(text, Request(path.resolve().as_uri()))
        except (ParseError, ValueError) as e:
            out[path] = f"not a page {source.name} can read ({e}); nothing was imported from it"
            continue
        if not parsed.listings:
            out[path] = (f"no listings found in it: it is not a {source.name} search results page brandwatch can "
                         f"read (or the search found nothing); nothing was imported from it. Save the page "
                         f"that lists the results (with their names) and import that")
    return out


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
@_watchlists_option
@click.option("--out", type=click.Path(file_okay=False), default="demo-output", show_default=True,
              help="Folder for the demo's config, database and captures.")
@click.pass_context
def demo(ctx: click.Context, watchlists: str | None, out: str) -> None:
    """Crawl a local demo site once (offline) and print the hits, the blocked source and the database."""
    from .demo import run_demo

    _setup_logging("text")
    folder = _watchlists(ctx, watchlists)
    load_watchlists(folder)  # a clear error before the site starts
    run_demo(Path(out), folder.resolve())


# -- the legal team's workflow ------------------------------------------------------

def _store(ctx: click.Context, must_exist: bool = True):
    from .store import Store

    config = _config(ctx)
    if must_exist and not Path(config.database).exists():
        raise _not_found(ctx, config.database, "database", "database",
                         "run `brandwatch run --once` (or `make demo`) to make it", problem="no database yet")
    return config, Store(config.database)


def _since(value: str | None, option: str = "--since") -> str | None:
    """A date or time the user typed (2026-11-01, 2026-11-01T08:00) as a UTC ISO string for the store."""
    if not value:
        return None
    try:
        return typed_time(value, option)
    except ValueError as e:
        raise BrandwatchError(str(e)) from None


def _filters(f):
    from .review import STATUSES

    f = click.option("--status", multiple=True, type=_Among("status", "statuses", STATUSES),
                     help="Only hits with this status (repeatable).")(f)
    f = click.option("--severity", multiple=True, type=_Among("severity", "severities", SEVERITIES),
                     help="Only hits of this severity (repeatable).")(f)
    f = click.option("--mark", multiple=True, help="Only hits on this mark: its id, name or alias (repeatable).")(f)
    f = click.option("--source", multiple=True, help="Only hits from this source (repeatable).")(f)
    f = click.option("--since", default=None, help="Only hits first seen on or after this date (Asia/Shanghai).")(f)
    return f


def _query(ctx: click.Context, store, status, severity, mark, source, since,
           until: str | None = None) -> list[HitRecord]:
    """The hits the filters select; a mark or source the watchlists, config and store do not know is an error."""
    return store.hit_records(status=status or None, severity=severity or None, mark=_marks(ctx, store, mark),
                             source=_sources(ctx, store, source), since=_since(since), until=_since(until, "--until"))


def _tabbed_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: tabs to the next multiple of 8, Chinese characters two each."""
    col = 0
    for c in text:
        col = (col // 8 + 1) * 8 if c == "\t" else col + _width(c)
    return col


REASON_WIDTH = 60  # the reason column when the output is not a terminal (a pipe, a file): `show` has it whole


@main.command()
@_filters
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object a line on stdout (every field, the reason whole).")
@click.pass_context
def hits(ctx: click.Context, status, severity, mark, source, since, as_json: bool) -> None:
    """List hits in the store (oldest first): id, status, severity, score, name, mark, rule, reason (shortened;
    `brandwatch show HIT` has it whole), source, and open follow-up proposals."""
    import shutil

    _, store = _store(ctx)
    with store:
        rows = _query(ctx, store, status, severity, mark, source, since)
        proposed: dict[int, list[str]] = {}
        for p in store.proposals("open"):
            proposed.setdefault(p["hit_id"], []).append(p["outcome"])
    terminal = shutil.get_terminal_size((0, 0)).columns if sys.stdout.isatty() else 0
    for r in rows:
        if as_json:
            click.echo(json.dumps({**r.flat(), "proposed": proposed.get(r.id, [])}, ensure_ascii=False))
            continue
        extra = f"  [proposed: {', '.join(proposed[r.id])}]" if r.id in proposed else ""
        who = f" @{r.assignee}" if r.assignee else ""
        head = "\t".join(map(printable, (r.id, r.status + who, r.severity, r.score, r.listing.name,
                                          r.mark, r.rule, "")))
        tail = f"\t{printable(r.listing.source)}{extra}"
        room = terminal - _tabbed_width(head) - _width(tail) - 8 if terminal else REASON_WIDTH
        click.echo(f"{head}{shorten(printable(r.explanation), max(room, 20))}{tail}")
    if not as_json:
        click.echo(f"{len(rows)} hit(s)", err=True)


@main.command()
@click.argument("args", nargs=-1, required=True, metavar="HIT... [STATUS]")
@click.option("--note", default="", help="Why: kept in the audit log with the change, and in the hit's notes "
                                        "(the export's 备注 column).")
@click.option("--by", default=None, help="Who decides (default: $BRANDWATCH_USER, else the login name).")
@click.option("--assign", "assignee", default=None, help="Give the hit to this person.")
@click.option("--tag", "add_tags", multiple=True, help="Add a tag (repeatable).")
@click.option("--untag", "remove_tags", multiple=True, help="Remove a tag (repeatable).")
@click.option("--force", is_flag=True, help="Allow a move the workflow does not (to correct a mistake); logged.")
@click.pass_context
def review(ctx: click.Context, args: tuple[str, ...], note: str, by: str | None, assignee: str | None,
           add_tags: tuple[str, ...], remove_tags: tuple[str, ...], force: bool) -> None:
    """Record a decision: `brandwatch review 12 15 confirmed --note "仿冒字号"`.

    Statuses: new, confirmed, dismissed, allowlisted; complaint_filed, letter_sent,
    suit_filed, judgment; name_changed, deregistered, removed, reemerged.
    Every change goes to the hash-chained audit log. Moving an allowlisted hit to
    another status takes its name off the allow list.
    """
    from .review import STATUSES, default_actor
    from .review import review as do_review

    status = args[-1] if args and not args[-1].isdigit() else None
    ids_text = args[:-1] if status else args
    if status is not None and status not in STATUSES:
        raise unknown("review", status, "status", "statuses", STATUSES,
                      fix="give hit ids (numbers from `brandwatch hits`) and then one status")
    if not ids_text:
        raise BrandwatchError(f"review {status}: give at least one hit id before the status, "
                              f"e.g. `brandwatch review 12 {status}`")
    bad = [a for a in ids_text if not a.isdigit()]
    if bad:
        raise BrandwatchError(f"review {bad[0]}: not a hit id (a number from `brandwatch hits`)")
    _, store = _store(ctx)
    with store:
        changes = do_review(store, [int(a) for a in ids_text], status, by=by or default_actor(), note=note,
                            assignee=assignee, add_tags=add_tags, remove_tags=remove_tags, force=force)
    for c in changes:
        click.echo(printable(f"hit {c.hit_id}: {'; '.join(map(_change, c.entries)) or 'unchanged'}"))


def _change(entry: dict[str, Any]) -> str:
    """One audit entry in a line: ``status new→confirmed``, ``allow list + 某某公司``, ``note``."""
    if entry["action"] == "note":
        return "note"
    if entry["action"] == "allow":
        return f"allow list + {entry['new']}" if entry["new"] else f"allow list − {entry['old']}"
    return f"{entry['action']} {entry['old']}→{entry['new']}".strip()


@main.command()
@click.argument("hit_id", metavar="HIT")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout (show version 1).")
@click.pass_context
def show(ctx: click.Context, hit_id: str, as_json: bool) -> None:
    """Everything about one hit: the listing, the mark, rule, score and why; the decision, notes and tags;
    the captures (SHA-256, WARC file and offset), sightings and name history, proposals and the audit trail."""
    from .review import hit_details

    if not hit_id.isdigit():
        raise BrandwatchError(f"show {hit_id}: not a hit id (a number from `brandwatch hits`)")
    config, store = _store(ctx)
    with store:
        doc = hit_details(store, int(hit_id))
    for c in doc["captures"]:  # the store keeps the WARC file's name; a person needs where it is
        c["warc_path"] = str(config.captures_dir / c["warc_file"])
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=1))
        return
    for line in _show_lines(doc):
        click.echo(printable(line))  # the lines are ours; a name's or note's controls are escaped


def _show_lines(doc: dict[str, Any]) -> list[str]:
    """``show``'s text: labels in Chinese with the English beside them, times in UTC and Asia/Shanghai."""
    from .labels import severity_label, status_label
    from .match import RULES
    from .report.figures import FIELD_LABELS

    h, listing = doc["hit"], doc["listing"]

    def status(code: str) -> str:
        return status_label(code) or "-"

    def row(label: str, value: Any) -> str:
        return f"  {label}{' ' * max(2, 26 - _width(label))}{value}"

    out = [f"hit {h['id']}: {listing['name']}", ""]
    out += [
        row("名称 name", listing["name"]),
        row("类型 kind", listing["kind"]),
        row("来源 source", f"{listing['source']} (key {listing['key']})"),
        row("网址 URL", listing["url"] or "-"),
    ]
    for name, value in (listing["fields"] or {}).items():
        if name not in ("name", "url", "status"):  # shown in their own rows
            out.append(row(FIELD_LABELS.get(name, name), value))
    out += [
        row("登记状态 listing status", listing["status"] or "-"),
        row("首次发现 first seen", when(listing["first_seen"])),
        row("最近发现 last seen", when(listing["last_seen"])),
        "",
        row("商标 mark", f"{h['mark']} ({h['mark_id']})"),
        row("权利人 owner", h["owner"] or "-"),
    ]
    for name in h["rule"].split("+"):
        rule = RULES.get(name)
        out.append(row("规则 rule", f"{name}: {rule.basis}" if rule else name))
    out += [
        row("分数 score", h["score"]),
        row("风险等级 severity", severity_label(h["severity"])),
        row("相同部分 span", h["span"]),
        row("理由 explanation", h["explanation"]),
        row("命中首次 hit first seen", when(h["first_seen"])),
        "",
        row("状态 status", status(h["status"]) + (f" since {when(h['status_at'])}" if h["status_at"] else "")),
        row("负责人 assignee", h["assignee"] or "-"),
        row("标签 tags", ", ".join(h["tags"]) or "-"),
        row("白名单 allow list", "on the owner's allow list" if doc["allowlisted_name"] else "no"),
        row("已提醒 alerted", when(h["alerted_at"])),
    ]
    notes = (h["notes"] or "").splitlines() or ["-"]
    out += [row("备注 notes", notes[0]), *(row("", n) for n in notes[1:])]
    out += ["", f"取证 captures ({len(doc['captures'])})"]
    for c in doc["captures"]:
        out += [f"  capture {c['id']}  {when(c['fetched_at'])}  HTTP {c['status']}  {c['size']:,} bytes",
                f"      URL      {c['final_url']}" + (f" (asked {c['request_url']})"
                                                      if c["request_url"] != c["final_url"] else ""),
                f"      SHA-256  {c['sha256']}",
                f"      WARC     {c.get('warc_path') or c['warc_file']} offset {c['warc_offset']} "
                f"length {c['warc_length']}"]
    out += ["", f"出现记录 sightings ({len(doc['sightings'])}): first showing and each change"]
    out += [f"  {when(x['seen_at'])}  {x['name']}" + (f"  [{x['status']}]" if x["status"] else "")
            + (f"  capture {x['capture_id']}" if x["capture_id"] else "") for x in doc["sightings"]]
    if doc["changes"]:
        out += ["", f"名称与状态变更 name and status history ({len(doc['changes'])})"]
        out += [f"  {when(c['seen_at'])}  {c['field']}: {c['old']} → {c['new']}"
                + (f"  capture {c['capture_id']}" if c["capture_id"] else "") for c in doc["changes"]]
    out += ["", f"跟进建议 follow-up proposals ({len(doc['proposals'])})"]
    out += [f"  {p['outcome']} ({p['state']})  seen {when(p['seen_at'])}  {p['reason']}" for p in doc["proposals"]]
    out += ["", f"审计记录 audit trail ({len(doc['audit'])})"]
    out += [f"  {e['id']}  {when(e['at'])}  {e['actor']}  {_change(e)}" + (f"  — {e['note']}" if e["note"] else "")
            for e in doc["audit"]]
    return out


@main.group(name="allow")
def allow_group() -> None:
    """Names the team allowlisted from hits (review HIT allowlisted): list them, or take one off."""


@allow_group.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@click.pass_context
def allow_list(ctx: click.Context, as_json: bool) -> None:
    """The names on the owners' allow lists: those the team added from hits (removable here) and those in the
    watchlists' `allow:` (changed in their files)."""
    _, store = _store(ctx)
    with store:
        rows = store.allow_rows()
    try:
        lists = load_watchlists(_watchlists(ctx, None))
    except ConfigError:
        lists = ()
    for wl in lists:
        for name in wl.allow:
            rows.append({"owner": wl.owner, "name": name, "file": wl.source})
    for r in rows:
        if as_json:
            click.echo(json.dumps(r, ensure_ascii=False))
        elif "file" in r:
            click.echo(f"{printable(r['owner'])}\t{printable(r['name'])}\tin {r['file']}")
        else:
            click.echo(f"{printable(r['owner'])}\t{printable(r['name'])}\tfrom hit {r['hit_id']}, by "
                       f"{printable(r['added_by'])}, {when(r['added_at'])}")
    click.echo(f"{len(rows)} name(s)", err=True)


@allow_group.command(name="remove")
@click.argument("target", metavar="NAME|HIT")
@click.option("--owner", default=None, help="When the name is on several owners' lists: whose.")
@click.option("--note", default="", help="Why: kept in the audit log.")
@click.option("--by", default=None, help="Who decides (default: $BRANDWATCH_USER, else the login name).")
@click.pass_context
def allow_remove(ctx: click.Context, target: str, owner: str | None, note: str, by: str | None) -> None:
    """Take a name off the allow list (audited); the hit allowlisted under it goes back to new, and the
    matcher reports the name again from the next run. TARGET is the name, or the hit's id."""
    from .review import default_actor, remove_allowed

    _, store = _store(ctx)
    with store:
        removed = remove_allowed(store, target, by=by or default_actor(), owner=owner, note=note)
    for r in removed:
        back = f"; hit {', '.join(map(str, r.reopened))} back to new" if r.reopened else ""
        click.echo(printable(f"removed {r.name} from the allow list of {r.owner}{back}"))


@main.group()
def audit() -> None:
    """The review history (append-only, hash-chained)."""


@audit.command(name="verify")
@click.pass_context
def audit_verify(ctx: click.Context) -> None:
    """Check every audit entry and link; exit 1 if anything was changed or deleted."""
    from .review import verify_audit

    _, store = _store(ctx)
    with store:
        problems = verify_audit(store)
        n = len(store.audit_entries())
    for p in problems:
        click.echo(p)
    if problems:
        click.echo(f"audit log: {len(problems)} problem(s) in {n} entries", err=True)
        ctx.exit(1)
    click.echo(f"audit log intact: {n} entries")


@audit.command(name="log")
@click.argument("hit_id", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@click.pass_context
def audit_log(ctx: click.Context, hit_id: int | None, as_json: bool) -> None:
    """Show the audit log (of one hit, or all)."""
    _, store = _store(ctx)
    with store:
        entries = store.audit_entries(hit_id)
    for e in entries:
        if as_json:
            click.echo(json.dumps(e, ensure_ascii=False))
        else:
            click.echo("\t".join(map(printable, (e["id"], e["at"], f"hit {e['hit_id']}", e["actor"], e["action"],
                                                 f"{e['old']}→{e['new']}", e["note"]))))


@main.command()
@click.option("--all", "show_all", is_flag=True, help="Also proposals already accepted or rejected.")
@click.pass_context
def proposals(ctx: click.Context, show_all: bool) -> None:
    """Outcomes brandwatch proposes for watched hits; accept one with `brandwatch review HIT OUTCOME`."""
    _, store = _store(ctx)
    with store:
        rows = store.proposals(None if show_all else "open")
    for p in rows:
        click.echo("\t".join(map(printable, (f"hit {p['hit_id']}", p["outcome"], p["state"], p["seen_at"],
                                             p["reason"]))))
    click.echo(f"{len(rows)} proposal(s)", err=True)


@main.command()
@click.option("--week", default=None,
              help="ISO week, e.g. 2026-W48 (default: this week so far, Asia/Shanghai; the daemon's Monday report "
                   "is of the week before).")
@click.option("-o", "--output", type=click.Path(file_okay=False), default=None,
              help="Folder for the report (default: report.output in config.yaml, else reports/ beside the database).")
@click.pass_context
def report(ctx: click.Context, week: str | None, output: str | None) -> None:
    """Write the weekly report for the legal team (HTML and Markdown)."""
    from .report import write_report
    from .report.weeks import current_week

    config, store = _store(ctx)
    with store:
        files = write_report(store, week or current_week(), out_dir=Path(output) if output else config.reports_dir)
    click.echo(files.html)
    click.echo(files.markdown)


@main.group()
def alerts() -> None:
    """Alert channels: test one, queue the digest of new hits and deliver the outbox."""


@alerts.command(name="test")
@click.argument("channel")
@click.pass_context
def alerts_test(ctx: click.Context, channel: str) -> None:
    """Send a test message to CHANNEL now, bypassing the outbox."""
    from .alerts import send_test

    spec = _config(ctx).alerts
    names = [c.name for c in spec.channels]
    if channel not in names:
        raise unknown("alerts test", channel, "channel", "channels", names, f" in {_config_path(ctx)}",
                      "add it under alerts.channels (see README)" if not names else "")
    send_test(spec, channel)
    click.echo(f"{channel}: test message sent")


@alerts.command(name="send")
@click.pass_context
def alerts_send(ctx: click.Context) -> None:
    """Queue a digest of new hits, then deliver every message that is due."""
    from .alerts import deliver, queue_digest
    from .app import database_lock

    config, store = _store(ctx)
    with database_lock(Path(config.database)), store:
        queued = queue_digest(store, config.alerts)
        result = deliver(store, config.alerts)
    click.echo(f"queued {queued}, sent {result.sent}, failed {result.failed}, deferred {result.deferred}")
    for line in result.problems:
        click.echo(f"Warning: {line}", err=True)


@alerts.command(name="outbox")
@click.option("--all", "show_all", is_flag=True, help="Also messages already delivered.")
@click.pass_context
def alerts_outbox(ctx: click.Context, show_all: bool) -> None:
    """Messages waiting to be delivered (or all), with their attempts and last error."""
    _, store = _store(ctx)
    with store:
        rows = store.outbox(pending_only=not show_all)
    for m in rows:
        state = f"sent {m['sent_at']}" if m["sent_at"] else f"pending, next {m['next_attempt_at']}"
        click.echo(f"{m['id']}\t{m['channel']}\t{m['kind']}\t{state}\t{m['attempts']} attempt(s)\t{m['subject']}"
                   + (f"\t{m['last_error']}" if m["last_error"] else ""))
    click.echo(f"{len(rows)} message(s)", err=True)


@main.command(name="export")
@_filters
@click.option("--until", default=None, help="Only hits first seen before this date (Asia/Shanghai).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "jsonl"]), default=None,
              help="csv (for Excel: UTF-8 with BOM), xlsx or jsonl; default: OUT's suffix.")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@click.pass_context
def export_(ctx: click.Context, status: tuple[str, ...], severity: tuple[str, ...], mark: tuple[str, ...],
            source: tuple[str, ...], since: str | None, until: str | None, fmt: str | None, out: str) -> None:
    """Write the hits to a file, one row per hit, in the documented columns (export version 1)."""
    from .export import FORMATS, export_hits

    fmt = fmt or Path(out).suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise click.UsageError(f"{out}: cannot tell the format from the suffix; give --format csv, xlsx or jsonl")
    _, store = _store(ctx)
    with store:
        rows = _query(ctx, store, status, severity, mark, source, since, until)
        count = export_hits(rows, fmt, out)
    click.echo(f"wrote {count} hit(s) to {out}", err=True)


class _EvidenceGroup(_Group):
    """`brandwatch evidence HIT -o OUT` builds a bundle; `brandwatch evidence verify …` checks one."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0].isdigit():
            args = ["bundle", *args]
        return super().parse_args(ctx, args)


@main.group(cls=_EvidenceGroup)
def evidence() -> None:
    """Evidence bundles for a notary or 存证 platform: `evidence HIT -o OUT.zip`, `evidence verify BUNDLE|--all`."""


@evidence.command("bundle")
@click.argument("hit_id", type=int)
@click.option("-o", "--out", type=click.Path(), default=None,
              help="A new folder, or a path ending in .zip (default: evidence/hit-ID.zip beside the database).")
@click.option("--no-screenshot", is_flag=True, help="Do not render the captured page with headless Chromium.")
@click.option("--chromium", default=None,
              help="The Chromium to render with (default: chromium, chromium-browser or google-chrome on PATH).")
@click.pass_context
def evidence_bundle(ctx: click.Context, hit_id: int, out: str | None, no_screenshot: bool,
                    chromium: str | None) -> None:
    """Gather HIT_ID's captures, record, match and audit history, hashed (SHA-256 and SM3), into one bundle."""
    from .captures import CaptureArchive
    from .evidence import build_bundle

    config, store = _store(ctx)
    target = Path(out) if out else Path(config.database).parent / "evidence" / f"hit-{hit_id}.zip"
    with store:
        result = build_bundle(store, CaptureArchive(config.captures_dir), hit_id, target,
                              db_path=Path(config.database), screenshot=not no_screenshot, chromium=chromium)
    click.echo(f"wrote {result.path} ({len(result.files)} files)")
    click.echo(result.screenshot_message, err=True)


@evidence.command("verify")
@click.argument("bundle", required=False, type=click.Path(exists=True))
@click.option("--all", "whole_store", is_flag=True,
              help="Check the whole store instead: every capture against the archive, and the audit chain.")
@click.pass_context
def evidence_verify(ctx: click.Context, bundle: str | None, whole_store: bool) -> None:
    """Check a BUNDLE (folder or .zip) against its manifest, or --all the store; exit 1 if anything changed."""
    from .captures import CaptureArchive
    from .evidence import verify_bundle, verify_store

    if bool(bundle) == whole_store:
        raise click.UsageError("give a BUNDLE or --all (one of them)")
    if bundle:
        problems = verify_bundle(Path(bundle))
    else:
        config, store = _store(ctx)
        with store:
            problems = verify_store(store, CaptureArchive(config.captures_dir), Path(config.database))
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        ctx.exit(1)
    click.echo("intact: every file matches its SHA-256 and SM3" if bundle else
               "intact: every capture matches its SHA-256 and the audit chain holds")


# -- store maintenance ----------------------------------------------------------------


@main.group(name="store")
def store_group() -> None:
    """The database: its size and row counts, and pruning per the retention policy (README)."""


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


@store_group.command(name="stats")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.pass_context
def store_stats_(ctx: click.Context, as_json: bool) -> None:
    """Rows per table, the database's size on disk, its WAL and free pages, the oldest and newest run."""
    from .retention import store_stats

    config, store = _store(ctx)
    with store:
        st = store_stats(store, config.captures_dir)
    if as_json:
        click.echo(json.dumps(asdict(st), ensure_ascii=False, indent=1))
        return
    for table, rows in st.rows.items():
        click.echo(f"{table}\t{rows}")
    click.echo(f"database\t{_mib(st.db_bytes)} ({st.pages} pages of {st.page_size} bytes, {st.free_pages} free)")
    click.echo(f"wal\t{_mib(st.wal_bytes)}")
    click.echo(f"captures\t{_mib(st.captures_bytes)} of WARC files")
    click.echo(f"runs\t{st.oldest_run or '-'} to {st.newest_run or '-'}")


@store_group.command(name="vacuum")
@click.option("--older-than", "days", type=click.IntRange(1), default=180, show_default=True,
              help="Prune only what is older than this many days.")
@click.option("--dry-run", is_flag=True, help="Count what would be pruned; change nothing.")
@click.pass_context
def store_vacuum(ctx: click.Context, days: int, dry_run: bool) -> None:
    """Prune old unreferenced runs and delivered alerts (never evidence), then VACUUM and optimize."""
    from contextlib import nullcontext

    from .app import database_lock
    from .retention import vacuum

    config, store = _store(ctx)
    with nullcontext() if dry_run else database_lock(Path(config.database)), store:
        r = vacuum(store, days, dry_run=dry_run)
    verb = "would prune" if dry_run else "pruned"
    click.echo(f"{verb} {r.pruned['runs']} run(s) and {r.pruned['outbox']} delivered alert(s) older than "
               f"{r.cutoff[:10]}; evidence, hits and decisions are kept")
    if dry_run:
        click.echo(f"{r.free_pages} free page(s) for VACUUM to give back; nothing was changed")
    else:
        click.echo(f"database {_mib(r.bytes_before)} -> {_mib(r.bytes_after)}")


# -- the web workspace (its own module, so the other commands never import Flask) -------

def _add_web_commands() -> None:
    from .cli_web import users, web

    main.add_command(web)
    main.add_command(users)


_add_web_commands()
