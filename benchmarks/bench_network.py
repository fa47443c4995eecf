#!/usr/bin/env python3
"""The actor network at registry scale: 100k company listings, linked by what they share.

    python benchmarks/bench_network.py                  # 100,000 listings, 100 seeds
    python benchmarks/bench_network.py --n 20000 --seeds 50 --repeat 3

The listings are synthetic (seeded, so every run is the same data): companies in 40 cities, each with
a credit code, a legal representative, one to three shareholders, an address and a phone. Most are
alone; about a third sit in small clusters of 2–6 run by one controller, which share a representative,
an address or a phone (the way 微众-named companies shared theirs with 优化信用管理(武汉)有限公司), and
every 10th company sits at one of 30 registration agents' addresses, in its own city (about 330
companies each: hubs).

Timed, in this process, best of ``--repeat`` (wall seconds):

- attributes: ``listing_attributes`` over every listing (normalising addresses, persons, phones);
- graph: ``build_graph`` over the rows that gives;
- related: ``related`` from ``--seeds`` listings in clusters, 2 steps, with a path for each;
- reference: a plain dict-of-sets index over the same rows (attribute → ids, then the values two to 50
  listings share), the floor any index sets. The ratio graph / reference is what networkx costs.

Goal (issue 12): the whole pipeline under 60 s for 100k listings, aiming at under 15 s.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections import defaultdict

from common import ROOT  # benchmarks/common.py

sys.path.insert(0, str(ROOT))

CITIES = [("湖北省", "武汉市", "江夏区"), ("广东省", "深圳市", "南山区"), ("", "北京市", "朝阳区"),
          ("", "上海市", "浦东新区"), ("四川省", "成都市", "武侯区"), ("浙江省", "杭州市", "西湖区"),
          ("江苏省", "南京市", "鼓楼区"),
          ("湖南省", "长沙市", "岳麓区"), ("陕西省", "西安市", "雁塔区"), ("福建省", "厦门市", "思明区")]
CITIES += [("山东省", f"{c}市", "市中区") for c in "济南 青岛 淄博 烟台 潍坊 济宁 泰安 威海 临沂 德州".split()]
CITIES += [("河南省", f"{c}市", "中原区") for c in "郑州 开封 洛阳 新乡 焦作 许昌 南阳 商丘 信阳 周口".split()]
CITIES += [("河北省", f"{c}市", "桥西区") for c in "石家庄 唐山 保定 邯郸 邢台 沧州 廊坊 衡水 张家口 承德".split()]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱"
         "妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉"
         "眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊"
         "亚宜可姬舒影荔枝思丽志强建国")
ROADS = "光谷大道 科苑路 建国路 天府大道 文三路 中山路 解放大道 人民路 长江路 黄河路 和平街 新华路".split()
TRADES = "信诚汇达鑫源恒泰瑞丰宏图佳和金安润德博远中科华创"
INDUSTRIES = ["信用管理", "信息科技", "网络科技", "企业管理", "商务咨询", "融资租赁", "投资管理", "科技服务"]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def address(rng: random.Random, city: tuple[str, str, str]) -> str:
    province, c, district = city
    room = f"{rng.randint(1, 30)}{rng.randint(1, 20):02d}室" if rng.random() < 0.7 else ""
    return f"{province}{c}{district}{rng.choice(ROADS)}{rng.randint(1, 999)}号{rng.randint(1, 9)}号楼{room}"


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}"


def credit_code(rng: random.Random, i: int) -> str:
    return f"9142{rng.randint(0, 9999):04d}MA{i:08d}X"


def companies(n: int, seed: int = 12) -> tuple[list[tuple[str, dict[str, str]]], list[list[int]]]:
    """n (name, fields) and the clusters (lists of indices) one controller runs."""
    rng = random.Random(seed)
    # a registration agent's address is in the city it registers companies in (住所 and 登记机关 agree)
    agents = {city: f"{city[1]}{city[2]}{rng.choice(ROADS)}{rng.randint(1, 99)}号{rng.randint(1, 30)}楼"
              for city in CITIES[:30]}
    out: list[tuple[str, dict[str, str]]] = []
    clusters: list[list[int]] = []
    while len(out) < n:
        size = rng.choice((2, 2, 3, 3, 4, 5, 6)) if rng.random() < 0.1 else 1
        city = rng.choice(CITIES)
        rep, shared_address, shared_phone = person(rng), address(rng, city), phone(rng)
        members = []
        for _ in range(min(size, n - len(out))):
            i = len(out)
            name = f"{city[1][:-1]}{rng.choice(TRADES)}{rng.choice(TRADES)}{rng.choice(INDUSTRIES)}有限公司"
            # a cluster shares its representative always, its address or phone mostly (written two ways)
            if size > 1:
                addr = shared_address if rng.random() < 0.6 else address(rng, city)
                if rng.random() < 0.5:
                    addr = addr.replace("号楼", "栋").replace("室", "")
                tel = shared_phone if rng.random() < 0.5 else phone(rng)
                the_rep = rep
            else:
                addr, tel, the_rep = address(rng, city), phone(rng), person(rng)
            if city in agents and rng.random() < 0.13:
                addr = agents[city]
            holders = [the_rep, *(person(rng) for _ in range(rng.randint(0, 2)))]
            fields = {"统一社会信用代码": credit_code(rng, i), "法定代表人": the_rep,
                      "股东": "、".join(f"{h}（持股{rng.randint(1, 99)}%）" for h in holders),
                      "住所": addr, "联系电话": tel, "登记机关": f"{city[1]}市场监督管理局"}
            out.append((name, fields))
            members.append(i)
        if len(members) > 1:
            clusters.append(members)
    return out, clusters


def best(repeat: int, fn):
    """(best wall seconds, best CPU seconds, the result): the CPU time is what a shared machine's load
    does not change."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), result


