"""The compiled matcher, saved beside the database and loaded in about a second.

Building a matcher reads the lexicons (420k words, 335k places), the reading
and look-alike tables and compiles every mark: seconds, and more with
thousands of marks. ``brandwatch index build`` (and the first command that
needs a matcher) saves the result in ``<database>.index/<key>.pickle``; later
``check``, ``screen``, ``run`` and the daemon load it instead.

The key is a SHA-256 over what the matcher is built from: the watchlists
(owners, marks, aliases, readings, allow lists, including names allow-listed
in the store), the risk terms, brandwatch's version and the size and time of
every matcher module and data file. Change any of them and the key changes: a
stale index is never used, it is simply not found. The three newest indexes
are kept and older ones removed.

``BRANDWATCH_INDEX=off`` in the environment builds the matcher in memory every
time and saves nothing (the test suite does this, except where it tests the index).

An index is a pickle: loading one runs code. It is written with mode 0600 in
the database's folder, which only the operator can write to; never load an
index from anywhere else.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import IndexFileError
from .match import Matcher, memo
from .models import Watchlist
from .version import __version__

log = logging.getLogger(__name__)

FORMAT = 1
KEEP = 3  # indexes kept per database


@dataclass(frozen=True)
class IndexInfo:
    path: Path
    key: str
    built: bool  # built now (else loaded)
    seconds: float
    marks: int
    forms: int


def code_fingerprint() -> str:
    """brandwatch's version, Python's, and the size and time of every matcher module and data file."""
    root = Path(__file__).resolve().parent
    parts = [__version__, sys.version.split()[0]]
    for folder in (root / "match", root / "data"):
        for f in sorted(folder.iterdir()):
            if f.is_file():
                st = f.stat()
                parts.append(f"{f.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def index_key(watchlists: Sequence[Watchlist], risk_terms: Sequence[str]) -> str:
    """What the matcher is built from, hashed (see the module's text)."""
    doc = {
        "format": FORMAT,
        "code": code_fingerprint(),
        "risk": list(risk_terms),
        "watchlists": [
            {"owner": w.owner, "allow": list(w.allow),
             "marks": [[m.id, m.name, list(m.aliases), list(m.reading)] for m in w.marks],
             # the matcher carries its watchlists, official contacts too (the leads' fake-contact check)
             "official": [list(w.official.phones), list(w.official.domains), list(w.official.apps),
                          list(w.official.accounts)]}
            for w in watchlists
        ],
    }
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def index_folder(database: Path | str) -> Path:
    return Path(str(database) + ".index")


def save_index(matcher: Matcher, path: Path, key: str) -> None:
    """Write the matcher and every table it uses to ``path``, atomically (a temporary file, then rename)."""
    matcher.warm()
    payload = {"format": FORMAT, "key": key, "brandwatch": __version__, "tables": memo.snapshot(),
               "matcher": matcher}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(payload, f, protocol=5)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_index(path: Path, key: str | None = None) -> Matcher:
    """The matcher saved in ``path``; with ``key``, only if it was built from the same inputs."""
    try:
        with open(path, "rb") as f:
            payload = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError) as e:
        raise IndexFileError(f"{path}: cannot read this index ({e}); remove it, or run `brandwatch index build`") from e
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or not isinstance(
            payload.get("matcher"), Matcher):
        raise IndexFileError(f"{path}: not a brandwatch index of this version; run `brandwatch index build`")
    if key is not None and payload.get("key") != key:
        raise IndexFileError(f"{path}: built from other watchlists or another brandwatch; run `brandwatch index build`")
    memo.restore(payload.get("tables", {}))
    return payload["matcher"]


def matcher_for(watchlists: Sequence[Watchlist], risk_terms: Sequence[str], database: Path | str | None, *,
                rebuild: bool = False, background: bool = False) -> tuple[Matcher, IndexInfo | None]:
    """The matcher for these watchlists: loaded from the database's index when one was built from
    the same inputs, else built (and saved there, when there is a database folder to save in).

    ``background``: save from a detached process (where the system can fork), so that this one
    goes on at once and never holds the pickler's memory; the index is there for the next start.
    """
    started = time.perf_counter()
    if database is None or os.environ.get("BRANDWATCH_INDEX", "").lower() == "off":
        return Matcher(watchlists, risk_terms), None
    key = index_key(watchlists, risk_terms)
    folder = index_folder(database)
    path = folder / f"{key[:32]}.pickle"
    if path.exists() and not rebuild:
        try:
            matcher = load_index(path, key)
            return matcher, _info(path, key, False, started, matcher)
        except IndexFileError as e:
            log.warning("%s; building it again", e)
    matcher = Matcher(watchlists, risk_terms)
    if not (background and _detached(lambda: _save(matcher, path, key, folder))):
        _save(matcher, path, key, folder)
    return matcher, _info(path, key, True, started, matcher)


def _save(matcher: Matcher, path: Path, key: str, folder: Path) -> None:
    try:
        save_index(matcher, path, key)
        prune(folder, keep=path)
    except OSError as e:  # a read-only folder: the matcher still works, only slower to start next time
        log.warning("%s: cannot save the index (%s); the next start builds it again", path, e)


def _detached(work: Callable[[], None]) -> bool:
    """Run ``work`` in a grandchild that nobody waits for (the parent reaps the child at once);
    False where the system cannot fork."""
    if not hasattr(os, "fork"):
        return False
    pid = os.fork()
    if pid == 0:  # the child: fork again and leave, so the grandchild is nobody's to wait for
        try:
            if os.fork() == 0:
                try:
                    os.setsid()
                    work()
                except BaseException:
                    log.exception("saving the index failed")
                finally:
                    os._exit(0)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return True


def prune(folder: Path, keep: Path) -> list[Path]:
    """Remove all but the newest KEEP indexes (never ``keep``); returns what was removed."""
    found = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    gone = [p for p in found[KEEP:] if p != keep]
    for p in gone:
        p.unlink(missing_ok=True)
    for tmp in folder.glob("*.tmp"):  # left by a build that was killed
        if time.time() - tmp.stat().st_mtime > 3600:
            tmp.unlink(missing_ok=True)
    return gone


def _info(path: Path, key: str, built: bool, started: float, matcher: Matcher) -> IndexInfo:
    return IndexInfo(path, key, built, time.perf_counter() - started, len(matcher.marks), matcher.form_count)
