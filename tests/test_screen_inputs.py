"""What a legal team has: Excel CSV in GBK/GB18030, UTF-8 with BOM, UTF-16, tab-separated text and .xlsx.

Every encoding of the same table screens to the same hits as its UTF-8; the encoding used is reported;
errors name the file, the line (or sheet and row) and the fix, and never tell an .xlsx user to run iconv.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from brandwatch.errors import InputError
from brandwatch.inputs import ReadOptions, ReadReport, column_letter, name_column, read_name_chunks
from brandwatch.screen import screen_blocks, screen_file

TABLE = [["序号", "企业名称", "统一社会信用代码", "kind"],
         ["1", "郑州市维众法律咨询有限公司", "91410100MA00000001", ""],
         ["2", "华信达科技有限公司", "91110000000000002X", ""],
         ["3", "微众银行官方客服", "", "app"],
         ["4", "W3Bank", "", "app"],
         ["5", "微众䶮科技有限公司", "", ""]]  # 䶮 is in GB18030, not in GBK


def _csv(rows, delimiter=",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _hits(path, **kw) -> tuple[str, ReadReport]:
    out = io.StringIO()
    summary = screen_file(path, None, kw.pop("matcher"), out_stream=out, **kw)
    return out.getvalue(), summary.read


GBK_TABLE = TABLE[:-1]  # GBK cannot write 䶮

ENCODINGS = [  # (file name, bytes, the encoding reported)
    ("utf8.csv", _csv(TABLE).encode("utf-8"), "utf-8"),
    ("bom.csv", codecs.BOM_UTF8 + _csv(TABLE).encode("utf-8"), "utf-8-sig"),
    ("gb18030.csv", _csv(TABLE).encode("gb18030"), "gb18030"),
    ("utf16le.csv", codecs.BOM_UTF16_LE + _csv(TABLE).encode("utf-16-le"), "utf-16"),
    ("utf16be.csv", codecs.BOM_UTF16_BE + _csv(TABLE).encode("utf-16-be"), "utf-16"),
    ("unicode-text.txt", _csv(TABLE, "\t").encode("utf-16"), "utf-16"),  # Excel's "Unicode text"
    ("tabs.tsv", _csv(TABLE, "\t").encode("utf-8"), "utf-8"),
]


@pytest.mark.parametrize(("name", "data", "encoding"), ENCODINGS)
def test_every_encoding_screens_like_its_utf8(tmp_path, matcher, name, data, encoding):
    reference = tmp_path / "reference.csv"
    reference.write_text(_csv(TABLE), encoding="utf-8")
    expected, _ = _hits(reference, matcher=matcher)
    path = tmp_path / name
    path.write_bytes(data)
    got, report = _hits(path, matcher=matcher)
    assert got == expected and "微众䶮" in got
    assert report.encoding == encoding


def test_gbk_from_excel(tmp_path, matcher):
    path = tmp_path / "excel.csv"
    path.write_bytes(_csv(GBK_TABLE).encode("gbk"))
    got, report = _hits(path, matcher=matcher)
    assert report.encoding == "gb18030" and report.not_utf8_line == 1  # the header is Chinese
    assert "郑州市维众法律咨询有限公司" in got


@pytest.mark.parametrize("ascii_rows", [10, 5000])  # within the first chunk, and after chunks were matched
def test_gbk_that_turns_chinese_late_keeps_every_row_once(tmp_path, matcher, ascii_rows):
    rows = [["id", "name"], *([f"a{i}", f"Company {i}"] for i in range(ascii_rows)),
            ["x", "郑州市维众法律咨询有限公司"]]
    path = tmp_path / "late.csv"
    path.write_bytes(_csv(rows).encode("gbk"))
    report = ReadReport()
    chunks = list(read_name_chunks(path, size=1000, report=report))
    lines = [n for c in chunks for n in c.lines]
    assert lines == list(range(2, ascii_rows + 3))
    assert chunks[-1].names[-1] == "郑州市维众法律咨询有限公司"
    assert (report.encoding, report.not_utf8_line) == ("gb18030", ascii_rows + 2)


FIX = "save it again as UTF-8 (Excel: 另存为 → CSV UTF-8 (逗号分隔))"
BAD_BYTES = [  # (file name, bytes, message after "path: ")
    ("mixed.csv", "id,name\n1,维众\n".encode() + "2,维众\n".encode("gbk"),  # 维 in GBK, CE AC, is UTF-8's ά
     f"line 3: bytes that are not UTF-8 at column 4, but line 2 is UTF-8: the file mixes encodings; {FIX}"),
    ("neither.csv", b"id,name\n1,abc\n2,\x81\x20x\n",  # 0x81 needs a trail byte 0x40-0xFE in GB18030
     f"line 3: bytes that are neither UTF-8 nor GB18030 (GBK) at column 3; {FIX}"),
    ("bom-then-gbk.csv", codecs.BOM_UTF8 + b"id,name\n1," + "维众".encode("gbk") + b"\n",
     f"line 2: bytes that are not UTF-8 at column 4; {FIX}"),  # ά (CE AC) is UTF-8: the bytes after it are not
    ("odd.txt", codecs.BOM_UTF16_LE + "维众\n华信\n".encode("utf-16-le") + b"\x00",
     f"line 3: bytes that are not UTF-16 at column 1 (the file begins with a UTF-16 byte-order mark); {FIX}"),
    ("nobom16.csv", "id,name\n1,W3Bank\n".encode("utf-16-le"),
     f"the file looks like UTF-16 without a byte-order mark; {FIX}, or as Unicode text (which has the mark)"),
    ("nobom16be.txt", "维众\n华信\n".encode("utf-16-be"),  # Chinese: few NULs, and it would read as GB18030
     f"the file looks like UTF-16 without a byte-order mark; {FIX}, or as Unicode text (which has the mark)"),
    ("nobom16le.txt", "维众\r\n华信\r\n".encode("utf-16-le"),
     f"the file looks like UTF-16 without a byte-order mark; {FIX}, or as Unicode text (which has the mark)"),
    ("utf32.csv", "id,name\n".encode("utf-32"), f"the file is UTF-32, which brandwatch does not read; {FIX}"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_BYTES)
def test_bytes_that_do_not_decode_name_their_line_and_the_fix(tmp_path, matcher, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as e:
        screen_file(path, tmp_path / "out.csv", matcher)
    assert str(e.value).splitlines()[0] == f"{path}: {message}"
    assert "iconv" not in str(e.value)


@pytest.mark.parametrize(("rows", "bad"), [
    ([["id", "name"], *([str(i), "华信"] for i in range(300)), ["x", "维众"]], "4,\xff\n"),  # GBK, then junk
    ([["id", "name"], *([str(i), "Company"] for i in range(300)), ["x", "维众"]], "4,\x80\n"),  # ASCII, GBK, junk
])
def test_workers_decide_the_encoding_as_one_process_does(tmp_path, matcher, rows, bad):
    path = tmp_path / "in.csv"
    path.write_bytes(_csv(rows).encode("gbk"))
    one = io.StringIO()
    summary = screen_file(path, None, matcher, out_stream=one)
    many = io.StringIO()
    parallel = screen_blocks(path, many, matcher, 2, blocksize=64)
    assert many.getvalue() == one.getvalue() and "维众" in one.getvalue()
    assert parallel.read.encoding == summary.read.encoding == "gb18030"
    assert parallel.read.not_utf8_line == summary.read.not_utf8_line
    path.write_bytes(_csv(rows).encode("gbk") + bad.encode("latin-1"))  # a last line neither UTF-8 nor GB18030
    with pytest.raises(InputError) as serial:
        screen_file(path, None, matcher, out_stream=io.StringIO())
    with pytest.raises(InputError) as blocks:
        screen_blocks(path, io.StringIO(), matcher, 2, blocksize=64)
    assert str(blocks.value) == str(serial.value)
    assert f"line {len(rows) + 1}: bytes that are neither UTF-8 nor GB18030" in str(serial.value)


# -- columns ---------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "column", "index", "fallback"), [
    (["id", "name", "kind"], None, 1, False),
    (["序号", "名称", "备注"], None, 1, False),
    (["序号", "企业名称", "法定代表人", "名称"], None, 1, False),  # 企业名称 before the generic 名称
    (["Name"], None, 0, False),
    (["序号", "公司", "地址"], None, 1, True),  # no name column: the first that is not a row number
    (["id", "公司"], "A", 0, False),
    (["id", "公司"], "公司", 1, False),
    (["id", "公司"], "b", 1, False),
    (["a", "b"], "B", 1, False),  # a header called B wins over the letter
])
def test_the_column_of_names(header, column, index, fallback):
    i, note = name_column(header, column, "in.csv: line 1", "in.csv")
    assert i == index
    assert ("no column is called name" in note) == fallback
    assert f"column {column_letter(index)} 「{header[index]}」" in note


@pytest.mark.parametrize(("header", "column", "message"), [
    (["id", "kind"], None, "in.csv: line 1: no column of names (the header is: id (A), kind (B)); call the column "
                           "of names 'name' or 名称, or give --column with its header or letter"),
    (["序号", "公司"], "地址", "in.csv: line 1: no column '地址' (the header is: 序号 (A), 公司 (B)); give --column "
                             "one of these headers or a column letter (A is the first)"),
    (["序号", "公司"], "C", "in.csv: line 1: no column 'C' (the header is: 序号 (A), 公司 (B)); give --column one of "
                          "these headers or a column letter (A is the first)"),
])
def test_the_column_of_names_errors(header, column, message):
    with pytest.raises(InputError) as e:
        name_column(header, column, "in.csv: line 1")
    assert str(e.value) == message


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letters(index, letter):
    assert column_letter(index) == letter


# -- workbooks -----------------------------------------------------------------------------


def _workbook(path, sheets: dict[str, list[list[object]]]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


BOOK = {"说明": [["本表为待筛查名单"]],
        "名单": [[], ["序号", "企业名称", "备注"], [1, "郑州市维众法律咨询有限公司", None], [2, 360, 3.0],
               [None, None, None], [3, "W3Bank", "app"]],
        "apps": [["id", "name", "kind"], ["a1", "W3Bank", "app"], ["a2", "华信达", "shop"]]}


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "names.xlsx"
    _workbook(path, BOOK)
    return path


@pytest.mark.parametrize(("options", "expected"), [
    (ReadOptions(sheet="名单"), [("3", "郑州市维众法律咨询有限公司"), ("4", "360"), ("6", "W3Bank")]),
    (ReadOptions(sheet="2"), [("3", "郑州市维众法律咨询有限公司"), ("4", "360"), ("6", "W3Bank")]),
    (ReadOptions(sheet="名单", column="a"), [("3", "1"), ("4", "2"), ("6", "3")]),
    (ReadOptions(sheet="名单", column="备注"), [("4", "3"), ("6", "app")]),  # 3.0 as Excel shows it
])
def test_workbook_rows(book, options, expected):
    report = ReadReport()
    rows = [c.row(i) for c in read_name_chunks(book, options=options, report=report) for i in range(len(c))
            if c.names[i]]
    assert [(r[0], r[1]) for r in rows] == expected
    assert report.encoding == "xlsx" and "sheet '名单'" in report.notes[0]


def test_workbook_screens_like_csv(tmp_path, book, matcher):
    got, _ = _hits(book, matcher=matcher, options=ReadOptions(sheet="名单"))
    rows = list(csv.DictReader(io.StringIO(got)))
    assert [(r["id"], r["name"], r["mark_id"]) for r in rows] == [("3", "郑州市维众法律咨询有限公司", "weizhong"),
                                                                 ("6", "W3Bank", "weizhong")]


WORKBOOK_ERRORS = [
    (ReadOptions(), "sheet '说明' holds no names below its header row (its sheets are: '说明', '名单', 'apps'); "
                    "give --sheet the sheet of names, by name or number"),
    (ReadOptions(sheet="4"), "no sheet '4' (its sheets are: '说明', '名单', 'apps'); give --sheet a sheet's name or "
                             "its number, 1 to 3"),
    (ReadOptions(sheet="名单", column="地址"),
     "sheet '名单' row 2: no column '地址' (the header is: 序号 (A), 企业名称 (B), 备注 (C)); give --column one of "
     "these headers or a column letter (A is the first)"),
    (ReadOptions(sheet="apps"), "sheet 'apps' row 3: kind 'shop' is not one of company, app, account, "
     "domain, post, place"),
]


@pytest.mark.parametrize(("options", "message"), WORKBOOK_ERRORS)
def test_workbook_errors_name_the_sheet_and_row(book, options, message):
    with pytest.raises(InputError) as e:
        list(read_name_chunks(book, options=options))
    assert str(e.value) == f"{book}: {message}"


def test_a_long_name_in_a_workbook_names_its_sheet_and_row(tmp_path):
    path = tmp_path / "long.xlsx"
    _workbook(path, {"Sheet1": [["名称"], ["维众"], ["众" * 1001]]})
    with pytest.raises(InputError) as e:
        list(read_name_chunks(path))
    assert str(e.value).startswith(f"{path}: sheet 'Sheet1' row 3: a name of 1,001 characters")


def test_a_wrong_declared_size_does_not_end_the_rows(tmp_path):
    path = tmp_path / "dim.xlsx"
    _workbook(path, {"Sheet1": [["名称"], ["维众"], ["华信"], ["W3Bank"]]})
    # some programs declare A1 whatever the sheet holds; openpyxl would stop after row 1
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = re.sub(rb'<dimension ref="A1:A4"\s*/>', b'<dimension ref="A1"/>', parts[sheet])
    assert b'<dimension ref="A1"/>' in parts[sheet]
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    names = [n for c in read_name_chunks(path) for n in c.names]
    assert names == ["维众", "华信", "W3Bank"]


def _bomb(path, declared: int) -> None:
    """A small zip whose sheet declares ``declared`` bytes (the central directory is what openpyxl trusts)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<x>" + b" " * 1000 + b"</x>")
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x01\x02")  # the last central directory entry: the sheet
    data[at + 24:at + 28] = declared.to_bytes(4, "little")  # its uncompressed size
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600),  # OLE: an old .xls or an encrypted workbook
     "not an .xlsx workbook (File is not a zip file); a password-protected or old (.xls) workbook is stored "
     "otherwise: open it in Excel or WPS and save it as .xlsx (Excel 工作簿) without a password, or as CSV UTF-8"),
    (lambda p: _bomb(p, 3 * 2**30 - 1),
     "the workbook expands to 3,072 MiB in 2 parts; brandwatch reads workbooks up to 1,024 MiB: save it as "
     "CSV UTF-8"),
])
def test_workbooks_that_are_not_or_would_explode(tmp_path, make, message):
    path = tmp_path / "bad.xlsx"
    make(path)
    with pytest.raises(InputError) as e:
        list(read_name_chunks(path))
    assert str(e.value) == f"{path}: {message}"
    assert "iconv" not in str(e.value)


