"""Mentions of marks in long texts: the same rules as names, found at their place, linear in the text."""

from __future__ import annotations

from itertools import pairwise

import pytest

from brandwatch.config import load_watchlists
from brandwatch.leads.mentions import OVERLAP, WINDOW, find_mentions, pieces
from brandwatch.match import Matcher


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_watchlists("watchlists"))


@pytest.mark.parametrize(("text", "expected"), [
    ("微众银行官方客服，专业处理停息挂账。", [("weizhong", "contains", "微众银行")]),
    ("我在薇众银行借了钱，现在还不上。", [("weizhong", "homophone", "薇众银行")]),
    ("花 呗逾期了怎么办？借呗也还不上", [("huabei", "separator", "花 呗"), ("jiebei", "contains", "借呗")]),
    ("招商银杭客服说可以协商", [("cmb", "homophone", "招商银杭")]),
    ("有人说微粒代可以下款", [("weilidai", "homophone", "微粒代")]),
    ("WeBank customer service, weizhong kefu", [("weizhong", "contains", "WeBank"),
                                                 ("weizhong", "pinyin", "weizhong")]),
    # ordinary words that sound like a mark are not mentions (因为|中国 reads wei zhong)
    ("因为中国的经济形势不好，今天天气很好。", []),
    ("我们去公园散步，湖北的花很多。", []),
])
def test_mentions_by_the_rules_of_names(matcher: Matcher, text: str, expected: list[tuple[str, str, str]]) -> None:
    found = find_mentions(matcher, text)
    assert [(m.hit.mark_id, m.hit.rules[0], m.hit.span) for m in found] == expected
    for m in found:
        assert text[m.start:m.end] == m.hit.span


def test_a_mention_across_a_window_edge_is_found(matcher: Matcher) -> None:
    # one long clause (no punctuation): the mark stands across every possible window edge in turn
    for at in range(WINDOW - 6, WINDOW + 2):
        text = "这" * at + "微众银行" + "那" * 80
        found = find_mentions(matcher, text)
        assert [(m.hit.mark_id, m.start) for m in found] == [("weizhong", at)], at


def test_pieces_cover_the_text_with_overlap() -> None:
    text = "甲" * 500 + "。" + "乙" * 10
    parts = pieces(text)
    assert parts[-1] == (501, "乙" * 10)
    long = [p for p in parts if p[0] < 500]
    assert all(len(p) <= WINDOW for _, p in long)
    for (a, pa), (b, _) in pairwise(long):
        assert b == a + WINDOW - OVERLAP and a + len(pa) - b == OVERLAP
    assert long[-1][0] + len(long[-1][1]) == 500


def test_cost_is_linear_in_the_text(matcher: Matcher) -> None:
    # the matcher reads pieces of bounded size: ten times the text is ten times the pieces
    unit = "今天去银行办事，排队很久。工作人员说最近有很多人被骗，大家一定要小心。微众银行客服电话是95384。"
    small, big = pieces(unit * 20), pieces(unit * 200)
    assert len(big) == 10 * len(small)
    assert max(len(p) for _, p in big) <= WINDOW
    assert len(find_mentions(matcher, unit * 200)) == 200
