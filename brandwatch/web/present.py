"""How a hit's name is shown to a person: what differs from the mark, and what cannot be seen.

Pure functions from text to segments; the templates escape every segment
(crawled names come from hostile pages) and style them by kind:

- ``diff``: a character of the matched span that is not the mark's character
  at that place (a homophone, a traditional form, a look-alike letter such as
  ``I`` for ``l``), titled with both code points;
- ``invisible``: a character that shows nothing or looks like a space (a
  zero-width space, a control, a no-break or ideographic space), shown as its
  code point;
- ``foreign``: a letter outside ASCII inside a Latin word (Cyrillic ``а`` in
  ``Аlipay``), titled with its code point and name;
- ``same``: everything else.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

_VISIBLE_SPACE = " "


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str = "same"  # same | diff | invisible | foreign
    title: str = ""


def code_point(ch: str) -> str:
    """``U+0049 LATIN CAPITAL LETTER I``."""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}"


def _invisible(ch: str) -> bool:
    if ch == _VISIBLE_SPACE:
        return False
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cf", "Co", "Cn", "Zl", "Zp") or (cat == "Zs")


def _latin_context(name: str, i: int) -> bool:
    """True when the letter at ``i`` stands among ASCII letters (a Latin word)."""
    left = name[i - 1] if i > 0 else ""
    right = name[i + 1] if i + 1 < len(name) else ""
    return any(c.isascii() and c.isalpha() for c in (left, right))


def _differing(span: str, term: str) -> dict[int, str]:
    """Positions in ``span`` whose character is not the term's there → the term's character (or '')."""
    out: dict[int, str] = {}
    if not term:
        return out
    if len(span) == len(term):  # the common case: one character for one (homophone, shape, look-alike letter)
        for i, (a, b) in enumerate(zip(span, term, strict=True)):
            if a != b and a.casefold() != b.casefold():
                out[i] = b
        return out
    matcher = difflib.SequenceMatcher(None, span.casefold(), term.casefold(), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for k in range(i1, i2):
            j = j1 + (k - i1)
            out[k] = term[j] if op == "replace" and j < j2 else ""
    return out


def name_segments(name: str, span: str = "", term: str = "") -> list[Segment]:
    """The name as segments to show, marking what differs from ``term`` inside ``span`` and what is unseen."""
    start = name.find(span) if span else -1
    differ = {start + k: v for k, v in _differing(span, term).items()} if start >= 0 else {}
    segments: list[Segment] = []
    for i, ch in enumerate(name):
        if _invisible(ch):
            seg = Segment(f"U+{ord(ch):04X}", "invisible", code_point(ch))
        elif i in differ:
            want = differ[i]
            title = code_point(ch) + (f"; the mark has {want} ({code_point(want)})" if want else "; not in the mark")
            seg = Segment(ch, "diff", title)
        elif ord(ch) > 127 and ch.isalpha() and unicodedata.east_asian_width(ch) not in ("W", "F") \
                and _latin_context(name, i):
            seg = Segment(ch, "foreign", code_point(ch))
        else:
            seg = Segment(ch)
        if seg.kind == "same" and segments and segments[-1].kind == "same":
            segments[-1] = Segment(segments[-1].text + ch)
        else:
            segments.append(seg)
    return segments