@pytest.mark.parametrize(("name", "options", "message"), [
    ("old.xls", ReadOptions(), ".xls workbooks are not read; open it in Excel or WPS and save it as .xlsx "
                               "(Excel 工作簿) or as CSV UTF-8"),
    ("in.csv", ReadOptions(sheet="1"), "--sheet goes with .xlsx workbooks; this file is read as csv"),
    ("in.txt", ReadOptions(column="A"), "--column goes with tables (CSV, TSV, .xlsx, JSONL); this file is one name "
                                        "a line"),
])
def test_options_that_do_not_fit_the_file(tmp_path, name, options, message):
    path = tmp_path / name
    path.write_text("name\n维众\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        list(read_name_chunks(path, options=options))
    assert str(e.value) == f"{path}: {message}"


def test_workers_read_a_workbook_in_one_process_and_say_so(book, matcher):
    one = io.StringIO()
    screen_file(book, None, matcher, out_stream=one, options=ReadOptions(sheet="名单"))
    many = io.StringIO()
    summary = screen_file(book, None, matcher, out_stream=many, workers=2, options=ReadOptions(sheet="名单"))
    assert many.getvalue() == one.getvalue()
    assert summary.notes == ["--workers 2: .xlsx files are read in one process"]


def test_a_workbook_damaged_inside_a_sheet_is_an_error_not_a_traceback(tmp_path):
    path = tmp_path / "cut.xlsx"
    _workbook(path, {"Sheet1": [["名称"], ["维众"], ["华信"]]})
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet][: parts[sheet].index(b'<row r="3"') + 12]  # the XML ends inside a row
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    with pytest.raises(InputError) as e:
        list(read_name_chunks(path))
    assert str(e.value).startswith(f"{path}: the workbook is damaged (")
    assert str(e.value).endswith("); open it in Excel or WPS and save it again as .xlsx, or as CSV UTF-8")


