"""Every variant the generator proposes is one the matcher reports, under the same mark."""

from __future__ import annotations

import pytest

from brandwatch.match.variants import generate_variants

MARKS = [("weizhong", ("微众", "微众银行", "WeBank")), ("alipay", ("支付宝", "Alipay")), ("cmb", ("招商银行", "招行"))]


@pytest.mark.parametrize(("mark_id", "terms"), MARKS)
def test_variants_are_detected(matcher, mark_id, terms):
    variants = generate_variants(terms, limit=200)
    assert len(variants) == 200
    missed = [(v.text, v.rule) for v in variants if mark_id not in {h.mark_id for h in matcher.match(v.text, "app")}]
    assert not missed


def test_ranked_and_labelled():
    vs = generate_variants("微众", limit=None)
    assert [v.score for v in vs] == sorted((v.score for v in vs), reverse=True)
    rules = {v.rule for v in vs}
    assert rules >= {"homophone", "near_homophone", "shape_similar", "traditional", "reordered", "insertion",
                     "separator", "pinyin"}
    assert vs[0].rule == "homophone"
    texts = [v.text for v in vs]
    assert texts.index("维众") < texts.index("嵬众")
    assert len(texts) == len(set(texts))


def test_latin_variants():
    vs = {v.text: v.rule for v in generate_variants("WeBank", limit=None)}
    assert vs["W3Bank"] == "lookalike" and vs["WeBnk"] == "misspelling"
