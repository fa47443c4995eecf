"""The store: one SQLite file holding listings, hits, captures and runs.

With retention.py (what is kept, stats and vacuum), the only module that
knows table names. Opening a store applies any schema migrations it lacks
(``PRAGMA user_version`` counts them), in WAL mode so a reader never blocks
the daemon, with foreign keys on. Every write that
belongs together is one transaction: a crash leaves the database as it was
before or after it, never between.

Tables
  runs             one row per source run: start, end, counts, outcome, until when a
                   deferred source waits, and whether the run proved absence
  captures         one row per kept response: SHA-256, times, URLs, status,
                   headers, and where its WARC record lies (file, offset, length)
  listings         one row per (source, key): name, kind, fields, first/last seen,
                   the last run that saw it
  listing_changes  the history of a listing's name and status
  hits             one row per (listing, mark); re-crawling updates the match,
                   never what a person decided (status, assignee, tags, notes)
  sightings        the first capture that showed a listing, and each that showed it changed
                   (name, status, kind, url or fields): evidence of every version, and
                   no growth when a feed or page shows the same listing again
  feeds            a files-source feed being read: lines kept so far, and when it was finished
  audit            the review history: append-only (triggers refuse UPDATE and
                   DELETE) and hash-chained, each entry holding its
                   predecessor's SHA-256
  proposals        follow-up outcomes brandwatch proposes for confirmed hits
                   (name_changed, deregistered, removed, reemerged)
  allow_names      names the team allowlisted from a hit, added to the owner's allow list
  outbox           alert messages until delivered; a failed one waits to be retried
  listing_texts    a listing's latest text (post, bio, caption, page body); every version is in its captures
  attributes       what links listings into networks: (listing, kind, value) with credit code, legal
                   representative, shareholder, address, phone, e-mail, WeChat, QQ, website, normalised
  fake_contacts    a phone number or address beside a mark that is not among its owner's official ones
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import StoreError
from .models import Capture, CaptureRef, Hit, HitRecord, Listing, ListingRef, utc_now
from .secrets import active as secrets_active
from .secrets import found_in, mask

SCHEMA_VERSION = 5
BUSY_TIMEOUT = 30.0  # seconds a statement waits for another process's write lock before giving up


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


def _v2(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        ALTER TABLE hits ADD COLUMN owner TEXT NOT NULL DEFAULT '';
        ALTER TABLE hits ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE hits ADD COLUMN status_at TEXT;
        ALTER TABLE hits ADD COLUMN alerted_at TEXT;
        CREATE INDEX hits_first_seen ON hits (first_seen);
        CREATE TABLE sightings (
            id INTEGER PRIMARY KEY,
            listing_id INTEGER NOT NULL REFERENCES listings (id),
            run_id INTEGER REFERENCES runs (id),
            capture_id INTEGER REFERENCES captures (id),
            seen_at TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX sightings_listing ON sightings (listing_id, seen_at);
        INSERT INTO sightings (listing_id, capture_id, seen_at, name, status)
            SELECT id, capture_id, last_seen, name, status FROM listings;
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            hit_id INTEGER REFERENCES hits (id),
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            old TEXT NOT NULL DEFAULT '',
            new TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        );
        CREATE INDEX audit_hit ON audit (hit_id);
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TABLE proposals (
            id INTEGER PRIMARY KEY,
            hit_id INTEGER NOT NULL REFERENCES hits (id),
            outcome TEXT NOT NULL CHECK (outcome IN ('name_changed', 'deregistered', 'removed', 'reemerged')),
            reason TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            capture_id INTEGER REFERENCES captures (id),
            created_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'rejected')),
            decided_at TEXT
        );
        CREATE UNIQUE INDEX proposals_open ON proposals (hit_id, outcome) WHERE state = 'open';
        CREATE TABLE allow_names (
            id INTEGER PRIMARY KEY,
            owner TEXT NOT NULL,
            name TEXT NOT NULL,
            hit_id INTEGER REFERENCES hits (id),
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL,
            UNIQUE (owner, name)
        );
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT NOT NULL DEFAULT '',
            sent_at TEXT
        );
        CREATE INDEX outbox_pending ON outbox (channel, sent_at, next_attempt_at);
        """
    )


def _v3(db: sqlite_utils.Database) -> None:
    # Sightings become compact: written for a listing's first showing and for each change only, while
    # listings.last_seen and last_run_id say it was seen again. A feed is read in batches, and
    # feeds.lines_done is kept in each batch's transaction, so a run stopped part way goes on from there.
    db.executescript(
        """
        ALTER TABLE listings ADD COLUMN last_run_id INTEGER;
        CREATE TABLE feeds (
            capture_id INTEGER PRIMARY KEY REFERENCES captures (id),
            source TEXT NOT NULL,
            file TEXT NOT NULL,
            lines_done INTEGER NOT NULL DEFAULT 0,
            listings INTEGER NOT NULL DEFAULT 0,
            started_at TEXT NOT NULL,
            finished_at TEXT
        );
        """
    )


def _v4(db: sqlite_utils.Database) -> None:
    # The web workspace's accounts (passwords as argon2 hashes, never the password) and the inbox's
    # order: the most severe first, then the newest, so its first page reads an index, not every hit.
    db.executescript(
        """
        CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL DEFAULT '',
            disabled_at TEXT
        );
        CREATE INDEX hits_inbox ON hits (
            (CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END), first_seen DESC, id DESC);
        CREATE INDEX hits_mark ON hits (mark_id);
        CREATE INDEX hits_assignee ON hits (assignee) WHERE assignee != '';
        """
    )


