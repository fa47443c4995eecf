"""The web inbox at scale: the first page with 1M listings and 100k hits (goal: under 300 ms on this machine).

Builds a store of LISTINGS listings of which HITS carry a hit (statuses, severities, marks, sources
spread over them), signs in through the app, and times the inbox's first page (best and median of
REPEATS), a filtered page, a page deep in the list, and a hit page. The reference, in the same
process, is the bare query the first page rests on (store.hit_records with the inbox order, limit
50): the ratio says what rendering, counting and facets add.

    python benchmarks/bench_web.py [--listings 1000000] [--hits 100000]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BRANDWATCH_INDEX", "off")

from brandwatch.accounts import add_user
from brandwatch.models import Hit, Listing
from brandwatch.store import Store
from brandwatch.web import create_app

ROOT = Path(__file__).resolve().parent.parent
MARKS = [("weizhong", "微众"), ("alipay", "支付宝"), ("huabei", "花呗"), ("cmb", "招商银行"), ("jiebei", "借呗")]
STATUSES = ["new"] * 6 + ["confirmed", "dismissed", "letter_sent", "removed"]
SEVERITIES = [("high", 95), ("medium", 75), ("low", 55)]
RULES = ["contains", "homophone", "traditional", "separator", "homophone+separator", "lookalike"]


def build(db: Path, listings: int, hits: int) -> None:
    step = max(1, listings // hits)
    with Store(db) as store:
        batch: list[Listing] = []
        start = time.perf_counter()
        for i in range(listings):
            kind = "company" if i % 3 else "app"
            batch.append(Listing(f"source{i % 4}", f"K{i:08d}", kind, f"测试{i}信息科技有限公司",
                                 f"https://example.test/{i}", (("统一社会信用代码", f"91{i:016d}"),)))
            if len(batch) == 20_000 or i == listings - 1:
                with store.transaction():
                    saved = store.save_listings(batch)
                    found = []
                    for k, listing in enumerate(batch):
                        n = int(listing.key[1:])
                        if n % step == 0 and n // step < hits:
                            j = n // step
                            mark_id, mark = MARKS[j % len(MARKS)]
                            severity, score = SEVERITIES[j % 3]
                            found.append((saved[k].id, [Hit(mark_id, mark, "owner", score, severity,
                                                            tuple(RULES[j % len(RULES)].split("+")), mark,
                                                            f"字号含商标「{mark}」 {n}")]))
                    store.save_hits_many(found)
                batch = []
        for k in range(4):
            store.finish_run(store.start_run(f"source{k}"), "ok")
        store.db.execute("UPDATE hits SET status = CASE id % 10 " + " ".join(
            f"WHEN {k} THEN '{s}'" for k, s in enumerate(STATUSES)) + " END")
        add_user(store, "bench", "viewer", "bench-password-1")
        print(f"built {listings:,} listings, {store.count_hits():,} hits in {time.perf_counter() - start:.1f}s")


def timed(fn, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--listings", type=int, default=1_000_000)
    ap.add_argument("--hits", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        db = Path(tmp) / "bw.db"
        build(db, args.listings, args.hits)
        config = Path(tmp) / "config.yaml"
        config.write_text(f"watchlists: {ROOT / 'watchlists'}\ndatabase: {db}\n", encoding="utf-8")
        app = create_app(config, secure_cookies=False)
        client = app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
        client.post("/login", data={"name": "bench", "password": "bench-password-1", "csrf_token": token})

        def get(path: str) -> None:
            r = client.get(path)
            assert r.status_code == 200, (path, r.status_code, r.get_data(as_text=True)[-600:])

        def bare() -> None:
            with Store(db) as store:
                store.hit_records(status=["new", "confirmed", "letter_sent"], order="inbox", limit=50)

        ref_best, ref_med = timed(bare, args.repeats)
        print(f"reference: the first page's query alone       best {ref_best:7.1f} ms  median {ref_med:7.1f} ms")
        for label, path in [("inbox, first page", "/"), ("inbox, high, one mark", "/?severity=high&mark=alipay"),
                            ("inbox, page 200", "/?page=200"), ("inbox, all statuses", "/?all=1"),
                            ("a hit page", "/hits/1")]:
            get(path)  # warm
            best, med = timed(lambda p=path: get(p), args.repeats)
            goal = "  (goal < 300 ms)" if path == "/" else ""
            print(f"{label:<45} best {best:7.1f} ms  median {med:7.1f} ms  ratio {med / ref_med:5.1f}{goal}")


if __name__ == "__main__":
    main()
