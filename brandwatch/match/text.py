"""Turn a name into tokens the rules compare: characters, pinyin syllables, Latin words.

Normalisation, per character, keeping the offsets into the original name so a
hit can show the span as the registrant wrote it:

1. NFKC: full-width letters and digits (ＡＬＩＰＡＹ), compatibility ideographs.
2. Traditional and variant characters to simplified (OpenCC): 微眾 → 微众.
3. Letters that imitate Latin ones (Cyrillic А) are kept apart for the Latin
   rules; pinyin reading uses plain ASCII letters only.
4. Everything that is neither a CJK character nor a letter or digit is a
   separator: spaces, punctuation, symbols, emoji, zero-width and other format
   characters (微|众, 花\u200b呗, 借❤呗). Separators are dropped, and the token after
   one remembers it, so a match across them is reported as such.
5. A run of Latin letters that spells whole pinyin syllables (Weizhong,
   WeiLiDai, hua in hua呗) becomes one token per syllable.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from .tables import is_cjk, latin_lookalikes, nfkc, simplified, syllables


@dataclass(frozen=True, slots=True)
class Token:
    """One comparable unit of a name."""

    start: int  # offset of its first character in the original name
    end: int  # offset after its last character
    value: str  # the simplified character, or the lower-case pinyin syllable
    kind: str  # "cjk" (a character) or "syllable" (pinyin written in Latin letters)
    sep_before: bool = False  # a separator stood between this token and the previous one
    variant: bool = False  # the name wrote a traditional or variant form
    word_start: bool = True  # a syllable that begins a Latin word (not "hua" in "Nanhua")
    word_end: bool = True  # a syllable that ends one


@dataclass(frozen=True, slots=True)
class LatinWord:
    """Latin letters and digits, joined across separators (We Bank → WeBank)."""

    start: int
    end: int
    text: str  # as written after NFKC, case kept, separators removed, look-alikes and accents undone
    lookalike: bool  # held non-ASCII look-alike letters (Cyrillic А) or accented ones (é)
    parts: int  # how many runs were joined
    offsets: tuple[int, ...] = ()  # the name's offset of each character of text
    bounds: tuple[int, ...] = (0,)  # where in text a run or a capitalised hump begins
    runs: tuple[int, ...] = (0,)  # where in text a run begins (after a separator)

    def span(self, a: int, b: int) -> tuple[int, int]:
        """The name's offsets of text[a:b]."""
        return self.offsets[a], self.offsets[b - 1] + 1


@dataclass(frozen=True, slots=True)
class TokenizedName:
    tokens: tuple[Token, ...]  # digits stand between tokens like separators (微3众)
    words: tuple[LatinWord, ...]
    numbered: tuple[Token, ...] = ()  # the same with a "digit" token per digit, for marks that hold digits (51信用卡)

    @property
    def with_digits(self) -> tuple[Token, ...]:
        return self.numbered or self.tokens


# ASCII signs that pass for a letter at the start of or inside a Latin word (@lipay)
_SIGNS = frozenset("@$")

_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


@cache
def _segment(word: str) -> tuple[str, ...] | None:
    """Split lower-case letters into pinyin syllables, fewest syllables first; None if they don't."""
    sylls = syllables()
    n = len(word)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[n] = ()
    for i in range(n - 1, -1, -1):
        for j in range(min(n, i + 6), i, -1):
            rest = best[j]
            if rest is not None and word[i:j] in sylls:
                cand = (word[i:j], *rest)
                if best[i] is None or len(cand) < len(best[i]):  # type: ignore[arg-type]
                    best[i] = cand
    return best[0]


def pinyin_syllables(run: str) -> list[tuple[int, int, str]] | None:
    """(start, end, syllable) within an ASCII letter run, or None if it is not pinyin.

    Capitals mark syllable starts when the run is mixed case (WeiLiDai); an
    all-lower or all-upper run is split by the dictionary alone.
    """
    parts: list[tuple[int, str]]
    if run.islower() or run.isupper():
        parts = [(0, run.lower())]
    else:
        parts = [(m.start(), m.group().lower()) for m in _CAMEL.finditer(run)]
        if sum(len(p) for _, p in parts) != len(run):
            parts = [(0, run.lower())]
    out: list[tuple[int, int, str]] = []
    for offset, part in parts:
        segs = _segment(part)
        if segs is None:
            if len(parts) > 1:  # capitals may not mark syllables after all (HuaBei ok, Huab ei no)
                return pinyin_syllables(run.lower())
            return None
        pos = offset
        for s in segs:
            out.append((pos, pos + len(s), s))
            pos += len(s)
    return out


