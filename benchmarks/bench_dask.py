#!/usr/bin/env python3
"""The Dask engine against the local one on the same names: time, memory, and the same hits.

    python benchmarks/bench_dask.py                # 3,000,000 names
    python benchmarks/bench_dask.py --n 1000000    # quicker

Names come from ../shared/bench/gen_names.py; the watchlists are
../shared/eval/watchlists (else ./watchlists). The local engine screens the
file in this process (one core); then a LocalCluster of --workers worker
processes (one thread each) is started and the Dask engine screens the same
file on it. Wall-clock seconds (the point of a cluster is the wall clock),
on a shared VM whose clock jumps with its neighbours: read the ratio, not the
seconds. The two outputs are compared row by row (sorted) and byte for byte.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SHARED, generate  # benchmarks/common.py


def peak_rss_mib() -> float:
    """This process's peak RSS in MiB: VmHWM, the high-water mark of its own memory (ru_maxrss would
    report a worker's parent's peak, inherited through fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sorted_rows(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return sorted(lines[1:])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=3_000_000)
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()

    sys.path.insert(0, str(ROOT))
    from distributed import Client, LocalCluster

    from brandwatch import Matcher, load_watchlists
    from brandwatch.config import default_risk_terms
    from brandwatch.distributed import dump_matcher_bytes, load_matcher_bytes, screen_dask
    from brandwatch.screen import screen_file

    wl_dir = SHARED / "eval" / "watchlists"
    if not wl_dir.is_dir():
        wl_dir = ROOT / "watchlists"

    with tempfile.TemporaryDirectory() as tmp:
        names = Path(tmp) / "names.csv"
        t0 = time.perf_counter()
        generate(a.n, names)
        print(f"{a.n:,} names ({names.stat().st_size / 2**20:.0f} MiB, generated in {time.perf_counter() - t0:.1f}s),"
              f" watchlists {wl_dir}")

        t0 = time.perf_counter()
        matcher = Matcher(load_watchlists(wl_dir), default_risk_terms())
        build = time.perf_counter() - t0
        t0 = time.perf_counter()
        data = dump_matcher_bytes(matcher)
        dump = time.perf_counter() - t0
        t0 = time.perf_counter()
        load_matcher_bytes(data)
        load = time.perf_counter() - t0
        print(f"matcher: built in {build:.2f}s; pickled {len(data):,} bytes in {dump:.2f}s, unpickled in {load:.2f}s")

        local_out = Path(tmp) / "local.csv"
        t0 = time.perf_counter()
        summary = screen_file(names, local_out, matcher)
        t_local = time.perf_counter() - t0
        print(f"local  1 process        {t_local:7.2f}s  ({summary.hits:,} hits in {summary.names_hit:,} names;"
              f" peak RSS {peak_rss_mib():.0f} MiB)")

        t0 = time.perf_counter()
        with LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=":0", silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            t_start = time.perf_counter() - t0
            dask_out = Path(tmp) / "dask.csv"
            t0 = time.perf_counter()
            dsummary = screen_dask(names, dask_out, matcher, cluster.scheduler_address)
            t_dask = time.perf_counter() - t0
            worker_rss = client.run(peak_rss_mib)
        rss = ", ".join(f"{v:.0f}" for v in worker_rss.values())
        print(f"dask   {a.workers} workers        {t_dask:7.2f}s  ({dsummary.hits:,} hits in {dsummary.names_hit:,}"
              " names;"
              f" cluster started in {t_start:.1f}s, not counted; worker peak RSS {rss} MiB)")
        print(f"ratio dask / local = {t_dask / t_local:.2f}")

        same_rows = sorted_rows(local_out) == sorted_rows(dask_out)
        same_bytes = local_out.read_bytes() == dask_out.read_bytes()
        print(f"same hits: {same_rows} (sorted rows), same file: {same_bytes} (bytes)")
        if not (same_rows and same_bytes):
            sys.exit("the Dask engine's hits differ from the local engine's")


if __name__ == "__main__":
    main()
