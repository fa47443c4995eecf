"""Review: what the legal team decides about a hit, and the audit log of every decision.

Statuses, in the order a case moves::

    new ─► confirmed ─► complaint_filed · letter_sent · suit_filed · judgment   (enforcement, any order)
      │        │                │
      │        └───────────────►└─► name_changed · deregistered · removed      (outcomes)
      │                                   │
      ├─► dismissed (a false alarm)       └─► reemerged ─► enforcement again
      └─► allowlisted (the owner's own: its name joins the owner's allow list)

Allowlisting is undone by reopening the hit (its name leaves the allow list) or by
``remove_allowed`` (``brandwatch allow remove NAME|HIT``: the hit goes back to new);
both are audit entries (action ``allow``, old = the name, new = empty).
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
from .models import HitRecord, utc_now
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
    rows = {r.id: r for r in store.hit_records(ids=list(hit_ids))}
    missing = [i for i in hit_ids if i not in rows]
    if missing:
        raise ReviewError(f"hit {missing[0]} does not exist; `brandwatch hits` lists them")
    if status is not None and not force:
        for i in hit_ids:
            old = rows[i].status
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


def _apply(store: Store, row: HitRecord, status: str | None, *, by: str, note: str, assignee: str | None,
           add_tags: Sequence[str], remove_tags: Sequence[str], force: bool, now: str) -> Change:
    hit_id = row.id
    entries = []
    noted = False  # the note went into the audit log with the status change
    if status is not None and status != row.status:
        allowed = status in TRANSITIONS.get(row.status, ())
        entries.append(store.append_audit(hit_id, by, "status", row.status, status,
                                          note if allowed or not force else f"[forced] {note}".strip(), now))
        store.update_hit(hit_id, status=status, at=now)
        if status in OUTCOMES or status in ("dismissed", "allowlisted"):
            store.decide_proposals(hit_id, status, now)
        if status == "allowlisted":
            store.add_allow_name(row.owner, row.listing.name, hit_id, by, now)
            entries.append(store.append_audit(hit_id, by, "allow", "", row.listing.name,
                                              f"added to the allow list of {row.owner or 'the owner'}", now))
        elif row.status == "allowlisted":  # reopened: the name must be reported again
            entries += _unallow_hit(store, row, by, now, f"the hit moved from allowlisted to {status}")
        noted = True
    if assignee is not None and assignee != row.assignee:
        entries.append(store.append_audit(hit_id, by, "assign", row.assignee, assignee, "", now))
        store.update_hit(hit_id, assignee=assignee)
    tags = list(row.tags)
    new_tags = [t for t in dict.fromkeys([*tags, *add_tags]) if t not in set(remove_tags)]
    if new_tags != tags:
        entries.append(store.append_audit(hit_id, by, "tags", ",".join(tags), ",".join(new_tags), "", now))
        store.update_hit(hit_id, tags=new_tags)
    if note:
        if not noted:
            entries.append(store.append_audit(hit_id, by, "note", "", "", note, now))
        # the hit's notes are what exports (备注) and bundles show: the note goes there too, with the decision
        said = f" → {status}" if noted else ""
        store.update_hit(hit_id, notes=(row.notes + "\n" if row.notes else "") + f"{now[:10]} {by}{said}: {note}")
    return Change(hit_id, tuple(entries))


def _same_name(a: str, b: str) -> bool:
    """Allow-list names compare as the matcher compares them: full-width and ASCII brackets alike."""
    fold = str.maketrans("（）", "()")
    return a.translate(fold).strip() == b.translate(fold).strip()


def _unallow_hit(store: Store, row: HitRecord, by: str, now: str, why: str) -> list[dict[str, Any]]:
    """Take off the allow list the name a hit put there, unless another hit still allowlisted holds the same
    name for the same owner; an audit entry for each name taken off."""
    rows = store.allow_rows(hit_id=row.id) or [
        r for r in store.allow_rows(name=row.listing.name) if r["owner"] == row.owner]
    entries = []
    for allowed in rows:
        others = [h for h in store.hit_records(status="allowlisted")
                  if h.id != row.id and h.owner == allowed["owner"]
                  and _same_name(h.listing.name, allowed["name"])]
        if others:
            continue
        store.remove_allow_name(allowed["id"])
        entries.append(store.append_audit(row.id, by, "allow", allowed["name"], "",
                                          f"removed from the allow list of {allowed['owner'] or 'the owner'}: {why}",
                                          now))
    return entries


@dataclass(frozen=True)
class AllowRemoval:
    owner: str
    name: str
    hit_id: int | None  # the hit it was allowlisted from
    reopened: tuple[int, ...]  # hits that were allowlisted under this name and went back to new


def remove_allowed(store: Store, target: str, *, by: str, owner: str | None = None, note: str = "",
                   now: str | None = None) -> list[AllowRemoval]:
    """Take a name the team allowlisted off the allow list: ``target`` is the name, or a hit id (the name that
    hit put there; a name of digits only is read as a hit id). Each removal is an audit entry; the owner's
    hits still ``allowlisted`` under that name go back to ``new`` (audited too), so statuses and the allow
    list agree. The matcher reports the name again from the next run: its index is keyed on the allow lists.
    """
    if not by.strip():
        raise ReviewError("--by is empty; say who decides (or set BRANDWATCH_USER)")
    now = now or utc_now()
    if target.isdigit():
        hit = store.hit_records(ids=[int(target)])
        if not hit:
            raise ReviewError(f"hit {target} does not exist; `brandwatch hits` lists them")
        h = hit[0]
        rows = store.allow_rows(hit_id=h.id) or [
            r for r in store.allow_rows() if r["owner"] == h.owner and _same_name(r["name"], h.listing.name)]
        if not rows:
            raise ReviewError(f"hit {target}: its name {h.listing.name} is not on the allow list; "
                              "`brandwatch allow list` shows the names there")
    else:
        rows = [r for r in store.allow_rows() if _same_name(r["name"], target)]
        if not rows:
            raise ReviewError(f"{target}: not a name the team allowlisted; `brandwatch allow list` shows them "
                              "(a name in a watchlist's allow: is removed from its file)")
    if owner is not None:
        rows = [r for r in rows if r["owner"] == owner]
        if not rows:
            raise ReviewError(f"--owner {owner}: {target} is not on that owner's allow list")
    owners = sorted({r["owner"] for r in rows})
    if len(owners) > 1:
        raise ReviewError(f"{target} is on the allow lists of {', '.join(owners)}; say which with --owner")
    out: list[AllowRemoval] = []
    last = None
    with store.transaction():
        for r in rows:
            store.remove_allow_name(r["id"])
            last = store.append_audit(r["hit_id"], by, "allow", r["name"], "",
                                      f"removed from the allow list of {r['owner'] or 'the owner'}"
                                      + (f": {note}" if note else ""), now)
            reopened = []
            for h in store.hit_records(status="allowlisted"):
                if h.owner == r["owner"] and (h.id == r["hit_id"] or _same_name(h.listing.name, r["name"])):
                    last = store.append_audit(h.id, by, "status", "allowlisted", "new",
                                              "its name was taken off the allow list", now)
                    store.update_hit(h.id, status="new", at=now)
                    reopened.append(h.id)
            out.append(AllowRemoval(r["owner"], r["name"], r["hit_id"], tuple(reopened)))
    if last is not None:
        write_head(store.path, last)
    return out


def hit_details(store: Store, hit_id: int) -> dict[str, Any]:
    """Everything the store knows about one hit, as one JSON-ready document (``brandwatch show HIT --json``,
    version 1): the hit and its match, the listing, its captures, sightings and name/status changes, the
    follow-up proposals and the hit's audit trail."""
    rows = store.hit_records(ids=[hit_id])
    if not rows:
        raise ReviewError(f"hit {hit_id} does not exist; `brandwatch hits` lists them")
    h = rows[0]
    flat = h.flat()
    listing = store.listing(h.listing_id) or {}
    on_allow_list = any(r["owner"] == h.owner and _same_name(r["name"], h.listing.name)
                        for r in store.allow_rows())
    return {
        "version": 1,
        "hit": {k: flat[k] for k in ("id", "status", "status_at", "assignee", "tags", "notes", "mark_id", "mark",
                                  "owner", "score", "severity", "rule", "span", "explanation", "first_seen",
                                  "last_seen", "alerted_at")},
        "allowlisted_name": on_allow_list,
        "listing": {k: listing.get(k) for k in ("id", "source", "key", "kind", "name", "url", "fields", "status",
                                                "first_seen", "last_seen")},
        "captures": [{k: c[k] for k in ("id", "fetched_at", "request_url", "final_url", "status", "size", "sha256",
                                        "warc_file", "warc_offset", "warc_length")}
                     for c in store.listing_captures(h.listing_id)],
        "sightings": [{k: s[k] for k in ("seen_at", "name", "status", "run_id", "capture_id")}
                      for s in store.sightings(h.listing_id)],
        "changes": [{k: c[k] for k in ("seen_at", "field", "old", "new", "capture_id")}
                    for c in store.listing_changes(h.listing_id)],
        "proposals": [{k: p[k] for k in ("id", "outcome", "state", "reason", "seen_at", "capture_id", "created_at",
                                         "decided_at")} for p in store.proposals(None, hit_id=hit_id)],
        "audit": [{k: e[k] for k in ("id", "at", "actor", "action", "old", "new", "note", "hash")}
                  for e in store.audit_entries(hit_id)],
    }


def verify_audit(store: Store, db_path: Path | None = None) -> list[str]:
    """Problems in the whole audit log (empty when every entry and link is intact)."""
    return verify_chain(store.audit_entries(), read_head(db_path or store.path))
