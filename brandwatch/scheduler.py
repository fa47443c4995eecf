"""The daemon: each source on its own schedule (APScheduler 3); ``run --once`` is app.run_once.

*When* is a trigger built from config (a crontab line or an interval, with
jitter); *how* is a thread pool (one job per source at a time, coalesced,
with a misfire grace time); *where* is memory: the schedule is config, and
what ran is in the store. A failing job is logged and recorded, never allowed
to stop the others. SIGTERM and SIGINT stop the daemon, and ``run --once``,
cleanly: a running source stops after the page it is on (each page is one
transaction), its run recorded as ``partial`` ("stopped by SIGTERM after N
pages"), no other source starts, and the lock is released when the process
exits. One daemon per database: a lock file beside it.

What a run is (sources, the pipeline, what follows a run, pauses and
deferrals, the lock) is wired in app.py, the composition root; this module only
schedules it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .app import Context, database_lock, deliver_alerts, run_one, stop_on_signals, weekly_report
from .config import ScheduleSpec, SourceSpec
from .store import Store

log = logging.getLogger("brandwatch")


def trigger_for(spec: SourceSpec) -> Any:
    from apscheduler.triggers.interval import IntervalTrigger

    if spec.schedule is None:
        return IntervalTrigger(hours=24, jitter=300)
    return _trigger(spec.schedule)


def _trigger(schedule: ScheduleSpec) -> Any:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if schedule.cron:
        return CronTrigger.from_crontab(schedule.cron, timezone="Asia/Shanghai")
    return IntervalTrigger(seconds=schedule.seconds, jitter=schedule.jitter or None)


def serve(ctx: Context) -> None:
    """The daemon: blocks until SIGTERM or SIGINT."""
    from apscheduler.events import EVENT_JOB_ERROR
    from apscheduler.schedulers.blocking import BlockingScheduler

    with database_lock(Path(ctx.config.database)):
        with Store(ctx.config.database) as store:
            store.close_interrupted_runs()
        scheduler = BlockingScheduler(job_defaults={"coalesce": True, "max_instances": 1,
                                                    "misfire_grace_time": 3600})
        for spec, source in ctx.sources:
            if not spec.enabled:
                continue
            trigger = trigger_for(spec)
            if spec.schedule and spec.schedule.cron and spec.schedule.jitter:
                trigger.jitter = spec.schedule.jitter
            scheduler.add_job(run_one, trigger, args=(ctx, spec, source), id=spec.name, name=spec.name)

        if ctx.config.alerts.channels:
            from apscheduler.triggers.interval import IntervalTrigger

            scheduler.add_job(_tracked, IntervalTrigger(minutes=1), args=(ctx, deliver_alerts), id="alerts",
                              name="alerts")
        if ctx.config.report.schedule is not None:
            scheduler.add_job(_tracked, _trigger(ctx.config.report.schedule), args=(ctx, weekly_report),
                              id="report", name="weekly report")

        def on_error(event: Any) -> None:
            log.error("%s: the run failed: %s", event.job_id, event.exception)

        scheduler.add_listener(on_error, EVENT_JOB_ERROR)

        def shutdown() -> None:
            if scheduler.running:
                scheduler.shutdown(wait=False)  # no new jobs; the running ones see ctx.stop

        log.info("brandwatch daemon: %d source(s) scheduled, database %s", len(scheduler.get_jobs()),
                 ctx.config.database)
        with stop_on_signals(ctx, shutdown):
            scheduler.start()
            # the running sources stop after their current page; the lock is held until they have
            ctx.jobs.wait_idle()


def _tracked(ctx: Context, job: Any) -> None:
    with ctx.jobs.running():
        if not ctx.stop.is_set():
            job(ctx)


