"""Contacts in a text: phone numbers, WeChat and QQ ids, e-mail addresses, URLs. Normalised so that the
same number written two ways is one value (``0755-8888 1234`` and ``(0755)88881234`` → ``075588881234``).

Posts that sell fake loans or "account unfreezing" hide their contacts from platform filters: digits
as Chinese numerals (幺三八…), full-width, circled or keycap digits, split by spaces and emoji, WeChat
written 薇信 or 加V. ``extract_contacts`` reads them back, and says how each was disguised (``how``),
since the disguise itself is a sign of a grey-market post.

The general rules, each with its word list in the table (version 2): a marker may carry decorations between
its characters (薇❤信, V❤X, 扣 扣) and after it (加V👉 abc); a weak marker (V, 薇, q) counts after 加/+, before a
colon or 同号, or as a lone letter with a space before an id holding a digit, '_' or '-' (找经理：V hj-loan88) or
before a number (q 12345678); a host's dot may be spelt out (sdloan点cn, abc[.]com, gmail dot com), spaced
(www . abc . com: not after an English word) or full-width, before a common ending; '@' may be (at), 艾特, or
spaced. tests/data/contacts_heldout.jsonl scores these (recall and precision, tests/test_contacts.py).

How: each kind is found by a regular expression over the original text (never a rewritten copy, so
offsets are the original ones), each starting with a character class so that the engine skips to
candidates in C; only candidates reach Python, where their digits are folded and checked, so the cost
is a few C passes plus a bounded amount per candidate (linear; benchmarks/bench_contacts.py: ~3 ms for
100 KB of post-like Chinese, ~6x one ``re.findall(r"\\d+")`` over it). Whether a digit string is a Chinese
number is libphonenumber's word (its CN metadata, through ``phonenumbers``), not hand-written prefixes.
``phonenumbers.PhoneNumberMatcher`` itself is not run on the text: it costs ~0.5 s per 100 KB and
stops after ``max_tries`` candidates; the tests use it as an oracle instead. Markers, cues and units
live in ``brandwatch/data/contact_markers.json``.

Pure: no I/O (``qr_payloads`` decodes bytes it is given).
"""

from __future__ import annotations

import bisect
import functools
import io
import itertools
import re
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

import phonenumbers

from ..match.tables import data_json
from ..models import Official

TYPES = ("phone", "wechat", "qq", "email", "url")


@dataclass(frozen=True)
class Contact:
    """One contact found in a text.

    ``start``/``end`` are offsets in the text as given, ``raw`` is ``text[start:end]``; ``how`` says how
    it was disguised ('' when written plainly); ``domain`` is the registrable host of a url or e-mail
    (as ``normalise_domain`` writes it), '' for the other types.
    """

    type: str
    value: str
    start: int
    end: int
    raw: str
    how: str = ""
    domain: str = ""


# -- normalising -------------------------------------------------------------------------------------


def normalise_phone(text: str) -> str:
    """A Chinese phone number as digits: mobiles (11), landlines with their area code (0755…), 400/800 (10),
    95xxx/96xxx service numbers (5–6) and 10xxx/12xxx carrier and public numbers; '' when it is none of these.

    Any digits count (``１３８``, ``幺三八``, ``①③⑧``); +86 / 0086 / 86 in front is dropped, and a landline
    written after +86 without its trunk 0 (``+86 755 8888 1234``) gets it back."""
    t = _tables()
    digits = "".join(d for ch in unicodedata.normalize("NFKC", text) if (d := t.digit.get(ch)))
    return _classify(digits)[0]


_LENGTHS = (15, 14, 13, 12, 11, 10, 6, 5)  # 0086 + mobile … 95xxx; no Chinese number has 7–9 digits here
_SERVICE = re.compile(r"9[56]\d{3,4}|1[0-2]\d{3}")


@functools.lru_cache(maxsize=65536)
def _classify(digits: str) -> tuple[str, bool]:
    """(the normalised number or '', whether it is a short service number that needs a cue to count)."""
    if len(digits) not in _LENGTHS or digits[0] not in "01489":
        return "", False
    intl = False
    if digits.startswith("0086"):
        digits, intl = digits[4:], True
    elif digits.startswith("86") and len(digits) in (12, 13, 14):
        digits, intl = digits[2:], True
    if not intl and _SERVICE.fullmatch(digits):
        return digits, True  # service numbers phonenumbers does not treat as dialable lines
    if len(digits) == 10 and digits[1:3] == "00" and digits[0] in "48":
        return digits, False  # 400 / 800
    if intl and not digits.startswith(("0", "1")):
        digits = "0" + digits  # +86 755 …: the trunk 0 is not dialled from abroad
    if not 10 <= len(digits) <= 12:
        return "", False
    national = digits[1:] if digits[0] == "0" else digits
    if not _valid_cn(national):
        return "", False
    return (national if national[0] == "1" and len(national) == 11 else "0" + national), False


@functools.cache
def _cn_types() -> tuple[tuple[re.Pattern[str], frozenset[int]], tuple[tuple[re.Pattern[str], frozenset[int]], ...]]:
    """libphonenumber's patterns for China: the general one, then each number type's."""
    md = phonenumbers.PhoneMetadata.metadata_for_region("CN")

    def desc(d: Any) -> tuple[re.Pattern[str], frozenset[int]]:
        return re.compile(d.national_number_pattern), frozenset(d.possible_length or ())

    kinds = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
             "fixed_line", "mobile")
    return desc(md.general_desc), tuple(desc(d) for k in kinds if (d := getattr(md, k)) is not None
                                       and d.national_number_pattern)


def _valid_cn(national: str) -> bool:
    """``phonenumbers.is_valid_number`` for a Chinese national number (without the trunk 0), read from the
    same metadata without building a PhoneNumber (a tenth of the cost; the tests hold the two equal)."""
    general, types = _cn_types()
    n = len(national)
    if n not in general[1] or not general[0].fullmatch(national) or national[0] == "0":
        return False
    return any(n in lengths and pattern.fullmatch(national) for pattern, lengths in types)


