"""Review: what the legal team decides about a hit, and the audit log of every decision.

Statuses, in the order a case moves::

    new ─► confirmed ─► complaint_filed · letter_sent · suit_filed · judgment   (enforcement, any order)
      │        │                │
      │        └───────────────►└─► name_changed · deregistered · removed      (outcomes)
      │                                   │
      ├─► dismissed (a false alarm)       └─► reemerged ─► enforcement again
      └─► allowlisted (the owner's own: its name joins the owner's allow list)
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .audit import read_head, verify_chain, write_head
from .errors import ReviewError
from .models import utc_now
from .store import Store

TRIAGE = ("new", "confirmed", "dismissed", "allowlisted")
ENFORCEMENT = ("complaint_filed", "letter_sent", "suit_filed", "judgment")
OUTCOMES = ("name_changed", "deregistered", "removed", "reemerged")
STATUSES = (*TRIAGE, *ENFORCEMENT, *OUTCOMES)

# Where a case may go from each status. Enforcement steps come in any order; an
# outcome can still be followed by a court step (a suit goes on after a rename);
# a dismissed or allowlisted hit can be reopened.
_AFTER_CONFIRMED = (*ENFORCEMENT, "name_changed", "deregistered", "removed", "dismissed")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("confirmed", "dismissed", "allowlisted"),
    "confirmed": _AFTER_CONFIRMED,
    "dismissed": ("new", "confirmed", "allowlisted"),
    "allowlisted": ("new", "confirmed", "dismissed"),
    **{s: _AFTER_CONFIRMED for s in ENFORCEMENT},
    "name_changed": (*ENFORCEMENT, "deregistered", "removed", "reemerged"),
    "deregistered": (*ENFORCEMENT, "removed", "reemerged"),
    "removed": (*ENFORCEMENT, "name_changed", "deregistered", "reemerged"),
    "reemerged": _AFTER_CONFIRMED,
}
# hits on these statuses are watched for follow-up (a rename, a cancellation, a removal)
WATCHED = ("confirmed", *ENFORCEMENT, "reemerged")


@dataclass(frozen=True)
class Change:
    hit_id: int
    entries: tuple[dict[str, Any], ...]  # the audit entries written


def default_actor() -> str:
    """Who is reviewing: $BRANDWATCH_USER, else the login name."""
    return os.environ.get("BRANDWATCH_USER") or getpass.getuser()


def review(store: Store, hit_ids: Sequence[int], status: str | None = None, *, by: str, note: str = "",
           assignee: str | None = None, add_tags: Sequence[str] = (), remove_tags: Sequence[str] = (),
           force: bool = False, now: str | None = None) -> list[Change]:
    """Record a decision on one or more hits: all of them or none.

    Each change is an audit entry (who, when, from, to, note). ``force`` allows
    a move the workflow table does not (correcting a mistake); the entry says so.
    """
    if status is not None and status not in STATUSES:
        raise ReviewError(f"{status!r} is not a status; use one of {', '.join(STATUSES)}")
    if not by.strip():
        raise ReviewError("--by is empty; say who decides (or set BRANDWATCH_USER)")
    if status is None and assignee is None and not add_tags and not remove_tags and not note:
        raise ReviewError("nothing to record: give a STATUS, --assign, --tag, --untag or --note")
    now = now or utc_now()
    rows = {r["id"]: r for r in store.hit_records(ids=list(hit_ids))}
    missing = [i for i in hit_ids if i not in rows]
    if missing:
        raise ReviewError(f"hit {missing[0]} does not exist; `brandwatch hits` lists them")
    if status is not None and not force:
        for i in hit_ids:
            old = rows[i]["status"]
            if status != old and status not in TRANSITIONS.get(old, ()):
                raise ReviewError(
                    f"hit {i} is {old}: it cannot become {status}; from {old} it can become "
                    f"{', '.join(TRANSITIONS.get(old, ())) or 'nothing'} (or use --force to correct a mistake)"
                )
    changes = []
    with store.transaction():
        for i in dict.fromkeys(hit_ids):
            changes.append(_apply(store, rows[i], status, by=by, note=note, assignee=assignee, add_tags=add_tags,
                                  remove_tags=remove_tags, force=force, now=now))
    last = next((c.entries[-1] for c in reversed(changes) if c.entries), None)
    if last is not None:
        write_head(store.path, last)
    return changes


def _apply(store: Store, row: dict[str, Any], status: str | None, *, by: str, note: str, assignee: str | None,
           add_tags: Sequence[str], remove_tags: Sequence[str], force: bool, now: str) -> Change:
    hit_id = row["id"]
    entries = []
    if status is not None and status != row["status"]:
        allowed = status in TRANSITIONS.get(row["status"], ())
        entries.append(store.append_audit(hit_id, by, "status", row["status"], status,
                                          note if allowed or not force else f"[forced] {note}".strip(), now))
        store.update_hit(hit_id, status=status, at=now)
        if status in OUTCOMES or status in ("dismissed", "allowlisted"):
            store.decide_proposals(hit_id, status, now)
        if status == "allowlisted":
            store.add_allow_name(row["owner"], row["listing_name"], hit_id, by, now)
            entries.append(store.append_audit(hit_id, by, "allow", "", row["listing_name"],
                                              f"added to the allow list of {row['owner'] or 'the owner'}", now))
        note = ""  # said with the status change
    if assignee is not None and assignee != row["assignee"]:
        entries.append(store.append_audit(hit_id, by, "assign", row["assignee"], assignee, "", now))
        store.update_hit(hit_id, assignee=assignee)
    tags = list(row["tags"])
    new_tags = [t for t in dict.fromkeys([*tags, *add_tags]) if t not in set(remove_tags)]
    if new_tags != tags:
        entries.append(store.append_audit(hit_id, by, "tags", ",".join(tags), ",".join(new_tags), "", now))
        store.update_hit(hit_id, tags=new_tags)
    if note:
        entries.append(store.append_audit(hit_id, by, "note", "", "", note, now))
        store.update_hit(hit_id, notes=(row["notes"] + "\n" if row["notes"] else "") + f"{now[:10]} {by}: {note}")
    return Change(hit_id, tuple(entries))


def verify_audit(store: Store, db_path: Path | None = None) -> list[str]:
    """Problems in the whole audit log (empty when every entry and link is intact)."""
    return verify_chain(store.audit_entries(), read_head(db_path or store.path))
