#!/usr/bin/env python3
"""The index at scale: thousands of marks, as ratios against references run here.

    python benchmarks/bench_index.py                       # 20, 1,000 and 10,000 marks; 100k names
    python benchmarks/bench_index.py --marks 20 2000 --n 20000

Marks are short company names from ../shared/data/real-names.csv (the
``shortnames`` corpus, every k-th so that they spread over the alphabet; no
allow lists); names come from ../shared/bench/gen_names.py. Each mark count
runs in a fresh child process, which reports:

- build: compiling the matcher (lexicons included) and saving its index;
- load: a second fresh process loading that index (brandwatch/index.py);
- screen: matching the names in chunks of 4,000 (Matcher.match_many, as `screen` does), the best of
  ``--repeat`` runs in CPU seconds;
- exact: an Aho-Corasick automaton over the marks' exact strings (pyahocorasick) screening the
  same names in the same process: the floor any keyword search sets;
- peak RSS of the child.

Goals (issue 9), for 10,000 marks: built in <= 60 s, loaded in <= 3 s, the
screen <= 5x the 20-mark screen, peak memory <= 2 GiB.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SHARED, generate  # benchmarks/common.py

CHUNK = 4000


def short_names(n: int) -> list[str]:
    """n short company names spread over the corpus (it is sorted by pinyin)."""
    sys.path.insert(0, str(ROOT))
    from brandwatch.match.tables import is_cjk

    path = SHARED / "data" / "real-names.csv"
    if not path.exists():
        sys.exit(f"{path} not found: the benchmark needs ../shared/data (real short names for marks)")
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            t = row["name"]
            if row["corpus"] == "shortnames" and 2 <= len(t) <= 6 and all(is_cjk(c) for c in t):
                rows.append(t)
    step = max(1, len(rows) // n)
    return list(dict.fromkeys(rows[::step]))[:n]


def child(marks: int, names_path: Path, db: Path, repeat: int, phase: str) -> dict:
    """One measurement in this (fresh) process; prints JSON."""
    sys.path.insert(0, str(ROOT))
    from brandwatch.index import matcher_for
    from brandwatch.models import Mark, Watchlist

    lists = [Watchlist("bench", tuple(Mark(f"m{i}", t) for i, t in enumerate(short_names(marks))))]
    out: dict = {"marks": len(lists[0].marks)}
    t0 = time.perf_counter()
    matcher, info = matcher_for(lists, (), db, rebuild=phase == "build")
    out[phase] = time.perf_counter() - t0
    assert info is not None and info.built == (phase == "build")
    if phase == "build":
        out["index_mib"] = info.path.stat().st_size / 2**20
    else:
        with open(names_path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            rows = [(r[1], r[2] or "company") for r in reader]
        names = [r[0] for r in rows]
        kinds = [r[1] for r in rows]
        best = float("inf")
        hits = 0
        for _ in range(repeat):
            t0 = time.process_time()
            hits = 0
            for i in range(0, len(names), CHUNK):
                hits += len(matcher.match_many(names[i : i + CHUNK], kinds[i : i + CHUNK]))
            best = min(best, time.process_time() - t0)
        out["screen"], out["names_hit"] = best, hits
        import ahocorasick

        auto = ahocorasick.Automaton()
        for m in lists[0].marks:
            auto.add_word(m.name, m.id)
        auto.make_automaton()
        best = float("inf")
        for _ in range(repeat):
            t0 = time.process_time()
            exact = sum(1 for n in names if next(auto.iter(n), None) is not None)
            best = min(best, time.process_time() - t0)
        out["exact"], out["exact_hit"] = best, exact
    out["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_child(marks: int, names: Path, db: Path, repeat: int, phase: str) -> dict:
    cmd = [sys.executable, __file__, "--child", phase, "--marks", str(marks), "--names", str(names),
           "--db", str(db), "--repeat", str(repeat)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--marks", type=int, nargs="+", default=[20, 1000, 10000])
    p.add_argument("--n", type=int, default=100_000, help="names to screen")
    p.add_argument("--repeat", type=int, default=3, help="runs of each screen; the best counts")
    p.add_argument("--child", choices=("build", "load"), help=argparse.SUPPRESS)
    p.add_argument("--names", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        print(json.dumps(child(a.marks[0], a.names, a.db, a.repeat, a.child)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        names = Path(tmp) / "names.csv"
        generate(a.n, names)
        print(f"{a.n:,} names; marks: real short names; CPU seconds, best of {a.repeat}")
        print("| marks | build + save | load | screen | x 20-mark screen | exact (Aho-Corasick) | names hit "
              "| exact hit | peak RSS |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        base = None
        for m in a.marks:
            db = Path(tmp) / f"m{m}.db"
            b = run_child(m, names, db, a.repeat, "build")
            r = run_child(m, names, db, a.repeat, "load")
            base = base or r["screen"]
            print(f"| {r['marks']:,} | {b['build']:.1f} s | {r['load']:.2f} s | {r['screen']:.2f} s | "
                  f"{r['screen'] / base:.1f} | {r['exact']:.2f} s | {r['names_hit']:,} | {r['exact_hit']:,} | "
                  f"{max(b['rss_mib'], r['rss_mib']):.0f} MiB |", flush=True)


if __name__ == "__main__":
    main()
