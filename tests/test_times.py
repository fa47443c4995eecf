"""One time format: UTC with Z in data (fixed width, so text order is time order), Asia/Shanghai for people."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from brandwatch.models import STAMP_FORMAT, local_text, parse_time, stamp, utc_now


@pytest.mark.parametrize(("value", "data", "people"), [
    (datetime(2026, 12, 2, 8, 0, tzinfo=UTC), "2026-12-02T08:00:00.000000Z", "2026-12-02 16:00 (UTC+8)"),
    ("2026-12-02T08:00:00Z", "2026-12-02T08:00:00.000000Z", "2026-12-02 16:00 (UTC+8)"),
    ("2026-12-02T08:00:00+00:00", "2026-12-02T08:00:00.000000Z", "2026-12-02 16:00 (UTC+8)"),  # what isoformat() wrote
    ("2026-12-02T16:00:00+08:00", "2026-12-02T08:00:00.000000Z", "2026-12-02 16:00 (UTC+8)"),
    ("2026-12-02T08:00:00", "2026-12-02T08:00:00.000000Z", "2026-12-02 16:00 (UTC+8)"),  # naive: UTC
    ("2026-12-31T17:59:59.999999Z", "2026-12-31T17:59:59.999999Z", "2027-01-01 01:59 (UTC+8)"),
    (datetime(2026, 6, 1, 12, tzinfo=timezone(timedelta(hours=-5))), "2026-06-01T17:00:00.000000Z",
     "2026-06-02 01:00 (UTC+8)"),
])
def test_one_format_for_data_one_for_people(value, data, people):
    assert stamp(value) == data
    assert local_text(value) == people
    assert parse_time(data) == parse_time(value)


def test_people_in_another_zone_see_its_offset():
    assert local_text("2026-12-02T08:00:00Z", "Asia/Kolkata") == "2026-12-02 13:30 (UTC+5:30)"
    assert local_text("2026-07-01T08:00:00Z", "America/New_York") == "2026-07-01 04:00 (UTC-4)"
    assert local_text(None) == local_text("") == ""


def test_now_is_a_stamp():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", utc_now())
    assert datetime.strptime(utc_now(), STAMP_FORMAT)


@pytest.mark.parametrize(("earlier", "later"), [
    ("2026-12-02T08:00:00.000000Z", "2026-12-02T08:00:00.000001Z"),
    ("2026-12-02T08:00:00.999999Z", "2026-12-02T08:00:01.000000Z"),
    ("2026-12-02T23:59:59.999999Z", "2026-12-03T00:00:00.000000Z"),
])
def test_stamps_compare_as_text_as_times_do(earlier, later):
    # the store's queries compare stored times as strings: the format's fixed width is what makes that right
    assert earlier < later and parse_time(earlier) < parse_time(later)
    assert stamp(earlier) == earlier and stamp(later) == later
