"""Files of names as a legal team has them: CSV from Excel (GBK or UTF-8), UTF-16 text, .xlsx, JSONL.

What ``screen`` reads, row by row, in chunks (memory stays flat however large
the file). The format, by the file's name:

- ``.csv`` (and ``.tsv``): a header row, then one row a name. The names are
  in the column the header calls ``name`` / ``名称`` / ``企业名称`` (and a few
  more, :data:`NAME_HEADERS`), or the one ``--column`` names (a header or a
  letter, ``B``); failing both, the first column that is not an id, kind or
  row number, which is said on stderr. ``id`` and ``kind`` columns are used
  when present. A header with tabs and no commas is tab-separated (Excel's
  "Unicode text" is).
- ``.xlsx`` / ``.xlsm``: the first worksheet (or ``--sheet NAME|N``), read
  with openpyxl in read-only mode; its first non-empty row is the header,
  columns as for CSV. Cached values are read, never formulas.
- ``.jsonl`` / ``.ndjson``: one object a line with ``name`` (``id``, ``kind``).
- anything else: one name a line, unless its first line holds a tab (then it
  is read as a tab-separated table, as Excel saves "Unicode text").

Text is decoded by its byte-order mark (UTF-8, UTF-16 LE/BE), else as UTF-8
if it is UTF-8, else as GB18030 (the superset of GBK and GB2312 that Excel
writes on a Chinese Windows) when the first line that is not ASCII is not
UTF-8; which one was used is reported (:class:`ReadReport`). A file that
begins as UTF-8 and later holds other bytes is refused at that line: it
mixes encodings, and no single reading of it is right.

Errors name the file and the line (or the sheet and row) and say how to fix
it; a row without an id gets its line (or row) number.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, islice
from pathlib import Path

from .errors import InputError
from .models import KINDS

# One input row: (id, name, kind, line). A plain tuple: millions are made per
# screen, and a NamedTuple's constructor costs more than matching most names.
NameRow = tuple[str, str, str, int]
ID, NAME, KIND, LINE = range(4)
_KIND_SET = frozenset(KINDS)

MAX_NAME = 1000  # characters: a registered name has under 100; more is a text, or a broken row

# headers that name the column of names, most specific first (compared without case and spaces)
NAME_HEADERS = ("name", "企业名称", "公司名称", "企业（机构）名称", "企业(机构)名称", "主体名称", "应用名称",
                "账号名称", "名称")
# headers of columns that are never the names: skipped when no name column is found
_NOT_NAMES = frozenset({"id", "kind", "序号", "编号", "行号", "no", "no.", "#", "index"})

ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with BOM)", "utf-16": "UTF-16 (with BOM)",
                  "gb18030": "GB18030 (GBK)"}
FIX_ENCODING = "save it again as UTF-8 (Excel: 另存为 → CSV UTF-8 (逗号分隔))"


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file of names (the options of ``screen``)."""

    default_kind: str = "company"
    column: str | None = None  # --column: a header or a letter
    sheet: str | None = None  # --sheet: a sheet's name or number (xlsx)
    keep_cells: bool = False  # keep every row's cells (screen --all)
    jsonl_keys: tuple[str, ...] | None = None  # JSONL: the keys kept as columns (default: the first object's)


@dataclass
class ReadReport:
    """What reading found out, for the summary: the encoding, the input's columns, notes for stderr."""

    encoding: str = ""  # a Python codec name, or "xlsx"
    not_utf8_line: int = 0  # read as GB18030: the first line that is not UTF-8
    columns: list[str] = field(default_factory=list)  # the header's cells (text: ["name"])
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


