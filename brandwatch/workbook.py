"""Excel workbooks (.xlsx, .xlsm) as a file of names: one worksheet, its first non-empty row the header.

Read with openpyxl in read-only mode, which streams the sheet's rows (memory
is one row, plus the workbook's shared strings, which openpyxl keeps whole).
Cached values are read (``data_only``): a formula is never evaluated, and one
Excel never calculated reads as empty. A workbook is a zip of XML, so it is
checked before it is opened: one that expands beyond :data:`XLSX_MAX_XML`
bytes is refused (a "zip bomb" of a few MB can declare gigabytes), and so is
one with a row of more than 16,384 cells (Excel's last column), found by
scanning the sheets' XML as bytes before openpyxl builds any row.

Errors name the file, the sheet and the row: ``names.xlsx: sheet '名单' row 7: …``.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import Any

from .errors import InputError
from .inputs import (
    Chunk,
    NameRow,
    Place,
    ReadOptions,
    ReadReport,
    _key,
    _kind,
    _optional,
    _sized,
    column_letter,
    name_column,
)

XLSX_MAX_XML = 2**30  # bytes of XML a workbook may declare: about 5 million rows of names
XLSX_MAX_STRINGS = 2**28  # its shared strings, which openpyxl holds in memory whole
XLSX_MAX_ENTRIES = 10_000


def _check_workbook(path: Path) -> None:
    """A workbook is a zip of XML: refuse one that is not a zip, that would expand beyond reason, or that has a
    row wider than a worksheet (:func:`_check_rows`)."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            strings = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
            if len(infos) > XLSX_MAX_ENTRIES or total > XLSX_MAX_XML or strings > XLSX_MAX_STRINGS:
                raise InputError(f"{path}: the workbook expands to {total / 2**20:,.0f} MiB in {len(infos):,} "
                                 f"parts; brandwatch reads workbooks up to {XLSX_MAX_XML // 2**20:,} MiB: save it as "
                                 "CSV UTF-8")
            _check_rows(z, path)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as e:
        raise InputError(f"{path}: not an .xlsx workbook ({e}); a password-protected or old (.xls) workbook is "
                         "stored otherwise: open it in Excel or WPS and save it as .xlsx (Excel 工作簿) without a "
                         "password, or as CSV UTF-8") from e


# -- rows wider than a worksheet ---------------------------------------------------------------------------
# openpyxl parses a whole <row> element before it yields the row, even in read-only mode, and once more at
# load to find a sheet's size when the sheet does not declare it: a row of a million cells (no spreadsheet
# program writes one; Excel's last column is XFD, 16,384) took 1.4 GB before it could be refused. So the
# sheets' XML is scanned first, as bytes, and a row of more cells is refused before openpyxl sees it.

ROW_CELLS_MAX = 16_384  # columns A to XFD
_PIECE = 4 * ROW_CELLS_MAX - 64  # with the tail carried over, a piece holds at most 4 x ROW_CELLS_MAX bytes
_NAME = rb"(?:[A-Za-z_][\w.-]{0,30}:)?"  # a namespace prefix (x:row) is as good as none to openpyxl
_ROW = re.compile(rb"<" + _NAME + rb"row(?=[\s/>])")
_CELL = re.compile(rb"<" + _NAME + rb"c(?=[\s/>])")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d{1,9})["']""")
_WORKSHEET = re.compile(rb"<" + _NAME + rb"worksheet[\s>]")


