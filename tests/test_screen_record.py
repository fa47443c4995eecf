"""screen --all: every input row with its own columns and a verdict, under a line saying what was screened
against: a clearance record a lawyer can file."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from brandwatch.cli import main
from brandwatch.models import Mark, Watchlist
from brandwatch.screen import RECORD_COLUMNS, ROW_COLUMN, screen_blocks, screen_file, watchlists_fingerprint
from brandwatch.version import __version__

from .conftest import ROOT

NOW = "2026-12-02T08:00:00.000000Z"
VERDICT_HEADER = [f"{k} ({zh})" for k, zh in RECORD_COLUMNS]

CSV = ("序号,企业名称,备注,kind\n"
       "1,郑州市维众法律咨询有限公司,律所,\n"
       "2,华信达科技有限公司,,\n"
       "3,微众花呗客服,两个商标,app\n"      # two marks: two record rows
       "4,,名称为空,\n"                     # no name: kept, and says so
       "5,=HYPERLINK(\"http://x\"),\x00\x1b[31m红\x1b[0m,\n"  # a formula and control characters in the input
       "6,W3Bank,多出,app,extra\n")         # a ragged row: the extra cell follows the verdict


def _record(tmp_path, matcher, text: str | bytes, suffix: str = ".csv", **kw) -> tuple[list[list[str]], object]:
    path = tmp_path / f"in{suffix}"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "record.csv"
    summary = screen_file(path, out, matcher, all_rows=True, now=NOW, **kw)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")))), summary


def test_every_row_with_its_columns_and_a_verdict(tmp_path, matcher):
    table, summary = _record(tmp_path, matcher, CSV)
    assert table[1] == [ROW_COLUMN, "序号", "企业名称", "备注", "kind", *VERDICT_HEADER]
    rows = [(r[0], r[2], r[5], r[6], r[9], r[11]) for r in table[2:]]  # line, name, verdict, mark, rule, severity
    assert rows == [
        ("2", "郑州市维众法律咨询有限公司", "近似 match", "weizhong", "homophone 同音", "中 medium"),
        ("3", "华信达科技有限公司", "未发现近似 no match", "", "", ""),
        ("4", "微众花呗客服", "近似 match", "huabei", "contains 包含", "高 high"),
        ("4", "微众花呗客服", "近似 match", "weizhong", "contains 包含", "高 high"),
        ("5", "", "无名称 no name", "", "", ""),
        ("6", "'=HYPERLINK(\"http://x\")", "未发现近似 no match", "", "", ""),
        ("7", "W3Bank", "近似 match", "weizhong", "lookalike 形似字母", "中 medium"),
    ]
    by_line = {r[0]: r for r in table[2:]}
    assert by_line["2"][1:5] == ["1", "郑州市维众法律咨询有限公司", "律所", ""]  # the input's cells, in order
    assert by_line["2"][7:11] == ["微众", "深圳前海微众银行股份有限公司", "homophone 同音", "87"]
    assert "读音相同" in by_line["2"][-1]
    assert by_line["6"][3] == "[31m红[0m"  # NUL and escapes removed, as in the hits output
    assert by_line["7"][-1] == "extra" and len(by_line["7"]) == len(table[1]) + 1
    assert (summary.rows, summary.names_hit, summary.hits) == (5, 3, 4)


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_bidi_controls_are_shown_not_obeyed_in_the_record(tmp_path, matcher):
    """U+202E in a name reverses the rest of the line in an editor or terminal, verdict included: the record
    shows such characters as <U+202E>; the hits output keeps the name as it was screened."""
    text = ("序号,企业名称\u202e,备注\n"
            "1,微众\u202e客服\u202c,\u2066abc\u2069\n"
            "2,华信达\u200f,\u202dxyz\n")
    table, _ = _record(tmp_path, matcher, text)
    assert table[1][:4] == [ROW_COLUMN, "序号", "企业名称<U+202E>", "备注"]
    assert table[2][:3] == ["2", "1", "微众<U+202E>客服<U+202C>"] and table[2][3] == "<U+2066>abc<U+2069>"
    assert table[2][4] == "近似 match"  # matched on the name as it was (the matcher drops such characters)
    assert table[3][:4] == ["3", "2", "华信达<U+200F>", "<U+202D>xyz"]
    whole = (tmp_path / "record.csv").read_text(encoding="utf-8-sig")
    assert not set(BIDI) & set(whole)
    hits = io.StringIO()
    screen_file(tmp_path / "in.csv", None, matcher, out_stream=hits)  # the hits: the name as screened
    assert "微众\u202e客服\u202c" in hits.getvalue()


def test_the_first_line_says_what_was_screened_against(tmp_path, matcher):
    table, _ = _record(tmp_path, matcher, CSV)
    (line,) = table[0]
    digest = hashlib.sha256((tmp_path / "in.csv").read_bytes()).hexdigest()
    assert line.startswith(f"# brandwatch 筛查记录 screening record · brandwatch {__version__} · "
                           f"{NOW} (2026-12-02 16:00 (UTC+8)) · 输入 input in.csv SHA-256 {digest} · ")
    fingerprint = watchlists_fingerprint(matcher)
    assert f"监控名单 watchlists SHA-256 {fingerprint} (5 owners, 9 marks: ant.yaml, cmb.yaml, duxiaoman.yaml, " \
           "qifu.yaml, webank.yaml) · 默认类型 default kind company" in line


def _watchlists(*marks: Mark, allow: tuple[str, ...] = ()) -> SimpleNamespace:
    return SimpleNamespace(watchlists=(Watchlist("某银行", marks, allow, "a.yaml"),), risk_terms=("客服",))


@pytest.mark.parametrize(("other", "same"), [
    (_watchlists(Mark("weizhong", "微众")), True),
    (SimpleNamespace(watchlists=(Watchlist("某银行", (Mark("weizhong", "微众"),), (), "elsewhere/b.yaml"),),
                     risk_terms=("客服",)), True),  # the same marks from another file
    (_watchlists(Mark("weizhong", "微众", ("WeBank",))), False),
    (_watchlists(Mark("weizhong", "微众"), allow=("某银行股份有限公司",)), False),
    (_watchlists(Mark("weizhong", "维众")), False),
    (SimpleNamespace(watchlists=_watchlists(Mark("weizhong", "微众")).watchlists, risk_terms=("客服", "逾期")), False),
])
def test_the_watchlists_fingerprint_changes_with_what_is_screened_against(other, same):
    base = watchlists_fingerprint(_watchlists(Mark("weizhong", "微众")))  # type: ignore[arg-type]
    assert (watchlists_fingerprint(other) == base) is same  # type: ignore[arg-type]
    assert re.fullmatch(r"[0-9a-f]{64}", base)


JSONL = ('{"id": "a", "name": "维众", "kind": "app", "note": "x"}\n'
         '{"name": "华信达", "note": "=1+1"}\n'
         '\n'
         '{"name": "W3Bank", "kind": "app", "extra": 1, "note": {"k": "v"}}\n')


def test_jsonl_keeps_the_first_objects_keys_as_columns(tmp_path, matcher):
    table, _ = _record(tmp_path, matcher, JSONL, ".jsonl")
    assert table[1][:5] == [ROW_COLUMN, "id", "name", "kind", "note"]
    assert [r[:5] for r in table[2:]] == [["1", "a", "维众", "app", "x"], ["2", "", "华信达", "", "'=1+1"],
                                          ["4", "", "W3Bank", "app", '{"k": "v"}']]


def test_text_is_one_name_a_line(tmp_path, matcher):
    table, _ = _record(tmp_path, matcher, "维众\n\n华信达\n", ".txt")
    assert table[1][:2] == [ROW_COLUMN, "name"]
    assert [(r[0], r[1], r[2]) for r in table[2:]] == [("1", "维众", "近似 match"),
                                                       ("3", "华信达", "未发现近似 no match")]


NAMES = ["维众", "华信达", "W3Bank", "微众花呗客服", ""] * 30
CASES = [  # (suffix, bytes, block size)
    (".csv", ("id,name,kind,note\n" + "".join(f"{i},{n},{'app' if i % 3 else ''},x{i}\n"
                                              for i, n in enumerate(NAMES))).encode(), 64),
    (".csv", ("序号,企业名称\n" + "".join(f"{i},{n}\n" for i, n in enumerate(["维众科技", "华信达"] * 40)))
     .encode("gbk"), 50),
    (".jsonl", "".join(json.dumps({"name": n, "k": i}, ensure_ascii=False) + "\n"
                       for i, n in enumerate(["维众", "华信达", "W3Bank"] * 30)).encode(), 100),
    (".txt", ("维众\n华信达\n\nW3Bank\n" * 30).encode(), 40),
]


@pytest.mark.parametrize(("suffix", "data", "size"), CASES)
def test_workers_write_the_record_one_process_writes(tmp_path, matcher, suffix, data, size):
    path = tmp_path / f"in{suffix}"
    path.write_bytes(data)
    one = io.StringIO()
    screen_file(path, None, matcher, out_stream=one, all_rows=True, now=NOW)
    many = io.StringIO()
    from brandwatch.inputs import ReadOptions
    from brandwatch.screen import Record, record_preamble

    summary = screen_blocks(path, many, matcher, 2, blocksize=size, options=ReadOptions(keep_cells=True),
                            record=Record(record_preamble(path, matcher, now=NOW)))
    assert many.getvalue() == one.getvalue()
    assert one.getvalue().count("\n") > 60 and summary.rows > 0


def test_the_cli_writes_the_record_and_says_how_it_read_the_file(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("序号,企业名称\n1,郑州市维众法律咨询有限公司\n2,华信达\n".encode("gbk"))
    out = tmp_path / "record.csv"
    wl = str(Path(ROOT) / "tests" / "fixtures" / "watchlists")
    r = CliRunner().invoke(main, ["screen", "--watchlists", wl, str(path), "--all", "-o", str(out)],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert r.stderr.splitlines()[:2] == [f"read {path} as GB18030 (GBK): not UTF-8 (line 1)",
                                         f"{path}: names from column B 「企业名称」"]
    table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r[3] for r in table[2:]] == ["近似 match", "未发现近似 no match"]


def test_an_output_folder_that_is_not_there_is_named(tmp_path, matcher):
    from brandwatch.errors import BrandwatchError

    path = tmp_path / "in.txt"
    path.write_text("维众\n", encoding="utf-8")
    out = tmp_path / "missing" / "record.csv"
    with pytest.raises(BrandwatchError) as e:
        screen_file(path, out, matcher, all_rows=True)
    assert str(e.value) == f"{out}: cannot write it (No such file or directory); check that its folder exists and " \
                           "is writable"
