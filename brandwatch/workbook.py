"""Excel workbooks (.xlsx, .xlsm) as a file of names: one worksheet, its first non-empty row the header.

Read with openpyxl in read-only mode, which streams the sheet's rows (memory
is one row, plus the workbook's shared strings, which openpyxl keeps whole).
Cached values are read (``data_only``): a formula is never evaluated, and one
Excel never calculated reads as empty. A workbook is a zip of XML, so it is
checked before it is opened: one that expands beyond :data:`XLSX_MAX_XML`
bytes is refused (a "zip bomb" of a few MB can declare gigabytes).

Errors name the file, the sheet and the row: ``names.xlsx: sheet '名单' row 7: …``.
"""

from __future__ import annotations

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
    """A workbook is a zip of XML: refuse one that is not a zip, or that would expand beyond reason."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(f"{path}: not an .xlsx workbook ({e}); a password-protected or old (.xls) workbook is "
                         "stored otherwise: open it in Excel or WPS and save it as .xlsx (Excel 工作簿) without a "
                         "password, or as CSV UTF-8") from e
    total = sum(i.file_size for i in infos)
    strings = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
    if len(infos) > XLSX_MAX_ENTRIES or total > XLSX_MAX_XML or strings > XLSX_MAX_STRINGS:
        raise InputError(f"{path}: the workbook expands to {total / 2**20:,.0f} MiB in {len(infos):,} parts; "
                         f"brandwatch reads workbooks up to {XLSX_MAX_XML // 2**20:,} MiB: save it as CSV UTF-8")


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
