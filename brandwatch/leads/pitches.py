"""What a text sells: the black-and-gray-market pitch it makes, if any, and why.

A post that offers 征信修复 next to a WeChat id is a lead; a police notice that
quotes 征信修复 to warn against it is not, though the words are the same. So
``classify`` finds two things in one pass and weighs them:

1. **Pitch phrases** from the versioned lexicon ``brandwatch/data/pitches.json``
   (six categories: agency-rights-protection, credit-repair, debt-relief,
   fake-customer-service, loan-fraud, refund-scam), each with a weight: 3 decides
   alone, 2 with one selling cue, 1 only with selling cues worth 2 or more.
   Their variants (``pitch_variants``: homophones, evasions, pinyin) are compiled
   in too, so 正信修复, 亭息挂账 and zxxf are found as what they stand for.
2. **Cues**: selling talk and contacts (私信, 包过, 加V, a mobile number, a
   WeChat id) against the innocent frames (warnings 警惕/诈骗/我行从未, news
   记者/警方/法院, complaints 被骗/报警, doubtful questions 靠谱吗, and a pitch
   in quotation marks). Within a window around each phrase, innocent cues that
   outweigh the selling ones make it a quotation, not an offer.

The text is normalised first, keeping a map back to the original offsets: NFKC
(full-width letters and digits), traditional to simplified (OpenCC's tables, as
the matcher uses them), lower case, and everything that is not a letter or a
digit dropped (spaces, punctuation, emoji such as 🈚, zero-width characters), so
征-信-修-复 and 停🈚息挂账 read as 征信修复 and 停息挂账. Work is linear in the text:
two ``str.translate`` passes, one Aho-Corasick scan (pyahocorasick), three
regular expressions without backtracking, and window sums by bisection over
the matches.

Pure: no I/O beyond the shipped table, read once per process.
"""

from __future__ import annotations

import bisect
import itertools
import json
import operator
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

import ahocorasick
import numpy as np

from ..errors import ConfigError
from ..match.lexicon import word_freq
from ..match.memo import compile_table as table  # never carried in a saved matcher index
from ..match.rules import commonness
from ..match.tables import chars_by_reading, is_cjk, mark_reading, simplified, traditional_forms

LEXICON_FILE = "brandwatch/data/pitches.json"
CATEGORIES = ("agency-rights-protection", "credit-repair", "debt-relief", "fake-customer-service", "loan-fraud",
              "refund-scam")
NONE = "none"
FRAMES = ("selling", "warning", "news", "complaint", "neutral")
CUE_GROUPS = ("selling", "contact", "warning", "news", "complaint", "question")
_INNOCENT = ("warning", "news", "complaint", "question", "quote")
_SELLING = ("selling", "contact")

# what a found contact (not a word about one) weighs as a selling cue: a phone number or a WeChat/QQ id is the
# call to action of these trades; a web address is also what legitimate lenders' own pages show, so less
CONTACT_WEIGHT = {"phone": 3, "id": 3, "url": 1}
# a 95xxx/96xxx service number is held only by licensed institutions: beside a phrase it is the owner's own
# line (a notice, a real service page), so it weighs towards the warning frame
SERVICE_NUMBER_WEIGHT = 2

# in a pair rule's word list: a phone number (not a 95xxx line) or a web address found by its shape
CONTACT_PART = "@contact"

_FRAME_ZH = {"selling": "推销", "warning": "警示", "news": "新闻", "complaint": "投诉", "neutral": "中性"}


# --------------------------------------------------------------------------- records


class PhraseMatch(NamedTuple):
    """One pitch phrase found in the text (a tuple: a dense page holds thousands)."""

    category: str
    phrase: str  # the lexicon's canonical phrase (征信修复)
    text: str  # as written in the text (正 信 修 复)
    start: int  # offsets in the ORIGINAL text
    end: int
    weight: int  # 3 strong, 2 medium, 1 weak
    via: str = ""  # the variant generator that produced the form found ('' = the phrase itself, normalised)
    quoted: bool = False  # inside quotation marks


class Cue(NamedTuple):
    """A selling or innocent cue: a lexicon word, or a contact found by its shape (kind 'contact')."""

    group: str  # selling, contact, warning, news, complaint, question
    text: str  # as written
    start: int
    end: int
    weight: int


@dataclass(frozen=True)
class Pitch:
    """The verdict on one text.

    ``category`` is the pitch the text sells ("none" when it sells none); ``categories`` lists every category
    whose phrases it contains, sold or quoted, with the phrases as written; ``frame`` says how the text speaks
    (selling, warning, news, complaint, neutral) and ``cues`` which words said so.
    """

    category: str
    categories: dict[str, tuple[str, ...]]
    phrases: tuple[PhraseMatch, ...]
    frame: str
    cues: tuple[Cue, ...]
    version: str

    def reason(self) -> str:
        """One line, Chinese and English: the phrases, the frame and its cues."""
        lex = lexicon()
        selling = _cue_list(self.cues, _SELLING)
        innocent = _cue_list(self.cues, ("warning", "news", "complaint", "question"))
        if self.category != NONE:
            mine = [p for p in self.phrases if p.category == self.category]
            words = "".join(f"「{p.text}」" for p in _unique(mine))
            out = f"{lex.labels[self.category]} {self.category}: {words}; 推销 selling"
            return out + (f": {selling}" if selling else " (强词 strong phrase alone)")
        if not self.phrases:
            return "无 none: 无推销用语 no pitch phrase"
        quoted = "".join(f"「{p.text}」" for p in _unique(self.phrases))
        cats = ", ".join(self.categories)
        if self.frame != "neutral" and innocent:
            return (f"无 none: 引用 quotes {quoted} ({cats}); 框架 frame {_FRAME_ZH[self.frame]} {self.frame}: "
                    f"{innocent}")
        why = ("弱词，推销线索不足 weak phrases, too few selling cues" if selling
               else "弱词且无推销线索 weak, no selling cue")
        return f"无 none: {quoted} ({cats}) {why}" + (
            f" ({innocent})" if innocent else "")


@dataclass(frozen=True, slots=True)
class Variant:
    """A form a seller may write a phrase in, and the generator that made it (dnstwist's fuzzer name)."""

    text: str
    generator: str


def _unique(matches: list[PhraseMatch] | tuple[PhraseMatch, ...]) -> list[PhraseMatch]:
    seen: set[str] = set()
    out = []
    for p in matches:
        if p.text not in seen:
            seen.add(p.text)
            out.append(p)
    return out


def _cue_list(cues: tuple[Cue, ...], groups: tuple[str, ...]) -> str:
    seen: list[str] = []
    for c in cues:
        if c.group in groups and c.text not in seen:
            seen.append(c.text)
    return ", ".join(seen[:6]) + (" …" if len(seen) > 6 else "")


