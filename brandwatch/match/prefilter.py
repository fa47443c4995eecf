"""The index: which marks may a name match? Answered for thousands of names at once,
at a cost that hardly depends on how many marks there are.

Every match of a Chinese form fills the form's first two positions side by
side (or with one character between them, for an insertion), each position
related to the mark's character as rules.relate says: the same character or
a variant, a homophone, a near-homophone or a look-alike, with at most one weak
position. All of these are decided by *readings*: a homophone has the
mark's reading, a near-homophone a reading of the same fuzzy class, the same
character its own reading. So the index keys on pairs of toneless readings
(about 420 of them, so a dense 420 × 420 table):

    pairs[ra, rb]  the forms whose first two positions a character read ra then one read rb can fill:
                   (fuzzy class of position 0) × (reading of position 1),
                   (reading of position 0) × (fuzzy class of position 1),
                   the readings of a look-alike beside the other position's reading,
                   and, for forms of up to three characters, two of their own readings in another order
    gaps[ra, rb]   the same two positions with one character between them (微和众)

A form is an entry in a handful of cells, so building is linear in the number
of marks. A batch of names is joined, turned into reading ids with one NumPy
gather per code point table, and looked up pair by pair; a polyphone looks
up each of its readings. A form of three or more characters must also have
its third position filled (next, or one further on). Names with Latin letters
take the token pass instead (``token_terms``: pinyin syllables have readings
too) and a bigram index over the Latin aliases (``latin_terms``). Names with
digits or Chinese numerals also try the forms that hold digits (51信用卡).

Everything here is a superset test: the full path decides, and the tests
check that both paths agree. This module is pure: it builds tables from what
it is given and never reads a file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import permutations

import numpy as np

SEPARATOR, DELIMITER, BLOCKER, LATIN, DIGIT, CHAR = 0, 1, 2, 3, 4, 5
_FIRST = 8  # a code bit: the character's readings may start a cell
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x323AF))
_NUL = "\x00"
_CP = 0x110000  # (form, character) keys: form * _CP + code point
# every code point the tokenizer keeps (CJK up to extension H, compatibility letters) is below this:
# the per-code-point reading tables stop here
_LIMIT = 0x32400
_NO_TERMS: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())


@dataclass(frozen=True)
class IndexTerm:
    """What the index needs of one Chinese form (rules.CjkTerm)."""

    text: str  # simplified; digits stay digits
    readings: tuple[frozenset[str], ...]  # per position, toneless
    fuzzy: tuple[frozenset[str], ...]  # per position, fuzzy classes
    shapes: tuple[frozenset[str], ...]  # per position, look-alike characters


THIRD, TURN, SHAPE0, SHAPE1, GAP = range(5)


@dataclass
class Candidates:
    """What the index says of one name: the Chinese forms to compare, where a match of
    each could start, and whether the name holds Latin letters (then the token pass and
    the Latin aliases decide the rest)."""

    terms: set[int]  # forms to compare wherever they are (forms with digits)
    latin: bool = False
    at: dict[int, set[int]] = field(default_factory=dict)  # offset in the name → forms a match may start there

    def forms(self, lo: int = 0, hi: int | None = None) -> set[int]:
        """The forms a match may start for between offsets lo and hi (None: the end)."""
        out = set(self.terms)
        for offset, found in self.at.items():
            if lo <= offset and (hi is None or offset < hi):
                out |= found
        return out


class Prefilter:
    """Reading-pair tables for a set of Chinese forms, and a bigram index for Latin ones."""

    def __init__(
        self,
        terms: Sequence[IndexTerm],
        latin_terms: Sequence[str],
        readings: Mapping[str, frozenset[str]],
        fuzzy_of: Callable[[str], str],
        simplified: Mapping[str, str],
        numerals: Mapping[str, str],
        lookalikes: Iterable[str],
        is_cjk: Callable[[str], bool],
    ) -> None:
        """``latin_terms``: the Latin aliases' letters, lower case; ``simplified``: the form the
        tokenizer compares of a traditional or variant character; ``numerals``: a digit's Chinese numerals."""
        self.digit_terms = frozenset(i for i, t in enumerate(terms) if any(c.isdigit() for c in t.text))
        self._reading_ids(terms, readings, fuzzy_of)
        self._code_points(terms, readings, simplified, numerals, lookalikes, is_cjk)
        self._tables(terms, readings)
        self._latin_index(latin_terms)

    # -- building --------------------------------------------------------------------

    def _reading_ids(self, terms: Sequence[IndexTerm], readings: Mapping[str, frozenset[str]],
                     fuzzy_of: Callable[[str], str]) -> None:
        """One small integer per toneless reading (0: none); a mark character without a reading
        gets one of its own, so the same character still finds it."""
        names = sorted({r for rs in readings.values() for r in rs}
                       | {r for t in terms for rs in t.readings for r in rs})
        self.rid: dict[str, int] = {r: i + 1 for i, r in enumerate(names)}
        for t in terms:
            for c in t.text:
                if not c.isdigit() and c not in readings:
                    self.rid.setdefault("#" + c, len(self.rid) + 1)
        self.nr = len(self.rid) + 1
        self.by_fuzzy: dict[str, list[int]] = {}
        for r, i in self.rid.items():
            if not r.startswith("#"):
                self.by_fuzzy.setdefault(fuzzy_of(r), []).append(i)

    def _char_rids(self, ch: str, readings: Mapping[str, frozenset[str]]) -> list[int]:
        rs = readings.get(ch)
        if rs:
            return sorted(self.rid[r] for r in rs)
        own = self.rid.get("#" + ch)
        return [own] if own else []

    def _code_points(self, terms: Sequence[IndexTerm], readings: Mapping[str, frozenset[str]],
                     simplified: Mapping[str, str], numerals: Mapping[str, str], lookalikes: Iterable[str],
                     is_cjk: Callable[[str], bool]) -> None:
        """Per code point, as the tokenizer reads it: its kind and its readings.

        kind: 0 separator (dropped: spaces, symbols, emoji; digits unless some mark holds
        digits), 1 delimiter between the names of a batch, 2 a CJK character without a
        reading, 3 a Latin letter or look-alike, 4 a digit, 5 a CJK character with a reading.
        reads[s]: the (s+1)-th reading id, 0 when it has fewer (a polyphone has several).
        """
        digits = bool(self.digit_terms)
        kind = np.zeros(0x110000, dtype=np.uint8)
        slots = max((len(v) for v in readings.values()), default=1)
        reads = np.zeros((slots, _LIMIT), dtype=np.uint16)
        for lo, hi in _CJK_RANGES:
            kind[lo : hi + 1] = BLOCKER

        compared: dict[int, str] = {}  # code point → the character the tokenizer compares, where they differ

        def set_char(cp: int, ch: str) -> None:
            """A CJK character: the tokenizer compares its simplified form."""
            value = simplified.get(ch, ch)
            if value != chr(cp):
                compared[cp] = value
            ids = self._char_rids(value, readings)
            if not ids:
                kind[cp] = BLOCKER
                return
            kind[cp] = CHAR
            reads[: len(ids), cp] = ids

        for lo, hi in _CJK_RANGES:
            for cp in range(lo, hi + 1):
                ch = chr(cp)
                if is_cjk(ch):
                    set_char(cp, ch)
        letters = [*"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", *lookalikes]
        for ch in letters:
            kind[ord(ch)] = LATIN
        for ch in "0123456789":
            kind[ord(ch)] = DIGIT if digits else SEPARATOR
        # accented Latin letters (wēi, é) read as their base letter, as the tokenizer reads them
        for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
            base = unicodedata.normalize("NFD", chr(cp))[:1]
            if base.isascii() and base.isalpha():
                kind[cp] = LATIN
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
                kind[cp] = SEPARATOR
            elif first.isascii() and first.isalnum():
                kind[cp] = LATIN if first.isalpha() else DIGIT if digits else SEPARATOR
            elif first in looks:
                kind[cp] = LATIN
            elif is_cjk(first):
                set_char(cp, first)
            else:
                kind[cp] = SEPARATOR
        kind[0] = DELIMITER
        self.code, self.reads = kind, reads  # the kind of each code point; _tables adds the bit _FIRST
        self.nslots = (reads != 0).sum(axis=0).astype(np.uint8)  # how many readings each code point has
        if int(np.nonzero(kind != SEPARATOR)[0].max()) >= _LIMIT:
            raise ValueError("a code point the tokenizer keeps lies beyond the reading tables")
        self.fold = np.arange(_LIMIT, dtype=np.uint32)  # the code point the tokenizer compares
        for cp, value in compared.items():
            self.fold[cp] = ord(value)
        self.numeral: np.ndarray | None = None
        if digits:  # Chinese numerals may stand for a mark's digits (五一 for 51)
            numeral = np.zeros(_LIMIT, dtype=bool)
            for ch in "".join(numerals.values()):
                numeral[ord(ch)] = True
                folded = simplified.get(ch, ch)
                numeral[ord(folded)] = True
            self.numeral = numeral

    def _tables(self, terms: Sequence[IndexTerm], readings: Mapping[str, frozenset[str]]) -> None:
        """Fill the reading-pair tables. A cell names the forms found there outright (``plain``) and
        the forms that need a closer look at the two characters (``checks``: (form, how)):

        THIRD   a form of three or more characters: its third position must be filled too
        TURN    its own characters in another order: both must be its characters
        SHAPE0  a look-alike first: the second must be its own character (and SHAPE1 the other way)
        GAP     one character inserted: both ends must be its own characters
        """
        nr = self.nr
        adjacent: dict[int, tuple[set[int], set[tuple[int, int]]]] = {}
        gap: dict[int, tuple[set[int], set[tuple[int, int]]]] = {}
        third: dict[int, frozenset[int]] = {}  # the reading ids that fill a form's third position

        def exact(t: IndexTerm, j: int) -> list[int]:
            stated = {self.rid[r] for r in t.readings[j] if r in self.rid}
            return sorted(stated | set(self._char_rids(t.text[j], readings)))

        def near(t: IndexTerm, j: int) -> list[int]:
            out = {i for f in t.fuzzy[j] for i in self.by_fuzzy.get(f, ())}
            return sorted(out | set(exact(t, j)))

        def shaped(t: IndexTerm, j: int) -> list[int]:
            out: set[int] = set()
            for c in t.shapes[j]:
                out.update(self._char_rids(c, readings))
            return sorted(out)

        def add(table: dict[int, tuple[set[int], set[tuple[int, int]]]], firsts: Iterable[int],
                seconds: Iterable[int], ti: int, how: int | None) -> None:
            seconds = list(seconds)
            for a in firsts:
                for b in seconds:
                    plain, checks = table.setdefault(a * nr + b, (set(), set()))
                    if how is None:
                        plain.add(ti)
                    else:
                        checks.add((ti, how))

        for ti, t in enumerate(terms):
            m = len(t.text)
            if m < 2 or ti in self.digit_terms:
                continue
            e0, e1 = exact(t, 0), exact(t, 1)
            how = THIRD if m >= 3 else None
            add(adjacent, near(t, 0), e1, ti, how)
            add(adjacent, e0, near(t, 1), ti, how)
            add(adjacent, shaped(t, 0), e1, ti, SHAPE0)
            add(adjacent, e0, shaped(t, 1), ti, SHAPE1)
            add(gap, e0, e1, ti, GAP)
            if m <= 3:
                for i, j in permutations(range(m), 2):
                    add(adjacent, exact(t, i), exact(t, j), ti, TURN)
            if m >= 3:
                third[ti] = frozenset(near(t, 2))

        cells: dict[tuple[frozenset[int], frozenset[tuple[int, int]]], int] = {(frozenset(), frozenset()): 0}

        def table_of(entries: dict[int, tuple[set[int], set[tuple[int, int]]]]) -> np.ndarray:
            arr = np.zeros(nr * nr, dtype=np.int32)
            for key, (plain, checks) in entries.items():
                value = (frozenset(plain), frozenset(c for c in checks if c[0] not in plain))
                arr[key] = cells.setdefault(value, len(cells))
            return arr

        self.adjacent, self.gap = table_of(adjacent), table_of(gap)
        # the code points one of whose readings starts some cell
        rows = (self.adjacent.reshape(nr, nr) != 0).any(axis=1) | (self.gap.reshape(nr, nr) != 0).any(axis=1)
        first_ok = (rows[self.reads] & (self.reads != 0)).any(axis=0) & (self.code[:_LIMIT] == CHAR)
        self.code[:_LIMIT][first_ok] |= _FIRST
        self.cells = [c for c, _ in sorted(cells.items(), key=lambda x: x[1])]
        self.checked = np.array([bool(checks) for _, checks in self.cells], dtype=bool)
        self.plain = np.array([bool(plain) for plain, _ in self.cells], dtype=bool)
        # the closer looks, flat: cell c's are check_term/check_how[check_start[c] : check_start[c + 1]]
        flat = [sorted(checks) for _, checks in self.cells]
        self.check_start = np.concatenate([[0], np.cumsum([len(f) for f in flat])]).astype(np.int64)
        self.check_term = np.array([ti for f in flat for ti, _ in f], dtype=np.int64)
        self.check_how = np.array([how for f in flat for _, how in f], dtype=np.int8)
        self.lengths = np.array([len(t.text) for t in terms], dtype=np.int64)
        # (form, character) sets as sorted keys: its first, second and own characters, its look-alikes
        def keys(pairs: Iterable[tuple[int, str]]) -> np.ndarray:
            return np.unique(np.array([ti * _CP + ord(c) for ti, c in pairs], dtype=np.int64))

        plain_terms = [(ti, t) for ti, t in enumerate(terms) if len(t.text) >= 2 and ti not in self.digit_terms]
        self.k_first = keys((ti, t.text[0]) for ti, t in plain_terms)
        self.k_second = keys((ti, t.text[1]) for ti, t in plain_terms)
        self.k_own = keys((ti, c) for ti, t in plain_terms for c in t.text)
        self.k_shape = [keys((ti, c) for ti, t in plain_terms if len(t.text) > j for c in t.shapes[j])
                        for j in range(3)]
        # the readings that fill a form's third position
        self.third_reads = np.zeros((max(len(terms), 1), nr), dtype=bool)
        for ti, rids in third.items():
            self.third_reads[ti, sorted(rids)] = True

    def _latin_index(self, latin_terms: Sequence[str]) -> None:
        """Latin aliases by their letter pairs: a match keeps all of them, a one-letter slip
        (misspelling) all but three at most."""
        self.latin_bigrams: dict[str, list[int]] = {}
        self.latin_need: list[int] = []
        for li, text in enumerate(latin_terms):
            grams = _bigrams(text)
            for g in grams:
                self.latin_bigrams.setdefault(g, []).append(li)
            self.latin_need.append(max(1, len(grams) - 3) if len(text) >= 5 else len(grams))

    # -- asking ----------------------------------------------------------------------

    def candidates(self, names: Sequence[str]) -> dict[int, Candidates]:
        """Name index → what may match it; names that nothing can match are left out."""
        if not names:
            return {}
        big = _NUL.join(names)
        shifted = big.count(_NUL) != len(names) - 1
        if shifted:  # a name holds NUL itself: offsets would not be the name's, so no filter by offset
            names = [n.replace(_NUL, "") for n in names]
            big = _NUL.join(names)
        # lone surrogates (undecodable bytes passed through) are separators: surrogatepass keeps them
        cps = np.frombuffer(big.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        # where each name starts in the batch
        first = np.zeros(len(names), dtype=np.int64)
        np.cumsum(np.fromiter(map(len, names), dtype=np.int64, count=len(names))[:-1] + 1, out=first[1:])
        code = self.code[cps]  # the kind, and bit _FIRST: may start a pair
        keep = code != SEPARATOR
        cps, code = cps[keep], code[keep]
        kind = code & 7
        where_ = np.nonzero(keep)[0]  # each kept position's place in the batch
        delim = kind == DELIMITER
        out: dict[int, Candidates] = {}
        latin = kind == LATIN
        delims = np.flatnonzero(delim)  # owner of position p: how many delimiters stand before it
        if latin.any():
            for i in np.unique(np.searchsorted(delims, np.flatnonzero(latin), side="right")).tolist():
                out[i] = Candidates(set(), True)
        if self.digit_terms:
            flagged = (kind == DIGIT) | latin | self.numeral[cps]  # type: ignore[index]
            if flagged.any():
                for i in np.unique(np.searchsorted(delims, np.flatnonzero(flagged), side="right")).tolist():
                    out.setdefault(i, Candidates(set())).terms.update(self.digit_terms)
                keep = kind != DIGIT  # digits stand between characters like separators
                cps, kind, delim, where_, code = cps[keep], kind[keep], delim[keep], where_[keep], code[keep]
                delims = np.flatnonzero(delim)
        n = len(cps)
        if n < 2:
            return out
        reads = self.reads
        nr = self.nr
        # only positions whose character can start a pair or a gap for some form are looked at: few
        # for a few marks, most for thousands
        starts = np.nonzero(code[:-1] & _FIRST)[0]
        found: list[tuple[np.ndarray, np.ndarray, int]] = []  # (position, cell, step)
        for step, table in ((1, self.adjacent), (2, self.gap)):
            p = starts[starts < n - step]
            if step == 2:
                p = p[kind[p + 1] == CHAR]  # only a character with a reading may be inserted
            if not len(p):
                continue
            ca, cb = cps[p], cps[p + step]
            cell = table[reads[0][ca].astype(np.int32) * nr + reads[0][cb]]  # the first readings
            hit = np.nonzero(cell)[0]
            found.append((p[hit], cell[hit], step))
            # the other combinations, where either character is a polyphone
            ka, kb = self.nslots[ca], self.nslots[cb]
            q = np.nonzero((ka > 1) | (kb > 1))[0]
            if not len(q):
                continue
            pq = p[q]
            ra, rb = reads[:, ca[q]], reads[:, cb[q]]
            for sa in range(int(ka[q].max())):
                for sb in range(int(kb[q].max())):
                    if sa or sb:
                        x, y = ra[sa].astype(np.int32), rb[sb]
                        both = np.nonzero((x != 0) & (y != 0))[0]
                        cell = table[x[both] * nr + y[both]]
                        hit = np.nonzero(cell)[0]
                        found.append((pq[both[hit]], cell[hit], step))
        if not found:
            return out
        at = np.concatenate([f[0] for f in found])
        if not len(at):
            return out
        cell = np.concatenate([f[1] for f in found])
        step = np.concatenate([np.full(len(f[0]), f[2], dtype=np.int8) for f in found])
        owner = np.searchsorted(delims, at, side="right")
        offset = where_[at] - first[owner]  # the offset in its name where a match would start
        # forms found outright: one look-up per (name, offset, cell), however often it recurs
        plain = self.plain[cell]
        for i, o, c in _unique_rows(owner[plain], offset[plain], cell[plain]):
            out.setdefault(i, Candidates(set())).at.setdefault(o, set()).update(self.cells[c][0])
        # forms that need a closer look: position by position
        look = np.nonzero(self.checked[cell])[0]
        if len(look):
            self._look(at[look], step[look], owner[look], offset[look], cell[look], cps, kind, out)
        if shifted:
            for found in out.values():
                found.terms = found.forms()
                found.at = {}
        return out

    def _look(self, at: np.ndarray, step: np.ndarray, owner: np.ndarray, offset: np.ndarray, cell: np.ndarray,
              cps: np.ndarray, kind: np.ndarray, out: dict[int, Candidates]) -> None:
        """The closer looks, all at once: one row per (position, form) a cell asks about."""
        count = self.check_start[cell + 1] - self.check_start[cell]
        row = np.repeat(np.arange(len(at)), count)
        first = np.repeat(self.check_start[cell], count)
        flat = first + np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
        term = self.check_term[flat]
        how = self.check_how[flat]
        a = at[row]
        b = a + step[row]
        owner = owner[row]
        offset = offset[row]
        fold = self.fold
        ca = fold[cps[a]].astype(np.int64) + term * _CP
        cb = fold[cps[b]].astype(np.int64) + term * _CP
        ok = np.zeros(len(row), dtype=bool)
        third = self._third_filled(term, b, cps, kind)
        shape_ok = third | (self.lengths[term] < 3)
        sel = how == THIRD
        ok[sel] = third[sel]
        sel = how == TURN
        ok[sel] = _member(self.k_own, ca[sel]) & _member(self.k_own, cb[sel])
        sel = how == GAP
        ok[sel] = _member(self.k_first, ca[sel]) & _member(self.k_second, cb[sel])
        sel = how == SHAPE0
        ok[sel] = _member(self.k_shape[0], ca[sel]) & _member(self.k_second, cb[sel]) & shape_ok[sel]
        sel = how == SHAPE1
        ok[sel] = _member(self.k_first, ca[sel]) & _member(self.k_shape[1], cb[sel]) & shape_ok[sel]
        # a reordered form of three may show two of its characters from its second position on
        start = np.maximum(offset - ((how == TURN) & (self.lengths[term] == 3)), 0)
        for i, o, ti in _unique_rows(owner[ok], start[ok], term[ok]):
            out.setdefault(i, Candidates(set())).at.setdefault(o, set()).add(ti)

    def _third_filled(self, term: np.ndarray, second: np.ndarray, cps: np.ndarray, kind: np.ndarray) -> np.ndarray:
        """Is a form's third position filled after its second at ``second``: next, or after one
        inserted character? (For forms of two characters the answer is not used.)"""
        n = len(cps)
        result = np.zeros(len(term), dtype=bool)
        going = np.ones(len(term), dtype=bool)
        for off in (1, 2):
            q = second + off
            going &= q < n
            qq = np.minimum(q, n - 1)
            going &= kind[qq] != DELIMITER
            filled = np.zeros(len(term), dtype=bool)
            cq = cps[qq]
            for s in range(int(self.nslots[cq].max(initial=0))):  # each reading (0 where it has fewer)
                filled |= self.third_reads[term, self.reads[s][cq]]
            filled |= _member(self.k_shape[2], self.fold[cps[qq]].astype(np.int64) + term * _CP)
            result |= going & filled
            going &= ~filled & (kind[qq] == CHAR)
        return result

    def token_terms(self, pairs: Iterable[tuple[Iterable[str], Iterable[str], bool]]) -> set[int]:
        """The forms two tokens (characters or pinyin syllables) may start, given their readings;
        the bool says whether a character stood between them (an insertion). No closer look:
        this serves the names with Latin letters, which are few."""
        out: set[int] = set()
        nr = self.nr
        for ra, rb, gapped in pairs:
            xs = [self.rid[r] for r in ra if r in self.rid]
            ys = [self.rid[r] for r in rb if r in self.rid]
            table = self.gap if gapped else self.adjacent
            for x in xs:
                for y in ys:
                    c = table[x * nr + y]
                    if c:
                        plain, checks = self.cells[c]
                        out |= plain
                        out.update(ti for ti, _ in checks)
        return out

    def latin_terms(self, words: Iterable[str]) -> set[int]:
        """The Latin aliases whose letter pairs the words (every reading of them) hold enough of."""
        grams: set[str] = set()
        for w in words:
            grams |= _bigrams(w)
        count: dict[int, int] = {}
        for g in grams:
            for li in self.latin_bigrams.get(g, ()):
                count[li] = count.get(li, 0) + 1
        return {li for li, c in count.items() if c >= self.latin_need[li]}


def _member(keys: np.ndarray, probe: np.ndarray) -> np.ndarray:
    """Which of ``probe`` are in the sorted array ``keys``."""
    if not len(keys) or not len(probe):
        return np.zeros(len(probe), dtype=bool)
    k = np.minimum(np.searchsorted(keys, probe), len(keys) - 1)
    return keys[k] == probe


def _unique_rows(*columns: np.ndarray) -> list[tuple[int, ...]]:
    """The distinct rows of some non-negative integer columns, sorted."""
    if not len(columns[0]):
        return []
    sizes = [int(c.max()) + 1 for c in columns]
    if float(np.prod(sizes, dtype=np.float64)) < 2**62:  # one int64 key a row
        key = np.zeros(len(columns[0]), dtype=np.int64)
        for c, size in zip(columns, sizes, strict=True):
            key = key * size + c
        out = []
        for k in np.unique(key).tolist():
            row = []
            for size in reversed(sizes):
                k, r = divmod(k, size)
                row.append(r)
            out.append(tuple(reversed(row)))
        return out
    stacked = np.stack([c.astype(np.int64) for c in columns], axis=1)
    return [tuple(r) for r in np.unique(stacked, axis=0).tolist()]


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) >= 2 else {text}
