"""What the team files and sends: report, alerts, export, evidence."""


from __future__ import annotations

from pathlib import Path

import click

from .common import (
    _config,
    _config_path,
    _filters,
    _Group,
    _query,
    _store,
    main,
    unknown,
)


@main.command()
@click.option("--week", default=None,
              help="ISO week, e.g. 2026-W48 (default: this week so far, Asia/Shanghai; the daemon's Monday report "
                   "is of the week before).")
@click.option("-o", "--output", type=click.Path(file_okay=False), default=None,
              help="Folder for the report (default: report.output in config.yaml, else reports/ beside the database).")
@click.pass_context
def report(ctx: click.Context, week: str | None, output: str | None) -> None:
    """Write the weekly report for the legal team (HTML and Markdown)."""
    from ..report import write_report
    from ..report.weeks import current_week

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
    from ..alerts import send_test

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
    from ..alerts import deliver, queue_digest
    from ..app import database_lock

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
            source: tuple[str, ...], since: str | None, rule: tuple[str, ...], until: str | None, fmt: str | None,
            out: str) -> None:
    """Write the hits to a file, one row per hit, in the documented columns (export version 2)."""
    from ..export import FORMATS, export_hits

    fmt = fmt or Path(out).suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise click.UsageError(f"{out}: cannot tell the format from the suffix; give --format csv, xlsx or jsonl")
    _, store = _store(ctx)
    with store:
        rows = _query(ctx, store, status, severity, mark, source, since, until, rule)
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
    from ..captures import CaptureArchive
    from ..evidence import build_bundle

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
    from ..captures import CaptureArchive
    from ..evidence import verify_bundle, verify_store

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
