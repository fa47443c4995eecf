from __future__ import annotations

import pytest

from brandwatch import split_company_name

# name, region, trade name (字号), industry, form
CASES = [
    ("湖北微众信联信息科技有限公司", "湖北", "微众信联", "信息科技", "有限公司"),
    ("上海市浦东新区微众易贷网络科技股份有限公司", "上海市浦东新区", "微众易贷", "网络科技", "股份有限公司"),
    ("微业袋法律咨询（成都）有限责任公司", "", "微业袋", "法律咨询", "有限责任公司"),
    ("微山县众合商贸有限公司", "微山县", "众合", "商贸", "有限公司"),
    ("武汉市江汉区奇艺金融服务外包服务部", "武汉市江汉区", "奇艺", "金融服务外包", "服务部"),
    ("佛山市维中五金制品厂", "佛山市", "维中", "五金制品", "厂"),
    ("厦门市支付网络科技有限公司", "厦门市", "支付", "网络科技", "有限公司"),
    ("招商银行股份有限公司北京分行", "", "招商", "银行", "股份有限公司"),
    ("微众众诚企业管理(武汉)有限公司", "", "微众众诚", "企业管理", "有限公司"),
    ("北京花背法律咨询有限责任公司", "北京", "花背", "法律咨询", "有限责任公司"),
]


@pytest.mark.parametrize(("name", "region", "trade", "industry", "form"), CASES)
def test_split(name, region, trade, industry, form):
    parts = split_company_name(name)
    assert (parts.region_name, parts.trade_name, parts.industry_name, parts.form) == (region, trade, industry, form)


def test_branch_suffix_is_kept_apart():
    parts = split_company_name("招商银行股份有限公司深圳南山支行")
    assert parts.branch == "支行"
    assert parts.trade_name == "招商"


def test_a_trade_name_is_never_eaten_by_a_division():
    # 天河 is a district, but the name has nothing else to be its trade name
    assert split_company_name("天河科技有限公司").trade_name == "天河"
