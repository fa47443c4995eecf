#!/usr/bin/env python3
"""Ingest of a registry-scale feed through `brandwatch run --once`, against a plain sqlite3 baseline.

    python benchmarks/bench_ingest.py              # 1,000,000 rows, median of 3
    python benchmarks/bench_ingest.py --n 100000 --repeat 1   # quicker

Rows come from ../shared/bench/gen_names.py (id,name,kind); the watchlists
are ./watchlists (the examples). Each run is a fresh child process in a fresh
folder, timed on the wall clock (start-up and the matcher's build included),
its peak RSS read from os.wait4 (that child alone):

- brandwatch: a config with one `files` source over a drop folder holding the
  feed; `brandwatch run --once` reads, matches and saves it (WARC capture,
  listings, hits, sightings, follow-up). Then the same rows again as a second
  file (a vendor's next full snapshot): the sightings must not grow.
- baseline: what a plain script does: the csv module, pyahocorasick over the
  marks' names and aliases (exact, lower-cased), and a sqlite3 upsert of every
  row plus its matches, in transactions of 4,000 rows (WAL, synchronous=NORMAL
  as brandwatch's store).

Goal (issue 9): brandwatch within 4x the baseline, peak RSS at most 400 MiB
and flat in the feed's size; feeding the same rows twice does not double the
database.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, generate  # benchmarks/common.py

BATCH = 4000



def timed_child(cmd: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one child process; Linux reports ru_maxrss in KiB."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out}\n{err}")
    if cmd[-1] == "--once" and "\tok\t" not in out:
        sys.exit(f"brandwatch run --once did not finish its feed:\n{out}\n{err}")
    return took, usage.ru_maxrss / 1024


def mib(path: Path) -> float:
    return path.stat().st_size / 2**20 if path.exists() else 0.0


def run_seconds(db: Path) -> float:
    """The last run's own time, as the store recorded it: the ingest without start-up."""
    from datetime import datetime

    conn = sqlite3.connect(db)
    try:
        start, end = conn.execute("SELECT started_at, ended_at FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("listings", "sightings", "hits")}
    finally:
        conn.close()


# -- the baseline: run in its own child (python bench_ingest.py --baseline FEED DB) --------------------


def baseline(feed: Path, db: Path) -> None:
    import ahocorasick

    sys.path.insert(0, str(ROOT))
    from brandwatch.config import load_watchlists

    automaton = ahocorasick.Automaton()
    for wl in load_watchlists(ROOT / "watchlists"):
        for mark in wl.marks:
            for term in mark.terms:
                automaton.add_word(term.lower(), (mark.id, term))
    automaton.make_automaton()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(
        "CREATE TABLE IF NOT EXISTS listings (id INTEGER PRIMARY KEY, key TEXT UNIQUE, name TEXT, kind TEXT,"
        " first_seen TEXT, last_seen TEXT);"
        "CREATE TABLE IF NOT EXISTS hits (key TEXT, mark_id TEXT, term TEXT, PRIMARY KEY (key, mark_id));")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with open(feed, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        while True:
            rows = [r for _, r in zip(range(BATCH), reader, strict=False)]
            if not rows:
                break
            hits = [(r[0], mark_id, term) for r in rows for _, (mark_id, term) in automaton.iter(r[1].lower())]
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO listings (key, name, kind, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
                             " ON CONFLICT (key) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
                             " last_seen = excluded.last_seen", [(r[0], r[1], r[2], now, now) for r in rows])
            conn.executemany("INSERT OR IGNORE INTO hits VALUES (?, ?, ?)", hits)
            conn.execute("COMMIT")
    conn.close()


# -- one brandwatch ingest ------------------------------------------------------------------------------


def brandwatch_ingest(feed: Path, folder: Path, twice: bool = True) -> dict[str, float]:
    """Feed the file, then the same rows as a second file; the times, peak RSS, sizes and counts."""
    import yaml

    drop = folder / "drop"
    drop.mkdir(parents=True)
    db = folder / "bw.db"
    cfg = folder / "config.yaml"
    cfg.write_text(yaml.safe_dump({
        "watchlists": str(ROOT / "watchlists"), "database": str(db),
        "sources": [{"name": "feed", "type": "files", "options": {"folder": str(drop)}}],
    }, allow_unicode=True), encoding="utf-8")
    cmd = [sys.executable, "-m", "brandwatch", "--config", str(cfg), "run", "--once"]
    shutil.copy(feed, drop / "day1.csv")
    t1, rss1 = timed_child(cmd)
    own1 = run_seconds(db)
    first = counts(db)
    size1, wal1 = mib(db), mib(Path(f"{db}-wal"))
    if not twice:
        return {"t1": t1, "own1": own1, "rss1": rss1}
    shutil.copy(feed, drop / "day2.csv")  # the next day's full snapshot: the same rows in a new file
    t2, rss2 = timed_child(cmd)
    second = counts(db)
    return {"t1": t1, "own1": own1, "rss1": rss1, "t2": t2, "rss2": rss2, "size1": size1, "wal1": wal1,
            "size2": mib(db), "wal2": mib(Path(f"{db}-wal")), "listings": second["listings"], "hits": second["hits"],
            "sightings1": first["sightings"], "sightings2": second["sightings"],
            "warc": sum(p.stat().st_size for p in (folder / "captures").iterdir()) / 2**20}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1_000_000, help="rows in the feed")
    p.add_argument("--repeat", type=int, default=3, help="interleaved runs of each; the median counts")
    p.add_argument("--baseline", nargs=2, metavar=("FEED", "DB"), help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.baseline:
        baseline(Path(a.baseline[0]), Path(a.baseline[1]))
        return
    try:
        import ahocorasick  # noqa: F401
    except ImportError:
        sys.exit("the baseline needs pyahocorasick: pip install -e '.[bench]'")

    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.csv"
        small = Path(tmp) / "feed-small.csv"
        generate(a.n, feed)
        generate(max(1000, a.n // 10), small)
        print(f"{a.n:,} rows ({feed.stat().st_size / 2**20:.0f} MiB CSV), watchlists {ROOT / 'watchlists'}")
        base: list[tuple[float, float]] = []
        runs: list[dict[str, float]] = []
        for k in range(a.repeat):
            folder = Path(tmp) / f"run{k}"
            folder.mkdir()
            base.append(timed_child([sys.executable, __file__, "--baseline", str(feed), str(folder / "base.db")]))
            base_size = mib(folder / "base.db")
            runs.append(brandwatch_ingest(feed, folder))
            shutil.rmtree(folder)  # a 1M-row store and its captures are ~1 GiB; keep one at a time
        (Path(tmp) / "small").mkdir()
        rss_small = brandwatch_ingest(small, Path(tmp) / "small", twice=False)["rss1"]
        t_base = statistics.median(t for t, _ in base)
        r = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        last = runs[-1]
        print(f"wall seconds, median of {a.repeat} (start-up and the matcher's build included)")
        print(f"baseline sqlite3 + Aho-Corasick  {t_base:7.2f}s  peak RSS {max(m for _, m in base):4.0f} MiB"
              f"  db {base_size:.0f} MiB")
        print(f"brandwatch run --once, new feed  {r['t1']:7.2f}s  peak RSS {r['rss1']:4.0f} MiB"
              f"  ({last['listings']:,.0f} listings, {last['hits']:,.0f} hits; the run itself {r['own1']:.2f}s,"
              " the rest is start-up)")
        print(f"brandwatch run --once, same rows {r['t2']:7.2f}s  peak RSS {r['rss2']:4.0f} MiB")
        print(f"ratio brandwatch / baseline = {r['t1'] / t_base:.2f}  (goal <= 4.0)")
        rss = max(r["rss1"], r["rss2"])
        print(f"peak RSS {rss:.0f} MiB  (goal <= 400); {rss_small:.0f} MiB for {max(1000, a.n // 10):,} rows"
              f"  (ratio {rss / rss_small:.2f}, flat if about 1)")
        print(f"database after one feed {r['size1']:.0f} MiB (WAL {r['wal1']:.0f} MiB), after the same rows again"
              f" {r['size2']:.0f} MiB (WAL {r['wal2']:.0f} MiB); WARC captures {r['warc']:.0f} MiB")
        print(f"sightings {last['sightings1']:,.0f} after one feed, {last['sightings2']:,.0f} after the same rows"
              "  (must not grow)")


if __name__ == "__main__":
    main()
