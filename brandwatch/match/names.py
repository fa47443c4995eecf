"""Split a registered enterprise name into its legal parts.

企业名称登记管理规定 (2020) Art. 6: an enterprise name is 行政区划 (division) +
字号 (trade name) + 行业或者经营特点 (industry) + 组织形式 (legal form), and the
division may also stand in brackets after the trade name (微业袋法律咨询（成都）有限公司).
SAMR's comparison rules (企业名称相同相近比对规则) compare the 字号, so the
matcher does too: a mark split across division and trade name (微山县众合商贸:
微 belongs to 微山县) is not an imitation.

Division names come from the national administrative-division codes
(data/divisions.json); forms and industry words from data/company_parts.json.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .tables import company_parts, divisions, nfkc

_BRACKETS = re.compile(r"[（(]([^（）()]{1,12})[）)]")


@dataclass(frozen=True)
class CompanyName:
    """Offsets into the original name; ``trade`` may be empty when nothing is left."""

    name: str
    region: tuple[int, int]  # leading division, (0, 0) if none
    trade: tuple[int, int]  # 字号
    industry: tuple[int, int]  # 行业, directly after the trade name
    form: str  # 组织形式, e.g. 有限公司
    branch: str  # 分公司, 分行 ... when the name is a branch

    @property
    def trade_name(self) -> str:
        return self.name[self.trade[0] : self.trade[1]]

    @property
    def industry_name(self) -> str:
        return self.name[self.industry[0] : self.industry[1]]

    @property
    def region_name(self) -> str:
        return self.name[self.region[0] : self.region[1]]


@cache
def _division_names() -> tuple[str, ...]:
    full, short = divisions()
    return tuple(sorted(full | short, key=len, reverse=True))


@cache
def _longest_first(key: str) -> tuple[str, ...]:
    return tuple(sorted(company_parts()[key], key=len, reverse=True))


def _folded(name: str) -> str:
    """Half-width brackets and NFKC per character, same length as ``name``."""
    return "".join(c if len(c) == 1 else "?" for c in (nfkc(ch) for ch in name)).replace("(", "（").replace(
        ")", "）"
    )


def _strip_suffix(text: str, end: int, words: tuple[str, ...], floor: int) -> tuple[int, str]:
    for w in words:
        if end - len(w) >= floor and text.endswith(w, floor, end):
            return end - len(w), w
    return end, ""


def split_company_name(name: str) -> CompanyName:
    """Find the division, trade name, industry and legal form of an enterprise name."""
    text = _folded(name)
    start, end = 0, len(text)
    # branch suffix, then the legal form: 招商银行股份有限公司北京分行
    end, branch = _strip_suffix(text, end, _longest_first("branches"), 0)
    if branch:
        # the branch's own place name sits between the form and the suffix; the
        # head office is what the name imitates or is
        for form in _longest_first("forms"):
            k = text.rfind(form, 0, end)
            if k > 0:
                end = k + len(form)
                break
    end, form = _strip_suffix(text, end, _longest_first("forms"), 1)
    # a division in brackets before the form or after the trade name
    for m in reversed(list(_BRACKETS.finditer(text, 0, end))):
        inner = m.group(1)
        if m.end() == end and (inner in divisions()[0] or inner in divisions()[1]):
            end = m.start()
            break
    # leading divisions (上海市浦东新区), as long as ≥2 characters are left
    names = _division_names()
    cuts = [start]
    moved = True
    while moved:
        moved = False
        for d in names:
            if text.startswith(d, start) and end - (start + len(d)) >= 2:
                start += len(d)
                cuts.append(start)
                moved = True
                break
    # industry words at the end of what is left (金融服务外包 服务), keeping ≥2 characters of trade name
    trade_end = end
    industries = _longest_first("industries")
    moved = True
    while moved:
        moved = False
        for w in industries:
            if trade_end - len(w) - start >= 2 and text.endswith(w, start, trade_end):
                trade_end -= len(w)
                moved = True
                break
    # nothing but an industry word left (天河科技): the last "division" was the trade name
    if len(cuts) > 1 and trade_end == end and text[start:end] in industries:
        trade_end, start = start, cuts[-2]
    region = (0, start)
    # a bracketed division inside what is left (微业袋法律咨询（成都）)
    m = _BRACKETS.search(text, start, trade_end)
    if m and m.start() - start >= 2 and (m.group(1) in divisions()[0] or m.group(1) in divisions()[1]):
        trade_end = m.start()
    return CompanyName(name, region, (start, trade_end), (trade_end, end), form, branch)
