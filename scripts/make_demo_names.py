#!/usr/bin/env python3
"""Write brandwatch/data/demo_names.csv: the sample `make demo` screens.

A few hundred names as a registry feed, an app store and a social platform
would show them: ordinary businesses (made from common trade-name characters,
deterministic for the seed) with imitators of the example watchlists' marks
among them, written by hand for the demo. Run it again after changing it:

    python scripts/make_demo_names.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "brandwatch" / "data" / "demo_names.csv"

IMITATORS = [
    ("company", "湖北微众森态信息科技集团有限公司"),
    ("company", "微众众诚企业管理（武汉）有限公司"),
    ("company", "星微众网络科技（武汉）有限公司"),
    ("company", "郑州市维众法律咨询有限公司"),
    ("company", "武汉市微粒袋投资管理集团有限公司"),
    ("company", "佛山市维中五金制品厂"),
    ("company", "深圳市徽粒贷信息咨询有限公司"),
    ("company", "江苏之付宝供应链管理有限责任公司"),
    ("company", "北京花背法律咨询有限责任公司"),
    ("company", "济南市招商银杭信息技术有限公司"),
    ("company", "成都市微業貸企业管理有限公司"),
    ("company", "广州市众微资产管理有限公司"),
    ("company", "微和众数字科技（深圳）股份有限公司"),
    ("app", "微众银行官方客服"),
    ("app", "W3Bank极速版"),
    ("app", "AIipay分期"),
    ("app", "花\u200b呗分期助手"),
    ("app", "借❤呗-极速借款"),
    ("app", "Weizhong借钱"),
    ("app", "hua呗协商还款中心"),
    ("account", "微|众债务优化"),
    ("account", "微眾停息挂账专线"),
    ("account", "维宗征信修复"),
    ("account", "招 商 银 行信用卡协商"),
    ("account", "Ali-pay退费专线"),
    ("account", "微业货逾期协商"),
]

OWN = [
    ("company", "深圳前海微众银行股份有限公司"),
    ("company", "招商银行股份有限公司北京分行"),
    ("company", "支付宝（中国）网络技术有限公司"),
]

LOOKALIKE_BUT_FINE = [
    ("company", "微山县众合商贸有限公司"),
    ("company", "湖北众邦科技有限公司"),
    ("company", "招商蛇口科技（武汉）有限公司"),
    ("company", "福州市小满科技信用管理股份有限公司"),
    ("app", "微医"),
    ("app", "花旗银行"),
    ("account", "微粒退费专线"),
    ("app", "Webex官方版"),
]

REGIONS = ["北京", "上海市", "深圳市南山区", "广州市天河区", "杭州市", "武汉市江汉区", "成都市武侯区", "南京市",
           "苏州市", "重庆", "西安市", "长沙市", "郑州市", "合肥市", "福州市", "厦门市"]
TRADE = "华信达通恒鑫盛源泰宏安联丰创汇德金嘉成美新天海东方明宇博瑞祥兴隆昌乐康健佳鼎立诚顺捷心智慧星辰峰林森"
INDUSTRIES = ["信息科技", "网络科技", "企业管理", "商务信息咨询", "文化传媒", "建筑工程", "餐饮管理", "物流",
              "电子商务", "医疗器械", "教育科技", "环保科技", "贸易", "食品"]
FORMS = ["有限公司", "有限公司", "有限责任公司", "股份有限公司"]
APP_WORDS = ["记账", "天气", "日历", "地图", "相机", "阅读", "音乐", "健身", "外卖", "打车", "翻译", "笔记"]
APP_SUFFIX = ["", "Pro", "助手", "极速版", "大师"]


def main() -> None:
    rng = random.Random(48)
    rows: list[tuple[str, str]] = []
    for _ in range(220):
        trade = "".join(rng.sample(TRADE, 2))
        rows.append(("company", f"{rng.choice(REGIONS)}{trade}{rng.choice(INDUSTRIES)}{rng.choice(FORMS)}"))
    for _ in range(40):
        rows.append(("app", f"{rng.choice(TRADE)}{rng.choice(TRADE)}{rng.choice(APP_WORDS)}{rng.choice(APP_SUFFIX)}"))
    for _ in range(20):
        rows.append(("account", f"{''.join(rng.sample(TRADE, 2))}{rng.choice(['生活', '旅行', '美食', '摄影'])}"))
    rows += IMITATORS + OWN + LOOKALIKE_BUT_FINE
    rng.shuffle(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "kind"])
        for i, (kind, name) in enumerate(rows, start=1):
            w.writerow([f"demo{i:04d}", name, kind])
    print(f"wrote {len(rows)} names to {OUT}")


if __name__ == "__main__":
    main()
