"""The words people read beside brandwatch's codes: one table for exports, reports, alerts and screen.

Data keeps the codes (``high``, ``confirmed``, ``homophone``): they are what
the commands take and what programs filter on. People get the Chinese word
with the code beside it, so a lawyer reads 高 and can still type ``high``:

- severity and status: Chinese first, ``高 high``, ``已确认 confirmed``;
- rule: the code first, ``homophone 同音`` (a rule is named after what it
  detects; its legal basis is in match/rules.py and the README);
- a code this table does not know is shown as it is, never dropped.

Pure data and string functions: imported by every layer that shows text.
``tests/test_labels.py`` checks that every severity, review status and
matcher rule has a label.
"""

from __future__ import annotations

SEVERITY = {"high": "高", "medium": "中", "low": "低"}

STATUS = {
    "new": "新发现", "confirmed": "已确认", "dismissed": "误报", "allowlisted": "白名单",
    "complaint_filed": "已投诉", "letter_sent": "已发函", "suit_filed": "已起诉", "judgment": "已判决",
    "name_changed": "已更名", "deregistered": "已注销", "removed": "已下架", "reemerged": "再次出现",
}

# after the legal bases' own words (审查指南: 读音相同, 字形相近, 排列顺序不同 …)
RULE = {
    "contains": "包含", "traditional": "繁体", "separator": "符号分隔", "numeral": "数字写法",
    "homophone": "同音", "near_homophone": "近音", "shape_similar": "形近", "reordered": "顺序颠倒",
    "insertion": "插字", "pinyin": "拼音", "lookalike": "形似字母", "misspelling": "拼写近似",
}

# screen --all: what became of each input row
VERDICT = {"match": "近似", "no_match": "未发现近似", "no_name": "无名称"}

# the report's source health
FLAG = {
    "blocked": "被反爬拦截 blocked by an anti-bot wall",
    "failing": "最近一次运行失败 last run failed",
    "no_results": "每次运行均无结果 no listings in any run",
    "not_run": "本周未运行 did not run this week",
}
FLAG_SHORT = {"blocked": "被拦截 blocked", "failing": "失败 failing", "no_results": "无结果 no results",
              "not_run": "未运行 not run"}


def _chinese_first(table: dict[str, str], code: str | None) -> str:
    if not code:
        return ""
    word = table.get(code)
    return f"{word} {code}" if word else code


def severity_label(code: str | None) -> str:
    """``高 high``."""
    return _chinese_first(SEVERITY, code)


def status_label(code: str | None) -> str:
    """``已确认 confirmed``."""
    return _chinese_first(STATUS, code)


def verdict_label(code: str | None) -> str:
    """``近似 match``, ``未发现近似 no match``."""
    return _chinese_first(VERDICT, code).replace("_", " ")


def rule_label(rule: str | None) -> str:
    """``homophone 同音``; rules joined with ``+`` stay joined: ``homophone 同音 + separator 符号分隔``."""
    if not rule:
        return ""
    return " + ".join(f"{r} {RULE[r]}" if r in RULE else r for r in rule.split("+"))