# --------------------------------------------------------------------------- the lexicon


@dataclass(frozen=True)
class Lexicon:
    version: str
    phrases: dict[str, tuple[tuple[str, int], ...]]  # category → (phrase, weight)
    labels: dict[str, str]
    priority: tuple[str, ...]
    window: int
    cues: dict[str, dict[str, int]]  # group → phrase → weight
    substitutions: dict[str, tuple[str, ...]]
    inserts: tuple[str, ...]
    pairs: tuple[PairRule, ...] = ()


class PairRule(NamedTuple):
    """Two word lists of one category that make a pitch when a word of each stands within ``gap`` characters
    of the other, in either order (逾期 … 消掉, 清除 … 不良记录): the open-ended phrasings no list of whole
    phrases can hold. ``@contact`` in a list stands for a phone number or a web address found by its shape."""

    category: str
    name: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    gap: int
    weight: int


def _fail(key: str, problem: str) -> ConfigError:
    return ConfigError(f"{LEXICON_FILE}: {key} {problem}")


@table
def lexicon() -> Lexicon:
    """The shipped pitch lexicon, checked once: a broken table fails naming the key and the fix."""
    raw = json.loads(resources.files("brandwatch.data").joinpath("pitches.json").read_text(encoding="utf-8"))
    return parse_lexicon(raw)


def parse_lexicon(raw: Any) -> Lexicon:
    """Check and read the lexicon's JSON (also for a table a test or a user supplies)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("version"), str):
        raise _fail("version", 'must be a string such as "2026.12-1"')
    cats = raw.get("categories")
    if not isinstance(cats, dict) or set(cats) != set(CATEGORIES):
        raise _fail("categories", f"must hold exactly {', '.join(CATEGORIES)}")
    phrases: dict[str, tuple[tuple[str, int], ...]] = {}
    labels: dict[str, str] = {}
    seen: dict[str, str] = {}
    for cat in CATEGORIES:
        entries = cats[cat].get("phrases") if isinstance(cats[cat], dict) else None
        if not isinstance(entries, list) or not entries:
            raise _fail(f"categories.{cat}.phrases", "must be a non-empty list of {phrase, weight}")
        out = []
        for k, e in enumerate(entries):
            where = f"categories.{cat}.phrases[{k}]"
            if not isinstance(e, dict) or not isinstance(e.get("phrase"), str) or not normalise(e["phrase"]):
                raise _fail(where, "needs a phrase with at least one letter or character")
            if e.get("weight") not in (1, 2, 3):
                raise _fail(f"{where}.weight", "must be 1 (weak), 2 (medium) or 3 (strong)")
            key = normalise(e["phrase"])
            if key in seen:
                raise _fail(where, f"repeats {e['phrase']!r} (already in {seen[key]}); keep it in one category")
            seen[key] = cat
            out.append((e["phrase"], e["weight"]))
        phrases[cat] = tuple(out)
        labels[cat] = str(cats[cat].get("label", cat))
    priority = raw.get("priority")
    if not isinstance(priority, list) or sorted(priority) != sorted(CATEGORIES):
        raise _fail("priority", "must list the six categories once each, first wins a tie")
    cues = raw.get("cues")
    if not isinstance(cues, dict) or set(cues) != set(CUE_GROUPS):
        raise _fail("cues", f"must hold the groups {', '.join(CUE_GROUPS)}")
    for group, words in cues.items():
        bad = [w for w, v in words.items() if v not in (1, 2, 3) or not normalise(w)] if isinstance(words, dict) \
            else ["(not a mapping)"]
        if bad:
            raise _fail(f"cues.{group}", f"must map cue words to weights 1-3 (bad: {', '.join(bad)})")
    window = raw.get("window")
    if not isinstance(window, int) or window < 20:
        raise _fail("window", "must be a number of characters, 20 or more (300 judges a post as a whole)")
    ev = raw.get("evasions", {})
    subs = {k: tuple(v) for k, v in ev.get("substitutions", {}).items()}
    return Lexicon(raw["version"], phrases, labels, tuple(priority), window,
                   {g: dict(w) for g, w in cues.items()}, subs, tuple(ev.get("inserts", ())), _parse_pairs(raw))


def _parse_pairs(raw: dict[str, Any]) -> tuple[PairRule, ...]:
    pairs = raw.get("pairs", {})
    if not isinstance(pairs, dict) or not set(pairs) <= set(CATEGORIES):
        raise _fail("pairs", f"must map some of {', '.join(CATEGORIES)} to lists of rules")
    out = []
    for cat in CATEGORIES:
        rules = pairs.get(cat, [])
        if not isinstance(rules, list):
            raise _fail(f"pairs.{cat}", "must be a list of {name, left, right, gap, weight}")
        for k, r in enumerate(rules):
            where = f"pairs.{cat}[{k}]"
            if not isinstance(r, dict) or not isinstance(r.get("name"), str):
                raise _fail(where, "needs a name")
            for side in ("left", "right"):
                words = r.get(side)
                if not isinstance(words, list) or not words or not all(
                        isinstance(w, str) and (w == CONTACT_PART or normalise(w)) for w in words):
                    raise _fail(f"{where}.{side}", f"must be a non-empty list of words (or {CONTACT_PART!r})")
            if not isinstance(r.get("gap"), int) or not 0 <= r["gap"] <= 30:
                raise _fail(f"{where}.gap", "must be a number of characters between the two words, 0 to 30")
            if r.get("weight") not in (1, 2, 3):
                raise _fail(f"{where}.weight", "must be 1 (weak), 2 (medium) or 3 (strong)")
            out.append(PairRule(cat, r["name"], tuple(r["left"]), tuple(r["right"]), r["gap"], r["weight"]))
    return tuple(out)


# --------------------------------------------------------------------------- normalisation

# kept although not letters or digits: they introduce contacts (➕V, ☎ 138…)
_SPECIAL = {"+": "+", "＋": "+", "➕": "+", "✚": "+", "﹢": "+", "☎": "☎", "☏": "☎", "📞": "☎", "📱": "☎"}


def _fold_char(ch: str) -> str:
    """One character as the automaton reads it: '' when it is a separator."""
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if unicodedata.category(ch)[0] not in "LN":  # punctuation, symbols and emoji (🈚 before NFKC makes it 無),
        return ""  # spaces, zero-width and other format characters, combining marks
    kept = [c for c in unicodedata.normalize("NFKC", ch) if unicodedata.category(c)[0] in "LN"]
    if not kept:
        return ""
    c = simplified().get(kept[0], kept[0])  # a compatibility sequence (㈱ → (株)) keeps its first character
    return c.lower()[0]


class _FoldTable(dict):  # type: ignore[type-arg]
    """Code point → folded code point (0: a separator), filled as characters are first seen: for the
    characters outside the Basic Multilingual Plane (emoji, CJK extension B…), which the array does not hold."""

    def __missing__(self, cp: int) -> int:
        out = _fold_char(chr(cp))
        value = ord(out) if out else 0
        self[cp] = value
        return value


@table
def _fold_astral() -> _FoldTable:
    return _FoldTable()


@table
def _fold_bmp() -> np.ndarray:
    """The fold of every BMP code point as one array, so that a text is folded by one numpy gather
    (about 0.1 s to build, once per process)."""
    return np.array([ord(f) if (f := _fold_char(chr(cp))) else 0 for cp in range(0x10000)], dtype="<u4")


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _fold_codes(text: str, codes: np.ndarray | None = None) -> np.ndarray:
    """The folded code point of each character of the text (0 for a separator), one per character."""
    codes = _codes(text) if codes is None else codes
    astral = np.flatnonzero(codes >= 0x10000)
    if not len(astral):
        return _fold_bmp()[codes]
    out = _fold_bmp()[np.minimum(codes, 0xFFFF)]
    table_ = _fold_astral()
    for i in astral.tolist():
        out[i] = table_[int(codes[i])]
    return out


def _normalised(text: str, codes: np.ndarray | None = None) -> tuple[str, np.ndarray]:
    """The normalised text and, for each of its characters, the offset of its source in ``text``."""
    return _normalised_codes(text, codes)[:2]


def _normalised_codes(text: str, codes: np.ndarray | None = None) -> tuple[str, np.ndarray, np.ndarray]:
    """As ``_normalised``, with the normalised text's code points."""
    folded = _fold_codes(text, codes)
    keep = np.flatnonzero(folded)
    kept = folded[keep]
    return kept.tobytes().decode("utf-32-le"), keep, kept


