"""What the benchmarks share: where the project and ../shared are, and registry-scale names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def generate(n: int, path: Path) -> None:
    """n synthetic enterprise names (id,name,kind) from ../shared/bench/gen_names.py into ``path``."""
    gen = SHARED / "bench" / "gen_names.py"
    if not gen.exists():
        sys.exit(f"{gen} not found: the benchmark needs ../shared/bench (names at registry scale)")
    with open(path, "w", encoding="utf-8") as f:
        subprocess.run([sys.executable, str(gen), str(n)], stdout=f, check=True)
