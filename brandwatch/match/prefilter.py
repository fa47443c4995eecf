"""The fast path: which names can any rule fire on? Answered for thousands at once.

Every character gets a small integer code, from one lookup table over all of
Unicode (built once):

    0  separator      dropped, as the tokenizer drops it (spaces, symbols, emoji, digits)
    1  delimiter      between two names of a batch
    2  blocker        a CJK character without a reading: it ends any match
    3  Latin          a letter, full-width letter or look-alike: the name is a candidate
    4  filler         any other CJK character with a reading: it may be inserted (微和众)
    5… signatures     a character that can stand in some (term, position): one code
                      per distinct set of such slots

A batch of names is joined with delimiters, turned into codes with one NumPy
gather, separators are dropped, and two tables of code pairs say which terms
can start at each position: the term's first two characters side by side (or
any two of its characters in another order, for reordering), or with one
character between them (insertion). Every match fills a term's first two
positions in one of those ways, so the fast path never drops a hit the full
path would find; the tests check both paths agree. This module is pure: it
builds tables from what it is given and never reads a file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from itertools import permutations

import numpy as np

SEPARATOR, DELIMITER, BLOCKER, LATIN, FILLER = 0, 1, 2, 3, 4
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x323AF))
_NUL = "\x00"


class Prefilter:
    """Code tables for a set of terms; ``candidates`` answers for a batch of names."""

    def __init__(
        self,
        slots: dict[str, set[tuple[int, int, str]]],
        term_lengths: Sequence[int],
        has_reading: Callable[[str], bool],
        readings: Iterable[str],
        lookalikes: Iterable[str],
        is_cjk: Callable[[str], bool],
        digits: bool = False,
    ) -> None:
        """``slots``: character → (term, position, kind) it can fill; kind is how it relates
        there: "same" (or a variant), "strong" (homophone), "near" or "shape"."""
        lut = np.zeros(0x110000, dtype=np.uint16)
        for lo, hi in _CJK_RANGES:
            lut[lo : hi + 1] = BLOCKER
        for ch in readings:
            if is_cjk(ch):  # pypinyin also reads a few private-use and symbol characters: separators here
                lut[ord(ch)] = FILLER
        codes: dict[frozenset, int] = {}
        for ch, sig in slots.items():
            if not is_cjk(ch):
                continue
            key = frozenset(sig)
            if key not in codes:
                codes[key] = FILLER + 1 + len(codes)
            lut[ord(ch)] = codes[key]
        if FILLER + 1 + len(codes) >= 0xFFFF:
            raise ValueError("too many distinct character codes for the fast path")
        letters = [*"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", *lookalikes]
        for ch in letters:
            lut[ord(ch)] = LATIN
        if digits:  # some mark holds digits (51信用卡): a name with digits takes the full path
            for ch in "0123456789":
                lut[ord(ch)] = LATIN
        # accented Latin letters (wēi, é) read as their base letter, as the tokenizer reads them
        for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
            base = unicodedata.normalize("NFD", chr(cp))[:1]
            if base.isascii() and base.isalpha():
                lut[cp] = LATIN
        looks = set(letters)
        # compatibility characters (full-width letters, ㈱, 﨑): the tokenizer looks at their
        # NFKC form, and at its first character only when it has several
        for cp in range(1, 0x30000):
            ch = chr(cp)
            if unicodedata.is_normalized("NFKC", ch):
                continue
            folded = unicodedata.normalize("NFKC", ch)
            first = folded[:1]
            if len(folded) > 1 and not first.isalnum():
                lut[cp] = SEPARATOR
            elif first.isascii() and first.isalnum():
                lut[cp] = LATIN if first.isalpha() or (digits and first.isdigit()) else SEPARATOR
            elif first in looks:
                lut[cp] = LATIN
            elif is_cjk(first):
                lut[cp] = lut[ord(first)]
            else:
                lut[cp] = SEPARATOR
        # CJK characters whose simplified form has a reading may be inserted too
        for cp in np.nonzero(lut == BLOCKER)[0]:
            if has_reading(chr(cp)):
                lut[cp] = FILLER
        lut[0] = DELIMITER
        self.lut = lut
        self.size = k = FILLER + 1 + len(codes)

        term_sets: dict[frozenset[int], int] = {frozenset(): 0}
        pair_terms: dict[tuple[int, int], set[int]] = {}
        turn_terms: dict[tuple[int, int], set[int]] = {}
        gap_terms: dict[tuple[int, int], set[int]] = {}
        self.term_lengths = list(term_lengths)
        # code → the (term, position) pairs it can fill, for checking a third position
        self.fills: list[frozenset[tuple[int, int]]] = [frozenset()] * (FILLER + 1 + len(codes))
        for key, c in codes.items():
            self.fills[c] = frozenset((ti, j) for ti, j, _ in key)

        def holding(ti: int, j: int, kind: str | None = None) -> list[tuple[int, str]]:
            return [(c, kd) for key, c in codes.items() for t, jj, kd in key
                    if t == ti and jj == j and (kind is None or kd == kind)]

        for ti, m in enumerate(term_lengths):
            # the first two positions side by side, with at most one weak one, as rules.window_rule allows
            for a, ka in holding(ti, 0):
                for b, kb in holding(ti, 1):
                    if _possible(ka, kb):
                        pair_terms.setdefault((a, b), set()).add(ti)
            for a, _ in holding(ti, 0, "same"):  # insertion: 微和众
                for b, _ in holding(ti, 1, "same"):
                    gap_terms.setdefault((a, b), set()).add(ti)
            if m <= 3:  # reordered: two of the term's own characters in another order
                for i, j in permutations(range(m), 2):
                    for a, _ in holding(ti, i, "same"):
                        for b, _ in holding(ti, j, "same"):
                            turn_terms.setdefault((a, b), set()).add(ti)

        def table(entries: dict[tuple[int, int], set[int]]) -> np.ndarray:
            t = np.zeros(k * k, dtype=np.int32)
            for (a, b), terms in entries.items():
                key = frozenset(terms)
                t[a * k + b] = term_sets.setdefault(key, len(term_sets))
            return t

        self.pairs = table(pair_terms)
        self.turns = table(turn_terms)
        self.gaps = table(gap_terms)
        self.term_sets = [set(s) for s in sorted(term_sets, key=term_sets.__getitem__)]

    def candidates(self, names: Sequence[str]) -> dict[int, set[int] | None]:
        """Name index → the term indices that may match it, or None for every term (Latin letters)."""
        if not names:
            return {}
        big = _NUL.join(names)
        if big.count(_NUL) != len(names) - 1:  # a name holds NUL itself
            big = _NUL.join(n.replace(_NUL, "") for n in names)
        # lone surrogates (undecodable bytes passed through) are separators: surrogatepass keeps them
        codes = self.lut[np.frombuffer(big.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)]
        codes = codes[codes != SEPARATOR].astype(np.int32)
        owner = np.cumsum(codes == DELIMITER)  # which name each position belongs to
        k = self.size
        out: dict[int, set[int] | None] = {}
        for p in np.nonzero(codes == LATIN)[0]:
            out[int(owner[p])] = None
        if len(codes) >= 2:
            self._collect(self.pairs[codes[:-1] * k + codes[1:]], owner, out, codes)
            self._collect(self.turns[codes[:-1] * k + codes[1:]], owner, out)
        if len(codes) >= 3:
            ids = self.gaps[codes[:-2] * k + codes[2:]] * (codes[1:-1] >= FILLER)
            self._collect(ids, owner, out)
        return out

    def _collect(self, ids: np.ndarray, owner: np.ndarray, out: dict[int, set[int] | None],
                 codes: np.ndarray | None = None) -> None:
        """Record the terms found at each position; with ``codes``, a term of three or
        more characters must also have its third position filled, next or one further on."""
        n = len(codes) if codes is not None else 0
        for p in np.nonzero(ids)[0]:
            i = int(owner[p])
            if i in out and out[i] is None:
                continue
            terms = self.term_sets[ids[p]]
            if codes is not None:
                terms = {
                    ti for ti in terms
                    if self.term_lengths[ti] < 3
                    or (p + 2 < n and (ti, 2) in self.fills[codes[p + 2]])
                    or (p + 3 < n and codes[p + 2] >= FILLER and (ti, 2) in self.fills[codes[p + 3]])
                }
                if not terms:
                    continue
            out.setdefault(i, set()).update(terms)  # type: ignore[union-attr]


def _possible(first: str, second: str) -> bool:
    """Can two positions related this way start a match (rules.window_rule)?

    At most one weak position (near or shape), and a look-alike only among
    the mark's own characters.
    """
    weak = {"near", "shape"}
    if first in weak and second in weak:
        return False
    if first == "shape" and second != "same":
        return False
    return not (second == "shape" and first != "same")
