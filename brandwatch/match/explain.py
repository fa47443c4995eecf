"""One line a lawyer can read, in Chinese, saying why a name was reported.

e.g. 字号「维众」与商标「微众」读音相同（wéi zhòng / wēi zhòng）
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from .names import CompanyName

# rule → sentence; {who} is 字号「…」 or 名称「…」, {mark} is 商标「…」
TEMPLATES: dict[str, str] = {
    "contains": "{who}包含{mark}",
    "traditional": "{who}为{mark}的繁体或异体写法",
    "separator": "{who}以空格、符号或不可见字符隔开{mark}",
    "homophone": "{who}与{mark}读音相同（{span_py} / {term_py}）",
    "near_homophone": "{who}与{mark}读音相近（{span_py} / {term_py}）",
    "shape_similar": "{who}与{mark}字形相近（{pairs}）",
    "reordered": "{who}由{mark}的字颠倒顺序组成",
    "insertion": "{who}在{mark}中间插入「{detail}」",
    "pinyin": "{who}为{mark}的拼音写法（{term_py}）",
    "lookalike": "{who}以形似字母或数字仿写英文{mark}",
    "misspelling": "{who}与英文{mark}仅差一个字母",
}
# secondary rules add a clause
CLAUSES = {"separator": "，并以符号或空格隔开", "traditional": "，并使用繁体或异体字"}


@lru_cache(maxsize=4096)
def _py(text: str) -> str:
    return " ".join(p for p in lazy_pinyin(text, style=Style.TONE, errors="ignore") if p.strip())


def explain(rule: str, rules: tuple[str, ...], span: str, term: str, detail: str, company: CompanyName | None,
            risk: tuple[str, ...]) -> str:
    """The explanation for one hit. ``detail``: the inserted character, or look-alike pairs (徽微)."""
    in_trade = company is not None and span in company.name[company.trade[0] : company.industry[1]]
    values = {
        "who": f"{'字号' if in_trade else '名称'}「{span}」",
        "mark": f"商标「{term}」",
        "detail": detail,
        "pairs": "、".join(f"「{detail[i]}」形近「{detail[i + 1]}」" for i in range(0, len(detail) - 1, 2)),
    }
    template = TEMPLATES.get(rule, "{who}与{mark}近似")
    if "_py}" in template:
        values |= {"span_py": _py(span), "term_py": _py(term)}
    text = template.format(**values)
    text += "".join(CLAUSES[r] for r in rules[1:] if r in CLAUSES)
    if risk:
        text += "；含风险词「" + "」「".join(risk) + "」"
    return text
