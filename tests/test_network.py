"""The network over listings: normalisation, the link rule, hubs, paths, explanations and the drawing."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from brandwatch.leads.network import (
    Connection,
    Edge,
    build_graph,
    connections,
    draw_svg,
    explain_path,
    is_weak,
    linked,
    listing_attributes,
    normalise_address,
    normalise_credit_code,
    normalise_person,
    related,
)

SVG = "{http://www.w3.org/2000/svg}"

# -- normalisation -------------------------------------------------------------------------------

# two writings of one address
SAME_ADDRESS = [
    ("湖北省武汉市东湖新技术开发区光谷大道七十七号金融港B18栋4楼401室",
     "武汉市东湖新技术开发区光谷大道77号 金融港 B18号楼 4层 401"),
    ("武汉市江夏区藏龙岛１号", "武汉市江夏区藏龙岛1号"),  # full-width digits
    ("中国湖北省武汉市江夏区藏龙岛1号", "武汉市江夏区藏龙岛1号"),
    ("中华人民共和国 湖北 武汉市 江夏区 藏龙岛 1 号", "武汉江夏区藏龙岛1号"),
    ("深圳市南山区科苑路15号3#楼1001房", "深圳市南山区科苑路15号3号楼1001室"),
    ("深圳市南山区科苑路15号3幢1001", "深圳市南山区科苑路15号3栋1001"),
    ("深圳市南山区科苑路15号A座12F", "深圳市南山区科苑路15号A栋第12层"),
    ("深圳市南山区科苑路15号A座12楼", "深圳市南山区科苑路15号A栋12层"),
    ("武汉市江夏区藏龙岛1号(集群注册)", "武汉市江夏区藏龙岛1号"),
    ("武汉市江夏区藏龙岛1号，二楼。", "武汉市江夏区藏龙岛1号2层"),
    ("北京市朝阳区建国路88号1－2－301", "北京市朝阳区建国路88号1-2-301"),
    ("北京市朝阳区建国路八十八号", "北京市朝阳区建国路88号"),
    ("北京市朝阳区建国路一〇〇一号", "北京市朝阳区建国路1001号"),
]

# two addresses that must stay apart
OTHER_ADDRESS = [
    ("深圳市南山区科苑路15号3栋1001室", "深圳市南山区科苑路15号3栋1002室"),  # two rooms, two tenants
    ("深圳市南山区科苑路15号3栋1001室", "深圳市南山区科苑路15号4栋1001室"),
    ("北京市朝阳区建国路88号", "长春市朝阳区建国路88号"),  # one district name in two cities
    ("北京市朝阳区建国路88号1-2-301", "北京市朝阳区建国路88号12-301"),
    ("武汉市江夏区藏龙岛1号(集群注册)", "武汉市江夏区藏龙岛1号(二期)"),
]

# address → normalised
ADDRESS_TEXT = [
    ("湖北省武汉市东湖新技术开发区光谷大道77号", "武汉东湖新技术开发区光谷大道77号"),
    ("广东省深圳市南山区科苑路15号科兴科学园A座12F-1201", "深圳南山科苑路15号科兴科学园A栋12层1201"),
    ("中山路100号", "中山路100号"),  # a road named after a city keeps its name
    ("上海市浦东新区南京东路8号", "上海浦东南京东路8号"),
    ("中国(湖北)自由贸易试验区武汉片区高新大道999号", "湖北自由贸易试验区武汉片区高新大道999号"),
    ("  ，。  ", ""),
]


@pytest.mark.parametrize(("a", "b"), SAME_ADDRESS)
def test_two_writings_of_one_address_are_one(a, b):
    assert normalise_address(a) == normalise_address(b) != ""


@pytest.mark.parametrize(("a", "b"), OTHER_ADDRESS)
def test_different_addresses_stay_apart(a, b):
    assert normalise_address(a) != normalise_address(b)


@pytest.mark.parametrize(("text", "expected"), ADDRESS_TEXT)
def test_address_text(text, expected):
    assert normalise_address(text) == expected


PERSONS = [
    ("陈志强", "陈志强"),
    (" 陈 志强 ", "陈志强"),
    ("王伟（委派代表）", "王伟"),
    ("李娜(持股 40%)", "李娜"),
    ("买买提・艾力", "买买提·艾力"),
    ("买买提.艾力", "买买提·艾力"),
    ("Alex Smith", "alexsmith"),
    ("深圳市某某投资有限公司（持股60%）", "深圳市某某投资有限公司"),  # an organisation keeps its brackets' place
    ("优化信用管理(武汉)有限公司", "优化信用管理(武汉)有限公司"),
    ("张*", ""),  # masked names identify nobody
    ("张某", ""),
    ("张某某", ""),
    ("张XX", ""),
    ("--", ""),
    ("王", ""),  # a surname alone names nobody
    ("欧阳娜娜", "欧阳娜娜"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), PERSONS)
def test_person(text, expected):
    assert normalise_person(text) == expected


CREDIT_CODES = [
    ("91420100MA4KQ1234X", "91420100MA4KQ1234X"),
    ("91420100ma4kq1234x", "91420100MA4KQ1234X"),
    ("９１４２０１００ＭＡ４ＫＱ１２３４Ｘ", "91420100MA4KQ1234X"),  # full-width
    ("9142 0100 MA4K Q123 4X", "91420100MA4KQ1234X"),
    ("420100000123456", "420100000123456"),  # an old 15-digit 注册号
    ("91420100MA4KQ1234", ""),  # 17 characters
    ("91420100MA4KQ1234XY", ""),
    ("91420100MA4KO1234X", ""),  # O is not in the alphabet
    ("9142010OMA4KQ1234X", ""),  # nor in the 6-digit division code
    ("无", ""),
]


@pytest.mark.parametrize(("text", "expected"), CREDIT_CODES)
def test_credit_code(text, expected):
    assert normalise_credit_code(text) == expected


# fields → the attributes expected among listing_attributes' answer (kind "company")
ATTRIBUTES = [
    # the person's place from the address, the province dropped
    ("某某科技有限公司", {"法定代表人": "陈志强", "住所": "湖北省武汉市江夏区藏龙岛1号"},
     {("legal_rep", "陈志强@武汉"), ("address", "武汉江夏藏龙岛1号")}),
    # from the registration authority
    ("某某科技有限公司", {"法定代表人": "陈志强", "登记机关": "武汉市市场监督管理局"}, {("legal_rep", "陈志强@武汉")}),
    # from the company's own name: leading division, or in brackets
    ("武汉微众信用管理有限公司", {"法定代表人": "陈志强"}, {("legal_rep", "陈志强@武汉")}),
    ("优化信用管理(武汉)有限公司", {"法定代表人": "陈志强"}, {("legal_rep", "陈志强@武汉")}),
    # nowhere: the bare name, weak
    ("某某科技有限公司", {"法定代表人": "陈志强"}, {("legal_rep", "陈志强")}),
    # the address wins over the name
    ("武汉某某科技有限公司", {"经营者": "陈志强", "地址": "成都市武侯区天府大道1号"},
     {("legal_rep", "陈志强@成都"), ("address", "成都武侯天府大道1号")}),
    # a free-trade zone address names its city in the 片区
    ("某某科技有限公司", {"负责人": "陈志强", "注册地址": "中国（湖北）自由贸易试验区武汉片区高新大道999号"},
     {("legal_rep", "陈志强@武汉"), ("address", "湖北自由贸易试验区武汉片区高新大道999号")}),
    # shareholders: lists split, shares dropped, organisations whole
    ("武汉某某科技有限公司", {"股东": "陈志强（持股60%）、李娜 40%；深圳市某某投资有限公司,王伟/赵敏 持股比例：5%"},
     {("shareholder", "陈志强@武汉"), ("shareholder", "李娜@武汉"), ("shareholder", "深圳市某某投资有限公司"),
      ("shareholder", "王伟@武汉"), ("shareholder", "赵敏@武汉")}),
    ("某某科技有限公司", {"投资人": "张*"}, set()),
    # credit codes from any of their fields
    ("某某科技有限公司", {"统一社会信用代码": "91420100ma4kq1234x", "注册号": "420100000123456"},
     {("credit_code", "91420100MA4KQ1234X"), ("credit_code", "420100000123456")}),
    ("某某科技有限公司", {"统一社会信用代码": "not a code"}, set()),
    # contacts in fields: several in one, normalised
    ("某某科技有限公司", {"联系电话": "027-8765 4321；138 0013 8000", "邮箱": "Boss@Example.CN", "官网": "https://www.Example.cn/a"},
     {("phone", "02787654321"), ("phone", "13800138000"), ("email", "boss@example.cn"), ("website", "example.cn")}),
    ("某某科技有限公司", {"QQ": "QQ:12345678", "微信": "Loan_Helper8"},
     {("qq", "12345678"), ("wechat", "loan_helper8")}),
    ("某某科技有限公司", {"电话": "12"}, set()),
]


@pytest.mark.parametrize(("name", "fields", "expected"), ATTRIBUTES)
def test_listing_attributes(name, fields, expected):
    assert set(listing_attributes("company", name, fields)) == expected


def test_attributes_from_contacts_and_their_order():
    got = listing_attributes("post", "贷款秒批", {"地址": "武汉市江夏区藏龙岛1号"},
                             [("wechat", "loan_helper8"), ("url", "https://www.example.cn/x"), ("phone", "13800138000"),
                              ("qq", "12345678"), ("email", "boss@example.cn"), ("fax", "02787654321")])
    assert got == [("address", "武汉江夏藏龙岛1号"), ("phone", "13800138000"), ("email", "boss@example.cn"),
                   ("wechat", "loan_helper8"), ("qq", "12345678"), ("website", "example.cn")]


def test_only_a_company_takes_its_place_from_its_name():
    assert listing_attributes("account", "武汉贷款小助手", {"法定代表人": "陈志强"}) == [("legal_rep", "陈志强")]


WEAK = [
    ("legal_rep", "陈志强", True),
    ("shareholder", "陈志强", True),
    ("legal_rep", "陈志强@武汉", False),
    ("shareholder", "深圳市某某投资有限公司", False),
    ("address", "陈志强", False),
    ("phone", "13800138000", False),
]


@pytest.mark.parametrize(("kind", "value", "weak"), WEAK)
def test_weak(kind, value, weak):
    assert is_weak(kind, value) is weak


# -- the WeBank case ------------------------------------------------------------------------------

REP = "陈志强"
ADDRESS = "湖北省武汉市江夏区藏龙岛科技园1号楼801室"
COMPANIES = {
    1: ("武汉微众信用管理有限公司", {"法定代表人": REP, "住所": ADDRESS, "电话": "027-87654321"}),
    2: ("深圳微众信用管理有限公司", {"法定代表人": "刘洋", "住所": "深圳市南山区科苑路15号", "电话": "027-87654321"}),
    3: ("微众众诚企业管理(武汉)有限公司", {"法定代表人": REP, "住所": "武汉市江夏区藏龙岛科技园2号楼"}),
    # no mark in the name: found only through the legal representative and the address
    4: ("优化信用管理(武汉)有限公司", {"法定代表人": REP, "住所": "武汉市江夏区藏龙岛科技园1号楼801"}),
    # a decoy: a person of the same name in another city
    5: ("成都优信科技有限公司", {"法定代表人": REP, "住所": "成都市武侯区天府大道100号"}),
    # the same room as 1 and 4 written another way? no: another room of the building
    6: ("武汉某某商贸有限公司", {"法定代表人": "周杰", "住所": "武汉市江夏区藏龙岛科技园1号楼802室"}),
}
NAMES = {i: name for i, (name, _) in COMPANIES.items()}


def _rows(companies=COMPANIES):
    return [(i, kind, value) for i, (name, fields) in companies.items()
            for kind, value in listing_attributes("company", name, fields)]


def test_the_unmarked_company_is_found_through_its_representative_and_address():
    net = build_graph(_rows())
    found = related(net, [1, 2, 3])
    assert sorted(found) == [4]
    path = found[4]
    assert path == (Edge(1, "legal_rep", "陈志强@武汉", 4), Edge(1, "address", "武汉江夏藏龙岛科技园1栋801", 4))
    assert explain_path(path, NAMES) == (
        "「优化信用管理(武汉)有限公司」与已确认的「武汉微众信用管理有限公司」法定代表人相同（陈志强@武汉）、"
        "地址相同（武汉江夏藏龙岛科技园1栋801） / shares legal representative and address with confirmed "
        "「武汉微众信用管理有限公司」")


def test_the_decoy_and_the_neighbour_are_not_linked():
    net = build_graph(_rows())
    assert 5 not in {c.listing_id for c in connections(net, 1, steps=5)}
    assert 6 not in {c.listing_id for c in connections(net, 1, steps=5)}
    assert connections(net, 5) == []
    assert linked(net, 1) == {2: (("phone", "02787654321"),), 3: (("legal_rep", "陈志强@武汉"),),
                              4: (("legal_rep", "陈志强@武汉"), ("address", "武汉江夏藏龙岛科技园1栋801"))}


def test_connections_nearest_first_with_their_paths():
    net = build_graph(_rows())
    got = connections(net, 2)
    assert [(c.listing_id, c.steps) for c in got] == [(1, 1), (3, 2), (4, 2)]
    assert got[0] == Connection(1, (Edge(2, "phone", "02787654321", 1),))
    assert got[2].path == (Edge(2, "phone", "02787654321", 1), Edge(1, "legal_rep", "陈志强@武汉", 4),
                           Edge(1, "address", "武汉江夏藏龙岛科技园1栋801", 4))
    assert explain_path(got[2].path, NAMES, confirmed=False) == (
        "「优化信用管理(武汉)有限公司」与「武汉微众信用管理有限公司」法定代表人相同（陈志强@武汉）、"
        "地址相同（武汉江夏藏龙岛科技园1栋801）；"
        "「武汉微众信用管理有限公司」与「深圳微众信用管理有限公司」电话相同（02787654321） / "
        "shares legal representative and address with 「武汉微众信用管理有限公司」, "
        "which shares phone number with 「深圳微众信用管理有限公司」")


def test_explain_names_a_listing_it_has_no_name_for_by_id():
    assert explain_path((Edge(7, "email", "a@b.cn", 8),), {}) == (
        "「#8」与已确认的「#7」邮箱相同（a@b.cn） / shares e-mail with confirmed 「#7」")
    assert explain_path((), NAMES) == ""


# -- the link rule ------------------------------------------------------------------------------

LINKS = [
    # rows of listing 1 and 2 beyond their ids, whether they link
    ([("legal_rep", "陈志强")], [("legal_rep", "陈志强")], False),  # one bare name: thousands share it
    ([("legal_rep", "陈志强"), ("shareholder", "陈志强")], [("legal_rep", "陈志强"), ("shareholder", "陈志强")], False),
    ([("legal_rep", "陈志强"), ("shareholder", "李娜")], [("legal_rep", "陈志强"), ("shareholder", "李娜")], True),
    ([("legal_rep", "陈志强"), ("shareholder", "李娜")], [("shareholder", "陈志强"), ("legal_rep", "李娜")], True),
    ([("legal_rep", "陈志强@武汉")], [("legal_rep", "陈志强@武汉")], True),
    ([("legal_rep", "陈志强@武汉")], [("shareholder", "陈志强@武汉")], True),  # one person in two roles
    ([("shareholder", "深圳市某某投资有限公司")], [("shareholder", "深圳市某某投资有限公司")], True),
    ([("phone", "13800138000")], [("phone", "13800138000")], True),
    ([("address", "武汉江夏藏龙岛1号")], [("address", "武汉江夏藏龙岛1号")], True),
    ([("website", "example.cn")], [("website", "example.cn")], True),
    ([("qq", "12345678")], [("wechat", "12345678")], False),
]


@pytest.mark.parametrize(("one", "two", "linked_"), LINKS)
def test_link_rule(one, two, linked_):
    net = build_graph([(1, k, v) for k, v in one] + [(2, k, v) for k, v in two])
    assert (2 in linked(net, 1)) is linked_
    assert (1 in linked(net, 2)) is linked_


def test_a_person_in_two_roles_is_named_as_such():
    net = build_graph([(1, "legal_rep", "陈志强@武汉"), (2, "shareholder", "陈志强@武汉"),
                       (2, "legal_rep", "李娜@武汉"), (3, "legal_rep", "李娜@武汉"), (3, "shareholder", "李娜@武汉")])
    assert linked(net, 2) == {1: (("person", "陈志强@武汉"),), 3: (("legal_rep", "李娜@武汉"),)}
    assert net.attributes(3) == [("legal_rep", "李娜@武汉"), ("shareholder", "李娜@武汉")]
    assert explain_path((Edge(1, "person", "陈志强@武汉", 2),), {1: "甲公司", 2: "乙公司"}) == (
        "「乙公司」与已确认的「甲公司」关联人员相同（陈志强@武汉） / shares a person (legal representative or "
        "shareholder) with confirmed 「甲公司」")


def test_weak_attributes_show_on_a_strong_link():
    net = build_graph([(1, "phone", "13800138000"), (2, "phone", "13800138000"), (1, "legal_rep", "陈志强"),
                       (2, "legal_rep", "陈志强")])
    assert linked(net, 1) == {2: (("legal_rep", "陈志强"), ("phone", "13800138000"))}


# -- hubs -------------------------------------------------------------------------------------------


def _hub_rows(holders: int) -> list[tuple[int, str, str]]:
    agent = "武汉江夏藏龙岛1号"  # a registration agent's address
    rows = [(i, "address", agent) for i in range(1, holders + 1)]
    rows += [(1, "phone", "13800138000"), (2, "phone", "13800138000")]
    return rows


def test_a_hub_links_nothing_and_is_listed():
    net = build_graph(_hub_rows(51))
    assert net.hubs == {("address", "武汉江夏藏龙岛1号"): 51}
    assert linked(net, 1) == {2: (("phone", "13800138000"),)}
    assert connections(net, 3) == []
    assert ("address", "武汉江夏藏龙岛1号") not in net.graph
    assert 51 in net and net.attributes(51) == []


def test_at_the_limit_it_still_links():
    net = build_graph(_hub_rows(50))
    assert net.hubs == {}
    assert len(connections(net, 3)) == 49


def test_hub_limit_is_a_parameter_and_hubs_are_ordered_by_count():
    rows = _hub_rows(10) + [(i, "phone", "4008888888") for i in range(1, 5)]
    net = build_graph(rows, hub_limit=3)
    assert list(net.hubs.items()) == [(("address", "武汉江夏藏龙岛1号"), 10), (("phone", "4008888888"), 4)]
    with pytest.raises(ValueError, match="hub_limit must be 2 or more"):
        build_graph(rows, hub_limit=1)


def test_a_person_hub_counts_listings_in_any_role():
    rows = [(i, "legal_rep" if i % 2 else "shareholder", "王伟@北京") for i in range(1, 5)]
    net = build_graph(rows, hub_limit=3)
    assert net.hubs == {("person", "王伟@北京"): 4}
    assert linked(net, 1) == {}


def test_a_listing_counts_once_however_often_its_row_repeats():
    rows = [(1, "phone", "13800138000")] * 60 + [(2, "phone", "13800138000")]
    net = build_graph(rows)
    assert net.hubs == {} and 2 in linked(net, 1)


# -- steps --------------------------------------------------------------------------------------


def _chain(n: int) -> list[tuple[int, str, str]]:
    """1 — 2 — 3 … — n, each pair through its own phone number."""
    rows = []
    for i in range(1, n):
        phone = f"1380013{i:04d}"
        rows += [(i, "phone", phone), (i + 1, "phone", phone)]
    return rows


@pytest.mark.parametrize(("steps", "reached"), [(0, []), (1, [2]), (2, [2, 3]), (3, [2, 3, 4]), (9, [2, 3, 4, 5])])
def test_steps_limit_connections(steps, reached):
    got = connections(build_graph(_chain(5)), 1, steps=steps)
    assert [c.listing_id for c in got] == reached
    assert [c.steps for c in got] == list(range(1, len(reached) + 1))


def test_related_from_several_seeds_takes_the_nearest():
    net = build_graph(_chain(7))
    found = related(net, [1, 7], steps=2)
    assert list(found) == [2, 6, 3, 5]
    assert found[5] == (Edge(7, "phone", "13800130006", 6), Edge(6, "phone", "13800130005", 5))
    assert related(net, [1, 7], steps=3)[4] == (Edge(1, "phone", "13800130001", 2),
                                               Edge(2, "phone", "13800130002", 3),
                                               Edge(3, "phone", "13800130003", 4))


def test_related_neither_reports_nor_walks_through_the_excluded():
    net = build_graph(_chain(5))
    assert list(related(net, [1], steps=4, exclude=[3])) == [2]
    assert list(related(net, [1, 2], steps=1)) == [3]  # a seed is never reported
    assert related(net, [99]) == {}  # an id the graph never saw


# -- determinism --------------------------------------------------------------------------------


def _shuffled(rows, seed):
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    return rows


def test_paths_do_not_depend_on_row_order():
    rows = _rows() + _chain(5)
    answers = {repr((connections(build_graph(r), 2), related(build_graph(r), [1, 2])))
               for r in (rows, _shuffled(rows, 1), _shuffled(rows, 2), rows[::-1])}
    assert len(answers) == 1


# -- the drawing ----------------------------------------------------------------------------------


def _svg(net, centres, names, **kw):
    text = draw_svg(net, centres, names, **kw)
    return text, ET.fromstring(text)


def test_svg_names_every_listing_in_text_and_is_self_contained():
    names = {**NAMES, 4: "优化<信用>&管理(武汉)有限公司"}
    net = build_graph(_rows())
    text, root = _svg(net, [1], names, highlight=[1, 2, 3])
    assert root.tag == f"{SVG}svg"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for i in (1, 2, 3, 4):
        assert names[i] in texts
    assert "成都优信科技有限公司" not in text  # not linked, not drawn
    assert "优化&lt;信用&gt;&amp;管理" in text
    assert not list(root.iter(f"{SVG}script")) and "<script" not in text.lower()
    assert "href" not in text and "url(" not in text
    assert root.get("font-family") == "Noto Sans CJK SC, sans-serif"
    x, y, w, h = (float(v) for v in root.get("viewBox").split())
    assert w > 0 and h > 0
    for circle in root.iter(f"{SVG}circle"):
        assert x <= float(circle.get("cx")) <= x + w and y <= float(circle.get("cy")) <= y + h
    fills = {g.get("data-id"): g.find(f"{SVG}circle").get("fill") for g in root.iter(f"{SVG}g")
             if g.get("class") == "listing"}
    assert fills["1"] == fills["2"] == fills["3"] != fills["4"]
    labels = [t.text for g in root.iter(f"{SVG}g") if g.get("class") == "attribute" for t in g.iter(f"{SVG}text")]
    assert "法定代表人: 陈志强@武汉" in labels and "电话: 02787654321" in labels


def test_svg_is_the_same_for_the_same_network():
    rows = _rows()
    assert draw_svg(build_graph(rows), [4], NAMES) == draw_svg(build_graph(_shuffled(rows, 3)), [4], NAMES)


def test_svg_keeps_the_nearest_within_max_nodes():
    rows = []
    for i in range(2, 32):  # 30 listings around 1, each through its own phone
        rows += [(1, "phone", f"1380013{i:04d}"), (i, "phone", f"1380013{i:04d}")]
    _, root = _svg(build_graph(rows), [1], {}, max_nodes=11)
    circles, squares = list(root.iter(f"{SVG}circle")), list(root.iter(f"{SVG}rect"))
    assert len(circles) + len(squares) <= 11
    assert len(circles) == 6  # the centre and 5 neighbours, each with its phone
    assert any("25 more not shown" in (t.text or "") for t in root.iter(f"{SVG}text"))


def test_svg_of_a_lonely_listing():
    _, root = _svg(build_graph([(1, "phone", "13800138000")]), [1], {1: "孤单有限公司"})
    assert [t.text for t in root.iter(f"{SVG}text")] == ["孤单有限公司"]
