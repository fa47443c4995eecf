from __future__ import annotations

import os
from pathlib import Path

import pytest

# every process builds its matcher in memory; tests/test_index.py turns the saved index back on
os.environ["BRANDWATCH_INDEX"] = "off"

from brandwatch import Matcher, load_watchlists
from brandwatch.config import default_risk_terms

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    """The repo's example watchlists plus the eval set's owners (奇富, 度小满)."""
    lists = load_watchlists(ROOT / "tests" / "fixtures" / "watchlists")
    return Matcher(lists, default_risk_terms())


@pytest.fixture(autouse=True)
def _forget_secrets():
    """The secrets registry is process-wide (brandwatch/secrets.py): each test starts with none, so a URL a
    test registered is not masked in a later test whose server happens to get the same port."""
    yield
    from brandwatch import secrets

    secrets.clear()
