"""The rules: each names one way a name imitates a mark, with its legal basis.

A rule is applied to a *window* of tokens against one form of a mark (its name
or an alias) and says, position by position, how the name's character relates
to the mark's. The table below is the README's rules table; keep them in step.

Legal bases, by the heading of the passage they rest on (counsel should check
the current edition before citing a section number):
  审查指南  商标审查审理指南 (CNIPA, 2021), 商标相同、近似的审查审理
  比对规则  企业名称相同相近比对规则 (SAMR, 2021)
"""

from __future__ import annotations

from dataclasses import dataclass

# rule name → (base score, legal basis, what it detects). Scores combine with
# distinctiveness, industry and risk terms in matcher._score.
RULES: dict[str, tuple[int, str, str]] = {
    "contains": (
        90,
        "审查指南: 完整包含他人文字商标; 比对规则: 字号包含他人字号",
        "the mark or an alias appears whole in the name",
    ),
    "traditional": (
        88,
        "审查指南: 繁体字、异体字与简化字",
        "the mark written in traditional or variant characters (微眾, 度小滿)",
    ),
    "separator": (
        88,
        "审查指南: 仅字体、排列、空格或符号不同; 比对规则: 字号仅以符号区分",
        "the mark's characters split by spaces, symbols, emoji or invisible characters (微|众, 花\u200b呗)",
    ),
    "homophone": (
        80,
        "审查指南: 中文商标读音相同; 比对规则: 字号读音相同",
        "same toneless pinyin, over every reading of a polyphone (维众, 微重, 招商银杭)",
    ),
    "near_homophone": (
        62,
        "审查指南: 中文商标读音相近",
        "pinyin equal after folding z/zh, c/ch, s/sh, n/l, an/ang, en/eng, in/ing (维宗)",
    ),
    "shape_similar": (
        75,
        "审查指南: 中文商标字形相近",
        "one character replaced by a look-alike character (徽粒贷, 微业货)",
    ),
    "reordered": (
        72,
        "审查指南: 文字相同而排列顺序不同",
        "the mark's characters in another order (众微)",
    ),
    "insertion": (
        70,
        "审查指南: 增加或插入文字, 整体区别不明显",
        "one character inserted inside the mark (微和众)",
    ),
    "pinyin": (
        85,
        "审查指南: 中文商标与其汉语拼音",
        "the mark's pinyin in Latin letters, alone or mixed with characters (Weizhong, hua呗)",
    ),
    "lookalike": (
        85,
        "审查指南: 外文商标字母构成、字形相近",
        "a Latin alias written with look-alike digits or letters (W3Bank, AIipay, Cyrillic Аlipay)",
    ),
    "misspelling": (
        70,
        "审查指南: 外文商标仅个别字母不同",
        "a Latin alias with one letter added, dropped, changed or swapped (Alipayy, Alipy)",
    ),
}

# How a name's token relates to the mark's character at one position.
SAME, VARIANT, PINYIN, HOMOPHONE, NEAR, SHAPE = "same", "variant", "pinyin", "homophone", "near", "shape"
STRONG = {SAME, VARIANT, PINYIN, HOMOPHONE}


@dataclass(frozen=True)
class CjkTerm:
    """One Chinese form of a mark, compiled for comparison."""

    mark_index: int
    text: str  # simplified
    readings: tuple[frozenset[str], ...]
    fuzzy: tuple[frozenset[str], ...]
    shapes: tuple[frozenset[str], ...]
    is_alias: bool


def relate(token_value: str, token_kind: str, token_variant: bool, term: CjkTerm, j: int,
           readings: dict[str, frozenset[str]], fuzzy: dict[str, frozenset[str]]) -> str | None:
    """How one token relates to the term's j-th character, or None if it does not."""
    mc = term.text[j]
    if token_kind == "syllable":
        if token_value in term.readings[j]:
            return PINYIN
        return None
    if token_value == mc:
        return VARIANT if token_variant else SAME
    r = readings.get(token_value)
    if r is not None and not r.isdisjoint(term.readings[j]):
        return HOMOPHONE
    if token_value in term.shapes[j]:
        return SHAPE
    f = fuzzy.get(token_value)
    if f is not None and not f.isdisjoint(term.fuzzy[j]):
        return NEAR
    return None


def window_rule(relations: list[str]) -> str | None:
    """The rule a fully related window makes, or None when it is too weak.

    At most one weak position. A look-alike character must stand among
    characters that are the mark's own (visual confusion needs the rest to look
    the same); a near-homophone among same-sounding ones (aural confusion).
    """
    weak = [r for r in relations if r not in STRONG]
    if len(weak) > 1:
        return None
    if weak == [SHAPE]:
        return "shape_similar" if all(r in (SAME, VARIANT, SHAPE) for r in relations) else None
    if weak == [NEAR]:
        return "near_homophone"
    if PINYIN in relations:
        return "pinyin"
    if HOMOPHONE in relations:
        return "homophone"
    if VARIANT in relations:
        return "traditional"
    return "contains"
