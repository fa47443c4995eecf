"""Every mention of a mark in a long text, by the same rules as names, at a cost linear in the text.

A text (a post, a caption, a page body) is cut into clauses at sentence and clause punctuation and line
breaks, never at spaces or symbols inside a clause (微 众, 微|众 and 花❤呗 are what the ``separator`` rule
is for). A clause longer than ``WINDOW`` characters is read in overlapping windows, the overlap longer than
any form of any mark, so a mention that crosses a window's edge is still inside the next one. The matcher's
index (``Matcher.candidates``) reads every piece in one batch, and only its candidates take the full path,
each as an account name (matched whole, no company-name split). So the cost is the index's, linear in the
text, plus the full path on the few pieces that may hold a mark.

A hit's span is found back in its piece, and the piece's offset gives where it stands in the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..match import Matcher
from ..models import Hit

#: Where a clause ends: sentence and clause punctuation, quotes and brackets, line breaks, and a run of two
#: or more spaces (layout, not a separator inside a word).
_CLAUSE_END = re.compile(r"[\n\r\t。！？!?；;，,、：:“”\"'‘’（）()【】\[\]《》<>「」『』]+| {2,}|\u3000{2,}")
#: Longest piece the matcher reads; clauses longer than this are read in windows.
WINDOW = 64
#: How much consecutive windows share: longer than any mark form written with separators between its
#: characters (an eight-character mark with a symbol between each pair is 15).
OVERLAP = 24


@dataclass(frozen=True)
class Mention:
    """A mark named in a text: the hit (rule, score, explanation) and where its span stands."""

    hit: Hit
    start: int
    end: int


def pieces(text: str) -> list[tuple[int, str]]:
    """The text's clauses (and windows of long ones) with their offsets; the mentions are inside them."""
    out: list[tuple[int, str]] = []
    at = 0
    for m in [*_CLAUSE_END.finditer(text), None]:
        end = m.start() if m is not None else len(text)
        if end > at:
            _windows(text, at, end, out)
        if m is None:
            break
        at = m.end()
    return out


def _windows(text: str, start: int, end: int, out: list[tuple[int, str]]) -> None:
    if end - start <= WINDOW:
        out.append((start, text[start:end]))
        return
    step = WINDOW - OVERLAP
    at = start
    while True:
        out.append((at, text[at : min(at + WINDOW, end)]))
        if at + WINDOW >= end:
            return
        at += step


def find_mentions(matcher: Matcher, text: str, kind: str = "post") -> list[Mention]:
    """Every mark the text names, in any form the rules know; one mention a mark (its best), then any others
    of the same mark at other places, in text order. ``kind`` is the listing's (kept for the hits)."""
    parts = pieces(text)
    if not parts:
        return []
    # a piece written again (a spam page repeats its ad; overlapping windows of a repeated line) is
    # matched once
    unique = list(dict.fromkeys(p for _, p in parts))
    matched = matcher.match_many(unique, ["account"] * len(unique))
    by_piece = {unique[i]: hits for i, hits in matched.items()}
    seen: set[tuple[str, int]] = set()
    out: list[Mention] = []
    for offset, piece in parts:
        for hit in by_piece.get(piece, ()):
            at = piece.find(hit.span)
            start = offset + (at if at >= 0 else 0)
            key = (hit.mark_id, start)
            if key in seen:  # the same place read again by an overlapping window
                continue
            seen.add(key)
            out.append(Mention(hit, start, start + len(hit.span)))
    return sorted(out, key=lambda m: (m.start, m.hit.mark_id))


def best_by_mark(mentions: Sequence[Mention]) -> dict[str, Mention]:
    """The strongest mention of each mark (score, then the earliest)."""
    best: dict[str, Mention] = {}
    for m in mentions:
        prev = best.get(m.hit.mark_id)
        if prev is None or m.hit.score > prev.hit.score:
            best[m.hit.mark_id] = m
    return best