def normalise(text: str) -> str:
    """The text as the classifier reads it: NFKC, simplified, lower case, separators removed."""
    return _normalised(text)[0]


def _ascii_lower(codes: np.ndarray) -> str:
    """The text with full-width ASCII (Ｖ：ＡＢＣ１２３) and the ideographic space made ASCII and letters lower-cased,
    one character per character: for the patterns that need punctuation (ids, host names)."""
    wide = (codes >= 0xFF01) & (codes <= 0xFF5E)
    out = np.where(wide, codes - 0xFEE0, codes)
    out = np.where(codes == 0x3000, 0x20, out)
    upper = (out >= 0x41) & (out <= 0x5A)
    return np.where(upper, out + 0x20, out).astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")


@table
def _syllable_codes() -> dict[str, int]:
    """Toneless syllable → a private-use code point standing for every character read so."""
    return {syl: 0xE000 + k for k, syl in enumerate(sorted(chars_by_reading()))}


@table
def _primary_reading(ch: str) -> str:
    """A character's first dictionary reading, toneless (还: hai): how the reading fold reads it in a text."""
    from ..match.tables import tone_readings, toneless

    reads = tone_readings().get(ch)
    return toneless(reads[0]) if reads else ""


@table
def _reading_bmp() -> np.ndarray:
    """Normalised BMP code point → its syllable's code (a CJK character) or itself (anything else)."""
    codes = _syllable_codes()
    out = np.arange(0x10000, dtype="<u4")
    for ch, reads in _first_readings().items():
        out[ord(ch)] = codes[reads]
    return out


@table
def _first_readings() -> dict[str, str]:
    """Every simplified BMP character with a reading → its first reading, toneless."""
    from ..match.tables import tone_readings

    simp = simplified()
    return {ch: r for ch in tone_readings() if ord(ch) < 0x10000 and simp.get(ch, ch) == ch
            and (r := _primary_reading(ch)) in _syllable_codes()}


# --------------------------------------------------------------------------- variants


def _cjk_positions(phrase: str) -> list[int]:
    return [i for i, c in enumerate(phrase) if is_cjk(c)]


@table
def _readings(phrase: str) -> tuple[str, ...]:
    """One toneless reading per character, read as a word (还款: huan kuan), digits and letters as themselves."""
    return tuple(mark_reading(phrase, phrase))


def _gen_evasion(phrase: str) -> Iterator[str]:
    lex = lexicon()
    for i, ch in enumerate(phrase):
        for sub in lex.substitutions.get(ch, ()):
            yield phrase[:i] + sub + phrase[i + 1:]
    if len(phrase) >= 2:
        for mark in lex.inserts:
            yield phrase[:1] + mark + phrase[1:]


@table
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def _gen_traditional(phrase: str) -> Iterator[str]:
    """The phrase as OpenCC writes it in traditional characters (征信修复 → 徵信修復), then one character at a
    time in each of its traditional or variant forms (脩 for 修)."""
    forms = traditional_forms()
    whole = _s2t().convert(phrase)
    if whole != phrase:
        yield whole
    for i, ch in enumerate(phrase):
        for t in forms.get(ch, ())[:2]:
            yield phrase[:i] + t + phrase[i + 1:]


def _gen_separator(phrase: str) -> Iterator[str]:
    if len(phrase) >= 2:
        for sep in (" ", "-", "|", ".", "\u200b", "/", "*", "_"):
            yield sep.join(phrase)


def _gen_homophone(phrase: str) -> Iterator[str]:
    """One character replaced by a common character (GB2312 level 1) whose first reading is the one the
    phrase gives it, most familiar first; not when the result is an ordinary word. Only for phrases of
    ``HOMOPHONE_MIN_CHARS`` or more: a two-character homophone is too often another word (夏款 for 下款)."""
    if len(_cjk_positions(phrase)) < HOMOPHONE_MIN_CHARS:
        return
    reads = _readings(phrase)
    simp = simplified()
    cands: list[tuple[float, int, str]] = []
    for i in _cjk_positions(phrase):
        for c in chars_by_reading().get(reads[i], ()):
            if c != phrase[i] and simp.get(c, c) == c and _primary_reading(c) == reads[i] and commonness(c) >= 0.9:
                cands.append((-commonness(c), i, c))
    freq = word_freq()
    for _score, i, c in sorted(cands):
        text = phrase[:i] + c + phrase[i + 1:]
        if text not in freq:
            yield text


def _gen_initials(phrase: str) -> Iterator[str]:
    if len(_cjk_positions(phrase)) >= 3:
        yield "".join(r[0] if r else "" for r in _readings(phrase))


def _gen_pinyin(phrase: str) -> Iterator[str]:
    if _cjk_positions(phrase):
        yield "".join(_readings(phrase))