class _RowWidth:
    """Counts the cells of each row of a worksheet's XML as it is fed, and says which row has too many.

    Per piece of at most 64 KiB: a search for its first row, one for its last, and cells counted only before
    the first and after the last. A row wholly inside a piece has fewer cells than the piece has bytes / 4
    (``<c/>`` is the shortest cell), so it cannot be too wide: a sheet of a million short rows costs a few
    searches per piece, not a step per row (200 MB of sheet XML: 0.1 s).
    """

    def __init__(self) -> None:
        self.cells = 0  # of the row open at the end of what was fed
        self.row = 0  # its number, as openpyxl reads it
        self.tail = b""  # a tag cut by the end of a piece, kept for the next

    def feed(self, data: bytes, final: bool = False) -> int | None:
        """The number of a row with more than ROW_CELLS_MAX cells, or None (so far)."""
        for i in range(0, len(data), _PIECE):
            wide = self._piece(data[i:i + _PIECE], final and i + _PIECE >= len(data))
            if wide is not None:
                return wide
        return self._piece(b"", True) if final and not data else None

    def _piece(self, data: bytes, final: bool) -> int | None:
        buf = self.tail + data
        cut = len(buf)
        if not final:
            lt = buf.rfind(b"<", max(0, len(buf) - 64))
            if lt != -1:
                cut = lt
        self.tail = buf[cut:]
        first = _ROW.search(buf, 0, cut)
        if first is None:
            self.cells += len(_CELL.findall(buf, 0, cut))
            return self.row if self.cells > ROW_CELLS_MAX else None
        self.cells += len(_CELL.findall(buf, 0, first.start()))
        if self.cells > ROW_CELLS_MAX:
            return self.row
        last = self._last_row(buf, cut) or first
        number = self._number(buf, last, cut)
        if number is None:  # no r="…": one after the row before, as openpyxl numbers it: count the piece's rows
            number = self.row
            for m in _ROW.finditer(buf, first.start(), last.end() + 1):  # + 1: the character after <row
                number = self._number(buf, m, cut) or number + 1
        self.row = number
        self.cells = len(_CELL.findall(buf, last.end(), cut))
        return self.row if self.cells > ROW_CELLS_MAX else None

    @staticmethod
    def _number(buf: bytes, row: re.Match[bytes], cut: int) -> int | None:
        end = buf.find(b">", row.end(), cut)
        r = _ROW_NUMBER.search(buf, row.end(), end if end != -1 else cut)
        return int(r.group(1)) if r is not None else None

    @staticmethod
    def _last_row(buf: bytes, cut: int) -> re.Match[bytes] | None:
        at = cut
        while (at := buf.rfind(b"row", 0, at)) > 0:
            lt = buf.rfind(b"<", max(0, at - 34), at)
            if lt != -1 and (m := _ROW.match(buf, lt, cut)) is not None and m.end() == at + 3:
                return m
        return None


def _check_rows(z: zipfile.ZipFile, path: Path) -> None:
    """Refuse a workbook with a worksheet row of more than ROW_CELLS_MAX cells, naming the sheet and the row.

    Every part whose root is a worksheet is scanned, wherever the workbook puts it."""
    titles: dict[str, str] | None = None
    for info in z.infolist():
        if not info.filename.lower().endswith(".xml") or info.is_dir():
            continue
        with z.open(info) as f:
            head = f.read(4096)
            if not _WORKSHEET.search(head):
                continue
            width = _RowWidth()
            data, wide = head, None
            while wide is None:
                more = f.read(2**20)
                wide = width.feed(data, final=not more)
                if not more:
                    break
                data = more
        if wide is not None:
            titles = _sheet_titles(z) if titles is None else titles
            sheet = f"sheet {titles[info.filename]!r}" if info.filename in titles else f"part {info.filename}"
            raise InputError(f"{path}: {sheet} row {wide}: more than {ROW_CELLS_MAX:,} cells in one row, more than "
                             "a worksheet holds (its last column is XFD): the file was not written by a spreadsheet "
                             "program; open it in Excel or WPS and save it again, or save it as CSV UTF-8")


def _sheet_titles(z: zipfile.ZipFile) -> dict[str, str]:
    """The worksheets' part names → their titles, from xl/workbook.xml and its relationships ({} if unreadable)."""
    import posixpath
    from xml.etree import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        parts = [z.getinfo(n) for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")]
        if any(p.file_size > 2**22 for p in parts):  # a workbook's list of sheets is a few KB
            return {}
        book, rels = (ElementTree.fromstring(z.read(p)) for p in parts)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError):
        return {}
    targets = {r.get("Id"): r.get("Target") or "" for r in rels}
    out = {}
    for sheet in book.iter(f"{main}sheet"):
        target = targets.get(sheet.get(f"{rel}id"), "")
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        out[name] = sheet.get("name", "")
    return out


MAX_COLUMNS = 1000  # a record's columns: a sheet of names has a few; more is stray cells far to the right


def _used(values: tuple[object, ...]) -> int:
    """How many cells of a row come before its trailing empty ones (0 for an empty row). Counted in C first:
    openpyxl pads a row out to its last cell, which may be column XFD."""
    if values.count(None) == len(values):
        return 0
    n = len(values)
    while n and (values[n - 1] is None or values[n - 1] == ""):
        n -= 1
    return n