_PIECES = re.compile(r"[A-Za-z]+|[0-9]+")
_DIGIT_LOOKS = {"l": "1", "I": "1", "O": "0", "o": "0"}
_NUMBERISH = re.compile(r"[lIOo]*[0-9][0-9lIOo]*")


def _digit_view(run: str) -> str:
    """The run with letters that stand for digits beside a digit read as those digits (5l → 51, 1O → 10)."""
    if not any(c.isdigit() for c in run):
        return run
    out = list(run)
    for m in _NUMBERISH.finditer(run):
        for k in range(m.start(), m.end()):
            out[k] = _DIGIT_LOOKS.get(out[k], out[k])
    return "".join(out)


def pinyin_pieces(run: str) -> list[list[tuple[int, int, str]] | None]:
    """A run of ASCII letters and digits as pinyin pieces: syllables, or None where a
    piece is not pinyin (digits, or an English word: WeizhongBank, weizhong666)."""
    out: list[list[tuple[int, int, str]] | None] = []
    for m in _PIECES.finditer(run):
        piece = m.group()
        # one letter is no syllable worth reading (微a众), and a very long run is not a name's pinyin
        segs = pinyin_syllables(piece) if piece.isalpha() and 1 < len(piece) <= 64 else None
        if segs is None and piece.isalpha() and 1 < len(piece) <= 64 and not (piece.islower() or piece.isupper()):
            # mixed case that is not all pinyin: keep the capitalised parts that are
            for part in _CAMEL.finditer(piece):
                sub = _segment(part.group().lower())
                k = m.start() + part.start()
                out.append(None if sub is None else _spans(k, sub))
            continue
        if segs is None and piece.isalpha() and piece.islower() and 4 <= len(piece) <= 64:
            # a handle: pinyin, then letters that are not (yangqianguankf, yinlianbank)
            k = _pinyin_prefix(piece)
            if k:
                out.append(_spans(m.start(), _segment(piece[:k])))  # type: ignore[arg-type]
                out.append(None)
                continue
        out.append(None if segs is None else [(m.start() + a, m.start() + b, x) for a, b, x in segs])
    return out


def _pinyin_prefix(word: str) -> int:
    """The length of the longest start of ``word`` (4+ letters, 2+ syllables) that is pinyin, or 0."""
    for k in range(len(word) - 1, 3, -1):
        segs = _segment(word[:k])
        if segs is not None and len(segs) >= 2:
            return k
    return 0


def _spans(offset: int, segs: tuple[str, ...]) -> list[tuple[int, int, str]]:
    out = []
    for s in segs:
        out.append((offset, offset + len(s), s))
        offset += len(s)
    return out


def _latin_letter(ch: str, looks: dict[str, str]) -> tuple[str, bool] | None:
    """(ASCII letter or digit, was it disguised) for a character that reads as Latin, else None."""
    if ch.isascii() and ch.isalnum():
        return ch, False
    if ch in looks:  # Cyrillic А, and ASCII symbols that stand for letters (@lipay)
        return looks[ch], True
    if ch in "üǖǘǚǜÜ":
        return "v", False  # pinyin writes ü as v
    base = unicodedata.normalize("NFD", ch)[:1]
    if base.isascii() and base.isalpha():  # a tone mark or accent: wēi → wei, é → e
        return base, True
    return None  # ASCII punctuation that imitates no letter, and everything else


