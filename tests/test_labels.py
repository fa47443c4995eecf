"""One label table: every severity, review status and matcher rule has its Chinese word beside the code."""

from __future__ import annotations

import pytest

from brandwatch.labels import RULE, SEVERITY, STATUS, rule_label, severity_label, status_label, verdict_label
from brandwatch.match.rules import RULES
from brandwatch.review import STATUSES


def test_every_code_has_a_label():
    assert set(RULE) == set(RULES)
    assert set(STATUS) == set(STATUSES)
    assert set(SEVERITY) == {"high", "medium", "low"}


@pytest.mark.parametrize(("label", "code", "text"), [
    (severity_label, "high", "高 high"),
    (severity_label, "medium", "中 medium"),
    (status_label, "confirmed", "已确认 confirmed"),
    (status_label, "complaint_filed", "已投诉 complaint_filed"),
    (status_label, "some_new_status", "some_new_status"),  # unknown: shown as it is, never dropped
    (rule_label, "homophone", "homophone 同音"),
    (rule_label, "homophone+separator", "homophone 同音 + separator 符号分隔"),
    (rule_label, "contains+nosuch", "contains 包含 + nosuch"),
    (verdict_label, "no_match", "未发现近似 no match"),
    (severity_label, "", ""),
    (rule_label, None, ""),
])
def test_labels(label, code, text):
    assert label(code) == text
