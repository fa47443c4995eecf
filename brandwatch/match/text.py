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


@dataclass(frozen=True, slots=True)
class LatinWord:
    """Latin letters and digits, joined across separators (We Bank → webank)."""

    start: int
    end: int
    text: str  # as written after NFKC, case kept, separators removed
    lookalike: bool  # contained non-ASCII look-alike letters (Cyrillic А)
    parts: int  # how many runs were joined


@dataclass(frozen=True, slots=True)
class TokenizedName:
    tokens: tuple[Token, ...]
    words: tuple[LatinWord, ...]


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
        out.append(None if segs is None else [(m.start() + a, m.start() + b, x) for a, b, x in segs])
    return out


def _spans(offset: int, segs: tuple[str, ...]) -> list[tuple[int, int, str]]:
    out = []
    for s in segs:
        out.append((offset, offset + len(s), s))
        offset += len(s)
    return out


def tokenize(name: str, start: int = 0, end: int | None = None) -> TokenizedName:
    """Tokens and Latin words of ``name[start:end]``; offsets stay those of ``name``."""
    end = len(name) if end is None else end
    simp = simplified()
    looks = latin_lookalikes()
    tokens: list[Token] = []
    words: list[LatinWord] = []
    sep = False
    # current Latin run (ASCII letters/digits), and the current joined word
    run_chars: list[str] = []
    run_start = -1
    word_chars: list[str] = []
    word_start = -1
    word_end = -1
    word_look = False
    word_parts = 0
    pending_sep = False

    def flush_run() -> None:
        nonlocal run_chars, run_start
        if not run_chars:
            return
        run = "".join(run_chars)
        nonlocal sep
        broken = run_sep
        for piece in pinyin_pieces(run):
            if piece is None:  # digits or a non-pinyin word stand between characters like any separator (微3众)
                broken = True
                continue
            for a, b, syl in piece:
                tokens.append(Token(run_start + a, run_start + b, syl, "syllable", broken))
                broken = False
        sep = broken
        run_chars = []
        run_start = -1

    def flush_word() -> None:
        nonlocal word_chars, word_start, word_look, word_parts
        if word_chars:
            words.append(LatinWord(word_start, word_end, "".join(word_chars), word_look, word_parts))
        word_chars = []
        word_start = -1
        word_look = False
        word_parts = 0

    run_sep = False
    plain = unicodedata.is_normalized("NFKC", name)  # most names: no character changes
    for i in range(start, end):
        ch = name[i]
        if not plain:
            ch = nfkc(ch)
            if len(ch) != 1:
                ch = ch[:1] if ch[:1].isalnum() else " "
        if ch.isascii() and ch.isalnum():
            if not run_chars:
                run_start = i
                run_sep = sep
                if word_chars:
                    word_parts += 1 if pending_sep else 0
            run_chars.append(ch)
            if not word_chars:
                word_start = i
                word_parts = 1
            word_chars.append(ch)
            word_end = i + 1
            sep = False
            pending_sep = False
            continue
        if ch in looks:
            flush_run()  # a look-alike letter breaks pinyin reading but not the Latin word
            if not word_chars:
                word_start = i
                word_parts = 1
            word_chars.append(looks[ch])
            word_end = i + 1
            word_look = True
            sep = False
            continue
        if is_cjk(ch):
            flush_run()
            flush_word()
            s = simp.get(ch, ch)
            tokens.append(Token(i, i + 1, s, "cjk", sep, s != ch))
            sep = False
            pending_sep = False
            continue
        # a separator: ends a pinyin run, but a Latin word may go on after it (We Bank)
        flush_run()
        sep = True
        pending_sep = True
    flush_run()
    flush_word()
    return TokenizedName(tuple(tokens), tuple(words))
