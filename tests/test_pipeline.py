"""End to end against a real local server: config → run --once → store; re-runs add nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brandwatch.cli import main

from .httpserver import Answer, LocalServer

ROOT = Path(__file__).resolve().parent.parent
WL = ROOT / "tests" / "fixtures" / "watchlists"

PAGE1 = """<html><body><ul>
<li class="r"><a class="n" href="/c/1">湖北微众森态信息科技集团有限公司</a>
<span class="code">91420100MA4K000001</span></li>
<li class="r"><a class="n" href="/c/2">武汉华信达商贸有限公司</a><span class="code">91420100MA4K000002</span></li>
</ul><a class="next" href="/search?q=x&p=2">下一页</a></body></html>"""
PAGE2 = """<html><body><ul>
<li class="r"><a class="n" href="/c/3">郑州市维众法律咨询有限公司</a><span class="code">91410100MA4K000003</span></li>
</ul></body></html>"""
APPS = {"resultCount": 2, "results": [
    {"trackName": "微众银行官方客服", "bundleId": "com.fake.wz", "sellerName": "某某科技", "trackViewUrl": "https://apps/1"},
    {"trackName": "天气预报", "bundleId": "com.weather", "sellerName": "天气公司", "trackViewUrl": "https://apps/2"},
]}


@pytest.fixture
def site():
    s = LocalServer()
    s.routes["/robots.txt"] = [Answer(200, b"User-agent: *\nAllow: /\n")]

    def search(path: str) -> Answer:
        return Answer(200, (PAGE2 if "p=2" in path else PAGE1).encode(), {"Content-Type": "text/html; charset=utf-8"})

    s.routes["/search"] = search
    apps = json.dumps(APPS, ensure_ascii=False).encode()
    s.routes["/apps"] = [Answer(200, apps, {"Content-Type": "application/json"})]
    s.routes["/gsxt"] = [Answer(521, b"<script>var x='__jsl_clearance'</script>")]
    yield s
    s.close()


def write_config(tmp_path: Path, site: LocalServer) -> Path:
    config = {
        "watchlists": str(WL),
        "database": str(tmp_path / "bw.db"),
        "fetch": {"hosts": {site.url.split("//")[1]: 0}, "max_tries": 2},
        "sources": [
            {"name": "registry", "type": "html", "queries": ["微众"], "options": {
                "url": site.url + "/search?q={query}", "item": "li.r",
                "fields": {"name": "a.n", "url": "a.n@href", "credit_code": "span.code"},
                "key": "credit_code", "next": "a.next", "pages": 3}},
            {"name": "appstore", "type": "itunes", "queries": ["微众"], "options": {"base_url": site.url + "/apps"}},
            {"name": "gsxt", "type": "gsxt", "queries": ["微众"], "options": {"url": site.url + "/gsxt?q={query}"}},
        ],
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("listings", "hits", "captures")}
    finally:
        conn.close()


def test_run_once_end_to_end(tmp_path, site):
    cfg = write_config(tmp_path, site)
    r = run("--config", str(cfg), "run", "--once")
    assert r.exit_code == 4, r.output  # gsxt was blocked: cron must notice
    lines = {line.split("\t")[0]: line.split("\t") for line in r.stdout.splitlines()}
    assert lines["registry"][1:4] == ["ok", "2 pages", "3 listings"]
    assert lines["appstore"][1:4] == ["ok", "1 pages", "2 listings"]
    assert lines["gsxt"][1] == "blocked" and "HTTP 521" in lines["gsxt"][-1]
    db = tmp_path / "bw.db"
    assert counts(db) == {"listings": 5, "hits": 3, "captures": 3}
    assert site.log.count("/gsxt?q=%E5%BE%AE%E4%BC%97") == 1  # a challenge is never retried
    assert any(p.suffix == ".gz" for p in (tmp_path / "captures").iterdir())

    # the same crawl again adds nothing (the blocked source is now paused)
    r = run("--config", str(cfg), "run", "--once")
    assert r.exit_code == 0
    assert "gsxt" not in r.stdout and "gsxt: paused after being blocked" in r.stderr
    assert counts(db) == {"listings": 5, "hits": 3, "captures": 3}
    # naming it runs it anyway: still blocked, still one request
    r = run("--config", str(cfg), "run", "--once", "--source", "gsxt")
    assert r.stdout.split("\t")[1] == "blocked" and r.exit_code == 4

    status = json.loads(run("--config", str(cfg), "status", "--json").stdout)
    gsxt = next(s for s in status if s["source"] == "gsxt")
    assert gsxt["blocked"] and gsxt["last_run"]["outcome"] == "blocked"
    registry = next(s for s in status if s["source"] == "registry")
    assert registry["last_run"]["outcome"] == "ok" and registry["next_run"]


def test_unknown_source_option_names_the_key(tmp_path, site):
    cfg = write_config(tmp_path, site)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["sources"][0]["options"]["itme"] = "li"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    r = run("--config", str(cfg), "run", "--once")
    assert r.exit_code == 2
    assert f"Error: {cfg}: sources[0].options.itme is not a known key" in r.output


def test_import_saved_pages(tmp_path, site):
    cfg = write_config(tmp_path, site)
    saved = tmp_path / "saved.html"
    saved.write_text(
        '<a class="search_list_item" href="/x"><h1>湖北<font color=red>微众</font>森态信息科技集团有限公司</h1>'
        '<span class="ying_satus2">存续</span> 统一社会信用代码： 91420100MA4K000009 成立日期：2020年1月2日</a>',
        encoding="utf-8")
    r = run("--config", str(cfg), "import", "--source", "gsxt", str(saved))
    assert r.exit_code == 0, r.output
    assert "1 listings, 1 new hits" in r.output


def test_demo_crawls_the_local_site(tmp_path):
    r = CliRunner().invoke(main, ["demo", "--watchlists", str(ROOT / "watchlists"), "--out", str(tmp_path)],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "demo-registry          ok" in out and "demo-guarded-registry  blocked" in out
    assert "徽粒贷" in out and "微眾" in out and "W3Bank" in out
    assert "深圳前海微众银行股份有限公司" not in out.split("hits in the store")[1]  # the owner's own entity
    assert (tmp_path / "brandwatch.db").exists()
    # and the legal workflow on the top hit: review, a verified bundle, exports, the report
    assert "review:   confirmed by demo" in out and "verify: intact" in out
    assert len(list((tmp_path / "evidence").glob("hit-*.zip"))) == 1
    assert {p.name for p in (tmp_path / "exports").iterdir()} == {"hits.csv", "hits.xlsx"}
    assert len(list((tmp_path / "reports").glob("brandwatch-report-*.html"))) == 1


QCC_OK = {"Status": "200", "Message": "查询成功", "Paging": {"PageSize": 20, "PageIndex": 1, "TotalRecords": 1},
          "Result": [{"KeyNo": "k1", "Name": "武汉微众森态科技有限公司", "CreditCode": "91420100MA4K000007",
                      "OperName": "张三", "Status": "存续", "StartDate": "2021-03-04 00:00:00", "No": "420100"}]}


def test_qcc_signs_requests_and_keys_never_kept(tmp_path, site, monkeypatch):
    seen: list[str] = []

    def qcc(path: str) -> Answer:
        seen.append(path)
        return Answer(200, json.dumps(QCC_OK, ensure_ascii=False).encode(), {"Content-Type": "application/json"})

    site.routes["/qcc"] = qcc
    monkeypatch.setenv("QCC_KEY", "KEY-123456")
    monkeypatch.setenv("QCC_SECRET", "SECRET-abcdef")
    cfg = write_config(tmp_path, site)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["sources"] = [{"name": "qcc", "type": "qcc", "queries": ["微众"], "options": {"base_url": site.url + "/qcc"}}]
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    r = run("--config", str(cfg), "run", "--once")
    assert r.stdout.split("\t")[1:4] == ["ok", "1 pages", "1 listings"], r.output
    assert "key=KEY-123456" in seen[0]
    db_bytes = (tmp_path / "bw.db").read_bytes() + b"".join(p.read_bytes() for p in (tmp_path / "captures").iterdir())
    import gzip

    warc = b"".join(gzip.decompress(p.read_bytes()) for p in (tmp_path / "captures").iterdir())
    for secret in (b"KEY-123456", b"SECRET-abcdef"):
        assert secret not in db_bytes and secret not in warc and secret.decode() not in r.output
    assert "Token" not in r.output


FORGED = "2026-03-02 08:00:00 INFO qcc: ok, 1 pages, 9 listings, 0 new hits"


def test_a_servers_error_text_cannot_forge_log_lines_or_output_rows(tmp_path, site, monkeypatch):
    """企查查's error Message is the server's text: a line break in it must not start a log line or a row."""
    message = f"余额不足\n{FORGED}\r\n{FORGED}\tx\x1b[2K\u2028end"
    site.routes["/qcc"] = lambda _path: Answer(200, json.dumps({"Status": "102", "Message": message}).encode(),
                                               {"Content-Type": "application/json"})
    monkeypatch.setenv("QCC_KEY", "KEY-123456")
    monkeypatch.setenv("QCC_SECRET", "SECRET-abcdef")
    cfg = write_config(tmp_path, site)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["sources"] = [{"name": "qcc", "type": "qcc", "queries": ["微众"], "options": {"base_url": site.url + "/qcc"}}]
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    r = run("--config", str(cfg), "run", "--once")
    assert r.exit_code == 4
    [row] = r.stdout.splitlines()  # one row, its columns intact
    assert row.split("\t")[:2] == ["qcc", "failed"] and len(row.split("\t")) == 6, row
    escaped = f"余额不足\\n{FORGED}\\r\\n{FORGED}\\tx\\x1b[2K\\u2028end"
    assert escaped in row
    assert not [line for line in r.stderr.splitlines() if line.startswith(FORGED)], r.stderr
    assert escaped in r.stderr
    conn = sqlite3.connect(tmp_path / "bw.db")
    [(stored,)] = conn.execute("SELECT message FROM runs").fetchall()
    conn.close()
    assert escaped in stored and "\n" not in stored


def test_missing_key_fails_the_source_not_the_daemon(tmp_path, site, monkeypatch):
    monkeypatch.delenv("TIANYANCHA_TOKEN", raising=False)
    cfg = write_config(tmp_path, site)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["sources"].insert(0, {"name": "tyc", "type": "tianyancha", "queries": ["微众"]})
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    r = run("--config", str(cfg), "run", "--once")
    assert r.exit_code == 4  # tyc failed (and gsxt is blocked): the run says so
    assert "tyc" in r.stderr and "TIANYANCHA_TOKEN, which is not set" in r.stderr
    assert "registry\tok" in r.stdout  # the others ran


def test_files_drop_folder(tmp_path, site):
    from openpyxl import Workbook

    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "day1.csv").write_text(
        "name,统一社会信用代码,kind\n湖北微众森态信息科技集团有限公司,91420100MA4K000001,company\n"
        ",91420100MA4K000002,company\n维众金服,91420100MA4K000003,shop\n华信达商贸有限公司,91420100MA4K000004,\n",
        encoding="utf-8")
    (drop / "day1.jsonl").write_text('{"name": "微眾债务优化", "kind": "account", "id": "a1"}\n{"name": \n',
                                     encoding="utf-8")
    wb = Workbook()
    wb.active.append(["name", "key"])
    wb.active.append(["郑州市维众法律咨询有限公司", "91410100MA4K000009"])
    wb.save(drop / "day1.xlsx")
    cfg = write_config(tmp_path, site)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["sources"] = [{"name": "feed", "type": "files", "options": {"folder": str(drop)}}]
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    r = run("--config", str(cfg), "run", "--once")
    fields = r.stdout.split("\t")
    assert fields[1:5] == ["partial", "3 pages", "4 listings", "3 new hits"], r.output
    assert "3 problem(s); first: day1.csv:3: no name" in r.stdout
    r = run("--config", str(cfg), "run", "--once")  # each file is read once
    assert r.stdout.strip().split("\t")[1:5] == ["ok", "0 pages", "0 listings", "0 new hits"]
    status = json.loads(run("--config", str(cfg), "status", "--json").stdout)
    assert status[0]["last_run"]["outcome"] == "ok"
