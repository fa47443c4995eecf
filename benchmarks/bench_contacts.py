#!/usr/bin/env python3
"""Contact extraction on 100 KB of Chinese text, against a reference run here in the same process.

    python benchmarks/bench_contacts.py                 # 100 KB (UTF-8), best of 20
    python benchmarks/bench_contacts.py --kb 1000 --repeat 5

The text is synthetic but shaped like a listing's body: prose drawn from the shipped word-frequency
lexicon (brandwatch/data/words.txt, so common characters such as 一 are as common as in real text),
with dates, amounts, percentages, order numbers and Latin words in a third of the sentences, and a
contact in one sentence of twenty (plain and disguised phones, WeChat and QQ after their markers,
e-mail, URLs). ``--dense`` puts a number in every sentence and a contact in every fourth: the worst a
spam post gets.

Printed: extract_contacts (best of --repeat, after one warm-up call so the tables are built), the
reference ``re.findall(r"\\d+")`` over the same text, and their ratio; then a few hostile texts of the
same size (one endless run of spaced digits, thousands of '#', markers without ids), which must stay
linear. Goal (issue 12): well under 20 ms for 100 KB of realistic text; since version 2 of the rules
(decorated markers, spelt-out dots), under 5 ms on an idle machine.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import re
import sys
import time

from common import ROOT  # benchmarks/common.py

sys.path.insert(0, str(ROOT))

from brandwatch.leads import contacts
from brandwatch.match.tables import _data

_CN = "〇幺二三四五六七八九"


def _lexicon() -> tuple[list[str], list[int]]:
    words, cum = [], []
    total = 0
    for line in _data("words.txt").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[1].isdigit():
            total += int(parts[1])
            words.append(parts[0])
            cum.append(total)
    return words, cum


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _contact(rng: random.Random) -> str:
    m = _mobile(rng)
    qq = str(rng.randrange(10**7, 10**9))
    return rng.choice([
        f"联系电话{m}", f"手机：{m[:3]} {m[3:7]} {m[7:]}",
        f"客服热线400-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
        f"电话：0755-{rng.randrange(2 * 10**7, 9 * 10**7)}", "加V：dk" + str(rng.randrange(10**5, 10**7)),
        "微信号：kefu_" + str(rng.randrange(1000, 99999)), "QQ：" + str(rng.randrange(10**5, 10**10)),
        "电话：" + "".join(_CN[int(x)] for x in m), "联系 " + " ".join(m), f"邮箱 kefu{rng.randrange(999)}@163.com",
        f"详见 https://www.example{rng.randrange(50)}.com/news/{rng.randrange(10**6)}.html",
        "薇信 abc" + str(rng.randrange(10**4, 10**6)), "扣扣 " + "".join(_CN[int(x)] for x in qq),
        # version 2 of the rules: decorated and lone markers, spelt-out dots
        "薇❤信：zx-" + str(rng.randrange(10**3, 10**5)), "找经理：V hj-" + str(rng.randrange(10**3, 10**5)),
        "q " + qq, f"kefu{rng.randrange(999)}（at）163点com", f"www . dk{rng.randrange(999)} . com",
        f"sdloan{rng.randrange(999)}点cn", "❶❸❺⓿❷❽❽❼❶❻❸",
    ])


def _number(rng: random.Random) -> str:
    return rng.choice([
        f"{rng.randrange(2010, 2026)}年{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日",
        f"{rng.randrange(2010, 2026)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
        f"{rng.randrange(100, 10**6)}元", f"{rng.randrange(1, 100)}%", f"{rng.randrange(1, 50)}万",
        f"订单号{rng.randrange(10**11, 10**13)}", f"第{rng.randrange(1, 200)}条",
        f"{rng.randrange(1, 24)}:{rng.randrange(60):02d}",
        rng.choice(["APP", "VIP", "iPhone", "WiFi", "OK", "iOS", "Android", "CEO", "PDF"]),
    ])


def text_of(size: int, rng: random.Random, dense: bool = False) -> str:
    """``size`` bytes (UTF-8) of post-like Chinese text."""
    words, cum = _lexicon()
    total = cum[-1]
    out: list[str] = []
    n = 0
    for i in itertools.count():
        k = rng.randrange(6, 18)
        sentence = [words[bisect.bisect_right(cum, rng.randrange(total))] for _ in range(k)]
        if dense or rng.random() < 0.33:
            sentence.insert(rng.randrange(k), _number(rng))
        if (dense and i % 4 == 0) or (not dense and rng.random() < 0.05):
            sentence.insert(rng.randrange(k), "，" + _contact(rng) + "，")
        s = "".join(sentence) + rng.choice("。。。，！？")
        out.append(s)
        n += len(s.encode("utf-8"))
        if n >= size:
            break
    return "".join(out)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    size = args.kb * 1000
    contacts.extract_contacts(text_of(20_000, random.Random(0)))  # build tables, load the suffix list
    digits = re.compile(r"\d+")
    print(f"{'text':<28}{'chars':>9}{'found':>7}{'extract ms':>12}{'ref ms':>9}{'ratio':>8}")
    cases = [("realistic", text_of(size, random.Random(1))),
             ("dense (spam)", text_of(size, random.Random(2), dense=True)),
             ("hostile: '1 ' repeated", "1 " * (size // 2)),
             ("hostile: '#话题# ' repeated", "#话题# " * (size // 11)),
             ("hostile: '微信' repeated", "微信" * (size // 6)),
             ("hostile: 'a.' repeated", "a." * (size // 2)),
             ("hostile: 'a . ' repeated", "a . " * (size // 4)),
             ("hostile: 'v ' repeated", "v " * (size // 2)),
             ("hostile: '薇❤' repeated", "薇❤" * (size // 7))]
    for name, text in cases:
        def run(text: str = text) -> None:
            contacts._classify.cache_clear()  # every number new, as in a stream of posts
            contacts.extract_contacts(text)

        found = len(contacts.extract_contacts(text))
        t = best(run, args.repeat if name[:7] != "hostile" else max(3, args.repeat // 5))
        r = best(lambda text=text: digits.findall(text), args.repeat)
        print(f"{name:<28}{len(text):>9}{found:>7}{t * 1000:>12.2f}{r * 1000:>9.2f}{t / r:>8.1f}")


if __name__ == "__main__":
    main()
