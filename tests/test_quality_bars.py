"""The matcher's quality bars, on the shared labelled and real name sets (skipped where absent)."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from brandwatch import Matcher, load_watchlists
from brandwatch.config import default_risk_terms
from brandwatch.screen import screen_file

from .conftest import SHARED

EVAL = SHARED / "eval" / "evaluate.py"
REAL = SHARED / "data" / "real-names.csv"


@pytest.mark.skipif(not EVAL.exists(), reason="../shared/eval not present")
def test_dev_set_recall_and_false_alarms():
    run = subprocess.run(
        [sys.executable, str(EVAL), "--cmd", f"{sys.executable} -m brandwatch", "--min-recall", "0.98",
         "--max-fp", "0.01"],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


@pytest.mark.skipif(not REAL.exists(), reason="../shared/data/real-names.csv not present")
def test_real_names_flag_at_most_one_in_a_thousand(tmp_path):
    matcher = Matcher(load_watchlists(SHARED / "eval" / "watchlists"), default_risk_terms())
    out = tmp_path / "hits.csv"
    summary = screen_file(REAL, out, matcher)
    flagged = {row["id"] for row in csv.DictReader(open(out, encoding="utf-8-sig"))}
    assert summary.rows > 270_000
    assert len(flagged) / summary.rows <= 0.001, f"{len(flagged)} of {summary.rows} names flagged"
