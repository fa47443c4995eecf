"""Follow-up: a confirmed imitator is re-crawled, and what became of it is proposed.

A real local registry serves a page that changes between runs, as the live one does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brandwatch.cli import main
from brandwatch.store import Store

from .httpserver import Answer, LocalServer

ROOT = Path(__file__).resolve().parent.parent
WL = ROOT / "tests" / "fixtures" / "watchlists"
CODE = "91420100MA4K7XXX01"

FAKE = ("湖北微众森态信息科技集团有限公司", "存续")
OTHER = ("武汉华信达商贸有限公司", "存续")


def page(*rows: tuple[str, str, str]) -> bytes:
    items = "".join(f'<li class="r"><a class="n" href="/c/{code}">{name}</a><span class="code">{code}</span>'
                    f'<span class="st">{status}</span></li>' for name, status, code in rows)
    return f"<html><body><ul>{items}</ul></body></html>".encode()


class Registry:
    """A registry whose answer the test sets before each run."""

    def __init__(self, tmp_path: Path) -> None:
        self.server = LocalServer()
        self.server.routes["/robots.txt"] = [Answer(200, b"User-agent: *\nAllow: /\n")]
        self.rows: list[tuple[str, str, str]] = []
        self.status = 200
        self.body: bytes | None = None  # instead of the result list: what a broken or hostile registry sends
        self.server.routes["/search"] = lambda _path: Answer(self.status, self.body or page(*self.rows),
                                                             {"Content-Type": "text/html; charset=utf-8"})
        self.config = tmp_path / "config.yaml"
        self.db = tmp_path / "bw.db"
        self.config.write_text(yaml.safe_dump({
            "watchlists": str(WL), "database": str(self.db),
            "fetch": {"hosts": {self.server.url.split("//")[1]: 0}, "max_tries": 1},
            "followup": {"absent_runs": 2},
            "sources": [{"name": "registry", "type": "html", "queries": ["微众"], "options": {
                "url": self.server.url + "/search?q={query}", "item": "li.r", "results": "ul",
                "fields": {"name": "a.n", "url": "a.n@href", "统一社会信用代码": "span.code", "status": "span.st"},
                "key": "统一社会信用代码"}}],
        }, allow_unicode=True), encoding="utf-8")

    def cli(self, *args: str):
        r = CliRunner().invoke(main, ["--config", str(self.config), *args], catch_exceptions=False)
        failed_run = args[:1] == ("run",) and "\tok\t" not in r.output  # run --once says so with exit 4
        assert r.exit_code == (4 if failed_run else 0), r.output
        return r

    def crawl(self, *rows: tuple[str, str, str]) -> None:
        self.rows = list(rows)
        self.cli("run", "--once")

    def proposals(self) -> list[tuple[int, str]]:
        with Store(self.db) as s:
            return [(p["hit_id"], p["outcome"]) for p in s.proposals("open")]


@pytest.fixture
def registry(tmp_path):
    r = Registry(tmp_path)
    yield r
    r.server.close()


def confirm_first_hit(registry: Registry) -> int:
    with Store(registry.db) as s:
        (hit,) = s.hit_records()
    registry.cli("review", str(hit.id), "confirmed", "--by", "张律师")
    return hit.id


def test_a_confirmed_company_that_changed_its_name_is_proposed_name_changed(registry):
    registry.crawl((*FAKE, CODE), (*OTHER, "91420100MA4K7XXX02"))
    hit = confirm_first_hit(registry)
    registry.crawl(("湖北森态信息科技集团有限公司", "存续", CODE), (*OTHER, "91420100MA4K7XXX02"))
    assert registry.proposals() == [(hit, "name_changed")]
    with Store(registry.db) as s:
        (p,) = s.proposals("open")
        assert "湖北森态信息科技集团有限公司" in p["reason"] and CODE in p["reason"]
        assert p["capture_id"] is not None  # the page that showed the new name is kept
    out = registry.cli("hits").output
    assert "[proposed: name_changed]" in out
    # the team accepts it: the proposal closes, the audit log says who
    registry.cli("review", str(hit), "name_changed", "--by", "张律师", "--note", "已更名")
    assert registry.proposals() == []
    with Store(registry.db) as s:
        assert s.proposals("accepted")[0]["outcome"] == "name_changed"
        assert s.audit_entries(hit)[-1]["new"] == "name_changed"


def test_a_rename_to_another_lookalike_proposes_nothing(registry):
    registry.crawl((*FAKE, CODE))
    confirm_first_hit(registry)
    registry.crawl(("湖北维众森态信息科技集团有限公司", "存续", CODE))
    assert registry.proposals() == []


def test_a_cancelled_registration_is_proposed_deregistered(registry):
    registry.crawl((*FAKE, CODE))
    hit = confirm_first_hit(registry)
    registry.crawl((FAKE[0], "注销", CODE))
    assert registry.proposals() == [(hit, "deregistered")]


def test_removed_needs_complete_runs_and_a_comeback_is_reemerged(registry):
    registry.crawl((*FAKE, CODE))
    hit = confirm_first_hit(registry)
    registry.status = 500  # a failing registry proves nothing
    registry.crawl()
    registry.crawl()
    assert registry.proposals() == []
    registry.status = 200
    registry.crawl((*OTHER, "91420100MA4K7XXX02"))
    assert registry.proposals() == []  # one complete run without it: not yet
    registry.crawl((*OTHER, "91420100MA4K7XXX02"))
    assert registry.proposals() == [(hit, "removed")]
    registry.cli("review", str(hit), "removed", "--by", "张律师")
    registry.crawl((*FAKE, CODE))
    assert registry.proposals() == [(hit, "reemerged")]


def test_the_same_name_under_a_new_registration_is_reemerged(registry):
    registry.crawl((*FAKE, CODE))
    hit = confirm_first_hit(registry)
    registry.crawl((FAKE[0], "注销", CODE))
    registry.cli("review", str(hit), "deregistered", "--by", "张律师")
    registry.crawl((FAKE[0], "注销", CODE), (FAKE[0], "存续", "91420100MA4K7NEW09"))
    assert registry.proposals() == [(hit, "reemerged")]
    with Store(registry.db) as s:
        assert "91420100MA4K7NEW09" in s.proposals("open")[0]["reason"]


UNREADABLE = [
    b'<html><body><div id="root"></div><script src="/static/app.js"></script></body></html>',  # an app shell
    b"<html><body><div class='r'><a class='n'>",  # malformed, no list
    b"<html><script>var a=" + b"'x'+" * 16000 + b"'';</script></html>",  # a 63 KB script
]


def test_only_pages_that_parsed_as_result_lists_prove_removal(registry):
    registry.crawl((*FAKE, CODE))
    hit = confirm_first_hit(registry)
    for body in UNREADABLE:  # HTTP 200, but no result list on it: two runs of each prove nothing
        registry.body = body
        registry.crawl()
        registry.crawl()
    assert registry.proposals() == []
    with Store(registry.db) as s:
        runs = s.runs("registry", limit=6)
    assert [(r["outcome"], r["proven"], r["listings"]) for r in runs] == [("failed", 0, 0)] * 6
    assert all("not a result page" in r["message"] for r in runs)
    registry.body = None
    registry.crawl()  # an empty result list really there: proven
    assert registry.proposals() == []
    registry.crawl()
    assert registry.proposals() == [(hit, "removed")]
