"""The matcher: a name and its kind in, hits out. Pure: no I/O, no store.

Two paths. The fast path asks NumPy code tables (prefilter.py) whether the name holds
any pair of characters that could start a match (a homophone, look-alike or
variant of the first two mark characters, with or without one character
between them, or two mark characters in another order), or any Latin letter.
Most names hold none, and a whole batch is answered at once. The rest take the
full path: split the company name, tokenize, compare every window with every
form of every mark, score, explain. ``match(name, prefilter=False)`` skips the
fast path, and the tests check that both paths agree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from ..models import Hit, Mark, Watchlist
from .explain import explain
from .names import CompanyName, split_company_name
from .prefilter import Prefilter
from .rules import HOMOPHONE, NEAR, RULES, SAME, SHAPE, VARIANT, CjkTerm, relate, window_rule
from .tables import (
    DIGIT_LOOKALIKES,
    chars_by_reading,
    common_words,
    company_parts,
    fuzzy_readings,
    fuzzy_syllable,
    is_cjk,
    latin_lookalikes,
    mark_reading,
    readings,
    shape_similar,
    simplified,
    traditional_forms,
)
from .text import LatinWord, Token, pinyin_syllables, tokenize


@dataclass(frozen=True)
class LatinTerm:
    mark_index: int
    text: str  # as written in the watchlist
    lower: str
    pinyin: bool = False  # the alias spells pinyin (Duxiaoman): compared by sound, not spelling


@dataclass(frozen=True)
class _Found:
    """A candidate match before scoring."""

    mark_index: int
    term: str
    rule: str
    start: int
    end: int
    extra: tuple[str, ...]  # secondary rules: separator, traditional
    detail: str  # rule-specific words for the explanation


def _norm_entity(name: str) -> str:
    simp = simplified()
    out = []
    for ch in unicodedata.normalize("NFKC", name):
        if ch.isspace():
            continue
        out.append({"(": "（", ")": "）"}.get(ch, simp.get(ch, ch)))
    return "".join(out)


class Matcher:
    """Compiled watchlists. Build once, then call :meth:`match` per name."""

    def __init__(self, watchlists: Sequence[Watchlist], risk_terms: Iterable[str] = ()) -> None:
        self.watchlists = tuple(watchlists)
        self.marks: list[tuple[Mark, int]] = []  # (mark, watchlist index)
        for wi, wl in enumerate(self.watchlists):
            for m in wl.marks:
                self.marks.append((m, wi))
        self.risk_terms = tuple(sorted({t for t in risk_terms if t}, key=len, reverse=True))
        self._readings = readings()
        self._fuzzy = fuzzy_readings()
        self._shapes = shape_similar()
        self._simp = simplified()
        self._cjk_terms: list[CjkTerm] = []
        self._latin_terms: list[LatinTerm] = []
        for mi, (mark, _) in enumerate(self.marks):
            for ti, term in enumerate(mark.terms):
                self._compile_term(mi, term, is_alias=ti > 0)
        self._allow = [
            {_norm_entity(a) for a in wl.allow} for wl in self.watchlists
        ]
        parts = company_parts()
        self._branches = parts["branches"]
        self._units = (*self._branches, "中心", "部")
        self._finance = parts["finance_words"]
        self._unrelated = parts["unrelated_words"]
        self._common = common_words()
        self._build_prefilter()

    # -- compiling -------------------------------------------------------------

    def _compile_term(self, mi: int, term: str, is_alias: bool) -> None:
        text = "".join(self._simp.get(c, c) for c in unicodedata.normalize("NFKC", term) if not c.isspace())
        if text and all(is_cjk(c) for c in text):
            if len(text) < 2:
                return  # one character is never distinctive on its own
            rs = tuple(frozenset({r}) for r in mark_reading(self.marks[mi][0].name, text))
            fz = tuple(frozenset(fuzzy_syllable(r) for r in x) for x in rs)
            sh = tuple(self._shapes.get(c, frozenset()) for c in text)
            self._cjk_terms.append(CjkTerm(mi, text, rs, fz, sh, is_alias))
        elif text.isascii():
            lower = "".join(c for c in text.lower() if c.isalnum())
            if len(lower) >= 3:
                self._latin_terms.append(LatinTerm(mi, term, lower, pinyin_syllables(lower) is not None))
        else:  # mixed script (微众Bank): compare as characters and Latin both
            cjk = "".join(c for c in text if is_cjk(c))
            if len(cjk) >= 2:
                self._compile_term(mi, cjk, is_alias)

    def _accept(self, term: CjkTerm, j: int) -> set[str]:
        """Every character that can stand at position j of a match (before variants)."""
        out = {term.text[j]} | set(term.shapes[j])
        for r in term.readings[j]:
            out.update(chars_by_reading().get(r, ()))
        for f in term.fuzzy[j]:
            out.update(chars_by_reading(fuzzy=True).get(f, ()))
        return out

    def _build_prefilter(self) -> None:
        """Compile the fast path (prefilter.py): which characters can fill which term positions, and how."""
        variants = traditional_forms()

        def with_variants(chars: set[str]) -> set[str]:
            out = set(chars)
            for c in chars:
                out.update(variants.get(c, ()))
            return out

        # slot = (term index, position, kind): how the character relates to the
        # term there, as rules.relate says: same (or a variant), strong (homophone),
        # near (near-homophone) or shape (look-alike)
        kinds = {SAME: "same", VARIANT: "same", HOMOPHONE: "strong", NEAR: "near", SHAPE: "shape"}
        slots: dict[str, set[tuple[int, int, str]]] = {}
        for ti, term in enumerate(self._cjk_terms):
            for j in range(len(term.text)):
                for ch in with_variants(self._accept(term, j)):
                    simp = self._simp.get(ch, ch)
                    r = relate(simp, "cjk", simp != ch, term, j, self._readings, self._fuzzy)
                    if r is not None:
                        slots.setdefault(ch, set()).add((ti, j, kinds[r]))
        readings = self._readings
        self._prefilter = Prefilter(
            slots,
            [len(t.text) for t in self._cjk_terms],
            has_reading=lambda ch: self._simp.get(ch, ch) in readings,
            readings=readings,
            lookalikes=latin_lookalikes(),
            is_cjk=is_cjk,
        )

    # -- the fast path ---------------------------------------------------------

    def is_candidate(self, name: str) -> bool:
        """False when no rule can fire on this name (the fast path)."""
        return bool(self._candidates([name]))

    def candidates(self, names: Sequence[str]) -> list[int]:
        """Indices of the names some rule may fire on; the others cannot match."""
        return sorted(self._candidates(names))

    def _candidates(self, names: Sequence[str]) -> dict[int, set[int] | None]:
        """Name index → the terms that may match it (None: all of them); see prefilter.py."""
        return self._prefilter.candidates(names)

    def match_many(self, names: Sequence[str], kinds: Sequence[str]) -> dict[int, list[Hit]]:
        """``match`` for many names at once: index → hits, for the names that have any.

        The fast path runs over the whole batch; only its candidates take the full path.
        """
        out: dict[int, list[Hit]] = {}
        for i, terms in self._candidates(names).items():
            hits = self._match(names[i], kinds[i], terms)
            if hits:
                out[i] = hits
        return out

    # -- the full path ---------------------------------------------------------

    def allowlisted(self, name: str, watchlist_index: int, normalised: str | None = None) -> bool:
        """The name is one of the owner's own entities, or a branch of one."""
        allow = self._allow[watchlist_index]
        if not allow:
            return False
        n = normalised if normalised is not None else _norm_entity(name)
        if n in allow:
            return True
        for a in allow:
            rest = n[len(a):] if n.startswith(a) else None
            # the entity itself, or a branch or unit of it (…北京分行, …信用卡中心); never
            # what merely starts with its name and offers "customer service" or "debt help"
            if rest and len(rest) <= 16 and rest.endswith(self._units) and not self._risk_in(rest):
                return True
        return False

    def match(self, name: str, kind: str = "company", *, prefilter: bool = True) -> list[Hit]:
        """Hits of ``name`` against every mark, best first; one hit per mark at most."""
        if not name:
            return []
        if not prefilter:
            return self._match(name, kind, None)
        found = self._candidates([name])
        return self._match(name, kind, found[0]) if found else []

    def _match(self, name: str, kind: str, terms: set[int] | None) -> list[Hit]:
        company = split_company_name(name) if kind == "company" else None
        found = self._find(name, company, terms)
        if not found:
            return []
        normalised = _norm_entity(name)
        risk = self._risk_in(normalised)
        trade_text = name if company is None else company.trade_name + company.industry_name
        context = 7 if any(w in trade_text for w in self._finance) else (
            -15 if any(w in trade_text for w in self._unrelated) else 0)
        allowed: dict[int, bool] = {}
        best: dict[int, tuple[int, int, _Found]] = {}
        for f in found:  # scoring is O(1) per window; hits are built for the best window of each mark
            mark, wi = self.marks[f.mark_index]
            if wi not in allowed:
                allowed[wi] = self.allowlisted(name, wi, normalised)
            if allowed[wi]:
                continue
            score = self._score(f, mark, context, risk)
            prev = best.get(f.mark_index)
            # the best score; on a tie the longer span (微众银行 over 微众 in 微众银行官方客服)
            if prev is None or (score, f.end - f.start) > prev[:2]:
                best[f.mark_index] = (score, f.end - f.start, f)
        hits = []
        for score, _, f in best.values():
            mark, wi = self.marks[f.mark_index]
            rules = (f.rule, *[e for e in f.extra if e != f.rule])
            span = name[f.start : f.end]
            hits.append(Hit(
                mark_id=mark.id, mark=mark.name, owner=self.watchlists[wi].owner, score=score,
                severity="high" if score >= 90 else "medium" if score >= 70 else "low", rules=rules, span=span,
                explanation=explain(f.rule, rules, span, f.term, f.detail, company, risk), term=f.term,
                risk_terms=risk,
            ))
        return sorted(hits, key=lambda h: (-h.score, h.mark_id))

    def _risk_in(self, text: str) -> tuple[str, ...]:
        """The risk terms in a name (as normalised for the allow list)."""
        out: list[str] = []
        for t in self.risk_terms:
            if t in text and not any(t in o for o in out):
                out.append(t)
        return tuple(out)

    def _score(self, f: _Found, mark: Mark, context: int, risk: tuple[str, ...]) -> int:
        """Base score of the rule, then distinctiveness, the trade (``context``) and risk terms (README)."""
        score = RULES[f.rule][0]
        if f.rule == "homophone" and "no_same" in f.detail:
            score -= 10  # no character of the mark's own: a weaker case
        if len(mark.name) >= 3 or not all(is_cjk(c) for c in mark.name):
            score += 3  # longer or coined marks are more distinctive
        score += context  # +7 finance, credit, consulting; -15 an unrelated trade
        if risk:
            score += 10
        return max(0, min(100, score))

    def _find(self, name: str, company: CompanyName | None, terms: set[int] | None) -> list[_Found]:
        out: list[_Found] = []
        if company is not None:
            lo, trade_end, hi = company.trade[0], company.trade[1], company.industry[1]
            if trade_end <= lo:  # nothing recognisable: compare the whole name
                lo, trade_end, hi = 0, len(name), len(name)
        else:
            lo, trade_end, hi = 0, len(name), len(name)
        tok = tokenize(name, lo, hi)
        tokens = tok.tokens
        for ti, term in enumerate(self._cjk_terms):
            if terms is None or ti in terms:
                self._match_cjk(term, tokens, trade_end, out)
        if self._latin_terms and tok.words and terms is None:
            whole = tokenize(name) if (lo, hi) != (0, len(name)) else tok
            for lt in self._latin_terms:
                self._match_latin(lt, whole.words, out)
        return out

    def _match_cjk(self, term: CjkTerm, tokens: Sequence[Token], trade_end: int, out: list[_Found]) -> None:
        m = len(term.text)
        n = len(tokens)
        rd, fz = self._readings, self._fuzzy
        for i in range(n):
            if tokens[i].start >= trade_end:
                break
            window = tokens[i : i + m]
            # pinyin must begin and end with whole Latin words: not "hua Bei" of "Nanhua Beijing"
            if len(window) == m and window[0].word_start and window[-1].word_end:
                rel = []
                for j, t in enumerate(window):
                    r = relate(t.value, t.kind, t.variant, term, j, rd, fz)
                    if r is None:
                        break
                    rel.append(r)
                else:
                    rule = window_rule(rel)
                    if rule is not None:
                        self._add(term, window, rel, rule, out, tokens, i, trade_end)
                # reordered: the mark's own characters in another order (众微)
                if m <= 3 and all(t.kind == "cjk" for t in window):
                    vals = "".join(t.value for t in window)
                    if (vals != term.text and sorted(vals) == sorted(term.text)
                            and not self._splits_a_word(tokens, i, m, None, trade_end)):
                        out.append(self._found(term, window, "reordered", "", None))
            # insertion: one character inside the mark (微和众), reading as no other word (微观众: 观众)
            window = tokens[i : i + m + 1]
            if len(window) == m + 1 and window[0].value == term.text[0] and window[-1].value == term.text[-1]:
                for k in range(1, m):
                    rest = window[:k] + window[k + 1 :]
                    x = window[k]
                    if x.value in self._readings and "".join(t.value for t in rest) == term.text:
                        pairs = (window[k - 1].value + x.value, x.value + window[k + 1].value)
                        if not any(p in self._common for p in pairs) and not self._splits_a_word(
                                tokens, i, m + 1, None, trade_end):
                            out.append(self._found(term, window, "insertion", x.value, None))
                        break

    def _add(self, term: CjkTerm, window: Sequence[Token], rel: list[str], rule: str, out: list[_Found],
             tokens: Sequence[Token], i: int, trade_end: int) -> None:
        if rule in ("homophone", "near_homophone") and not any(r in (SAME, VARIANT) for r in rel):
            word = "".join(t.value for t in window)
            if word in self._common:
                return  # a common word with a meaning of its own (华北 is not 花呗)
            detail = "no_same"
        else:
            detail = ""
        if rule not in ("contains", "traditional", "separator") and self._splits_a_word(
                tokens, i, len(window), rel, trade_end):
            return
        if rule == "contains" and self._splits_a_word(tokens, i, len(window), None, trade_end, both=True):
            return  # 神奇|富硒, 精微|众创: the mark's characters belong to two other words
        if rule == "shape_similar":
            detail = "".join(
                f"{t.value}{term.text[j]}" for j, (t, r) in enumerate(zip(window, rel, strict=True)) if r == "shape"
            )
        out.append(self._found(term, window, rule, detail, rel))

    def _splits_a_word(self, tokens: Sequence[Token], i: int, m: int, rel: Sequence[str] | None,
                       trade_end: int = -1, both: bool = False) -> bool:
        """A common word runs across the window's edge through a character that is not the mark's own.

        An imitation is read as a unit; sounds that only line up across two
        words of the name (北汽福田 for 奇富, 财富奇迹 for 奇富 reordered) are not
        one. It does not count when
        - the word runs over the mark's own characters (昭商银行贷款: 银行贷款):
          those characters are the mark's, whatever follows;
        - the characters outside the window also start (or end) a common word
          of their own, so the name reads either way (维中信用: 中信 or 信用);
        - the word crosses from the 字号 into the industry (``trade_end``, an offset).
        ``rel`` says how each window position relates; None means none is the mark's own.
        ``both``: true only when words cross both edges (for the mark's own characters).
        """
        n = len(tokens)
        common = self._common

        def word(a: int, b: int) -> bool:
            part = tokens[a:b]
            return 0 <= a and b <= n and all(t.kind == "cjk" for t in part) and (
                "".join(t.value for t in part) in common)

        crossed = 0
        for edge in (i, i + m):  # a word starting before an edge and ending after it
            if self._crossed(tokens, i, m, edge, rel, trade_end, word):
                if not both:
                    return True
                crossed += 1
        return crossed == 2

    @staticmethod
    def _crossed(tokens: Sequence[Token], i: int, m: int, edge: int, rel: Sequence[str] | None, trade_end: int,
                 word: Callable[[int, int], bool]) -> bool:
        n = len(tokens)
        for size in (2, 3, 4):
            for s in range(max(0, edge - size + 1), edge):
                e = s + size
                if e <= edge or e > n or (s >= i and e <= i + m):
                    continue
                inside = range(max(s, i), min(e, i + m))
                if rel is not None and all(rel[k - i] in (SAME, VARIANT) for k in inside):
                    continue
                if tokens[s].start < trade_end <= tokens[e - 1].start:
                    continue
                if not word(s, e):
                    continue
                if edge == i + m and any(word(edge, edge + k) for k in (2, 3, 4)):
                    continue
                if edge == i and any(word(edge - k, edge) for k in (2, 3, 4)):
                    continue
                return True
        return False

    def _found(self, term: CjkTerm, window: Sequence[Token], rule: str, detail: str,
               rel: list[str] | None) -> _Found:
        extra: list[str] = []
        if any(t.sep_before and t.kind == "cjk" for t in window[1:]):
            extra.append("separator")
        if any(t.variant for t in window) and rule != "traditional":
            extra.append("traditional")
        if rule == "contains" and extra:
            rule, extra = extra[0], extra[1:]
        term_text = term.text
        return _Found(term.mark_index, term_text, rule, window[0].start, window[-1].end, tuple(extra), detail)

    def _match_latin(self, lt: LatinTerm, words: Sequence[LatinWord], out: list[_Found]) -> None:
        """A Latin alias in the name's Latin words, aligned with their words.

        A match must start where a word (or a capitalised hump: WeBankPro) starts:
        "Kali Pay" and "Zhongqi Futures" hold the letters of Alipay and Qifu only
        across other words. One edit away counts only for a whole run of words
        (Alipy, WeBnk) with its first letter kept, and only for aliases that are not pinyin: a pinyin alias
        (Duxiaoman) is compared by sound, and one letter off it is a person's
        name (Huxiaoman).
        """
        target = lt.lower
        n = len(target)
        for w in words:
            plain = w.text.lower()
            starts = set(w.bounds)
            ends = {*w.bounds[1:], len(plain)}
            found = False
            for skel, rule in ((plain, None), *((x, "lookalike") for x in _skeletons(w.text))):
                if len(skel) != len(plain):
                    if skel == target:  # rn for m, vv for w: only as the whole word
                        out.append(_Found(lt.mark_index, lt.text, "lookalike", w.start, w.end, (), ""))
                        found = True
                        break
                    continue
                k = skel.find(target)
                while k >= 0 and k not in starts:
                    k = skel.find(target, k + 1)
                if k < 0:
                    continue
                a, b = w.span(k, k + n)
                parts = sum(1 for x in w.runs if k < x < k + n)
                kind = rule or ("lookalike" if w.lookalike else "separator" if parts else "contains")
                out.append(_Found(lt.mark_index, lt.text, kind, a, b, (), ""))
                found = True
                break
            if found or n < 5 or lt.pinyin:
                continue
            for i in sorted(starts):
                for j in sorted(ends):
                    # typos keep the first letter (Alipy, WeBnk); Kalipay, eBank are other words
                    if (abs((j - i) - n) <= 1 and plain[i:i + 1] == target[:1]
                            and OSA.distance(plain[i:j], target, score_cutoff=1) <= 1):
                        a, b = w.span(i, j)
                        out.append(_Found(lt.mark_index, lt.text, "misspelling", a, b, (), ""))
                        found = True
                        break
                if found:
                    break


def _skeletons(text: str) -> set[str]:
    """Readings of a Latin word with look-alikes undone; capital I may be an l."""
    base = "".join(DIGIT_LOOKALIKES.get(c, c) for c in text)
    out = {base.lower(), base.replace("I", "l").lower()}
    out |= {s.replace("rn", "m").replace("vv", "w") for s in out}
    return out