def _v5(db: sqlite_utils.Database) -> None:
    # A run may be deferred (the site asked for a wait longer than the source's budget) until a time, and
    # says whether it proved absence (every page parsed as a result list): follow-up counts only those.
    # SQLite cannot widen a CHECK, so the table is rebuilt (its 12-step way: _migrate turns foreign keys
    # off around it). Older runs are not known to be proven and stay unproven.
    db.executescript(
        """
        CREATE TABLE runs_new (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            pages INTEGER NOT NULL DEFAULT 0,
            listings INTEGER NOT NULL DEFAULT 0,
            new_hits INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            outcome TEXT CHECK (outcome IN ('running', 'ok', 'partial', 'failed', 'blocked', 'deferred')),
            message TEXT NOT NULL DEFAULT '',
            deferred_until TEXT,
            proven INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO runs_new (id, source, started_at, ended_at, pages, listings, new_hits, errors, outcome, message)
            SELECT id, source, started_at, ended_at, pages, listings, new_hits, errors, outcome, message FROM runs;
        DROP TABLE runs;
        ALTER TABLE runs_new RENAME TO runs;
        CREATE INDEX runs_source ON runs (source, started_at);
        """
    )


def _v6(db: sqlite_utils.Database) -> None:
    # Leads: what a listing says beyond its name (its text, scanned for mentions, pitches and contacts), the
    # attributes that link listings into networks (credit code, legal representative, shareholders,
    # address, phone, e-mail, WeChat, QQ, website), and the fake contacts found beside a mark (the weekly
    # count of distinct fake numbers is the figure banks publish).
    db.executescript(
        """
        CREATE TABLE listing_texts (
            listing_id INTEGER PRIMARY KEY REFERENCES listings (id),
            text TEXT NOT NULL,
            seen_at TEXT NOT NULL
        );
        CREATE TABLE attributes (
            id INTEGER PRIMARY KEY,
            listing_id INTEGER NOT NULL REFERENCES listings (id),
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            UNIQUE (listing_id, kind, value)
        );
        CREATE INDEX attributes_value ON attributes (kind, value);
        CREATE TABLE fake_contacts (
            id INTEGER PRIMARY KEY,
            listing_id INTEGER NOT NULL REFERENCES listings (id),
            mark_id TEXT NOT NULL,
            type TEXT NOT NULL,
            value TEXT NOT NULL,
            raw TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            UNIQUE (listing_id, mark_id, type, value)
        );
        CREATE INDEX fake_contacts_seen ON fake_contacts (last_seen);
        """
    )


# Migrations in order; the store's version is how many have been applied.
MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (_v1, _v2, _v3, _v4, _v5, _v6)

# Orders the hit queries offer, by name (never SQL from a caller).
HIT_ORDERS = {
    "id": "h.id",
    "inbox": "(CASE h.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END), h.first_seen DESC, h.id DESC",
    "score": "h.score DESC, h.id",
}


_dumps_fields = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def _not_text(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not JSON text")


# The json module's C encoder made once: json.dumps makes a new encoder a call, which is most of the
# cost of a listing's fields (a feed has millions). The same text as json.dumps(ensure_ascii=False,
# sort_keys=True); where the C encoder is missing (another Python), json.dumps itself.
_c_encoder = json.encoder.c_make_encoder and json.encoder.c_make_encoder(
    None, _not_text, json.encoder.encode_basestring, None, ": ", ", ", True, False, True)


def _fields_json(fields: dict[str, str]) -> str:
    """A listing's fields as the JSON text the store keeps."""
    if _c_encoder is None:
        return _dumps_fields(fields)
    try:
        return "".join(_c_encoder(fields, 0))
    except TypeError:  # a value that is not text: json.dumps says which
        return _dumps_fields(fields)


TABLES = ("runs", "captures", "feeds", "listings", "listing_changes", "hits", "sightings", "audit", "proposals",
          "allow_names", "outbox", "users", "listing_texts", "attributes", "fake_contacts")


def _hit_record(row: dict[str, Any]) -> HitRecord:
    """A joined row of hit_records as the typed record the layers above read."""
    listing = ListingRef(row["listing_id"], row["listing_source"], row["listing_key"], row["listing_kind"],
                         row["listing_name"], row["listing_url"], json.loads(row["listing_fields"] or "{}"),
                         row["listing_status"], row["listing_first_seen"], row["listing_last_seen"])
    capture = None if row["capture_id"] is None else CaptureRef(
        row["capture_id"], row["capture_fetched_at"], row["capture_sha256"], row["capture_request_url"],
        row["capture_final_url"])
    return HitRecord(row["id"], row["listing_id"], row["mark_id"], row["mark"], row["owner"], row["score"],
                     row["severity"], row["rule"], row["span"], row["explanation"], row["first_seen"],
                     row["last_seen"], row["status"], row["status_at"], row["assignee"],
                     tuple(json.loads(row["tags"] or "[]")), row["notes"], row["alerted_at"], listing, capture)


def _needs_listing(source: Any, kind: Any) -> bool:
    return source is not None or kind is not None


def _hit_filter(*, ids: Sequence[int] | None = None, status: Sequence[str] | str | None = None,
                severity: Sequence[str] | str | None = None, mark: Sequence[str] | str | None = None,
                source: Sequence[str] | str | None = None, since: str | None = None, until: str | None = None,
                rule: Sequence[str] | str | None = None, kind: Sequence[str] | str | None = None,
                assignee: Sequence[str] | str | None = None, along_order: bool = False) -> tuple[list[str], list[Any]]:
    """The WHERE terms and arguments of the hit filters (``h`` is hits, ``l`` its listing).

    ``along_order``: write the hit columns as ``+h.column``, which keeps SQLite from choosing their
    indexes, so that a LIMIT query walks the index of its ORDER BY instead.
    """
    where: list[str] = []
    args: list[Any] = []

    def any_of(column: str, values: Sequence[Any] | str | None) -> None:
        if values is None:
            return
        if along_order and column.startswith("h."):
            column = "+" + column
        vals = [values] if isinstance(values, str | int) else list(values)
        where.append(f"{column} IN ({', '.join('?' * len(vals))})" if vals else "0")
        args.extend(vals)

    any_of("h.id", ids)
    any_of("h.status", status)
    any_of("h.severity", severity)
    any_of("h.mark_id", mark)
    any_of("l.source", source)
    any_of("l.kind", kind)
    any_of("h.assignee", assignee)
    if rule is not None:
        rules = [rule] if isinstance(rule, str) else list(rule)
        where.append("(" + " OR ".join(["('+' || h.rule || '+') LIKE ?"] * len(rules)) + ")" if rules else "0")
        args.extend(f"%+{r}+%" for r in rules)
    if since:
        where.append("h.first_seen >= ?")
        args.append(since)
    if until:
        where.append("h.first_seen < ?")
        args.append(until)
    return where, args


@dataclass(frozen=True)
class SavedListing:
    id: int
    new: bool
    changes: tuple[tuple[str, str, str], ...]  # (field, old, new)


def _masked(parameters: Any) -> Any:
    if isinstance(parameters, Mapping):
        return {k: mask(v) if isinstance(v, str) else v for k, v in parameters.items()}
    return [mask(v) if isinstance(v, str) else v for v in parameters]


class _Connection(sqlite3.Connection):
    """The one door every statement goes through (sqlite-utils' too).

    Every text parameter is masked (``secrets.mask``): a secret that reached a
    run message, a capture's URL or headers, a listing, an outbox row, is
    written as ``***``, and a lookup by a value holding one finds the masked
    row. A database another process keeps locked for longer than the busy
    timeout is a one-line StoreError naming it, not a traceback.
    """

    path: Path
    busy_timeout: float
    _checked = False

    @contextmanager
    def checked(self) -> Iterator[None]:
        """Within: the text of the rows given to ``executemany`` was already searched (and masked) by the caller."""
        self._checked = True
        try:
            yield
        finally:
            self._checked = False

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, _masked(parameters) if parameters and secrets_active() else parameters)
        except sqlite3.OperationalError as e:
            raise self._busy(e) from e

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> sqlite3.Cursor:
        rows = seq_of_parameters
        if secrets_active() and not self._checked:
            rows = list(rows)
            if found_in(v for row in rows for v in (row.values() if isinstance(row, Mapping) else row)
                        if isinstance(v, str)):
                rows = [_masked(row) for row in rows]
        try:
            return super().executemany(sql, rows)
        except sqlite3.OperationalError as e:
            raise self._busy(e) from e

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        try:
            return super().executescript(sql_script)
        except sqlite3.OperationalError as e:
            raise self._busy(e) from e

    def _busy(self, e: sqlite3.OperationalError) -> Exception:
        """StoreError for a database locked by another process; any other error as it was."""
        name = getattr(e, "sqlite_errorname", "")
        if not (name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in str(e)):
            return e
        from .lockfile import held_by, lock_path

        lock = lock_path(self.path)
        holder = held_by(lock)
        if holder is not None and holder.pid != os.getpid():
            who = f"{lock} names {holder.describe()}"
        else:
            who = (f"no other brandwatch run holds {lock}: perhaps `brandwatch review` or another command, a backup "
                   "or an SQLite browser")
        return StoreError(f"{self.path}: the database stayed locked for {self.busy_timeout:g}s while another process "
                          f"wrote to it ({who}); wait for it to finish, or stop it, then try again")