def _gen_partial_pinyin(phrase: str) -> Iterator[str]:
    reads = _readings(phrase)
    for i in _cjk_positions(phrase):
        yield phrase[:i] + reads[i] + phrase[i + 1:]


# dnstwist-style: each way of writing a phrase is a small named generator
GENERATORS = {
    "evasion": _gen_evasion,
    "traditional": _gen_traditional,
    "separator": _gen_separator,
    "homophone": _gen_homophone,
    "pinyin_initials": _gen_initials,
    "pinyin": _gen_pinyin,
    "partial_pinyin": _gen_partial_pinyin,
}
# generators whose forms normalisation does not fold back to the phrase: compiled into the automaton (homophones
# are found by reading instead: compiled, their thousands of first characters made the scan 20 times slower)
_COMPILED = ("evasion", "pinyin_initials", "pinyin", "partial_pinyin")
HOMOPHONE_MIN_CHARS = 3


def pitch_variants(phrase: str, limit: int | None = 50) -> list[Variant]:
    """Forms a seller may write ``phrase`` in, each with its generator's name, taken in turn from every
    generator (so a short list still shows each way), each text once; ``limit=None`` for all. ``classify``
    finds every one of them."""
    out = list(_variants(phrase))
    return out if limit is None else out[:limit]


@table
def _variants(phrase: str) -> tuple[Variant, ...]:
    streams = [(name, gen(phrase)) for name, gen in GENERATORS.items()]
    seen = {phrase}
    out: list[Variant] = []
    while streams:
        alive = []
        for name, stream in streams:
            for text in stream:
                if text not in seen:
                    seen.add(text)
                    out.append(Variant(text, name))
                    alive.append((name, stream))
                    break
        streams = alive
    return tuple(out)


# --------------------------------------------------------------------------- the automaton

_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str  # "phrase" or a cue group
    name: str  # category (phrases) or the cue word
    phrase: str  # canonical phrase ('' for cues)
    weight: int
    via: str
    latin_start: bool  # the key begins / ends with an ASCII letter or digit: whole Latin words only
    latin_end: bool


@table
def _automaton() -> ahocorasick.Automaton:
    """Phrases, their compiled variants and the cues, keyed by their normalised form."""
    lex = lexicon()
    keys: dict[str, list[_Entry]] = {}

    def add(key: str, entry: _Entry, first_only: bool) -> None:
        if not key or (first_only and any(e.kind == "phrase" for e in keys.get(key, ()))):
            return
        keys.setdefault(key, []).append(entry)

    def entry(kind: str, name: str, phrase: str, weight: int, via: str, key: str) -> _Entry:
        return _Entry(kind, name, phrase, weight, via, key[0] in _ASCII_ALNUM, key[-1] in _ASCII_ALNUM)

    for cat in CATEGORIES:  # the phrases themselves first: a variant never shadows another phrase
        for phrase, weight in lex.phrases[cat]:
            key = normalise(phrase)
            add(key, entry("phrase", cat, phrase, weight, "", key), False)
    for cat in CATEGORIES:
        for phrase, weight in lex.phrases[cat]:
            for v in _variants(phrase):
                if v.generator in _COMPILED:
                    key = normalise(v.text)
                    add(key, entry("phrase", cat, phrase, weight, v.generator, key), True)
    for group, words in lex.cues.items():
        for word, weight in words.items():
            key = normalise(word)
            add(key, entry(group, word, "", weight, "", key), False)
    return _build(keys)


def _reading_keys(phrase: str) -> list[str]:
    """The phrase folded by reading: each character as the phrase reads it, and for a polyphone the phrase
    itself holds (还 in 还款: huan in the phrase, hai as the fold reads it in a text) also its first reading."""
    codes = _syllable_codes()
    norm = normalise(phrase)
    if len(norm) != len(phrase):
        return []
    reads = _readings(phrase)
    keys = [""]
    for ch, r in zip(norm, reads, strict=True):
        if not is_cjk(ch):
            keys = [k + ch for k in keys]
            continue
        options = {codes[r]} if r in codes else set()
        own = _primary_reading(ch)
        if own in codes:
            options.add(codes[own])
        if not options:
            return []
        keys = [k + chr(o) for k in keys for o in sorted(options)]
    return keys


@table
def _exact_keys() -> frozenset[str]:
    """Everything the exact automaton holds."""
    return frozenset(_automaton().keys())


@table
def _reading_automaton() -> ahocorasick.Automaton:
    """The phrases of ``HOMOPHONE_MIN_CHARS`` or more characters, folded by reading: 亭息挂账 is found as 停息挂账."""
    lex = lexicon()
    keys: dict[str, list[_Entry]] = {}
    for cat in CATEGORIES:
        for phrase, weight in lex.phrases[cat]:
            if len(_cjk_positions(phrase)) >= HOMOPHONE_MIN_CHARS:
                for key in _reading_keys(phrase):
                    keys.setdefault(key, []).append(_Entry("phrase", cat, phrase, weight, "homophone", False, False))
    return _build(keys)


def _build(keys: dict[str, Any], value: Any = None) -> ahocorasick.Automaton:
    """An automaton whose values are (length, entries as (kind, name, phrase, weight, via), latin start, latin
    end), or what ``value(key)`` makes.

    pyahocorasick looks a character up among a state's children one by one, in the order they were added, and
    the root has hundreds. So the placeholder that stands for every character no key holds (``_NOWHERE``) is
    added first, then the keys by how common their first character is: the common characters of a text are
    found at once (three times faster on a page than in arbitrary order)."""
    auto = ahocorasick.Automaton()
    auto.add_word(_NOWHERE + _NEVER, None)
    rank = _char_rank()
    for key in sorted(keys, key=lambda k: (-rank.get(k[0], 0), k)):
        auto.add_word(key, value(key) if value else (
            len(key), tuple((en.kind, en.name, en.phrase, en.weight, en.via) for en in keys[key]),
            key[0] in _ASCII_ALNUM, key[-1] in _ASCII_ALNUM))
    auto.make_automaton()
    return auto


# a character no key holds reads as _NOWHERE (a control character: normalisation drops every one, so neither
# can be in a text the automata read); the root's first child is _NOWHERE, whose only child is _NEVER
_NOWHERE, _NEVER = "\x01", "\x02"


@table
def _char_rank() -> dict[str, int]:
    """How common each character is: the frequencies of the one- and two-character words holding it."""
    rank: dict[str, int] = {}
    for word, freq in word_freq().items():
        if len(word) <= 2:
            for ch in word:
                rank[ch] = rank.get(ch, 0) + freq
    return rank


