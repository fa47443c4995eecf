"""The SQLite store: migrations, listings with history, hits that keep decisions, crash safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from brandwatch.errors import StoreError
from brandwatch.models import Capture, Hit, Listing
from brandwatch.store import MIGRATIONS, Store


def listing(name: str, status: str = "存续", key: str = "91420100MA4K0000X1") -> Listing:
    return Listing("gsxt", key, "company", name, fields=(("status", status), ("统一社会信用代码", key)))


def hit(mark_id: str = "weizhong", score: int = 90) -> Hit:
    return Hit(mark_id, "微众", "owner", score, "high", ("contains",), "微众", "字号「微众」包含商标「微众」")


def test_migrations_apply_once(tmp_path):
    path = tmp_path / "bw.db"
    with Store(path) as s:
        assert s.version == len(MIGRATIONS)
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store(path) as s:  # reopening applies nothing twice
        assert s.version == len(MIGRATIONS)


def test_v5_keeps_every_run_and_what_refers_to_it(tmp_path):
    import sqlite3

    import sqlite_utils

    path = tmp_path / "bw.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(conn)
    for migrate in MIGRATIONS[:4]:  # a database as brandwatch left it before runs could be deferred
        migrate(db)
    conn.execute("PRAGMA user_version = 4")
    conn.execute("INSERT INTO runs (id, source, started_at, ended_at, outcome, pages) "
                 "VALUES (7, 'gsxt', '2025-06-01T00:00:00Z', '2025-06-01T00:01:00Z', 'ok', 3)")
    conn.execute("INSERT INTO captures (id, run_id, sha256, fetched_at, request_url, final_url, status, headers, size,"
                 " warc_file, warc_offset, warc_length) VALUES (1, 7, 'x', 't', 'u', 'u', 200, '[]', 1, 'w', 0, 1)")
    conn.close()
    with Store(path) as s:
        assert s.version == len(MIGRATIONS)
        [run] = s.runs("gsxt")
        assert (run["id"], run["outcome"], run["pages"], run["proven"], run["deferred_until"]) == (7, "ok", 3, 0, None)
        assert s.capture(1)["run_id"] == 7 and s.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert s.db.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert s.complete_runs_since("gsxt", "2025-01-01") == 0  # not known to have proved absence
        rid = s.start_run("gsxt")
        s.finish_run(rid, "deferred", deferred_until="2025-06-01T01:00:00.000000Z")
        assert s.run(rid)["outcome"] == "deferred"


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "bw.db"
    with Store(path) as s:
        s.db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="schema version 99 is newer than this brandwatch knows"):
        Store(path)


def test_not_a_database(tmp_path):
    path = tmp_path / "bw.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a brandwatch database"):
        Store(path)


# (name, status) seen in order → the changes recorded
HISTORY = [
    ([("湖北微众森态信息科技集团有限公司", "存续")], []),
    ([("湖北微众森态信息科技集团有限公司", "存续")] * 3, []),
    ([("湖北微众森态信息科技集团有限公司", "存续"), ("湖北森态信息科技集团有限公司", "存续")],
     [("name", "湖北微众森态信息科技集团有限公司", "湖北森态信息科技集团有限公司")]),
    ([("湖北微众森态信息科技集团有限公司", "存续"), ("湖北微众森态信息科技集团有限公司", "注销")],
     [("status", "存续", "注销")]),
]


@pytest.mark.parametrize(("seen", "changes"), HISTORY)
def test_listing_history(tmp_path, seen, changes):
    with Store(tmp_path / "bw.db") as s:
        ids = {s.save_listing(listing(n, st)).id for n, st in seen}
        assert len(ids) == 1
        got = [(c["field"], c["old"], c["new"]) for c in s.listing_changes(ids.pop())]
        assert got == changes
        assert s.counts()["listings"] == 1


def test_recrawl_keeps_decisions_and_adds_nothing(tmp_path):
    with Store(tmp_path / "bw.db") as s:
        lid = s.save_listing(listing("湖北微众森态信息科技集团有限公司")).id
        assert s.save_hits(lid, [hit()]) == 1
        (h,) = s.hits()
        s.set_hit_status(h["id"], "confirmed", notes="发函")
        before = s.counts()
        lid2 = s.save_listing(listing("湖北微众森态信息科技集团有限公司")).id
        assert lid2 == lid
        assert s.save_hits(lid, [hit(score=95)]) == 0
        (h,) = s.hits()
        assert (h["status"], h["notes"], h["score"]) == ("confirmed", "发函", 95)
        assert s.counts() == before


def test_runs(tmp_path):
    with Store(tmp_path / "bw.db") as s:
        rid = s.start_run("gsxt")
        s.finish_run(rid, "blocked", pages=1, errors=1, message="HTTP 521 challenge")
        (run,) = s.runs("gsxt")
        assert (run["outcome"], run["pages"], run["message"]) == ("blocked", 1, "HTTP 521 challenge")


WRITER = textwrap.dedent(
    """
    import sys
    from brandwatch.models import Hit, Listing
    from brandwatch.store import Store
    s = Store(sys.argv[1])
    h = Hit("weizhong", "微众", "o", 90, "high", ("contains",), "微众", "x")
    i = 0
    while True:
        i += 1
        with s.transaction():
            lid = s.save_listing(Listing("src", str(i % 500), "company", f"微众{i % 500}科技有限公司")).id
            s.save_hits(lid, [h])
        if i == 200:
            print("ready", flush=True)
    """
)


def test_kill_9_during_writes_loses_nothing(tmp_path):
    path = tmp_path / "bw.db"
    with Store(path) as s:  # a decision made before the crash
        lid = s.save_listing(Listing("src", "1", "company", "微众1科技有限公司")).id
        s.save_hits(lid, [hit()])
        s.set_hit_status(s.hits()[0]["id"], "confirmed")
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    with Store(path) as s:
        assert s.integrity_ok()
        rows = s.db.execute("SELECT source, key, count(*) FROM listings GROUP BY source, key HAVING count(*) > 1")
        assert rows.fetchall() == []
        assert s.counts()["listings"] <= 500 and s.counts()["hits"] == s.counts()["listings"]
        (h,) = [x for x in s.hits() if x["key"] == "1"]
        assert h["status"] == "confirmed"


# -- hits come out as typed records ---------------------------------------------------------------------------------

OLD_SHAPE = ["id", "listing_id", "mark_id", "mark", "score", "severity", "rule", "span", "explanation", "first_seen",
             "last_seen", "status", "assignee", "notes", "owner", "tags", "status_at", "alerted_at", "listing_source",
             "listing_key", "listing_kind", "listing_name", "listing_url", "listing_fields", "listing_status",
             "listing_first_seen", "listing_last_seen", "capture_id", "capture_fetched_at", "capture_sha256",
             "capture_request_url", "capture_final_url"]


@pytest.mark.parametrize("with_capture", [True, False])
def test_hit_records_are_typed(tmp_path, with_capture):
    from brandwatch.models import CaptureRef, HitRecord, ListingRef

    with Store(tmp_path / "bw.db") as store:
        cid = None
        if with_capture:
            cap = Capture("https://r.example/s?q=微众", "https://r.example/s?q=微众", 200, (), b"<p>x</p>",
                          "2026-12-01T00:00:00.000000Z")
            cid = store.save_capture(cap, "2026-12-01.warc.gz", 0, 10)
        lid = store.save_listing(Listing("registry", "K1", "company", "湖北微众森态科技有限公司", "https://r.example/1",
                                         (("统一社会信用代码", "91420100MA4K000001"),)), cid).id
        store.save_hits(lid, [Hit("weizhong", "微众", "微众银行", 92, "high", ("contains", "separator"), "微众",
                                  "字号含商标")])
        store.update_hit(1, tags=["武汉", "批量"], assignee="张律师")
        (rec,) = store.hit_records()
    assert isinstance(rec, HitRecord) and isinstance(rec.listing, ListingRef)
    assert (rec.id, rec.listing_id, rec.score, rec.severity, rec.rule, rec.rules) == (
        1, lid, 92, "high", "contains+separator", ("contains", "separator"))
    assert rec.tags == ("武汉", "批量") and rec.assignee == "张律师"
    assert (rec.listing.name, rec.listing.kind, rec.listing.fields["统一社会信用代码"]) == (
        "湖北微众森态科技有限公司", "company", "91420100MA4K000001")
    if with_capture:
        assert isinstance(rec.capture, CaptureRef) and rec.capture_id == cid == rec.capture.id
        assert rec.capture.request_url == "https://r.example/s?q=微众"
    else:
        assert rec.capture is None and rec.capture_id is None
    flat = rec.flat()
    assert list(flat) == OLD_SHAPE  # hits --json and a bundle's match.json keep their shape
    assert flat["tags"] == ["武汉", "批量"] and flat["listing_fields"] == {"统一社会信用代码": "91420100MA4K000001"}
    assert (flat["capture_id"] is None) is (not with_capture)
    json.dumps(flat, ensure_ascii=False)  # JSON as it stands