def reference(rows: list[tuple[int, str, str]], hub_limit: int) -> dict:
    """The floor: attribute → ids, and the attributes two to hub_limit listings share, in plain dicts."""
    holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    for i, kind, value in rows:
        holders[(kind, value)].add(i)
    by_listing: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for attr, ids in holders.items():
        if 2 <= len(ids) <= hub_limit:
            for i in ids:
                by_listing[i].append(attr)
    return by_listing


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=100_000, help="listings (default 100,000)")
    p.add_argument("--seeds", type=int, default=100, help="seeds for related() (default 100)")
    p.add_argument("--repeat", type=int, default=1, help="runs of each timed step; the best counts")
    a = p.parse_args()

    from brandwatch.leads.network import build_graph, explain_path, listing_attributes, related

    t0 = time.perf_counter()
    data, clusters = companies(a.n)
    t_gen = time.perf_counter() - t0
    print(f"{len(data):,} synthetic companies, {len(clusters):,} clusters of 2–6 "
          f"({sum(map(len, clusters)):,} companies), generated in {t_gen:.1f}s")

    listing_attributes("company", *data[0])  # load the division tables outside the timing

    def attributes() -> list[tuple[int, str, str]]:
        return [(i, kind, value) for i, (name, fields) in enumerate(data)
                for kind, value in listing_attributes("company", name, fields)]

    t_attr, c_attr, rows = best(a.repeat, attributes)
    t_graph, c_graph, net = best(a.repeat, lambda: build_graph(rows))
    rng = random.Random(5)
    seeds = [c[0] for c in rng.sample(clusters, min(a.seeds, len(clusters)))]
    t_rel, c_rel, found = best(a.repeat, lambda: related(net, seeds, steps=2))
    t_ref, c_ref, _ = best(a.repeat, lambda: reference(rows, net.hub_limit))

    in_clusters = {i for c in clusters for i in c}
    expected = {i for c in clusters if c[0] in seeds for i in c} - set(seeds)
    names = {i: name for i, (name, _) in enumerate(data)}
    total, c_total = t_attr + t_graph + t_rel, c_attr + c_graph + c_rel
    g = net.graph
    print(f"{len(rows):,} attribute rows ({len(rows) / len(data):.1f} a listing); graph {g.number_of_nodes():,} nodes, "
          f"{g.number_of_edges():,} edges; {len(net.hubs)} hubs, the largest "
          f"{next(iter(net.hubs.values()), 0)} listings")
    print(f"seconds, best of {a.repeat}:         wall      CPU")
    print(f"listing_attributes           {t_attr:7.2f}s {c_attr:7.2f}s  "
          f"({c_attr / len(data) * 1e6:.0f} µs CPU a listing)")
    print(f"build_graph                  {t_graph:7.2f}s {c_graph:7.2f}s")
    print(f"related, {len(seeds)} seeds, 2 steps  {t_rel:7.2f}s {c_rel:7.2f}s  → {len(found):,} listings "
          f"({len(expected & set(found)):,} of the seeds' {len(expected):,} cluster mates, "
          f"{len(set(found) - in_clusters):,} outside any cluster)")
    print(f"whole pipeline               {total:7.2f}s {c_total:7.2f}s  (goal < 60 s, aim < 15 s)")
    print(f"reference dict-of-sets index {t_ref:7.2f}s {c_ref:7.2f}s  "
          f"ratio build_graph / reference = {c_graph / c_ref:.1f} (CPU)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if found:
        i = next(iter(found))
        print("e.g.", explain_path(found[i], names))


if __name__ == "__main__":
    main()