def _key_map(keys: Any, base: np.ndarray | None = None) -> np.ndarray:
    """BMP code point → itself (or ``base``'s value for it) when some key holds that, else _NOWHERE."""
    held = np.zeros(0x10000, dtype=bool)
    for ch in {c for k in keys for c in k if ord(c) < 0x10000}:
        held[ord(ch)] = True
    src = np.arange(0x10000, dtype="<u4") if base is None else base
    return np.where(held[src], src, ord(_NOWHERE)).astype("<u4")


@table
def _exact_map() -> np.ndarray:
    return _key_map(k for k in _automaton().keys() if k != _NOWHERE + _NEVER)


@table
def _word_map() -> np.ndarray:
    return _key_map(_pair_words().keys)


@table
def _reading_map() -> np.ndarray:
    """Normalised BMP code point → its syllable's code, as the reading automaton reads it."""
    return _key_map((k for k in _reading_automaton().keys() if k != _NOWHERE + _NEVER), _reading_bmp())


def _for_automata(norm_codes: np.ndarray) -> tuple[str, str, str]:
    """The normalised text as the exact, the reading and the pair words' automata read it (one character per
    character)."""
    bmp = np.minimum(norm_codes, 0xFFFF)
    astral = norm_codes > 0xFFFF
    exact = np.where(astral, norm_codes, _exact_map()[bmp])
    words = np.where(astral, norm_codes, _word_map()[bmp])
    return (exact.tobytes().decode("utf-32-le"), _reading_map()[bmp].tobytes().decode("utf-32-le"),
            words.tobytes().decode("utf-32-le"))


# --------------------------------------------------------------------------- contacts and quotations by shape

_D = "0-9〇零一二三四五六七八九幺"
# on the normalised text, where 0755-8652 3311 is one run of digits and 一三八… may spell a mobile number;
# 95xxx/96xxx service numbers (only licensed institutions hold them) are told apart, in the same pass
_PHONE = re.compile(
    rf"(?<![{_D}])(?:(?P<service>9[56][0-9]{{3,4}})|[1一幺][3-9三四五六七八九][{_D}]{{9}}"
    rf"|[0〇零][1-9一二三四五六七八九][{_D}]{{8,10}}|[48四八][0〇零][0〇零][{_D}]{{7}})(?![{_D}])")
# on the lower-cased original text: a WeChat or QQ id after its marker (V：abc123, 微信 zfb-kefu021,
# QQ 1849 2207 33, and with a symbol or 咨询 slipped in: v❤：abc123, 微❤信：abc123, 加V咨询：abc123). The
# pattern begins with a character class, so the regex engine skips ahead to the candidates; a marker glued to
# a longer Latin word (…v：) is dropped by the caller
_ID = re.compile(r"(?:vx?|wx|v信|微[^\w\s]?信号?|微|威信?|薇信?|qq?|扣扣)[^\w\s:：]{0,2}[ \t]*(?:咨询)?[ \t]*[:：]?"
                 r"[ \t]*(?:[a-z][a-z0-9_-]{4,19}|[1-9](?: ?[0-9]){4,11})(?![a-z0-9_-])")
# a host name: dot-separated labels ending in a common top-level domain (each label ends at its dot, so a
# failed attempt backtracks at most one label: linear)
_URL = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|cc|top|vip|xyz|info|shop|club|site|online"
                  r"|app|ltd)(?![a-z0-9-])")
# the runs a phone number or a host name lies in: a run is found in one attempt, where the full patterns try
# every position of the text (two to three times faster on a page); the runs are maximal, so the patterns'
# look-arounds see the same neighbours. Both are linear: a run is matched whole and the scan goes on after it
_DIGIT_RUN = re.compile(rf"[{_D}]{{5,}}")
_HOST_RUN = re.compile(r"[a-z0-9.-]+")
_QUOTE = re.compile(r"“[^“”\n]{1,40}”|「[^「」\n]{1,40}」|『[^『』\n]{1,40}』|\"[^\"\n]{1,40}\"|‘[^‘’\n]{1,40}’")


# --------------------------------------------------------------------------- classify


def _scan(text: str) -> tuple[list[PhraseMatch], list[Cue]]:
    """Every phrase and cue in the text, in original offsets; an item inside a longer one is dropped
    (投诉 inside 代理投诉, 停息 inside 停息挂账). Pair rules add their matches as phrases (via 'pair', see
    ``_pairs``); questions add cues (``_question_cues``)."""
    codes = _codes(text)
    norm, keep, norm_codes = _normalised_codes(text, codes)
    if norm:
        exact_text, reading_text, word_text = _for_automata(norm_codes)
        hits, sounds = list(_automaton().iter(exact_text)), list(_reading_automaton().iter(reading_text))
        words = list(_word_automaton().iter(word_text)) if _pair_words().keys else []
    else:
        hits, sounds, words = [], [], []
    shapes = [(m, "service" if m.group("service") else "phone")
              for run in _DIGIT_RUN.finditer(norm) for m in _PHONE.finditer(norm, run.start(), run.end())]
    if not hits and not shapes and not sounds:
        return [], []
    orig = keep.tolist()  # normalised index → original index
    n = len(text)
    raw: list[tuple[int, int, Any]] = []
    for end_idx, (length, entries, latin_start, latin_end) in hits:
        s, e = orig[end_idx - length + 1], orig[end_idx] + 1
        if (latin_start and s > 0 and text[s - 1] in _ASCII_ALNUM) or (latin_end and e < n and text[e] in _ASCII_ALNUM):
            continue  # zxxf inside a longer Latin word is not zxxf
        for en in entries:
            raw.append((s, -e, en))
    if sounds:
        exact, freq = _exact_keys(), word_freq()
        for end_idx, (length, entries, _ls, _le) in sounds:
            written = norm[end_idx - length + 1:end_idx + 1]
            if written in exact or written in freq:
                continue  # a phrase the exact scan found already; or an ordinary word that sounds like one
            s, e = orig[end_idx - length + 1], orig[end_idx] + 1
            raw.extend((s, -e, en) for en in entries)
    contacts: list[tuple[int, int, int, int]] = []  # phones and web addresses as pair words: ns, ne, s, e
    for m, kind in shapes:
        s, e = orig[m.start()], orig[m.end() - 1] + 1
        raw.append((s, -e, kind))
        if kind == "phone":
            contacts.append((m.start(), m.end(), s, e))
    lower = _ascii_lower(codes)
    ids = _ID.finditer(lower)
    urls = (m for run in _HOST_RUN.finditer(lower) if "." in run.group()
            for m in _URL.finditer(lower, run.start(), run.end()))
    for matches, kind in ((ids, "id"), (urls, "url")):
        for m in matches:
            if m.start() == 0 or lower[m.start() - 1] not in _ASCII_ALNUM:
                raw.append((m.start(), -m.end(), kind))
                if kind == "url":
                    contacts.append((bisect.bisect_left(orig, m.start()), bisect.bisect_left(orig, m.end()),
                                     m.start(), m.end()))
    raw.sort(key=_span)
    quotes = [(m.start(), m.end()) for m in _QUOTE.finditer(text)]
    q_starts = [q[0] for q in quotes]

    def quoted(s: int, e: int) -> bool:
        k = bisect.bisect_right(q_starts, s) - 1
        return k >= 0 and quotes[k][1] >= e

    phrases: list[PhraseMatch] = []
    cues: list[Cue] = []
    reach, reach_start = -1, -1
    new, pm, cue = tuple.__new__, PhraseMatch, Cue  # a NamedTuple made without its Python-level __new__
    has_quotes = bool(quotes)
    for s, neg_e, en in raw:
        e = -neg_e
        if e <= reach and (s != reach_start or e != reach):
            continue  # strictly inside an earlier, longer item
        if e > reach:
            reach, reach_start = e, s
        if en.__class__ is str:
            if en == "service":
                cues.append(new(cue, ("warning", text[s:e], s, e, SERVICE_NUMBER_WEIGHT)))
            else:
                cues.append(new(cue, ("contact", text[s:e], s, e, CONTACT_WEIGHT[en])))
            continue
        kind, name, phrase, weight, via = en
        if kind == "phrase":
            phrases.append(new(pm, (name, phrase, text[s:e], s, e, weight, via, has_quotes and quoted(s, e))))
        elif kind in _SELLING and text[e:e + 1] in _ASKED:
            cues.append(new(cue, ("question", text[s:e + 1], s, e + 1, 1)))  # 收费合理吗: asked, not offered
        else:
            cues.append(new(cue, (kind, text[s:e], s, e, weight)))
    if words or contacts:
        pairs = _pairs(text, codes, keep, words, contacts, phrases)
        if pairs:
            phrases = sorted(phrases + [p._replace(quoted=quoted(p.start, p.end)) if has_quotes else p
                                        for p in pairs], key=_match_start)  # stable: phrases first at a start
    questions = _question_cues(text)
    if questions:
        cues = sorted(cues + questions, key=_cue_start)
    return phrases, cues