class Chunk:
    """A batch of input rows as columns: what the matcher and the writer take whole."""

    __slots__ = ("cells", "ids", "kinds", "lines", "names")

    def __init__(self, ids: list[str], names: list[str], kinds: list[str], lines: Sequence[int],
                 cells: list[list[str]] | None = None) -> None:
        self.ids, self.names, self.kinds, self.lines, self.cells = ids, names, kinds, lines, cells

    @classmethod
    def of(cls, rows: list[NameRow], cells: list[list[str]] | None = None) -> Chunk:
        return cls([r[ID] for r in rows], [r[NAME] for r in rows], [r[KIND] for r in rows], [r[LINE] for r in rows],
                   cells)

    def __len__(self) -> int:
        return len(self.names)

    def row(self, i: int) -> NameRow:
        """The i-th row; a row without an id gets its line number."""
        return (self.ids[i].strip() or str(self.lines[i]), self.names[i], self.kinds[i], self.lines[i])

    def after(self, line: int) -> Chunk:
        """The rows after ``line``."""
        keep = [i for i, n in enumerate(self.lines) if n > line]
        cols = [self.ids, self.names, self.kinds, self.lines]
        return Chunk(*([col[i] for i in keep] for col in cols),
                     cells=None if self.cells is None else [self.cells[i] for i in keep])


Place = Callable[[int], str]  # a row's number → where it is, for messages ("line 7", "sheet '名单' row 7")


def _line(number: int) -> str:
    return f"line {number}"


def _sized(path: Path, chunk: Chunk, place: Place = _line) -> Chunk:
    """The chunk, or an error naming the first row whose name is too long to be a name."""
    if chunk.names and max(map(len, chunk.names)) > MAX_NAME:
        i = next(k for k, n in enumerate(chunk.names) if len(n) > MAX_NAME)
        raise InputError(f"{path}: {place(chunk.lines[i])}: a name of {len(chunk.names[i]):,} characters; names are "
                         f"at most {MAX_NAME:,} (a column of texts, or a quote left open above this line?)")
    return chunk


def _kind(value: object, default: str, path: Path, line: int, place: Place = _line) -> str:
    if value is None or not str(value).strip():
        return default
    k = str(value).strip().lower()
    if k not in KINDS:
        raise InputError(f"{path}: {place(line)}: kind {value!r} is not one of {', '.join(KINDS)}")
    return k


# -- files and their encodings ----------------------------------------------------------

def check_input_file(path: Path) -> int:
    """The size of an input file; an error naming it if it is missing or empty."""
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    total = path.stat().st_size
    if total == 0:
        raise InputError(f"{path}: the file is empty; give one name a line, or CSV with a header id,name")
    return total


def no_names_error(path: Path) -> InputError:
    return InputError(f"{path}: holds no names (only blank lines or a header); give one name a line, "
                      "or CSV with a header id,name")