def normalise_domain(text: str) -> str:
    """A domain lower-case, without scheme, user, path, port, trailing dot or a leading www., punycode labels
    decoded (``xn--fiqs8s`` → ``中国``, so both spellings of one domain are one value); '' when it is not one
    (an IP address, a single label, a label over 63 characters)."""
    s = unicodedata.normalize("NFKC", text).strip().lower()
    s = re.sub(r"^[a-z][a-z0-9+.-]*://", "", s)
    s = re.split(r"[/?#]", s, maxsplit=1)[0]
    s = s.rsplit("@", 1)[-1]
    s = s.split(":", 1)[0].strip(".")
    if s.startswith("www."):
        s = s[4:]
    if len(s) > 253 or not _DOMAIN.fullmatch(s):
        return ""
    if "xn--" in s:
        s = ".".join(_unpunycode(label) for label in s.split("."))
    return s


def _unpunycode(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return label  # not valid punycode: kept as written


_DOMAIN = re.compile(r"(?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+"
                     r"(?:[a-z\u00a1-\uffff]{2,63}|xn--[a-z0-9-]{1,59})")


# -- tables and patterns ------------------------------------------------------------------------------

# emoji and symbols, less the dingbat digits ❶…➓ (U+2776–2793), which are digits here
_EMOJI = "\U0001f000-\U0001faff\u2600-\u2775\u2794-\u27bf\u2b00-\u2bff"
_SEP_CHARS = (" \t\u00a0\u3000\\-‐‑‒–—―－﹣.．·・•∙⋅‧_~～/()（）\\[\\]【】*＊#＃\u200b-\u200d\u2060\ufe0f\u20e3"
              + _EMOJI)
# what decorates a marker inside (薇❤信, V❤X) or after it (加V👉 abc123)
_DECO = "*＊·・\u200b-\u200d\u2060\ufe0f" + _EMOJI
_LATIN = "A-Za-zＡ-Ｚａ-ｚ"


def _wide(word: str) -> str:
    """A regex for ``word`` in either case and width; '+' also as ＋ ➕ ✚."""
    out = []
    for ch in word:
        if ch.isascii() and ch.isalpha():
            lo, up = ch.lower(), ch.upper()
            out.append(f"[{lo}{up}{chr(ord(lo) + 0xFEE0)}{chr(ord(up) + 0xFEE0)}]")
        elif ch == "+":
            out.append("[+＋➕✚]")
        elif ch.isascii() and ch.isdigit():
            out.append(f"[{ch}{chr(ord(ch) + 0xFEE0)}]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _alternation(words: list[str], inner: bool = False) -> str:
    """A regex for any of ``words`` (longest first), as a trie: 微(?:信(?:号)?|芯)… tries a few branches at a
    position, not every word. With ``inner``, up to two decorations may stand between a word's characters
    (薇❤信, V❤X, v x), and dots and dashes too after a Chinese one (扣 扣, 微.信)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in unicodedata.normalize("NFKC", w).lower() if w.isascii() else w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any], parent: str = "") -> str:
        branches = [_wide(ch) + emit(child, ch) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if inner and parent:
            body = f"[{_DECO} {'' if parent.isascii() else '.．。_~-'}]{{0,2}}{body}"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


def _first_set(words: list[str]) -> frozenset[str]:
    """Every character ``words`` can begin with (either case and width, any '+' sign)."""
    chars: set[str] = set()
    for w in words:
        ch = w[0]
        if ch.isascii() and ch.isalpha():
            chars |= {ch.lower(), ch.upper(), chr(ord(ch.lower()) + 0xFEE0), chr(ord(ch.upper()) + 0xFEE0)}
        elif ch == "+":
            chars |= set("+＋➕✚")
        else:
            chars.add(ch)
    return frozenset(chars)


def _first_chars(words: list[str]) -> str:
    """A character class of every way ``words`` can begin."""
    return "[" + "".join(re.escape(c) for c in sorted(_first_set(words))) + "]"


# Every scanning pattern starts with a character class: the regex engine then skips to candidates in C
# (a leading group, lookbehind or alternation makes it try the whole pattern at every position, ~10x).
_L = "A-Za-z0-9Ａ-Ｚａ-ｚ０-９"
_LOCAL = rf"[{_L}._%+\-]"
_LABEL = r"[A-Za-z0-9][A-Za-z0-9\-]{0,62}"
# a dot spelt out or bracketed (abc点com, abc[.]com, abc (dot) com, abc dot com), and one with a space beside it
_SPELT_DOT = (r"(?:\s?(?:点|[(\[（【]\s?(?:[.．。点]|[dD][oO][tT])\s?[)\]）】])\s?|\s[dD][oO][tT]\s)")
_SPACED_DOT = r"(?:\s\.\s?|\.\s)"
_ANY_DOT = re.compile(rf"{_SPELT_DOT}|{_SPACED_DOT}|[．。]")
_W = "A-Za-z0-9Ａ-Ｚａ-ｚ０-９"  # a host's characters, either width
_PATH = r"(?P<path>[/?#][A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]{0,2047})?"  # browsers cut near 2 KB


def _ranges(chars: Any) -> str:
    """``chars`` for a character class, consecutive ones as ranges: a class listing characters beyond U+FFFF
    one by one (𝟏𝟐𝟑) makes the engine test each in turn, 6x slower over a whole text; as a range it does not."""
    codes = sorted({ord(ch) for ch in chars})
    out = []
    for _, group in itertools.groupby(enumerate(codes), lambda x: x[1] - x[0]):
        run = [c for _, c in group]
        out.append(re.escape(chr(run[0])) + (f"-{re.escape(chr(run[-1]))}" if len(run) > 1 else ""))
    return "".join(out)


@functools.cache
def _tables() -> SimpleNamespace:
    """The marker table and the patterns built from it, once per process."""
    data: dict[str, Any] = data_json("contact_markers.json")
    digit = {str(d): str(d) for d in range(10)}
    for d, chars in data["digits"].items():
        digit.update(dict.fromkeys(chars, d))
    note = {}
    for chars, what in data["digit_notes"].items():
        note.update(dict.fromkeys(chars, what))
    dchars = "0-9" + _ranges(ch for ch in digit if not ch.isascii())
    d_class, s_class = f"[{dchars}]", f"[{_SEP_CHARS}]"
    # a run of digit-likes, at least 5, with up to 4 separators between any two
    run = f"{d_class}(?:{s_class}{{0,4}}{d_class}){{4,}}"
    wx, qq = data["wechat_markers"], data["qq_markers"]
    adds = data["add_prefixes"]
    every = wx["plain"] + wx["obfuscated"] + wx["weak"] + qq["plain"] + qq["obfuscated"] + qq["weak"]
    # any marker, with 加/+ or not; whether a weak one (V, 薇, q) counts is decided in _marked
    marker = rf"(?:(?P<add>{_alternation(adds)})[{_DECO}\s]{{0,2}})?(?P<m>{_alternation(every, inner=True)})"
    # what may stand between a marker and its id: decorations, 号/ID/同号 (WeChat ID:, QQ 号：, 微信同号), another
    # name for the same number (wx/电话：138…), a colon, an arrow
    # (the classes are possessive: an id or a number never begins with what they take, so nothing is given back)
    after = (rf"(?P<after>[{_DECO}]{{0,3}}+\s?+(?:号码|号|群|[iI][dD]|账号|帐号|同号|同手机号?|同电话)?"
             r"(?:咨询|联系|详聊|私聊|了解|领取|办理)?"  # 加V咨询：id
             rf"(?:[/／、]\s?(?:电话|手机号?|[tT][eE][lL])\s?)?[\s:：=)）→⇒>{_DECO}]{{0,4}}+)")
    kinds = {}
    for kind, table in (("wechat", wx), ("qq", qq)):
        for strength in ("plain", "obfuscated", "weak"):
            kinds.update(dict.fromkeys((_marker_key(w) for w in table[strength]), (kind, strength)))
    ident = rf"(?P<id>[{_LATIN}][{_LATIN}0-9０-９_＿\-－]{{5,19}})(?![{_LATIN}0-9０-９_＿\-－@＠])(?![.．][A-Za-z])"
    # ... ending in one of spelled_tlds, so that a run of words and dots fails in C
    odd_dot = rf"(?:[.．。]|{_SPELT_DOT}|{_SPACED_DOT})"
    odd_host = (rf"[{_W}\-－]{{0,62}}+(?:{odd_dot}[{_W}][{_W}\-－]{{0,62}}+){{0,3}}{odd_dot}"
                rf"{_alternation(data['spelled_tlds'])})(?![{_W}\-－]){_PATH}")
    return SimpleNamespace(
        version=data["version"],
        digit=digit,
        note=note,
        kind_table=str.maketrans({ch: ("c" if note.get(ch) == "Chinese numerals" else "d") for ch in digit}),
        digit_table=str.maketrans(digit),
        run=re.compile(run),
        marker_first=re.compile(_first_chars(every + adds)),
        marker=re.compile(rf"{marker}{after}(?:{ident}|(?P<num>{run}))"),
        wxid=re.compile(r"[wW](?<![A-Za-z0-9_][wW])[xX][iI][dD]_[A-Za-z0-9]{6,24}(?![A-Za-z0-9_])"),
        letters=re.compile(r"[O0-9Il](?<![A-Za-z0-9][O0-9Il])(?:(?<=[OIl])|(?=[0-9 \-]{0,20}[OoIl]))"
                           r"(?:[ \-]?[0-9OoIl]){9,14}"),
        # where such a number may be: a look-alike letter beside a digit
        letter_hint=re.compile(r"[OoIl](?:(?<=[0-9][OoIl])|(?<=[0-9][ \-][OoIl])|(?=[ \-]?[0-9]))"),
        cue_signs=frozenset(w for w in data["phone_cues"] if len(w) == 1),
        marker_kinds=kinds,
        latin_ok=frozenset(w.lower() for w in every + data["phone_cues"] if w.isascii() and w.isalpha()),
        cue=re.compile("(?!" + _alternation(data["words_not_cues"]) + ")" + _alternation(data["phone_cues"])),
        not_cue=re.compile(_alternation(data["not_phone_cues"])),
        # a unit is not the first character of a word that follows a number (400 066 7732 人工服务)
        unit=re.compile(r"\s?(?!" + "|".join(map(re.escape, data["words_not_units"])) + r")(?:" + "|".join(
            (_wide(u) + "(?![A-Za-z])") if u.isascii() and u.isalpha() else re.escape(u)
            for u in sorted(data["units_after"], key=len, reverse=True)) + ")"),
        currency=re.compile(r"(?:" + _alternation(data["currency_before"]) + r")\s?$"),
        unit_first=_first_set(data["units_after"]),
        currency_first=_first_set(data["currency_before"]),
        # where, in a long run's digits, a number can begin (with and without the cue-only short numbers)
        begins=re.compile(r"(?=0086|86|0[1-9]|1[3-9]|[48]00)"),
        begins_short=re.compile(r"(?=0086|86|0[1-9]|1|[48]00|9[56])"),
        # e-mail: found from its '@' (or '(at)', ' at ', '#'), the local part read backwards
        at_sign=re.compile(rf"[@＠#＃](?:(?<={_LOCAL}.)|(?<={_LOCAL}\s[@＠]))(?=\s?[{_L}])"),
        # '(at)', ' at ', '艾特' (how '@' is read aloud), '（艾特）'
        at_word=re.compile(r"[(\[（【{\s艾](?:(?<=艾)特|(?<=[(\[（【{\s])(?:[aA][tT]|艾特)[)\]）】}\s])"),
        local_rev=re.compile(rf"{_LOCAL}{{1,65}}"),
        mail_host=re.compile(rf"\s?(?P<host>(?:[{_L}][{_L}\-]{{0,62}}(?:[.．。]|{_SPELT_DOT}|\s\.\s?))+[A-Za-zＡ-Ｚａ-ｚ]{{2,24}})"
                             rf"(?![{_W}\-])(?![.．][A-Za-z0-9])"),
        # a host of Latin letters ends where Chinese text begins (https://x.com看这里); one in Chinese
        # (http://例子.中国) only at a '/', a space or punctuation
        url=re.compile(rf"[hH][tT][tT][pP][sS]?[:：][/／]{{2}}(?:(?P<host>[A-Za-z0-9\-._~%:@\[\]]+)"
                       rf"|(?P<uhost>[^\s/?#<>\"'，。、；：！？（）【】《》「」]{{1,253}}(?=[\s/?#<>\"'，。、；：！？（）【】《》「」]|$))){_PATH}"),
        bare=re.compile(rf"(?P<host>[A-Za-z0-9](?<![A-Za-z0-9@＠.\-_/][A-Za-z0-9])[A-Za-z0-9\-]{{0,62}}\."
                        rf"(?:{_LABEL}\.)*(?:xn--[a-z0-9\-]{{1,59}}|[A-Za-z]{{2,24}}))"
                        rf"(?P<port>:\d{{1,5}})?(?![A-Za-z0-9\-]){_PATH}"),
        # a host written with a dot spelt out, spaced or full-width (sdloan点cn, www . abc . com, ａｂｃ．ｃｏｍ);
        # at most five labels, so that a failed try is bounded
        # (labels are possessive: no dot begins with a label's character, so giving one back never helps)
        # (not a start right after a dot, spaced or spelt: that label continues a host already tried)
        odd_url=re.compile(rf"(?P<host>[{_W}](?<![{_W}@＠.．\-－_/点][{_W}])(?<![.．点]\s[{_W}]){odd_host}"),
        odd_url_at=re.compile(rf"(?P<host>[{_W}]{odd_host}"),  # after a scheme: http://www . abc . com
        spelled_tlds=frozenset(data["spelled_tlds"]),
        providers=frozenset(data["mail_providers"]),
        file_tlds=frozenset(data["file_extension_tlds"]),
    )


@functools.cache
def _english() -> frozenset[str]:
    from ..match.lexicon import english_words

    return english_words()


@functools.lru_cache(maxsize=4096)
def _public_suffix(host: str) -> str | None:
    # the matcher's instance: the list is ~0.7 s to load and several MB, so one per process
    from ..match.latin import _psl

    return _psl().publicsuffix(host)


# -- extraction ---------------------------------------------------------------------------------------


def extract_contacts(text: str) -> tuple[Contact, ...]:
    """Every phone number, WeChat id, QQ number, e-mail address and URL in ``text``, in text order, one per
    (type, value): the first place it appears. Linear in the text: a fixed number of regex passes, and
    per candidate a bounded amount of work."""
    if not text:
        return ()
    t = _tables()
    found = list(_emails(text, t))
    taken = _merged([(c.start, c.end) for c in found if c.type == "email"])
    # a bare domain inside an address is its host (abc@qq.com) or a word of it (john.li@…); a URL with its
    # scheme is kept whole, and so is an address inside it
    found.extend(c for c in _urls(text, t) if c.raw[:4].lower() == "http" or not _inside(taken, c.start, c.end))
    taken = _merged([(c.start, c.end) for c in found])  # digits in e-mails and URLs are not phone numbers
    found.extend(c for c in _marked(text, t) if not _inside(taken, c.start, c.end))
    found.extend(_phones(text, t, taken))
    found.extend(_lettered_phones(text, t, taken))
    found.sort(key=lambda c: (c.start, TYPES.index(c.type)))
    seen: set[tuple[str, str]] = set()
    out = []
    for c in found:
        if (c.type, c.value) not in seen:
            seen.add((c.type, c.value))
            out.append(c)
    return tuple(out)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted, non-overlapping ``spans``."""
    i = bisect.bisect_right(spans, (start, float("inf"))) - 1
    for s, e in spans[max(i, 0):i + 2]:
        if s < end and start < e:
            return True
    return False


def _join(*notes: str) -> str:
    return ", ".join(dict.fromkeys(n for n in notes if n))


# phones


@dataclass
class _Run:
    """A run of digit-likes read as digits, in groups split at separators and where the script changes
    (138零零: Arabic then Chinese), so that a window of whole groups can be tried as a number."""

    digits: str  # ASCII digits
    offs: list[int]  # where group k starts in ``digits``; the last entry is len(digits)
    spans: list[tuple[int, int]]  # group k's span in the text


_GROUPS = re.compile(r"(c+|d+)")
_NOT_DIGIT = re.compile(r"[^0-9]+")


def _split_run(raw: str, base: int, t: SimpleNamespace) -> _Run:
    kinds = raw.translate(t.kind_table)  # 'c' a Chinese numeral, 'd' another digit, else a separator
    # [separator, group, separator, group, …, separator], sized in C: a run can be 100 KB of '1 1 1 …'
    pieces = _GROUPS.split(kinds)
    at = list(itertools.accumulate(map(len, pieces), initial=0))
    first, last = 1, len(pieces) - 2  # the indexes of the first and last group
    # a lone Chinese numeral touching Arabic digits is a word (一起, 一样, 第一), not a digit
    if last > first and pieces[first] == "c" and not pieces[first + 1]:
        first += 2
    if last > first and pieces[last] == "c" and not pieces[last - 1]:
        last -= 2
    spans = list(zip(at[first:last + 1:2], at[first + 1:last + 2:2], strict=True))
    read = _NOT_DIGIT.sub("", raw[spans[0][0]:spans[-1][1]].translate(t.digit_table))
    offs = list(itertools.accumulate((len(g) for g in pieces[first:last + 1:2]), initial=0))
    return _Run(read, offs, [(base + a, base + b) for a, b in spans])


def _card_like(sizes: list[int]) -> bool:
    """A bank card or an ID written in fours (6222 0200 1234 5678, 16–19 digits; an ID's 18): no window of it
    is a phone number. Fewer digits are a number and what follows it (0755-8627 3390（24小时）)."""
    return len(sizes) >= 4 and all(s == 4 for s in sizes[:-1]) and sizes[-1] <= 4 and sum(sizes) >= 15


def _split_note(sizes: list[int], seps: list[str]) -> str:
    """'' for the usual ways of grouping a number (138 0013 8000, 0755-8888-1234, (0755)88881234)."""
    seps = [s.replace("\ufe0f", "").replace("\u20e3", "") for s in seps]  # keycaps: said apart
    if not any(seps):
        return ""
    body = sizes[1:] if sizes[0] == 2 and len(sizes) > 2 else sizes  # 86 138 …
    joined = "".join(seps)
    odd = set(joined) - set(" -().（）\u3000")
    if len(body) <= 4 and min(body) >= 3 and not odd and all(len(s) <= 3 for s in seps):
        return ""
    if any(unicodedata.category(ch) == "So" or ch in "\ufe0f\u200d" for ch in joined):
        return "digits split by emoji"
    if set(joined) <= {" ", "\u3000", "\u00a0"}:
        return "digits split by spaces"
    if set(joined) <= set("-‐‑‒–—―"):
        return "digits split by dashes"
    if set(joined) <= set(".．·・"):
        return "digits split by dots"
    return "digits split by symbols"


def _lengths(digits: str, a: int) -> tuple[int, ...]:
    """The lengths a number starting at ``digits[a]`` can have, longest first (0086 + mobile … 95xxx)."""
    head = digits[a:a + 4]
    if head == "0086":
        return (15, 14)
    if head[:2] == "86":
        return (14, 13, 12)
    return _LENGTHS_BY_FIRST.get(head[:1], ())


_LENGTHS_BY_FIRST = {"0": (12, 11), "1": (11, 5), "4": (10,), "8": (10,), "9": (6, 5)}


def _near(cues: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a cue ends within 16 characters before [start, end) or starts within 8 after it."""
    i = bisect.bisect_left(cues, (start - 16 - 20, 0))
    for s, e in cues[i:]:
        if s >= end + 8:
            break
        if (e <= start and s >= start - 16) or (s >= end and e <= end + 8):
            return True
    return False


def _cue_near(text: str, t: SimpleNamespace, start: int, end: int) -> bool:
    return bool(t.cue.search(text, max(0, start - 16), start) or t.cue.search(text, end, min(len(text), end + 8)))


def _denied(text: str, t: SimpleNamespace, start: int, end: int) -> bool:
    """Whether the digits at [start, end) are an amount, a count, an order or card number, or part of a code.
    (Each regex runs only when the character beside the number could begin what it looks for.)"""
    after = text[end:end + 2]
    if after and (after[0] in t.unit_first or (after[0].isspace() and after[1:] in t.unit_first)) \
            and t.unit.match(text, end):
        return True
    before = text[max(0, start - 10):start]
    if before:
        if any(ch in t.currency_first for ch in before[-4:]) and t.currency.search(text, max(0, start - 4), start):
            return True
        neg = [m.end() for m in t.not_cue.finditer(text, start - len(before), start)]
        if neg and not any(m.start() >= neg[-1] for m in t.cue.finditer(text, start - len(before), start)):
            return True
        p = before[-1]
        if p in "_-" and len(before) > 1 and before[-2].isascii() and before[-2].isalpha():
            return True  # abc_138…, SN-138…: an identifier
        if p.isascii() and p.isalpha():
            k = len(before) - 1
            while k >= 0 and before[k].isascii() and before[k].isalpha():
                k -= 1
            if before[k + 1:].lower() not in t.latin_ok:
                return True  # letters glued on: an order or product code, unless a marker or cue (tel, vx, QQ)
    if after and after[0].isascii() and after[0].isalpha():
        k = end
        while k < len(text) and k - end <= 10 and text[k].isascii() and text[k].isalpha():
            k += 1
        return text[end:k].lower() not in t.latin_ok
    return False


def _phones(text: str, t: SimpleNamespace, taken: list[tuple[int, int]]) -> Iterator[Contact]:
    for m in t.run.finditer(text):
        start, end = m.span()
        if taken and _inside(taken, start, end):
            continue
        raw = m.group()
        if raw.isdigit() and raw.isascii():  # the common case: one plain group
            if len(raw) not in _LENGTHS or raw[0] not in "01489":
                continue
            value, needs_cue = _classify(raw)
            if not value:
                continue
            if start and text[start - 1] in "+＋" and len(raw) > len(value):
                start -= 1
            if (needs_cue and not _cue_near(text, t, start, end)) or _denied(text, t, start, end):
                continue
            yield Contact("phone", value, start, end, text[start:end])
            continue
        if len(raw) > 256 and not _may_hold_number(text, t, raw, start, end):
            continue  # a table of digits, or padding: nothing in it can start a number
        yield from _run_contacts(text, t, _split_run(raw, start, t))


def _may_hold_number(text: str, t: SimpleNamespace, raw: str, start: int, end: int) -> bool:
    digits = _NOT_DIGIT.sub("", raw.translate(t.digit_table))
    if t.begins.search(digits):
        return True
    if not t.begins_short.search(digits):
        return False
    # a cue near a short number: only words around the run, or a ☎ among its separators
    return bool(t.cue.search(text, max(0, start - 16), start) or t.cue.search(text, end, min(len(text), end + 8))
                or any(ch in raw for ch in t.cue_signs))


def _cut_ok(text: str, run: _Run, sizes: list[int], i: int, j: int, short: bool) -> bool:
    """Whether groups i..j may be read as one number apart from the rest of their run. A window of one
    group may (第2 13800138000); a short service number otherwise only as the whole run (9 5 5 8 8); a
    longer one when its groups are of three digits or more (0755-8888 1234 13900139000) or it is cut where
    the separator changes (0755-88881234/13800138000) — never five single digits out of twenty."""
    last = len(run.spans) - 1
    if i == j or (i == 0 and j == last):
        return True
    if short:
        return False
    if min(sizes[i:j + 1]) >= 3:
        return True
    inner = {text[run.spans[k][1]:run.spans[k + 1][0]] for k in range(i, j)}
    cuts = set()
    if i > 0:
        cuts.add(text[run.spans[i - 1][1]:run.spans[i][0]])
    if j < last:
        cuts.add(text[run.spans[j][1]:run.spans[j + 1][0]])
    return not cuts & inner


def _run_contacts(text: str, t: SimpleNamespace, run: _Run) -> Iterator[Contact]:
    """The phone numbers in a run: from each group on, the longest window of whole groups that is one."""
    sizes = [b - a for a, b in zip(run.offs, run.offs[1:], strict=False)]
    if _card_like(sizes):
        return
    group_at = {o: k for k, o in enumerate(run.offs)}
    cues: list[tuple[int, int]] | None = None
    starts: Iterator[int] | range = range(len(run.spans))
    if len(run.spans) > 16:
        # a long run (a table of digits, or padding meant to hide a number): find where a number can begin
        # in C, so that the loop below visits those groups only; short numbers only where a cue is
        lo, hi = max(0, run.spans[0][0] - 17), run.spans[-1][1] + 10
        cues = [m.span() for m in t.cue.finditer(text, lo, hi)]
        begins = t.begins_short if cues else t.begins
        starts = (k for m in begins.finditer(run.digits) if (k := group_at.get(m.start())) is not None)
    i = 0
    for i0 in starts:
        if i0 < i:
            continue
        i = i0
        a = run.offs[i]
        best = None
        for n in _lengths(run.digits, a):
            k = group_at.get(a + n)
            if k is not None and k > i:
                value, needs_cue = _classify(run.digits[a:a + n])
                if value and _cut_ok(text, run, sizes, i, k - 1, needs_cue):
                    best = (k - 1, value, needs_cue, n)
                    break
        if best is None:
            continue
        j, value, needs_cue, n = best
        start, end = run.spans[i][0], run.spans[j][1]
        written = text[start:end]
        if text[end:end + 2] == "\ufe0f\u20e3":
            end += 2
        elif text[end:end + 1] == "\u20e3":
            end += 1
        if start > 0 and ((text[start - 1] in "+＋" and n > len(value))
                          or (text[start - 1] in "(（" and (")" in written or "）" in written))):
            start -= 1  # +86 …, (0755)8888 1234: the '(' only when the number closes it
        if needs_cue and cues is None:  # one search per run, not one per window
            lo, hi = max(0, run.spans[0][0] - 17), run.spans[-1][1] + 10
            cues = [m.span() for m in t.cue.finditer(text, lo, hi)]
        if (needs_cue and not _near(cues or [], start, end)) or _denied(text, t, start, end):
            continue
        raw = text[start:end]
        seps = [text[run.spans[k][1]:run.spans[k + 1][0]] for k in range(i, j)]
        how = _join(*sorted({t.note[ch] for ch in set(raw) if ch in t.note}),
                    "keycap emoji" if "\u20e3" in raw else "", _split_note(sizes[i:j + 1], seps))
        yield Contact("phone", value, start, end, raw, how)
        i = j + 1


_LOOKALIKE = str.maketrans("OoIl", "0011")


def _lettered_phones(text: str, t: SimpleNamespace, taken: list[tuple[int, int]]) -> Iterator[Contact]:
    """Numbers with O for 0 and l/I for 1 (138OO138OOO), only beside a phone cue: elsewhere such runs are
    words and codes."""
    done = 0
    for h in t.letter_hint.finditer(text):
        if h.start() < done:
            continue
        # a match holding this letter lies within 29 characters of it (1 + 14 × 2)
        for m in t.letters.finditer(text, max(done, h.start() - 29), min(len(text), h.start() + 30)):
            if m.start() <= h.start() < m.end():
                done = m.end()
                yield from _lettered(text, t, taken, m)
                break


def _lettered(text: str, t: SimpleNamespace, taken: list[tuple[int, int]], m: re.Match[str]) -> Iterator[Contact]:
    start, end = m.span()
    raw = m.group()
    if raw.isdigit() or (start and text[start - 1].isascii() and text[start - 1].isalnum()):
        return
    if end < len(text) and text[end].isascii() and text[end].isalnum():
        return
    if len(_NOT_DIGIT.sub("", raw)) < 6 or (taken and _inside(taken, start, end)):
        return  # mostly letters: a word
    value, needs_cue = _classify(_NOT_DIGIT.sub("", raw.translate(_LOOKALIKE)))
    if value and not needs_cue and _cue_near(text, t, start, end) and not _denied(text, t, start, end):
        yield Contact("phone", value, start, end, raw, "letters for digits (O for 0, l for 1)")


# WeChat and QQ


_DECO_RE = re.compile(f"[{_DECO} .．。_~-]")


def _marker_key(word: str) -> str:
    """A marker as the table writes it: 薇❤信 → 薇信, ＶＸ → vx (the first character is kept: 🐧 is one)."""
    return unicodedata.normalize("NFKC", word[0] + _DECO_RE.sub("", word[1:])).lower()


def _weak_counts(text: str, m: re.Match[str], key: str) -> bool:
    """Whether a weak marker (V, 薇, q) is one here: after 加/+, before a colon or 同号 (V：abc123, q号：123…,
    v同号 138…), or as a lone letter v/q with a space after it before an id with a digit, '_' or '-' or a number
    (找经理：V hj-loan88, q 12345678), where the letter does not follow a Latin word (Part V Chapter12)."""
    after = m.group("after")
    if m.group("add") or "同" in after or ":" in after or "：" in after:
        return True
    ident = m.group("id")
    if any(not ch.isspace() for ch in after) and ident is not None and any(ch.isdigit() or ch in "_-＿－"
                                                                           for ch in ident):
        return True  # a decorated weak marker before an id (微❤ lpzx_2026): the decoration says it is one
    if key not in ("v", "q") or not after[:1].isspace():
        return False
    k = m.start("m") - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    if k >= 0 and text[k].isascii() and text[k].isalnum():
        return False
    return ident is None or any(ch.isdigit() or ch in "_-＿－" for ch in ident)


def _marked(text: str, t: SimpleNamespace) -> Iterator[Contact]:
    """Ids after a WeChat or QQ marker (微信：abc123, 加V abc123, 扣扣 12345678), and wxid_… anywhere."""
    pos = 0
    for f in t.marker_first.finditer(text):
        if f.start() < pos:
            continue
        m = t.marker.match(text, f.start())
        if m is None:
            continue
        pos = m.end()
        word = m.group("m")
        w0 = m.start("m")
        key = _marker_key(word)
        kind, strength = t.marker_kinds.get(key, ("wechat", "weak"))
        if key[0].isascii() and w0 > 0 and text[w0 - 1].isascii() and text[w0 - 1].isalnum() \
                and not m.group("add"):
            continue  # 'vx' inside a word
        if strength == "weak" and not _weak_counts(text, m, key):
            continue
        body = m.start("id") if m.group("id") else m.start("num")
        if word[-1].isascii() and word[-1].isalpha() and not m.group("after") and text[body].isascii() \
                and text[body].isalpha():
            continue  # 'vxabc123', 'wxPython': where the marker ends and the id begins is a guess
        is_qq = kind == "qq"
        marker = m.group()[:body - m.start()].strip(" :：=\t")
        plain = not m.group("add") and strength == "plain"
        how = "" if plain else f"{marker} marker"
        if m.group("id"):
            if is_qq:
                continue
            start, end = m.span("id")
            value = unicodedata.normalize("NFKC", m.group("id")).lower()
            if value.isalpha() and value in _english():
                continue  # 'VX: contact', '微信 official': a word, not an id
            yield Contact("wechat", value, start, end, m.group("id"), how)
            continue
        start, end = m.span("num")
        digits = _split_run(m.group("num"), start, t).digits
        kinds = {t.note[ch] for ch in set(m.group("num")) if ch in t.note}
        if is_qq:
            if 5 <= len(digits) <= 11 and digits[0] != "0" and not t.unit.match(text, end):
                yield Contact("qq", digits, start, end, text[start:end], _join(how, *sorted(kinds)))
            continue
        value, needs_cue = _classify(digits)
        if value and not needs_cue:
            yield Contact("wechat", value, start, end, text[start:end], _join(how, *sorted(kinds)))
    for m in t.wxid.finditer(text):
        yield Contact("wechat", m.group().lower(), m.start(), m.end(), m.group())


# e-mail and URLs


def _emails(text: str, t: SimpleNamespace) -> Iterator[Contact]:
    for sign in (t.at_sign, t.at_word):
        for m in sign.finditer(text):
            yield from _email_at(text, t, m)


_OPEN = "([（【{"


def _email_at(text: str, t: SimpleNamespace, at: re.Match[str]) -> Iterator[Contact]:
    """The address around one '@' (or '(at)', ' at ', '艾特', '#'): the local part read backwards from it."""
    word = at.group().strip()
    bracket = word[0] in _OPEN
    end_local = at.start()
    spaced = word in ("@", "＠") and end_local and text[end_local - 1].isspace()
    if (bracket or spaced) and end_local and text[end_local - 1] == " ":
        end_local -= 1  # 'abc (at) example.com', 'abc @ example.com'
    lm = t.local_rev.match(text[max(0, end_local - 65):end_local][::-1])
    if lm is None or len(lm.group()) > 64:
        return
    start = end_local - len(lm.group())
    hm = t.mail_host.match(text, at.end())
    if hm is None or (hm.group()[0].isspace() and not (bracket or word in ("@", "＠"))):
        return
    written = hm.group("host")
    host = _canonical_host(written)
    if not _host_ok(host, False, written):
        return
    how = ""
    if word == "＠":
        how = "full-width ＠"
    elif word != "@":
        if word in ("#", "＃") or word.lower() == "at":
            if host not in t.providers:
                return  # '#' and a bare 'at' are too common to trust except before a mail provider
        how = f"{word} for @"
    local_raw = text[start:end_local]
    local = unicodedata.normalize("NFKC", local_raw).lower().strip(".")
    if not local or not local[0].isalnum():
        return
    if written != host and any(ch in written for ch in "。．"):
        how = _join(how, "full-width dot")
    if _SPELT.search(written):
        how = _join(how, "dot spelt out")
    end = hm.end()
    yield Contact("email", f"{local}@{host}", start, end, text[start:end], how, _domain(host))
    if host in ("qq.com", "foxmail.com") and local.isdigit() and 5 <= len(local) <= 11 and local[0] != "0":
        yield Contact("qq", local, start, end_local, local_raw, "QQ mail")


_SPELT = re.compile(_SPELT_DOT)


def _canonical_host(written: str) -> str:
    """A host as written (sdloan点cn, gmail [dot] com, ｑｑ．ｃｏｍ, www . abc . com) with plain dots, lower-case."""
    return unicodedata.normalize("NFKC", _ANY_DOT.sub(".", written)).lower()


@functools.lru_cache(maxsize=4096)
def _domain(host: str) -> str:
    return normalise_domain(host)


@functools.lru_cache(maxsize=4096)
def _host_ok(host: str, bare: bool, written: str) -> bool:
    t = _tables()
    suffix = _public_suffix(host)
    if suffix is None or suffix == host:
        return False
    if bare and host.count(".") == 1:
        tld = host.rsplit(".", 1)[1]
        if tld in t.file_tlds:
            return False  # main.py, notes.md: file names
        if len(tld) == 2 and tld != "cn" and any(ch.isupper() for ch in written):
            return False  # Mr.Li, St.Kitts: words, not a domain
    return True


def _trim(path: str) -> str:
    """Without the sentence's trailing punctuation; a ')' only when it closes nothing in the URL."""
    unclosed = path.count(")") - path.count("(")
    while path and (path[-1] in ".,;:!?'\"" or (path[-1] == ")" and unclosed > 0)):
        unclosed -= path[-1] == ")"
        path = path[:-1]
    return path


def _urls(text: str, t: SimpleNamespace) -> Iterator[Contact]:
    schemed: list[tuple[int, int]] = []
    for m in t.url.finditer(text):
        written = m.group("host") or m.group("uhost")
        host, _, port = unicodedata.normalize("NFKC", written).lower().rsplit("@", 1)[-1].partition(":")
        host = host.rstrip(".")
        domain = _domain(host) if host else ""
        if m.group("host") and "." not in host and (om := t.odd_url_at.match(text, m.start("host"))) is not None \
                and (c := _odd_url(text, t, om)) is not None:
            schemed.append((m.start(), c.end))  # http://www . abc . com: the host is read with its odd dots
            yield replace(c, start=m.start(), raw=text[m.start():c.end])
            continue
        if not host or (domain and _public_suffix(domain) is None) or (m.group("uhost") and not domain):
            continue
        path = _trim(m.group("path") or "")
        end = m.start("path") + len(path) if m.group("path") else m.end("host" if m.group("host") else "uhost")
        schemed.append((m.start(), end))
        value = host.removeprefix("www.") + (f":{port}" if port else "") + ("" if path == "/" else path)
        yield Contact("url", value, m.start(), end, text[m.start():end], "", domain)
    matches = t.odd_url.finditer(text) if _may_spell_dots(text) else ()
    odd = [c for m in matches if not (schemed and _inside(schemed, m.start(), m.end()))
           and (c := _odd_url(text, t, m)) is not None]
    yield from odd
    taken = _merged(schemed + [(c.start, c.end) for c in odd])
    for m in t.bare.finditer(text):
        if taken and _inside(taken, m.start(), m.end()):
            continue
        written = m.group("host")
        host = written.lower()
        path = _trim(m.group("path") or "")
        if not _host_ok(host, not (host.startswith("www.") or path), written):
            continue
        end = m.start("path") + len(path) if m.group("path") else m.end("host") + len(m.group("port") or "")
        value = host.removeprefix("www.") + (m.group("port") or "") + ("" if path == "/" else path)
        yield Contact("url", value, m.start(), end, text[m.start():end], "", _domain(host))


_SPACED = re.compile(_SPACED_DOT)
_ODD_GATE = re.compile(r"[。dD](?:(?<=。)\s?[A-Za-zＡ-Ｚａ-ｚ]|(?<=[dD])[oO][tT])")


def _may_spell_dots(text: str) -> bool:
    """Whether ``text`` can hold a host with an odd dot at all: substring searches in C, so that a text
    without one skips that pass (a pass over '1 1 1 …' tries a label at every digit)."""
    return any(s in text for s in ("点", "．", " .", ". ", "[.", "(.", "（.", "【.")) or bool(_ODD_GATE.search(text))


def _odd_url(text: str, t: SimpleNamespace, m: re.Match[str]) -> Contact | None:
    """A host with a dot spelt out (sdloan点cn, abc[.]com), spaced (www . abc . com) or in full width: only before
    an ending of ``spelled_tlds``; a spaced one only in lower case and after no English word (the end. com)."""
    written = m.group("host")
    if written.isascii() and not _SPELT.search(written) and not _SPACED.search(written) and "。" not in written:
        return None  # plain: the bare pass reads it
    host = _canonical_host(written)
    labels = host.split(".")
    if labels[-1] not in t.spelled_tlds:
        return None
    if not any(ch.isalpha() for ch in labels[-2]):
        return None  # 10点com, 2024.05.01 点 com: a time or a date before the word
    if _SPACED.search(written):
        if not written.endswith(labels[-1]) or any(len(w) < 3 or (w.isalpha() and w in _english())
                                                   for w in labels[:-1] if w != "www"):
            return None  # the end. com, vs. me: words and a full stop
    path = _trim(m.group("path") or "")
    if not _host_ok(host, not (host.startswith("www.") or path), unicodedata.normalize("NFKC", written)):
        return None
    end = m.start("path") + len(path) if m.group("path") else m.end("host")
    how = _join("dot spelt out" if _SPELT.search(written) else "", "spaces around dots" if _SPACED.search(written)
                else "", "full-width" if any("\uff01" <= ch <= "\uff5e" for ch in written) else "")
    value = host.removeprefix("www.") + ("" if path == "/" else path)
    return Contact("url", value, m.start(), end, text[m.start():end], how, _domain(host))


# -- official contacts --------------------------------------------------------------------------------


def is_official(contact: Contact, official: Official) -> bool:
    """Whether ``contact`` is one of the brand owner's own: a phone in ``official.phones``, a url or e-mail
    on an official domain or a subdomain of one, a WeChat or QQ id in ``official.accounts`` (bare, or as
    ``wechat:id`` / ``weixin:id`` / ``qq:id``)."""
    if contact.type == "phone":
        return (normalise_phone(contact.value) or contact.value) in official.phones
    if contact.type in ("url", "email"):
        domain = contact.domain or normalise_domain(contact.value)
        return bool(domain) and any(domain == d or domain.endswith("." + d) for d in official.domains)
    value = contact.value.lower()
    prefixes = ("wechat", "weixin", "wx") if contact.type == "wechat" else ("qq",)
    accounts = {a.lower() for a in official.accounts}
    return value in accounts or any(f"{p}:{value}" in accounts for p in prefixes)


# -- QR codes in images -------------------------------------------------------------------------------


def qr_payloads(image: bytes, *, max_pixels: int = 40_000_000) -> tuple[str, ...]:
    """The texts of the QR codes in a captured image (PNG, JPEG, GIF, WebP…), in the decoder's order.

    Bounded: the size is read from the header and an image over ``max_pixels`` is refused (nothing is
    decoded, () returned) before any pixel is. Pillow's own bomb check stays in force above that (an image
    over twice ``Image.MAX_IMAGE_PIXELS`` fails to open); its warning below it is silenced, since this
    check has already decided. An image that cannot be read, or a decoder failure, gives ()."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(image)) as im:
                width, height = im.size
                if width <= 0 or height <= 0 or width * height > max_pixels:
                    return ()
                frame = im.convert("L")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError, EOFError):
        return ()
    import zxingcpp

    try:
        results = zxingcpp.read_barcodes(frame, formats=zxingcpp.BarcodeFormat.QRCode)
    except (RuntimeError, ValueError, TypeError):
        return ()
    return tuple(dict.fromkeys(r.text for r in results if r.valid and r.text))


def contacts_in_image(image: bytes, *, max_pixels: int = 40_000_000) -> tuple[Contact, ...]:
    """The contacts in the QR codes of an image, one per (type, value); offsets are within each payload."""
    seen: set[tuple[str, str]] = set()
    out = []
    for payload in qr_payloads(image, max_pixels=max_pixels):
        for c in extract_contacts(payload):
            if (c.type, c.value) not in seen:
                seen.add((c.type, c.value))
                out.append(c)
    return tuple(out)