_ASKED = frozenset("吗么嘛")


_cue_start = operator.attrgetter("start")


class _PairWords(NamedTuple):
    """The pair rules' words as arrays: a key (a word or an evasion of it, normalised) → its entries (rule, side,
    word), flattened, so that the words found in a text become entries by ``np.repeat``."""

    keys: dict[str, int]  # key → key id (the word automaton's value)
    length: np.ndarray  # per key id: its length; whether it begins / ends with an ASCII letter or digit
    latin_start: np.ndarray
    latin_end: np.ndarray
    first: np.ndarray  # per key id: its first entry and its number of entries
    count: np.ndarray
    rule: np.ndarray  # per entry
    side: np.ndarray
    word: np.ndarray  # per entry: the index of the word in ``words``
    words: tuple[str, ...]  # the rules' words as the lexicon writes them; the last is CONTACT_PART
    contact: np.ndarray  # the entries (rule, side) of CONTACT_PART, for the contacts found by shape
    category: np.ndarray  # per rule: the index of its category in CATEGORIES; its gap
    gap: np.ndarray


@table
def _pair_words() -> _PairWords:
    lex = lexicon()
    words: dict[str, int] = {}
    by_key: dict[str, list[tuple[int, int, int]]] = {}
    contact = []
    for r, rule in enumerate(lex.pairs):
        for side, ws in enumerate((rule.left, rule.right)):
            for w in ws:
                if w == CONTACT_PART:
                    contact.append((r, side))
                    continue
                wid = words.setdefault(w, len(words))
                forms = [w] + ([v.text for v in _variants(w) if v.generator == "evasion"] if len(w) >= 2 else [])
                for form in forms:
                    key = normalise(form)
                    if key and (r, side, wid) not in by_key.get(key, ()):
                        by_key.setdefault(key, []).append((r, side, wid))
    keys = {k: i for i, k in enumerate(by_key)}
    entries = [en for k in keys for en in by_key[k]]
    counts = [len(by_key[k]) for k in keys]
    ints = np.int64
    return _PairWords(
        keys, np.array([len(k) for k in keys], ints), np.array([k[0] in _ASCII_ALNUM for k in keys], bool),
        np.array([k[-1] in _ASCII_ALNUM for k in keys], bool), np.cumsum([0, *counts[:-1]]).astype(ints),
        np.array(counts, ints), np.array([en[0] for en in entries], ints), np.array([en[1] for en in entries], ints),
        np.array([en[2] for en in entries], ints), (*words, CONTACT_PART), np.array(contact, ints).reshape(-1, 2),
        np.array([CATEGORIES.index(rule.category) for rule in lex.pairs], ints),
        np.array([rule.gap for rule in lex.pairs], ints))


@table
def _word_automaton() -> ahocorasick.Automaton:
    """The pair rules' words (and their evasions), each key's value its id in ``_pair_words``."""
    keys = _pair_words().keys
    return _build(dict.fromkeys(keys), keys.__getitem__)


