"""When a source runs next: the window the daemon will start it in, the same on every call.

The daemon adds random jitter to every start (up to ``schedule.jitter`` seconds,
spreading the load on the sites), so no one can say the very second in advance;
``status`` shows the window instead, computed from the schedule and the last run
only, so two calls a minute apart show the same thing.

- ``cron``: the next time the crontab line names (Asia/Shanghai), up to
  ``jitter`` seconds later.
- ``every``: the daemon counts intervals from its own start, each start drawn
  up to ``jitter`` late; the last run began at some count plus its draw, so the
  next begins within ``jitter`` either side of the last start plus the interval.
  A source that never ran starts one interval after the daemon does.

Pure: ``now`` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .config import ScheduleSpec

DEFAULT_SCHEDULE = ScheduleSpec(every="24h", jitter=300)  # a source without a schedule (scheduler.trigger_for)
TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class RunWindow:
    """The next run starts between ``earliest`` and ``latest`` (UTC); both None when the daemon's start decides."""

    earliest: datetime | None
    latest: datetime | None
    every: str = ""  # the interval, for "every 12h after the daemon starts"

    def to_json(self) -> dict[str, str | None]:
        return {"next_run": _z(self.earliest), "next_run_latest": _z(self.latest)}


def stamp_seconds(moment: datetime) -> str:
    """A planned time (a next run, the end of a pause): UTC with a Z, to the second, like the crontab it comes from."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _z(moment: datetime | None) -> str | None:
    return stamp_seconds(moment) if moment else None


def _stored(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def next_run(schedule: ScheduleSpec | None, last_started: str | None, now: datetime,
             paused_until: datetime | None = None) -> RunWindow:
    """The window of the next run of a source on ``schedule`` whose last run started at ``last_started``
    (stored UTC text, or None), as of ``now``; a pause (after an anti-bot wall) moves it to the pause's end."""
    schedule = schedule or DEFAULT_SCHEDULE
    jitter = timedelta(seconds=schedule.jitter)
    if schedule.cron:
        from apscheduler.triggers.cron import CronTrigger

        start = CronTrigger.from_crontab(schedule.cron, timezone=TIMEZONE).get_next_fire_time(None, now)
        if paused_until and start and start < paused_until:
            # the daemon skips the runs that fall in the pause: the first fire time after it
            start = CronTrigger.from_crontab(schedule.cron, timezone=TIMEZONE).get_next_fire_time(None,
                                                                                                  paused_until)
        return RunWindow(start, start + jitter if start else None)
    assert schedule.seconds is not None
    interval = timedelta(seconds=schedule.seconds)
    if last_started is None:
        return RunWindow(None, None, schedule.every or "")
    earliest = _stored(last_started) + interval - jitter
    latest = _stored(last_started) + interval + jitter
    if paused_until and earliest < paused_until:
        earliest, latest = paused_until, max(latest, paused_until + interval + jitter)
    return RunWindow(earliest, latest, schedule.every or "")
