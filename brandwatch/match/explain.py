"""One line a lawyer can read, in Chinese, saying why a name was reported.

e.g. 字号「维众」与商标「微众」读音相同（wéi zhòng / wēi zhòng）
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def _py(text: str) -> str:
    return " ".join(p for p in lazy_pinyin(text, style=Style.TONE, errors="ignore") if p.strip())


def explain(rule: str, rules: tuple[str, ...], span: str, term: str, detail: str, company, risk) -> str:
    """The explanation for one hit."""
    part = "字号" if company is not None and company.trade_name and span in company.name[
        company.trade[0] : company.industry[1]
    ] else "名称"
    who = f"{part}「{span}」"
    mark = f"商标「{term}」"
    if rule == "contains":
        text = f"{who}包含{mark}"
    elif rule == "traditional":
        text = f"{who}为{mark}的繁体或异体写法"
    elif rule == "separator":
        text = f"{who}以空格、符号或不可见字符隔开{mark}"
    elif rule == "homophone":
        text = f"{who}与{mark}读音相同（{_py(span)} / {_py(term)}）"
    elif rule == "near_homophone":
        text = f"{who}与{mark}读音相近（{_py(span)} / {_py(term)}）"
    elif rule == "shape_similar":
        pairs = "、".join(f"「{detail[i]}」形近「{detail[i + 1]}」" for i in range(0, len(detail), 2))
        text = f"{who}与{mark}字形相近（{pairs}）"
    elif rule == "reordered":
        text = f"{who}由{mark}的字颠倒顺序组成"
    elif rule == "insertion":
        text = f"{who}在{mark}中间插入「{detail}」"
    elif rule == "pinyin":
        text = f"{who}为{mark}的拼音写法（{_py(term)}）"
    elif rule == "lookalike":
        text = f"{who}以形似字母或数字仿写英文{mark}"
    elif rule == "misspelling":
        text = f"{who}与英文{mark}仅差一个字母"
    else:
        text = f"{who}与{mark}近似"
    extra = [r for r in rules[1:]]
    if "separator" in extra:
        text += "，并以符号或空格隔开"
    if "traditional" in extra:
        text += "，并使用繁体或异体字"
    if risk:
        text += "；含风险词「" + "」「".join(risk) + "」"
    return text
