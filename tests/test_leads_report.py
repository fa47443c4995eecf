"""The weekly figure banks publish: distinct fake numbers, deduplicated across listings and sources."""

from __future__ import annotations

from datetime import datetime

from brandwatch.report.figures import fake_contact_figures
from brandwatch.report.weeks import local_midnight, week_monday


def _row(listing: int, value: str, first: str, last: str, kind: str = "phone", mark: str = "weizhong") -> dict:
    return {"listing_id": listing, "mark_id": mark, "type": kind, "value": value, "raw": value,
            "first_seen": first, "last_seen": last}


def test_distinct_numbers_first_seen_in_the_week() -> None:
    tz = "Asia/Shanghai"
    start = local_midnight(week_monday("2026-W49"), tz)
    end = local_midnight(week_monday("2026-W50"), tz)
    rows = [
        # one number on three listings of two sources and two marks: one number
        _row(1, "4006861234", "2026-12-01T02:00:00.000000Z", "2026-12-01T02:00:00.000000Z"),
        _row(2, "4006861234", "2026-12-02T02:00:00.000000Z", "2026-12-03T02:00:00.000000Z", mark="weilidai"),
        _row(3, "4006861234", "2026-12-03T02:00:00.000000Z", "2026-12-03T02:00:00.000000Z"),
        # seen first the week before and again this week: seen, not new
        _row(4, "075581234567", "2026-11-25T02:00:00.000000Z", "2026-12-02T02:00:00.000000Z"),
        # last seen before the week: neither
        _row(5, "13800138000", "2026-11-20T02:00:00.000000Z", "2026-11-21T02:00:00.000000Z"),
        # an address, counted apart from the numbers
        _row(6, "wz-kefu.example.com", "2026-12-02T02:00:00.000000Z", "2026-12-02T02:00:00.000000Z", kind="url"),
    ]
    f = fake_contact_figures(rows, start, end, ["2026-W47", "2026-W48", "2026-W49"], tz)
    assert (f.new_numbers, f.seen_numbers, f.new_addresses) == (1, 2, 1)
    assert f.trend == (("2026-W47", 1), ("2026-W48", 1), ("2026-W49", 1))
    first = f.contacts[0]
    assert (first.value, first.listings, first.marks, first.new) == ("4006861234", 3, ("weilidai", "weizhong"), True)
    assert datetime.fromisoformat(first.first_seen.replace("Z", "+00:00")).day == 1  # the earliest sighting
