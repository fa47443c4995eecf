"""The composition root: the pieces of a run wired together, for the CLI, the daemon, the demo and the web.

``build_context`` turns the config into a :class:`Context` (sources, fetch
policy, the store's allow list; the matcher when first needed), and
``run_once`` / ``run_one`` run sources through the pipeline with what must
follow each run (``after_run``: follow-up proposals, then one alert digest).
``database_lock`` keeps one writer process per database and names the holder
when refused; ``source_status`` is what ``status`` and the web show.
scheduler.py only puts these on APScheduler's triggers.

A source that meets an anti-bot wall is paused, 1 h after the first blocked
run, doubling with each blocked run after it, up to 7 days. A source whose
site asked for a wait longer than its time budget (``deferred``) is skipped
until the time the site gave, 7 days at most (the same cap: net.RETRY_AFTER_MAX). ``--source NAME`` runs either anyway.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from . import secrets as secret_values
from .captures import CaptureArchive
from .config import ConfigSpec, SourceSpec, build_sources, load_watchlists, risk_terms
from .errors import BrandwatchError, LockedError
from .fetch import Fetcher, FetchPolicy, HostLimiter
from .followup import follow_up
from .index import matcher_for
from .match import Matcher
from .models import Watchlist
from .net import RETRY_AFTER_MAX, backoff
from .pipeline import RunResult, Stop, import_only_message, run_source, search_queries
from .schedules import next_run, stamp_seconds
from .sources import SourceType
from .store import Store

log = logging.getLogger("brandwatch")

PAUSE_FIRST = timedelta(hours=1)
PAUSE_MAX = RETRY_AFTER_MAX  # one cap on every wait: a pause after a wall, a deferral a site asked for


@contextmanager
def database_lock(database: Path, command: str | None = None) -> Iterator[None]:
    """One writer process per database (the lock dies with the process, even on kill -9).

    The lock file records who holds it (``lockfile.write_holder``: pid, host,
    ``command``, default this process's command line, and start time), so a
    refusal names them.
    """
    from .lockfile import lock_path, read_holder, write_holder

    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = read_holder(path)
            who = f" ({holder.describe()})" if holder else ""
            raise LockedError(f"{database}: another brandwatch run holds {path}{who}; stop it or wait for it to "
                              "finish") from None
        write_holder(fd, command)
        yield
    finally:
        os.close(fd)


@dataclass
class Context:
    config: ConfigSpec
    sources: list[tuple[SourceSpec, SourceType]]
    limiter: HostLimiter
    policy: FetchPolicy
    queries_cache: dict[int, list[str]]
    allowlisted: dict[str, list[str]] = field(default_factory=dict)  # the store's additions the matcher has
    _matcher: Matcher | None = None
    stop: Stop = field(default_factory=Stop)  # set by SIGTERM/SIGINT: runs stop after their current page
    jobs: _Jobs = field(default_factory=lambda: _Jobs())

    @property
    def matcher(self) -> Matcher:
        """The matcher, loaded from the database's index (or built) the first time a run needs it:
        ``status`` never does."""
        if self._matcher is None:
            watchlists = with_allowlisted(load_watchlists(self.config.watchlists), self.allowlisted)
            matcher, info = matcher_for(watchlists, risk_terms(self.config), self.config.database,
                                        background=True)
            if info is not None:
                log.info("matcher %s %s in %.1fs (%d marks, %d forms)", "built and saved as" if info.built
                         else "loaded from", info.path, info.seconds, info.marks, info.forms)
            for line in matcher.warnings:
                log.warning("%s", line)
            self._matcher = matcher
        return self._matcher

    def refresh_allow(self, store: Store) -> None:
        """Rebuild the matcher when the team allowlisted names since it was built (the daemon runs for weeks)."""
        added = store.allow_names()
        if added != self.allowlisted:
            self.allowlisted = added
            self._matcher = None

    def queries(self, spec: SourceSpec) -> list[str]:
        if spec.queries is not None:
            return list(spec.queries)
        if spec.variants not in self.queries_cache:
            self.queries_cache[spec.variants] = search_queries(self.matcher.watchlists, spec.variants)
        return self.queries_cache[spec.variants]


class _Jobs:
    """The daemon's jobs still running, so that it exits only after they stopped (the lock goes with it)."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = threading.Condition()

    @contextmanager
    def running(self) -> Iterator[None]:
        with self._idle:
            self._count += 1
        try:
            yield
        finally:
            with self._idle:
                self._count -= 1
                self._idle.notify_all()

    def wait_idle(self) -> None:
        with self._idle:
            self._idle.wait_for(lambda: self._count == 0)


def with_allowlisted(watchlists: tuple[Watchlist, ...], added: dict[str, list[str]]) -> tuple[Watchlist, ...]:
    """Watchlists with the names the team allowlisted from hits (kept in the store) added to each owner's allow."""
    return tuple(replace(wl, allow=(*wl.allow, *added[wl.owner])) if added.get(wl.owner) else wl
                 for wl in watchlists)


def build_context(config: ConfigSpec, config_path: Path | str = "config.yaml") -> Context:
    """Sources, fetch policy and the store's allow list; the matcher comes when first asked for."""
    load_watchlists(config.watchlists)  # a bad watchlist is an error now, not at the first run
    added: dict[str, list[str]] = {}
    if Path(config.database).exists():
        with Store(config.database) as store:
            added = store.allow_names()
    f = config.fetch
    policy = FetchPolicy(contact=f.contact, timeout=f.timeout, deadline=f.deadline, max_bytes=f.max_bytes,
                         max_tries=f.max_tries, host_intervals=dict(f.hosts), proxies=dict(f.proxies) or None)
    return Context(config, build_sources(config, config_path), HostLimiter(policy), policy, {}, added)


def paused_until(store: Store, source: str, now: datetime | None = None) -> datetime | None:
    """When a blocked source may run again, or None if it is not paused."""
    blocked = 0
    last_end = ""
    for run in store.runs(source, limit=20):
        if run["outcome"] == "running":
            continue
        if run["outcome"] != "blocked":
            break
        blocked += 1
        last_end = last_end or (run["ended_at"] or run["started_at"])
    if not blocked:
        return None
    pause = timedelta(seconds=backoff(blocked, first=PAUSE_FIRST.total_seconds(), cap=PAUSE_MAX.total_seconds()))
    until = datetime.fromisoformat(last_end.replace("Z", "+00:00")) + pause
    return until if until > (now or datetime.now(UTC)) else None


def deferred_until(store: Store, source: str, now: datetime | None = None) -> datetime | None:
    """Until when a source waits because its site asked (Retry-After beyond its budget), or None."""
    for run in store.runs(source, limit=5):
        if run["outcome"] == "running":
            continue
        if run["outcome"] != "deferred" or not run["deferred_until"]:
            return None
        until = datetime.fromisoformat(run["deferred_until"].replace("Z", "+00:00"))
        ended = datetime.fromisoformat((run["ended_at"] or run["started_at"]).replace("Z", "+00:00"))
        until = min(until, ended + RETRY_AFTER_MAX)  # a deferral recorded before the cap (year 9999) ends too
        return until if until > (now or datetime.now(UTC)) else None
    return None


def run_one(ctx: Context, spec: SourceSpec, source: SourceType, *, force: bool = False) -> RunResult | None:
    """One run of one source in its own store connection; None when paused (blocked) or deferred, or when
    the source is import-only (it is never fetched; the daemon and ``run --once`` pass it by)."""
    if source.import_only:
        log.info("%s", import_only_message(spec.name))
        return None
    with ctx.jobs.running(), Store(ctx.config.database) as store:
        if ctx.stop.is_set():
            return None
        until = paused_until(store, spec.name)
        if until and not force:
            log.info("%s: paused after being blocked, until %s", spec.name, until.isoformat())
            return None
        later = deferred_until(store, spec.name)
        if later and not force:
            log.info("%s: deferred, as its site asked, until %s", spec.name, later.isoformat())
            return None
        ctx.refresh_allow(store)
        fetcher = Fetcher(ctx.policy, limiter=ctx.limiter, stop=ctx.stop)
        archive = CaptureArchive(ctx.config.captures_dir)
        result = run_source(source, ctx.queries(spec), fetcher=fetcher, store=store, archive=archive,
                            matcher=ctx.matcher, budget=spec.budget, stop=ctx.stop)
        log.info("%s: %s, %d pages, %d listings, %d new hits%s", spec.name, result.outcome, result.pages,
                 result.listings, result.new_hits, f" ({result.message})" if result.message else "")
        after_run(ctx, store, result.run_id)
    return result


def after_run(ctx: Context, store: Store, run_id: int) -> None:
    """What follows every run: follow-up proposals for watched hits, then one alert digest of its new hits."""
    for p in follow_up(store, run_id, ctx.matcher, absent_runs=ctx.config.followup.absent_runs):
        log.info("hit %d: proposed %s: %s", p.hit_id, p.outcome, p.reason)
    from .networks import propose_related

    for r in propose_related(store):
        if r.new:
            log.info("listing %d (%s): proposed as related to a confirmed imitator: %s", r.listing_id, r.name,
                     r.reason)
    if ctx.config.alerts.channels:
        from .alerts import deliver, queue_digest

        try:
            queue_digest(store, ctx.config.alerts)
            if ctx.stop.is_set():  # told to stop: the digest waits in the outbox, not on a slow channel
                log.info("alerts: stopping; the digest is queued and goes out with the next delivery")
                return
            result = deliver(store, ctx.config.alerts)
        except Exception:  # alerts never stop a source run; the outbox keeps what was queued
            log.exception("alerts: queueing or delivery failed")
            return
        for line in result.problems:
            log.warning("alerts: %s", line)


def deliver_alerts(ctx: Context) -> None:
    """Deliver what is due in the outbox (messages waiting out a backoff or a rate limit)."""
    from .alerts import deliver

    with Store(ctx.config.database) as store:
        result = deliver(store, ctx.config.alerts)
    for line in result.problems:
        log.warning("alerts: %s", line)


def weekly_report(ctx: Context, now: datetime | None = None) -> Path:
    """Write last week's report and queue it to the report's channels; returns the HTML path."""
    from .report import write_report

    with Store(ctx.config.database) as store:
        files = write_report(store, out_dir=ctx.config.reports_dir, now=now)
        log.info("report %s written: %s", files.week, files.html)
        if ctx.config.alerts.channels:
            from .alerts import deliver, queue_report

            queue_report(store, ctx.config.alerts, f"brandwatch 周报 {files.week}", files.summary,
                         [files.html, files.markdown], channels=ctx.config.report.channels)
            deliver(store, ctx.config.alerts)
    return files.html


@contextmanager
def stop_on_signals(ctx: Context, then: Any = None) -> Iterator[None]:
    """SIGTERM and SIGINT set ``ctx.stop`` (and call ``then``) while the block runs; the old handlers come back."""
    if threading.current_thread() is not threading.main_thread():  # handlers can only be set from there
        yield
        return

    def on_signal(signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        log.info("received %s, stopping after the current pages", name)
        ctx.stop.set(name)
        if then is not None:
            then()

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def run_once(ctx: Context, only: str | None = None) -> list[RunResult]:
    """Every enabled source once, one after another; a blocked or deferred source waits
    unless it is named (``--source``), which runs it even if disabled. SIGTERM or SIGINT
    stop the source running after its current page, and start no other."""
    names = [spec.name for spec, _ in ctx.sources]
    if only is not None and only not in names:
        raise BrandwatchError(f"--source {only}: no such source in config.yaml; sources are: {', '.join(names)}")
    if only is not None and any(spec.name == only and source.import_only for spec, source in ctx.sources):
        raise BrandwatchError(import_only_message(only))
    out = []
    with database_lock(Path(ctx.config.database)), stop_on_signals(ctx):
        with Store(ctx.config.database) as store:
            store.close_interrupted_runs()
        for spec, source in ctx.sources:
            if ctx.stop.is_set():
                break
            if (only is None and not spec.enabled) or (only is not None and spec.name != only):
                continue
            try:
                result = run_one(ctx, spec, source, force=only is not None)
            except Exception as e:  # one source's failure never stops the others, but is reported as failed
                log.exception("%s: the run failed", spec.name)
                result = _failed(ctx, spec.name, e)
            if result is not None:
                out.append(result)
    return out


def _failed(ctx: Context, source: str, error: Exception) -> RunResult:
    """The result of a run that raised: ``run --once`` prints it and exits 4 (cron notices), as for any
    failed run. The pipeline records such a run as failed before raising; its id is the source's last run
    (0 when it failed before a run was recorded, e.g. the watchlists would not load)."""
    run_id = 0
    try:
        with Store(ctx.config.database) as store:
            last = store.runs(source, limit=1)
            if last and last[0]["outcome"] == "failed":
                run_id = last[0]["id"]
    except Exception:  # the store itself may be what failed
        pass
    message = str(error) if isinstance(error, BrandwatchError) else f"{type(error).__name__}: {error}"
    return RunResult(source, run_id, outcome="failed", errors=1, message=secret_values.mask(message))


def source_status(ctx: Context) -> list[dict[str, Any]]:
    """Per source: the last run, its outcome and counts, blocked state and the next run."""
    now = datetime.now(UTC)
    out = []
    with Store(ctx.config.database) as store:
        for spec, source in ctx.sources:
            if source.import_only:  # never fetched: its last import, and no next run
                runs = store.runs(f"{spec.name}:import", limit=1)
                out.append({"source": spec.name, "type": spec.type, "enabled": spec.enabled, "import_only": True,
                            "last_run": runs[0] if runs else None, "blocked": False, "paused_until": None,
                            "deferred_until": None, "next_run": None, "next_run_latest": None, "every": None})
                continue
            runs = [r for r in store.runs(spec.name, limit=1)]
            last = runs[0] if runs else None
            until = paused_until(store, spec.name, now)
            later = deferred_until(store, spec.name, now)
            wait = max((t for t in (until, later) if t), default=None)  # a deferral moves the next run as a pause does
            window = next_run(spec.schedule, last["started_at"] if last else None, now, wait)  # no jitter drawn
            out.append({
                "source": spec.name, "type": spec.type, "enabled": spec.enabled, "import_only": False,
                "last_run": last, "blocked": bool(last and last["outcome"] == "blocked"),
                "paused_until": stamp_seconds(until) if until else None,
                "deferred_until": stamp_seconds(later) if later else None,
                **window.to_json(), "every": window.every,
            })
    return out