def _pairs(text: str, codes: np.ndarray, keep: np.ndarray, hits: list[tuple[int, int]],
           contacts: list[tuple[int, int, int, int]], phrases: list[PhraseMatch]) -> list[PhraseMatch]:
    """The pair rules' matches, on arrays (a dense page holds thousands of the rules' words).

    Each word is paired with the latest word of its rule's other side that begins before it and ends within
    the rule's gap (normalised characters, so separators and emoji do not count) before it. A pair is dropped
    when it adds nothing or reads a word out of its place:

    - both its words lie inside phrases of its category: those phrases read them already (征信修复 is one
      phrase, not also 征信 … 修复); a pair that reads on from a phrase's word counts with it (取消扣费 … 退回来);
    - a word lies inside a longer phrase of another category: it belongs to that phrase (协商 in 代理协商退还);
    - a contact is paired with a word inside a phrase of its category: that phrase names the line already
      (客服电话 0571…), and the number counts as a selling cue.

    Sorts and binary searches in numpy: O(n log n) in the words found, n at most the text's length."""
    pw = _pair_words()
    ints = np.int64
    h = np.fromiter(itertools.chain.from_iterable(hits), dtype=ints, count=2 * len(hits)).reshape(-1, 2)
    key = h[:, 1]
    ne = h[:, 0] + 1
    ns = ne - pw.length[key]
    s, e = keep[ns].astype(ints), keep[ne - 1].astype(ints) + 1
    n = len(text)
    # zx inside a longer Latin word is not zx
    before = np.where(s > 0, codes[np.maximum(s - 1, 0)], 0)
    after = np.where(e < n, codes[np.minimum(e, n - 1)], 0)
    ok = ~((pw.latin_start[key] & _is_ascii_alnum(before)) | (pw.latin_end[key] & _is_ascii_alnum(after)))
    key, ns, ne, s, e = key[ok], ns[ok], ne[ok], s[ok], e[ok]
    # one row per (word found, entry of its key)
    count = pw.count[key]
    row = np.repeat(np.arange(len(key)), count)
    entry = np.repeat(pw.first[key] - (np.cumsum(count) - count), count) + np.arange(len(row))
    rule, side, word = pw.rule[entry], pw.side[entry], pw.word[entry]
    ns, ne, s, e = ns[row], ne[row], s[row], e[row]
    if contacts and len(pw.contact):
        c = np.array(contacts, dtype=ints)
        k = len(pw.contact)
        rule = np.concatenate([rule, np.tile(pw.contact[:, 0], len(c))])
        side = np.concatenate([side, np.tile(pw.contact[:, 1], len(c))])
        word = np.concatenate([word, np.full(len(c) * k, len(pw.words) - 1, ints)])
        ns, ne, s, e = (np.concatenate([a, np.repeat(c[:, j], k)]) for j, a in enumerate((ns, ne, s, e)))
    if not len(rule):
        return []
    # in (rule, start) order: each word and the latest word of the rule's other side that begins before it
    order = np.lexsort((ne, s, rule))
    rule, side, word, ns, ne, s, e = (x[order] for x in (rule, side, word, ns, ne, s, e))
    idx = np.arange(len(rule))
    at = rule * (n + 1) + s
    first_at = np.searchsorted(at, at, side="left")  # the first row of each (rule, start)
    firsts, seconds = [], []
    for sd in (0, 1):
        latest = np.maximum.accumulate(np.where(side == 1 - sd, idx, -1))
        j = np.where(first_at > 0, latest[np.maximum(first_at - 1, 0)], -1)
        jj = np.maximum(j, 0)
        pick = (side == sd) & (j >= 0) & (rule[jj] == rule) & (ns - ne[jj] <= pw.gap[rule])
        firsts.append(jj[pick])
        seconds.append(idx[pick])
    a, b = np.concatenate(firsts), np.concatenate(seconds)
    if not len(a):
        return []
    cat = pw.category[rule[b]]
    # each word: inside a phrase of the pair's category; or strictly inside a longer one of another category.
    # The phrases in (category, start) order, offset by category * big, so that one running maximum of the ends
    # serves every category and one searchsorted answers any (category, position)
    m = len(a)
    inside = [np.zeros(m, bool), np.zeros(m, bool)]
    foreign = np.zeros(m, bool)
    if phrases:
        k = len(phrases)
        big = n + 2
        p_cat = np.fromiter(map(_CATEGORY_INDEX.__getitem__, map(_match_category, phrases)), dtype=ints, count=k)
        p_start = np.fromiter(map(_match_start, phrases), dtype=ints, count=k)
        p_end = np.fromiter(map(_match_end, phrases), dtype=ints, count=k)
        by = np.lexsort((p_start, p_cat))
        starts = p_cat[by] * big + p_start[by]
        reach = np.maximum.accumulate(p_cat[by] * big + p_end[by])

        def furthest(c: np.ndarray, x: np.ndarray, side: str) -> np.ndarray:
            """The furthest end of the phrases of category c beginning at or (side 'left') strictly before x."""
            j = np.searchsorted(starts, c * big + x, side=side)  # type: ignore[call-overload]
            v = reach[np.maximum(j - 1, 0)] - c * big
            return np.where((j > 0) & (v >= 0), v, -1)

        cats = np.repeat(np.arange(len(CATEGORIES)), m)
        own = cats.reshape(len(CATEGORIES), m) == cat
        for w, words_inside in zip((a, b), inside, strict=True):
            ws, we = s[w], e[w]
            words_inside |= furthest(cat, ws, "right") >= we
            xs, xe = np.tile(ws, len(CATEGORIES)), np.tile(we, len(CATEGORIES))
            longer = (furthest(cats, xs, "left") >= xe) | (furthest(cats, xs, "right") > xe)
            foreign |= (longer.reshape(len(CATEGORIES), m) & ~own).any(axis=0)
    contact_id = len(pw.words) - 1
    drop = (inside[0] & inside[1]) | foreign
    drop |= (inside[0] & (word[b] == contact_id)) | (inside[1] & (word[a] == contact_id))
    rules, words = lexicon().pairs, pw.words
    a, b = a[~drop], b[~drop]
    out = []
    new, pm = tuple.__new__, PhraseMatch
    for r, wa, wb, right_last, st, en in zip(rule[b].tolist(), word[a].tolist(), word[b].tolist(),
                                             (side[b] == 1).tolist(), s[a].tolist(), e[b].tolist(), strict=True):
        left, right = (words[wa], words[wb]) if right_last else (words[wb], words[wa])
        out.append(new(pm, (rules[r].category, f"{left}…{right}", text[st:en], st, en, rules[r].weight, "pair",
                            False)))
    return out


def _is_ascii_alnum(c: np.ndarray) -> np.ndarray:
    return ((c >= 0x30) & (c <= 0x39)) | ((c >= 0x41) & (c <= 0x5A)) | ((c >= 0x61) & (c <= 0x7A))


_match_start = operator.itemgetter(3)  # PhraseMatch.start
_match_end = operator.itemgetter(4)
_match_category = operator.itemgetter(0)
_CATEGORY_INDEX = {c: k for k, c in enumerate(CATEGORIES)}


# a question: a sentence ending in ？ that asks (a particle or a question word) and that the text does not go
# on to answer itself (能！可以！我们…: the seller's rhetorical question)
_SENTENCE_END = re.compile(r"[。！？!?\n；;]")
_ASKING = re.compile(r"吗|么|呢|是不是|有没有|到底|真的|靠谱|怎么|如何|多少|哪|能不能|可不可以|是否|请问|想问|谁")
_ANSWERED = re.compile(r"[\s\W_]*(?:可以|能|有|当然|没问题|别慌|不用|放心|找我|我们|我这|本|专业|包|必须|来|加|私|"
                       r"戳|点|✅|👉|[a-z])", re.IGNORECASE)
_RHETORICAL = re.compile(r"[\s\W_]*(?:你|您)?(?:还在|是否还在|想要|想不想|需要|急需|缺钱)")
QUESTION_WEIGHT = 2


