"""Follow-up: confirmed imitators stay watched, and what becomes of them is proposed to the team.

After each source run, for hits under watch (confirmed, in enforcement, or reemerged):

1. ``name_changed``: the registry shows a new name for the same key (统一社会信用代码)
   and the new name no longer imitates the mark (a rename to another look-alike is
   recorded as a change but proposes nothing);
2. ``deregistered``: the registration status became 注销 / 吊销 / 撤销 (cancelled, revoked);
3. ``removed``: the source no longer lists it: ``absent_runs`` *proven* runs of that
   source since it was last seen, each ``ok`` with every page parsed as a result list
   (pipeline.py; ``runs.proven``). Partial, failed, blocked and deferred runs never
   count, nor does a 200 page that was not a result list (it fails the run): a page
   that did not load, or did not parse, is not proof of absence. Feeds never prove
   absence (a day's feed lists only that day's rows).

And for hits whose case ended that way, ``reemerged``: the removed listing is listed
again, the renamed company takes a similar name again, the cancelled one is active
again, or a new listing appears under a name the imitator used before.

Proposals wait for a person: ``brandwatch review HIT name_changed`` accepts one (the
audit log says who and when); any other outcome or a dismissal closes the rest.
Every proposal keeps when brandwatch saw the change and the capture that showed it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .match import Matcher
from .models import HitRecord, utc_now
from .review import WATCHED
from .store import Store

CANCELLED = ("注销", "吊销", "撤销", "cancelled", "canceled", "deregistered", "revoked", "dissolved")
_ENDED = ("name_changed", "deregistered", "removed")


def is_cancelled(status: str) -> bool:
    s = status.lower()
    return any(word in s for word in CANCELLED)


@dataclass(frozen=True)
class Proposal:
    hit_id: int
    outcome: str
    reason: str


def follow_up(store: Store, run_id: int, matcher: Matcher, *, absent_runs: int = 2,
              now: str | None = None) -> list[Proposal]:
    """Propose outcomes after run ``run_id``; returns the proposals newly added."""
    now = now or utc_now()
    run = store.run(run_id)
    if run is None:
        return []
    source = run["source"].removesuffix(":import")
    started = run["started_at"]
    out: list[Proposal] = []

    def propose(hit: HitRecord, outcome: str, reason: str, seen_at: str, capture_id: int | None) -> None:
        if store.add_proposal(hit.id, outcome, reason, seen_at, capture_id, now):
            out.append(Proposal(hit.id, outcome, reason))

    with store.transaction():
        watched = store.hit_records(status=WATCHED, source=source)
        by_listing: dict[int, list[dict]] = {}
        for hit in watched:
            by_listing.setdefault(hit.listing_id, []).append(hit)
        for change in store.changes_between(started, "9999"):
            if change["source"] != source:
                continue
            for hit in by_listing.get(change["listing_id"], []):
                key = _key(hit)
                if change["field"] == "name":
                    still = any(h.mark_id == hit.mark_id for h in matcher.match(change["new"], hit.listing.kind))
                    if not still:
                        propose(hit, "name_changed",
                                f"{key}名称由「{change['old']}」变更为「{change['new']}」，不再与「{hit.mark}」近似 "
                                f"(renamed; no longer similar to the mark)", change["seen_at"], change["capture_id"])
                elif change["field"] == "status" and is_cancelled(change["new"]):
                    propose(hit, "deregistered", f"{key}登记状态由「{change['old'] or '—'}」变为「{change['new']}」 "
                            "(registration cancelled or revoked)", change["seen_at"], change["capture_id"])
        if run["outcome"] == "ok" and run["proven"] and not run["source"].endswith(":import"):
            for hit in watched:
                last = hit.listing.last_seen
                if last < started and store.complete_runs_since(source, last) >= absent_runs:
                    propose(hit, "removed", f"「{hit.listing.name}」自 {last[:10]} 起不再出现在 {source} "
                            f"(not listed by {source} in {absent_runs}+ complete runs since {last})", now, None)
        _reemerged(store, source, started, propose)
    return out


def _reemerged(store: Store, source: str, started: str, propose) -> None:
    ended = store.hit_records(status=_ENDED)
    for hit in ended:
        if hit.listing.source != source:
            continue
        seen_again = hit.listing.last_seen >= started
        if hit.status == "removed" and seen_again:
            why = f"「{hit.listing.name}」再次出现在 {source} (listed again)"
        elif hit.status == "name_changed" and hit.last_seen >= started and hit.last_seen > (hit.status_at
                                                                                                    or ""):
            why = f"名称再次与「{hit.mark}」近似：「{hit.listing.name}」 (a similar name again)"
        elif hit.status == "deregistered" and seen_again and hit.listing.status \
                and not is_cancelled(hit.listing.status):
            why = f"登记状态恢复为「{hit.listing.status}」 (registration active again)"
        else:
            continue
        propose(hit, "reemerged", why, hit.listing.last_seen, hit.capture_id)
    # the same imitator under a new registration: a new hit today whose name it used before
    if not ended:
        return
    old_names: dict[tuple[str, str], HitRecord] = {}
    for hit in ended:
        names = {hit.listing.name, *(c["old"] for c in store.listing_changes(hit.listing_id)
                                        if c["field"] == "name")}
        for name in names:
            old_names[(hit.mark_id, name)] = hit
    for new in store.hit_records(source=source, since=started):
        old = old_names.get((new.mark_id, new.listing.name))
        if old is not None and old.listing_id != new.listing_id:
            propose(old, "reemerged", f"以原名「{new.listing.name}」重新出现：{_key(new)}(hit {new.id}) "
                    "(the same name under a new listing)", new.first_seen, new.capture_id)


def _key(hit: HitRecord) -> str:
    code = hit.listing.fields.get("统一社会信用代码")
    return f"统一社会信用代码 {code} " if code else f"{hit.listing.source}:{hit.listing.key} "
