"""One line a lawyer can read, in Chinese, saying why a name was reported.

e.g. 字号「维众」与商标「微众」读音相同（wéi zhòng / wēi zhòng）
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .names import CompanyName
from .rules import RULES
from .tables import is_cjk, readings, simplified, tone_readings, toneless

# secondary rules add a clause
CLAUSES = {"separator": "，并以符号或空格隔开", "traditional": "，并使用繁体或异体字"}
# rules whose explanation names the whole 字号 ("字号「微众森态」包含商标「微众」"); the others name the span in it
_WHOLE = frozenset({"contains", "traditional", "separator", "numeral"})


def _toned(ch: str, toneless_reading: str) -> str:
    """The toned reading of ``ch`` that is ``toneless_reading`` (重, zhong → zhòng), else its first."""
    options = tone_readings().get(ch, ())
    for r in options:
        if toneless(r) == toneless_reading:
            return r
    return options[0] if options else ch


@lru_cache(maxsize=4096)
def _py(text: str) -> str:
    from pypinyin import Style, lazy_pinyin  # here: importing pypinyin loads its phrase dictionary

    return " ".join(p for p in lazy_pinyin(text, style=Style.TONE, errors="ignore") if p.strip())


def _readings(span: str, term: str, reading: str) -> tuple[str, str, bool]:
    """Both readings with tones, and whether they are the same without tones.

    The mark is read as the matcher reads it (``reading``); each character of the
    span by its reading closest to the mark's (微重: zhòng, as in 微众).
    """
    syl = reading.split() if reading else []
    if len(syl) != len(term):
        return _py(span), _py(term), False
    term_py = [_toned(c, r) for c, r in zip(term, syl, strict=True)]
    chars = [c for c in span if is_cjk(c)]
    if len(chars) != len(term):
        return _py(span), " ".join(term_py), False
    simp = simplified()
    span_py = []
    same = True
    for c, r in zip(chars, syl, strict=True):
        c = simp.get(c, c)
        ok = r in readings().get(c, ())
        same = same and ok
        span_py.append(_toned(c, r) if ok else (tone_readings().get(c, (c,))[0]))
    return " ".join(span_py), " ".join(term_py), same


def _separators(span: str) -> str:
    """The characters that split the mark, visible ones as written, invisible ones by code point."""
    out = []
    for ch in dict.fromkeys(span):
        if is_cjk(ch) or ch.isalnum():
            continue
        if ch == " ":
            out.append("空格")
        elif ch.isprintable() and not ch.isspace():
            out.append(f"「{ch}」")
        else:
            name = unicodedata.name(ch, "")
            out.append(f"U+{ord(ch):04X}" + (f" {name}" if name else "") + ("（不可见）" if not ch.isprintable()
                                                                               or ch.isspace() else ""))
    return "、".join(out)


def explain(rule: str, rules: tuple[str, ...], span: str, term: str, detail: str, company: CompanyName | None,
            risk: tuple[str, ...], reading: str = "") -> str:
    """The explanation for one hit, a line a lawyer can paste.

    ``detail``: the inserted character, look-alike pairs (徽微), or the letters that differ.
    """
    trade = company.trade_name if company is not None else ""
    in_trade = bool(trade) and span in company.name[company.trade[0] : company.industry[1]]  # type: ignore[union-attr]
    if in_trade and (span == trade or (rule in _WHOLE and span in trade)):
        who = f"字号「{trade}」"
    elif in_trade and span in trade:
        who = f"字号「{trade}」中的「{span}」"
    else:
        who = f"{'字号' if in_trade else '名称'}「{span}」"
    values = {
        "who": who,
        "mark": f"商标「{term}」",
        "detail": detail,
        "pairs": "、".join(f"「{detail[i]}」形近「{detail[i + 1]}」" for i in range(0, len(detail) - 1, 2)),
    }
    template = RULES[rule].template if rule in RULES else "{who}与{mark}近似"
    if "_py}" in template:
        span_py, term_py, same = _readings(span, term, reading)
        values |= {"span_py": span_py, "term_py": term_py}
        if rule == "homophone" and not same:
            template = RULES["near_homophone"].template  # say 读音相同 only when the readings are the same
    text = template.format(**values).replace("（）", "")
    text += "".join(CLAUSES[r] for r in rules[1:] if r in CLAUSES)
    if "separator" in rules:
        seps = _separators(span)
        if seps:
            text += f"（分隔字符：{seps}）"
    if risk:
        text += "；含风险词「" + "」「".join(risk) + "」"
    return text