def _question_cues(text: str) -> list[Cue]:
    """A cue of group 'question' for each sentence that asks and is not answered: linear (the sentence ends are
    found once; each sentence is searched once)."""
    if "?" not in text and "？" not in text:
        return []
    out: list[Cue] = []
    prev = 0
    for m in _SENTENCE_END.finditer(text):
        start, end = prev, m.end()
        prev = end
        if m.group() not in "?？" or end - start > 120:
            continue
        sentence = text[start:m.start()]
        asked = _ASKING.search(sentence)
        if not asked or _RHETORICAL.match(sentence) or _ANSWERED.match(text, end):
            continue
        out.append(Cue("question", sentence[asked.start():] + m.group(), start + asked.start(), end,
                       QUESTION_WEIGHT))
    return out


_span = operator.itemgetter(0, 1)  # (start, -end): text order, the longer of two at one start first



class _Sums:
    """Selling and innocent weight over any span, by binary search over cumulative sums: O(log n) per window,
    and every phrase's window at once in numpy (a dense page holds thousands)."""

    def __init__(self, cues: list[Cue], phrases: list[PhraseMatch]) -> None:
        quoted = [p for p in phrases if p.quoted]
        self.cues, self.quoted = cues, quoted
        n = len(cues) + len(quoted)
        starts = np.fromiter(itertools.chain(map(_cue_start, cues), map(_match_start, quoted)), np.int64, n)
        weights = np.fromiter(itertools.chain(map(_cue_weight, cues), itertools.repeat(1, len(quoted))),
                              np.int64, n)
        groups = np.fromiter(itertools.chain(map(_GROUP_CODE.__getitem__, map(_cue_group, cues)),
                                             itertools.repeat(_GROUP_CODE["quote"], len(quoted))), np.int64, n)
        order = np.argsort(starts, kind="stable")
        self.starts = starts[order]
        weights, groups = weights[order], groups[order]
        zero = np.zeros(1, np.int64)
        self.sell = np.concatenate([zero, np.cumsum(np.where(_SELLING_CODE[groups], weights, 0))])
        self.inn = np.concatenate([zero, np.cumsum(np.where(_INNOCENT_CODE[groups], weights, 0))])

    def windows(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(selling, innocent) weight of the cues starting in each [lo, hi)."""
        i, j = np.searchsorted(self.starts, lo, "left"), np.searchsorted(self.starts, hi, "left")
        return self.sell[j] - self.sell[i], self.inn[j] - self.inn[i]

    def groups(self, lo: int, hi: int) -> dict[str, int]:
        """Weight by group in [lo, hi) (for the frame's name: once per text)."""
        out = dict.fromkeys((*CUE_GROUPS, "quote"), 0)
        for c in self.cues:
            if lo <= c.start < hi:
                out[c.group] += c.weight
        for p in self.quoted:
            if lo <= p.start < hi:
                out["quote"] += 1
        return out


_cue_weight = operator.attrgetter("weight")
_cue_group = operator.attrgetter("group")
_GROUP_CODE = {g: k for k, g in enumerate((*CUE_GROUPS, "quote"))}
_SELLING_CODE = np.array([g in _SELLING for g in _GROUP_CODE])
_INNOCENT_CODE = np.array([g in _INNOCENT for g in _GROUP_CODE])


def _innocent_frame(sums: dict[str, int]) -> str:
    """warning, news or complaint, whichever weighs most (a doubtful question is 'neutral')."""
    best = max(("warning", "news", "complaint", "question"), key=lambda g: sums[g])
    return "neutral" if best == "question" or sums[best] == 0 else best


def classify(text: str) -> Pitch:
    """The pitch a text sells, the categories it mentions and the frame it speaks in.

    A phrase sells when the cues around it (``window`` characters either side) are not innocent ones
    outweighing the selling ones, and either it is strong (weight 3) or selling cues back it (weight of the
    category's phrases there plus the selling cues' >= 3, with at least one selling cue). The text's category
    is the selling category with the most phrase weight in one window; ties go by the lexicon's priority.
    """
    lex = lexicon()
    phrases, cues = _scan(text)
    sums = _Sums(cues, phrases)
    w = lex.window
    starts = np.fromiter(map(_match_start, phrases), np.int64, len(phrases))
    ends = np.fromiter(map(_match_end, phrases), np.int64, len(phrases))
    sell, inn = sums.windows(starts - w, ends + w)
    innocent = (inn >= 2) & (inn >= sell)  # innocent cues (2 or more) outweigh the selling ones: quoted
    selling_at = sell.tolist()
    by_cat: dict[str, list[int]] = {}
    for i in np.flatnonzero(~innocent).tolist():
        by_cat.setdefault(phrases[i].category, []).append(i)
    written: dict[str, dict[str, None]] = {}
    for p in phrases:
        written.setdefault(p.category, {})[p.text] = None
    best: dict[str, int] = {}
    for cat, ks in by_cat.items():
        for k, evidence in zip(ks, _evidence(phrases, ks, w), strict=True):
            selling = selling_at[k]
            if phrases[k].weight == 3 or (selling >= 1 and evidence + selling >= 3):
                best[cat] = max(best.get(cat, 0), evidence)
    categories = {cat: tuple(written[cat]) for cat in lex.priority if cat in written}
    if best:
        category = max(best, key=lambda c: (best[c], -lex.priority.index(c)))
        frame = "selling"
    else:
        category = NONE
        if phrases:
            top = max(range(len(phrases)), key=lambda k: phrases[k].weight)
            p = phrases[top]
            frame = _innocent_frame(sums.groups(p.start - w, p.end + w)) if innocent[top] else "neutral"
        else:
            frame = _innocent_frame(sums.groups(0, len(text) + 1)) if cues else "neutral"
    return Pitch(category, categories, tuple(phrases), frame, tuple(cues), lex.version)


def _evidence(phrases: list[PhraseMatch], ks: list[int], w: int) -> list[int]:
    """For each phrase of one category, the weight of the category's distinct phrases within its window
    (two pointers over the phrases in text order: linear)."""
    out: list[int] = []
    counts: dict[str, int] = {}
    total = lo = hi = 0
    for k in ks:
        p = phrases[k]
        while hi < len(ks) and phrases[ks[hi]].start < p.end + w:
            q = phrases[ks[hi]]
            counts[q.phrase] = counts.get(q.phrase, 0) + 1
            total += q.weight if counts[q.phrase] == 1 else 0
            hi += 1
        while phrases[ks[lo]].end <= p.start - w:
            q = phrases[ks[lo]]
            counts[q.phrase] -= 1
            total -= q.weight if counts[q.phrase] == 0 else 0
            lo += 1
        out.append(total)
    return out
