"""Actor networks over the store: the listings linked by what they share, the entities around a hit, and
``related`` proposals for what is linked to a confirmed imitator even when its name matches no mark.

In the WeBank case one controller ran four companies; three used 微众 in their names, the fourth
(优化信用管理(武汉)有限公司) did not. Its name matches nothing; its legal representative and address are
those of the other three. So after each run, every listing within ``RELATED_STEPS`` links of a listing
whose hit the team confirmed (or took further: a complaint, a letter, a suit) is proposed for review as a
hit with the rule ``related``, the mark of the confirmed hit it is linked to, and the path as its reason.
It goes through the same review as any hit; a decision stays (the hit keeps its status, the path is
refreshed). A listing the team dismissed or allowlisted is no evidence for its neighbours: the walk does
not pass through it.

A proposal puts a listing in the team's inbox, so it asks more of a link than ``network`` does: every hop
of its path shares something besides a person (an address, a phone, a credit code …) or two things. A
legal representative 王伟@北京 alone is many people; the same representative *and* address is the
WeBank pattern. ``brandwatch network HIT`` shows every link, the weak ones too, for a person to judge.

The graph is built around the listings asked about (``Store.attribute_neighbourhood``), so its cost is that
of their neighbourhood, not of the store; ``leads/network.py`` says what links and what does not. Values
shared by more than ``HUB_LIMIT`` listings (a registered agent's address) are hubs: set aside and named.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import BrandwatchError
from .leads.network import (
    PERSON,
    PERSON_KINDS,
    Edge,
    Network,
    build_graph,
    connections,
    draw_svg,
    explain_path,
    related,
)
from .leads.rules import LEAD_RULES
from .models import Hit, utc_now
from .review import WATCHED
from .store import Store

#: Links from a confirmed imitator within which an entity is proposed (two: the WeBank case's fourth
#: company shares its representative and address with each of the three, one link; two reaches the
#: companies of a shareholder of a shareholder's company).
RELATED_STEPS = 2
#: A value shared by more listings than this links nothing (a registered agent's address, a platform's number).
HUB_LIMIT = 50
#: Statuses whose listings are no evidence for their neighbours.
SET_ASIDE = ("dismissed", "allowlisted")


def network_around(store: Store, listing_ids: Iterable[int], steps: int) -> Network:
    """The graph of the listings within ``steps`` shared values of these, hubs named in ``Network.hubs``."""
    rows, hubs = store.attribute_neighbourhood(listing_ids, steps, HUB_LIMIT)
    net = build_graph(rows, hub_limit=HUB_LIMIT)
    net.hubs.update(hubs)
    return net


def strong_path(path: Sequence[Edge]) -> bool:
    """Every hop shares something besides a person, or two things: enough to put a listing in the inbox."""
    hops: dict[tuple[int, int], set[tuple[str, str]]] = {}
    for e in path:
        hops.setdefault((e.from_listing, e.to_listing), set()).add((e.kind, e.value))
    return all(len(shared) >= 2 or any(k not in PERSON_KINDS and k != PERSON for k, _ in shared)
               for shared in hops.values())


@dataclass(frozen=True)
class Proposed:
    listing_id: int
    name: str
    mark_id: str
    reason: str
    new: bool


def propose_related(store: Store, *, steps: int = RELATED_STEPS, now: str | None = None) -> list[Proposed]:
    """Propose every listing linked to a confirmed imitator (``WATCHED`` statuses) that has no hit of its own
    for that mark, as a ``related`` hit with the path as its reason; returns what was proposed or refreshed."""
    seeds: dict[int, tuple[str, str, str]] = {}  # listing id → (mark id, mark, owner) of its first watched hit
    for h in store.hit_records(status=list(WATCHED), order="id"):
        seeds.setdefault(h.listing_id, (h.mark_id, h.mark, h.owner))
    if not seeds:
        return []
    net = network_around(store, seeds, steps)
    aside = {h.listing_id for h in store.hit_records(status=list(SET_ASIDE), order="id")} - set(seeds)
    found = {i: p for i, p in related(net, seeds, steps=steps, exclude=aside).items() if strong_path(p)}
    if not found:
        return []
    ids = set(found) | {e.from_listing for path in found.values() for e in path} | set(seeds)
    names = {i: v["name"] for i, v in store.listing_names(ids).items()}
    own = store.hit_marks_of(found)
    rule = LEAD_RULES["related"]
    out: list[Proposed] = []
    batch: list[tuple[int, list[Hit]]] = []
    for listing_id, path in found.items():
        mark_id, mark, owner = seeds[path[0].from_listing]
        mine = own.get(listing_id, {})
        if mark_id in mine and mine[mark_id] != "related":
            continue  # its name or text matched the mark: that hit is in the inbox on its own merits
        reason = explain_path(path, names)
        batch.append((listing_id, [Hit(mark_id=mark_id, mark=mark, owner=owner, score=rule.score,
                                       severity="medium" if rule.score >= 70 else "low", rules=("related",),
                                       span=names.get(listing_id, ""), explanation=reason, term=mark)]))
        out.append(Proposed(listing_id, names.get(listing_id, ""), mark_id, reason, mark_id not in mine))
    with store.transaction():
        store.save_hits_many(batch, now or utc_now())
    return out


def hit_network(store: Store, hit_id: int, steps: int = 2) -> dict[str, Any]:
    """The entities linked to a hit's listing within ``steps`` links, each with its path (``brandwatch network``
    and the workspace's hit page)."""
    records = store.hit_records(ids=[hit_id])
    if not records:
        raise BrandwatchError(f"hit {hit_id}: no such hit; `brandwatch hits` lists them")
    hit = records[0]
    net = network_around(store, [hit.listing_id], steps)
    found = connections(net, hit.listing_id, steps=steps)
    ids = {hit.listing_id} | {c.listing_id for c in found} | {e.from_listing for c in found for e in c.path}
    info = store.listing_names(ids)
    names = {i: v["name"] for i, v in info.items()}
    marks = store.hit_marks_of(ids)
    return {
        "hit": hit.id, "listing": hit.listing_id, "name": hit.listing.name, "mark": hit.mark_id, "steps": steps,
        "attributes": [{"kind": k, "value": v} for k, v in store.attributes_of(hit.listing_id)],
        "connected": [{
            "listing": c.listing_id, "name": names.get(c.listing_id, ""),
            "kind": info.get(c.listing_id, {}).get("kind", ""), "source": info.get(c.listing_id, {}).get("source", ""),
            "hits": marks.get(c.listing_id, {}), "steps": c.steps,
            "path": [{"from": e.from_listing, "kind": e.kind, "value": e.value, "to": e.to_listing} for e in c.path],
            "reason": explain_path(c.path, names, confirmed=False),
        } for c in found],
        "hubs_left_out": [{"kind": k, "value": v, "listings": n}
                          for (k, v), n in sorted(net.hubs.items(), key=lambda kv: -kv[1])][:20],
        "svg": draw_svg(net, [hit.listing_id], names, highlight=sorted(i for i in ids if i in marks), steps=steps),
    }


