"""One text in; the marks it names, the pitch it sells, the contacts it gives and whether a contact beside a
mark is fake; out come the hits a legal team reviews. Pure: the matcher and the watchlists are passed in.

The same function reads ``brandwatch texts`` input and, in the crawl, every listing that carries text (a
post, a bio, a map listing's name, address and phone):

1. mentions  every mark named in the text, in any form the matcher's rules know (``mentions.py``);
2. pitch     the black-and-gray-market pitch it sells, by category, from the versioned lexicon
             (``pitches.py``); a news report, a bank's notice or a victim's complaint quoting a pitch
             sells nothing;
3. contacts  phone numbers, WeChat and QQ ids, e-mail addresses and URLs, normalised (``contacts.py``);
4. fake      a phone number, web or e-mail address within ``BESIDE`` characters of a mention (or
             anywhere in a short text) that is not among the mark owner's ``official`` contacts. Only an
             owner that lists official contacts can be checked: for one that does not, nothing is fake.

A mention becomes a *hit* when the text sells a pitch or gives a fake contact: a post that merely says
"我用花呗买了手机" names the mark and is kept as a mention, not put in the team's inbox.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..match import Matcher
from ..models import Hit, Watchlist
from .contacts import Contact, contacts_in_image, extract_contacts, is_official
from .mentions import Mention, best_by_mark, find_mentions
from .pitches import Pitch, classify
from .rules import LEAD_RULES

#: How near a contact must stand to a mention to be "beside" it, in characters either way.
BESIDE = 200
#: A text this short is one context: every contact in it is beside every mention.
SHORT = 400
#: Contacts that can be checked against an owner's official list: numbers and addresses.
CHECKED = ("phone", "url", "email")
#: What a selling pitch adds to a mention's score (as a risk term in a name does).
PITCH_BONUS = 10


@dataclass(frozen=True)
class FakeContact:
    """A contact beside a mark that is not among its owner's official ones."""

    mark_id: str
    contact: Contact
    official: tuple[str, ...]  # the owner's official contacts of the same sort, for the explanation

    def explanation(self, span: str) -> str:
        shown = "、".join(self.official) if self.official else "无 none listed"
        what = {"phone": "号码", "qq": "QQ 号", "url": "网址", "email": "邮箱"}[self.contact.type]
        where = "配图二维码中的" if self.contact.start < 0 else "旁列出的"
        return (f"「{span}」{where}{what} {self.contact.raw.strip()} 不是官方{what}（官方：{shown}）"
                f" / {self.contact.type} {self.contact.value} beside 「{span}」 is not the owner's "
                f"(official: {shown})")


@dataclass(frozen=True)
class TextScan:
    """What one text holds, and the hits it makes."""

    mentions: tuple[Mention, ...]
    pitch: Pitch
    contacts: tuple[Contact, ...]
    fakes: tuple[FakeContact, ...]
    hits: tuple[Hit, ...]

    @property
    def marks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.hit.mark_id for m in self.mentions))

    @property
    def fake_contact(self) -> bool:
        return bool(self.fakes)

    def as_json(self, text_id: str = "") -> dict[str, Any]:
        """The shape ``brandwatch texts`` writes, one line an input text."""
        return {
            "id": text_id,
            "marks": list(self.marks),
            "category": self.pitch.category,
            "categories": {c: list(p) for c, p in self.pitch.categories.items()},
            "frame": self.pitch.frame,
            "contacts": [{"type": c.type, "value": c.value} for c in self.contacts],
            "fake_contact": self.fake_contact,
            "fake_contacts": [{"mark": f.mark_id, "type": f.contact.type, "value": f.contact.value}
                              for f in self.fakes],
            "mentions": [{"mark": m.hit.mark_id, "rule": m.hit.rule, "span": m.hit.span, "start": m.start,
                          "end": m.end, "explanation": m.hit.explanation} for m in self.mentions],
            "hits": [{"mark": h.mark_id, "owner": h.owner, "rule": h.rule, "score": h.score,
                      "severity": h.severity, "span": h.span, "explanation": h.explanation}
                     for h in self.hits],
        }


def _owners(watchlists: Sequence[Watchlist]) -> dict[str, Watchlist]:
    return {m.id: w for w in watchlists for m in w.marks}


def _official_of(watchlist: Watchlist, kind: str) -> tuple[str, ...]:
    o = watchlist.official
    return o.phones if kind in ("phone", "qq") else o.domains


