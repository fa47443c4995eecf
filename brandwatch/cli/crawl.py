"""Commands of the crawl: run, status, import, demo, and store maintenance."""


from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from ..config import (
    load_watchlists,
)
from ..errors import ConfigError, one_line
from .common import (
    EXIT_SOURCE_FAILED,
    _config,
    _config_path,
    _log_option,
    _setup_logging,
    _store,
    _watchlists,
    _watchlists_option,
    main,
    unknown,
    when,
)


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
    a bad configuration or when no source is enabled.
    """
    from ..app import build_context, run_once
    from ..scheduler import serve

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
    if only is None and not any(s.enabled for s in config.sources):  # else: no output, exit 0, nothing crawled
        where = _config_path(ctx)
        if not config.sources:
            raise ConfigError(f"no source is configured in {where}; add one under sources: (see README, Crawling)")
        raise ConfigError(f"no source is enabled in {where}; set enabled: true on one of its sources "
                          f"({', '.join(s.name for s in config.sources)}), or run one with --once --source NAME")
    results = run_once(context, only)
    for r in results:
        click.echo(f"{r.source}\t{r.outcome}\t{r.pages} pages\t{r.listings} listings\t{r.new_hits} new hits"
                   + (f"\t{one_line(r.message)}" if r.message else ""))  # one row, whatever a server said
    if any(r.outcome != "ok" for r in results):  # cron and monitors see it: some source did not finish
        ctx.exit(EXIT_SOURCE_FAILED)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Per source: the last run, its outcome and counts, blocked state and the next run."""
    from ..app import build_context, source_status

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
        if row["import_only"]:
            flags += " (import-only: brandwatch import --source NAME FILES)"
            what = what.replace("last ", "last import ", 1) if last else "nothing imported yet"
        elif not row["enabled"]:
            flags += " (disabled: runs only with run --once --source)"
        click.echo(f"{row['source']} [{row['type']}]{flags}: {what}")
        click.echo(f"    next: {_next(row) if row['enabled'] and not row['import_only'] else '-'}")
        if last and last["message"]:
            click.echo(f"    {one_line(last['message'])}")


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
    from ..app import after_run, build_context, database_lock
    from ..captures import CaptureArchive
    from ..models import utc_now
    from ..pipeline import import_files
    from ..store import Store

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


from ..bounded import IMPORT_MAX_BYTES  # noqa: E402 -- one limit for the command and the library


def _unreadable(paths: Sequence[Path], source: Any) -> dict[Path, str]:
    """The files ``import`` must refuse, each with why and the fix: not a regular file, too big, or a page in
    which the source's parser finds no listing (an app shell, a captcha, the wrong page). Such a page is
    not imported: an import that found nothing is never taken for "no results"."""
    from ..errors import ParseError
    from ..fetch import decode
    from ..sources import Request

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




@main.command()
@_watchlists_option
@click.option("--out", type=click.Path(file_okay=False), default="demo-output", show_default=True,
              help="Folder for the demo's config, database and captures.")
@click.pass_context
def demo(ctx: click.Context, watchlists: str | None, out: str) -> None:
    """Crawl a local demo site once (offline) and print the hits, the blocked source and the database."""
    from ..demo import run_demo

    _setup_logging("text")
    folder = _watchlists(ctx, watchlists)
    load_watchlists(folder)  # a clear error before the site starts
    run_demo(Path(out), folder.resolve())




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
    from ..retention import store_stats

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

    from ..app import database_lock
    from ..retention import vacuum

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
