"""Look-alike names a registrant could choose for a mark, like dnstwist's fuzzers.

Each rule of rules.py carries its own generator; this module runs them over a
mark's forms and ranks the result, so a list of search keywords can say why
each one is there. The ranking is a likelihood guess: how often each way of
imitating shows up among imitators (the rule's ``prior``: homophones most, as
in the WeBank cases; then variant characters, look-alikes and separators),
lowered for characters outside everyday use (GB2312 level 1 holds the 3,755
common ones, level 2 the next 3,008), so 维众 comes before 嵬众.
"""

from __future__ import annotations

from .lexicon import word_freq
from .rules import RULES, Variant

# rules whose variants are not reported when they are an ordinary word (华北 is not 花呗): not proposed either
_WORDLESS = frozenset({"homophone", "near_homophone", "shape_similar", "reordered", "insertion"})

__all__ = ["Variant", "generate_variants"]


def generate_variants(terms: tuple[str, ...] | str, limit: int | None = 50,
                      reading: tuple[str, ...] = ()) -> list[Variant]:
    """Variants of a mark's forms (its name first), most likely first, each text once (its best rule)."""
    if isinstance(terms, str):
        terms = (terms,)
    best: dict[str, Variant] = {}
    for k, term in enumerate(terms):
        if not term.strip():
            continue
        weight = 1.0 if k == 0 else 0.95  # the mark's own name first, then its aliases
        for rule in RULES.values():
            if rule.generate is None:
                continue
            for v in rule.generate(term, terms[0], reading if k == 0 else ()):
                if v.text in terms or v.text == term or (v.rule in _WORDLESS and v.text in word_freq()):
                    continue
                v = Variant(v.text, v.rule, round(v.score * weight, 2))
                if v.text not in best or v.score > best[v.text].score:
                    best[v.text] = v
    ranked = sorted(best.values(), key=lambda v: (-v.score, v.rule, v.text))
    return ranked[:limit] if limit else ranked
