"""Actor networks end to end: a registry's detail pages give legal representatives, addresses and the
representative's other companies; confirming one imitator proposes the company whose name matches no mark;
`network HIT` and the weekly report show the links with what they share."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brandwatch.cli import main
from brandwatch.errors import ParseError
from brandwatch.models import Listing
from brandwatch.sources import Request
from brandwatch.sources.html import HtmlDetail, parse_detail_html

from .httpserver import Answer, LocalServer

ROOT = Path(__file__).resolve().parent.parent
REP, ADDR = "周某明", "武汉市洪山区珞喻路100号创业大厦A座1201室"
COMPANIES = {  # id → (name, credit code, legal representative, address)
    "1": ("武汉微众信用管理有限公司", "91420100MA4K000011", REP, ADDR),
    "2": ("湖北微众森态信息科技集团有限公司", "91420100MA4K000012", REP, ADDR),
    "3": ("郑州市佳金环保科技有限责任公司", "91410100MA4K000013", "李建国", "郑州市人民路1号"),
    # not in any search result: found on the others' pages only
    "9": ("鑫诚信用管理（武汉）有限公司", "91420111MA4K8X2J7Q", REP, ADDR),
}
LIST = "".join(f'<li class="r"><a class="n" href="/c/{i}">{n}</a><span class="code">{c}</span></li>'
               for i, (n, c, _, _) in COMPANIES.items() if i != "9")


def detail(i: str) -> str:
    name, _, rep, addr = COMPANIES[i]
    others = [j for j, v in COMPANIES.items() if j != i and v[2] == rep]
    rows = "".join(f'<tr class="row"><td class="name">{COMPANIES[j][0]}</td><td class="code">{COMPANIES[j][1]}'
                   f'</td><td class="legal">{rep}</td><td class="address">{COMPANIES[j][3]}</td></tr>' for j in others)
    return (f'<html><body><h1>{name}</h1><table class="info"><tr><td class="legal">{rep}</td></tr>'
            f'<tr><td class="address">{addr}</td></tr></table><table class="related">{rows}</table></body></html>')


DETAIL = {"proof": "table.info", "fields": {"法定代表人": "td.legal", "住所": "td.address"},
          "related": "table.related tr.row",
          "related_fields": {"name": "td.name", "统一社会信用代码": "td.code", "法定代表人": "td.legal",
                             "住所": "td.address"},
          "related_key": "统一社会信用代码"}


@pytest.fixture
def site():
    s = LocalServer()
    s.routes["/robots.txt"] = [Answer(200, b"User-agent: *\nAllow: /\n")]
    s.routes["/search"] = lambda path: Answer(200, f"<html><body><ul>{LIST}</ul></body></html>".encode(),
                                              {"Content-Type": "text/html; charset=utf-8"})
    for i in COMPANIES:
        s.routes[f"/c/{i}"] = [Answer(200, detail(i).encode(), {"Content-Type": "text/html; charset=utf-8"})]
    yield s
    s.close()


def _config(tmp_path: Path, site: LocalServer) -> Path:
    config = {
        "watchlists": str(ROOT / "watchlists"),
        "database": str(tmp_path / "bw.db"),
        "fetch": {"hosts": {site.url.split("//")[1]: 0}, "max_tries": 1},
        "sources": [{"name": "registry", "type": "html", "queries": ["微众"], "variants": 0, "options": {
            "url": site.url + "/search?q={query}", "item": "li.r", "results": "ul",
            "fields": {"name": "a.n", "url": "a.n@href", "统一社会信用代码": "span.code"},
            "key": "统一社会信用代码", "detail": DETAIL}}],
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _run(cfg: Path, *args: str) -> object:
    return CliRunner().invoke(main, ["--config", str(cfg), *args], catch_exceptions=False)


def test_a_company_with_no_mark_is_found_through_its_representative_and_address(tmp_path: Path, site) -> None:
    cfg = _config(tmp_path, site)
    r = _run(cfg, "run", "--once")
    assert r.exit_code in (0, 3), r.output
    db = sqlite3.connect(tmp_path / "bw.db")
    names = {row[0] for row in db.execute("SELECT name FROM listings")}
    assert COMPANIES["9"][0] in names  # read off the other companies' pages
    reps = {row[0] for row in db.execute("SELECT value FROM attributes WHERE kind = 'legal_rep'")}
    assert any(v.startswith(REP) for v in reps)
    hits = {row[0]: row[1] for row in db.execute(
        "SELECT l.name, h.id FROM hits h JOIN listings l ON l.id = h.listing_id")}
    assert COMPANIES["9"][0] not in hits  # its name matches nothing
    sightings = db.execute("SELECT count(*) FROM sightings").fetchone()[0]
    assert _run(cfg, "run", "--once").exit_code in (0, 3)
    # the list page and the detail pages do not rewrite each other's fields: nothing changed, nothing new
    assert db.execute("SELECT count(*) FROM sightings").fetchone()[0] == sightings
    first = hits[COMPANIES["1"][0]]
    assert _run(cfg, "review", str(first), "confirmed").exit_code == 0
    r = _run(cfg, "run", "--once")  # after each run: entities linked to confirmed imitators are proposed
    rows = db.execute("SELECT l.name, h.rule, h.status, h.explanation FROM hits h JOIN listings l "
                      "ON l.id = h.listing_id WHERE h.rule = 'related'").fetchall()
    assert [(n, s) for n, _, s, _ in rows] == [(COMPANIES["9"][0], "new")]
    assert REP in rows[0][3] and "法定代表人" in rows[0][3]
    r = _run(cfg, "proposals")
    assert "related" in r.output and COMPANIES["9"][0] in r.output
    # the third company shares nothing: it is not in the network
    r = _run(cfg, "network", str(first), "--json", "--svg", str(tmp_path / "n.svg"))
    doc = json.loads(r.stdout)
    linked = {c["name"] for c in doc["connected"]}
    assert linked == {COMPANIES["2"][0], COMPANIES["9"][0]}
    assert all(c["reason"] for c in doc["connected"])
    svg = (tmp_path / "n.svg").read_text(encoding="utf-8")
    assert "<script" not in svg and COMPANIES["9"][0] in svg
    # a decided proposal is not proposed again
    related_id = db.execute("SELECT id FROM hits WHERE rule = 'related'").fetchone()[0]
    assert _run(cfg, "review", str(related_id), "dismissed").exit_code == 0
    _run(cfg, "run", "--once")
    assert db.execute("SELECT status FROM hits WHERE id = ?", [related_id]).fetchone()[0] == "dismissed"
    # the weekly report has the actor-network section with the drawing
    r = _run(cfg, "report", "--output", str(tmp_path / "reports"))
    html = next((tmp_path / "reports").glob("*.html")).read_text(encoding="utf-8")
    assert "Actor networks (1)" in html and COMPANIES["9"][0] in html and "<svg" in html


def test_a_detail_page_must_prove_itself() -> None:
    base = Listing("registry", "91420100MA4K000011", "company", COMPANIES["1"][0], "http://x/c/1")
    opts = HtmlDetail(**DETAIL)
    got = parse_detail_html(detail("1"), Request("http://x/c/1", listing=base), opts, "registry")
    assert got[0].key == base.key and got[0].field("法定代表人") == REP
    assert {x.name for x in got[1:]} == {COMPANIES["2"][0], COMPANIES["9"][0]}
    assert all(x.field(f"关联·{base.key}") == COMPANIES["1"][0] for x in got[1:])
    with pytest.raises(ParseError, match=r"not '武汉微众信用管理有限公司'.s detail page"):
        parse_detail_html("<html><body>请登录</body></html>", Request("http://x/c/1", listing=base), opts, "registry")
