"""What the store keeps and for how long, and the two commands that look after it: stats and vacuum.

The retention policy (README "Store maintenance and retention"):

Kept for ever — legal evidence and the team's decisions; brandwatch never deletes them:
  hits, audit (append-only by trigger), proposals, allow_names, listings,
  listing_changes, sightings (compact since schema 3: a listing's first showing
  and each change), captures and their WARC records, feeds, listing_texts,
  attributes, fake_contacts.

May be pruned by ``brandwatch store vacuum`` once older than ``--older-than``
days (default 180):
  runs     that nothing refers to (no capture, sighting or listing names it),
           that have ended, and that follow-up no longer counts: a run after the
           last sighting of a listing under watch is evidence of its absence
           (``removed``), so every run since the oldest such sighting is kept.
           Weekly reports of pruned weeks then show fewer runs under source health.
  outbox   alert messages already delivered (a copy of hits the store keeps).

Then the WAL is checkpointed, ``VACUUM`` gives free pages back to the disk (it
writes a copy of the database: have as much free space again) and ``PRAGMA
optimize`` refreshes the planner's statistics.

Like store.py, this module knows table names; the two are the only ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .models import stamp
from .review import WATCHED
from .store import Store

DEFAULT_OLDER_THAN_DAYS = 180

_PRUNABLE_RUNS = """
    FROM runs WHERE started_at < :cutoff AND outcome != 'running' AND ended_at IS NOT NULL
      AND id NOT IN (SELECT run_id FROM captures WHERE run_id IS NOT NULL)
      AND id NOT IN (SELECT run_id FROM sightings WHERE run_id IS NOT NULL)
      AND id NOT IN (SELECT last_run_id FROM listings WHERE last_run_id IS NOT NULL)
      AND started_at < coalesce((SELECT min(l.last_seen) FROM hits h JOIN listings l ON l.id = h.listing_id
                                 WHERE h.status IN ({watched})), '9999')
""".format(watched=", ".join(f"'{s}'" for s in WATCHED))
_PRUNABLE_OUTBOX = "FROM outbox WHERE sent_at IS NOT NULL AND sent_at < :cutoff"
PRUNABLE = {"runs": _PRUNABLE_RUNS, "outbox": _PRUNABLE_OUTBOX}  # table → the rows the policy lets go of


@dataclass(frozen=True)
class StoreStats:
    rows: dict[str, int]  # table → rows
    db_bytes: int
    wal_bytes: int
    page_size: int
    pages: int
    free_pages: int
    oldest_run: str | None
    newest_run: str | None
    captures_bytes: int  # the WARC files


@dataclass
class VacuumResult:
    dry_run: bool
    cutoff: str
    pruned: dict[str, int] = field(default_factory=dict)  # table → rows pruned (or that would be)
    bytes_before: int = 0
    bytes_after: int = 0
    free_pages: int = 0  # before the VACUUM: what it gives back


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def store_stats(store: Store, captures_dir: Path | str | None = None) -> StoreStats:
    """Row counts per table, the database's size on disk and its WAL, free pages, the oldest and newest run."""
    pragma = lambda name: store.db.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    oldest, newest = store.db.execute("SELECT min(started_at), max(started_at) FROM runs").fetchone()
    folder = Path(captures_dir) if captures_dir else None
    warc = sum(p.stat().st_size for p in folder.glob("*.warc.gz")) if folder and folder.is_dir() else 0
    return StoreStats(rows=store.counts(), db_bytes=_size(store.path), wal_bytes=_size(Path(f"{store.path}-wal")),
                      page_size=pragma("page_size"), pages=pragma("page_count"), free_pages=pragma("freelist_count"),
                      oldest_run=oldest, newest_run=newest, captures_bytes=warc)


def vacuum(store: Store, older_than_days: int = DEFAULT_OLDER_THAN_DAYS, *, dry_run: bool = False,
           now: datetime | None = None) -> VacuumResult:
    """Prune what the policy lets go of, then checkpoint, VACUUM and optimize; ``dry_run`` only counts.

    Hold the database lock (``app.database_lock``) unless ``dry_run``: VACUUM rewrites the file.
    """
    cutoff = stamp((now or datetime.now(UTC)) - timedelta(days=older_than_days))
    result = VacuumResult(dry_run, cutoff, bytes_before=_size(store.path) + _size(Path(f"{store.path}-wal")))
    args = {"cutoff": cutoff}
    result.free_pages = store.db.execute("PRAGMA freelist_count").fetchone()[0]
    if dry_run:
        result.pruned = {table: store.db.execute(f"SELECT count(*) {where}", args).fetchone()[0]
                         for table, where in PRUNABLE.items()}
        result.bytes_after = result.bytes_before
        return result
    with store.transaction():
        result.pruned = {table: store.db.execute(f"DELETE {where}", args).rowcount for table, where in PRUNABLE.items()}
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.execute("VACUUM")
    store.db.execute("PRAGMA optimize")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    result.bytes_after = _size(store.path) + _size(Path(f"{store.path}-wal"))
    return result
