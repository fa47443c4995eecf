"""ISO weeks in the legal team's time zone, and the UTC bounds the store is queried with.

A report week runs from Monday 00:00 to the next Monday 00:00 *local* time
(Asia/Shanghai by default): a hit found at 01:00 on a Monday in Beijing belongs
to that Monday's week even though it is still Sunday in UTC. Stored times are
UTC (``%Y-%m-%dT%H:%M:%S.%fZ``), so the bounds are converted once, here.
Pure functions of their arguments: ``now`` is always passed in.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ReportError

DEFAULT_TZ = "Asia/Shanghai"
UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

# 2026-W48, also 2026W48 and 2026-w48 (the ISO basic form and a lower-case w are unambiguous)
_WEEK = re.compile(r"(\d{4})-?[Ww](\d{1,2})")


def zone(tz: str) -> ZoneInfo:
    """The IANA time zone ``tz``, or a ReportError that says how to write one."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportError(f"time zone {tz!r} is not known; write an IANA name like Asia/Shanghai") from None


def week_name(day: date) -> str:
    """The ISO week holding ``day``, written like 2026-W48."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(week: str) -> date:
    """The Monday that starts ``week`` (2026-W48 → 2026-11-23); a ReportError names a bad value."""
    m = _WEEK.fullmatch(week.strip())
    if not m:
        raise ReportError(f"--week {week}: not an ISO week; write it like 2026-W48")
    year, number = int(m.group(1)), int(m.group(2))
    try:
        return date.fromisocalendar(year, number, 1)
    except ValueError:
        weeks = date(year, 12, 28).isocalendar()[1]  # 28 December is always in the year's last ISO week
        raise ReportError(f"--week {week}: {year} has ISO weeks W01 to W{weeks}; "
                          f"write it like {year}-W{min(max(number, 1), weeks):02d}") from None


def local_midnight(day: date, tz: str) -> datetime:
    """00:00 local time on ``day`` as an aware datetime."""
    return datetime.combine(day, time(), tzinfo=zone(tz))


def to_utc(moment: datetime) -> str:
    """An aware datetime as the store writes times: UTC, ISO 8601, microseconds, Z."""
    return moment.astimezone(UTC).strftime(UTC_FORMAT)


def parse_utc(value: str) -> datetime:
    """A stored time (UTC with Z, with or without microseconds) as an aware datetime."""
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_week(week: str, tz: str = DEFAULT_TZ) -> tuple[str, str]:
    """The week's bounds as stored-time strings: [Monday 00:00, next Monday 00:00) local, in UTC.

    >>> parse_week("2026-W48")
    ('2026-11-22T16:00:00.000000Z', '2026-11-29T16:00:00.000000Z')
    """
    monday = week_monday(week)
    return to_utc(local_midnight(monday, tz)), to_utc(local_midnight(monday + timedelta(days=7), tz))


def aware(now: datetime | None) -> datetime:
    """``now`` as an aware UTC datetime; naive means UTC (every stored time is UTC), None means now."""
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def default_week(now: datetime | None = None, tz: str = DEFAULT_TZ) -> str:
    """The last complete week before ``now``: on Monday 00:00 local the week that just ended.

    The daemon writes the report early on Monday; a report on a week still under
    way would be silently incomplete, so it is never the default.
    """
    today = aware(now).astimezone(zone(tz)).date()
    this_monday = today - timedelta(days=today.weekday())
    return week_name(this_monday - timedelta(days=7))


def current_week(now: datetime | None = None, tz: str = DEFAULT_TZ) -> str:
    """The week holding ``now`` in ``tz``: what a person asking for "the report" means (``brandwatch report``
    with no --week); the daemon's Monday report uses ``default_week``, the week just ended."""
    return week_name(aware(now).astimezone(zone(tz)).date())


def previous_weeks(week: str, count: int) -> list[str]:
    """``count`` weeks ending with ``week``, oldest first (crossing years as ISO weeks do)."""
    monday = week_monday(week)
    return [week_name(monday - timedelta(days=7 * back)) for back in range(count - 1, -1, -1)]