def cell_text(value: object) -> str:
    """A cell's value as the text Excel shows (whole numbers without ``.0``, dates in ISO form)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _pick_sheet(workbook: Any, wanted: str | None, path: Path) -> Any:
    sheets = list(workbook.worksheets)
    if not sheets:
        raise InputError(f"{path}: the workbook has no worksheet")
    if wanted is None:
        return sheets[0]
    for ws in sheets:
        if ws.title == wanted:
            return ws
    for ws in sheets:
        if ws.title.strip().casefold() == wanted.strip().casefold():
            return ws
    if wanted.strip().isdigit() and 1 <= int(wanted) <= len(sheets):
        return sheets[int(wanted) - 1]
    names = ", ".join(repr(ws.title) for ws in sheets)
    raise InputError(f"{path}: no sheet {wanted!r} (its sheets are: {names}); give --sheet a sheet's name or its "
                     f"number, 1 to {len(sheets)}")


def read_xlsx(path: Path, opts: ReadOptions, size: int, report: ReadReport) -> Iterator[Chunk]:
    """The rows of a worksheet (the first, or ``opts.sheet``), its first non-empty row the header."""
    _check_workbook(path)
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise InputError(f"{path}: not an .xlsx workbook openpyxl can read ({e}); open it in Excel or WPS and save "
                         "it again as .xlsx, or as CSV UTF-8") from e
    report.encoding = "xlsx"
    try:
        yield from _sheet_chunks(workbook, path, opts, size, report)
    except (zipfile.BadZipFile, SyntaxError, EOFError, zlib.error) as e:  # SyntaxError: XML's ParseError
        raise InputError(f"{path}: the workbook is damaged ({e}); open it in Excel or WPS and save it again as "
                         ".xlsx, or as CSV UTF-8") from e
    finally:
        workbook.close()


def _sheet_chunks(workbook: Any, path: Path, opts: ReadOptions, size: int, report: ReadReport) -> Iterator[Chunk]:
    """The chunks of the sheet asked for, its first non-empty row the header."""
    ws = _pick_sheet(workbook, opts.sheet, path)
    title = ws.title
    place: Place = partial("sheet {!r} row {}".format, title)
    # the sheet's declared size is not trusted: a wrong one (some programs write A1) would end the rows early,
    # and a huge one would pad every row out to it
    ws.reset_dimensions()
    rows = enumerate(ws.iter_rows(values_only=True), start=1)
    for at, values in rows:
        header = [cell_text(v).strip() for v in values[:_used(values)]]
        if any(header):
            number = at
            break
    else:
        raise InputError(f"{path}: sheet {title!r} is empty; put the names in a column with a header such as "
                         "名称, or give --sheet another sheet")
    while header and not header[-1]:
        header.pop()
    i_name, note = name_column(header, opts.column, f"{path}: {place(number)}", f"{path}, sheet {title!r}")
    keys = [_key(h) for h in header]
    i_id, i_kind = _optional(keys, "id", i_name), _optional(keys, "kind", i_name)
    report.columns = header
    report.note(note)
    batch: list[NameRow] = []
    cells: list[list[str]] = []
    named = 0
    for number, values in rows:
        width = _used(values)
        if not width:
            continue
        if opts.keep_cells:
            if width > MAX_COLUMNS:
                raise InputError(f"{path}: {place(number)}: a cell in column {column_letter(width - 1)}; the "
                                 f"record (--all) keeps at most {MAX_COLUMNS:,} columns: delete the cells beyond "
                                 "the table, or screen without --all")
            row = [cell_text(v) for v in values[:width]]
            if not any(c.strip() for c in row):
                continue
        else:  # only the cells a hit needs: a sheet may hold a cell as far right as column XFD in every row
            row = [cell_text(values[i]) if 0 <= i < width else "" for i in range(max(i_name, i_id, i_kind) + 1)]
        name = row[i_name].strip() if len(row) > i_name else ""
        rid = row[i_id].strip() if 0 <= i_id < len(row) else ""
        kind = _kind(row[i_kind] if 0 <= i_kind < len(row) else None, opts.default_kind, path, number, place)
        batch.append((rid, name, kind, number))
        named += bool(name)
        if opts.keep_cells:
            cells.append(row)
        if len(batch) >= size:
            yield _sized(path, Chunk.of(batch, cells if opts.keep_cells else None), place)
            batch, cells = [], []
    if batch:
        yield _sized(path, Chunk.of(batch, cells if opts.keep_cells else None), place)
    if not named:
        sheets = ", ".join(repr(s.title) for s in workbook.worksheets)
        raise InputError(f"{path}: sheet {title!r} holds no names below its header row (its sheets are: "
                         f"{sheets}); give --sheet the sheet of names, by name or number")
