"""Streaming ingest: a files feed read, matched and saved in batches; compact sightings; store stats and vacuum.

Speed and flat memory are measured in benchmarks/bench_ingest.py, never here.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brandwatch import pipeline
from brandwatch.captures import CaptureArchive
from brandwatch.cli import main
from brandwatch.errors import BrandwatchError
from brandwatch.models import Capture, Listing
from brandwatch.pipeline import run_source
from brandwatch.retention import store_stats, vacuum
from brandwatch.sources.files import FilesOptions, FilesSource, parse_feed, read_feed
from brandwatch.store import Store

ROOT = Path(__file__).resolve().parent.parent
WL = ROOT / "tests" / "fixtures" / "watchlists"

# A small feed: imitators among ordinary companies, one key twice (a correction later in the same file).
FEED = [
    ("91420100MA4K000001", "湖北微众森态信息科技集团有限公司", "company", "存续"),
    ("91420100MA4K000002", "武汉华信达商贸有限公司", "company", "存续"),
    ("91420100MA4K000003", "郑州市维众法律咨询有限公司", "company", "存续"),
    ("a1", "微眾债务优化", "account", ""),
    ("91420100MA4K000005", "深圳市恒鑫盛贸易有限公司", "company", "存续"),
    ("91420100MA4K000002", "武汉华信达商贸有限公司", "company", "注销"),
    ("91420100MA4K000007", "杭州花唄科技有限公司", "company", "存续"),
    ("91420100MA4K000008", "上海明宇建材有限公司", "company", "在业"),
]


def write_feed(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "kind", "status"])
        w.writerows(rows)
    return path


def source(folder: Path) -> FilesSource:
    return FilesSource("feed", FilesOptions(folder=str(folder)))


def feed_once(tmp_path: Path, matcher, folder: Path, batch: int, monkeypatch) -> pipeline.RunResult:
    monkeypatch.setattr(pipeline, "FEED_BATCH", batch)
    with Store(tmp_path / "bw.db") as store:
        return run_source(source(folder), [], fetcher=None, store=store,  # type: ignore[arg-type]
                          archive=CaptureArchive(tmp_path / "captures"), matcher=matcher)


def dump(db: Path) -> dict[str, list[tuple]]:
    """What a feed leaves in the store, without times and run ids (which differ between two stores)."""
    conn = sqlite3.connect(db)
    try:
        return {
            "listings": conn.execute("SELECT id, source, key, kind, name, url, fields, status, capture_id"
                                     " FROM listings ORDER BY id").fetchall(),
            "changes": conn.execute("SELECT listing_id, field, old, new FROM listing_changes ORDER BY id").fetchall(),
            "hits": conn.execute("SELECT listing_id, mark_id, score, severity, rule, span FROM hits"
                                 " ORDER BY listing_id, mark_id").fetchall(),
            "sightings": conn.execute("SELECT listing_id, capture_id, name, status FROM sightings"
                                      " ORDER BY listing_id, id").fetchall(),
        }
    finally:
        conn.close()


@pytest.mark.parametrize("batch", [1, 2, 3, 5, 4000])
def test_batches_of_any_size_store_what_one_row_at_a_time_does(tmp_path, matcher, monkeypatch, batch):
    drop = tmp_path / "drop"
    drop.mkdir()
    write_feed(drop / "day1.csv", FEED)
    r = feed_once(tmp_path, matcher, drop, batch, monkeypatch)
    assert (r.outcome, r.listings) == ("ok", len(FEED))
    # the same rows saved one at a time through the single-listing API
    with Store(tmp_path / "one.db") as one:
        assert one.save_capture(Capture("u", "u", 200, (), b"", "t"), "x.warc.gz", 0, 0) == 1
        for key, name, kind, status in FEED:
            lid = one.save_listing(Listing("feed", key, kind, name, fields=(("id", key), ("status", status))
                                           if status else (("id", key),)), capture_id=1).id
            one.save_hits(lid, matcher.match(name, kind))
    got, want = dump(tmp_path / "bw.db"), dump(tmp_path / "one.db")
    assert got == want
    assert got["changes"] == [(2, "status", "存续", "注销")]
    assert {h[1] for h in got["hits"]} >= {"weizhong", "huabei"}
    assert r.new_hits == len(got["hits"])


# (what the second file changes, sightings it adds, changes it records)
REFEEDS = [
    ("nothing", lambda rows: rows, 0, []),
    ("a name", lambda rows: [(k, "湖北森态信息科技集团有限公司" if k.endswith("01") else n, kd, s)
                             for k, n, kd, s in rows], 1,
     [("name", "湖北微众森态信息科技集团有限公司", "湖北森态信息科技集团有限公司")]),
    ("a status", lambda rows: [(k, n, kd, "注销" if k.endswith("03") else s) for k, n, kd, s in rows], 1,
     [("status", "存续", "注销")]),
    ("another field", lambda rows: [(k, n, "app" if k == "a1" else kd, s) for k, n, kd, s in rows], 1, []),
    ("rows left out", lambda rows: rows[:3], 0, []),
]


@pytest.mark.parametrize(("what", "change", "sightings", "changes"), REFEEDS, ids=[r[0] for r in REFEEDS])
def test_the_same_rows_again_add_no_sightings_and_a_change_adds_one(tmp_path, matcher, monkeypatch, what, change,
                                                                    sightings, changes):
    rows = [r for r in FEED if r[0] != "91420100MA4K000002"]  # one row per key
    drop = tmp_path / "drop"
    drop.mkdir()
    write_feed(drop / "day1.csv", rows)
    feed_once(tmp_path, matcher, drop, 2, monkeypatch)
    with Store(tmp_path / "bw.db") as s:
        before = s.counts()
    write_feed(drop / "day2.csv", change(rows))  # the next day's snapshot: a new file, mostly the same rows
    r = feed_once(tmp_path, matcher, drop, 2, monkeypatch)
    assert r.outcome == "ok"
    with Store(tmp_path / "bw.db") as s:
        after = s.counts()
        got = s.db.execute("SELECT field, old, new FROM listing_changes ORDER BY id").fetchall()
        last_run = s.db.execute("SELECT max(id) FROM runs").fetchone()[0]
        seen_again = s.db.execute("SELECT count(*) FROM listings WHERE last_run_id = ?", [last_run]).fetchone()[0]
    assert after["sightings"] - before["sightings"] == sightings
    assert after["listings"] == before["listings"] and after["hits"] == before["hits"]
    assert got == changes
    assert seen_again == len(change(rows))  # last_seen and last_run_id say they were seen


class FailingMatcher:
    """The real matcher, but its ``fail_on``-th batch raises (a bug, the disk, a kill)."""

    def __init__(self, matcher, fail_on: int) -> None:
        self.matcher, self.fail_on, self.calls = matcher, fail_on, 0
        self.watchlists = matcher.watchlists  # read by the leads' stage (official apps, fake contacts)

    def match_many(self, names, kinds):
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("the matcher broke")
        return self.matcher.match_many(names, kinds)


def test_a_crash_mid_feed_keeps_the_batches_before_it_and_the_next_run_goes_on(tmp_path, matcher, monkeypatch):
    rows = [(f"9142010{i:011d}", f"武汉微众{i}号科技有限公司" if i % 3 == 0 else f"武汉华信{i}商贸有限公司",
             "company", "存续") for i in range(10)]
    drop = tmp_path / "drop"
    drop.mkdir()
    write_feed(drop / "day1.csv", rows)
    monkeypatch.setattr(pipeline, "FEED_BATCH", 3)
    db = tmp_path / "bw.db"
    with Store(db) as store:
        with pytest.raises(BrandwatchError, match="feed: RuntimeError: the matcher broke"):
            run_source(source(drop), [], fetcher=None, store=store,  # type: ignore[arg-type]
                       archive=CaptureArchive(tmp_path / "captures"), matcher=FailingMatcher(matcher, 3))
        # batches 1 and 2 (rows on lines 2-7) are kept whole; nothing of batch 3
        assert [r[0] for r in store.db.execute("SELECT key FROM listings ORDER BY id")] == [r[0] for r in rows[:6]]
        assert store.counts()["sightings"] == 6
        assert store.counts()["hits"] == 2
        (feed,) = store.db.execute("SELECT lines_done, listings, finished_at FROM feeds").fetchall()
        assert feed == (7, 6, None)
        assert store.runs()[0]["outcome"] == "failed"
        # the next run goes on after line 7, with the capture kept the first time
        r = run_source(source(drop), [], fetcher=None, store=store,  # type: ignore[arg-type]
                       archive=CaptureArchive(tmp_path / "captures"), matcher=matcher)
        assert (r.outcome, r.listings, r.new_hits) == ("ok", 4, 2)
        assert [r[0] for r in store.db.execute("SELECT key FROM listings ORDER BY id")] == [r[0] for r in rows]
        assert store.counts()["sightings"] == 10 and store.counts()["captures"] == 1
        assert store.db.execute("SELECT finished_at IS NOT NULL FROM feeds").fetchone()[0] == 1
        # and a third run reads nothing: the file is done
        r = run_source(source(drop), [], fetcher=None, store=store,  # type: ignore[arg-type]
                       archive=CaptureArchive(tmp_path / "captures"), matcher=matcher)
        assert (r.pages, r.listings) == (0, 0)


def test_a_feed_that_is_not_utf8_is_kept_as_evidence_and_skipped_with_its_line(tmp_path, matcher, monkeypatch):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "gbk.csv").write_bytes("id,name\n1,华信达\n2,微众科技\n".encode("gbk"))
    r = feed_once(tmp_path, matcher, drop, 4000, monkeypatch)
    assert (r.outcome, r.pages, r.listings) == ("partial", 1, 0)
    assert "gbk.csv:2: bytes that are not UTF-8; save the feed as UTF-8" in r.message
    with Store(tmp_path / "bw.db") as s:
        assert s.counts()["captures"] == 1 and s.counts()["listings"] == 0


def test_a_million_bad_rows_keep_a_short_message(tmp_path, matcher, monkeypatch):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "bad.csv").write_text("id,name\n" + "x,\n" * 500, encoding="utf-8")
    r = feed_once(tmp_path, matcher, drop, 100, monkeypatch)
    assert r.errors == 500 and r.message == "500 problem(s); first: bad.csv:2: no name"


# -- stats and vacuum ------------------------------------------------------------------


def stamp(days_ago: int) -> str:
    t = datetime(2026, 12, 1, tzinfo=UTC).timestamp() - days_ago * 86400
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


NOW = datetime(2026, 12, 1, tzinfo=UTC)


def aged_store(path: Path) -> None:
    """Runs a year old (one referenced, one watched-absence run, one prunable), alerts sent and pending."""
    with Store(path) as s:
        empty = s.start_run("registry", now=stamp(400))
        s.finish_run(empty, "ok", now=stamp(400))
        used = s.start_run("registry", now=stamp(390))
        lid = s.save_listing(Listing("registry", "k1", "company", "微众科技有限公司"), now=stamp(390), run_id=used).id
        s.finish_run(used, "ok", now=stamp(390))
        s.save_hits(lid, [matcher_hit()], now=stamp(390))
        blocked = s.start_run("registry", now=stamp(380))
        s.finish_run(blocked, "blocked", now=stamp(380))
        recent = s.start_run("registry", now=stamp(1))
        s.finish_run(recent, "ok", now=stamp(1))
        old = s.enqueue("wecom", "digest", "old", {}, now=stamp(300))
        s.outbox_sent(old, now=stamp(300))
        s.enqueue("wecom", "digest", "pending", {}, now=stamp(300))


def matcher_hit():
    from brandwatch.models import Hit

    return Hit("weizhong", "微众", "owner", 90, "high", ("contains",), "微众", "字号「微众」包含商标「微众」")


def table_rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


def test_vacuum_prunes_only_what_the_policy_lets_go_of(tmp_path):
    db = tmp_path / "bw.db"
    aged_store(db)
    before = table_rows(db)
    with Store(db) as s:
        dry = vacuum(s, 180, dry_run=True, now=NOW)
    assert dry.pruned == {"runs": 2, "outbox": 1}
    assert table_rows(db) == before  # a dry run changes nothing
    with Store(db) as s:
        done = vacuum(s, 180, now=NOW)
        assert done.pruned == {"runs": 2, "outbox": 1}
        assert [r["started_at"] for r in s.runs()] == [stamp(1), stamp(390)]  # the recent one, the referenced one
        assert [m["subject"] for m in s.outbox(pending_only=False)] == ["pending"]
        assert s.counts()["listings"] == 1 and s.counts()["hits"] == 1 and s.counts()["sightings"] == 1


def test_vacuum_keeps_the_runs_that_prove_a_watched_listing_absent(tmp_path):
    db = tmp_path / "bw.db"
    aged_store(db)
    with Store(db) as s:
        s.db.execute("UPDATE hits SET status = 'confirmed'")
        # the listing was last seen 390 days ago: the ok run at 400 days may go, the blocked run at 380 is kept
        assert vacuum(s, 180, dry_run=True, now=NOW).pruned == {"runs": 1, "outbox": 1}


def test_stats(tmp_path):
    db = tmp_path / "bw.db"
    aged_store(db)
    with Store(db) as s:
        st = store_stats(s, tmp_path / "captures")
    assert st.rows["runs"] == 4 and st.rows["listings"] == 1 and st.rows["outbox"] == 2
    assert (st.oldest_run, st.newest_run) == (stamp(400), stamp(1))
    assert st.db_bytes > 0 and st.page_size > 0 and st.captures_bytes == 0


def cli(tmp_path: Path, *args: str):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"watchlists": str(WL), "database": str(tmp_path / "bw.db")}), encoding="utf-8")
    return CliRunner().invoke(main, ["--config", str(cfg), *args], catch_exceptions=False)


def test_store_commands(tmp_path):
    aged_store(tmp_path / "bw.db")
    r = cli(tmp_path, "store", "stats")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert "runs\t4" in lines and "listings\t1" in lines and "sightings\t1" in lines
    assert any(line.startswith("database\t") and "free)" in line for line in lines)
    assert f"runs\t{stamp(400)} to {stamp(1)}" in lines
    st = json.loads(cli(tmp_path, "store", "stats", "--json").stdout)
    assert st["rows"]["hits"] == 1 and st["wal_bytes"] >= 0
    before = table_rows(tmp_path / "bw.db")
    r = cli(tmp_path, "store", "vacuum", "--dry-run", "--older-than", "30")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0].startswith("would prune 2 run(s) and 1 delivered alert(s) older than ")
    assert "nothing was changed" in r.stdout
    assert table_rows(tmp_path / "bw.db") == before
    r = cli(tmp_path, "store", "vacuum", "--older-than", "30")
    assert r.exit_code == 0 and r.stdout.startswith("pruned 2 run(s)")


def test_vacuum_refuses_while_the_daemon_holds_the_lock(tmp_path):
    from brandwatch.app import database_lock

    aged_store(tmp_path / "bw.db")
    with database_lock(tmp_path / "bw.db", command="brandwatch run"):
        r = cli(tmp_path, "store", "vacuum")
        since = json.loads((tmp_path / "bw.db.lock").read_text())["started_at"]
    assert r.exit_code == 2
    assert r.output == (f"Error: {tmp_path / 'bw.db'}: another brandwatch run holds {tmp_path / 'bw.db'}.lock"
                        f" (brandwatch run, pid {os.getpid()} on {socket.gethostname()}, since {since});"
                        " stop it or wait for it to finish\n")


def test_store_stats_without_a_database(tmp_path):
    r = cli(tmp_path, "store", "stats")
    assert r.exit_code == 2 and r.output.startswith(f"Error: {tmp_path / 'bw.db'}: no database yet;")


# -- the CSV columns reader gives what a row at a time gives ----------------------------------------------

CSV_CASES = {
    "plain": "id,name,kind\n1,微众科技有限公司,company\n2,华信达,app\n",
    "markup and spaces": "name,统一社会信用代码\n湖北<font color=red>微众</font>  科技 ,9142\n\t维众\u3000金服\t,\n",
    "keys in order": "url,name,key,id,credit_code\nhttps://a/1,甲,,7,c1\n,乙,,,\nhttps://a/3,丙,k3,8,\n,丁,,,c4\n",
    "bad rows": "name,kind,x\n,company,1\n维众,shop,2\n微众,,3,extra\n\n华信,account\n",
    "quoted line breaks": 'name,note\n"微众\n科技",a\nb,"two\nlines"\n,c\n',
    "a column twice": "name,x,x , name\n甲,1,2,乙\n丙,3,,\n",
    "no name column": "id,title\n1,微众\n",
    "header only": "id,name\n",
    "spaces of every kind": "name,x\n a,1\nb ,2\nc  d,3\ne\u3000f,4\ng\x1ch,5\n\u00a0i,6\nj\x00 k,7\nplain,8\n",
}


def one_row_at_a_time(text: str) -> tuple[list[Listing], list[str]]:
    """The reference: csv.DictReader and the row-as-a-dict reader JSONL and XLSX use."""
    from brandwatch.sources.files import _listing

    reader = csv.DictReader(io.StringIO(text, newline=""))
    if "name" not in [f.strip() for f in reader.fieldnames or []]:
        return [], ["f.csv:1: no 'name' column in the header; the whole file was skipped"]
    good, bad = [], []
    for row in reader:
        if None in row:
            bad.append(f"f.csv:{reader.line_num}: more cells than the header has columns")
            continue
        try:
            good.append(_listing("feed", row, "company", "f.csv", reader.line_num))
        except ValueError as e:
            bad.append(str(e))
    return good, bad


@pytest.mark.parametrize("case", sorted(CSV_CASES))
@pytest.mark.parametrize("size", [1, 2, 4000])
def test_the_csv_columns_reader_gives_what_a_row_at_a_time_gives(tmp_path, case, size):
    path = tmp_path / "f.csv"
    path.write_text(CSV_CASES[case], encoding="utf-8")
    batches = list(read_feed(path, "feed", "company", size))
    got = ([x for b in batches for x in b.listings], [x for b in batches for x in b.bad])
    assert got == one_row_at_a_time(CSV_CASES[case])
    assert parse_feed("f.csv", path.read_bytes(), "feed", "company") == got


def test_a_feed_read_after_a_line_gives_the_rest(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(CSV_CASES["quoted line breaks"], encoding="utf-8")
    whole = [x.name for b in read_feed(path, "feed", "company") for x in b.listings]
    assert whole == ["微众 科技", "b"]
    assert [x.name for b in read_feed(path, "feed", "company", 1, after=3) for x in b.listings] == ["b"]


class GrowingFeed(FilesSource):
    """A vendor still writing the file while brandwatch reads it."""

    def read_batches(self, path, size, after=0):
        for k, batch in enumerate(super().read_batches(path, size, after)):
            if k == 0:
                with open(path, "a", encoding="utf-8") as f:
                    f.write("k9,武汉微众九号科技有限公司,company,存续\n")
            yield batch


def test_a_feed_that_changes_while_it_is_read_is_read_again(tmp_path, matcher, monkeypatch):
    drop = tmp_path / "drop"
    drop.mkdir()
    write_feed(drop / "day1.csv", FEED[:4])
    monkeypatch.setattr(pipeline, "FEED_BATCH", 2)
    with Store(tmp_path / "bw.db") as store:
        r = run_source(GrowingFeed("feed", FilesOptions(folder=str(drop))), [], fetcher=None,  # type: ignore[arg-type]
                       store=store, archive=CaptureArchive(tmp_path / "captures"), matcher=matcher)
        assert r.outcome == "partial" and "day1.csv: the file changed while it was read" in r.message
        r = run_source(source(drop), [], fetcher=None, store=store,  # type: ignore[arg-type]
                       archive=CaptureArchive(tmp_path / "captures"), matcher=matcher)
        assert (r.outcome, r.listings) == ("ok", 5)  # as a new file, its capture the bytes now there
        assert store.counts()["captures"] == 2 and store.counts()["sightings"] == 5
