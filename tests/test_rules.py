"""Every rule and every must-not of the matcher, as tables."""

from __future__ import annotations

import pytest

# name, kind, mark id expected, rule expected among the hit's rules
MUST_REPORT = [
    # containment of a mark or alias
    ("湖北微众信联信息科技有限公司", "company", "weizhong", "contains"),
    ("微众易贷", "app", "weizhong", "contains"),
    ("湖北微众森态信息科技集团有限公司", "company", "weizhong", "contains"),
    ("微众众诚企业管理(武汉)有限公司", "company", "weizhong", "contains"),
    ("星微众网络科技(武汉)有限公司", "company", "weizhong", "contains"),
    ("微众银行官方客服", "account", "weizhong", "contains"),
    # same toneless pinyin over every reading of a polyphone
    ("维众", "app", "weizhong", "homophone"),
    ("微重", "app", "weizhong", "homophone"),  # 重 zhong/chong
    ("招商银杭", "app", "cmb", "homophone"),  # 行 hang/xing
    ("郑州市维众法律咨询有限公司", "company", "weizhong", "homophone"),
    ("武汉维中信用管理有限公司", "company", "weizhong", "homophone"),  # 中信 is a word, but so is 信用
    ("维中信用修复", "account", "weizhong", "homophone"),
    ("支伏宝信用管理（北京）集团有限公司", "company", "alipay", "homophone"),
    # near-homophones
    ("维宗", "app", "weizhong", "near_homophone"),
    # similar shape
    ("徽粒贷", "app", "weilidai", "shape_similar"),
    ("微业货", "app", "weiyedai", "shape_similar"),
    # traditional and variant characters
    ("微眾", "app", "weizhong", "traditional"),
    ("度小滿", "app", "duxiaoman", "traditional"),
    # reordering, insertion, separators, zero-width, emoji
    ("众微", "app", "weizhong", "reordered"),
    ("微和众", "app", "weizhong", "insertion"),
    ("微|众", "account", "weizhong", "separator"),
    ("花\u200b呗", "account", "huabei", "separator"),
    ("借❤呗", "account", "jiebei", "separator"),
    ("招 商 银 行极速版", "app", "cmb", "separator"),
    # pinyin in Latin letters, mixed scripts
    ("Weizhong", "app", "weizhong", "pinyin"),
    ("wei zhong", "app", "weizhong", "pinyin"),
    ("hua呗", "app", "huabei", "pinyin"),
    ("WeiLiDai-信用借款", "app", "weilidai", "pinyin"),
    ("DuXiaoMan（官方）", "app", "duxiaoman", "contains"),
    # Latin aliases: look-alike letters and small edits
    ("W3Bank", "app", "weizhong", "lookalike"),
    ("AIipay", "app", "alipay", "lookalike"),  # capital I for l
    ("\u0410lipay", "app", "alipay", "lookalike"),  # Cyrillic А
    ("Alipayy", "app", "alipay", "contains"),
    ("Alipy钱包", "app", "alipay", "misspelling"),
    ("ＡＬＩＰＡＹ", "app", "alipay", "contains"),  # full-width
    ("We Bank借钱", "app", "weizhong", "separator"),
    ("WeizhongBank", "app", "weizhong", "pinyin"),  # pinyin beside an English word
    ("weizhong666客服", "account", "weizhong", "pinyin"),  # pinyin beside digits
    ("微3众", "app", "weizhong", "separator"),
    ("招行客服热线", "account", "cmb", "contains"),
    # the owner's full name used by a "customer service" or "debt help" front is not the owner
    ("招商银行股份有限公司官方客服停息挂账协商", "account", "cmb", "contains"),
    ("深圳前海微众银行股份有限公司逾期协商中心", "account", "weizhong", "contains"),
    ("支付宝(中国)网络技术有限公司退款客服", "account", "alipay", "contains"),
]

