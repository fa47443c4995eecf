"""The matcher: a name and its kind in, hits out. Pure: no I/O, no store.

Two paths. The index (prefilter.py) answers for a whole batch which forms each
name may match and where such a match would start: pairs of readings that
could fill a form's first two positions (a homophone, near-homophone,
look-alike or variant, side by side or with one character between, or two of
its characters in another order), with closer looks where a cell asks for
them. Most names hold none. The rest take the full path for those forms only:
split the company name, keep the forms that would start in its 字号, tokenize,
compare windows, score, explain. ``match(name, prefilter=False)`` skips the
index and compares every form, and the tests check that both paths agree.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..errors import ConfigError
from ..models import Hit, Mark, Watchlist
from .explain import explain
from .glyphs import shape_similar
from .latin import PLACE_PINYIN, LatinTerm, match_latin, ordinary_pinyin, read_domain, reads_as_words, skeletons
from .lexicon import industry_terms, place_names, word_freq
from .names import CompanyName, split_company_name
from .prefilter import Candidates, IndexTerm, Prefilter
from .rules import NUMERAL, RULES, SAME, VARIANT, CjkTerm, relate, window_rule
from .tables import (
    NUMERALS,
    check_reading,
    company_parts,
    divisions,
    fuzzy_readings,
    fuzzy_syllable,
    is_cjk,
    latin_lookalikes,
    mark_reading,
    pinyin_of,
    readings,
    simplified,
)
from .text import Token, pinyin_syllables, tokenize

# how often a word must occur in the lexicon (jieba's counts) to be an ordinary word that a
# match may not cut through or sound like; rarer entries are names, terms and segmentation noise
ORDINARY = 50
# a window that is itself a word of the lexicon at least this often is that word, not an imitation
WINDOW_WORD = 1
# outside the owners' field, a word this common that takes one character of a two-character mark
# splits it (自信|也很美, 从小|赢在起跑线)
VERY_COMMON = 1000
# what follows a place's proper name: 重安|镇, 小营|路, 束河|古镇
PLACE_SUFFIXES = ("古镇", "镇", "乡", "村", "社区", "街道", "路", "街", "巷", "胡同", "大道", "江", "河", "湖", "山",
                  "岛", "湾", "桥", "寺", "景区", "公园", "花园", "小区", "府", "苑")


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
    reading: str = ""  # the mark's toneless reading, as the matcher reads it


def _norm_entity(name: str) -> str:
    simp = simplified()
    out = []
    for ch in unicodedata.normalize("NFKC", name):
        if ch.isspace():
            continue
        out.append({"(": "（", ")": "）"}.get(ch, simp.get(ch, ch)))
    return "".join(out)


class Matcher:
    """Compiled watchlists. Build once, then call :meth:`match` per name.

    A form the matcher cannot use is refused with the file, the key and the
    reason (ConfigError); a form that is itself an ordinary word is kept, with a
    line in :attr:`warnings` saying what it will flag.
    """

    def __init__(self, watchlists: Sequence[Watchlist], risk_terms: Iterable[str] = ()) -> None:
        self.watchlists = tuple(watchlists)
        self.marks: list[tuple[Mark, int]] = []  # (mark, watchlist index)
        self.warnings: list[str] = []
        self.risk_terms = tuple(sorted({t for t in risk_terms if t}, key=len, reverse=True))
        self._readings = readings()
        self._fuzzy = fuzzy_readings()
        self._shapes = shape_similar()
        self._simp = simplified()
        self._words = word_freq()
        self._places = place_names()  # every place, full and short forms: for places longer than a match
        full, short = divisions()
        # places a match may itself be: divisions, towns and foreign places (village and community
        # short forms include ordinary words and too many two-character names to rule a match out)
        self._named_places = place_names("tny") | full | short
        self._divisions = full | short
        self._industry = industry_terms()
        self._industry_lengths = sorted({len(w) for w in self._industry}, reverse=True)
        parts = company_parts()
        self._branches = parts["branches"]
        self._units = (*self._branches, "中心", "部")
        self._finance = parts["finance_words"]
        self._finance_latin = frozenset(parts["finance_words_latin"])
        self._trade_pinyin = frozenset(pinyin_of(w) for w in self._finance if len(w) >= 2)
        self._finance_pinyin = self._trade_pinyin | {pinyin_of(w) for w in self.risk_terms if len(w) >= 2}
        self._cjk_terms: list[CjkTerm] = []
        self._latin_terms: list[LatinTerm] = []
        for wi, wl in enumerate(self.watchlists):
            for k, m in enumerate(wl.marks):
                self.marks.append((m, wi))
                self._compile_mark(len(self.marks) - 1, m, f"{wl.source or 'watchlist'}: marks[{k}]")
        self._allow = [{_norm_entity(a) for a in wl.allow} for wl in self.watchlists]
        self._has_digits = any(any(c.isdigit() for c in t.text) for t in self._cjk_terms)
        self._build_prefilter()

    # -- compiling -------------------------------------------------------------

    def _compile_mark(self, mi: int, mark: Mark, where: str) -> None:
        if mark.reading:
            problem = check_reading(mark.name, mark.reading)
            if problem:
                raise ConfigError(f"{where}.reading {' '.join(mark.reading)!r} {problem}")
        for ti, term in enumerate(mark.terms):
            key = f"{where}.name" if ti == 0 else f"{where}.aliases[{ti - 1}]"
            self._compile_term(mi, term, ti > 0, key)

    def _compile_term(self, mi: int, term: str, is_alias: bool, key: str) -> None:
        text = "".join(self._simp.get(c, c) for c in unicodedata.normalize("NFKC", term) if not c.isspace())
        chinese = [c for c in text if is_cjk(c)]
        if chinese and all(is_cjk(c) or c.isdigit() for c in text):
            if len(text) < 2:
                raise ConfigError(f"{key} {term!r} is one character, which is never distinctive on its own; "
                                  "write the mark as registered, with two or more characters")
            if text.isdigit():
                raise ConfigError(f"{key} {term!r} holds only digits; write the mark as registered")
            mark = self.marks[mi][0]
            rs = tuple(frozenset({r}) if is_cjk(c) else frozenset()
                       for c, r in zip(text, mark_reading(mark.name, text, mark.reading), strict=True))
            fz = tuple(frozenset(fuzzy_syllable(r) for r in x) for x in rs)
            sh = tuple(self._shapes.get(c, frozenset()) for c in text)
            self._cjk_terms.append(CjkTerm(mi, text, rs, fz, sh, is_alias))
            if self._words.get(text, 0) >= ORDINARY * 4:  # 信用卡, 平安; not brands the dictionary knows (携程)
                self.warnings.append(f"{key} {term!r} is an ordinary word; it will flag every name that uses "
                                     f"the word {text!r} (keep it only if that is wanted)")
            return
        lower = "".join(c for c in text.lower() if c.isalnum())
        if text.isascii() and lower and any(c.isalpha() for c in lower):
            if len(lower) < 2:
                raise ConfigError(f"{key} {term!r} has one letter, which cannot be told apart from any other "
                                  "word; remove it or write the alias in full")
            self._latin_terms.append(LatinTerm(mi, term, lower, pinyin_syllables(lower) is not None))
            from .latin import english_words

            if lower in english_words() and len(lower) >= 3:
                self.warnings.append(f"{key} {term!r} is an ordinary English word; it will flag every name "
                                     "that uses it")
            return
        raise ConfigError(f"{key} {term!r} mixes Chinese characters and Latin letters (or holds no letter at "
                          "all); list the Chinese and the Latin form as separate aliases")

    def _build_prefilter(self) -> None:
        """Compile the index (prefilter.py): reading pairs for the Chinese forms, letter pairs for the Latin ones."""
        self._prefilter = Prefilter(
            [IndexTerm(t.text, t.readings, t.fuzzy, t.shapes) for t in self._cjk_terms],
            [t.lower for t in self._latin_terms],
            readings=self._readings,
            fuzzy_of=fuzzy_syllable,
            simplified=self._simp,
            numerals=NUMERALS,
            lookalikes=latin_lookalikes(),
            is_cjk=is_cjk,
        )

    @property
    def form_count(self) -> int:
        """How many forms (names and aliases, Chinese and Latin) were compiled."""
        return len(self._cjk_terms) + len(self._latin_terms)

    def warm(self) -> None:
        """Build the tables a match may ask for (readings, lexicons, the public suffix list …), so
        that a saved index carries them (brandwatch/index.py); the pinyin of ordinary words is
        left to the first handle or domain that needs it (memo.compile_table)."""
        samples = ("北京微众银行科技有限公司", "深圳市微眾銀行客服中心", "WeBank 客服", "weizhongyinhangkefu",
                   "za-baoxian.com", "xn--9kqqg721s.cn", "51信用卡官方", "五一信用卡", "Alipay官方旗舰店", "A1ipay")
        for kind in ("company", "app", "account", "domain"):
            for name in samples:
                self.match(name, kind)
                self.match(name, kind, prefilter=False)
        from .latin import english_words

        english_words()

    # -- the fast path ---------------------------------------------------------

    def is_candidate(self, name: str) -> bool:
        """False when no rule can fire on this name (the fast path)."""
        return bool(self._candidates([name]))

    def candidates(self, names: Sequence[str]) -> list[int]:
        """Indices of the names some rule may fire on; the others cannot match."""
        return sorted(self._candidates(names))

    def _candidates(self, names: Sequence[str]) -> dict[int, Candidates]:
        """Name index → the forms that may match it; see prefilter.py."""
        return self._prefilter.candidates(names)

    def match_many(self, names: Sequence[str], kinds: Sequence[str]) -> dict[int, list[Hit]]:
        """``match`` for many names at once: index → hits, for the names that have any.

        The fast path runs over the whole batch; only its candidates take the full path.
        """
        out: dict[int, list[Hit]] = {}
        for i, found in self._candidates(names).items():
            hits = self._match(names[i], kinds[i], found)
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

    def sections(self, text: str) -> set[str]:
        """The GB/T 4754-2017 sections (门类: J is finance) of the industry words in ``text``."""
        out: set[str] = set()
        words, lengths = self._industry, self._industry_lengths
        i = 0
        while i < len(text):
            for n in lengths:
                w = text[i : i + n]
                if len(w) == n and w in words:
                    out |= words[w]
                    i += n - 1
                    break
            i += 1
        return out

    def _trade(self, text: str) -> int:
        """+7 in the owner's field (finance, credit, consulting), -15 in an unrelated trade, else 0."""
        if any(w in text for w in self._finance):
            return 7
        found = self.sections(text)
        if "J" in found:
            return 7
        # information technology (I), business services (L) and technical services (M) are where
        # fintech and "consulting" fronts register (…科技有限公司): not an unrelated trade
        return -15 if found - {"I", "L", "M"} else 0

    def _in_field(self, name: str, risk: bool = True) -> bool:
        """The name is in the owners' field: a finance, credit or consulting word, a GB/T 4754 section J
        word, a risk term, or the same in Latin letters (bank, pay, baoxian, kefu)."""
        if any(w in name for w in self._finance) or (risk and self._risk_in(name)) or "J" in self.sections(name):
            return True
        letters = "".join(c for c in name.lower() if c.isascii() and c.isalpha())
        if not letters:
            return False
        pinyin = self._finance_pinyin if risk else self._trade_pinyin
        return any(w in letters for w in self._finance_latin) or any(p in letters for p in pinyin)

    def _match(self, name: str, kind: str, terms: Candidates | None) -> list[Hit]:
        """``terms``: what the index says may match (None: compare every form, the full path)."""
        domain = read_domain(name) if kind in ("domain", "account", "app") or "." in name else None
        if domain is not None:
            return self._match_domain(name, domain, terms is not None)
        company = split_company_name(name) if kind == "company" else None
        found = self._find(name, company, terms)
        if not found:
            return []
        normalised = _norm_entity(name)
        risk = self._risk_in(normalised)
        trade_text = name if company is None else company.trade_name + company.industry_name
        context = self._trade(trade_text)
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
                explanation=explain(f.rule, rules, span, f.term, f.detail, company, risk, f.reading), term=f.term,
                risk_terms=risk,
            ))
        return sorted(hits, key=lambda h: (-h.score, h.mark_id))

    def _match_domain(self, name: str, readable: str, indexed: bool = True) -> list[Hit]:
        """A domain is matched as the words of its labels; the hit says how it was read."""
        hits = []
        found: Candidates | None = None
        if indexed:
            found = self._candidates([readable]).get(0)
            if found is None:
                return []
        for h in self._match(readable, "account", found):
            note = f"域名「{name}」读作「{readable}」：" if readable != name.lower() else ""
            hits.append(Hit(h.mark_id, h.mark, h.owner, h.score, h.severity, h.rules, h.span,
                            note + h.explanation, h.term, h.risk_terms))
        return hits

    def _risk_in(self, text: str) -> tuple[str, ...]:
        """The risk terms in a name (as normalised for the allow list)."""
        out: list[str] = []
        for t in self.risk_terms:
            if t in text and not any(t in o for o in out):
                out.append(t)
        return tuple(out)

    def _score(self, f: _Found, mark: Mark, context: int, risk: tuple[str, ...]) -> int:
        """Base score of the rule, then distinctiveness, the trade (``context``) and risk terms (README)."""
        score = RULES[f.rule].score
        if f.rule in ("homophone", "near_homophone") and "no_same" in f.detail:
            score -= 10  # no character of the mark's own: a weaker case
            if f.end - f.start <= 2 and context <= 0 and not risk:
                score = min(score, 65)  # two characters that merely sound alike, outside the owner's field
        if len(mark.name) >= 3 or not all(is_cjk(c) for c in mark.name):
            score += 3  # longer or coined marks are more distinctive
        score += context  # +7 finance, credit, consulting; -15 an unrelated trade
        if risk:
            score += 10
        return max(0, min(100, score))

    def _find(self, name: str, company: CompanyName | None, found: Candidates | None) -> list[_Found]:
        out: list[_Found] = []
        if company is not None:
            lo, trade_end, hi = company.trade[0], company.trade[1], company.industry[1]
            if trade_end <= lo:  # nothing recognisable: compare the whole name
                lo, trade_end, hi = 0, len(name), len(name)
        else:
            lo, trade_end, hi = 0, len(name), len(name)
        latin = found is None or found.latin
        terms: Iterable[int]
        if found is None:
            terms = range(len(self._cjk_terms))
        else:
            terms = found.forms(lo, trade_end)  # a match starts in the 字号 (or anywhere in other names)
            if not terms and not latin:
                return out
        tok = tokenize(name, lo, hi)
        if found is not None:
            if found.latin:  # pinyin syllables have readings too: the index, token by token
                terms = terms | self._token_terms(tok.tokens)  # type: ignore[operator]
            terms = sorted(terms)
        field: bool | None = None
        for ti in terms:
            term = self._cjk_terms[ti]
            if field is None:
                field = self._in_field(name)
            digits = any(c.isdigit() for c in term.text)
            self._match_cjk(term, tok.with_digits if digits else tok.tokens, trade_end, out, name, field)
        if self._latin_terms and tok.words and latin:
            whole = tokenize(name) if (lo, hi) != (0, len(name)) else tok
            trade = None
            latin_terms = self._latin_terms
            if found is not None:
                picked = self._prefilter.latin_terms(
                    x for w in whole.words for x in (w.text.lower(), *skeletons(w.text)))
                latin_terms = [self._latin_terms[li] for li in sorted(picked)]
            for lt in latin_terms:
                if lt.short and trade is None:  # the trade itself, not a risk term (官方 is no trade)
                    trade = self._in_field(name, risk=False)
                for m in match_latin(lt, whole.words, bool(trade), name):
                    out.append(_Found(lt.mark_index, lt.text, m.rule, m.start, m.end, (), m.detail))
        return out

    def _token_terms(self, tokens: Sequence[Token]) -> set[int]:
        """The forms adjacent tokens (characters and pinyin syllables) may start, by their readings."""
        rd = self._readings

        def rs(t: Token) -> Iterable[str]:
            if t.kind == "syllable":
                return (t.value,)
            return rd.get(t.value, ()) if t.kind == "cjk" else ()

        pairs = [(rs(a), rs(b), False) for a, b in itertools.pairwise(tokens)]
        pairs += [(rs(a), rs(b), True) for a, x, b in zip(tokens, tokens[1:], tokens[2:], strict=False)
                  if x.kind == "cjk"]
        return self._prefilter.token_terms(pairs)

    def _edges_ok(self, tokens: Sequence[Token], i: int, m: int) -> bool:
        """Pinyin must begin and end with whole Latin words (not "hua Bei" of "Nanhua Beijing"), unless
        the rest of its run reads as words of its own (yunshanfu|kefu, paipaidai|huankuan)."""
        first, last = tokens[i], tokens[i + m - 1]
        if first.kind == "syllable" and not first.word_start:
            k = i
            while k > 0 and tokens[k].kind == "syllable" and not tokens[k].word_start:
                k -= 1
            if not reads_as_words("".join(t.value for t in tokens[k:i])):
                return False
        if last.kind == "syllable" and not last.word_end:
            k = i + m
            while k < len(tokens) and tokens[k].kind == "syllable":
                k += 1
                if tokens[k - 1].word_end:
                    break
            if not reads_as_words("".join(t.value for t in tokens[i + m : k])):
                return False
        return True

    def _match_cjk(self, term: CjkTerm, tokens: Sequence[Token], trade_end: int, out: list[_Found],
                   name: str, field: bool) -> None:
        m = len(term.text)
        n = len(tokens)
        rd, fz = self._readings, self._fuzzy
        text = term.text
        for i in range(n):
            first = tokens[i]
            if first.start >= trade_end:
                break
            # every window starts with a character related to the mark's first one, or (reordered)
            # with one of the mark's own characters
            if first.value not in text and relate(first.value, first.kind, first.variant, term, 0, rd, fz) is None:
                continue
            window = tokens[i : i + m]
            if len(window) == m and self._edges_ok(tokens, i, m) and self._digits_whole(term, tokens, i, m):
                rel = []
                for j, t in enumerate(window):
                    r = relate(t.value, t.kind, t.variant, term, j, rd, fz)
                    if r is None:
                        break
                    rel.append(r)
                else:
                    rule = window_rule(rel)
                    if rule is not None:
                        self._add(term, window, rel, rule, out, tokens, i, trade_end, name, field)
                # reordered: the mark's own characters in another order (众微)
                if m <= 3 and all(t.kind == "cjk" for t in window):
                    vals = "".join(t.value for t in window)
                    if (vals != term.text and sorted(vals) == sorted(term.text)
                            and not self._ordinary(tokens, i, m, [SAME] * m, trade_end, name, "reordered", field)):
                        out.append(self._found(term, window, "reordered", "", None))
            # insertion: one character inside the mark (微和众), reading as no other word (微观众: 观众)
            window = tokens[i : i + m + 1]
            if len(window) == m + 1 and window[0].value == term.text[0] and window[-1].value == term.text[-1]:
                for k in range(1, m):
                    rest = window[:k] + window[k + 1 :]
                    x = window[k]
                    if x.kind == "cjk" and x.value in self._readings and "".join(
                            t.value for t in rest) == term.text:
                        pairs = (window[k - 1].value + x.value, x.value + window[k + 1].value)
                        own = [SAME] * k + ["inserted"] + [SAME] * (m - k)
                        if not any(self._is_word(p) for p in pairs) and (
                                not self._ordinary(tokens, i, m + 1, own, trade_end, name, "insertion", field)):
                            out.append(self._found(term, window, "insertion", x.value, None))
                        break

    @staticmethod
    def _digits_whole(term: CjkTerm, tokens: Sequence[Token], i: int, m: int) -> bool:
        """A mark that starts or ends with digits matches whole numbers only: 51 in 51信用卡, not in 151信用卡."""
        if term.text[0].isdigit() and i > 0 and tokens[i - 1].kind == "digit" and not tokens[i].sep_before:
            return False
        end = i + m
        return not (term.text[-1].isdigit() and end < len(tokens) and tokens[end].kind == "digit"
                    and not tokens[end].sep_before)

    def _add(self, term: CjkTerm, window: Sequence[Token], rel: list[str], rule: str, out: list[_Found],
             tokens: Sequence[Token], i: int, trade_end: int, name: str, field: bool) -> None:
        detail = ""
        if rule in ("homophone", "near_homophone") and not any(r in (SAME, VARIANT) for r in rel):
            detail = "no_same"
        if self._ordinary(tokens, i, len(window), rel, trade_end, name, rule, field):
            return
        if rule == "shape_similar":
            detail = "".join(
                f"{t.value}{term.text[j]}" for j, (t, r) in enumerate(zip(window, rel, strict=True)) if r == "shape"
            )
        out.append(self._found(term, window, rule, detail, rel))

    # -- ordinary words and places ---------------------------------------------------

    def _is_word(self, text: str, common: int = ORDINARY) -> bool:
        return self._words.get(text, 0) >= common

    def _ordinary(self, tokens: Sequence[Token], i: int, m: int, rel: Sequence[str] | None, trade_end: int,
                  name: str, rule: str, field: bool = False) -> bool:
        """The window reads as ordinary words or a place, not as the mark (README "The rules").

        - a place name holds the window (重安镇, 小营村, 束河古镇), or the window is followed by what
          follows a place (小营|路, 云杉|府) while it is not the mark itself;
        - for imitations (every rule but the mark written as it is): the window is itself an
          ordinary word (小鹰, 协程, 鞋城), or an ordinary word takes in one of its characters that
          is not the mark's own (新业|态, 云杉|府), or the window lies inside a longer word
          (那曲花园 for 拿去花);
        - for the mark as it is (contains, traditional, separator, numeral) or its own characters
          reordered: words cross both of its edges (精微|众创).
        """
        window = tokens[i : i + m]
        if all(t.kind == "syllable" for t in window):
            return self._ordinary_pinyin(tokens, i, m, field)
        if not all(t.kind == "cjk" for t in window):
            return False
        text = "".join(t.value for t in window)
        a, b = window[0].start, window[-1].end
        exact = rule in ("contains", "traditional", "separator", "numeral")
        if self._in_place(name, a, b, exact=exact or field):
            return True
        own = rel is not None and all(r in (SAME, VARIANT, NUMERAL) for r in rel)
        if own or exact:
            return self._splits_a_word(tokens, i, m, rel, trade_end, both=True) or (
                m == 2 and not field and self._splits_a_word(tokens, i, m, None, trade_end, common=VERY_COMMON))
        # in the owners' field only a common word is taken as meant for itself; elsewhere any word is
        if self._is_word(text, ORDINARY if field else WINDOW_WORD):
            return True  # a word with a meaning of its own (华北 is not 花呗)
        if self._inside_word(tokens, i, m, rel) or self._takes_industry(tokens, i, m, trade_end, name):
            return True
        return self._splits_a_word(tokens, i, m, rel, trade_end)

    def _ordinary_pinyin(self, tokens: Sequence[Token], i: int, m: int, field: bool) -> bool:
        """Pinyin of a place (shuhe|gucheng, xinye|xian), or of an ordinary word or named place outside
        the owners' field (xiaoying|shipin: 小影视频)."""
        end = i + m
        after = ""
        while end < len(tokens) and tokens[end].kind == "syllable" and not tokens[end].sep_before and len(after) < 8:
            after += tokens[end].value
            end += 1
        if any(after.startswith(p) for p in PLACE_PINYIN):
            return True
        if tokens[i].word_start and tokens[end - 1].word_end and end == i + m:
            return False  # whole Latin words (HuaBei, Yun Shan Fu): written as the mark's pinyin
        return not field and "".join(t.value for t in tokens[i : i + m]) in ordinary_pinyin()

    def _takes_industry(self, tokens: Sequence[Token], i: int, m: int, trade_end: int, name: str) -> bool:
        """The window ends inside an industry word that begins after the 字号 (杨前|罐头食品 for 洋钱罐)."""
        end = tokens[i + m - 1].end
        first = next((t.start for t in tokens[i : i + m] if t.start >= trade_end), None)
        if first is None:
            return False
        return any(name[first : end + k] in self._industry for k in (1, 2, 3))

    def _in_place(self, name: str, a: int, b: int, exact: bool) -> bool:
        """``name[a:b]`` is part of a place's name: a place name longer than it holds it (重安镇, 小营村,
        束河古镇); for imitations (not ``exact``) also when it is a division's, town's or foreign
        place's name itself, or what follows a place's name follows it (小营|路, 云杉|府)."""
        for s in range(max(0, a - 4), a + 1):
            for e in range(b, min(len(name), b + 4) + 1):
                if e - s > b - a and name[s:e] in self._places:
                    return True
        if exact:
            return False
        if name[a:b] in self._named_places:
            return True
        after = name[b : b + 2]
        return any(after.startswith(x) for x in PLACE_SUFFIXES)

    def _inside_word(self, tokens: Sequence[Token], i: int, m: int, rel: Sequence[str] | None) -> bool:
        """An ordinary word holds a character of the window that is not the mark's own, and lies
        wholly inside it (云杉 of 云杉府), or holds the whole window and more (那曲花园 for 拿去花)."""
        n = len(tokens)
        for s in range(max(0, i - 2), i + m):
            for e in range(s + 2, min(n, s + 5) + 1):
                part = tokens[s:e]
                if not all(t.kind == "cjk" for t in part):
                    break
                inside = range(max(s, i), min(e, i + m))
                if not inside:
                    continue
                if rel is not None and all(rel[k - i] in (SAME, VARIANT) for k in inside):
                    continue
                if not (i <= s and e <= i + m) and not (s <= i and i + m <= e):
                    continue  # crossing one edge: _splits_a_word decides
                text = "".join(t.value for t in part)
                if e - s < m and 2 * (e - s) <= m:
                    continue  # a word inside must take most of the window (云杉 of 云杉府, not 印行 of 招商印行)
                if self._is_word(text) or (e - s < m and text in self._divisions):
                    return True  # 云杉 of 云杉府; the division 那曲 of 那曲花 (拿去花)
        return False

    def _splits_a_word(self, tokens: Sequence[Token], i: int, m: int, rel: Sequence[str] | None,
                       trade_end: int = -1, both: bool = False, common: int = ORDINARY) -> bool:
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
        ``common``: how frequent a crossing word must be.
        """
        n = len(tokens)

        def word(a: int, b: int, at_least: int = ORDINARY) -> bool:
            part = tokens[a:b]
            return (0 <= a and b <= n and all(t.kind == "cjk" for t in part)
                    and not any(t.sep_before for t in part[1:])  # 联|POS|机 is not 联机
                    and self._is_word("".join(t.value for t in part), at_least))

        def crossing(a: int, b: int) -> bool:
            return word(a, b, common)

        crossed = 0
        for edge in (i, i + m):  # a word starting before an edge and ending after it
            own = rel if not both else None
            if self._crossed(tokens, i, m, edge, own, trade_end, crossing, word):
                if not both:
                    return True
                crossed += 1
        return crossed == 2

    @staticmethod
    def _crossed(tokens: Sequence[Token], i: int, m: int, edge: int, rel: Sequence[str] | None, trade_end: int,
                 crossing: Callable[[int, int], bool], word: Callable[[int, int], bool]) -> bool:
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
                if not crossing(s, e):
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
        if any(t.variant and t.kind == "cjk" for t in window) and rule != "traditional":
            extra.append("traditional")
        if rule == "contains" and extra:
            rule, extra = extra[0], extra[1:]
        reading = " ".join(next(iter(r), c) for c, r in zip(term.text, term.readings, strict=True))
        return _Found(term.mark_index, term.text, rule, window[0].start, window[-1].end, tuple(extra), detail,
                      reading)