def bom_encoding(path: Path) -> str | None:
    """The encoding a file's byte-order mark declares (utf-8-sig, utf-16), None without one."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError(f"{path}: the file is UTF-32, which brandwatch does not read; {FIX_ENCODING}")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _utf16_without_mark(head):
        raise InputError(f"{path}: the file looks like UTF-16 without a byte-order mark; {FIX_ENCODING}, "
                         "or as Unicode text (which has the mark)")
    return None


def _utf16_without_mark(head: bytes) -> bool:
    """Whether the first bytes of a file read as UTF-16 lines (a NUL in every line end, printable text):
    as UTF-8 or GB18030 they would be read as names of garbage, without an error."""
    if b"\x00" not in head:
        return False
    for encoding, line_end in (("utf-16-le", b"\n\x00"), ("utf-16-be", b"\x00\n")):
        end, at = 0, head.find(line_end)
        while at >= 0:
            if at % 2 == 0:
                end = at + 2
            at = head.find(line_end, at + 1)
        try:
            text = head[:end].decode(encoding)
        except UnicodeDecodeError:
            continue
        if text and all(c.isprintable() or c in "\r\n\t" for c in text):
            return True
    return False


SENTINEL = "\ufdd0"  # a noncharacter (Unicode keeps U+FDD0 for a program's own use): where bytes did not decode
_marked = [0]  # how many times the handler ran, in this process


def _mark_bad_bytes(error: UnicodeError) -> tuple[str, int]:
    _marked[0] += 1
    assert isinstance(error, UnicodeDecodeError)
    return SENTINEL, error.end


codecs.register_error("brandwatch-mark", _mark_bad_bytes)


def _marked_lines(path: Path, encoding: str, found: list[tuple[int, int]]) -> Iterator[str]:
    """The file's lines up to the first one holding bytes that do not decode; that line's number and the
    column of the first such byte (in characters) go into ``found``."""
    before = _marked[0]
    with open(path, encoding=encoding, errors="brandwatch-mark", newline="") as f:
        for number, line in enumerate(f, start=1):
            if _marked[0] != before and SENTINEL in line:
                found.append((number, line.index(SENTINEL) + 1))
                return
            yield line


def _first_non_ascii_line(path: Path) -> tuple[int, bool]:
    """The number of the first line holding a byte that is not ASCII, and whether that line is UTF-8."""
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            if not raw.isascii():
                try:
                    raw.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError:
                    return number, False
                return number, True
    return 0, True


def _decode_error(path: Path, encoding: str, line: int, column: int, place: Place = _line,
                  utf8_line: int = 0) -> InputError:
    where = f"{path}: {place(line)}"
    if encoding == "gb18030":
        return InputError(f"{where}: bytes that are neither UTF-8 nor GB18030 (GBK) at column {column}; {FIX_ENCODING}")
    if encoding == "utf-16":
        return InputError(f"{where}: bytes that are not UTF-16 at column {column} (the file begins with a UTF-16 "
                          f"byte-order mark); {FIX_ENCODING}")
    if utf8_line:
        return InputError(f"{where}: bytes that are not UTF-8 at column {column}, but line {utf8_line} is UTF-8: "
                          f"the file mixes encodings; {FIX_ENCODING}")
    return InputError(f"{where}: bytes that are not UTF-8 at column {column}; {FIX_ENCODING}")


Parser = Callable[[Iterator[str], int], Iterator[Chunk]]


def _decoded(path: Path, parse: Parser, report: ReadReport) -> Iterator[Chunk]:
    """Run ``parse`` over the file's lines, decoded by its byte-order mark, else as UTF-8, else as GB18030.

    Fast text mode first. When the bytes do not decode: a file whose first line
    that is not ASCII is not UTF-8 is read again as GB18030, going on after the
    rows already yielded (those were ASCII, the same in both); otherwise the
    rows up to the bad line are yielded and its error raised.
    """
    bom = bom_encoding(path)
    last = 0
    for encoding in [bom] if bom else ["utf-8", "gb18030"]:
        report.encoding = encoding
        try:
            with open(path, encoding=encoding, newline="") as f:
                for chunk in parse(f, last):
                    if len(chunk):
                        last = chunk.lines[-1]
                        yield chunk
            return
        except UnicodeDecodeError:
            utf8_line = 0
            if encoding == "utf-8":
                first, is_utf8 = _first_non_ascii_line(path)
                if not is_utf8:
                    report.not_utf8_line = first
                    continue
                utf8_line = first
            found: list[tuple[int, int]] = []
            yield from parse(_marked_lines(path, encoding, found), last)
            line, column = found[0] if found else (last + 1, 1)
            raise _decode_error(path, encoding, line, column, utf8_line=utf8_line) from None


def _first_line(path: Path) -> str:
    """The file's first line, decoded as it will be read (for choosing a format): '' when it does not decode."""
    with open(path, "rb") as f:
        head = f.read(65536)
    try:
        encoding = bom_encoding(path)
    except InputError:
        return ""
    text = head.decode(encoding or "utf-8", errors="replace")
    if encoding is None and "\ufffd" in text:
        text = head.decode("gb18030", errors="replace")
    return text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""


