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
import unicodedata
from dataclasses import dataclass

from .memo import table
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


class _Words:
    """A set of words looked up by length, longest first: O(number of lengths) per probe."""

    def __init__(self, words: frozenset[str] | tuple[str, ...]) -> None:
        self.words = frozenset(words)
        self.lengths = sorted({len(w) for w in self.words}, reverse=True)

    def prefix(self, text: str, start: int, end: int) -> str:
        """The longest word that ``text[start:end]`` starts with, or ''."""
        for n in self.lengths:
            if start + n <= end and text[start : start + n] in self.words:
                return text[start : start + n]
        return ""

    def suffix(self, text: str, start: int, end: int) -> str:
        """The longest word that ``text[start:end]`` ends with, or ''."""
        for n in self.lengths:
            if end - n >= start and text[end - n : end] in self.words:
                return text[end - n : end]
        return ""


@table
def _table(key: str) -> _Words:
    if key == "divisions":
        full, short = divisions()
        return _Words(full | short)
    if key == "industries":  # the hand list of company_parts.json and the GB/T 4754-2017 terms
        from .lexicon import industry_terms

        return _Words((*company_parts()[key], *industry_terms()))
    return _Words(company_parts()[key])


def _folded(name: str) -> str:
    """Half-width brackets and NFKC per character, same length as ``name``."""
    if unicodedata.is_normalized("NFKC", name):
        return name.replace("(", "（").replace(")", "）")
    return "".join(c if len(c) == 1 else "?" for c in (nfkc(ch) for ch in name)).replace("(", "（").replace(
        ")", "）"
    )


def split_company_name(name: str) -> CompanyName:
    """Find the division, trade name, industry and legal form of an enterprise name."""
    text = _folded(name)
    start, end = 0, len(text)
    divs, forms, industries = _table("divisions"), _table("forms"), _table("industries")
    # branch suffix, then the legal form: 招商银行股份有限公司北京分行
    branch = _table("branches").suffix(text, 0, end)
    if branch:
        end -= len(branch)
        # the branch's own place name sits between the form and the suffix; the
        # head office is what the name imitates or is
        for form in sorted(forms.words, key=len, reverse=True):
            k = text.rfind(form, 0, end)
            if k > 0:
                end = k + len(form)
                break
    form = forms.suffix(text, 1, end)
    end -= len(form)
    # a division in brackets before the form: 微业袋法律咨询（成都）有限公司
    m = _BRACKETS.search(text, 0, end)
    while m and m.end() != end:
        m = _BRACKETS.search(text, m.end(), end)
    if m and m.group(1) in divs.words:
        end = m.start()
    # leading divisions (上海市浦东新区), as long as ≥2 characters are left
    cuts = [start]
    while (d := divs.prefix(text, start, end)) and end - (start + len(d)) >= 2:
        start += len(d)
        cuts.append(start)
    # industry words at the end of what is left (金融服务外包 服务), keeping ≥2 characters of trade name
    trade_end = end
    while (w := industries.suffix(text, start + 2, trade_end)):
        trade_end -= len(w)
    # nothing but an industry word left (天河科技, 长安汽车金融): the last "division" was the trade name
    # (only a short form: 厦门市 is never a trade name, 长安 may be)
    if len(cuts) > 1 and text[cuts[-2] : start] not in divisions()[0] and (
            text[start:end] in industries.words or text[start:trade_end] in industries.words):
        trade_end, start = start, cuts[-2]
    region = (0, start)
    # a bracketed division inside what is left (微业袋法律咨询（成都）)
    m = _BRACKETS.search(text, start, trade_end)
    if m and m.start() - start >= 2 and m.group(1) in divs.words:
        trade_end = m.start()
    return CompanyName(name, region, (start, trade_end), (trade_end, end), form, branch)
