"""Per-character tables the matcher looks things up in, built once per process.

Nothing here is called per name: the tables are computed from their sources
(pypinyin's character dictionary, OpenCC's conversion dictionaries, the shipped
JSON in ``brandwatch/data``) the first time they are asked for, and then only
looked up. pypinyin converts about 11k names a second; a dict lookup per
character is two orders of magnitude faster.
"""

from __future__ import annotations

import json
import unicodedata
from importlib import resources
from typing import Any

from pypinyin.pinyin_dict import pinyin_dict

from .memo import compile_table, table


def _data(name: str) -> str:
    return resources.files("brandwatch.data").joinpath(name).read_text(encoding="utf-8")


def data_json(name: str) -> Any:
    """A shipped JSON table by file name."""
    return json.loads(_data(name))


def is_cjk(ch: str) -> bool:
    """A CJK unified ideograph (basic block or extensions)."""
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x323AF
        or 0xF900 <= cp <= 0xFAFF
        or cp == 0x3007  # 〇, the numeral zero
    )


_TONELESS = str.maketrans(
    "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ",
    "aaaaeeeeiiiioooouuuuvvvvvnnnm",
)


def toneless(syllable: str) -> str:
    """xíng → xing, lǜ → lv (ü is written v, as pinyin input methods do)."""
    s = syllable.translate(_TONELESS)
    if not s.isascii():  # rare combining forms (ê̄, m̀)
        s = "".join(c for c in unicodedata.normalize("NFD", s) if c.isascii())
    return s


@table
def _modern_readings() -> dict[int, str]:
    """Code point → readings, from the standard dictionaries first.

    pypinyin's own table lists every reading a character ever had (众 also yin,
    包 also fu), and those archaic readings make false homophones (印包 for
    奇富). The 通用规范汉字字典 (2013, kTGHZ2013, the 8,105 standard characters)
    gives the modern readings, polyphones included (行 háng/xíng, 重 zhòng/chóng);
    现代汉语词典 (kXHC1983) covers more; pypinyin's table is the fallback for the
    rare rest. The data ships in pypinyin-dict (MIT), built from Unihan.
    """
    from pypinyin_dict.pinyin_data import ktghz2013, kxhc1983

    merged = dict(pinyin_dict)
    merged.update(kxhc1983.pinyin_dict)
    merged.update(ktghz2013.pinyin_dict)
    return merged


@table
def readings() -> dict[str, frozenset[str]]:
    """Character → its toneless pinyin readings, every modern reading of a polyphone (行: hang, xing)."""
    out: dict[str, frozenset[str]] = {}
    for cp, value in _modern_readings().items():
        out[chr(cp)] = frozenset(toneless(p) for p in value.split(","))
    return out


def mark_reading(mark_name: str, text: str, stated: tuple[str, ...] = ()) -> list[str]:
    """How a mark is read: one toneless reading per character of ``text``, in context.

    招商银行 is zhao shang yin hang, not xing: a registrant may read a polyphone
    in a *name* either way, so names keep every reading, but the mark is
    pronounced one way. In order:

    1. the reading the watchlist states (``reading: huan bei``);
    2. a word of the phrase dictionaries that covers the character (银行: háng);
    3. for a polyphone no word covers (还 in 还呗), the reading it most often has
       at the same place of a dictionary word (还 begins 44 words as huán and 8
       as hái, so 还呗 is huán bei): a coined mark is read as its characters are
       read in words, not by the single character's first dictionary entry;
    4. the character's own first reading.

    An alias reads its characters as the mark's name does (招行 as in 招商银行).
    """
    simp = simplified()
    name = "".join(simp.get(c, c) for c in mark_name if is_cjk(c))
    known: dict[str, str] = {}
    if name:
        known = dict(zip(name, _word_reading(name), strict=True))
        if stated and len(stated) == len(name):
            known = dict(zip(name, stated, strict=True))
    out: list[str] = []
    k = 0
    while k < len(text):  # characters read in runs; a digit or letter reads as itself
        e = k
        while e < len(text) and is_cjk(text[e]):
            e += 1
        if e == k:
            out.append(text[k])
            k += 1
            continue
        out.extend(known.get(c, r) for c, r in zip(text[k:e], _word_reading(text[k:e]), strict=True))
        k = e
    return out