def input_format(path: Path) -> str:
    """``csv``, ``jsonl``, ``xlsx`` or ``text``, by the file's name (a ``.txt`` of tab-separated columns is csv)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".tab"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".xls", ".et", ".ods", ".numbers"):
        raise InputError(f"{path}: {suffix} workbooks are not read; open it in Excel or WPS and save it as .xlsx "
                         "(Excel 工作簿) or as CSV UTF-8")
    if path.is_file() and "\t" in _first_line(path):
        return "csv"
    return "text"


def one_process_reason(path: Path) -> str:
    """Why a file must be read in one process ('' when it can be cut into blocks): .xlsx and UTF-16."""
    if input_format(path) == "xlsx":
        return ".xlsx"
    if bom_encoding(path) == "utf-16":
        return "UTF-16"
    return ""


# -- columns ----------------------------------------------------------------------------

def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def _letter_index(text: str) -> int | None:
    if not re.fullmatch(r"[A-Za-z]{1,3}", text):
        return None
    n = 0
    for c in text.upper():
        n = n * 26 + ord(c) - ord("A") + 1
    return n - 1


def _key(header: str) -> str:
    return "".join(header.split()).casefold()


def _shown(header: Sequence[str]) -> str:
    return ", ".join(f"{h or '(blank)'} ({column_letter(i)})" for i, h in enumerate(header))


def name_column(header: Sequence[str], column: str | None, where: str, subject: str = "") -> tuple[int, str]:
    """The index of the column of names and a note saying which (the fallback's note says so).

    ``column`` (--column) is a header (without case) or a column letter; without it, a
    NAME_HEADERS column, else the first column that is not an id, kind or row number.
    """
    keys = [_key(h) for h in header]
    subject = subject or where.split(":")[0]
    if column is not None:
        if _key(column) in keys:
            i = keys.index(_key(column))
        elif (i := _letter_index(column.strip())) is None or i >= len(header):  # type: ignore[assignment]
            raise InputError(f"{where}: no column {column!r} (the header is: {_shown(header)}); give --column one of "
                             "these headers or a column letter (A is the first)")
        return i, f"{subject}: names from column {column_letter(i)} 「{header[i]}」"
    for wanted in NAME_HEADERS:
        if wanted in keys:
            i = keys.index(wanted)
            return i, f"{subject}: names from column {column_letter(i)} 「{header[i]}」"
    for i, k in enumerate(keys):
        if k and k not in _NOT_NAMES:
            return i, (f"{subject}: no column is called name or 名称, so the names are taken from column "
                       f"{column_letter(i)} 「{header[i]}」; give --column to choose another (the header is: "
                       f"{_shown(header)})")
    raise InputError(f"{where}: no column of names (the header is: {_shown(header)}); call the column of names "
                     "'name' or 名称, or give --column with its header or letter")


def _optional(keys: list[str], name: str, taken: int) -> int:
    return keys.index(name) if name in keys and keys.index(name) != taken else -1


# -- parsers of lines -------------------------------------------------------------------
# Each takes the lines and ``after`` (rows up to that line are skipped); ``first``
# is the number of the first line given after any header: 1 for a whole file,
# more for a block of it (local workers and brandwatch.distributed read blocks).

def _parse_text(path: Path, opts: ReadOptions, size: int, lines: Iterator[str], after: int, *,
                first: int = 1, report: ReadReport | None = None) -> Iterator[Chunk]:
    if report is not None:
        report.columns = ["name"]
    chunk: list[NameRow] = []
    for number, text in enumerate(lines, start=first):
        name = text.strip()
        if name and number > after:
            chunk.append((str(number), name, opts.default_kind, number))
            if len(chunk) >= size:
                yield _sized(path, Chunk.of(chunk, [[r[NAME]] for r in chunk] if opts.keep_cells else None))
                chunk = []
    if chunk:
        yield _sized(path, Chunk.of(chunk, [[r[NAME]] for r in chunk] if opts.keep_cells else None))


def _column(rows: list[list[str]], i: int, missing: str) -> list[str]:
    """Column i of every row, ``missing`` where a row is shorter (rare: tried only then)."""
    try:
        return [r[i] for r in rows]
    except IndexError:
        return [r[i] if len(r) > i else missing for r in rows]


def delimiter(header_line: str, path: Path) -> str:
    """Tab for .tsv files and for a header with tabs and no commas; else a comma."""
    if path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    return "\t" if "\t" in header_line and "," not in header_line else ","


@dataclass(frozen=True)
class Header:
    """A CSV header, read: its cells and the columns of names, ids and kinds."""

    cells: list[str]
    i_name: int
    i_id: int
    i_kind: int
    note: str


def read_header(path: Path, cells: list[str], opts: ReadOptions) -> Header:
    """The columns a CSV header names, or the error (an empty header, no column of names)."""
    if not any(h.strip() for h in cells):
        raise InputError(f"{path}: line 1: the header is empty; the first line must name the columns, e.g. id,name")
    cells = [h.strip() for h in cells]
    i_name, note = name_column(cells, opts.column, f"{path}: line 1", str(path))
    keys = [_key(h) for h in cells]
    return Header(cells, i_name, _optional(keys, "id", i_name), _optional(keys, "kind", i_name), note)


def _parse_csv(path: Path, opts: ReadOptions, size: int, lines: Iterator[str], after: int, *,
               first: int | None = None, report: ReadReport | None = None) -> Iterator[Chunk]:
    csv.field_size_limit(2**31 - 1)  # a long junk field is a name like any other, not a crash
    lines = iter(lines)
    head = next(lines, None)
    if head is None:
        raise InputError(f"{path}: line 1: the header is empty; the first line must name the columns, e.g. id,name")
    reader = csv.reader(chain([head], lines), delimiter=delimiter(head, path))  # line numbers from reader.line_num
    header = read_header(path, next(reader, []), opts)
    if report is not None:
        report.columns = header.cells
        report.note(header.note)
    i_name, i_id, i_kind, default_kind = header.i_name, header.i_id, header.i_kind, opts.default_kind
    shift = 0 if first is None else first - 1 - reader.line_num  # a block: its lines follow the header
    prev = reader.line_num + shift
    # The hot loop of a screen, written in columns: rows come from the csv module
    # in C-level slices, and each column is one comprehension.
    while rows := list(islice(reader, size)):
        end = reader.line_num + shift
        if end - prev == len(rows):
            numbers: Sequence[int] = range(prev + 1, end + 1)  # no million ints
        else:  # quoted line breaks: each row ends as many lines further as it holds
            numbers, at = [], prev
            for r in rows:
                at += 1 + sum(c.count("\n") for c in r)
                numbers.append(at)
        prev = end
        if min(map(len, rows)) <= i_name:  # blank lines, or rows too short to have a name
            short = [i for i, r in enumerate(rows) if len(r) <= i_name]
            for i in short:
                if any(c.strip() for c in rows[i]):
                    raise InputError(
                        f"{path}: line {numbers[i]}: {len(rows[i])} column(s), but the names are in column "
                        f"{i_name + 1}; check for a missing comma or an unquoted line break"
                    )
            keep = [i for i, r in enumerate(rows) if len(r) > i_name]
            rows, numbers = [rows[i] for i in keep], [numbers[i] for i in keep]
            if not rows:  # only blank lines
                continue
        names = [r[i_name].strip() for r in rows]
        ids = _column(rows, i_id, "") if i_id >= 0 else [""] * len(rows)
        if i_kind >= 0:
            kinds = _column(rows, i_kind, default_kind)
            if not _KIND_SET.issuperset(kinds):
                kinds = [k if k in _KIND_SET else _kind(k, default_kind, path, line)
                         for k, line in zip(kinds, numbers, strict=True)]
        else:
            kinds = [default_kind] * len(rows)
        chunk = _sized(path, Chunk(ids, names, kinds, numbers, rows if opts.keep_cells else None))
        yield chunk if after < numbers[0] else chunk.after(after)


def _json_text(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _parse_jsonl(path: Path, opts: ReadOptions, size: int, lines: Iterator[str], after: int, *,
                 first: int = 1, report: ReadReport | None = None) -> Iterator[Chunk]:
    key = opts.column or "name"
    columns = list(opts.jsonl_keys) if opts.jsonl_keys is not None else None
    chunk: list[NameRow] = []
    cells: list[list[str]] = []
    for number, text in enumerate(lines, start=first):
        if not text.strip() or number <= after:
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            column = min(e.pos, len(text.rstrip("\r\n"))) + 1
            raise InputError(f"{path}: line {number}: not valid JSON ({e.msg} at column {column})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get(key), str):
            raise InputError(f'{path}: line {number}: each line must be an object with a "{key}" string')
        if columns is None:  # the first object's keys are the record's columns (screen --all)
            columns = [str(k) for k in obj]
            if report is not None:
                report.columns = columns
        rid = str(obj.get("id") if obj.get("id") not in (None, "") else number)
        kind = _kind(obj.get("kind"), opts.default_kind, path, number)
        chunk.append((rid, obj[key].strip(), kind, number))  # an empty name too: the record (--all) shows it
        if opts.keep_cells:
            cells.append([_json_text(obj.get(k)) for k in columns])
        if len(chunk) >= size:
            yield _sized(path, Chunk.of(chunk, cells if opts.keep_cells else None))
            chunk, cells = [], []
    if chunk:
        yield _sized(path, Chunk.of(chunk, cells if opts.keep_cells else None))


PARSERS: dict[str, Callable[..., Iterator[Chunk]]] = {"csv": _parse_csv, "jsonl": _parse_jsonl, "text": _parse_text}


# -- a whole file ---------------------------------------------------------------------------

def read_name_chunks(path: Path | str, default_kind: str = "company", size: int = 4000,
                     on_bytes: Callable[[int], None] | None = None, *, options: ReadOptions | None = None,
                     report: ReadReport | None = None) -> Iterator[Chunk]:
    """The rows of an input file, in order, in lists of about ``size`` rows; ``report`` learns the encoding,
    the columns and what to tell the user."""
    path = Path(path)
    opts = options or ReadOptions(default_kind=default_kind)
    report = report if report is not None else ReadReport()
    total = check_input_file(path)
    fmt = input_format(path)
    if opts.sheet is not None and fmt != "xlsx":
        raise InputError(f"{path}: --sheet goes with .xlsx workbooks; this file is read as {fmt}")
    if opts.column is not None and fmt == "text":
        raise InputError(f"{path}: --column goes with tables (CSV, TSV, .xlsx, JSONL); this file is one name a line")
    if fmt == "xlsx":
        from .workbook import read_xlsx  # openpyxl only for workbooks

        chunks = read_xlsx(path, opts, size, report)
    else:
        parse = partial(PARSERS[fmt], path, opts, size, report=report)
        chunks = _decoded(path, lambda lines, after: parse(lines, after), report)
    done = named = 0
    for chunk in chunks:
        done += len(chunk)
        named += len(chunk) - chunk.names.count("")
        if on_bytes and fmt != "xlsx":  # an estimate: the average line length so far
            on_bytes(min(total, total * done // max(done, chunk.lines[-1])))
        yield chunk
    if not named:
        raise no_names_error(path)


def read_names(path: Path | str, default_kind: str = "company") -> Iterator[NameRow]:
    """The rows of an input file, one by one."""
    for chunk in read_name_chunks(path, default_kind):
        for i in range(len(chunk)):
            if chunk.names[i]:
                yield chunk.row(i)


def describe(path: Path, report: ReadReport) -> str:
    """One line for stderr: how the file was read (``read names.csv as GB18030 (GBK): not UTF-8 (line 2)``)."""
    if report.encoding == "xlsx":
        return f"read {path} as an .xlsx workbook"
    how = ENCODING_NAMES.get(report.encoding, report.encoding)
    return f"read {path} as {how}" + (f": not UTF-8 (line {report.not_utf8_line})" if report.not_utf8_line else "")
