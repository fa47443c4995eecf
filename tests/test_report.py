"""The weekly report: ISO weeks in Asia/Shanghai, the figures of a hand-built store, and what the files hold.

One store is built and one report rendered per module (matplotlib is slow to
import); the figures it must show are worked out by hand below, not by the
code under test.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from brandwatch import __version__
from brandwatch.errors import BrandwatchError, ReportError
from brandwatch.models import Capture, Hit, Listing
from brandwatch.report import current_week, default_week, gather_figures, parse_week, render_summary, write_report
from brandwatch.report.figures import outcomes, source_health
from brandwatch.report.render import md_code, md_escape
from brandwatch.store import Store

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai: W48 has just ended
SCRIPT_NAME = "<script>alert(1)</script>微众科技有限公司"
SVG_NS = "{http://www.w3.org/2000/svg}"


def at(local: str) -> str:
    """Shanghai wall-clock time → a stored UTC time."""
    moment = datetime.fromisoformat(local).replace(tzinfo=SHANGHAI)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# name → (source, kind, url, fields, mark_id, mark, severity, score, first seen in Shanghai)
HITS = {
    "武汉微众金融信息服务有限公司": ("gsxt", "company", "", {}, "weizhong", "微众", "high", 93, "2026-09-30 10:00"),
    "广州微粒贷信息咨询有限公司": ("gsxt", "company", "", {}, "weilidai", "微粒贷", "medium", 75, "2026-10-06 10:00"),
    "微众分期": ("appstore", "app", "", {}, "weizhong", "微众", "high", 91, "2026-11-22 23:30"),  # W47's last minutes
    "维众商贸": ("gsxt", "company", "", {}, "weizhong", "微众", "low", 55, "2026-11-18 12:00"),
    # W48: Monday 00:30 in Shanghai is still Sunday in UTC
    "湖北微众森态信息科技集团有限公司": (
        "gsxt", "company", "https://www.gsxt.gov.cn/corp/91420100MA4K0000X1",
        {"统一社会信用代码": "91420100MA4K0000X1", "法定代表人": "张三", "status": "存续"},
        "weizhong", "微众", "high", 95, "2026-11-23 00:30"),
    "微粒贷客服": ("weibo", "account", "https://weibo.example/u/1001", {}, "weilidai", "微粒贷", "high", 92,
                   "2026-11-24 08:00"),
    SCRIPT_NAME: ("gsxt", "company", "javascript:alert(2)", {"统一社会信用代码": "91440300MA5G000001"}, "weizhong",
                  "微众", "high", 90, "2026-11-25 08:00"),
    "微众贷款": ("appstore", "app", "https://apps.example/id42", {"bundle_id": "com.fake.wzdk"}, "weizhong", "微众",
                 "medium", 80, "2026-11-26 08:00"),
    "郑州市维众法律咨询有限公司": ("gsxt", "company", "", {}, "weizhong", "微众", "low", 60, "2026-11-29 23:59"),
    "微众速贷": ("gsxt", "company", "", {}, "weizhong", "微众", "low", 58, "2026-11-30 00:00"),  # W49: end is exclusive
}
# (name, new status, Shanghai time); the old status is whatever the hit had
REVIEWS = [
    ("武汉微众金融信息服务有限公司", "confirmed", "2026-10-10 10:00"),
    ("广州微粒贷信息咨询有限公司", "confirmed", "2026-10-08 10:00"),
    ("广州微粒贷信息咨询有限公司", "deregistered", "2026-11-10 10:00"),  # 33 days, before the week
    ("微众分期", "confirmed", "2026-11-20 10:00"),
    ("湖北微众森态信息科技集团有限公司", "confirmed", "2026-11-24 10:00"),
    ("湖北微众森态信息科技集团有限公司", "letter_sent", "2026-11-26 10:00"),
    (SCRIPT_NAME, "dismissed", "2026-11-24 11:00"),
    ("武汉微众金融信息服务有限公司", "name_changed", "2026-11-25 10:00"),  # 46 days after its confirmation
]
# (source, Shanghai start, outcome, pages, listings, message)
RUNS = [
    ("qcc", "2026-11-10 02:00", "ok", 1, 4, ""),  # W46 only: silent in W48
    ("gsxt", "2026-11-23 02:00", "ok", 3, 40, ""),
    ("gsxt", "2026-11-26 02:00", "ok", 2, 35, ""),
    ("gsxt-app", "2026-11-23 03:00", "ok", 1, 10, ""),
    ("gsxt-app", "2026-11-26 03:00", "blocked", 1, 0, "anti-bot challenge (HTTP 521)"),
    ("weibo", "2026-11-23 04:00", "ok", 1, 0, ""),
    ("weibo", "2026-11-26 04:00", "ok", 1, 0, ""),
    ("appstore", "2026-11-23 05:00", "ok", 1, 5, ""),
    ("appstore", "2026-11-26 05:00", "failed", 0, 0, "HTTP 503 after 3 tries"),
    ("gsxt", "2026-11-30 02:00", "failed", 0, 0, "W49: not this week"),
]
CAPTURE = Capture("https://www.gsxt.gov.cn/corp/91420100MA4K0000X1", "https://www.gsxt.gov.cn/corp/91420100MA4K0000X1",
                  200, (), "<html>湖北微众森态信息科技集团有限公司</html>".encode(), at("2026-11-23 00:29"))


def build_store(store: Store) -> dict[str, int]:
    """HITS, REVIEWS, RUNS and one open proposal in ``store``; hit id by listing name."""
    ids: dict[str, int] = {}
    capture_id = store.save_capture(CAPTURE, "captures/demo.warc.gz", 0, 100)
    for name, (source, kind, url, fields, mark_id, mark, severity, score, seen) in HITS.items():
        key = fields.get("统一社会信用代码") or fields.get("bundle_id") or url or name
        listing = Listing(source, key, kind, name, url, tuple(sorted(fields.items())))
        listing_id = store.save_listing(listing, capture_id if url.startswith("https://www.gsxt") else None,
                                        now=at(seen)).id
        hit = Hit(mark_id, mark, "深圳前海微众银行股份有限公司", score, severity, ("contains",), mark,
                  f"字号包含商标「{mark}」")
        store.save_hits(listing_id, [hit], now=at(seen))
        ids[name] = store.hit_ids_for_listing(listing_id)[0]
    for name, status, when in REVIEWS:
        (old,) = [h.status for h in store.hit_records(ids=[ids[name]])]
        with store.transaction():
            store.update_hit(ids[name], status=status, at=at(when))
            store.append_audit(ids[name], "李律师", "status", old, status, "", at(when))
    for source, start, outcome, pages, listings, message in RUNS:
        run_id = store.start_run(source, at(start))
        store.finish_run(run_id, outcome, pages=pages, listings=listings, message=message, now=at(start))
    store.add_proposal(ids["微众分期"], "removed", "not seen in the last 2 complete runs of appstore",
                       at("2026-11-27 05:00"), None, now=at("2026-11-27 05:00"))
    return ids


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    with Store(folder / "bw.db") as store:
        ids = build_store(store)
        files = write_report(store, out_dir=folder / "reports", now=NOW)
        yield store, ids, files


@pytest.fixture(scope="module")
def html(built) -> str:
    return built[2].html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def markdown(built) -> str:
    return built[2].markdown.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def svgs(html) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]


# -- weeks ---------------------------------------------------------------------------

@pytest.mark.parametrize(("week", "start", "end"), [
    ("2026-W48", "2026-11-22T16:00:00.000000Z", "2026-11-29T16:00:00.000000Z"),
    ("2026-W01", "2025-12-28T16:00:00.000000Z", "2026-01-04T16:00:00.000000Z"),  # starts in the year before
    ("2020-W53", "2020-12-27T16:00:00.000000Z", "2021-01-03T16:00:00.000000Z"),  # ends in the year after
    ("2026W48", "2026-11-22T16:00:00.000000Z", "2026-11-29T16:00:00.000000Z"),  # ISO basic form
    ("2026-w48", "2026-11-22T16:00:00.000000Z", "2026-11-29T16:00:00.000000Z"),
])
def test_parse_week(week, start, end):
    assert parse_week(week) == (start, end)


def test_parse_week_in_another_zone():
    assert parse_week("2026-W48", tz="UTC") == ("2026-11-23T00:00:00.000000Z", "2026-11-30T00:00:00.000000Z")


@pytest.mark.parametrize(("week", "message"), [
    ("2026-48", "--week 2026-48: not an ISO week; write it like 2026-W48"),
    ("2026-11-23", "--week 2026-11-23: not an ISO week; write it like 2026-W48"),
    ("W48", "--week W48: not an ISO week; write it like 2026-W48"),
    ("2026-W480", "--week 2026-W480: not an ISO week; write it like 2026-W48"),
    ("2025-W53", "--week 2025-W53: 2025 has ISO weeks W01 to W52; write it like 2025-W52"),
    ("2026-W00", "--week 2026-W00: 2026 has ISO weeks W01 to W53; write it like 2026-W01"),
])
def test_bad_week_is_refused_with_the_format(week, message):
    with pytest.raises(ReportError) as e:
        parse_week(week)
    assert str(e.value) == message
    assert isinstance(e.value, BrandwatchError)  # the CLI prints it as one line and exits 2


@pytest.mark.parametrize(("now", "tz", "week"), [
    (datetime(2026, 11, 30, 1, 0, tzinfo=UTC), "Asia/Shanghai", "2026-W48"),  # Monday 09:00
    (datetime(2026, 11, 29, 16, 0, tzinfo=UTC), "Asia/Shanghai", "2026-W48"),  # Monday 00:00: W48 just complete
    (datetime(2026, 11, 29, 15, 59, 59, tzinfo=UTC), "Asia/Shanghai", "2026-W47"),  # Sunday 23:59:59
    (datetime(2026, 11, 29, 20, 0, tzinfo=UTC), "UTC", "2026-W47"),  # still Sunday in UTC
    (datetime(2026, 1, 4, 16, 0, tzinfo=UTC), "Asia/Shanghai", "2026-W01"),
    (datetime(2021, 1, 4, 0, 0, tzinfo=UTC), "Asia/Shanghai", "2020-W53"),
    (datetime(2026, 11, 30, 1, 0), "Asia/Shanghai", "2026-W48"),  # naive is UTC, like every stored time
])
def test_default_week_is_the_last_complete_one(now, tz, week):
    assert default_week(now, tz) == week


@pytest.mark.parametrize(("now", "tz", "week"), [
    (datetime(2026, 11, 30, 1, 0, tzinfo=UTC), "Asia/Shanghai", "2026-W49"),  # Monday 09:00: the week just begun
    (datetime(2026, 11, 29, 15, 59, 59, tzinfo=UTC), "Asia/Shanghai", "2026-W48"),  # Sunday 23:59:59
    (datetime(2026, 11, 29, 16, 0, tzinfo=UTC), "Asia/Shanghai", "2026-W49"),  # Monday 00:00 in Shanghai ...
    (datetime(2026, 11, 29, 16, 0, tzinfo=UTC), "UTC", "2026-W48"),  # ... still Sunday in UTC
    (datetime(2021, 1, 3, 12, 0, tzinfo=UTC), "Asia/Shanghai", "2020-W53"),
])
def test_current_week_holds_now(now, tz, week):
    assert current_week(now, tz) == week


def test_the_report_of_the_current_week_says_it_is_incomplete(built, tmp_path):
    files = write_report(built[0], current_week(NOW), out_dir=tmp_path, now=NOW)
    assert files.week == "2026-W49" and not files.figures.complete and files.figures.new_hits == 1


def test_unknown_time_zone():
    with pytest.raises(ReportError, match="time zone 'Asia/Shangai' is not known; write an IANA name"):
        parse_week("2026-W48", tz="Asia/Shangai")


def test_a_week_not_yet_started_is_refused(built, tmp_path):
    store = built[0]
    with pytest.raises(ReportError, match=r"--week 2026-W50: that week has not started \(today is 2026-11-30"):
        write_report(store, "2026-W50", out_dir=tmp_path, now=NOW)
    assert not list(tmp_path.iterdir())


# -- figures -------------------------------------------------------------------------

EXPECTED = [
    ("week", lambda f: f.week, "2026-W48"),
    ("bounds", lambda f: (f.start, f.end), ("2026-11-22T16:00:00.000000Z", "2026-11-29T16:00:00.000000Z")),
    ("days", lambda f: (f.first_day, f.last_day), ("2026-11-23", "2026-11-29")),
    ("complete", lambda f: f.complete, True),
    ("new hits", lambda f: f.new_hits, 5),
    ("by severity", lambda f: f.by_severity, (("high", 3), ("medium", 1), ("low", 1))),
    ("by mark", lambda f: f.by_mark, (("微众", 4), ("微粒贷", 1))),
    ("by source", lambda f: f.by_source, (("gsxt", 3), ("appstore", 1), ("weibo", 1))),
    ("trend weeks", lambda f: [w.week for w in f.trend], [f"2026-W{n}" for n in range(41, 49)]),
    ("trend", lambda f: [(w.high, w.medium, w.low) for w in f.trend],
     [(0, 1, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0), (1, 0, 1), (3, 1, 1)]),
    ("high hits", lambda f: [h.name for h in f.high_hits],
     ["湖北微众森态信息科技集团有限公司", "微粒贷客服", SCRIPT_NAME]),
    ("total", lambda f: f.total_hits, 10),
    ("funnel", lambda f: {r.status: (r.hits, r.entered) for r in f.funnel if r.hits or r.entered},
     {"new": (5, 0), "confirmed": (1, 1), "dismissed": (1, 1), "letter_sent": (1, 1), "name_changed": (1, 1),
      "deregistered": (1, 0)}),
    ("funnel order", lambda f: [r.status for r in f.funnel][:4], ["new", "confirmed", "dismissed", "allowlisted"]),
    ("status changes", lambda f: [(c.name, c.old, c.new) for c in f.status_changes],
     [("湖北微众森态信息科技集团有限公司", "new", "confirmed"), (SCRIPT_NAME, "new", "dismissed"),
      ("武汉微众金融信息服务有限公司", "confirmed", "name_changed"),
      ("湖北微众森态信息科技集团有限公司", "confirmed", "letter_sent")]),
    ("outcomes", lambda f: {o.outcome: (o.week, o.total, o.median_days_week, o.median_days_total) for o in f.outcomes},
     {"name_changed": (1, 1, 46.0, 46.0), "deregistered": (0, 1, None, 33.0), "removed": (0, 0, None, None),
      "reemerged": (0, 0, None, None)}),
    ("outcome events", lambda f: [(e.name, e.outcome, e.days) for e in f.outcome_events],
     [("武汉微众金融信息服务有限公司", "name_changed", 46.0)]),
    ("proposals", lambda f: [(p.name, p.outcome, p.hit_status) for p in f.proposals],
     [("微众分期", "removed", "confirmed")]),
    ("sources", lambda f: {s.source: s.flags for s in f.sources},
     {"appstore": ("failing",), "gsxt": (), "gsxt-app": ("blocked",), "qcc": ("not_run",), "weibo": ("no_results",)}),
    ("gsxt runs", lambda f: [(s.runs, s.ok, s.pages, s.listings, s.zero_listing_runs) for s in f.sources
                             if s.source == "gsxt"], [(2, 2, 5, 75, 0)]),
    ("blocked run", lambda f: [(s.runs, s.ok, s.blocked, s.last_outcome, s.last_message) for s in f.sources
                               if s.source == "gsxt-app"], [(2, 1, 1, "blocked", "anti-bot challenge (HTTP 521)")]),
    ("zero-result runs", lambda f: [(s.runs, s.zero_listing_runs) for s in f.sources if s.source == "weibo"], [(2, 2)]),
]


@pytest.mark.parametrize(("what", "get", "expected"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_figures(built, what, get, expected):
    assert get(built[2].figures) == expected


def test_high_hit_carries_its_evidence_reference(built):
    ids, figures = built[1], built[2].figures
    h = figures.high_hits[0]
    assert h.id == ids["湖北微众森态信息科技集团有限公司"]
    assert dict(h.identifiers)["统一社会信用代码"] == "91420100MA4K0000X1"
    assert h.capture_sha256 == hashlib.sha256(CAPTURE.body).hexdigest()
    assert h.capture_fetched_at == CAPTURE.fetched_at
    assert h.evidence_command == f"brandwatch evidence {h.id} -o evidence-{h.id}.zip"


def run(source, start, outcome, listings=1, message=""):
    return {"id": 0, "source": source, "started_at": start, "outcome": outcome, "pages": 1, "listings": listings,
            "message": message}


# runs of one source (oldest first) → its flags
HEALTH = [
    ([run("s", "1", "ok"), run("s", "2", "ok")], ()),
    ([run("s", "1", "failed", 0), run("s", "2", "ok")], ()),  # recovered
    ([run("s", "1", "ok"), run("s", "2", "failed", 0)], ("failing",)),
    ([run("s", "1", "ok", 0), run("s", "2", "partial", 0)], ("no_results",)),
    ([run("s", "1", "ok", 0), run("s", "2", "ok", 3)], ()),
    ([run("s", "1", "blocked", 0)], ("blocked", "no_results")),
    ([run("s", "1", "ok"), run("s", "2", "failed", 0), run("s", "3", "running", 0)], ("failing",)),  # running ignored
    ([run("s", "1", "running", 0)], ()),
    ([], ("not_run",)),
]


@pytest.mark.parametrize(("runs", "flags"), HEALTH)
def test_source_flags(runs, flags):
    (health,) = source_health(runs, earlier_sources={"s"})
    assert health.flags == flags


# -- the files -----------------------------------------------------------------------

def test_files_are_named_after_the_week(built):
    files = built[2]
    assert files.week == "2026-W48"
    assert files.html.name == "brandwatch-report-2026-W48.html"
    assert files.markdown.name == "brandwatch-report-2026-W48.md"


def test_html_is_a_self_contained_chinese_page(html):
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    assert '<meta charset="utf-8">' in html
    assert "湖北微众森态信息科技集团有限公司" in html and "微粒贷客服" in html
    assert "91420100MA4K0000X1" in html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_loads_nothing_from_anywhere(html):
    parser = _Tags()
    parser.feed(html)
    tags = {t for t, _ in parser.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base", "audio", "video", "source",
                       "image", "foreignobject"}
    for tag, attrs in parser.tags:
        for name in ("src", "href", "xlink:href", "srcset", "action", "data", "poster", "background"):
            value = attrs.get(name)
            if value is None:
                continue
            if tag == "a" and name == "href":
                assert value.startswith(("https://", "http://")), value  # a listing's URL, to follow by hand
            else:
                assert value.startswith("#"), f"<{tag} {name}={value!r}> loads something"
    assert "@import" not in html and "@font-face" not in html
    assert not re.search(r"url\(\s*['\"]?(?!#)", html)
    assert "Content-Security-Policy" in html


def test_untrusted_names_and_urls_are_neutralised(html, markdown):
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;微众科技有限公司" in html
    assert "javascript:" not in html  # a link is a web address only: never shown, never a link
    assert '<a href="https://weibo.example/u/1001"' in html
    assert "<script>" not in markdown
    assert r"\<script\>alert(1)\</script\>微众科技有限公司" in markdown


def test_charts_keep_chinese_as_text(svgs):
    assert len(svgs) == 2  # new hits by mark, the 8-week trend
    texts = ["".join(t.itertext()) for svg in svgs for t in svg.iter(f"{SVG_NS}text")]
    assert any("微众" in t for t in texts)
    assert any("微粒贷" in t for t in texts)
    assert any("W48" in t for t in texts)
    for svg in svgs:
        style = " ".join(t.get("style", "") for t in svg.iter(f"{SVG_NS}text"))
        assert "Noto Sans CJK SC" in style and "Microsoft YaHei" in style
        assert not any((p.get("id") or "").startswith("DejaVu") for p in svg.iter(f"{SVG_NS}path"))  # not glyphs


def test_footer(html, built):
    assert f"brandwatch {__version__}" in html
    assert "2026-11-30T01:00:00.000000Z · 2026-11-30 09:00 (UTC+8) Asia/Shanghai" in html
    assert str(built[0].path) in html


def test_sections_in_both_files(html, markdown):
    for heading in ("New hits this week", "8-week trend", "New high-severity hits", "Review funnel",
                    "Enforcement outcomes", "Open follow-up proposals", "Source health"):
        assert heading in html and heading in markdown, heading
    assert "<svg" not in markdown


def test_markdown_holds_the_headline_numbers(built, html, markdown):
    files, ids = built[2], built[1]
    assert markdown.startswith(files.summary)
    for line in ("| 高 high | 3 |", "| 中 medium | 1 |", "| 低 low | 1 |", "| **合计 Total** | **5** |", "| 微众 | 4 |",
                 "| 微粒贷 | 1 |", "| gsxt | 3 |", "| 2026-W48 | 2026-11-23 | 3 | 1 | 1 | 5 |",
                 "| 已更名 `name_changed` | 1 | 1 | 46.0 | 46.0 |", "| 已注销 `deregistered` | 0 | 1 | — | 33.0 |",
                 "| 新发现 `new` | 5 | 0 |", "| **合计 Total** | **10** | **4** |",
                 "| 统一社会信用代码 | `91420100MA4K0000X1` |",
                 f"| SHA-256 | `{hashlib.sha256(CAPTURE.body).hexdigest()}` |",
                 f"`brandwatch evidence {ids['湖北微众森态信息科技集团有限公司']} -o evidence-"):
        assert line in markdown, line
    for cell in ('<td class="n">46.0</td>', "<td>微众</td><td class=\"n\">4</td>", "<th class=\"n\">5</th>",
                 hashlib.sha256(CAPTURE.body).hexdigest(),
                 f"brandwatch evidence {ids['湖北微众森态信息科技集团有限公司']} -o evidence-"):
        assert cell in html, cell


def test_summary_is_short_and_says_what_needs_a_person(built):
    summary = built[2].summary
    assert "New hits: **5** (高 high 3 · 中 medium 1 · 低 low 1)" in summary
    assert "微众 4 · 微粒贷 1" in summary
    assert "湖北微众森态信息科技集团有限公司" in summary
    assert "已更名 1" in summary
    assert "Open proposals: 1" in summary
    assert "gsxt-app (被拦截 blocked)" in summary and "weibo (无结果 no results)" in summary
    assert "qcc (未运行 not run)" in summary and "appstore (失败 failing)" in summary
    assert "|" not in summary  # no tables: WeCom and DingTalk do not draw them
    assert len(summary.encode()) < 4096


def test_summary_names_five_high_hits_at_most(built):
    figures = built[2].figures
    many = dataclasses.replace(figures, high_hits=figures.high_hits * 4)
    summary = render_summary(many)
    assert summary.count("高风险 High #") == 5
    assert "另有 7 条高风险 and 7 more high" in summary


def test_an_unfinished_week_says_so(built):
    figures = gather_figures(built[0], "2026-W49", now=NOW)
    assert not figures.complete
    assert figures.new_hits == 1  # 微众速贷, Monday 00:00
    assert "figures are incomplete" in render_summary(figures)


def test_report_is_reproducible(built, html, tmp_path):
    again = write_report(built[0], "2026-w48", out_dir=tmp_path, now=NOW)
    assert again.week == "2026-W48"
    assert again.html.read_text(encoding="utf-8") == html
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(("text", "escaped"), [
    ("微众|客服", r"微众\|客服"),
    ("第一行\n第二行", "第一行 第二行"),
    ("<b>粗</b>", r"\<b\>粗\</b\>"),
    ("[微众](javascript:x)", r"\[微众\](javascript:x)"),
    ("*微众*_客服_", r"\*微众\*\_客服\_"),
    (r"a\b", r"a\\b"),
    ("微众（深圳）", "微众（深圳）"),
])
def test_markdown_escaping(text, escaped):
    assert md_escape(text) == escaped


@pytest.mark.parametrize(("text", "code"), [
    ("brandwatch evidence 5 -o evidence-5.zip", "`brandwatch evidence 5 -o evidence-5.zip`"),
    ("https://a.example/?q=1|2", r"`https://a.example/?q=1\|2`"),
    ("a`b", "``a`b``"),
    ("`a", "`` `a ``"),
    ("", ""),
])
def test_markdown_code(text, code):
    assert md_code(text) == code


def status(entry_id, hit_id, new, day):
    return {"id": entry_id, "hit_id": hit_id, "at": f"2026-11-{day:02d}T00:00:00.000000Z", "action": "status",
            "actor": "李律师", "old": "", "new": new, "note": ""}


# a hit's status changes → (outcome, days since its latest confirmation) for each outcome
DELAYS = [
    ([("confirmed", 1), ("letter_sent", 3), ("name_changed", 11)], [("name_changed", 10.0)]),
    ([("confirmed", 1), ("removed", 6), ("reemerged", 9), ("confirmed", 10), ("removed", 13)],
     [("removed", 5.0), ("reemerged", 8.0), ("removed", 3.0)]),  # re-confirmed: the clock restarts
    ([("deregistered", 4)], [("deregistered", None)]),  # never confirmed: no delay to report
]


@pytest.mark.parametrize(("changes", "delays"), DELAYS)
def test_outcome_delay_runs_from_the_latest_confirmation(changes, delays):
    audit = [status(i, 1, new, day) for i, (new, day) in enumerate(changes, 1)]
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    _, events = outcomes(audit, {1: {"listing_name": "微众森态", "mark": "微众"}}, start, end)
    assert [(e.outcome, e.days) for e in events] == delays


# -- decisions under the name the listing had then ----------------------------------------

def test_a_decision_shows_the_name_it_was_made_under(tmp_path):
    with Store(tmp_path / "bw.db") as store:
        first = Listing("gsxt", "91420100MA4K000009", "company", "湖北微众森态信息科技集团有限公司")
        lid = store.save_listing(first, now=at("2026-11-02 10:00")).id
        store.save_hits(lid, [Hit("weizhong", "微众", "深圳前海微众银行股份有限公司", 95, "high", ("contains",), "微众",
                                  "字号包含商标「微众」")], now=at("2026-11-02 10:00"))
        (hit_id,) = store.hit_ids_for_listing(lid)
        for status, old, when in (("confirmed", "new", "2026-11-24 10:00"),
                                  ("letter_sent", "confirmed", "2026-11-25 10:00"),
                                  ("name_changed", "letter_sent", "2026-11-27 10:00")):
            if status == "name_changed":  # the registry shows the new name on the 26th
                store.save_listing(Listing("gsxt", "91420100MA4K000009", "company", "湖北森态信息科技集团有限公司"),
                                   now=at("2026-11-26 02:00"))
            with store.transaction():
                store.update_hit(hit_id, status=status, at=at(when))
                store.append_audit(hit_id, "李律师", "status", old, status, "", at(when))
        files = write_report(store, "2026-W48", out_dir=tmp_path, now=NOW)
    changes = [(c.new, c.name, c.name_now) for c in files.figures.status_changes]
    assert changes == [("confirmed", "湖北微众森态信息科技集团有限公司", "湖北森态信息科技集团有限公司"),
                       ("letter_sent", "湖北微众森态信息科技集团有限公司", "湖北森态信息科技集团有限公司"),
                       ("name_changed", "湖北森态信息科技集团有限公司", "")]
    assert [(e.name, e.name_now) for e in files.figures.outcome_events] == [("湖北森态信息科技集团有限公司", "")]
    html = files.html.read_text(encoding="utf-8")
    row = re.search(r"<tr><td>2026-11-24 10:00 \(UTC\+8\)</td>.*?</tr>", html).group()
    old, new = "湖北微众森态信息科技集团有限公司", "湖北森态信息科技集团有限公司"
    assert f'<td>{old}<br><span class="muted">现名 now: {new}</span></td>' in row
    assert "<td>新发现 new</td><td>已确认 confirmed</td>" in row
    markdown = files.markdown.read_text(encoding="utf-8")
    assert (f"| 2026-11-24 10:00 (UTC+8) | #1 | {old} (现名 now: {new}) | 微众 | 新发现 new | 已确认 confirmed "
            "| 李律师 |  |") in markdown


def test_labels_and_times_for_people(html, markdown):
    assert "contains 包含 · 分数 score 95" in html and "contains 包含 · 分数 score 95" in markdown
    assert "2026-11-23 00:30 (UTC+8)" in html  # first seen, in Beijing time with its offset
    assert "<td>已确认 confirmed</td><td>已发函 letter_sent</td>" in html
    assert "| 已下架 removed |" in markdown  # the open proposal's outcome