def scan_text(matcher: Matcher, watchlists: Sequence[Watchlist], text: str, kind: str = "post",
              name_hits: Sequence[Hit] = (), images: Sequence[bytes] = ()) -> TextScan:
    """Read one text; see the module's docstring for the steps. ``name_hits``: what the listing's name matched,
    so that a mark named in both gives one hit, the name's reason first and the text's added. ``images``: the
    pictures that came with it (a post's images, a saved page's): the contacts in their QR codes count as
    the text's, beside every mention of it."""
    mentions = tuple(find_mentions(matcher, text, kind))
    pitch = classify(text)
    contacts = extract_contacts(text)
    if images:
        seen = {(c.type, c.value) for c in contacts}
        extra = []
        for image in images:
            for c in contacts_in_image(image):
                if (c.type, c.value) not in seen:
                    seen.add((c.type, c.value))
                    extra.append(replace(c, start=-1, end=-1, how="QR code in an attached image"))
        contacts = (*contacts, *extra)
    owners = _owners(watchlists)
    fakes: list[FakeContact] = []
    # a contact official for any owner watched is not fake beside another's mark (a notice listing 95188 for
    # 蚂蚁 and 95555 for 招行 names each bank's own line)
    checked = [c for c in contacts if c.type in CHECKED
               and not any(w.official and is_official(c, w.official) for w in watchlists)]
    for mark_id in dict.fromkeys(m.hit.mark_id for m in mentions) if checked else ():
        watchlist = owners.get(mark_id)
        if watchlist is None or not watchlist.official:
            continue  # no official list: nothing can be called fake
        starts = sorted(m.start for m in mentions if m.hit.mark_id == mark_id)
        seen: set[str] = set()
        for c in checked:
            if c.value in seen or not _beside(c, starts, len(text)) or is_official(c, watchlist.official):
                continue
            seen.add(c.value)
            fakes.append(FakeContact(mark_id, c, _official_of(watchlist, c.type)))
    hits = _hits(mentions, pitch, fakes, {h.mark_id: h for h in name_hits})
    return TextScan(mentions, pitch, contacts, tuple(fakes), hits)


def _beside(contact: Contact, starts: Sequence[int], size: int) -> bool:
    """A mention starts within BESIDE characters of the contact (a mark is short), or the text is short."""
    if size <= SHORT or contact.start < 0:  # a short text, or a QR code in the text's picture
        return True
    i = bisect_left(starts, contact.start - BESIDE - 32)
    return i < len(starts) and starts[i] <= contact.end + BESIDE


def _hits(mentions: Sequence[Mention], pitch: Pitch, fakes: Sequence[FakeContact],
          by_name: dict[str, Hit]) -> tuple[Hit, ...]:
    """One hit a mark the text sells under or gives a fake contact beside: the name's hit when the listing's
    name matched the mark too (its reason first), else the mention's; then the pitch and the fake contacts."""
    out = []
    selling = pitch.category != "none"
    said = pitch.reason() if selling else ""  # once: it reads every phrase and cue of the text
    for mark_id, m in best_by_mark(mentions).items():
        mine = [f for f in fakes if f.mark_id == mark_id]
        if not (selling or mine):
            continue
        named = by_name.get(mark_id)
        hit = named or m.hit
        rules, score, risk = list(hit.rules), max(hit.score, m.hit.score), list(hit.risk_terms)
        reasons = [hit.explanation] if named else []
        if named is None or named.span != m.hit.span:
            reasons.append(f"正文提到：{m.hit.explanation}")
            rules += [r for r in m.hit.rules if r not in rules]
        if selling:
            reasons.append(said)
            score += PITCH_BONUS
            risk += [p for p in pitch.categories.get(pitch.category, ()) if p not in risk]
        if mine:
            rules.append("fake_contact")
            score = max(score, LEAD_RULES["fake_contact"].score)
            reasons += [f.explanation(m.hit.span) for f in mine]
        score = min(score, 100)
        out.append(replace(hit, score=score, severity="high" if score >= 90 else "medium" if score >= 70 else "low",
                           rules=tuple(dict.fromkeys(rules)), explanation="；".join(reasons),
                           risk_terms=tuple(risk)))
    return tuple(sorted(out, key=lambda h: (-h.score, h.mark_id)))


def merge_hits(name_hits: Sequence[Hit], text_hits: Sequence[Hit]) -> list[Hit]:
    """A listing's hits: those of its text (which already carry the name's reason for a mark both name), then
    those of its name for the other marks; one a mark."""
    by_mark = {h.mark_id: h for h in name_hits}
    by_mark.update({h.mark_id: h for h in text_hits})
    return sorted(by_mark.values(), key=lambda h: (-h.score, h.mark_id))
