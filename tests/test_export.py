"""Export: the column schema, spreadsheet-formula neutralising, Chinese text and identifiers kept as text."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from brandwatch import export
from brandwatch.cells import csv_safe
from brandwatch.errors import BrandwatchError
from brandwatch.export import COLUMNS, EXPORT_VERSION, HEADERS, export_hits
from brandwatch.models import Hit, Listing
from brandwatch.store import Store

CHINESE = "湖北微众森态信息科技集团有限公司"
# names a listing may carry (scraped from anyone's page) → what the CSV cell must hold
NAMES = [
    ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
    ("+8613800000000", "'+8613800000000"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("-1+1", "'-1+1"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("  =1+1", "'  =1+1"),  # spaces first: some spreadsheets trim them before reading a formula
    (CHINESE, CHINESE),
    ("微众银行官方客服 a=b", "微众银行官方客服 a=b"),  # "=" inside is harmless
    ("\x01控制字符", "\x01控制字符"),  # XML cannot carry \x01: the XLSX escapes it
    ("_x000D_字面", "_x000D_字面"),  # looks like OOXML's escape: must come back as these very characters
]
CREDIT = "914201000000000001"  # all digits: a spreadsheet would make it 9.14201E+17
REG_NO = "420100000123456"


def hit(score: int = 90) -> Hit:
    return Hit("weizhong", "微众", "深圳前海微众银行股份有限公司", score, "high", ("contains",), "微众",
               "字号「微众」包含商标「微众」")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    with Store(folder / "bw.db") as store:
        for i, (name, _) in enumerate(NAMES):
            fields = (("status", "存续"), ("统一社会信用代码", CREDIT if i == 0 else f"91420100MA4K{i:06d}"),
                      ("注册号", REG_NO), ("法定代表人", name))
            lid = store.save_listing(Listing("gsxt", f"k{i}", "company", name, f"https://example.test/{i}",
                                             fields)).id
            store.save_hits(lid, [hit(90 - i)])
        for h in store.hit_records():
            store.update_hit(h.id, assignee="张律师", tags=["仿冒", "=cmd|'/c calc'!A1"],
                             notes=h.listing.name, status="confirmed")
        rows = store.hit_records()
    paths = {fmt: folder / f"hits.{fmt}" for fmt in ("csv", "xlsx", "jsonl")}
    counts = {fmt: export_hits(rows, fmt, path) for fmt, path in paths.items()}
    return rows, paths, counts


def test_counts_and_no_partial_left(exported):
    _, paths, counts = exported
    assert counts == {"csv": len(NAMES), "xlsx": len(NAMES), "jsonl": len(NAMES)}
    assert not list(paths["csv"].parent.glob("*.partial"))


def test_columns_are_documented_in_order():
    table = re.findall(r"^\| (\d+)\s*\| (\w+)\s*\|", export.__doc__ or "", re.MULTILINE)
    assert [name for _, name in table] == list(COLUMNS)
    assert [h.split(" (")[0] for h in HEADERS] == list(COLUMNS)
    assert COLUMNS[0] == "export_version" and EXPORT_VERSION == 2
    for required in ("hit_id", "name", "kind", "source", "url", "credit_code", "registration_no", "bundle_id",
                     "fields", "owner", "mark_id", "mark", "rule", "score", "severity", "explanation", "span",
                     "status", "assignee", "tags", "notes", "first_seen", "last_seen", "capture_fetched_at",
                     "capture_sha256", "capture_url", "status_at_local", "first_seen_local", "last_seen_local",
                     "capture_fetched_at_local", "evidence"):
        assert required in COLUMNS


# -- CSV ---------------------------------------------------------------------------


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_csv_is_excel_utf8_with_crlf(exported):
    _, paths, _ = exported
    data = paths["csv"].read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") >= len(NAMES) + 1 and data.endswith(b"\r\n")
    table = read_csv(paths["csv"])
    assert tuple(table[0]) == HEADERS
    assert len(table) == len(NAMES) + 1


@pytest.mark.parametrize(("raw", "cell"), NAMES)
def test_csv_cells_are_neutralised(exported, raw, cell):
    _, paths, _ = exported
    table = read_csv(paths["csv"])
    col = {k: i for i, k in enumerate(COLUMNS)}
    (row,) = [r for r in table[1:] if r[col["name"]] == cell]
    assert row[col["notes"]] == cell  # a person's notes are neutralised as well
    assert json.loads(row[col["fields"]])["法定代表人"] == raw  # inside the JSON text the value is whole
    assert row[col["tags"]] == "仿冒; =cmd|'/c calc'!A1"  # joined: starts with 仿冒, nothing to neutralise
    assert row[col["export_version"]] == "2" and row[col["hit_id"]].isdigit()  # our numbers: not prefixed
    assert row[col["registration_no"]] == REG_NO


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("\nx", "'\nx"), ("\0x", "'\0x"), ("   -x", "'   -x"), ("a-b", "a-b"), ("", ""), ("微众", "微众"),
    (-5, -5), (90, 90), (None, None),
])
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


# -- XLSX --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sheet(exported):
    _, paths, _ = exported
    return load_workbook(paths["xlsx"])["hits"]


def test_xlsx_layout(sheet):
    assert tuple(c.value for c in sheet[1]) == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(COLUMNS)).column_letter}{len(NAMES) + 1}"
    assert sheet.column_dimensions["C"].width >= 30  # the name column is wide enough to read
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("raw", [raw for raw, _ in NAMES])
def test_xlsx_cells_are_raw_text(sheet, raw):
    col = {k: i for i, k in enumerate(COLUMNS)}
    # Excel decodes OOXML's _xHHHH_ escapes when it reads a cell; openpyxl leaves them, so decode as Excel does
    (row,) = [r for r in sheet.iter_rows(min_row=2) if unescape(r[col["name"]].value) == raw]
    for key in ("name", "notes"):
        assert row[col[key]].data_type == "s"
        assert unescape(row[col[key]].value) == raw
    assert row[col["tags"]].value == "仿冒; =cmd|'/c calc'!A1"
    assert row[col["registration_no"]].value == REG_NO and row[col["registration_no"]].data_type == "s"
    assert row[col["credit_code"]].data_type == "s"
    assert row[col["score"]].data_type == "n" and isinstance(row[col["score"]].value, int)
    assert row[col["export_version"]].value == 2


def test_xlsx_credit_code_stays_text(exported, sheet):
    col = {k: i for i, k in enumerate(COLUMNS)}
    codes = [(r[col["credit_code"]].value, r[col["credit_code"]].data_type) for r in sheet.iter_rows(min_row=2)]
    assert (CREDIT, "s") in codes
    _, paths, _ = exported
    with zipfile.ZipFile(paths["xlsx"]) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml  # no formula anywhere in the file
    assert "_x000D_=1+1" in xml and "_x005F_x000D_" in xml  # a CR, and a literal "_x000D_", as Excel escapes them


# -- JSONL -------------------------------------------------------------------------


def test_jsonl_keeps_values_raw(exported):
    _, paths, _ = exported
    lines = paths["jsonl"].read_text(encoding="utf-8").splitlines()
    objs = [json.loads(line) for line in lines]
    assert all(list(o) == list(COLUMNS) for o in objs)
    assert [o["name"] for o in objs] == [raw for raw, _ in NAMES]
    assert CHINESE in paths["jsonl"].read_text(encoding="utf-8")  # not \\u-escaped
    first = objs[0]
    assert first["tags"] == ["仿冒", "=cmd|'/c calc'!A1"]
    assert first["fields"]["统一社会信用代码"] == CREDIT and first["credit_code"] == CREDIT
    assert first["score"] == 90 and first["export_version"] == 2
    assert first["capture_id"] is None  # no capture kept for these listings


# -- labels and times for people -----------------------------------------------------


def _people_and_data(exported):
    _, paths, _ = exported
    table = read_csv(paths["csv"])
    sheet = load_workbook(paths["xlsx"])["hits"]
    objs = [json.loads(line) for line in paths["jsonl"].read_text(encoding="utf-8").splitlines()]
    col = {k: i for i, k in enumerate(COLUMNS)}
    return table[1], [c.value for c in next(sheet.iter_rows(min_row=2))], objs[0], col


@pytest.mark.parametrize(("key", "people", "data"), [
    ("severity", "高 high", "high"),
    ("status", "已确认 confirmed", "confirmed"),
    ("rule", "contains 包含", "contains"),
])
def test_codes_carry_their_chinese_label_for_people(exported, key, people, data):
    csv_row, xlsx_row, obj, col = _people_and_data(exported)
    assert csv_row[col[key]] == xlsx_row[col[key]] == people
    assert obj[key] == data  # JSONL keeps the code a program filters on


@pytest.mark.parametrize("key", ["status_at", "first_seen", "last_seen"])
def test_each_time_has_its_beijing_time_beside_it(exported, key):
    csv_row, xlsx_row, obj, col = _people_and_data(exported)
    utc = csv_row[col[key]]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", utc)
    local = csv_row[col[f"{key}_local"]]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+8\)", local)
    moment = datetime.fromisoformat(utc).astimezone(ZoneInfo("Asia/Shanghai"))
    assert local == moment.strftime("%Y-%m-%d %H:%M") + " (UTC+8)"
    assert xlsx_row[col[f"{key}_local"]] == obj[f"{key}_local"] == local
    assert obj["capture_fetched_at_local"] is None  # no capture, no time


# -- errors and atomicity ----------------------------------------------------------


def test_unknown_format(tmp_path):
    with pytest.raises(BrandwatchError, match=r"export format 'pdf' is unknown; choose one of csv, xlsx, jsonl"):
        export_hits([], "pdf", tmp_path / "hits.pdf")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_a_failed_export_leaves_the_old_file(exported, tmp_path, fmt):
    rows, _, _ = exported
    path = tmp_path / f"hits.{fmt}"
    path.write_bytes(b"the previous export")

    def broken():
        yield rows[0]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        export_hits(broken(), fmt, path)
    assert path.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_unwritable_folder_is_named(tmp_path):
    with pytest.raises(BrandwatchError, match=r"missing/hits.csv: cannot write the export"):
        export_hits([], "csv", tmp_path / "missing" / "hits.csv")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_empty_export_has_a_header(tmp_path, fmt):
    path = tmp_path / f"hits.{fmt}"
    assert export_hits([], fmt, path) == 0
    if fmt == "csv":
        assert read_csv(path) == [list(HEADERS)]
    elif fmt == "xlsx":
        assert [tuple(c.value for c in r) for r in load_workbook(path)["hits"].iter_rows()] == [HEADERS]
    else:
        assert path.read_bytes() == b""
