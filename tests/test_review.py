"""Review: statuses and the workflow table, the audit log and its hash chain, allowlisting."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brandwatch.cli import main
from brandwatch.errors import ReviewError
from brandwatch.models import Hit, Listing
from brandwatch.review import STATUSES, TRANSITIONS, review, verify_audit
from brandwatch.store import Store

ROOT = Path(__file__).resolve().parent.parent
WL = ROOT / "tests" / "fixtures" / "watchlists"


def make_store(path: Path) -> Store:
    s = Store(path)
    names = ["湖北微众森态信息科技集团有限公司", "微众众诚企业管理(武汉)有限公司", "星微众网络科技(武汉)有限公司"]
    for i, name in enumerate(names, 1):
        lid = s.save_listing(Listing("registry", f"9142010{i}", "company", name, f"https://r/{i}",
                                     (("统一社会信用代码", f"9142010{i}"),))).id
        s.save_hits(lid, [Hit("weizhong", "微众", "深圳前海微众银行股份有限公司", 95, "high", ("contains",), "微众",
                              f"字号含商标「微众」 {i}")])
    return s


@pytest.fixture
def store(tmp_path):
    s = make_store(tmp_path / "bw.db")
    yield s
    s.close()


def test_every_status_has_a_row_in_the_workflow():
    assert set(TRANSITIONS) == set(STATUSES)
    for after in TRANSITIONS.values():
        assert set(after) <= set(STATUSES)


@pytest.mark.parametrize(("path", "ok"), [
    (["confirmed"], True),
    (["dismissed"], True),
    (["confirmed", "letter_sent", "suit_filed", "judgment", "name_changed"], True),
    (["confirmed", "complaint_filed", "deregistered", "reemerged", "suit_filed"], True),
    (["confirmed", "removed", "reemerged"], True),
    (["name_changed"], False),  # an outcome needs a confirmed case first
    (["reemerged"], False),
    (["confirmed", "reemerged"], False),  # nothing ended yet
    (["dismissed", "suit_filed"], False),
])
def test_workflow_moves(store, path, ok):
    def walk():
        for status in path:
            review(store, [1], status, by="张律师")

    if ok:
        walk()
        assert store.hit_records(ids=[1])[0].status == path[-1]
    else:
        with pytest.raises(ReviewError, match="cannot become"):
            walk()


def test_a_refused_move_changes_nothing(store):
    review(store, [1], "confirmed", by="a")
    with pytest.raises(ReviewError, match="hit 2 is new: it cannot become judgment"):
        review(store, [1, 2], "judgment", by="a")  # hit 1 could, hit 2 cannot: all or nothing
    assert [h.status for h in store.hit_records(ids=[1, 2])] == ["confirmed", "new"]
    assert len(store.audit_entries()) == 1


def test_audit_entries_say_who_when_from_to_and_why(store):
    review(store, [1], "confirmed", by="张律师", note="字号与微众相同", now="2026-11-20T02:00:00.000000Z")
    review(store, [1], None, by="李主管", assignee="王律师", add_tags=["武汉", "批量"])
    review(store, [1], "letter_sent", by="王律师", note="已发律师函")
    rows = store.audit_entries(1)
    assert [(e["actor"], e["action"], e["old"], e["new"]) for e in rows] == [
        ("张律师", "status", "new", "confirmed"),
        ("李主管", "assign", "", "王律师"),
        ("李主管", "tags", "", "武汉,批量"),
        ("王律师", "status", "confirmed", "letter_sent"),
    ]
    assert rows[0]["note"] == "字号与微众相同" and rows[0]["at"] == "2026-11-20T02:00:00.000000Z"
    hit = store.hit_records(ids=[1])[0]
    assert (hit.status, hit.assignee, hit.tags) == ("letter_sent", "王律师", ("武汉", "批量"))
    assert verify_audit(store) == []


def test_the_audit_table_refuses_updates_and_deletes(store):
    review(store, [1], "confirmed", by="a")
    for sql in ("UPDATE audit SET note = 'x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute(sql)


def _tamper(db: Path, *sql: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    for q in sql:
        conn.execute(q)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(("sql", "expect"), [
    (["UPDATE audit SET note = '改过' WHERE id = 2"], "audit entry 2: its content was changed"),
    (["UPDATE audit SET actor = 'x' WHERE id = 1"], "audit entry 1: its content was changed"),
    (["DELETE FROM audit WHERE id = 2"], "audit entry 2 missing"),
    (["DELETE FROM audit WHERE id = 3"], "recorded head) is missing"),  # the newest entry: caught by the head file
    (["UPDATE audit SET new = 'dismissed', hash = 'x' WHERE id = 1"], "does not follow"),
])
def test_audit_verify_detects_edits_and_deletions(tmp_path, sql, expect):
    db = tmp_path / "bw.db"
    with make_store(db) as s:
        review(s, [1], "confirmed", by="a", note="one")
        review(s, [2], "confirmed", by="a", note="two")
        review(s, [3], "dismissed", by="a", note="three")
        assert verify_audit(s) == []
    _tamper(db, *sql)
    with Store(db) as s:
        problems = verify_audit(s)
    assert any(expect in p for p in problems), problems


def test_allowlisted_names_join_the_owners_allow_list(tmp_path):
    from brandwatch.app import with_allowlisted
    from brandwatch.config import load_watchlists
    from brandwatch.match import Matcher

    db = tmp_path / "bw.db"
    with make_store(db) as s:
        review(s, [2], "allowlisted", by="a", note="our subsidiary")
        added = s.allow_names()
        assert s.audit_entries(2)[-1]["action"] == "allow"
    assert added == {"深圳前海微众银行股份有限公司": ["微众众诚企业管理(武汉)有限公司"]}
    base = load_watchlists(WL)
    name = "微众众诚企业管理(武汉)有限公司"
    assert any(h.mark_id == "weizhong" for h in Matcher(base).match(name))
    assert not Matcher(with_allowlisted(base, added)).match(name)


# -- the commands -----------------------------------------------------------------

@pytest.fixture
def cli(tmp_path):
    db = tmp_path / "bw.db"
    make_store(db).close()
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"watchlists": str(WL), "database": str(db)}), encoding="utf-8")

    def run(*args: str):
        return CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)

    run.db = db  # type: ignore[attr-defined]
    return run


def test_review_and_hits_commands(cli):
    r = cli("review", "1", "2", "confirmed", "--note", "仿冒字号", "--by", "张律师")
    assert r.exit_code == 0, r.output
    assert "hit 1: status new→confirmed" in r.output
    r = cli("hits", "--status", "confirmed")
    assert r.exit_code == 0
    assert r.output.count("confirmed") == 2 and "湖北微众森态" in r.output
    r = cli("hits", "--status", "new", "--json")
    assert r.output.count("\n") == 1 and '"listing_name": "星微众网络科技(武汉)有限公司"' in r.output
    assert cli("audit", "verify").output.startswith("audit log intact: 2 entries")


@pytest.mark.parametrize(("args", "message"), [
    (["review", "1", "approved"], "Error: review approved: no such status; the statuses are: new, confirmed"),
    (["review", "confirmed"], "give at least one hit id"),
    (["review", "99", "confirmed", "--by", "a"], "hit 99 does not exist"),
    (["review", "1", "judgment", "--by", "a"], "hit 1 is new: it cannot become judgment"),
    (["hits", "--since", "last week"], "--since last week: not a date"),
])
def test_review_errors_name_the_problem(cli, args, message):
    r = cli(*args)
    assert r.exit_code == 2
    assert message in r.output


def test_audit_verify_exits_1_on_tampering(cli):
    cli("review", "1", "confirmed", "--by", "a")
    cli("review", "1", "letter_sent", "--by", "a")
    _tamper(cli.db, "UPDATE audit SET actor = '别人' WHERE id = 1")
    r = cli("audit", "verify")
    assert r.exit_code == 1
    assert "audit entry 1: its content was changed" in r.output


def test_a_running_daemon_picks_up_names_allowlisted_since_it_started(tmp_path):
    from brandwatch.app import build_context
    from brandwatch.config import ConfigSpec

    db = tmp_path / "bw.db"
    make_store(db).close()
    ctx = build_context(ConfigSpec(watchlists=str(WL), database=str(db)))
    name = "微众众诚企业管理(武汉)有限公司"
    assert ctx.matcher.match(name)
    with Store(db) as s:
        review(s, [2], "allowlisted", by="a")
        ctx.refresh_allow(s)
    assert not ctx.matcher.match(name)