@compile_table
def _phrases() -> tuple[dict[str, list[list[str]]], ...]:
    """Phrase dictionaries, most reliable first: CC-CEDICT (as packaged by pypinyin-dict, CC BY-SA 4.0),
    then pypinyin's own (which reads 还款 hái kuǎn)."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin_dict.phrase_pinyin_data import cc_cedict

    return (cc_cedict.phrases_dict, phrases_dict)


def _phrase(word: str) -> list[str] | None:
    for phrases in _phrases():
        pys = phrases.get(word)
        if pys is not None and len(pys) == len(word):
            return [toneless(p[0]) for p in pys]
    return None


def _word_reading(text: str) -> list[str]:
    """Toneless readings of a run of characters: the longest dictionary word at each place first."""
    from pypinyin import lazy_pinyin

    default = lazy_pinyin(text, v_to_u=False)
    if all(len(readings().get(c, ())) < 2 for c in text):
        return default  # no polyphone: nothing to decide
    out: list[str] = []
    i = 0
    while i < len(text):
        for n in range(min(6, len(text) - i), 1, -1):
            read = _phrase(text[i : i + n])
            if read is not None:
                out.extend(read)
                i += n
                break
        else:
            place = 0 if i == 0 else 2 if i == len(text) - 1 else 1
            out.append(_positional_reading(text[i], place) or default[i])
            i += 1
    return out


@table
def _positional_reading(ch: str, place: int) -> str | None:
    """The toneless reading a polyphone most often has at the start (0), inside (1) or end (2) of a
    dictionary word; None for a character with one reading or too few words."""
    if len(readings().get(ch, ())) < 2:
        return None
    counts: dict[str, int] = {}
    for word, pys in _phrases()[0].items():
        if ch not in word or len(word) != len(pys):
            continue
        spots = (0,) if place == 0 else (len(word) - 1,) if place == 2 else range(1, len(word) - 1)
        for k in spots:
            if word[k] == ch:
                r = toneless(pys[k][0])
                counts[r] = counts.get(r, 0) + 1
    if sum(counts.values()) < 5:
        return None
    best = max(sorted(counts), key=counts.__getitem__)
    return best if best in readings()[ch] else None


def pinyin_of(word: str) -> str:
    """Toneless pinyin of a word, joined, read as a word (保险 → baoxian, 还款 → huankuan)."""
    if all(is_cjk(c) for c in word):
        return "".join(_word_reading(word))
    out = []
    for ch in word:
        value = _modern_readings().get(ord(ch))
        out.append(toneless(value.split(",")[0]) if value else ch)
    return "".join(out)


def check_reading(text: str, reading: tuple[str, ...]) -> str:
    """Why a stated reading does not fit the mark ('' when it does)."""
    chars = [c for c in text if is_cjk(c)]
    if len(reading) != len(chars):
        return f"has {len(reading)} syllables but the name has {len(chars)} characters; give one per character"
    simp = simplified()
    for ch, r in zip(chars, reading, strict=True):
        r = r.replace("ü", "v").replace("u:", "v")
        if r not in readings().get(simp.get(ch, ch), ()):
            known = ", ".join(sorted(readings().get(simp.get(ch, ch), ()))) or "none known"
            return f"reads {ch} as {r!r}, which is not one of its readings ({known})"
    return ""


@table
def tone_readings() -> dict[str, tuple[str, ...]]:
    """Character → its readings with tone marks, for explanations (wéi zhòng)."""
    return {chr(cp): tuple(value.split(",")) for cp, value in _modern_readings().items()}


def fuzzy_syllable(syllable: str) -> str:
    """Fold the near-homophone pairs of Mandarin together.

    z/zh, c/ch, s/sh, n/l (initials) and an/ang, en/eng, in/ing (finals) are
    the pairs that southern speakers merge and that imitators exploit
    (维宗 for 微众); ``ong`` has no ``on`` partner and is kept.
    """
    s = syllable
    if s[:2] in ("zh", "ch", "sh"):
        s = s[0] + s[2:]
    elif s[:1] == "l":
        s = "n" + s[1:]
    if s.endswith("ng") and not s.endswith("ong"):
        s = s[:-1]
    return s


@table
def fuzzy_readings() -> dict[str, frozenset[str]]:
    """Character → its readings folded by :func:`fuzzy_syllable`."""
    return {ch: frozenset(fuzzy_syllable(r) for r in rs) for ch, rs in readings().items()}


@table
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (about 410), for reading Latin letters as pinyin."""
    out: set[str] = set()
    for rs in readings().values():
        out.update(r for r in rs if r.isascii() and r.isalpha())
    return frozenset(out)


