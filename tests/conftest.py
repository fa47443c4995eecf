from __future__ import annotations

from pathlib import Path

import pytest

from brandwatch import Matcher, load_watchlists
from brandwatch.config import default_risk_terms

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    """The repo's example watchlists plus the eval set's owners (奇富, 度小满)."""
    lists = load_watchlists(ROOT / "tests" / "fixtures" / "watchlists")
    return Matcher(lists, default_risk_terms())
