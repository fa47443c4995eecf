"""Look-alike names a registrant could choose for a mark, like dnstwist's fuzzers.

Each generator is named after the rule it imitates, and every variant carries
that name, so a list of search keywords can say why each one is there. The
ranking is a likelihood guess: how often each way of imitating shows up among
imitators (homophones most, as in the WeBank cases; then variant characters,
look-alikes and separators), lowered for characters outside everyday use
(GB2312 level 1 holds the 3,755 common ones, level 2 the next 3,008), so 维众
comes before 嵬众.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import permutations

from pypinyin import lazy_pinyin

from .tables import (
    DIGIT_LOOKALIKES,
    chars_by_reading,
    common_words,
    fuzzy_syllable,
    is_cjk,
    mark_reading,
    shape_similar,
    simplified,
    traditional_forms,
)

# how likely a registrant is to pick each way of imitating, 0–100
PRIOR: dict[str, int] = {
    "homophone": 90, "traditional": 80, "shape_similar": 78, "lookalike": 78, "separator": 72, "pinyin": 70,
    "near_homophone": 65, "misspelling": 65, "reordered": 60, "insertion": 55,
}


@dataclass(frozen=True)
class Variant:
    text: str
    rule: str
    score: float


@cache
def _word_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in common_words():
        for ch in word:
            counts[ch] = counts.get(ch, 0) + 1
    return counts


@cache
def _commonness(ch: str) -> float:
    """How familiar a character is, 0.4–1.0: its GB2312 level (level 1 holds the
    3,755 common characters, level 2 the next 3,008), then how many common words
    it appears in (维 in 维护, 维持, 思维 … comes before 嵬)."""
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return 0.4
    tier = 0.9 if b[0] < 0xD8 else 0.7
    return tier + 0.1 * min(1.0, _word_counts().get(ch, 0) / 200)


def _cjk_variants(mark: str, mark_name: str) -> Iterator[Variant]:
    rd = {c: (r,) for c, r in zip(mark, mark_reading(mark_name, mark), strict=True)}
    base = PRIOR
    to_trad = traditional_forms()
    for j, ch in enumerate(mark):
        def put(c: str, rule: str, j: int = j) -> Variant:
            return Variant(mark[:j] + c + mark[j + 1 :], rule, base[rule] * _commonness(c))

        for r in rd.get(ch, ()):  # homophones, one position at a time
            for c in chars_by_reading().get(r, ()):
                if c != ch and is_cjk(c) and c not in simplified():
                    yield put(c, "homophone")
        exact = {c for r in rd.get(ch, ()) for c in chars_by_reading().get(r, ())}
        for r in {fuzzy_syllable(x) for x in rd[ch]}:
            for c in chars_by_reading(fuzzy=True).get(r, ()):
                if c not in exact and is_cjk(c) and c not in simplified():
                    yield put(c, "near_homophone")
        for c in shape_similar().get(ch, ()):
            yield put(c, "shape_similar")
        for c in to_trad.get(ch, ()):
            yield put(c, "traditional")
    if len(mark) <= 3:
        for p in permutations(mark):
            s = "".join(p)
            if s != mark:
                yield Variant(s, "reordered", base["reordered"])
    for j in range(1, len(mark)):
        for c in "之和小大新众正":
            yield Variant(mark[:j] + c + mark[j:], "insertion", base["insertion"] * 0.9)
        for sep in (" ", "·", "|", "-", "\u200b"):
            yield Variant(mark[:j] + sep + mark[j:], "separator", base["separator"] * 0.9)
    syl = lazy_pinyin(mark)
    for text in ("".join(syl), "".join(s.capitalize() for s in syl), " ".join(syl)):
        yield Variant(text, "pinyin", base["pinyin"])
    for j in range(len(mark)):  # mixed script: hua呗
        yield Variant(mark[:j] + syl[j] + mark[j + 1 :], "pinyin", base["pinyin"] * 0.9)


# letter → what can stand for it: the digit look-alikes reversed, capital I for l, Cyrillic а о е
_LETTER_LOOKS: dict[str, list[str]] = {}
for _digit, _letter in DIGIT_LOOKALIKES.items():
    _LETTER_LOOKS.setdefault(_letter, []).append(_digit)
for _letter, _look in (("l", "I"), ("a", "\u0430"), ("o", "\u043e"), ("e", "\u0435")):
    _LETTER_LOOKS.setdefault(_letter, []).append(_look)


def _latin_variants(alias: str) -> Iterator[Variant]:
    base = PRIOR
    s = alias
    for j, ch in enumerate(s):
        for look in _LETTER_LOOKS.get(ch.lower(), ()):
            yield Variant(s[:j] + look + s[j + 1 :], "lookalike", base["lookalike"])
    for j in range(len(s)):
        yield Variant(s[:j] + s[j + 1 :], "misspelling", base["misspelling"] * 0.9)  # omission
        yield Variant(s[:j] + s[j] + s[j:], "misspelling", base["misspelling"])  # repetition
        if j + 1 < len(s) and s[j] != s[j + 1]:
            yield Variant(s[:j] + s[j + 1] + s[j] + s[j + 2 :], "misspelling", base["misspelling"] * 0.9)
    for j in range(1, len(s)):
        yield Variant(s[:j] + "-" + s[j:], "separator", base["separator"] * 0.8)


def generate_variants(terms: tuple[str, ...] | str, limit: int | None = 50) -> list[Variant]:
    """Variants of a mark's forms, most likely first, each text once (its best rule)."""
    if isinstance(terms, str):
        terms = (terms,)
    best: dict[str, Variant] = {}
    for k, term in enumerate(terms):
        text = term.strip()
        if not text:
            continue
        if all(is_cjk(c) for c in text) and len(text) >= 2:
            gen = _cjk_variants("".join(simplified().get(c, c) for c in text), terms[0])
        elif text.isascii():
            gen = _latin_variants(text)
        else:
            continue
        weight = 1.0 if k == 0 else 0.95  # the mark's own name first, then its aliases
        for v in gen:
            if v.text in terms:
                continue
            v = Variant(v.text, v.rule, round(v.score * weight, 2))
            if v.text not in best or v.score > best[v.text].score:
                best[v.text] = v
    ranked = sorted(best.values(), key=lambda v: (-v.score, v.rule, v.text))
    return ranked[:limit] if limit else ranked