@table
def simplified() -> dict[str, str]:
    """Traditional or variant character → simplified, from OpenCC (t2s, tw2s, hk2s).

    Only one-character conversions are kept: the matcher compares character by
    character, and OpenCC's phrase tables only pick among simplified forms.
    """
    import opencc

    converters = [opencc.OpenCC(c) for c in ("t2s", "tw2s", "hk2s")]
    out: dict[str, str] = {}
    for cp in pinyin_dict:
        ch = chr(cp)
        for conv in converters:
            s = conv.convert(ch)
            if s != ch and len(s) == 1:
                out[ch] = s
                break
    return out


@table
def chars_by_reading(fuzzy: bool = False) -> dict[str, tuple[str, ...]]:
    """Toneless reading (or its fuzzy fold) → every character read that way."""
    out: dict[str, list[str]] = {}
    for ch, rs in (fuzzy_readings() if fuzzy else readings()).items():
        for r in rs:
            out.setdefault(r, []).append(ch)
    return {k: tuple(v) for k, v in out.items()}


@table
def traditional_forms() -> dict[str, tuple[str, ...]]:
    """Simplified character → its traditional and variant forms (the inverse of :func:`simplified`)."""
    out: dict[str, list[str]] = {}
    for t, s in simplified().items():
        out.setdefault(s, []).append(t)
    return {k: tuple(v) for k, v in out.items()}


@table
def latin_lookalikes() -> dict[str, str]:
    """Non-ASCII letter → the ASCII letter it imitates (Cyrillic а → a), from Unicode confusables."""
    import confusable_homoglyphs

    path = resources.files(confusable_homoglyphs).joinpath("confusables.json")
    table = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for ch, glyphs in table.items():
        if len(ch) != 1 or ch.isascii():
            continue
        targets = [g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalpha()]
        if targets:
            out[ch] = sorted(targets, key=lambda c: (not c.islower(), c))[0].lower()
    return out


# Digits and ASCII signs that pass for letters in a Latin mark (W3Bank, A1ipay, un1onpay),
# as dnstwist's homoglyph fuzzer uses them: each stands for any of its letters.
DIGIT_LOOKALIKES: dict[str, str] = {
    "0": "o", "1": "li", "3": "e", "4": "a", "5": "s", "6": "b", "7": "t", "8": "b", "9": "g", "|": "li",
    "$": "s", "@": "a", "!": "i",
}

# A digit → its Chinese numeral, ordinary then financial (大写) form; 0 also as 〇.
NUMERALS: dict[str, str] = {
    "0": "零〇", "1": "一壹", "2": "二贰", "3": "三叁", "4": "四肆", "5": "五伍", "6": "六陆", "7": "七柒", "8": "八捌",
    "9": "九玖",
}


@table
def divisions() -> tuple[frozenset[str], frozenset[str]]:
    """Administrative division names: (full forms 微山县, short forms 微山)."""
    d = data_json("divisions.json")
    return frozenset(d["full"]), frozenset(d["short"])


@table
def company_parts() -> dict[str, tuple[str, ...]]:
    """Legal forms, branch suffixes, industry words and industry classes (data/company_parts.json)."""
    d = data_json("company_parts.json")
    return {k: tuple(v) for k, v in d.items() if isinstance(v, list)}


@table
def common_words() -> frozenset[str]:
    """Common Chinese words of 2–4 characters: the lexicon's words of frequency 50 or more."""
    from .lexicon import word_freq

    return frozenset(w for w, f in word_freq().items() if f >= 50 and len(w) <= 4)


def nfkc(ch: str) -> str:
    """NFKC of one character (full-width to half-width, compatibility ideographs)."""
    return unicodedata.normalize("NFKC", ch)
