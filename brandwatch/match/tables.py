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
from functools import cache
from importlib import resources
from typing import Any

from pypinyin.pinyin_dict import pinyin_dict


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


@cache
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


@cache
def readings() -> dict[str, frozenset[str]]:
    """Character → its toneless pinyin readings, every modern reading of a polyphone (行: hang, xing)."""
    out: dict[str, frozenset[str]] = {}
    for cp, value in _modern_readings().items():
        out[chr(cp)] = frozenset(toneless(p) for p in value.split(","))
    return out


def mark_reading(mark_name: str, text: str) -> list[str]:
    """How a mark is read: one toneless reading per character of ``text``, in context.

    招商银行 is zhao shang yin hang, not xing: a registrant may read a polyphone
    in a *name* either way, so names keep every reading, but the mark is
    pronounced one way. An alias reads its characters as the mark's name does
    (招行 as in 招商银行).
    """
    from pypinyin import lazy_pinyin

    simp = simplified()
    name = "".join(simp.get(c, c) for c in mark_name)
    known: dict[str, str] = {}
    if name and all(is_cjk(c) for c in name):
        known = dict(zip(name, lazy_pinyin(name, v_to_u=False), strict=True))
    context = lazy_pinyin(text, v_to_u=False)
    return [known.get(c, r) for c, r in zip(text, context, strict=True)]


@cache
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


@cache
def fuzzy_readings() -> dict[str, frozenset[str]]:
    """Character → its readings folded by :func:`fuzzy_syllable`."""
    return {ch: frozenset(fuzzy_syllable(r) for r in rs) for ch, rs in readings().items()}


@cache
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (about 410), for reading Latin letters as pinyin."""
    out: set[str] = set()
    for rs in readings().values():
        out.update(r for r in rs if r.isascii() and r.isalpha())
    return frozenset(out)


@cache
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


@cache
def chars_by_reading(fuzzy: bool = False) -> dict[str, tuple[str, ...]]:
    """Toneless reading (or its fuzzy fold) → every character read that way."""
    out: dict[str, list[str]] = {}
    for ch, rs in (fuzzy_readings() if fuzzy else readings()).items():
        for r in rs:
            out.setdefault(r, []).append(ch)
    return {k: tuple(v) for k, v in out.items()}


@cache
def traditional_forms() -> dict[str, tuple[str, ...]]:
    """Simplified character → its traditional and variant forms (the inverse of :func:`simplified`)."""
    out: dict[str, list[str]] = {}
    for t, s in simplified().items():
        out.setdefault(s, []).append(t)
    return {k: tuple(v) for k, v in out.items()}


@cache
def shape_similar() -> dict[str, frozenset[str]]:
    """Character → visually similar characters (形近字), from data/shape_similar.json."""
    table = data_json("shape_similar.json")["similar"]
    return {ch: frozenset(others) for ch, others in table.items()}


@cache
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


# Digits and ASCII signs that pass for letters in a Latin mark (W3Bank, A1ipay),
# as dnstwist's homoglyph fuzzer uses them.
DIGIT_LOOKALIKES: dict[str, str] = {
    "0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "6": "b", "7": "t", "8": "b", "9": "g", "|": "l", "$": "s",
    "@": "a",
}


@cache
def divisions() -> tuple[frozenset[str], frozenset[str]]:
    """Administrative division names: (full forms 微山县, short forms 微山)."""
    d = data_json("divisions.json")
    return frozenset(d["full"]), frozenset(d["short"])


@cache
def company_parts() -> dict[str, tuple[str, ...]]:
    """Legal forms, branch suffixes, industry words and industry classes (data/company_parts.json)."""
    d = data_json("company_parts.json")
    return {k: tuple(v) for k, v in d.items() if isinstance(v, list)}


@cache
def common_words() -> frozenset[str]:
    """Common Chinese words with an established meaning of their own (data/common_words.txt)."""
    return frozenset(w for w in _data("common_words.txt").split() if w)


def nfkc(ch: str) -> str:
    """NFKC of one character (full-width to half-width, compatibility ideographs)."""
    return unicodedata.normalize("NFKC", ch)
