"""Lower layers never import higher ones: models ← match ← screen ← cli (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "brandwatch"

# module (relative to the package) → package modules it must not import
FORBIDDEN = {
    "models.py": {"match", "config", "screen", "cli", "demo"},
    "errors.py": {"match", "config", "screen", "cli", "demo", "models"},
    "match": {"config", "screen", "cli", "demo"},
    "config.py": {"match", "screen", "cli", "demo"},
    "labels.py": {"match", "config", "screen", "cli", "demo", "store", "models", "review", "report", "export",
                  "alerts"},
    "links.py": {"match", "config", "screen", "cli", "demo", "store", "review", "report", "export", "alerts"},
    "inputs.py": {"match", "config", "screen", "cli", "demo", "distributed", "store", "blocks"},
    "workbook.py": {"match", "config", "screen", "cli", "demo", "distributed", "store", "blocks"},
    "blocks.py": {"match", "config", "screen", "cli", "demo", "distributed", "store"},
    "screen.py": {"cli", "demo", "distributed"},
    "distributed.py": {"cli", "demo", "config", "store", "pipeline", "scheduler"},
    "store.py": {"match", "config", "screen", "cli", "demo", "captures"},
    "retention.py": {"match", "config", "screen", "cli", "demo", "captures", "pipeline", "scheduler", "sources",
                     "fetch"},
    "sources": {"match", "config", "screen", "cli", "demo", "store", "fetch", "pipeline", "scheduler", "captures"},
    "pipeline.py": {"cli", "scheduler", "demo", "config"},
    # the composition root wires the library for the edges; the daemon schedules it
    "app.py": {"cli", "demo", "scheduler", "web"},
    "scheduler.py": {"cli", "demo", "web"},
    "web": {"cli", "demo", "scheduler"},
    "schedules.py": {"match", "screen", "cli", "demo", "store", "pipeline", "scheduler", "sources", "fetch"},
    "fetch.py": {"match", "config", "screen", "cli", "demo", "store"},
    # bounded network I/O under both fetching and alerts
    "net.py": {"match", "config", "screen", "cli", "demo", "store", "models", "sources", "fetch", "pipeline",
               "scheduler", "alerts"},
    "captures.py": {"match", "config", "screen", "cli", "demo", "store"},
    "audit.py": {"match", "config", "screen", "cli", "demo", "store", "models", "review"},
    "review.py": {"match", "config", "screen", "cli", "demo", "pipeline", "scheduler", "sources", "fetch"},
    "followup.py": {"config", "screen", "cli", "demo", "pipeline", "scheduler", "sources", "fetch"},
    # the workflow's outputs read the store; they never crawl or match
    "export.py": {"match", "screen", "cli", "demo", "pipeline", "scheduler", "sources", "fetch"},
    "evidence": {"match", "screen", "cli", "demo", "pipeline", "scheduler", "sources", "fetch"},
    # what every writer calls: below everything that writes
    "secrets.py": {"match", "config", "screen", "cli", "demo", "models", "store", "captures", "logs", "pipeline",
                   "scheduler", "sources", "fetch", "alerts", "errors"},
    "bounded.py": {"match", "config", "screen", "cli", "demo", "store", "pipeline", "scheduler", "sources", "fetch"},
    "lockfile.py": {"match", "config", "screen", "cli", "demo", "store", "pipeline", "scheduler", "sources", "fetch"},
    "logs.py": {"match", "config", "screen", "cli", "demo", "store", "pipeline", "scheduler", "sources", "fetch"},
    "report": {"match", "screen", "cli", "demo", "pipeline", "scheduler", "sources", "fetch"},
    # leads read texts and attributes: pure, beside the matcher, below everything that stores or crawls
    "leads": {"config", "screen", "cli", "demo", "store", "pipeline", "scheduler", "sources", "fetch", "report",
              "alerts", "web", "networks", "review", "evidence", "export"},
    # the networks over the store: read it and write proposals, never crawl
    "networks.py": {"cli", "demo", "pipeline", "scheduler", "sources", "fetch", "web", "report", "alerts"},
    "alerts": {"match", "screen", "cli", "demo", "pipeline", "scheduler", "sources", "fetch"},
}


# app.py (the composition root) sits beside the daemon: what may not import scheduler may not import app
# (web/ uses the composition root, as the CLI does)
for _module, _forbidden in FORBIDDEN.items():
    if "scheduler" in _forbidden and _module != "web":
        _forbidden.add("app")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level == 0 and mod.startswith("brandwatch"):
                mod = mod.removeprefix("brandwatch").lstrip(".")
            elif node.level == 0:
                continue
            elif node.level == 2 and path.parent.name == "match":
                pass
            elif node.level == 1 and path.parent.name == "match":
                continue  # within match/
            out.add(mod.split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("brandwatch."):
                    out.add(alias.name.split(".")[1])
    return out


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_no_upward_imports(module):
    target = PKG / module
    files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
    for f in files:
        bad = _imports(f) & FORBIDDEN[module]
        assert not bad, f"{f.relative_to(PKG)} imports {sorted(bad)}, a higher layer"


def test_matcher_does_no_io():
    for f in (PKG / "match").rglob("*.py"):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert "open" not in names, f"{f.name} opens files; the matcher is pure (tables load via tables.py)"
        mods = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not mods & {"requests", "sqlite3", "sqlite_utils", "socket"}, f.name