MUST_NOT = [
    # one character or one syllable in common with a mark
    ("众邦", "app"),
    ("微医", "app"),
    ("花旗", "app"),
    ("奇虎", "app"),
    ("湖北众邦科技有限公司", "company"),
    # a generic word that is only part of a mark
    ("支付", "app"),
    ("招商蛇口", "app"),
    ("招商蛇口科技（武汉）有限公司", "company"),
    ("小满科技", "app"),
    ("微粒", "app"),
    ("微粒科技（长沙）股份有限公司", "company"),
    # across the division / trade-name boundary
    ("微山县众合商贸有限公司", "company"),
    ("湖北", "app"),
    ("湖北华信科技有限公司", "company"),
    # a common word with its own meaning that sounds like a mark
    ("华北制药股份有限公司", "company"),
    # sounds that line up only across two words of the name
    ("北汽福田汽车股份有限公司", "company"),
    ("财富奇迹", "app"),
    # the owner's allowlisted entities and their branches
    ("深圳前海微众银行股份有限公司", "company"),
    ("招商银行股份有限公司", "company"),
    ("招商银行股份有限公司北京分行", "company"),
    ("招商银行股份有限公司深圳南山支行", "company"),
    ("支付宝(中国)网络技术有限公司", "company"),
    ("招商银行股份有限公司信用卡中心", "company"),  # a unit of the allowlisted entity
    ("微山县众合商贸", "company"),
    # Latin words that are not the alias
    ("Webex官方版", "app"),
    ("WeWork助手", "app"),
    ("Qiwi分期", "app"),
    ("Alibaba Cloud钱包", "app"),
    ("", "app"),
]


@pytest.mark.parametrize(("name", "kind", "mark_id", "rule"), MUST_REPORT)
def test_reports(matcher, name, kind, mark_id, rule):
    hits = {h.mark_id: h for h in matcher.match(name, kind)}
    assert mark_id in hits, f"{name!r} not reported for {mark_id}"
    hit = hits[mark_id]
    assert rule in hit.rules, f"{name!r}: expected rule {rule}, got {hit.rules}"
    assert hit.explanation and hit.span
    assert 0 <= hit.score <= 100 and hit.severity in ("high", "medium", "low")


@pytest.mark.parametrize(("name", "kind"), MUST_NOT)
def test_does_not_report(matcher, name, kind):
    assert matcher.match(name, kind) == []


SEVERITY = [
    # containment plus a risk term is high
    ("微众银行官方客服", "account", "weizhong", "high"),
    # a homophone in an unrelated trade is low
    ("佛山市维中五金制品厂", "company", "weizhong", "low"),
    # a homophone of a mark in a finance business is at least medium
    ("郑州市维众法律咨询有限公司", "company", "weizhong", "medium"),
]


@pytest.mark.parametrize(("name", "kind", "mark_id", "severity"), SEVERITY)
def test_severity(matcher, name, kind, mark_id, severity):
    hits = {h.mark_id: h for h in matcher.match(name, kind)}
    assert hits[mark_id].severity == severity


EXPLANATIONS = [
    ("郑州市维众法律咨询有限公司", "company", "字号「维众」与商标「微众」读音相同"),
    ("徽粒贷", "app", "「徽」形近「微」"),
    ("微众银行官方客服", "account", "含风险词"),
    ("微和众", "app", "插入「和」"),
]


@pytest.mark.parametrize(("name", "kind", "fragment"), EXPLANATIONS)
def test_explanations(matcher, name, kind, fragment):
    assert any(fragment in h.explanation for h in matcher.match(name, kind))


def test_span_is_the_names_own_text(matcher):
    (hit,) = matcher.match("武汉市江汉区微 众信联法律咨询工作室", "company")
    assert hit.span == "微 众"


ODD = ["维\ue815众", "花\ue815贝", "微\ud800众", "\udc00", "微〇众", "微a众"]


def test_prefilter_agrees_with_full_path(matcher):
    for name, kind, *_ in MUST_REPORT + [(n, k) for n, k in MUST_NOT] + [(n, "app") for n in ODD]:
        assert matcher.match(name, kind) == matcher.match(name, kind, prefilter=False)
