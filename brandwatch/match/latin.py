"""Latin letters: aliases (WeBank, ZA), handles (yunshanfukefu) and domains (xn--…, za-baoxian.com).

Latin aliases are compared letter by letter after undoing look-alikes (3→e,
1→l or i, 0→o, capital I→l, rn→m, Cyrillic А→A), aligned with words: a match
starts where a word, a run after a separator or a capitalised hump starts
("Kali Pay" and "Zhongqi Futures" hold Alipay and Qifu only across words).

- An alias of two letters (ZA) is too short to stand out inside a word, so it
  counts only as a whole token (ZA, Z.A, Ｚ Ａ, za保险, zabank where the rest is
  a word) and only beside words of the owner's trade (the matcher decides that).
- One edit away (misspelling) counts for aliases of 5+ letters, pinyin ones
  too, over a whole run of words, keeping the first letter, and never when
  the result is ordinary English words one letter from an alias that is too (UnionBay for UnionPay).

Domains are read as their labels: scheme, www and the public suffix (from the
Public Suffix List, as packaged by publicsuffixlist) dropped, punycode labels
(xn--) decoded, and labels split at dots, hyphens and digits, each part then
matched as a handle would be.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import product

from rapidfuzz.distance import OSA

from .memo import compile_table, table
from .tables import DIGIT_LOOKALIKES, _data, pinyin_of, readings, syllables
from .text import LatinWord


@dataclass(frozen=True)
class LatinTerm:
    """One Latin form of a mark."""

    mark_index: int
    text: str  # as written in the watchlist
    lower: str  # letters and digits, lower case
    pinyin: bool = False  # the alias spells pinyin (Duxiaoman)

    @property
    def short(self) -> bool:
        return len(self.lower) <= 2


@dataclass(frozen=True)
class LatinMatch:
    rule: str
    start: int
    end: int
    detail: str = ""  # what differs, for the explanation


# -- English words and handle words ----------------------------------------------


@table
def english_words() -> frozenset[str]:
    from .lexicon import english_words as words

    return frozenset(words())


def english_split(text: str) -> bool:
    """``text`` (lower case) is one or more ordinary English words of 3+ letters (union|bay)."""
    words = english_words()
    n = len(text)
    ok = [False] * (n + 1)
    ok[0] = True
    for i in range(n):
        if ok[i]:
            for j in range(i + 3, min(n, i + 20) + 1):
                if text[i:j] in words:
                    ok[j] = True
    return n > 0 and ok[n]


# pinyin of what follows a place's proper name: shuhe|gucheng, xinye|xian, naquhua|yuan (花园)
PLACE_PINYIN = ("guzhen", "gucheng", "zhen", "xiang", "cun", "shequ", "jiedao", "lu", "jie", "xiang", "xian", "shi",
                "qu", "sheng", "jingqu", "gongyuan", "huayuan", "xiaoqu", "yuan", "fu")


@compile_table
def ordinary_pinyin() -> frozenset[str]:
    """Joined pinyin of ordinary words (小影, 小鹰: xiaoying) and of named places (小营), each reading."""
    from .lexicon import place_names, word_freq

    rd = readings()
    out: set[str] = set()
    for word in (*(w for w, f in word_freq().items() if 2 <= len(w) <= 4 and f >= 3), *place_names("tny")):
        parts = [rd.get(c) for c in word]
        if 2 <= len(word) <= 4 and all(parts):
            for combo in product(*[sorted(p)[:2] for p in parts]):  # type: ignore[misc]
                out.add("".join(combo))
    return frozenset(out)


@compile_table
def pinyin_words() -> frozenset[str]:
    """Toneless pinyin, joined, of common Chinese words of 2–4 characters (kefu: 客服, huankuan: 还款)."""
    from .lexicon import word_freq

    rd = readings()
    out: set[str] = set()
    # the risk terms (客服 kefu, 退款 tuikuan) are words of a handle whatever their frequency
    risk = [t.strip() for t in _data("risk_terms.txt").splitlines() if t.strip() and not t.startswith("#")]
    out.update(pinyin_of(t) for t in risk if len(t) >= 2)
    for word, freq in word_freq().items():
        if 2 <= len(word) <= 4 and freq >= 10:
            parts = [rd.get(c) for c in word]
            if all(parts):
                # every reading of a polyphone: a registrant types whichever
                for combo in product(*[sorted(p)[:2] for p in parts]):  # type: ignore[misc]
                    out.add("".join(combo))
    return frozenset(out)


# Latin words of handles that are neither English nor full pinyin: pinyin initials used as words
HANDLE_WORDS = frozenset({"kf", "gf", "app", "vip", "hk", "cn", "com", "net", "org", "pay", "online", "official", "jr"})


def reads_as_words(letters: str) -> bool:
    """Lower-case letters that read as words on their own: pinyin words, English words, handle words.

    ``kefu`` (客服), ``huankuan`` (还款), ``bank``, ``kf`` do; ``jing`` (of huanbeijing: 环北京) and
    ``yuan`` (of naquhuayuan: 那曲花园) do not: a lone syllable after a mark is more often the rest
    of another word than a word of its own.
    """
    if not letters:
        return True
    n = len(letters)
    pw = pinyin_words()
    ok = [False] * (n + 1)
    ok[0] = True
    for i in range(n):
        if not ok[i]:
            continue
        for j in range(i + 2, min(n, i + 24) + 1):
            piece = letters[i:j]
            # an English word that is also a pinyin syllable (jing, long) reads as pinyin here
            # (4+ letters: krill is not KR + ill)
            if piece in HANDLE_WORDS or piece in pw or (
                    len(piece) >= 4 and piece in english_words() and piece not in syllables()):
                ok[j] = True
    return ok[n]


# -- look-alikes -----------------------------------------------------------------


def skeletons(text: str, limit: int = 16) -> set[str]:
    """Readings of a Latin word with look-alikes undone (lower case); capital I may be an l.

    A character that stands for several letters (1: l or i) gives one reading
    each, at most ``limit`` readings in all.
    """
    choices: list[str] = []
    for c in text:
        if c in DIGIT_LOOKALIKES:
            choices.append(DIGIT_LOOKALIKES[c])
        elif c == "I":
            choices.append("il")
        else:
            choices.append(c.lower())
    out: set[str] = set()
    for combo in product(*choices):
        out.add("".join(combo))
        if len(out) >= limit:
            break
    out |= {s.replace("rn", "m").replace("vv", "w") for s in out}
    return out


def describe(ch: str) -> str:
    """A character as a lawyer can name it: 大写字母 I（U+0049）, 数字 3, 西里尔字母 А（U+0410）."""
    name = unicodedata.name(ch, "")
    if ch.isascii() and ch.isdigit():
        return f"数字 {ch}"
    if ch.isascii() and ch.isalpha():
        return f"{'大写' if ch.isupper() else '小写'}字母 {ch}（U+{ord(ch):04X}）"
    script = {"CYRILLIC": "西里尔字母", "GREEK": "希腊字母", "LATIN": "拉丁字母"}.get(name.split(" ")[0], "字符")
    return f"{script} {ch}（U+{ord(ch):04X} {name}）"


def _differences(written: str, target: str) -> str:
    """Which written characters stand for which letters of the alias, by position and code point."""
    if len(written) != len(target):
        return ""
    out = [f"第{k + 1}个字符为{describe(w)}，商标为{describe(t)}"
           for k, (w, t) in enumerate(zip(written, target, strict=True)) if w.lower() != t]
    return "；".join(out[:3])


# -- matching --------------------------------------------------------------------


def match_latin(lt: LatinTerm, words: Sequence[LatinWord], trade_ok: bool, name: str = "") -> Iterator[LatinMatch]:
    """Where a Latin alias appears in the name's Latin words, and by which rule.

    ``trade_ok``: the name holds a word of the owner's trade (short aliases need it).
    """
    if lt.short and not trade_ok:
        return
    target = lt.lower
    n = len(target)
    for w in words:
        plain = w.text.lower()
        starts = set(w.bounds)
        ends = {*w.bounds[1:], len(plain)}
        found = None
        for skel, rule in ((plain, ""), *((x, "lookalike") for x in skeletons(w.text) if x != plain)):
            if len(skel) != len(plain):
                if skel == target:  # rn for m, vv for w: only as the whole word
                    found = LatinMatch("lookalike", w.start, w.end, "")
                    break
                continue
            k = skel.find(target)
            while k >= 0 and not _aligned(lt, plain, k, k + n, starts, ends):
                k = skel.find(target, k + 1)
            if k < 0:
                continue
            a, b = w.span(k, k + n)
            parts = sum(1 for x in w.runs if k < x < k + n)
            written = "".join(name[o] for o in w.offsets[k : k + n]) if name else w.text[k : k + n]
            kind = rule or ("lookalike" if w.lookalike else "separator" if parts else "contains")
            detail = _differences(written, target) if kind == "lookalike" else ""
            found = LatinMatch(kind, a, b, detail)
            break
        if found is not None:
            yield found
            continue
        if n < 5:
            continue
        yield from _misspelled(lt, w, plain, starts, ends)


def _aligned(lt: LatinTerm, plain: str, a: int, b: int, starts: set[int], ends: set[int]) -> bool:
    """A match must start at a word start; a short alias must also end at a word end or before a word."""
    if a not in starts:
        return False
    if not lt.short:
        return True
    if b in ends:
        return True
    rest_end = min((e for e in ends if e > b), default=len(plain))
    return reads_as_words(plain[b:rest_end])


def _misspelled(lt: LatinTerm, w: LatinWord, plain: str, starts: set[int], ends: set[int]) -> Iterator[LatinMatch]:
    target = lt.lower
    n = len(target)
    for i in sorted(starts):
        for j in sorted(ends):
            piece = plain[i:j]
            # typos keep the first letter (Alipy, WeBnk); Kalipay, eBank are other words
            # an alias made of ordinary words (UnionPay) is one letter from other ordinary words (UnionBay)
            if (abs((j - i) - n) <= 1 and piece[:1] == target[:1]
                    and OSA.distance(piece, target, score_cutoff=1) <= 1
                    and not (english_split(piece) and english_split(target))):
                a, b = w.span(i, j)
                yield LatinMatch("misspelling", a, b, "")
                return


# -- domains ---------------------------------------------------------------------

_DOMAIN = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?((?:[a-z0-9\u00a0-\uffff](?:[a-z0-9\u00a0-\uffff-]{0,61}[a-z0-9\u00a0-\uffff])?\.)+"
    r"(?:[a-z\u00a0-\uffff]{2,63}|xn--[a-z0-9-]{1,59}))\.?(?::\d{1,5})?(?:[/?#].*)?$",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"[.\-_]+|(?<=\d)(?=[^\d])|(?<=[^\d])(?=\d)")


@table
def _psl():  # type: ignore[no-untyped-def]
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(only_icann=True, accept_unknown=False)


def _decode_label(label: str) -> str:
    if label.lower().startswith("xn--") and len(label) <= 63:
        try:
            return label[4:].lower().encode("ascii").decode("punycode")
        except (UnicodeError, ValueError):
            return label
    return label


def read_domain(name: str) -> str | None:
    """A domain or URL as the words of its labels (``xn--9kqqg721s.com`` → ``云闪付``,
    ``za-baoxian.com`` → ``za baoxian``); None when ``name`` is not a domain."""
    text = name.strip()
    if len(text) > 2048 or " " in text:
        return None
    m = _DOMAIN.match(text)
    if m is None:
        return None
    host = m.group(1).lower()
    labels = [_decode_label(x) for x in host.split(".")]
    decoded = ".".join(labels)
    suffix = _psl().publicsuffix(decoded)
    if suffix is None or suffix == decoded:
        return None
    keep = decoded[: -len(suffix) - 1]
    parts = [p for p in _SPLIT.split(keep) if p and p != "www"]
    return " ".join(parts) if parts else None
