"""The command line: each command opens what it needs, calls one library function,
and turns library errors into one line ``Error: …`` with exit code 2.

Exit codes: 0 done (``check``: nothing matched), 3 ``check`` found hits, 4 ``run --once``: a
source's run was partial (stopped by SIGTERM or its time budget too), failed, blocked or deferred,
2 bad input or configuration, 1 an unexpected failure or, for ``audit verify``
and ``evidence verify``, something was changed.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path

import click

from .config import load_config, load_watchlists, risk_terms
from .errors import BrandwatchError
from .index import IndexInfo, matcher_for
from .match import Matcher
from .match.variants import generate_variants
from .models import KINDS
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


def _matcher(ctx: click.Context, watchlists: str | None, rebuild: bool = False) -> tuple[Matcher, IndexInfo | None]:
    """The matcher for the watchlists, from the database's saved index when it matches them (brandwatch/index.py)."""
    config = load_config(ctx.obj["config"])
    folder = Path(watchlists or config.watchlists)
    matcher, info = matcher_for(load_watchlists(folder), risk_terms(config), config.database, rebuild=rebuild,
                                background=not rebuild)
    for line in matcher.warnings:  # a form that is an ordinary word: loaded, and said so
        click.echo(f"Warning: {line}", err=True)
    return matcher, info


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
@click.option("--kind", type=click.Choice(KINDS), default="company", show_default=True,
              help="Kind for rows that do not say.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes to match in (local: default 1; dask: the local cluster's workers, default one a CPU).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this process (and --workers); dask: a Dask cluster, for registers that outgrow a machine.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="With --engine dask: the scheduler to use (tcp://HOST:8786); default a local cluster.")
@click.pass_context
def screen(ctx: click.Context, infile: str, output: str | None, watchlists: str | None, kind: str,
           workers: int | None, engine: str, scheduler: str | None) -> None:
    """Screen IN (CSV with id,name[,kind], JSONL, or one name a line) and write one row per hit.

    With --engine dask, IN may also be a Parquet file or a folder of CSV, JSONL or Parquet files.
    """
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler goes with --engine dask")
    if scheduler and workers:
        raise click.UsageError("--workers sizes the local cluster; with --scheduler the cluster has its own workers")
    if engine == "dask":
        from .distributed import require_dask, screen_dask

        require_dask()  # before the matcher is built: say which extra to install at once
    elif Path(infile).is_dir():
        raise click.UsageError(f"{infile} is a folder; the local engine reads one file (a folder needs --engine dask)")
    matcher, _ = _matcher(ctx, watchlists)
    started = time.perf_counter()
    if engine == "dask":
        summary = screen_dask(infile, output, matcher, scheduler, workers=workers, default_kind=kind,
                              out_stream=None if output else sys.stdout)
        _screened(summary, time.perf_counter() - started, output)
        return
    bar = None
    on_bytes = None
    if sys.stderr.isatty():
        bar = click.progressbar(length=Path(infile).stat().st_size if Path(infile).is_file() else 0,
                                label="screening", file=sys.stderr)
        bar.__enter__()
        on_bytes = bar.update
    try:
        summary = screen_file(infile, output, matcher, workers=workers or 1, default_kind=kind,
                              out_stream=None if output else click.get_text_stream("stdout"), on_bytes=on_bytes)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    _screened(summary, time.perf_counter() - started, output)


def _screened(summary: ScreenSummary, took: float, output: str | None) -> None:
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


def _setup_logging(log_format: str) -> None:
    import logging

    from .logs import JsonFormatter

    handler = logging.StreamHandler()
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
    from .scheduler import build_context, run_once, serve

    if only and not once:
        raise click.UsageError("--source goes with --once")
    _setup_logging(log_format)
    config = load_config(ctx.obj["config"])
    context = build_context(config, ctx.obj["config"])
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
    from .scheduler import build_context, source_status

    config = load_config(ctx.obj["config"])
    rows = source_status(build_context(config, ctx.obj["config"]))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        last = row["last_run"]
        what = (f"last {last['started_at']} {last['outcome']}: {last['pages']} pages, {last['listings']} listings,"
                f" {last['new_hits']} new hits, {last['errors']} errors" if last else "never run")
        flags = " BLOCKED" if row["blocked"] else ""
        flags += f" (paused until {row['paused_until']})" if row["paused_until"] else ""
        flags += f" DEFERRED (until {row['deferred_until']}, as its site asked)" if row["deferred_until"] else ""
        flags += "" if row["enabled"] else " (disabled)"
        click.echo(f"{row['source']} [{row['type']}]{flags}: {what}; next {row['next_run'] or '-'}")
        if last and last["message"]:
            click.echo(f"    {last['message']}")


@main.command(name="import")
@click.option("--source", "source_name", required=True, help="The configured source the pages come from (gsxt).")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def import_(ctx: click.Context, source_name: str, files: tuple[str, ...]) -> None:
    """Import pages a person saved from a browser (e.g. gsxt behind its captcha) as evidence."""
    from .captures import CaptureArchive
    from .models import utc_now
    from .pipeline import import_files
    from .scheduler import after_run, build_context, database_lock
    from .store import Store

    config = load_config(ctx.obj["config"])
    context = build_context(config, ctx.obj["config"])
    found = [src for spec, src in context.sources if spec.name == source_name]
    if not found:
        names = ", ".join(spec.name for spec, _ in context.sources) or "none"
        raise click.UsageError(f"--source {source_name}: no such source in config.yaml (sources: {names})")
    with database_lock(Path(config.database)), Store(config.database) as store:
        r = import_files([Path(f) for f in files], found[0], store=store, archive=CaptureArchive(config.captures_dir),
                         matcher=context.matcher, fetched_at=utc_now())
        after_run(context, store, r.run_id)
    click.echo(f"imported {r.pages} file(s): {r.listings} listings, {r.new_hits} new hits")


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
    folder = Path(watchlists or load_config(ctx.obj["config"]).watchlists)
    load_watchlists(folder)  # a clear error before the site starts
    run_demo(Path(out), folder.resolve())


# -- the legal team's workflow ------------------------------------------------------

def _store(ctx: click.Context, must_exist: bool = True):
    from .store import Store

    config = load_config(ctx.obj["config"])
    if must_exist and not Path(config.database).exists():
        raise BrandwatchError(f"{config.database}: no database yet; run `brandwatch run --once` (or `make demo`) first,"
                              f" or set `database` in {ctx.obj['config']}")
    return config, Store(config.database)


def _since(value: str | None) -> str | None:
    """A date or time the user typed (2026-11-01, 2026-11-01T08:00) as a UTC ISO string for the store."""
    if not value:
        return None
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise BrandwatchError(f"--since {value}: not a date; write it like 2026-11-01 or 2026-11-01T08:00") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _filters(f):
    from .review import STATUSES

    f = click.option("--status", multiple=True, type=click.Choice(STATUSES), help="Only hits with this status.")(f)
    f = click.option("--severity", multiple=True, type=click.Choice(("high", "medium", "low")),
                     help="Only hits of this severity (repeatable).")(f)
    f = click.option("--mark", multiple=True, help="Only hits on this mark id (repeatable).")(f)
    f = click.option("--source", multiple=True, help="Only hits from this source (repeatable).")(f)
    f = click.option("--since", default=None, help="Only hits first seen on or after this date (Asia/Shanghai).")(f)
    return f


def _query(store, status, severity, mark, source, since) -> list[dict]:
    return store.hit_records(status=status or None, severity=severity or None, mark=mark or None,
                             source=source or None, since=_since(since))


@main.command()
@_filters
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line on stdout.")
@click.pass_context
def hits(ctx: click.Context, status, severity, mark, source, since, as_json: bool) -> None:
    """List hits in the store (oldest first), with their open follow-up proposals."""
    _, store = _store(ctx)
    with store:
        rows = _query(store, status, severity, mark, source, since)
        proposed: dict[int, list[str]] = {}
        for p in store.proposals("open"):
            proposed.setdefault(p["hit_id"], []).append(p["outcome"])
    for r in rows:
        if as_json:
            click.echo(json.dumps({**r, "proposed": proposed.get(r["id"], [])}, ensure_ascii=False))
            continue
        extra = f"  [proposed: {', '.join(proposed[r['id']])}]" if r["id"] in proposed else ""
        who = f" @{r['assignee']}" if r["assignee"] else ""
        click.echo(f"{r['id']}\t{r['status']}{who}\t{r['severity']}\t{r['listing_name']}\t{r['mark']}\t{r['rule']}"
                   f"\t{r['listing_source']}{extra}")
    if not as_json:
        click.echo(f"{len(rows)} hit(s)", err=True)


@main.command()
@click.argument("args", nargs=-1, required=True, metavar="HIT... [STATUS]")
@click.option("--note", default="", help="Why: kept in the audit log with the change.")
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
    Every change goes to the hash-chained audit log.
    """
    from .review import STATUSES, default_actor
    from .review import review as do_review

    status = args[-1] if args and not args[-1].isdigit() else None
    ids_text = args[:-1] if status else args
    if status is not None and status not in STATUSES:
        raise click.UsageError(f"{status!r} is neither a hit id nor a status; statuses: {', '.join(STATUSES)}")
    if not ids_text:
        raise click.UsageError("give at least one hit id before the status, e.g. `brandwatch review 12 confirmed`")
    bad = [a for a in ids_text if not a.isdigit()]
    if bad:
        raise click.UsageError(f"{bad[0]!r} is not a hit id (a number from `brandwatch hits`)")
    _, store = _store(ctx)
    with store:
        changes = do_review(store, [int(a) for a in ids_text], status, by=by or default_actor(), note=note,
                            assignee=assignee, add_tags=add_tags, remove_tags=remove_tags, force=force)
    for c in changes:
        what = "; ".join(f"{e['action']} {e['old']}→{e['new']}".strip() if e["action"] != "note" else "note"
                         for e in c.entries) or "unchanged"
        click.echo(f"hit {c.hit_id}: {what}")


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
            click.echo(f"{e['id']}\t{e['at']}\thit {e['hit_id']}\t{e['actor']}\t{e['action']}\t{e['old']}→{e['new']}"
                       f"\t{e['note']}")


@main.command()
@click.option("--all", "show_all", is_flag=True, help="Also proposals already accepted or rejected.")
@click.pass_context
def proposals(ctx: click.Context, show_all: bool) -> None:
    """Outcomes brandwatch proposes for watched hits; accept one with `brandwatch review HIT OUTCOME`."""
    _, store = _store(ctx)
    with store:
        rows = store.proposals(None if show_all else "open")
    for p in rows:
        click.echo(f"hit {p['hit_id']}\t{p['outcome']}\t{p['state']}\t{p['seen_at']}\t{p['reason']}")
    click.echo(f"{len(rows)} proposal(s)", err=True)


@main.command()
@click.option("--week", default=None, help="ISO week, e.g. 2026-W48 (default: the last complete week, Asia/Shanghai).")
@click.option("-o", "--output", type=click.Path(file_okay=False), default=None,
              help="Folder for the report (default: report.output in config.yaml, else reports/ beside the database).")
@click.pass_context
def report(ctx: click.Context, week: str | None, output: str | None) -> None:
    """Write the weekly report for the legal team (HTML and Markdown)."""
    from .report import write_report

    config, store = _store(ctx)
    with store:
        files = write_report(store, week, out_dir=Path(output) if output else config.reports_dir)
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

    send_test(load_config(ctx.obj["config"]).alerts, channel)
    click.echo(f"{channel}: test message sent")


@alerts.command(name="send")
@click.pass_context
def alerts_send(ctx: click.Context) -> None:
    """Queue a digest of new hits, then deliver every message that is due."""
    from .alerts import deliver, queue_digest
    from .scheduler import database_lock

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
        rows = store.hit_records(status=status or None, severity=severity or None, mark=mark or None,
                                 source=source or None, since=_since(since), until=_since(until))
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

    from .retention import vacuum
    from .scheduler import database_lock

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
