"""The rules: each names one way a name imitates a mark, as one unit.

A :class:`Rule` holds everything about one way of imitating, as dnstwist keeps
a fuzzer in one place: its base score, its legal basis, what it detects (the
README's rules table is checked against these), the sentence that explains a
hit to a lawyer, how likely a registrant is to choose it, the generator of the
variants it detects (``brandwatch variants``), and the detector that finds it:

- *window rules* (contains, traditional, homophone, near_homophone,
  shape_similar, pinyin, numeral) compare a window of the name's tokens with a
  mark form position by position: :func:`relate` says how each token relates
  to the mark's character there, and the rule's ``accepts`` decides from those
  relations (:func:`window_rule` asks them in order);
- *structural rules* (reordered, insertion, separator) are found by the window
  scan in matcher.py, and the Latin rules (lookalike, misspelling) by latin.py.

Legal bases, by the heading of the passage they rest on (counsel should check
the current edition before citing a section number):
  审查指南  商标审查审理指南 (CNIPA, 2021), 商标相同、近似的审查审理
  比对规则  企业名称相同相近比对规则 (SAMR, 2021)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import permutations

from .glyphs import shape_similar
from .memo import table
from .tables import (
    DIGIT_LOOKALIKES,
    NUMERALS,
    chars_by_reading,
    common_words,
    fuzzy_syllable,
    is_cjk,
    mark_reading,
    simplified,
    traditional_forms,
)

# How a name's token relates to the mark's character at one position.
SAME, VARIANT, PINYIN, HOMOPHONE, NEAR, SHAPE, NUMERAL = (
    "same", "variant", "pinyin", "homophone", "near", "shape", "numeral")
STRONG = {SAME, VARIANT, PINYIN, HOMOPHONE, NUMERAL}


@dataclass(frozen=True)
class Variant:
    """A name a registrant could choose, with the rule that would report it."""

    text: str
    rule: str
    score: float


@dataclass(frozen=True)
class Rule:
    """One way of imitating a mark."""

    name: str
    score: int  # base score of a hit (README "Severity")
    basis: str  # the legal passage it rests on
    detects: str  # what it detects, as the README's rules table says
    template: str  # explanation; {who} is 字号「…」 or 名称「…」, {mark} 商标「…」
    prior: int  # how likely a registrant is to choose it, 0-100 (ranks variants)
    generate: Callable[[str, str, tuple[str, ...]], Iterator[Variant]] | None = None
    accepts: Callable[[Sequence[str]], bool] | None = None  # window rules: from the positions' relations
    detector: str = ""  # where the structural rules are found

    def variant(self, text: str, weight: float = 1.0) -> Variant:
        return Variant(text, self.name, self.prior * weight)


# -- variant generators -----------------------------------------------------------
# Each takes (form, the mark's name, the mark's stated reading) and yields variants.


@table
def _word_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in common_words():
        for ch in word:
            counts[ch] = counts.get(ch, 0) + 1
    return counts


@table
def commonness(ch: str) -> float:
    """How familiar a character is, 0.4–1.0: its GB2312 level (level 1 holds the
    3,755 common characters, level 2 the next 3,008), then how many common words
    it appears in (维 in 维护, 维持, 思维 … comes before 嵬)."""
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return 0.4
    tier = 0.9 if b[0] < 0xD8 else 0.7
    return tier + 0.1 * min(1.0, _word_counts().get(ch, 0) / 200)


def _cjk(form: str) -> str | None:
    text = "".join(simplified().get(c, c) for c in form.strip())
    return text if len(text) >= 2 and all(is_cjk(c) or c.isdigit() for c in text) else None


def _latin(form: str) -> str | None:
    text = form.strip()
    return text if text.isascii() and any(c.isalpha() for c in text) else None


def _put(mark: str, j: int, c: str, rule: str) -> Variant:
    return Variant(mark[:j] + c + mark[j + 1 :], rule, RULES[rule].prior * commonness(c))


def _gen_homophone(form: str, name: str, stated: tuple[str, ...]) -> Iterator[Variant]:
    if not (mark := _cjk(form)):
        return
    for j, (ch, r) in enumerate(zip(mark, mark_reading(name, mark, stated), strict=True)):
        for c in chars_by_reading().get(r, ()) if is_cjk(ch) else ():
            if c != ch and is_cjk(c) and c not in simplified():
                yield _put(mark, j, c, "homophone")


def _gen_near(form: str, name: str, stated: tuple[str, ...]) -> Iterator[Variant]:
    if not (mark := _cjk(form)):
        return
    for j, (ch, r) in enumerate(zip(mark, mark_reading(name, mark, stated), strict=True)):
        if not is_cjk(ch):
            continue
        exact = set(chars_by_reading().get(r, ()))
        for c in chars_by_reading(fuzzy=True).get(fuzzy_syllable(r), ()):
            if c not in exact and is_cjk(c) and c not in simplified():
                yield _put(mark, j, c, "near_homophone")


def _gen_shape(form: str, name: str, stated: tuple[str, ...]) -> Iterator[Variant]:
    if not (mark := _cjk(form)):
        return
    for j, ch in enumerate(mark):
        for c in shape_similar().get(ch, ()):
            yield _put(mark, j, c, "shape_similar")


def _gen_traditional(form: str, name: str, stated: tuple[str, ...]) -> Iterator[Variant]:
    if not (mark := _cjk(form)):
        return
    for j, ch in enumerate(mark):
        for c in traditional_forms().get(ch, ()):
            yield _put(mark, j, c, "traditional")


def _gen_numeral(form: str, name: str, stated: tuple[str, ...]) -> Iterator[Variant]:
    if not (mark := _cjk(form)) or not any(c.isdigit() for c in mark):
        return
    for k in range(2):  # 五一, then 伍壹: each digit by its Chinese numeral
        yield RULES["numeral"].variant("".join(NUMERALS[c][k] if c.isdigit() else c for c in mark), 1 - k * 0.05)
    yield RULES["numeral"].variant("".join("l" if c == "1" else "O" if c == "0" else c for c in mark), 0.8)


def _gen_reordered(form: str, name: str, stated: tuple[str, ...]) -> Iterator[Variant]:
    if (mark := _cjk(form)) and len(mark) <= 3:
        for p in permutations(mark):
            if (s := "".join(p)) != mark:
                yield RULES["reordered"].variant(s)


def _gen_insertion(form: str, name: str, stated: tuple[str, ...]) -> Iterator[Variant]:
    if mark := _cjk(form):
        for j in range(1, len(mark)):
            for c in "之和小大新众正":
                yield RULES["insertion"].variant(mark[:j] + c + mark[j:], 0.9)


def _gen_separator(form: str, name: str, stated: tuple[str, ...]) -> Iterator[Variant]:
    if mark := _cjk(form):
        for j in range(1, len(mark)):
            for sep in (" ", "·", "|", "-", "\u200b"):
                yield RULES["separator"].variant(mark[:j] + sep + mark[j:], 0.9)
    elif latin := _latin(form):
        for j in range(1, len(latin)):
            yield RULES["separator"].variant(latin[:j] + "-" + latin[j:], 0.8)


def _gen_pinyin(form: str, name: str, stated: tuple[str, ...]) -> Iterator[Variant]:
    if not (mark := _cjk(form)) or not all(is_cjk(c) for c in mark):
        return
    syl = mark_reading(name, mark, stated)
    for text in ("".join(syl), "".join(s.capitalize() for s in syl), " ".join(syl)):
        yield RULES["pinyin"].variant(text)
    for j in range(len(mark)):  # mixed script: hua呗
        yield RULES["pinyin"].variant(mark[:j] + syl[j] + mark[j + 1 :], 0.9)
    yield RULES["pinyin"].variant("".join(syl) + "kefu", 0.85)  # handles and domains: yunshanfukefu


# letter → what can stand for it: the digit look-alikes reversed, capital I for l, Cyrillic а о е
LETTER_LOOKS: dict[str, list[str]] = {}
for _digit, _letters in DIGIT_LOOKALIKES.items():
    for _letter in _letters:
        LETTER_LOOKS.setdefault(_letter, []).append(_digit)
for _letter, _look in (("l", "I"), ("a", "\u0430"), ("o", "\u043e"), ("e", "\u0435")):
    LETTER_LOOKS.setdefault(_letter, []).append(_look)


def _gen_lookalike(form: str, name: str, stated: tuple[str, ...]) -> Iterator[Variant]:
    if (s := _latin(form)) and len(s) >= 3:
        for j, ch in enumerate(s):
            for look in LETTER_LOOKS.get(ch.lower(), ()):
                yield RULES["lookalike"].variant(s[:j] + look + s[j + 1 :])


def _gen_misspelling(form: str, name: str, stated: tuple[str, ...]) -> Iterator[Variant]:
    if not (s := _latin(form)) or len(s) < 5:
        return
    rule = RULES["misspelling"]
    for j in range(1, len(s)):  # the first letter is kept: a typo, not another word
        yield rule.variant(s[:j] + s[j + 1 :], 0.9)  # omission
        yield rule.variant(s[:j] + s[j] + s[j:])  # repetition
        if j + 1 < len(s) and s[j] != s[j + 1]:
            yield rule.variant(s[:j] + s[j + 1] + s[j] + s[j + 2 :], 0.9)  # transposition


# -- window rules: what the positions' relations must be ---------------------------


def _weak(rel: Sequence[str]) -> list[str]:
    return [r for r in rel if r not in STRONG]


def _accepts_shape(rel: Sequence[str]) -> bool:
    # a look-alike must stand among characters that are the mark's own: visual confusion needs the rest the same
    return _weak(rel) == [SHAPE] and all(r in (SAME, VARIANT, SHAPE, NUMERAL) for r in rel)


def _accepts_near(rel: Sequence[str]) -> bool:
    return _weak(rel) == [NEAR]


def _strong_with(kind: str) -> Callable[[Sequence[str]], bool]:
    return lambda rel: not _weak(rel) and kind in rel


def _all_same(rel: Sequence[str]) -> bool:
    return all(r == SAME for r in rel)


_RULES: tuple[Rule, ...] = (
    Rule("contains", 90, "审查指南: 完整包含他人文字商标; 比对规则: 字号包含他人字号",
         "the mark or an alias appears whole in the name", "{who}包含{mark}", 50, None, _all_same),
    Rule("traditional", 88, "审查指南: 繁体字、异体字与简化字",
         "the mark written in traditional or variant characters (微眾, 度小滿)",
         "{who}为{mark}的繁体或异体写法", 80, _gen_traditional, _strong_with(VARIANT)),
    Rule("separator", 88, "审查指南: 仅字体、排列、空格或符号不同; 比对规则: 字号仅以符号区分",
         "the mark's characters split by spaces, symbols, emoji or invisible characters (微|众, 花\u200b呗)",
         "{who}以空格、符号或不可见字符隔开{mark}", 72, _gen_separator, detector="matcher: a token after a separator"),
    Rule("numeral", 86, "审查指南: 数字与汉字数字、全角数字仅书写形式不同",
         "the digits of a mark written as Chinese numerals or as letters that look like digits "
         "(五八同城, 伍捌同城, 5B同城 for 58同城; 36O for 360)",
         "{who}以汉字数字或形似数字的字母写出{mark}中的数字", 70, _gen_numeral, _strong_with(NUMERAL)),
    Rule("homophone", 80, "审查指南: 中文商标读音相同; 比对规则: 字号读音相同",
         "same toneless pinyin, over every reading of a polyphone (维众, 微重, 招商银杭)",
         "{who}与{mark}读音相同（{span_py} / {term_py}）", 90, _gen_homophone, _strong_with(HOMOPHONE)),
    Rule("near_homophone", 62, "审查指南: 中文商标读音相近",
         "pinyin equal after folding z/zh, c/ch, s/sh, n/l, an/ang, en/eng, in/ing (维宗)",
         "{who}与{mark}读音相近（{span_py} / {term_py}）", 65, _gen_near, _accepts_near),
    Rule("shape_similar", 75, "审查指南: 中文商标字形相近",
         "one character replaced by a look-alike character (徽粒贷, 微业货)",
         "{who}与{mark}字形相近（{pairs}）", 78, _gen_shape, _accepts_shape),
    Rule("reordered", 72, "审查指南: 文字相同而排列顺序不同",
         "the mark's characters in another order (众微)",
         "{who}由{mark}的字颠倒顺序组成", 60, _gen_reordered, detector="matcher: windows of the same characters"),
    Rule("insertion", 70, "审查指南: 增加或插入文字, 整体区别不明显",
         "one character inserted inside the mark (微和众)",
         "{who}在{mark}中间插入「{detail}」", 55, _gen_insertion, detector="matcher: windows one longer"),
    Rule("pinyin", 85, "审查指南: 中文商标与其汉语拼音",
         "the mark's pinyin in Latin letters, alone, mixed with characters or inside a handle or domain "
         "(Weizhong, hua呗, weizhongkefu, jiebei-huankuan.com)",
         "{who}为{mark}的拼音写法（{term_py}）", 70, _gen_pinyin, _strong_with(PINYIN)),
    Rule("lookalike", 85, "审查指南: 外文商标字母构成、字形相近",
         "a Latin alias written with look-alike digits or letters (W3Bank, AIipay, A1ipay, Cyrillic Аlipay)",
         "{who}以形似字母或数字仿写英文{mark}（{detail}）", 78, _gen_lookalike, detector="latin.py"),
    Rule("misspelling", 70, "审查指南: 外文商标仅个别字母不同",
         "a Latin alias of 5+ letters (pinyin too) with one letter added, dropped, changed or swapped, the first "
         "kept (Alipayy, Alipy), unless alias and name are both ordinary English words",
         "{who}与英文{mark}仅差一个字母", 65, _gen_misspelling, detector="latin.py"),
)
RULES: dict[str, Rule] = {r.name: r for r in _RULES}

# the order window rules are asked in: the most specific first
_WINDOW_ORDER = ("shape_similar", "near_homophone", "pinyin", "homophone", "numeral", "traditional", "contains")


def rules_table() -> str:
    """The README's rules table, from the registry (tests/test_readme_rules.py keeps them equal)."""
    lines = ["| rule | what it detects | legal basis | base score |", "| --- | --- | --- | --- |"]
    for r in RULES.values():
        detects = r.detects.replace("|", "\\|").replace("\u200b", "<ZWSP>")
        lines.append(f"| `{r.name}` | {detects} | {r.basis} | {r.score} |")
    return "\n".join(lines)


@dataclass(frozen=True)
class CjkTerm:
    """One Chinese form of a mark, compiled for comparison; digits stay digits (51信用卡)."""

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
    if mc.isdigit():  # a digit of the mark: the digit itself, or its Chinese numeral (5: 五, 伍)
        if token_kind == "digit":  # a letter that stands for the digit (5l) is written another way
            return (NUMERAL if token_variant else SAME) if token_value == mc else None
        return NUMERAL if token_kind == "cjk" and token_value in NUMERALS[mc] else None
    if token_kind == "syllable":
        if token_value in term.readings[j]:
            return PINYIN
        return None
    if token_kind != "cjk":
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


def window_rule(relations: Sequence[str]) -> str | None:
    """The rule a fully related window makes, or None when it is too weak (at most one weak position)."""
    if len(_weak(relations)) > 1:
        return None
    for name in _WINDOW_ORDER:
        accepts = RULES[name].accepts
        if accepts is not None and accepts(relations):
            return name
    return None
