#!/usr/bin/env python3
"""Actor networks through the store, as a crawl builds them: 100k company listings saved with their
attributes, then the after-run proposals and one hit's network, as ratios against a reference query in the
same process.

    python benchmarks/bench_networks_store.py              # 100,000 listings, 100 confirmed imitators
    python benchmarks/bench_networks_store.py --n 20000

The listings are bench_network.py's (seeded; clusters of 2–6 one controller runs, registration agents'
addresses as hubs). Timed (wall seconds):

- save: ``match_listings`` (names through the matcher, attributes normalised) and ``save_matched`` in
  batches of 4,000, as a feed is saved: the listings and their attributes in the store;
- propose: ``propose_related`` after 100 listings of clusters were confirmed: the neighbourhood read
  from the store, the graph, the paths, the ``related`` hits written;
- network: ``hit_network`` for one confirmed hit (what `brandwatch network HIT` and the hit page run);
- reference: one ``SELECT count(*) FROM attributes GROUP BY kind, value`` over the whole table (the
  floor of any store-wide look at the attributes).

Goal (issue 12): 100k listings' networks built in under a minute.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from bench_network import companies
from common import ROOT

sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seeds", type=int, default=100)
    args = parser.parse_args()

    from brandwatch.config import load_watchlists
    from brandwatch.leads.reading import match_listings
    from brandwatch.match import Matcher
    from brandwatch.models import Hit, Listing
    from brandwatch.networks import hit_network, propose_related
    from brandwatch.pipeline import save_matched
    from brandwatch.store import Store

    rows, clusters = companies(args.n)
    listings = [Listing("registry", f["统一社会信用代码"], "company", name, fields=tuple(sorted(f.items())))
                for name, f in rows]
    matcher = Matcher(load_watchlists(ROOT / "watchlists"))
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bw.db")
        t0 = time.perf_counter()
        for at in range(0, len(listings), 4000):
            batch = listings[at:at + 4000]
            found = match_listings(matcher, batch)
            with store.transaction():
                save_matched(store, batch, found, None, None)
        save = time.perf_counter() - t0
        n_attr = store.db.execute("SELECT count(*) FROM attributes").fetchone()[0]
        # confirmed imitators: one listing of each of the first clusters gets a confirmed hit
        rng = random.Random(3)
        picked = [rng.choice(c) + 1 for c in clusters[: args.seeds]]  # listing ids are 1-based, in order
        hit = Hit("weizhong", "微众", "深圳前海微众银行股份有限公司", 90, "high", ("contains",), "微众", "bench")
        with store.transaction():
            store.save_hits_many([(lid, [hit]) for lid in picked])
            store.db.execute("UPDATE hits SET status = 'confirmed'")
        t0 = time.perf_counter()
        proposed = propose_related(store)
        propose = time.perf_counter() - t0
        first = store.db.execute("SELECT min(id) FROM hits WHERE status = 'confirmed'").fetchone()[0]
        t0 = time.perf_counter()
        doc = hit_network(store, first)
        network = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.db.execute("SELECT kind, value, count(*) FROM attributes GROUP BY kind, value").fetchall()
        ref = time.perf_counter() - t0
        store.close()
    print(f"{args.n:,} listings, {n_attr:,} attribute rows, {args.seeds} confirmed imitators")
    print(f"save (match + attributes + store)  {save:8.2f} s  ({save / args.n * 1e6:.0f} µs a listing)")
    print(f"propose_related                    {propose:8.2f} s  → {len(proposed)} related proposals"
          f"  ratio to reference {propose / ref:.1f}")
    print(f"hit_network (one hit)              {network:8.3f} s  → {len(doc['connected'])} linked"
          f"  ratio to reference {network / ref:.2f}")
    print(f"reference: attributes grouped      {ref:8.2f} s")
    total = save + propose
    print(f"networks built for {args.n:,} listings in {total:.1f} s: {'under' if total < 60 else 'OVER'} the "
          "minute of issue 12")


if __name__ == "__main__":
    main()
