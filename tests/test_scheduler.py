"""When a source may run again: pure functions of the store's runs and the time passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from brandwatch.app import deferred_until, paused_until
from brandwatch.store import Store

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record(store: Store, runs: list[tuple[str, str | None]]) -> None:
    """Runs of source "s", oldest first, each ended an hour before NOW: (outcome, deferred_until)."""
    at = stamp(NOW - timedelta(hours=1))
    for outcome, until in runs:
        rid = store.start_run("s", now=at)
        if outcome != "running":
            store.finish_run(rid, outcome, deferred_until=until, now=at)


@pytest.mark.parametrize(("runs", "pause"), [
    ([("ok", None)], None),
    ([("blocked", None)], timedelta(hours=1)),  # 1 h after the blocked run ended
    ([("blocked", None)] * 3, timedelta(hours=4)),  # doubling
    ([("blocked", None)] * 12, timedelta(days=7)),  # capped
    ([("blocked", None), ("ok", None), ("blocked", None)], timedelta(hours=1)),  # an ok run starts again
    ([("blocked", None), ("blocked", None), ("running", None)], timedelta(hours=2)),  # the running one is not over
])
def test_paused_until(tmp_path, runs, pause):
    with Store(tmp_path / "bw.db") as store:
        record(store, runs)
        until = paused_until(store, "s", NOW - timedelta(minutes=30))
        assert until == (NOW - timedelta(hours=1) + pause if pause else None)


IN_AN_HOUR = stamp(NOW + timedelta(hours=1))


@pytest.mark.parametrize(("runs", "until"), [
    ([("deferred", IN_AN_HOUR)], NOW + timedelta(hours=1)),
    ([("deferred", stamp(NOW - timedelta(minutes=1)))], None),  # the time the site gave has passed
    ([("deferred", IN_AN_HOUR), ("ok", None)], None),  # run since (--source): over
    ([("deferred", IN_AN_HOUR), ("running", None)], NOW + timedelta(hours=1)),
    ([("blocked", None)], None),
    # recorded before the 7-day cap (a Retry-After date in the year 9999): 7 days after that run ended
    ([("deferred", "9999-12-31T23:59:59.000000Z")], NOW - timedelta(hours=1) + timedelta(days=7)),
])
def test_deferred_until(tmp_path, runs, until):
    with Store(tmp_path / "bw.db") as store:
        record(store, runs)
        assert deferred_until(store, "s", NOW) == until
