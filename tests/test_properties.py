"""Normalisation and matching never crash, and the fast path never drops a hit."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brandwatch.match.text import tokenize

MARK_CHARS = "微众维伟卫重粒贷袋业夜花呗钡背借倍支付宝伏招商银行杭度小满筱曼眾滿奇富其骑"
names = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
# mark characters and their look-alikes, with separators, digits, letters and rarer things between them
near_names = st.text(
    alphabet=st.sampled_from(MARK_CHARS + "科技有限公司市区|-·\u200b❤ 和AIiWeb3①ก㈱\uf900\U000f0001\U00020000"),
    max_size=14,
)
cjk_only = st.text(alphabet=st.sampled_from(MARK_CHARS + "科技有限公司市区|-·\u200b❤ 和3①ก㈱\U000f0001"), max_size=14)
KINDS = st.sampled_from(["company", "app", "account"])
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(name=names, kind=KINDS)
def test_any_unicode(matcher, name, kind):
    for hit in matcher.match(name, kind):
        assert hit.span and hit.span in name


@FAST
@given(name=st.one_of(near_names, cjk_only), kind=KINDS)
def test_fast_path_agrees_with_full_path(matcher, name, kind):
    assert matcher.match(name, kind) == matcher.match(name, kind, prefilter=False)


@FAST
@given(names=st.lists(st.one_of(near_names, cjk_only, names), max_size=20))
def test_batch_fast_path_agrees(matcher, names):
    kinds = ["app"] * len(names)
    expected = {i: h for i, n in enumerate(names) if (h := matcher.match(n, "app", prefilter=False))}
    assert matcher.match_many(names, kinds) == expected


@FAST
@given(name=names)
def test_token_offsets_lie_inside_the_name(name):
    tok = tokenize(name)
    for t in tok.tokens:
        assert 0 <= t.start < t.end <= len(name)
    for w in tok.words:
        assert 0 <= w.start < w.end <= len(name)


def test_long_and_empty_names(matcher):
    assert matcher.match("", "company") == []
    long = "维众" + "华" * 10_000 + "微|众"
    hits = matcher.match(long, "app")
    assert hits and hits[0].mark_id == "weizhong"
    assert matcher.match("\u200b" * 10_000, "account") == []
    assert matcher.match("a" * 10_000, "app") == []


@pytest.mark.parametrize("names", [
    ["\x00", "伟众"],  # found by hypothesis: a name that is only NUL shifted the next one's offsets
    ["微众", "\x00", "伟众"],
    ["a\x00b伟众", "伟\x00众"],
    ["\x00\x00", "北京伟众科技有限公司"],
])
@pytest.mark.parametrize("kind", ["app", "company"])
def test_batches_with_nul_agree(matcher, names, kind):
    expected = {i: h for i, n in enumerate(names) if (h := matcher.match(n, kind, prefilter=False))}
    assert matcher.match_many(names, [kind] * len(names)) == expected