@pytest.mark.parametrize(("values", "used"), [
    (("a", None, ""), 1), (("", None, ""), 0), ((None,) * 5, 0), ((None, 0), 2), (("", "b"), 2), ((), 0),
])
def test_the_cells_a_row_uses(values, used):
    from brandwatch.workbook import _used

    assert _used(values) == used


def test_a_stray_cell_far_to_the_right(tmp_path, matcher):
    path = tmp_path / "wide.xlsx"
    wb = Workbook()
    wb.active.append(["名称"])
    wb.active.append(["维众"])
    wb.active.cell(row=3, column=1, value="华信")
    wb.active.cell(row=3, column=16384, value=1)  # column XFD: openpyxl pads the row out to it
    wb.save(path)
    got, _ = _hits(path, matcher=matcher)  # the hits need only the column of names
    assert [r["name"] for r in csv.DictReader(io.StringIO(got))] == ["维众"]
    with pytest.raises(InputError) as e:
        screen_file(path, None, matcher, out_stream=io.StringIO(), all_rows=True)
    assert str(e.value) == (f"{path}: sheet 'Sheet' row 3: a cell in column XFD; the record (--all) keeps at most "
                            "1,000 columns: delete the cells beyond the table, or screen without --all")


def _raw_xlsx(path, rows_xml: str, dimension: str = "") -> None:
    """A workbook written by hand: what no spreadsheet program writes, but a file may hold."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/workbook.xml", (
            f'<?xml version="1.0"?><workbook {ns} xmlns:r="{rel}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {ns}>{dimension}<sheetData>'
                   f'{rows_xml}</sheetData></worksheet>')


NAME_ROWS = ('<row r="1"><c t="inlineStr"><is><t>名称</t></is></c></row>'
             '<row r="2"><c t="inlineStr"><is><t>维众</t></is></c></row>')


@pytest.mark.parametrize(("what", "row", "prefix"), [
    ("a million cells in one row", "<c><v>1</v></c>" * 1_000_000, ""),
    ("16,385 cells, one past Excel's last column", "<c><v>1</v></c>" * 16_385, ""),
    ("a million cells, the tags with a prefix", "<x:c><x:v>1</x:v></x:c>" * 1_000_000, "x:"),
])
def test_a_row_wider_than_a_worksheet_is_refused_while_streaming(tmp_path, what, row, prefix):
    """A row of a million cells reached 1.4 GB before it was refused: openpyxl builds a whole row before it
    yields it, so the cells are counted in the XML as openpyxl reads it."""
    import subprocess
    import sys

    path = tmp_path / "wide.xlsx"
    rows = NAME_ROWS + f'<row r="3"><c t="inlineStr"><is><t>华信</t></is></c>{row}</row>'
    if prefix:
        rows = rows.replace("<row", "<x:row").replace("</row", "</x:row").replace("<c ", "<x:c ").replace(
            "<is>", "<x:is>").replace("</is>", "</x:is>").replace("<t>", "<x:t>").replace("</t>", "</x:t>").replace(
            "</c>", "</x:c>")
    _raw_xlsx(path, rows)
    if prefix:  # the same namespace under a prefix: still SpreadsheetML
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
            b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(b"<sheetData>", b"<x:sheetData>").replace(
            b"</sheetData></worksheet>", b"</x:sheetData></x:worksheet>")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for n, data in parts.items():
                z.writestr(n, data)
    probe = ("import sys\n"
             "from pathlib import Path\n"
             "from brandwatch.errors import InputError\n"
             "from brandwatch.inputs import ReadOptions, ReadReport, read_name_chunks\n"
             "try:\n    for _ in read_name_chunks(Path(sys.argv[1]), options=ReadOptions(), report=ReadReport()):\n"
             "        pass\n"
             "except InputError as e:\n    print(e)\n"
             # VmHWM, not ru_maxrss: the high-water mark of this process's own memory (ru_maxrss may carry the
             # parent's from before exec)
             "print(next(x.split()[1] for x in open('/proc/self/status') if x.startswith('VmHWM:')))\n")
    r = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=300)
    *said, maxrss_kib = r.stdout.splitlines()
    assert said == [f"{path}: sheet 'Sheet1' row 3: more than 16,384 cells in one row, more than a worksheet holds "
                    "(its last column is XFD): the file was not written by a spreadsheet program; open it in Excel "
                    "or WPS and save it again, or save it as CSV UTF-8"], r.stdout + r.stderr[-2000:]
    assert int(maxrss_kib) < 250 * 1024, maxrss_kib