@dataclass(frozen=True)
class ActorNetwork:
    """A confirmed imitator and the entities linked to it: what the weekly report draws."""

    hit_id: int
    listing_id: int
    name: str
    mark: str
    members: tuple[tuple[int, str, str], ...]  # (listing id, name, the path as a sentence)
    svg: str


def actor_networks(store: Store, *, steps: int = RELATED_STEPS, limit: int = 10) -> list[ActorNetwork]:
    """Each confirmed imitator (``WATCHED`` statuses) with the entities linked to it, largest networks first;
    an imitator already shown inside another's network is not drawn again."""
    watched = store.hit_records(status=list(WATCHED), order="id")
    if not watched:
        return []
    net = network_around(store, {h.listing_id for h in watched}, steps)
    drawn: set[int] = set()
    found: list[tuple[int, Any, list[Any]]] = []
    for h in watched:
        if h.listing_id in drawn:
            continue
        linked = connections(net, h.listing_id, steps=steps)
        if not linked:
            continue
        drawn |= {h.listing_id, *(c.listing_id for c in linked)}
        found.append((len(linked), h, linked))
    found.sort(key=lambda t: (-t[0], t[1].id))
    out = []
    for _, h, linked in found[:limit]:
        ids = {h.listing_id} | {c.listing_id for c in linked} | {e.from_listing for c in linked for e in c.path}
        names = {i: v["name"] for i, v in store.listing_names(ids).items()}
        flagged = store.hit_marks_of(ids)
        out.append(ActorNetwork(
            h.id, h.listing_id, h.listing.name, h.mark,
            tuple((c.listing_id, names.get(c.listing_id, ""), explain_path(c.path, names)) for c in linked),
            draw_svg(net, [h.listing_id], names, highlight=sorted(flagged), steps=steps)))
    return out
