"""Hostile sites against whole runs (run --once, status): none can hang a run or pass for "no results".

Real servers on 127.0.0.1; budgets and deadlines of a second or two.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brandwatch.cli import main

from .httpserver import Answer, LocalServer

ROOT = Path(__file__).resolve().parent.parent
WL = ROOT / "tests" / "fixtures" / "watchlists"

RESULTS = '<ul class="results"><li><a class="n" href="/c/1">湖北微众森态信息科技集团有限公司</a></li></ul>'
EMPTY = '<ul class="results"></ul><p>没有找到相关结果</p>'
CAPTCHA = ("<html><body><div class='box'>请完成安全验证</div><script>" + "var a=" + "'x'+" * 16000 +
           "'';</script></body></html>")  # 63 KB, HTTP 200, no challenge script: words only
SHELL = '<html><body><div id="app"></div><script src="/static/js/app.4f2a.js"></script></body></html>'


@pytest.fixture
def site():
    s = LocalServer()
    s.routes["/robots.txt"] = [Answer(200, b"User-agent: *\nAllow: /\n")]
    yield s
    s.close()


def write_config(tmp_path: Path, site: LocalServer, pages: int = 1, **source) -> Path:
    spec = {"name": "registry", "type": "html", "queries": ["微众"], "options": {
        "url": site.url + "/search?q={query}&p={page}", "item": "ul.results li", "results": "ul.results",
        "fields": {"name": "a.n", "url": "a.n@href"}, "pages": pages}}
    spec.update(source)
    config = {"watchlists": str(WL), "database": str(tmp_path / "bw.db"),
              "fetch": {"hosts": {site.url.split("//")[1]: 0}, "max_tries": 3, "timeout": 1, "deadline": 1.5},
              "sources": [spec]}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def cli(cfg: Path, *args: str):
    return CliRunner().invoke(main, ["--config", str(cfg), *args], catch_exceptions=False)


def runs(tmp_path: Path) -> list[dict]:
    conn = sqlite3.connect(tmp_path / "bw.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM runs ORDER BY id")]
    finally:
        conn.close()


PAGES = [
    ("a result list", RESULTS, "ok", 1, 0),
    ("an empty result list", EMPTY, "ok", 1, 0),
    ("an app shell", SHELL, "failed", 0, 4),
    ("a 63 KB captcha page", CAPTCHA, "blocked", 0, 4),
    ("a 63 KB challenge script", "<script>" + "x" * 63000 + "document.cookie='__jsl_clearance=1'</script>",
     "blocked", 0, 4),
    ("malformed, no list", '<html><body><ul class="res', "failed", 0, 4),
]


@pytest.mark.parametrize(("what", "body", "outcome", "proven", "code"), PAGES, ids=[p[0] for p in PAGES])
def test_a_200_page_is_ok_only_when_it_is_a_result_list(tmp_path, site, what, body, outcome, proven, code):
    site.routes["/search"] = [Answer(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})]
    cfg = write_config(tmp_path, site)
    r = cli(cfg, "run", "--once")
    assert r.exit_code == code and r.stdout.split("\t")[1] == outcome, r.output
    [run] = runs(tmp_path)
    assert (run["outcome"], run["proven"]) == (outcome, proven)
    assert site.log.count("/search?q=%E5%BE%AE%E4%BC%97&p=1") == 1  # neither retried nor read as "no results"


def test_retry_after_beyond_the_budget_defers_the_source(tmp_path, site):
    site.routes["/search"] = [Answer(200, RESULTS.encode()), Answer(429, headers={"Retry-After": "3600"})]
    cfg = write_config(tmp_path, site, pages=2, budget="60s")
    before = datetime.now(UTC)
    r = cli(cfg, "run", "--once")
    assert r.exit_code == 4, r.output  # cron notices
    assert r.stdout.split("\t")[1:3] == ["deferred", "1 pages"]
    assert "asks brandwatch to wait 3600 s (Retry-After), more than the" in r.stdout
    [run] = runs(tmp_path)
    until = datetime.fromisoformat(run["deferred_until"].replace("Z", "+00:00"))
    assert before + timedelta(seconds=3600) <= until <= datetime.now(UTC) + timedelta(seconds=3600)
    assert run["listings"] == 1 and run["proven"] == 0  # what came before is kept; absence is not proven
    assert site.log.count("/search?q=%E5%BE%AE%E4%BC%97&p=2") == 1  # asked once, not slept on

    status = json.loads(cli(cfg, "status", "--json").stdout)[0]
    shown = until.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert status["deferred_until"] == shown and status["next_run"] >= shown  # the next run waits for it
    text = cli(cfg, "status").stdout
    assert f"DEFERRED (until {shown} (" in text and "as its site asked)" in text

    r = cli(cfg, "run", "--once")  # skipped until then, like a paused source
    assert r.exit_code == 0 and r.stdout == "" and "registry: deferred, as its site asked, until" in r.stderr
    assert len(runs(tmp_path)) == 1
    r = cli(cfg, "run", "--once", "--source", "registry")  # named: runs anyway
    assert len(runs(tmp_path)) == 2 and r.stdout.split("\t")[1] == "deferred"


def test_a_huge_retry_after_defers_for_the_most_brandwatch_waits(tmp_path, site):
    # 10**400 seconds: float() of it is inf, and timedelta(seconds=inf) raised OverflowError inside the run
    site.routes["/search"] = [Answer(429, headers={"Retry-After": "1" + "0" * 400})]
    cfg = write_config(tmp_path, site, budget="60s")
    before = datetime.now(UTC)
    r = cli(cfg, "run", "--once")
    assert r.exit_code == 4, r.output
    assert r.stdout.split("\t")[1] == "deferred", r.output
    [run] = runs(tmp_path)
    until = datetime.fromisoformat(run["deferred_until"].replace("Z", "+00:00"))
    assert before + timedelta(days=7) - timedelta(seconds=1) <= until <= datetime.now(UTC) + timedelta(days=7)


@pytest.mark.parametrize("header", ["Fri, 31 Dec 9999 23:59:59 GMT", "1" + "0" * 400, "604800"])
def test_a_retry_after_far_ahead_defers_the_source_seven_days_and_says_so(tmp_path, site, header):
    # a date 8,000 years ahead deferred the source until the year 9999, with a message that did not say so
    site.routes["/search"] = [Answer(503, headers={"Retry-After": header})]
    cfg = write_config(tmp_path, site, budget="60s")
    before = datetime.now(UTC)
    r = cli(cfg, "run", "--once")
    assert r.exit_code == 4 and r.stdout.split("\t")[1] == "deferred", r.output
    [run] = runs(tmp_path)
    until = datetime.fromisoformat(run["deferred_until"].replace("Z", "+00:00"))
    assert before + timedelta(days=7) - timedelta(seconds=1) <= until <= datetime.now(UTC) + timedelta(days=7)
    assert ("HTTP 503 asks brandwatch to wait 7 days or more (Retry-After); brandwatch defers a source at most "
            "7 days, and the source is deferred until then") in run["message"], run["message"]


def test_a_source_whose_run_raises_makes_run_once_fail(tmp_path, site, monkeypatch):
    """A bug inside one source's run (here: the fetcher raising what no site should cause) is recorded as a
    failed run, and ``run --once`` must say so with exit 4 rather than print nothing and exit 0."""
    from brandwatch.fetch import Fetcher

    def broken(*_args, **_kwargs):
        raise OverflowError("cannot convert float infinity to integer")

    monkeypatch.setattr(Fetcher, "fetch", broken)
    site.routes["/search"] = [Answer(200, RESULTS.encode())]
    cfg = write_config(tmp_path, site)
    r = CliRunner().invoke(main, ["--config", str(cfg), "run", "--once"])
    assert r.exit_code == 4, r.output
    assert r.stdout.split("\t")[:2] == ["registry", "failed"], r.output
    assert "OverflowError: cannot convert float infinity to integer" in r.stdout
    [run] = runs(tmp_path)
    assert run["outcome"] == "failed"


def test_run_once_with_no_enabled_source_says_so(tmp_path, site):
    """It printed nothing and exited 0: cron took a crawl of nothing for a good one."""
    cfg = write_config(tmp_path, site, enabled=False)
    r = cli(cfg, "run", "--once")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == (f"Error: no source is enabled in {cfg}; set enabled: true on one of its sources "
                        "(registry), or run one with --once --source NAME\n")
    assert not (tmp_path / "bw.db").exists() or runs(tmp_path) == []
    r = cli(cfg, "run", "--once", "--source", "registry")  # named: it runs
    assert r.stdout.split("\t")[:2] == ["registry", "failed"]  # (the site has no /search)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["sources"] = []
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    r = cli(cfg, "run", "--once")
    assert r.exit_code == 2 and r.stderr == (f"Error: no source is configured in {cfg}; add one under sources: "
                                             "(see README, Crawling)\n")


def test_a_run_stops_at_its_budget(tmp_path, site):
    # each page takes 0.4 s: a 1 s budget ends the run after a few of its 50 pages, whatever the site does
    site.routes["/search"] = lambda _path: Answer(200, RESULTS.encode(), delay=0.4)
    cfg = write_config(tmp_path, site, pages=50, budget=1)
    r = cli(cfg, "run", "--once")
    assert r.exit_code == 4, r.output
    [run] = runs(tmp_path)
    assert run["outcome"] == "partial" and 1 <= run["pages"] < 50 and run["listings"] == run["pages"]
    assert run["message"].startswith(f"stopped at the source's time budget of 1 s after {run['pages']} pages")


def test_a_dripping_registry_costs_its_deadline_not_the_run(tmp_path, site):
    site.routes["/search"] = [Answer(200, RESULTS.encode(), drip=0.3)]
    cfg = write_config(tmp_path, site, budget="2s")
    r = cli(cfg, "run", "--once")
    assert r.exit_code == 4
    [run] = runs(tmp_path)
    assert run["outcome"] in ("failed", "partial") and run["listings"] == 0
    assert "no complete answer within 1.5 s" in run["message"] or "time budget" in run["message"]


@pytest.mark.parametrize(("budget", "error"), [
    ("15m", None), (90, None), ("2h", None),
    ("15 minutes", "budget must be seconds or a number and a unit s, m, h or d"),
    (0, "budget Input should be greater than 0"),
])
def test_budget_is_checked(tmp_path, site, budget, error):
    cfg = write_config(tmp_path, site, budget=budget)
    r = cli(cfg, "status")
    if error is None:
        assert r.exit_code == 0, r.output
    else:
        assert r.exit_code == 2 and error in r.output and "sources[0].budget" in r.output


REAL = ROOT.parent / "shared" / "real" / "gsxt"
SAVED = [
    ("own: a result page", '<div class="search_result">查询结果<span>1</span>条</div><a class="search_list_item" '
     'href="/x"><h1>湖北微众森态信息科技集团有限公司</h1> 统一社会信用代码： 91420100MA4K000009</a>', None),
    ("own: the challenge saved", "<script>var x='__jsl_clearance@document@cookie'</script>",
     "not the register's result list"),
    ("own: a login page", "<html><form id='login'><input name='user'></form></html>", "not the register's result"),
    ("real: web search result", REAL / "web_search_result_xiaomi.html", None),
    ("real: app search JSON", REAL / "app_search_result_xiaomi.json", None),
    ("real: the 521 challenge", REAL / "jsl_521_challenge_body.html", "not the register's result list"),
]


@pytest.mark.parametrize(("what", "page", "error"), SAVED, ids=[s[0] for s in SAVED])
def test_import_takes_only_result_pages(tmp_path, site, what, page, error):
    if isinstance(page, Path) and not page.exists():
        pytest.skip("../shared/real not present")
    saved = tmp_path / "saved.html"
    saved.write_bytes(page.read_bytes() if isinstance(page, Path) else page.encode())
    cfg = write_config(tmp_path, site, type="gsxt", options={"url": site.url + "/gsxt?q={query}"})
    r = cli(cfg, "import", "--source", "registry", str(saved))
    if error is None:
        assert r.exit_code == 0 and [run["outcome"] for run in runs(tmp_path)] == ["ok"], r.output
        return
    assert r.exit_code == 2 and error in r.output and f"Error: {saved}: " in r.output
    assert not (tmp_path / "bw.db").exists() or all(run["listings"] == 0 for run in runs(tmp_path))


def test_import_files_refuses_a_saved_challenge_and_records_why(tmp_path):
    """The library's own guard, under the CLI's: a page that is not a result list fails the import run."""
    from brandwatch.captures import CaptureArchive
    from brandwatch.errors import ParseError
    from brandwatch.pipeline import import_files
    from brandwatch.sources import GsxtSource
    from brandwatch.sources.gsxt import GsxtOptions
    from brandwatch.store import Store

    saved = tmp_path / "challenge.html"
    saved.write_text("<script>var x='__jsl_clearance@document@cookie'</script>", encoding="utf-8")
    with Store(tmp_path / "bw.db") as store:
        with pytest.raises(ParseError, match=r"challenge\.html: a captcha or verification page \('__jsl_clearance'\)"):
            import_files([saved], GsxtSource("gsxt", GsxtOptions()), store=store,
                         archive=CaptureArchive(tmp_path / "captures"), matcher=None,  # type: ignore[arg-type]
                         fetched_at="2026-03-02T08:00:00.000000Z")
        [run] = store.runs()
    assert (run["outcome"], run["listings"], run["proven"]) == ("failed", 0, 0)
