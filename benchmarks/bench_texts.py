#!/usr/bin/env python3
"""The whole scan of one text (`brandwatch texts`, and the crawl for listings with text): mentions of marks,
the pitch, the contacts and the fake-contact check, on 100 KB texts, as ratios against a reference run in
the same process.

    python benchmarks/bench_texts.py                 # 100 KB, best of 10
    python benchmarks/bench_texts.py --kb 1000 --repeat 3

Texts (the same three as bench_pitches.py: dense, the labelled set over and over; sparse, ordinary
Chinese with a selling text every 2 KB; worst, one short pitch with a contact every few characters).
Reference: ``re.findall(r"\\d+")`` over the same text, the floor of any scan that looks at every character.
Goal (issue 12): a 100 KB text scanned in under 50 ms.
"""

from __future__ import annotations

import argparse
import re
import sys
import time

from bench_pitches import best, texts
from common import ROOT

sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=int, default=100, help="text size in KB of UTF-8 (default 100)")
    parser.add_argument("--repeat", type=int, default=10, help="runs per measurement; the best is kept")
    args = parser.parse_args()

    from brandwatch.config import load_watchlists
    from brandwatch.leads.contacts import extract_contacts
    from brandwatch.leads.mentions import find_mentions
    from brandwatch.leads.pitches import classify
    from brandwatch.leads.scan import scan_text
    from brandwatch.match import Matcher

    t0 = time.perf_counter()
    matcher = Matcher(load_watchlists(ROOT / "watchlists"))
    matcher.warm()
    scan_text(matcher, matcher.watchlists, "微众银行客服 400-686-1234 停息挂账")
    print(f"matcher, lexicon and tables built in {time.perf_counter() - t0:.2f} s (once per process)")
    digits = re.compile(r"\d+")
    print(f"{'text':8s} {'KB':>5s} {'scan ms':>9s} {'mentions':>9s} {'pitch':>7s} {'contacts':>9s} {'ref ms':>8s}"
          f" {'ratio':>6s} {'marks':>6s} {'contacts':>9s} {'fakes':>6s}  goal < 50 ms")
    for name, text in texts(args.kb * 1024).items():
        ms = best(lambda t: scan_text(matcher, matcher.watchlists, t), text, args.repeat)
        mentions = best(lambda t: find_mentions(matcher, t), text, args.repeat)
        pitch = best(classify, text, args.repeat)
        contacts = best(extract_contacts, text, args.repeat)
        ref = best(digits.findall, text, args.repeat)
        s = scan_text(matcher, matcher.watchlists, text)
        print(f"{name:8s} {len(text.encode()) / 1024:5.0f} {ms:9.1f} {mentions:9.1f} {pitch:7.1f} {contacts:9.1f}"
              f" {ref:8.2f} {ms / max(ref, 1e-6):6.0f} {len(s.marks):6d} {len(s.contacts):9d} {len(s.fakes):6d}"
              f"  {'ok' if ms < 50 else 'OVER'}")


if __name__ == "__main__":
    main()
