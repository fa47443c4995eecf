"""The store: one SQLite file holding listings, hits, captures and runs.

The only module that knows table names. Opening a store applies any schema
migrations it lacks (``PRAGMA user_version`` counts them), in WAL mode so a
reader never blocks the daemon, with foreign keys on. Every write that
belongs together is one transaction: a crash leaves the database as it was
before or after it, never between.

Tables
  runs             one row per source run: start, end, counts, outcome
  captures         one row per kept response: SHA-256, times, URLs, status,
                   headers, and where its WARC record lies (file, offset, length)
  listings         one row per (source, key): name, kind, fields, first/last seen
  listing_changes  the history of a listing's name and status
  hits             one row per (listing, mark); re-crawling updates the match,
                   never what a person decided (status, assignee, notes)
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import BrandwatchError
from .models import Capture, Hit, Listing, utc_now

SCHEMA_VERSION = 1


class StoreError(BrandwatchError):
    """The database cannot be opened or is not a brandwatch store."""


def _v1(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            pages INTEGER NOT NULL DEFAULT 0,
            listings INTEGER NOT NULL DEFAULT 0,
            new_hits INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            outcome TEXT CHECK (outcome IN ('running', 'ok', 'partial', 'failed', 'blocked')),
            message TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX runs_source ON runs (source, started_at);
        CREATE TABLE captures (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs (id),
            sha256 TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            request_url TEXT NOT NULL,
            final_url TEXT NOT NULL,
            status INTEGER NOT NULL,
            headers TEXT NOT NULL,
            size INTEGER NOT NULL,
            warc_file TEXT NOT NULL,
            warc_offset INTEGER NOT NULL,
            warc_length INTEGER NOT NULL
        );
        CREATE INDEX captures_sha256 ON captures (sha256);
        CREATE TABLE listings (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            key TEXT NOT NULL,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            url TEXT NOT NULL DEFAULT '',
            fields TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT '',
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            capture_id INTEGER REFERENCES captures (id),
            UNIQUE (source, key)
        );
        CREATE TABLE listing_changes (
            id INTEGER PRIMARY KEY,
            listing_id INTEGER NOT NULL REFERENCES listings (id),
            seen_at TEXT NOT NULL,
            field TEXT NOT NULL,
            old TEXT NOT NULL,
            new TEXT NOT NULL,
            capture_id INTEGER REFERENCES captures (id)
        );
        CREATE INDEX listing_changes_listing ON listing_changes (listing_id);
        CREATE TABLE hits (
            id INTEGER PRIMARY KEY,
            listing_id INTEGER NOT NULL REFERENCES listings (id),
            mark_id TEXT NOT NULL,
            mark TEXT NOT NULL,
            score INTEGER NOT NULL,
            severity TEXT NOT NULL,
            rule TEXT NOT NULL,
            span TEXT NOT NULL,
            explanation TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'new',
            assignee TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            UNIQUE (listing_id, mark_id)
        );
        CREATE INDEX hits_status ON hits (status, severity);
        """
    )


# Migrations in order; the store's version is how many have been applied.
MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (_v1,)


@dataclass(frozen=True)
class SavedListing:
    id: int
    new: bool
    changes: tuple[tuple[str, str, str], ...]  # (field, old, new)


