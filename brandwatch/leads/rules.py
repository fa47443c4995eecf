"""The rules leads add to the matcher's (``match/rules.py``): a hit's ``rule`` column may name them beside
the similarity rule that found the mark. Same fields as the matcher's rules, so the workspace and
``brandwatch show`` print their legal basis the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LeadRule:
    name: str
    score: int  # the least score a hit with this rule has
    basis: str  # the legal passage it rests on
    detects: str  # what it detects


LEAD_RULES: dict[str, LeadRule] = {r.name: r for r in (
    LeadRule("fake_contact", 95,
             "反不正当竞争法 第6条 (混淆行为: 擅自使用他人有一定影响的名称、标识); 商标法 第57条",
             "a phone number or web address beside the mark that is not among the owner's official contacts"),
    LeadRule("related", 60,
             "关联主体: 同一实际控制人经营的企业 (共同侵权, 民法典 第1168条)",
             "a listing linked to a confirmed imitator by a shared legal representative, shareholder, address, "
             "phone, e-mail, WeChat id or website, even when its name matches no mark"),
)}


def all_rules() -> dict[str, Any]:
    """Every rule a hit's rule column may name: the matcher's, then the leads'; each has name, score, basis and
    detects."""
    from ..match.rules import RULES

    return {**RULES, **LEAD_RULES}
