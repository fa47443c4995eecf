"""The README's rules table is the rule registry's (one fact, one place)."""

from __future__ import annotations

from pathlib import Path

from brandwatch.match.rules import RULES, rules_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_rules_table_is_the_registry():
    text = README.read_text(encoding="utf-8")
    assert rules_table() in text, "README's rules table differs from match/rules.py: paste rules_table() into it"


def test_every_rule_is_whole():
    for rule in RULES.values():
        assert rule.score > 0 and rule.basis and rule.detects and "{who}" in rule.template
        assert rule.accepts is not None or rule.detector, f"{rule.name}: no detector"
        if rule.name != "contains":
            assert rule.generate is not None, f"{rule.name}: no variant generator"
