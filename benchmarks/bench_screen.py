#!/usr/bin/env python3
"""Screening speed and memory at registry scale, as ratios against references run here.

    python benchmarks/bench_screen.py              # 1,000,000 names
    python benchmarks/bench_screen.py --n 200000   # quicker

Names come from ../shared/bench/gen_names.py (realistic synthetic enterprise
names); the watchlists are ../shared/eval/watchlists (else ./watchlists).
References, on the same file in the same process:

- substring: a plain keyword scan (csv reader, `term in name` for every mark
  and alias, matches written out): the floor a keyword search sets.
- quick fuzzy: rapidfuzz partial_ratio over characters and pinyin, as a quick
  script would do it; too slow for the whole file, so timed on a sample and
  scaled.

Goals: brandwatch screen within 1.5x the substring scan (issue 9; 2x in issue 2), memory
flat (peak RSS of a run over N names about that of a run over N/10), and --workers 2 at least
1.6x as fast as --workers 1 in wall-clock time (issue 9).
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SHARED, generate  # benchmarks/common.py


def substring_scan(path: Path, terms: list[str], out: Path) -> int:
    found = 0
    with open(path, encoding="utf-8", newline="") as f, open(out, "w", encoding="utf-8", newline="") as o:
        w = csv.writer(o)
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            name = row[1]
            for t in terms:
                if t in name:
                    w.writerow([row[0], name, t])
                    found += 1
    return found


def quick_fuzzy(path: Path, terms: list[str], sample: int) -> float:
    from pypinyin import lazy_pinyin
    from rapidfuzz import fuzz

    term_py = [("".join(lazy_pinyin(t)), t) for t in terms]
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        started = time.process_time()
        for k, row in enumerate(reader):
            if k >= sample:
                break
            name = row[1]
            py = "".join(lazy_pinyin(name))
            for tpy, t in term_py:
                if fuzz.partial_ratio(t, name) >= 80 or fuzz.partial_ratio(tpy, py) >= 90:
                    break
        return time.process_time() - started


def child_peak_rss(cmd: list[str]) -> float:
    """Peak RSS in MiB of one child process (Linux reports ru_maxrss in KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(before, after) / 1024


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--fuzzy-sample", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=3, help="interleaved runs of each; the best counts")
    p.add_argument("--no-memory", action="store_true", help="skip the two subprocess runs for memory")
    a = p.parse_args()

    sys.path.insert(0, str(ROOT))
    from brandwatch import Matcher, load_watchlists
    from brandwatch.config import default_risk_terms
    from brandwatch.screen import screen_file

    wl_dir = SHARED / "eval" / "watchlists"
    if not wl_dir.is_dir():
        wl_dir = ROOT / "watchlists"
    lists = load_watchlists(wl_dir)
    terms = [t for wl in lists for m in wl.marks for t in m.terms]

    with tempfile.TemporaryDirectory() as tmp:
        names = Path(tmp) / "names.csv"
        small = Path(tmp) / "names-small.csv"
        generate(a.n, names)
        generate(max(1000, a.n // 10), small)
        print(f"{a.n:,} names, {len(terms)} mark forms from {wl_dir}")

        t0 = time.perf_counter()
        matcher = Matcher(lists, default_risk_terms())
        build = time.perf_counter() - t0

        # Interleaved repeats, the best of each, in CPU seconds of this process:
        # the machine is a shared VM whose wall clock jumps with its neighbours.
        t_sub = t_bw = float("inf")
        for _ in range(a.repeat):
            t0 = time.process_time()
            found = substring_scan(names, terms, Path(tmp) / "sub.csv")
            t_sub = min(t_sub, time.process_time() - t0)
            t0 = time.process_time()
            summary = screen_file(names, Path(tmp) / "hits.csv", matcher)
            t_bw = min(t_bw, time.process_time() - t0)

        # --workers: wall-clock seconds (the work is in other processes), best of interleaved runs
        t_one = t_two = float("inf")
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            one = screen_file(names, Path(tmp) / "w1.csv", matcher, workers=1)
            t_one = min(t_one, time.perf_counter() - t0)
            t0 = time.perf_counter()
            two = screen_file(names, Path(tmp) / "w2.csv", matcher, workers=2)
            t_two = min(t_two, time.perf_counter() - t0)
        same = (Path(tmp) / "w1.csv").read_bytes() == (Path(tmp) / "w2.csv").read_bytes()

        t_fuzzy = quick_fuzzy(names, terms, a.fuzzy_sample) * a.n / a.fuzzy_sample

        print(f"CPU seconds, best of {a.repeat} interleaved runs each")
        print(f"substring scan      {t_sub:7.2f}s  ({found:,} keyword matches)")
        print(f"brandwatch screen   {t_bw:7.2f}s  ({summary.hits:,} hits in {summary.names_hit:,} names;"
              f" matcher built in {build:.2f}s, not counted)")
        print(f"quick fuzzy script  {t_fuzzy:7.2f}s  (scaled from {a.fuzzy_sample:,} names)")
        print(f"ratio brandwatch / substring = {t_bw / t_sub:.2f}  (goal <= 1.5)")
        print(f"ratio quick fuzzy / brandwatch = {t_fuzzy / t_bw:.1f}")
        print(f"wall seconds: --workers 1 {t_one:.2f}s, --workers 2 {t_two:.2f}s ({one.hits:,} and {two.hits:,} hits,"
              f" same file: {same}); speed-up {t_one / t_two:.2f}  (goal >= 1.6)")

        if not a.no_memory:
            cmd = [sys.executable, "-m", "brandwatch", "screen", "--watchlists", str(wl_dir)]
            r_small = child_peak_rss([*cmd, str(small), "-o", str(Path(tmp) / "small-hits.csv")])
            r_big = child_peak_rss([*cmd, str(names), "-o", str(Path(tmp) / "big-hits.csv")])
            print(f"peak RSS: {r_small:.0f} MiB for {max(1000, a.n // 10):,} names, {r_big:.0f} MiB for {a.n:,}"
                  f"  (ratio {r_big / r_small:.2f}, flat if about 1)")


if __name__ == "__main__":
    main()