class Store:
    """A brandwatch database. Use as a context manager, or call close().

    ``timeout``: seconds a statement waits for another process's write lock
    (then StoreError, naming the holder when brandwatch knows it).
    """

    def __init__(self, path: Path | str, *, timeout: float | None = None) -> None:
        self.path = Path(path)
        timeout = BUSY_TIMEOUT if timeout is None else timeout
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=timeout, factory=_Connection)
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"{self.path}: cannot open the database ({e}); check the path in config.yaml") from None
        conn.path, conn.busy_timeout = self.path, timeout
        self.db = sqlite_utils.Database(conn)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA synchronous=NORMAL")
            # after a checkpoint the WAL shrinks back to this, not staying as large as the largest batch of writes
            self.db.execute("PRAGMA journal_size_limit=67108864")
            self._migrate()
        except StoreError:
            conn.close()
            raise
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
        if current == len(MIGRATIONS):
            return
        # a migration may rebuild a table others refer to (SQLite's 12-step ALTER): foreign keys are
        # off while it runs (the pragma is a no-op inside a transaction), and checked before it commits
        self.db.execute("PRAGMA foreign_keys=OFF")
        try:
            for number in range(current, len(MIGRATIONS)):
                with self.transaction():
                    MIGRATIONS[number](self.db)
                    broken = self.db.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StoreError(f"{self.path}: migration {number + 1} would break references ({broken[0]});"
                                         " keep the database and report this")
                    self.db.execute(f"PRAGMA user_version = {number + 1}")
        finally:
            self.db.execute("PRAGMA foreign_keys=ON")

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
                   errors: int = 0, message: str = "", deferred_until: str | None = None, proven: bool = False,
                   now: str | None = None) -> None:
        """Close a run. ``proven``: every page was a result list, so what it did not list is absent."""
        self.db.execute(
            "UPDATE runs SET ended_at = ?, outcome = ?, pages = ?, listings = ?, new_hits = ?, errors = ?,"
            " message = ?, deferred_until = ?, proven = ? WHERE id = ?",
            [now or utc_now(), outcome, pages, listings, new_hits, errors, message, deferred_until, int(proven),
             run_id],
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
                     run_id: int | None = None, *, sha256: str | None = None, size: int | None = None) -> int:
        """Keep a capture's row; ``sha256`` and ``size`` give a body streamed from disk, not held in ``capture``."""
        cur = self.db.execute(
            "INSERT INTO captures (run_id, sha256, fetched_at, request_url, final_url, status, headers, size,"
            " warc_file, warc_offset, warc_length) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, sha256 or capture.sha256, capture.fetched_at, capture.request_url, capture.final_url,
             capture.status, json.dumps(list(capture.headers), ensure_ascii=False),
             len(capture.body) if size is None else size, warc_file, offset, length],
        )
        return int(cur.lastrowid)

    # -- feeds (files source) -------------------------------------------------------

    def start_feed(self, capture_id: int, source: str, file: str, now: str | None = None) -> None:
        self.db.execute("INSERT INTO feeds (capture_id, source, file, started_at) VALUES (?, ?, ?, ?)",
                        [capture_id, source, file, now or utc_now()])

    def feed(self, capture_id: int) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM feeds WHERE capture_id = ?", [capture_id])
        return rows[0] if rows else None

    def feed_progress(self, capture_id: int, lines_done: int, listings: int) -> None:
        """Call in the transaction that saved the batch, so what is kept and what is counted agree."""
        self.db.execute("UPDATE feeds SET lines_done = ?, listings = listings + ? WHERE capture_id = ?",
                        [lines_done, listings, capture_id])

    def finish_feed(self, capture_id: int, now: str | None = None) -> None:
        self.db.execute("UPDATE feeds SET finished_at = ? WHERE capture_id = ?", [now or utc_now(), capture_id])

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

    def save_listing(self, listing: Listing, capture_id: int | None = None, now: str | None = None,
                     run_id: int | None = None) -> SavedListing:
        """Insert or update a listing; a changed name or status is recorded, the old kept, and the sighting too."""
        return self.save_listings([listing], capture_id, now, run_id)[0]

    def save_listings(self, listings: Sequence[Listing], capture_id: int | None = None, now: str | None = None,
                      run_id: int | None = None) -> list[SavedListing]:
        """Insert or update a batch of listings in a few statements; one SavedListing each, in order.

        A changed name or status is recorded in listing_changes (the old kept). A sighting is written
        for a listing's first showing and whenever its name, status, kind, url or fields changed; a
        listing shown again unchanged only moves its last_seen, last_run_id and latest capture. The
        same key twice in one batch is saved in order, as if one at a time. Runs in the caller's
        transaction, or in one of its own.
        """
        now = now or utc_now()
        checked: Any = nullcontext()
        if secrets_active():
            if found_in(t for x in listings for t in (x.source, x.key, x.name, x.url, *chain(*x.fields))):
                # masked before they are compared with the (masked) rows kept, so unchanged is unchanged
                listings = [replace(x, source=mask(x.source), key=mask(x.key), name=mask(x.name), url=mask(x.url),
                                    fields=tuple((mask(k), mask(v)) for k, v in x.fields)) for x in listings]
            checked = self.db.conn.checked()  # the batch's text was searched once: its statements need not again
        with self._atomic(), checked:
            sources = {x.source for x in listings}
            if len(sources) == 1 and len({x.key for x in listings}) == len(listings):  # a feed's batch
                return self._save_batch(listings, sources.pop(), capture_id, now, run_id)
            out: list[SavedListing] = []
            start, keys = 0, set()
            for i, listing in enumerate(listings):  # a key seen again in the batch starts another
                if (listing.source, listing.key) in keys:
                    out += self._save_sources(listings[start:i], capture_id, now, run_id)
                    start, keys = i, set()
                keys.add((listing.source, listing.key))
            return out + self._save_sources(listings[start:], capture_id, now, run_id)

    def _save_sources(self, listings: Sequence[Listing], capture_id: int | None, now: str,
                      run_id: int | None) -> list[SavedListing]:
        """Listings of one or more sources, each key once: one batch per source, results in order."""
        by_source: dict[str, list[int]] = {}
        for i, listing in enumerate(listings):
            by_source.setdefault(listing.source, []).append(i)
        out: list[SavedListing | None] = [None] * len(listings)
        for source, at in by_source.items():
            for i, saved in zip(at, self._save_batch([listings[i] for i in at], source, capture_id, now, run_id),
                                strict=True):
                out[i] = saved
        return out  # type: ignore[return-value]

    def _atomic(self) -> _Transaction | nullcontext[None]:
        """A transaction of its own unless the caller holds one."""
        return nullcontext() if self.db.conn.in_transaction else self.transaction()

    def _save_batch(self, listings: Sequence[Listing], source: str, capture_id: int | None, now: str,
                    run_id: int | None) -> list[SavedListing]:
        """Listings of one source, each key once, in a transaction."""
        if not listings:
            return []
        db = self.db.conn
        known = {row[0]: row[1:] for row in db.execute(
            "SELECT key, id, name, status, kind, url, fields FROM listings"
            " WHERE source = ? AND key IN (SELECT value FROM json_each(?))",
            [source, json.dumps([x.key for x in listings], ensure_ascii=False)])}
        # new rows take ids after the largest, so their sightings are one range; safe in a write transaction
        first_new = next_id = db.execute("SELECT coalesce(max(id), 0) FROM listings").fetchone()[0] + 1
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        unchanged: list[int] = []
        history: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []  # the sightings of changed listings
        out: list[SavedListing] = []
        if not known:  # all new (a first feed): the same rows as the loop below, a column at a time
            given = [dict(x.fields) for x in listings]
            status = [g.get("status", "") for g in given]
            next_id = first_new + len(listings)
            ids = range(first_new, next_id)
            inserts = list(zip(ids, repeat(source), [x.key for x in listings], [x.kind for x in listings],
                               [x.name for x in listings], [x.url for x in listings], map(_fields_json, given),
                               status, repeat(now), repeat(now), repeat(capture_id), repeat(run_id)))
            out = list(map(SavedListing, ids, repeat(True), repeat(())))
            listings = ()
        for listing in listings:
            given = dict(listing.fields)
            status = given.get("status", "")
            fields = _fields_json(given)
            old = known.get(listing.key)
            if old is None:
                inserts.append((next_id, source, listing.key, listing.kind, listing.name, listing.url, fields, status,
                                now, now, capture_id, run_id))
                out.append(SavedListing(next_id, True, ()))
                next_id += 1
                continue
            listing_id, old_name, old_status, old_kind, old_url, old_fields = old
            if (listing.name, listing.kind, listing.url, fields) == (old_name, old_kind, old_url, old_fields) \
                    and status in ("", old_status):
                unchanged.append(listing_id)
                out.append(SavedListing(listing_id, False, ()))
                continue
            changes = tuple((field, was, new) for field, was, new in (("name", old_name, listing.name),
                                                                      ("status", old_status, status))
                            if was != new and new)
            out.append(SavedListing(listing_id, False, changes))
            history += [(listing_id, now, field, was, new, capture_id) for field, was, new in changes]
            updates.append((listing.name, listing.kind, listing.url, fields, status, status, now, capture_id, run_id,
                            listing_id))
            changed.append((listing_id, run_id, capture_id, now, listing.name, status))
        if inserts:
            db.executemany(
                "INSERT INTO listings (id, source, key, kind, name, url, fields, status, first_seen, last_seen,"
                " capture_id, last_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", inserts)
            db.execute("INSERT INTO sightings (listing_id, run_id, capture_id, seen_at, name, status)"
                       " SELECT id, ?, ?, ?, name, status FROM listings WHERE id >= ? AND id < ? ORDER BY id",
                       [run_id, capture_id, now, first_new, next_id])
        if history:
            db.executemany("INSERT INTO listing_changes (listing_id, seen_at, field, old, new, capture_id)"
                           " VALUES (?, ?, ?, ?, ?, ?)", history)
        if updates:
            db.executemany(
                "UPDATE listings SET name = ?, kind = ?, url = ?, fields = ?, status = CASE WHEN ? = '' THEN status"
                " ELSE ? END, last_seen = ?, capture_id = COALESCE(?, capture_id), last_run_id = ? WHERE id = ?",
                updates)
            db.executemany("INSERT INTO sightings (listing_id, run_id, capture_id, seen_at, name, status)"
                           " VALUES (?, ?, ?, ?, ?, ?)", changed)
        if unchanged:
            db.execute("UPDATE listings SET last_seen = ?, capture_id = COALESCE(?, capture_id), last_run_id = ?"
                       " WHERE id IN (SELECT value FROM json_each(?))",
                       [now, capture_id, run_id, json.dumps(unchanged)])
        return out

    def save_hits(self, listing_id: int, hits: Sequence[Hit], now: str | None = None) -> int:
        """Upsert one hit per (listing, mark); returns how many are new.

        The match (score, rule, explanation …) is refreshed; what a person
        decided (status, assignee, notes) is never touched.
        """
        return self.save_hits_many([(listing_id, hits)], now)

    def save_hits_many(self, found: Iterable[tuple[int, Sequence[Hit]]], now: str | None = None) -> int:
        """``save_hits`` for a batch of (listing id, hits) in two statements; returns how many hits are new."""
        now = now or utc_now()
        found = [(lid, hits) for lid, hits in found if hits]
        if not found:
            return 0
        ids = json.dumps([lid for lid, _ in found])
        known = set(self.db.execute(
            "SELECT listing_id, mark_id FROM hits WHERE listing_id IN (SELECT value FROM json_each(?))", [ids]))
        self.db.conn.executemany(
            "INSERT INTO hits (listing_id, mark_id, mark, owner, score, severity, rule, span, explanation,"
            " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (listing_id, mark_id) DO UPDATE SET mark = excluded.mark, owner = excluded.owner,"
            " score = excluded.score, severity = excluded.severity, rule = excluded.rule, span = excluded.span,"
            " explanation = excluded.explanation, last_seen = excluded.last_seen",
            [(lid, h.mark_id, h.mark, h.owner, h.score, h.severity, h.rule, h.span, h.explanation, now, now)
             for lid, hits in found for h in hits])
        return len({(lid, h.mark_id) for lid, hits in found for h in hits} - known)

    # -- leads: texts, attributes, fake contacts -------------------------------------

    def save_texts(self, texts: Iterable[tuple[int, str]], now: str | None = None) -> None:
        """Keep each listing's latest text (a post, bio, page body); the capture keeps every version."""
        now = now or utc_now()
        self.db.conn.executemany(
            "INSERT INTO listing_texts (listing_id, text, seen_at) VALUES (?, ?, ?) ON CONFLICT (listing_id)"
            " DO UPDATE SET text = excluded.text, seen_at = excluded.seen_at WHERE text != excluded.text",
            [(lid, text, now) for lid, text in texts if text])

    def listing_text(self, listing_id: int) -> str:
        row = self.db.execute("SELECT text FROM listing_texts WHERE listing_id = ?", [listing_id]).fetchone()
        return row[0] if row else ""

    def save_attributes(self, rows: Iterable[tuple[int, str, str]], now: str | None = None) -> None:
        """(listing id, kind, value): what links listings into networks; seen again moves last_seen."""
        now = now or utc_now()
        self.db.conn.executemany(
            "INSERT INTO attributes (listing_id, kind, value, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (listing_id, kind, value) DO UPDATE SET last_seen = excluded.last_seen",
            [(lid, kind, value, now, now) for lid, kind, value in rows])

    def attribute_rows(self) -> Iterator[tuple[int, str, str]]:
        """Every (listing id, kind, value), for building the network."""
        yield from self.db.execute("SELECT listing_id, kind, value FROM attributes ORDER BY listing_id")

    def attribute_neighbourhood(self, listing_ids: Iterable[int], steps: int, hub_limit: int
                                ) -> tuple[list[tuple[int, str, str]], dict[tuple[str, str], int]]:
        """The attributes of every listing within ``steps`` shared values of the given ones, and the hubs met on
        the way: values shared by more than ``hub_limit`` listings, which link nothing (a registered agent's
        address) and are returned with their counts instead. The cost is that of the neighbourhood, not of
        the store (the ``attributes_value`` index)."""
        seen = set(listing_ids)
        frontier = set(seen)
        hubs: dict[tuple[str, str], int] = {}
        for _ in range(steps):
            if not frontier:
                break
            shared = self.db.execute(
                "WITH mine AS (SELECT DISTINCT kind, value FROM attributes"
                "              WHERE listing_id IN (SELECT value FROM json_each(?)))"
                " SELECT m.kind, m.value, count(*) FROM mine m"
                " JOIN attributes a ON a.kind = m.kind AND a.value = m.value GROUP BY m.kind, m.value",
                [json.dumps(sorted(frontier))]).fetchall()
            usable = []
            for kind, value, n in shared:
                if n > hub_limit:
                    hubs[(kind, value)] = n
                elif n > 1:
                    usable.append([kind, value])
            found = {r[0] for r in self.db.execute(
                "SELECT a.listing_id FROM json_each(?) j"
                " JOIN attributes a ON a.kind = json_extract(j.value, '$[0]')"
                " AND a.value = json_extract(j.value, '$[1]')",
                [json.dumps(usable, ensure_ascii=False)])} if usable else set()
            frontier = found - seen
            seen |= found
        rows = [tuple(r) for r in self.db.execute(
            "SELECT listing_id, kind, value FROM attributes WHERE listing_id IN (SELECT value FROM json_each(?))"
            " ORDER BY listing_id, kind, value", [json.dumps(sorted(seen))])]
        return [r for r in rows if (r[1], r[2]) not in hubs], hubs

    def attributes_of(self, listing_id: int) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT kind, value FROM attributes WHERE listing_id = ? ORDER BY kind, value", [listing_id])]

    def listing_names(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """id → {name, kind, source} for the listings asked, in one query."""
        rows = self.db.execute(
            "SELECT id, name, kind, source FROM listings WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(list(ids))])
        return {r[0]: {"name": r[1], "kind": r[2], "source": r[3]} for r in rows}

    def hit_marks_of(self, listing_ids: Iterable[int]) -> dict[int, dict[str, str]]:
        """listing id → {mark id: the hit's rule} for the listings asked that have hits."""
        out: dict[int, dict[str, str]] = {}
        for lid, mark_id, rule in self.db.execute(
                "SELECT listing_id, mark_id, rule FROM hits WHERE listing_id IN (SELECT value FROM json_each(?))",
                [json.dumps(list(listing_ids))]):
            out.setdefault(lid, {})[mark_id] = rule
        return out

    def save_fake_contacts(self, rows: Iterable[tuple[int, str, str, str, str]], now: str | None = None) -> None:
        """(listing id, mark id, type, value, raw): a contact beside a mark that is not the owner's."""
        now = now or utc_now()
        self.db.conn.executemany(
            "INSERT INTO fake_contacts (listing_id, mark_id, type, value, raw, first_seen, last_seen)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (listing_id, mark_id, type, value)"
            " DO UPDATE SET last_seen = excluded.last_seen",
            [(*r, now, now) for r in rows])

    def fake_contacts(self, since: str | None = None, until: str | None = None,
                      listing_id: int | None = None) -> list[dict[str, Any]]:
        """Fake contacts seen in [since, until) (all without bounds), one row a (listing, mark, contact)."""
        where, args = [], []
        if listing_id is not None:
            where.append("f.listing_id = ?")
            args.append(listing_id)
        if since:
            where.append("f.last_seen >= ?")
            args.append(since)
        if until:
            where.append("f.first_seen < ?")
            args.append(until)
        return self._rows(
            "SELECT f.*, l.name AS listing_name, l.source AS listing_source, l.kind AS listing_kind"
            " FROM fake_contacts f JOIN listings l ON l.id = f.listing_id"
            + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY f.first_seen, f.id", args)

    def listing_fields(self, source: str, keys: Sequence[str]) -> dict[str, tuple[str, dict[str, str]]]:
        """key → (url, fields) kept for the source's listings asked (those it has)."""
        return {k: (u, json.loads(f or "{}")) for k, u, f in self.db.execute(
            "SELECT key, url, fields FROM listings WHERE source = ? AND key IN (SELECT value FROM json_each(?))",
            [source, json.dumps(list(keys), ensure_ascii=False)])}

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

    def hit_ids_for_listing(self, listing_id: int) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM hits WHERE listing_id = ? ORDER BY id", [listing_id])]

    def hit_records(self, *, ids: Sequence[int] | None = None, status: Sequence[str] | str | None = None,
                    severity: Sequence[str] | str | None = None, mark: Sequence[str] | str | None = None,
                    source: Sequence[str] | str | None = None, since: str | None = None,
                    until: str | None = None, order: str = "id", rule: Sequence[str] | str | None = None,
                    kind: Sequence[str] | str | None = None, assignee: Sequence[str] | str | None = None,
                    limit: int | None = None, offset: int = 0) -> list[HitRecord]:
        """Hits joined with their listing and its latest capture, filtered; each filter takes one value or many.

        ``since``/``until`` compare with the hit's first_seen (ISO 8601 UTC; ``until`` exclusive).
        ``rule`` matches any of the hit's rules (``homophone`` finds ``homophone+separator``).
        ``order`` is a name in HIT_ORDERS; ``limit``/``offset`` page through them.
        Each is a :class:`~brandwatch.models.HitRecord`: the hit's columns, its ``listing`` and its latest
        ``capture`` (None when none is kept).
        """
        if order not in HIT_ORDERS:
            raise ValueError(f"order {order!r} is not one of {', '.join(HIT_ORDERS)}")
        # a page in the inbox order is read along its index, filtering as it goes, and stops at the page's
        # end; the status index would make SQLite read and sort every open hit first (100 ms at 100k hits)
        along = order == "inbox" and ids is None and limit is not None
        where, args = _hit_filter(ids=ids, status=status, severity=severity, mark=mark, source=source, since=since,
                                  until=until, rule=rule, kind=kind, assignee=assignee, along_order=along)
        page = ""
        if limit is not None:
            page = " LIMIT ? OFFSET ?"
            args = [*args, int(limit), int(offset)]
        # the page of hits is chosen first (an index serves the inbox order), then joined: a join before
        # the LIMIT would read the listing of every hit that matches the filters
        rows = self._rows(
            "SELECT h.*, l.source AS listing_source, l.key AS listing_key, l.kind AS listing_kind,"
            " l.name AS listing_name, l.url AS listing_url, l.fields AS listing_fields, l.status AS listing_status,"
            " l.first_seen AS listing_first_seen, l.last_seen AS listing_last_seen, c.id AS capture_id,"
            " c.fetched_at AS capture_fetched_at, c.sha256 AS capture_sha256, c.request_url AS capture_request_url,"
            " c.final_url AS capture_final_url FROM (SELECT h.* FROM hits h"
            f"{' JOIN listings l ON l.id = h.listing_id' if _needs_listing(source, kind) else ''}"
            f" {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY {HIT_ORDERS[order]}{page}) h"
            " JOIN listings l ON l.id = h.listing_id LEFT JOIN captures c ON c.id = l.capture_id"
            f" ORDER BY {HIT_ORDERS[order]}",
            args,
        )
        return [_hit_record(r) for r in rows]

    def count_hits(self, **filters: Any) -> int:
        """How many hits :meth:`hit_records` would give for these filters (without paging)."""
        where, args = _hit_filter(**filters)
        listing = _needs_listing(filters.get("source"), filters.get("kind"))
        join = " JOIN listings l ON l.id = h.listing_id" if listing else ""
        sql = f"SELECT count(*) FROM hits h{join} {'WHERE ' + ' AND '.join(where) if where else ''}"
        return self.db.execute(sql, args).fetchone()[0]

    def hit_facets(self) -> dict[str, list[str]]:
        """Values the hit filters can take in this store: marks, sources (every source that ran) and assignees.

        Each is read from an index or a small table, never by joining every hit to its listing.
        """
        one = lambda sql: [r[0] for r in self.db.execute(sql)]  # noqa: E731
        return {
            "mark": one("SELECT DISTINCT mark_id FROM hits ORDER BY mark_id"),
            "source": one("SELECT DISTINCT source FROM runs ORDER BY source"),
            "assignee": one("SELECT DISTINCT assignee FROM hits WHERE assignee != '' ORDER BY 1"),
        }

    def update_hit(self, hit_id: int, *, status: str | None = None, assignee: str | None = None,
                   tags: Sequence[str] | None = None, notes: str | None = None, at: str | None = None) -> None:
        """Change what a person decided about a hit (the review module writes the audit entry)."""
        self.db.execute(
            "UPDATE hits SET status = COALESCE(?, status), status_at = CASE WHEN ? IS NULL THEN status_at ELSE ? END,"
            " assignee = COALESCE(?, assignee), tags = COALESCE(?, tags), notes = COALESCE(?, notes) WHERE id = ?",
            [status, status, at or utc_now(), assignee, None if tags is None else json.dumps(list(tags),
             ensure_ascii=False), notes, hit_id],
        )

    def complete_runs_since(self, source: str, since: str) -> int:
        """Runs of a source that proved absence (``ok``, every page a result list) and started after ``since``."""
        return self.db.execute("SELECT count(*) FROM runs WHERE source = ? AND outcome = 'ok' AND proven = 1"
                               " AND started_at > ?", [source, since]).fetchone()[0]

    def run(self, run_id: int) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM runs WHERE id = ?", [run_id])
        return rows[0] if rows else None

    def runs_between(self, since: str, until: str) -> list[dict[str, Any]]:
        """Runs started in [since, until), oldest first."""
        return self._rows("SELECT * FROM runs WHERE started_at >= ? AND started_at < ? ORDER BY id", [since, until])

    def changes_between(self, since: str, until: str) -> list[dict[str, Any]]:
        """Listing name and status changes seen in [since, until), with the listing's source and key."""
        return self._rows(
            "SELECT c.*, l.source, l.key, l.name AS listing_name FROM listing_changes c"
            " JOIN listings l ON l.id = c.listing_id WHERE c.seen_at >= ? AND c.seen_at < ? ORDER BY c.id",
            [since, until],
        )

    def sightings(self, listing_id: int) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM sightings WHERE listing_id = ? ORDER BY id", [listing_id])

    def listing(self, listing_id: int) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM listings WHERE id = ?", [listing_id])
        if rows:
            rows[0]["fields"] = json.loads(rows[0]["fields"] or "{}")
        return rows[0] if rows else None

    def captures(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM captures ORDER BY id", [])

    # -- audit log ----------------------------------------------------------------

    def append_audit(self, hit_id: int | None, actor: str, action: str, old: str = "", new: str = "",
                     note: str = "", at: str | None = None) -> dict[str, Any]:
        """Append one entry, chained to the last; call inside a transaction."""
        from .audit import GENESIS, entry_hash

        last = self.db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        # masked before hashing, as the connection would mask them after: the chain hashes what is kept
        entry = {"id": (last[0] + 1) if last else 1, "hit_id": hit_id, "at": at or utc_now(), "actor": mask(actor),
                 "action": action, "old": mask(old), "new": mask(new), "note": mask(note),
                 "prev_hash": last[1] if last else GENESIS}
        entry["hash"] = entry_hash(entry)
        self.db.execute(
            "INSERT INTO audit (id, hit_id, at, actor, action, old, new, note, prev_hash, hash)"
            " VALUES (:id, :hit_id, :at, :actor, :action, :old, :new, :note, :prev_hash, :hash)",
            entry,
        )
        return entry

    def audit_entries(self, hit_id: int | None = None) -> list[dict[str, Any]]:
        where, args = ("WHERE hit_id = ?", [hit_id]) if hit_id is not None else ("", [])
        return self._rows(f"SELECT * FROM audit {where} ORDER BY id", args)

    # -- follow-up proposals --------------------------------------------------------

    def add_proposal(self, hit_id: int, outcome: str, reason: str, seen_at: str, capture_id: int | None,
                     now: str | None = None) -> bool:
        """Propose an outcome unless the same one is already open; True if added."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO proposals (hit_id, outcome, reason, seen_at, capture_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [hit_id, outcome, reason, seen_at, capture_id, now or utc_now()],
        )
        return cur.rowcount > 0

    def proposals(self, state: str | None = "open", hit_id: int | None = None) -> list[dict[str, Any]]:
        where, args = [], []
        if state:
            where.append("p.state = ?")
            args.append(state)
        if hit_id is not None:
            where.append("p.hit_id = ?")
            args.append(hit_id)
        return self._rows(
            "SELECT p.*, l.name AS listing_name, h.mark, h.status AS hit_status FROM proposals p"
            " JOIN hits h ON h.id = p.hit_id JOIN listings l ON l.id = h.listing_id"
            f" {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY p.id",
            args,
        )

    def decide_proposals(self, hit_id: int, outcome: str | None, now: str | None = None) -> None:
        """The hit took a new status: an open proposal of that outcome is accepted, the others rejected."""
        self.db.execute(
            "UPDATE proposals SET state = CASE WHEN outcome = ? THEN 'accepted' ELSE 'rejected' END, decided_at = ?"
            " WHERE hit_id = ? AND state = 'open'",
            [outcome or "", now or utc_now(), hit_id],
        )

    # -- allow list additions -------------------------------------------------------

    def add_allow_name(self, owner: str, name: str, hit_id: int | None, by: str, now: str | None = None) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO allow_names (owner, name, hit_id, added_by, added_at) VALUES (?, ?, ?, ?, ?)",
            [owner, name, hit_id, by, now or utc_now()],
        )

    def allow_names(self) -> dict[str, list[str]]:
        """Owner → names the team allowlisted from hits."""
        out: dict[str, list[str]] = {}
        for owner, name in self.db.execute("SELECT owner, name FROM allow_names ORDER BY id"):
            out.setdefault(owner, []).append(name)
        return out

    def allow_rows(self, *, name: str | None = None, hit_id: int | None = None) -> list[dict[str, Any]]:
        """The names the team allowlisted, with who added each, when, and from which hit; filtered by name or hit."""
        where, args = [], []
        if name is not None:
            where.append("name = ?")
            args.append(name)
        if hit_id is not None:
            where.append("hit_id = ?")
            args.append(hit_id)
        return self._rows(f"SELECT * FROM allow_names {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY id",
                          args)

    def remove_allow_name(self, allow_id: int) -> None:
        """Take one name off the allow list (the review module writes the audit entry in the same transaction)."""
        self.db.execute("DELETE FROM allow_names WHERE id = ?", [allow_id])

    # -- what the filters may name ----------------------------------------------------

    def hit_marks(self) -> list[tuple[str, str]]:
        """(mark id, mark) of every mark some hit is on, by id: a mark since dropped from the watchlists too."""
        rows = self.db.execute("SELECT mark_id, max(mark) FROM hits GROUP BY mark_id ORDER BY mark_id")
        return [(r[0], r[1]) for r in rows]

    def listing_sources(self) -> list[str]:
        """The sources that listings came from, by name: a source since removed from config.yaml too."""
        return [r[0] for r in self.db.execute("SELECT DISTINCT source FROM listings ORDER BY source")]

    def listing_captures(self, listing_id: int) -> list[dict[str, Any]]:
        """Every capture that shows a listing: its sightings', its changes' and its latest, oldest first."""
        return self._rows(
            "SELECT * FROM captures WHERE id IN (SELECT capture_id FROM sightings WHERE listing_id = :l"
            " UNION SELECT capture_id FROM listing_changes WHERE listing_id = :l"
            " UNION SELECT capture_id FROM listings WHERE id = :l) ORDER BY fetched_at, id",
            {"l": listing_id},
        )

    # -- alerts ---------------------------------------------------------------------

    def unalerted_hits(self, severities: Sequence[str] = ("high", "medium")) -> list[HitRecord]:
        """New hits not yet in any digest (status still 'new')."""
        rows = self.hit_records(severity=severities, status="new")
        return [r for r in rows if r.alerted_at is None]

    def mark_alerted(self, hit_ids: Iterable[int], now: str | None = None) -> None:
        ids = list(hit_ids)
        if ids:
            self.db.execute(f"UPDATE hits SET alerted_at = ? WHERE id IN ({', '.join('?' * len(ids))})",
                            [now or utc_now(), *ids])

    def enqueue(self, channel: str, kind: str, subject: str, payload: dict[str, Any], now: str | None = None) -> int:
        now = now or utc_now()
        cur = self.db.execute(
            "INSERT INTO outbox (channel, kind, subject, payload, created_at, next_attempt_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [channel, kind, subject, json.dumps(payload, ensure_ascii=False), now, now],
        )
        return int(cur.lastrowid)

    def outbox(self, *, pending_only: bool = True, channel: str | None = None,
               due_by: str | None = None) -> list[dict[str, Any]]:
        where, args = [], []
        if pending_only:
            where.append("sent_at IS NULL")
        if channel:
            where.append("channel = ?")
            args.append(channel)
        if due_by:
            where.append("next_attempt_at <= ?")
            args.append(due_by)
        rows = self._rows(f"SELECT * FROM outbox {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY id", args)
        for r in rows:
            r["payload"] = json.loads(r["payload"])
        return rows

    def outbox_sent(self, message_id: int, now: str | None = None) -> None:
        self.db.execute("UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ?",
                        [now or utc_now(), message_id])

    def outbox_failed(self, message_id: int, error: str, next_attempt_at: str) -> None:
        self.db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
            [error, next_attempt_at, message_id],
        )

    def outbox_sent_since(self, channel: str, since: str) -> int:
        """Messages a channel delivered at or after ``since`` (for its rate limit)."""
        return self.db.execute("SELECT count(*) FROM outbox WHERE channel = ? AND sent_at >= ?",
                               [channel, since]).fetchone()[0]

    # -- web workspace accounts (accounts.py hashes and checks the passwords) -------------

    def add_user(self, name: str, role: str, password_hash: str, by: str = "", now: str | None = None) -> None:
        self.db.execute("INSERT INTO users (name, role, password_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                        [name, role, password_hash, now or utc_now(), by])

    def user(self, name: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM users WHERE name = ?", [name])
        return rows[0] if rows else None

    def users(self) -> list[dict[str, Any]]:
        return self._rows("SELECT name, role, created_at, created_by, disabled_at FROM users ORDER BY name", [])

    def update_user(self, name: str, *, role: str | None = None, password_hash: str | None = None,
                    disabled_at: str | None = None, enable: bool = False) -> None:
        self.db.execute(
            "UPDATE users SET role = COALESCE(?, role), password_hash = COALESCE(?, password_hash),"
            " disabled_at = CASE WHEN ? THEN NULL ELSE COALESCE(?, disabled_at) END WHERE name = ?",
            [role, password_hash, enable, disabled_at, name])

    def counts(self) -> dict[str, int]:
        return {t: self.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in TABLES}

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def _rows(self, sql: str, args: Iterable[Any] | dict[str, Any]) -> list[dict[str, Any]]:
        cur = self.db.execute(sql, args if isinstance(args, dict) else list(args))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
