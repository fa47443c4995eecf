"""The matching stage for crawled listings: names through the matcher, texts through ``scan_text``, and every
listing's linkable attributes, in one pure function the pipeline calls for a page or a feed's batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..match import Matcher
from ..models import Hit, Listing, Watchlist
from .network import listing_attributes
from .scan import merge_hits, scan_text


@dataclass
class Matched:
    """What a batch of listings gave, by the listing's index in the batch."""

    hits: dict[int, list[Hit]]
    texts: list[tuple[int, str]] = field(default_factory=list)
    attributes: list[tuple[int, str, str]] = field(default_factory=list)  # (index, kind, value)
    fakes: list[tuple[int, str, str, str, str]] = field(default_factory=list)  # (index, mark, type, value, raw)


def official_ids(watchlists: Sequence[Watchlist]) -> dict[str, set[str]]:
    """Owner → its official app and account ids, lower-case (``official.apps``, ``official.accounts``)."""
    return {w.owner: {x.lower() for x in (*w.official.apps, *w.official.accounts)} for w in watchlists
            if w.official.apps or w.official.accounts}


def is_owners_own(listing: Listing, ids: set[str]) -> bool:
    """The listing is one of the owner's official apps or accounts: its key, or a field such as the bundle id
    or the account id, is on the owner's list (``douyin:webank`` names the platform too)."""
    values = {listing.key.lower(), *(v.lower() for _, v in listing.fields)}
    platform = listing.field("平台").lower()
    return bool(ids & values) or bool(platform and ids & {f"{platform}:{v}" for v in values})


def match_listings(matcher: Matcher, listings: Sequence[Listing]) -> Matched:
    """Hits from each listing's name and, when it carries text, from its text; its attributes; its fake contacts.
    The owners' own official apps and accounts are never reported (as their ``allow`` entities are not)."""
    found = matcher.match_many([x.name for x in listings], [x.kind for x in listings]) if listings else {}
    own = official_ids(matcher.watchlists)
    if own:
        for i in list(found):
            found[i] = [h for h in found[i] if not (h.owner in own and is_owners_own(listings[i], own[h.owner]))]
            if not found[i]:
                del found[i]
    out = Matched(found)
    for i, x in enumerate(listings):
        contacts: list[tuple[str, str]] = []
        if x.text:
            out.texts.append((i, x.text))
            scan = scan_text(matcher, matcher.watchlists, x.text, x.kind, found.get(i, ()))
            if scan.hits:
                found[i] = merge_hits(found.get(i, []), scan.hits)
            contacts = [(c.type, c.value) for c in scan.contacts]
            out.fakes += [(i, f.mark_id, f.contact.type, f.contact.value, f.contact.raw) for f in scan.fakes]
        out.attributes += [(i, kind, value) for kind, value in
                           listing_attributes(x.kind, x.name, dict(x.fields), contacts)]
    return out