def tokenize(name: str, start: int = 0, end: int | None = None) -> TokenizedName:
    """Tokens and Latin words of ``name[start:end]``; offsets stay those of ``name``."""
    end = len(name) if end is None else end
    simp = simplified()
    looks = latin_lookalikes()
    tokens: list[Token] = []
    numbered: list[Token] = []  # tokens with digits, filled only once a digit is seen
    has_digits = False
    words: list[LatinWord] = []
    sep = False  # a separator (or a non-pinyin run, or digits) since the last token
    nsep = False  # the same, digits not counted
    run: list[tuple[int, str]] = []  # (offset, letter) of the current Latin run
    run_sep = run_nsep = False
    word: list[tuple[int, str]] = []  # the current Latin word, runs joined across separators
    word_bounds: list[int] = []
    word_look = False
    plain = unicodedata.is_normalized("NFKC", name)  # most names: no character changes

    def flush_run() -> None:
        nonlocal sep, nsep, run, has_digits
        if not run:
            return
        text = "".join(c for _, c in run)
        broken = run_sep  # a separator before this token, digits counted as one
        nbroken = run_nsep  # the same, digits not counted (for marks that hold digits)
        digit_view = _digit_view(text)
        for m in _PIECES.finditer(text):
            piece = m.group()
            if digit_view[m.start() : m.end()].isdigit() and any(c.isdigit() for c in text):
                # digits, with l/I/O beside a digit read as 1 and 0 (5l信用卡), for marks that hold digits
                piece = digit_view[m.start() : m.end()]
                broken = True
                if not has_digits:
                    has_digits = True
                    numbered.extend(tokens)
                for k in range(m.start(), m.end()):
                    numbered.append(Token(run[k][0], run[k][0] + 1, digit_view[k], "digit", nbroken,
                                          variant=digit_view[k] != text[k]))
                    nbroken = False
                continue
            for sylls in pinyin_pieces(piece):
                if sylls is None:  # a non-pinyin word stands between characters like any separator
                    broken = nbroken = True
                    continue
                for n, (a, b, syl) in enumerate(sylls):
                    a, b = a + m.start(), b + m.start()
                    token = Token(run[a][0], run[b - 1][0] + 1, syl, "syllable", broken,
                                  word_start=n == 0, word_end=n == len(sylls) - 1)
                    tokens.append(token)
                    if has_digits:
                        numbered.append(Token(token.start, token.end, syl, "syllable", nbroken,
                                              word_start=token.word_start, word_end=token.word_end))
                    broken = nbroken = False
        sep, nsep = broken, nbroken
        run = []

    def flush_word() -> None:
        nonlocal word, word_bounds, word_look
        if word:
            text = "".join(c for _, c in word)
            humps = [i for i in range(1, len(text)) if text[i - 1].islower() and text[i].isupper()]
            words.append(LatinWord(word[0][0], word[-1][0] + 1, text, word_look, len(word_bounds),
                                   tuple(o for o, _ in word), tuple(sorted({*word_bounds, *humps})),
                                   tuple(word_bounds)))
        word, word_bounds, word_look = [], [], False

    for i in range(start, end):
        ch = name[i]
        if not plain:
            ch = nfkc(ch)
            if len(ch) != 1:
                ch = ch[:1] if ch[:1].isalnum() else " "
        cjk = is_cjk(ch)
        latin = None if cjk else _latin_letter(ch, looks)
        if latin is not None:
            letter, disguised = latin
            if not run:
                run_sep, run_nsep = sep, nsep
                if not (word and word[-1][0] == i - 1 and word[-1][1] in _SIGNS):
                    word_bounds.append(len(word))
            run.append((i, letter))
            word.append((i, letter))
            word_look = word_look or disguised
            continue
        if ch in _SIGNS and i + 1 < end and name[i + 1].isascii() and name[i + 1].isalpha():
            # @lipay, $ina: the sign joins the Latin word (the Latin rules read it as a letter)
            # but stands between pinyin syllables like any separator
            flush_run()
            if not (word and word[-1][0] == i - 1):
                word_bounds.append(len(word))
            word.append((i, ch))
            sep = nsep = True
            continue
        if cjk:
            flush_run()
            flush_word()
            s = simp.get(ch, ch)
            tokens.append(Token(i, i + 1, s, "cjk", sep, s != ch))
            if has_digits:
                numbered.append(Token(i, i + 1, s, "cjk", nsep, s != ch))
            sep = nsep = False
            continue
        # a separator: ends a pinyin run, but a Latin word may go on after it (We Bank)
        flush_run()
        sep = nsep = True
    flush_run()
    flush_word()
    return TokenizedName(tuple(tokens), tuple(words), tuple(numbered) if has_digits else ())
