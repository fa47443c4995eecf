"""The review history's hash chain: how an entry is hashed, and how the chain is checked.

Each entry's ``hash`` is the SHA-256 of its fields and its predecessor's hash,
so changing or deleting any past entry breaks every link after it. The newest
link is also written to a file beside the database (``<db>.audit-head``) after
each review; an entry deleted from the end of the log then shows as a head the
log no longer holds. Pure functions; the store keeps the rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
FIELDS = ("id", "hit_id", "at", "actor", "action", "old", "new", "note", "prev_hash")


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 of the entry's fields (canonical JSON, in FIELDS order) and its predecessor's hash."""
    data = json.dumps([entry[k] for k in FIELDS], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def verify_chain(entries: Iterable[Mapping[str, Any]], head: Mapping[str, Any] | None = None) -> list[str]:
    """Problems found in a whole log, in order (empty when intact).

    ``head`` is the last link recorded outside the database ({"id", "hash"}),
    if any: the log must still hold it.
    """
    problems: list[str] = []
    prev = GENESIS
    expected_id = 1
    held: dict[int, str] = {}
    for e in entries:
        if e["id"] != expected_id:
            problems.append(f"audit entry {expected_id}" + (f"–{e['id'] - 1}" if e["id"] - 1 > expected_id else "")
                            + " missing (deleted)")
        if e["prev_hash"] != prev:
            problems.append(f"audit entry {e['id']}: does not follow the entry before it (an entry was deleted "
                            "or changed)")
        if entry_hash(e) != e["hash"]:
            problems.append(f"audit entry {e['id']}: its content was changed after it was written")
        prev = e["hash"]
        expected_id = e["id"] + 1
        held[e["id"]] = e["hash"]
    if head and head.get("id"):
        if head["id"] not in held:
            problems.append(f"audit entry {head['id']} (the recorded head) is missing: entries were deleted from "
                            "the end of the log")
        elif held[head["id"]] != head["hash"]:
            problems.append(f"audit entry {head['id']} differs from the recorded head")
    return problems


def head_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".audit-head")


def read_head(db_path: Path) -> dict[str, Any] | None:
    path = head_path(db_path)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"id": -1, "hash": "unreadable"}


def write_head(db_path: Path, entry: Mapping[str, Any]) -> None:
    """Record the newest link (atomically: a crash leaves the old head or the new one)."""
    path = head_path(db_path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"id": entry["id"], "hash": entry["hash"], "at": entry["at"]}), encoding="utf-8")
    tmp.replace(path)
