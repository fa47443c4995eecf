"""The matcher's rules hold for any brand owner: made-up owners and marks, one table per behaviour.

None of these marks is in the shipped watchlists or the eval set: a rule that works only for the
marks it was tuned on fails here.
"""

from __future__ import annotations

import re

import pytest

from brandwatch import Matcher
from brandwatch.config import default_risk_terms
from brandwatch.errors import ConfigError
from brandwatch.match import split_company_name
from brandwatch.match.latin import read_domain
from brandwatch.match.lexicon import industry_sections
from brandwatch.match.rules import RULES
from brandwatch.match.tables import divisions
from brandwatch.models import Mark, Watchlist

from .conftest import ROOT

WATCHLISTS = (
    # a bank: 行 at the end read háng; a two-letter alias; a coined Latin alias with an l
    Watchlist("丰瑞银行股份有限公司", (Mark("fengrui", "丰瑞银行", ("KR", "Fenlix")),),
              ("丰瑞银行股份有限公司",), "fengrui.yaml"),
    # a lending app: 还 at the start read huán; 乐 in the middle read lè
    Watchlist("还薪网络科技有限公司", (Mark("huanxin", "还薪"), Mark("yiledai", "易乐贷")), (), "huanxin.yaml"),
    # digits, and a generic rest (分期) that is no mark on its own
    Watchlist("五一零数科有限公司", (Mark("n510", "510分期"),), (), "n510.yaml"),
    # two characters; a Latin alias made of English words
    Watchlist("鑫橙金融信息服务有限公司", (Mark("xincheng", "鑫橙", ("GoldPay",)),), (), "xincheng.yaml"),
    # three-character marks with look-alike characters (小/少, 云/去, 千/十/干)
    Watchlist("小橙数科有限公司", (Mark("xiaocheng", "小橙贷"), Mark("yunyi", "云易付"), Mark("qianxian", "千线宝")),
              (), "xiaocheng.yaml"),
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(WATCHLISTS, risk_terms=default_risk_terms())


@pytest.fixture(scope="module")
def stated() -> Matcher:
    """The same lending marks with the readings the owner states, against the dictionary's."""
    marks = (Mark("huanxin", "还薪", reading=("hai", "xin")), Mark("yiledai", "易乐贷", reading=("yi", "yue", "dai")))
    return Matcher([Watchlist("还薪网络科技有限公司", marks, (), "huanxin.yaml")], default_risk_terms())


def _hits(m: Matcher, name: str, kind: str) -> dict:
    return {h.mark_id: h for h in m.match(name, kind)}


# name, kind, mark id, rule expected among the hit's rules
REPORTS = [
    # 1. digits: the digits, Chinese numerals (ordinary, 大写), full-width digits, letters beside digits
    ("510分期", "app", "n510", "contains"),
    ("五一零分期", "app", "n510", "numeral"),
    ("伍壹零分期", "app", "n510", "numeral"),
    ("５１０分期", "app", "n510", "contains"),  # NFKC: the digits themselves, as ＡＬＩＰＡＹ is Alipay
    ("5l0分期", "app", "n510", "numeral"),  # l for 1
    ("5IO分期", "app", "n510", "numeral"),  # I for 1, O for 0
    ("510 分期", "app", "n510", "separator"),
    pytest.param("五一〇分期", "app", "n510", "numeral"),
    pytest.param("51O分期", "app", "n510", "numeral"),
    # 2. two-letter aliases: a whole token, beside the owner's trade
    ("KR贷款", "app", "fengrui", "contains"),
    ("kr贷款", "app", "fengrui", "contains"),
    ("KR银行", "app", "fengrui", "contains"),
    ("KR Bank", "app", "fengrui", "contains"),
    ("K.R贷款", "app", "fengrui", "separator"),
    ("Ｋ Ｒ贷款", "app", "fengrui", "separator"),
    # 3. readings: polyphones at the start (还 huán), middle (乐 lè) and end (行 háng, as in 银行)
    ("环薪", "app", "huanxin", "homophone"),
    ("易勒贷", "app", "yiledai", "homophone"),
    ("丰瑞银杭", "app", "fengrui", "homophone"),
    # 4. a rare word that sounds like the mark is reported in the owner's field; a coined one always
    ("环新贷款", "app", "huanxin", "homophone"),
    ("新盛贷款", "app", "xincheng", "homophone"),  # 盛 chéng
    ("欣橙", "app", "xincheng", "homophone"),
    ("欣橙", "company", "xincheng", "homophone"),
    # 5. shape: one look-alike among the mark's own characters
    ("少橙贷", "app", "xiaocheng", "shape_similar"),
    ("去易付", "app", "yunyi", "shape_similar"),
    ("十线宝", "app", "qianxian", "shape_similar"),
    # 6. Latin: pinyin in handles, look-alike letters and digits, misspellings, domains
    ("huanxinkefu", "account", "huanxin", "pinyin"),
    ("huanxinkf", "account", "huanxin", "pinyin"),
    ("xinchengkefu", "account", "xincheng", "pinyin"),
    ("HuanXin", "app", "huanxin", "pinyin"),
    pytest.param("huanxinhuankuan", "account", "huanxin", "pinyin"),
    ("FenIix", "app", "fengrui", "lookalike"),  # capital I for l
    ("Fen1ix", "app", "fengrui", "lookalike"),
    ("G0ldPay", "app", "xincheng", "lookalike"),
    ("GoldPey", "app", "xincheng", "misspelling"),
    ("fenlix.com", "domain", "fengrui", "contains"),
    ("fenlix.com", "account", "fengrui", "contains"),
    ("https://www.fenlix.com.cn/login", "domain", "fengrui", "contains"),
    ("fenlix-kefu.com", "domain", "fengrui", "contains"),
    # separators, visible and not
    ("还\u200b薪", "account", "huanxin", "separator"),
]

MUST_NOT = [
    # 1. the mark's generic rest, the digits alone, a longer number
    ("分期", "app"),
    ("510", "app"),
    ("五一零", "app"),
    ("1510分期", "app"),
    ("5100分期", "app"),
    # 2. two letters without the owner's trade (a risk word is no trade), or inside a longer word
    ("KR", "app"),
    ("KR服饰", "app"),
    ("KR官方客服", "account"),
    ("KRAB贷款", "app"),
    ("kristal贷款", "app"),
    pytest.param("krill贷款", "app"),
    # 3. the polyphone read the other way
    ("孩薪", "app"),
    ("易悦贷", "app"),
    ("丰瑞银星", "app"),
    # 4. ordinary words, places, words across the match
    ("欢欣", "app"),
    ("环新", "app"),
    ("新盛", "app"),
    ("佛山市环新五金制品有限公司", "company"),
    ("环薪镇", "app"),
    ("环薪村", "app"),
    ("环薪路", "app"),
    ("环薪古镇", "app"),
    ("欣橙镇", "app"),
    ("新盛店", "app"),  # a town
    ("新盛店贷款", "app"),  # still the town, even in the owner's field
    ("全新城市", "app"),
    ("全新城市贷款", "app"),
    # 5. a look-alike that makes an ordinary word
    ("干线宝", "app"),
    # 6. handles that go on as a place or a lone syllable; English words one letter from English words
    ("huanxinzhen", "account"),
    ("huanxinlu", "account"),
    ("huanxinjing", "account"),
    ("GoldBay", "app"),
    # the owner's own entity and its branches
    ("丰瑞银行股份有限公司", "company"),
    ("丰瑞银行股份有限公司杭州分行", "company"),
]


@pytest.mark.parametrize(("name", "kind", "mark_id", "rule"), REPORTS)
def test_reports(matcher, name, kind, mark_id, rule):
    hits = _hits(matcher, name, kind)
    assert mark_id in hits, f"{name!r} not reported for {mark_id}"
    assert rule in hits[mark_id].rules, f"{name!r}: expected {rule}, got {hits[mark_id].rules}"
    assert hits[mark_id].explanation and hits[mark_id].span


@pytest.mark.parametrize(("name", "kind"), MUST_NOT)
def test_does_not_report(matcher, name, kind):
    assert matcher.match(name, kind) == []


def _plain(rows):
    for row in rows:
        yield tuple(row.values) if hasattr(row, "values") else row


def test_prefilter_agrees_with_full_path(matcher):
    for name, kind, *_ in _plain(REPORTS + MUST_NOT):
        assert matcher.match(name, kind) == matcher.match(name, kind, prefilter=False), name


# -- 1. digits ----------------------------------------------------------------------


def test_digit_lookalike_is_not_traditional(matcher):
    hit = _hits(matcher, "5l0分期", "app")["n510"]
    assert hit.rules == ("numeral",) and "繁体" not in hit.explanation


@pytest.mark.parametrize("mark", ["620借条", "73同城", "510卡"])
def test_marks_with_a_run_of_digits_build(mark):
    m = Matcher([Watchlist("某公司", (Mark("d", mark),), (), "d.yaml")], default_risk_terms())
    assert "d" in _hits(m, mark, "app")


# -- 3. readings -------------------------------------------------------------------------

STATED = [
    ("孩薪", "huanxin", True),
    ("环薪", "huanxin", False),
    ("易悦贷", "yiledai", True),
    ("易勒贷", "yiledai", False),
]


@pytest.mark.parametrize(("name", "mark_id", "reported"), STATED)
def test_stated_reading_overrides_the_dictionary(stated, name, mark_id, reported):
    hits = _hits(stated, name, "app")
    assert (mark_id in hits) is reported
    if reported:
        assert hits[mark_id].rules == ("homophone",)


BAD_READINGS = [
    (("hai", "xun"), "reads 薪 as 'xun'"),
    (("huan",), "has 1 syllables but the name has 2 characters"),
]


@pytest.mark.parametrize(("reading", "reason"), BAD_READINGS)
def test_bad_reading_is_refused(reading, reason):
    with pytest.raises(ConfigError, match=re.escape(reason)) as e:
        Matcher([Watchlist("o", (Mark("a", "还薪", reading=reading),), (), "w.yaml")])
    assert str(e.value).startswith("w.yaml: marks[0].reading ")


# -- 6. domains ----------------------------------------------------------------------------


def test_punycode_domain_is_read_and_reported(matcher):
    host = "丰睿银行".encode("idna").decode()
    assert host.startswith("xn--")
    for name in (f"{host}.com", f"https://www.{host}.com.cn/login?x=1"):
        assert read_domain(name) == "丰睿银行"
        hit = _hits(matcher, name, "domain")["fengrui"]
        assert hit.rules == ("homophone",) and "读作「丰睿银行」" in hit.explanation


DOMAINS = [
    ("https://www.fenlix.com.cn/login", "fenlix"),
    ("fenlix-kefu.com", "fenlix kefu"),
    ("www.huanxin88.net", "huanxin 88"),
    ("fenlix", None),
]


@pytest.mark.parametrize(("name", "read"), DOMAINS)
def test_domain_drops_scheme_www_and_public_suffix(name, read):
    assert read_domain(name) == read


# -- 7. company names ----------------------------------------------------------------------

SPLITS = [
    ("杭州欣橙罐头食品有限公司", "杭州", "欣橙", "罐头食品"),
    ("佛山市环新五金制品有限公司", "佛山市", "环新", "五金制品"),
    ("宁波丰睿五金制品厂", "宁波", "丰睿", "五金制品"),
    ("环新汽车金融有限公司", "", "环新", "汽车金融"),
    ("上海环新科技有限公司", "上海", "环新", "科技"),
]


@pytest.mark.parametrize(("name", "region", "trade", "industry"), SPLITS)
def test_split_company_name(name, region, trade, industry):
    c = split_company_name(name)
    assert (c.region_name, c.trade_name, c.industry_name) == (region, trade, industry)


# two-character short forms of divisions that are also read as the division in these names (none today)
AMBIGUOUS_SHORT_FORMS: frozenset[str] = frozenset()


@pytest.mark.parametrize("template", ["{}科技有限公司", "{}汽车金融有限公司"])
def test_every_short_division_form_can_be_a_trade_name(template):
    shorts = sorted(s for s in divisions()[1] if len(s) == 2)
    assert len(shorts) > 1000
    wrong_ = [s for s in shorts if split_company_name(template.format(s)).trade_name != s]
    assert sorted(set(wrong_) - AMBIGUOUS_SHORT_FORMS) == []


# -- 8. severity ---------------------------------------------------------------------------

SEVERITY = [
    # 新诚 shares no character with 鑫橙: two characters that merely sound alike
    ("新诚", "app", {"low"}),
    ("杭州新诚有限公司", "company", {"low"}),
    ("新诚贷款", "app", {"medium", "high"}),
    ("杭州新诚金融信息服务有限公司", "company", {"medium", "high"}),
    ("心橙贷款", "app", {"high"}),
]


@pytest.mark.parametrize(("name", "kind", "severities"), SEVERITY)
def test_severity(matcher, name, kind, severities):
    assert _hits(matcher, name, kind)["xincheng"].severity in severities


@pytest.mark.parametrize("trade", ["童装", "物业", "玩具", "药房"])
def test_unrelated_trade_lowers_the_score(matcher, trade):
    sections = industry_sections(trade)
    assert sections and "J" not in sections  # GB/T 4754: not finance
    plain = _hits(matcher, "杭州心橙有限公司", "company")["xincheng"]
    other = _hits(matcher, f"杭州心橙{trade}有限公司", "company")["xincheng"]
    assert other.score < plain.score and other.severity == "low"


# -- 9. explanations -----------------------------------------------------------------------

EXPLANATIONS = [
    ("杭州欣橙罐头食品有限公司", "company", "字号「欣橙」与商标「鑫橙」读音相同"),
    ("佛山市心橙五金制品有限公司", "company", "字号「心橙」"),
    ("环薪", "app", "读音相同（huán xīn / huán xīn）"),
    ("丰瑞银杭", "app", "yín háng / fēng ruì yín háng"),
    ("鑫晨", "app", "读音相近（xīn chén / xīn chéng）"),
    ("FenIix", "app", "大写字母 I（U+0049），商标为小写字母 l（U+006C）"),
    ("Fen1ix", "app", "数字 1"),
    ("还\u200b薪", "account", "U+200B"),
    ("少橙贷", "app", "「少」形近「小」"),
    ("伍壹零分期", "app", "汉字数字"),
]


@pytest.mark.parametrize(("name", "kind", "fragment"), EXPLANATIONS)
def test_explanations(matcher, name, kind, fragment):
    assert any(fragment in h.explanation for h in matcher.match(name, kind)), matcher.match(name, kind)


@pytest.mark.parametrize("name", ["鑫晨", "欣晨贷款"])
def test_near_homophone_never_says_same_sound(matcher, name):
    hit = _hits(matcher, name, "app")["xincheng"]
    assert hit.rules[0] == "near_homophone" and "读音相同" not in hit.explanation


# -- 10. the rule registry and the README ---------------------------------------------------


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_is_complete(name):
    rule = RULES[name]
    assert rule.name == name and 0 < rule.score <= 100
    assert rule.basis.startswith("审查指南") and rule.detects
    assert "{who}" in rule.template and "{mark}" in rule.template


def _readme_rules() -> dict[str, tuple[str, int]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## The rules", 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            out[cells[0].strip("`")] = (cells[2], int(cells[3]))
    return out


def test_readme_rules_table_matches_the_registry():
    assert _readme_rules() == {name: (r.basis, r.score) for name, r in RULES.items()}


# -- 11. load errors and warnings ------------------------------------------------------------

LOAD_ERRORS = [
    ((Mark("a", "薪"),), "marks[0].name '薪'", "is one character"),
    ((Mark("a", "还薪", ("薪",)),), "marks[0].aliases[0] '薪'", "is one character"),
    ((Mark("a", "还薪", ("钱多多", "K")),), "marks[0].aliases[1] 'K'", "has one letter"),
    ((Mark("a", "还薪"), Mark("b", "易乐贷", ("Ｋ",))), "marks[1].aliases[0] 'Ｋ'", "has one letter"),
    ((Mark("a", "还薪", ("还薪Pay",)),), "marks[0].aliases[0] '还薪Pay'", "mixes Chinese characters and Latin"),
]


@pytest.mark.parametrize(("marks", "key", "reason"), LOAD_ERRORS)
def test_unusable_form_is_refused(marks, key, reason):
    with pytest.raises(ConfigError) as e:
        Matcher([Watchlist("o", marks, (), "w.yaml")])
    assert str(e.value).startswith(f"w.yaml: {key} {reason}")


WARNINGS = [
    ("阳光", "marks[0].aliases[0] '阳光' is an ordinary word"),
    ("Bank", "marks[0].aliases[0] 'Bank' is an ordinary English word"),
]


@pytest.mark.parametrize(("alias", "line"), WARNINGS)
def test_ordinary_alias_is_kept_with_a_warning(alias, line):
    m = Matcher([Watchlist("o", (Mark("a", "还薪", (alias,)),), (), "w.yaml")])
    assert [w for w in m.warnings if line in w] and len(m.warnings) == 1