class Store:
    """A brandwatch database. Use as a context manager, or call close()."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"{self.path}: cannot open the database ({e}); check the path in config.yaml") from None
        self.db = sqlite_utils.Database(conn)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as e:
            conn.close()
            raise StoreError(f"{self.path}: not a brandwatch database ({e}); give another path") from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.conn.close()

    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: schema version {current} is newer than this brandwatch knows "
                f"({len(MIGRATIONS)}); upgrade brandwatch"
            )
        for number in range(current, len(MIGRATIONS)):
            with self.transaction():
                MIGRATIONS[number](self.db)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    def transaction(self) -> _Transaction:
        """``with store.transaction():`` — all or nothing."""
        return _Transaction(self.db.conn)

    # -- runs -------------------------------------------------------------------

    def start_run(self, source: str, now: str | None = None) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (source, started_at, outcome) VALUES (?, ?, 'running')", [source, now or utc_now()]
        )
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, outcome: str, *, pages: int = 0, listings: int = 0, new_hits: int = 0,
                   errors: int = 0, message: str = "", now: str | None = None) -> None:
        self.db.execute(
            "UPDATE runs SET ended_at = ?, outcome = ?, pages = ?, listings = ?, new_hits = ?, errors = ?,"
            " message = ? WHERE id = ?",
            [now or utc_now(), outcome, pages, listings, new_hits, errors, message, run_id],
        )

    def close_interrupted_runs(self, now: str | None = None) -> int:
        """Runs left 'running' by a process that died (call only while holding the database lock)."""
        cur = self.db.execute(
            "UPDATE runs SET outcome = 'failed', ended_at = ?, message = 'interrupted: the process stopped mid-run'"
            " WHERE outcome = 'running'",
            [now or utc_now()],
        )
        return cur.rowcount

    def runs(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        where, args = ("WHERE source = ?", [source]) if source else ("", [])
        return self._rows(f"SELECT * FROM runs {where} ORDER BY id DESC LIMIT ?", [*args, limit])

    # -- captures ---------------------------------------------------------------

    def save_capture(self, capture: Capture, warc_file: str, offset: int, length: int,
                     run_id: int | None = None) -> int:
        cur = self.db.execute(
            "INSERT INTO captures (run_id, sha256, fetched_at, request_url, final_url, status, headers, size,"
            " warc_file, warc_offset, warc_length) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, capture.sha256, capture.fetched_at, capture.request_url, capture.final_url, capture.status,
             json.dumps(list(capture.headers), ensure_ascii=False), len(capture.body), warc_file, offset, length],
        )
        return int(cur.lastrowid)

    def find_capture(self, sha256: str, final_url: str) -> int | None:
        """The capture already kept of these very bytes from this URL, if any."""
        row = self.db.execute(
            "SELECT id FROM captures WHERE sha256 = ? AND final_url = ? ORDER BY id LIMIT 1", [sha256, final_url]
        ).fetchone()
        return int(row[0]) if row else None

    def capture(self, capture_id: int) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM captures WHERE id = ?", [capture_id])
        return rows[0] if rows else None

    # -- listings and hits ----------------------------------------------------

    def save_listing(self, listing: Listing, capture_id: int | None = None, now: str | None = None) -> SavedListing:
        """Insert or update a listing; a changed name or status is recorded, the old kept."""
        now = now or utc_now()
        status = listing.field("status")
        fields = json.dumps(dict(listing.fields), ensure_ascii=False, sort_keys=True)
        row = self.db.execute(
            "SELECT id, name, status FROM listings WHERE source = ? AND key = ?", [listing.source, listing.key]
        ).fetchone()
        if row is None:
            cur = self.db.execute(
                "INSERT INTO listings (source, key, kind, name, url, fields, status, first_seen, last_seen,"
                " capture_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [listing.source, listing.key, listing.kind, listing.name, listing.url, fields, status, now, now,
                 capture_id],
            )
            return SavedListing(int(cur.lastrowid), True, ())
        listing_id, old_name, old_status = row
        changes = tuple(
            (field, old, new) for field, old, new in (("name", old_name, listing.name), ("status", old_status, status))
            if old != new and new
        )
        for field, old, new in changes:
            self.db.execute(
                "INSERT INTO listing_changes (listing_id, seen_at, field, old, new, capture_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [listing_id, now, field, old, new, capture_id],
            )
        self.db.execute(
            "UPDATE listings SET name = ?, kind = ?, url = ?, fields = ?, status = CASE WHEN ? = '' THEN status"
            " ELSE ? END, last_seen = ?, capture_id = COALESCE(?, capture_id) WHERE id = ?",
            [listing.name, listing.kind, listing.url, fields, status, status, now, capture_id, listing_id],
        )
        return SavedListing(listing_id, False, changes)

    def save_hits(self, listing_id: int, hits: Sequence[Hit], now: str | None = None) -> int:
        """Upsert one hit per (listing, mark); returns how many are new.

        The match (score, rule, explanation …) is refreshed; what a person
        decided (status, assignee, notes) is never touched.
        """
        now = now or utc_now()
        known = {r[0] for r in self.db.execute("SELECT mark_id FROM hits WHERE listing_id = ?", [listing_id])}
        for h in hits:
            self.db.execute(
                "INSERT INTO hits (listing_id, mark_id, mark, score, severity, rule, span, explanation,"
                " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (listing_id, mark_id) DO UPDATE SET mark = excluded.mark, score = excluded.score,"
                " severity = excluded.severity, rule = excluded.rule, span = excluded.span,"
                " explanation = excluded.explanation, last_seen = excluded.last_seen",
                [listing_id, h.mark_id, h.mark, h.score, h.severity, h.rule, h.span, h.explanation, now, now],
            )
        return len({h.mark_id for h in hits} - known)

    def listing_changes(self, listing_id: int) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM listing_changes WHERE listing_id = ? ORDER BY id", [listing_id])

    def hits(self, status: str | None = None) -> list[dict[str, Any]]:
        where, args = ("WHERE h.status = ?", [status]) if status else ("", [])
        return self._rows(
            "SELECT h.*, l.source, l.key, l.kind, l.name, l.url FROM hits h JOIN listings l ON l.id = h.listing_id"
            f" {where} ORDER BY h.id",
            args,
        )

    def set_hit_status(self, hit_id: int, status: str, notes: str | None = None) -> None:
        """Record a person's decision (the legal-workflow layer adds the audit log)."""
        self.db.execute(
            "UPDATE hits SET status = ?, notes = COALESCE(?, notes) WHERE id = ?", [status, notes, hit_id]
        )

    def counts(self) -> dict[str, int]:
        return {t: self.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("runs", "captures", "listings", "listing_changes", "hits")}

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def _rows(self, sql: str, args: Iterable[Any]) -> list[dict[str, Any]]:
        cur = self.db.execute(sql, list(args))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
