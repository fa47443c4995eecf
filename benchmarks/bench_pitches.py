#!/usr/bin/env python3
"""The pitch classifier on a 100 KB text, as a ratio against references run in the same process.

    python benchmarks/bench_pitches.py                 # 100 KB, best of 20
    python benchmarks/bench_pitches.py --kb 1000 --repeat 5

Three texts of the given size (UTF-8 bytes):

- dense: the labelled set (tests/data/texts.jsonl) over and over: every line a pitch, a warning, a news
  report or a complaint, so the classifier weighs thousands of phrases and cues;
- sparse: ordinary Chinese (common words from brandwatch/data/words.txt, seeded) with one labelled
  selling text every 2 KB, as a scraped forum page or a shop's page would read;
- worst: one short pitch with a contact repeated (征信修复加V：abc123), a hit every 8 characters.

References, timed on the same text: ``str.count`` of one phrase (the floor of any scan), and the
normalisation alone (NFKC, simplified, separators dropped, with the offset map). Goal (issue 12): < 50 ms
for 100 KB, aim < 10 ms so that the rest of a page's scan fits too; since lexicon 2026.12-2 (pair rules,
questions): sparse < 10 ms and dense < 25 ms on an idle machine. On a shared machine, compare with the
previous version run alternately (``git archive`` it to a folder and run this script there).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

from common import ROOT  # benchmarks/common.py

sys.path.insert(0, str(ROOT))


def texts(size: int) -> dict[str, str]:
    rows = [json.loads(line) for line in (ROOT / "tests" / "data" / "texts.jsonl").read_text("utf-8").splitlines()]
    selling = [r["text"] for r in rows if r["category"] != "none"]
    out = {}
    parts, n, k = [], 0, 0
    while n < size:
        parts.append(rows[k % len(rows)]["text"])
        n += len(parts[-1].encode()) + 1
        k += 1
    out["dense"] = "\n".join(parts)
    words = [line.split("\t")[0] for line in (ROOT / "brandwatch" / "data" / "words.txt").read_text("utf-8")
             .splitlines()[:20000]]
    rng = random.Random(12)
    parts, n, since = [], 0, 0
    while n < size:
        if since >= 2048:
            part, since = rng.choice(selling) + "\n", 0
        else:
            part = "".join(rng.choice(words) for _ in range(rng.randint(3, 12))) + rng.choice("，。！？\n")
        parts.append(part)
        n += len(part.encode())
        since += len(part.encode())
    out["sparse"] = "".join(parts)
    unit = "征信修复加V：abc123 "
    out["worst"] = unit * (size // len(unit.encode()) + 1)
    return out


def best(fn, text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - t0)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=int, default=100, help="text size in KB of UTF-8 (default 100)")
    parser.add_argument("--repeat", type=int, default=20, help="runs per measurement; the best is kept")
    args = parser.parse_args()

    from brandwatch.leads.pitches import classify, normalise

    t0 = time.perf_counter()
    classify("征信修复")
    print(f"tables and automata built in {time.perf_counter() - t0:.2f} s (once per process)")
    print(f"{'text':8s} {'chars':>8s} {'KB':>6s} {'classify ms':>12s} {'normalise ms':>13s} {'str.count ms':>13s}"
          f" {'ratio':>8s} {'phrases':>8s} {'cues':>6s}  category")
    for name, text in texts(args.kb * 1024).items():
        ms = best(classify, text, args.repeat)
        norm = best(normalise, text, args.repeat)
        ref = best(lambda t: t.count("征信修复"), text, args.repeat)
        p = classify(text)
        print(f"{name:8s} {len(text):8d} {len(text.encode()) / 1024:6.0f} {ms:12.2f} {norm:13.2f} {ref:13.3f}"
              f" {ms / max(ref, 1e-6):8.0f} {len(p.phrases):8d} {len(p.cues):6d}  {p.category}")


if __name__ == "__main__":
    main()
