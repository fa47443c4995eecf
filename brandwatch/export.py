"""Hits as a file a lawyer opens in Excel, or a program reads: CSV, XLSX or JSONL, one row per hit.

The columns are a stable, versioned schema (``EXPORT_VERSION``; a change to
them is a new version). Every file says its version: the first column of
every CSV/XLSX row and every JSONL object is ``export_version``, so a row
pasted on its own into a court exhibit still says which schema it follows.
The CSV/XLSX header cell is the column's key followed by its Chinese name in
parentheses, e.g. ``credit_code (统一社会信用代码)``; JSONL uses the bare key.

Export version 2 (version 1 had no ``*_local`` columns and no ``evidence``,
wrote ``file://`` addresses in ``url`` and codes alone in ``rule``,
``severity`` and ``status``):

| #  | column                   | 中文             | what it holds |
|----|--------------------------|------------------|---------------|
| 1  | export_version           | 导出格式版本     | 2 |
| 2  | hit_id                   | 线索编号         | the hit's id (what review and evidence take) |
| 3  | name                     | 名称             | the listing's name as the source showed it |
| 4  | kind                     | 类型             | company, app, account or domain |
| 5  | source                   | 来源             | the configured source's name |
| 6  | url                      | 链接             | a web address that opens: the listing's, else the capture's |
| 7  | listing_key              | 来源内标识       | the listing's key within its source (credit code, bundle id …) |
| 8  | credit_code              | 统一社会信用代码 | from the listing's fields (统一社会信用代码 or credit_code) |
| 9  | registration_no          | 注册号           | from the listing's fields (注册号 or registration_no) |
| 10 | bundle_id                | 应用包名         | from the listing's fields (bundle_id), for apps |
| 11 | listing_status           | 登记状态         | the listing's status as the source gave it (存续, 注销 …) |
| 12 | fields                   | 全部字段         | every field the source gave (CSV/XLSX: JSON text) |
| 13 | owner                    | 权利人           | the brand owner whose mark matched |
| 14 | mark_id                  | 商标编号         | the mark's id in the watchlist |
| 15 | mark                     | 商标             | the mark |
| 16 | rule                     | 规则             | the rules that matched: ``homophone 同音`` (JSONL: ``homophone``) |
| 17 | score                    | 分数             | 0–100, a number |
| 18 | severity                 | 风险等级         | ``高 high``, ``中 medium``, ``低 low`` (JSONL: the code) |
| 19 | explanation              | 说明             | why it matched, in words a lawyer can read |
| 20 | span                     | 匹配片段         | the part of the name that matched |
| 21 | status                   | 处理状态         | what the team decided: ``已确认 confirmed`` … (JSONL: the code) |
| 22 | status_at                | 状态时间 UTC     | when the status last changed |
| 23 | status_at_local          | 状态时间 北京时间 | the same, for people: ``2026-12-02 16:00 (UTC+8)`` |
| 24 | assignee                 | 负责人           | who handles it |
| 25 | tags                     | 标签             | CSV/XLSX: joined with "; "; JSONL: a list |
| 26 | notes                    | 备注             | the team's notes |
| 27 | first_seen               | 首次发现 UTC     | when brandwatch first matched it |
| 28 | first_seen_local         | 首次发现 北京时间 | the same, for people |
| 29 | last_seen                | 最近发现 UTC     | when brandwatch last saw it match |
| 30 | last_seen_local          | 最近发现 北京时间 | the same, for people |
| 31 | capture_id               | 取证编号         | the listing's latest kept capture (a number) |
| 32 | capture_fetched_at       | 取证时间 UTC     | when that capture was fetched (or imported) |
| 33 | capture_fetched_at_local | 取证时间 北京时间 | the same, for people |
| 34 | capture_sha256           | 取证 SHA-256     | SHA-256 of the captured body, as kept in the WARC archive |
| 35 | capture_url              | 取证网址         | the capture's web address (after redirects); '' for a file |
| 36 | capture_request_url      | 请求网址         | the web address brandwatch asked for; '' for a file |
| 37 | evidence                 | 证据             | how to get the capture: ``取证 capture #12 · brandwatch …`` |

Times are text, ISO 8601 in UTC with a ``Z`` (``2026-11-25T01:02:03.000004Z``),
exactly as the store keeps them, in every format: a text time cannot be
shifted by a spreadsheet's time zone or rounded to its display format. Each
has a ``_local`` column beside it, in Beijing time to the minute with its
offset, for people (``models.local_text``). Links are web addresses only: a
page imported from a file has none that anyone else could open, and is
found by its capture (``evidence``; links.py).

Formats
- ``csv``: UTF-8 with a BOM (so Excel reads Chinese), CRLF line ends, the csv
  module's quoting. A text cell that begins with ``=``, ``+``, ``-``, ``@``,
  tab, CR, LF or NUL, also after leading spaces, is prefixed with ``'`` so a
  spreadsheet shows it as text instead of running it (OWASP, "CSV
  Injection"); the ``'`` is visible in the cell, which is the price of
  safety. Numbers brandwatch writes itself (ids, score) stay numbers. Excel
  reads an all-digit identifier (a 15-digit 注册号) as a number when it opens
  a CSV directly: use the XLSX, or import the CSV with that column as Text.
  Severity, status and rule carry their Chinese label (labels.py).
- ``xlsx``: every text is a text cell, never a formula (``=HYPERLINK(…)`` stays
  the very text), with no ``'`` added; identifiers stay text; the header row
  is frozen and filtered. XML cannot carry control characters, so CR and the
  other C0 controls except tab and LF are written with OOXML's own escape
  ``_xHHHH_`` (and a literal ``_xHHHH_`` as ``_x005F_xHHHH_``), which Excel
  decodes back to the original text. A text longer than Excel's 32,767
  characters per cell is cut there and says so; the JSONL keeps it whole.
  Labels as in the CSV.
- ``jsonl``: one object a line, UTF-8 (Chinese as is), values raw: no
  prefixing, codes without labels, ``tags`` a list, ``fields`` an object,
  null where empty.

Every file is written to ``FILE.partial`` and renamed when complete, so a
failed export never leaves a half file that looks finished.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .cells import csv_safe
from .errors import BrandwatchError
from .labels import rule_label, severity_label, status_label
from .links import evidence_reference, listing_link, web_url
from .models import HitRecord, local_text

EXPORT_VERSION = 2
FORMATS: tuple[str, ...] = ("csv", "xlsx", "jsonl")
Format = Literal["csv", "xlsx", "jsonl"]


@dataclass(frozen=True)
class _Column:
    key: str
    label: str  # the Chinese name, shown in the CSV/XLSX header
    width: int  # XLSX column width, in characters
    value: Callable[[Mapping[str, Any]], Any]
    people: Callable[[Any], Any] | None = None  # CSV/XLSX: the value as people read it (a code with its label)


def _field(*names: str) -> Callable[[Mapping[str, Any]], Any]:
    """The first of these listing fields that is present (sources spell identifiers differently)."""

    def get(rec: Mapping[str, Any]) -> Any:
        fields = rec.get("listing_fields") or {}
        return next((fields[n] for n in names if fields.get(n) not in (None, "")), None)

    return get


def _key(name: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda rec: rec.get(name)


def _local(name: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda rec: local_text(rec.get(name)) or None


def _web(name: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda rec: web_url(rec.get(name)) or None


_COLUMNS: tuple[_Column, ...] = (
    _Column("export_version", "导出格式版本", 8, lambda rec: EXPORT_VERSION),
    _Column("hit_id", "线索编号", 8, _key("id")),
    _Column("name", "名称", 36, _key("listing_name")),
    _Column("kind", "类型", 10, _key("listing_kind")),
    _Column("source", "来源", 12, _key("listing_source")),
    _Column("url", "链接", 40, lambda rec: listing_link(rec) or None),
    _Column("listing_key", "来源内标识", 22, _key("listing_key")),
    _Column("credit_code", "统一社会信用代码", 22, _field("统一社会信用代码", "credit_code")),
    _Column("registration_no", "注册号", 18, _field("注册号", "registration_no", "reg_no")),
    _Column("bundle_id", "应用包名", 24, _field("bundle_id", "bundleId")),
    _Column("listing_status", "登记状态", 10, _key("listing_status")),
    _Column("fields", "全部字段", 50, lambda rec: dict(rec.get("listing_fields") or {})),
    _Column("owner", "权利人", 20, _key("owner")),
    _Column("mark_id", "商标编号", 14, _key("mark_id")),
    _Column("mark", "商标", 14, _key("mark")),
    _Column("rule", "规则", 24, _key("rule"), rule_label),
    _Column("score", "分数", 7, _key("score")),
    _Column("severity", "风险等级", 10, _key("severity"), severity_label),
    _Column("explanation", "说明", 50, _key("explanation")),
    _Column("span", "匹配片段", 14, _key("span")),
    _Column("status", "处理状态", 18, _key("status"), status_label),
    _Column("status_at", "状态时间 UTC", 28, _key("status_at")),
    _Column("status_at_local", "状态时间 北京时间", 24, _local("status_at")),
    _Column("assignee", "负责人", 12, _key("assignee")),
    _Column("tags", "标签", 20, lambda rec: list(rec.get("tags") or [])),
    _Column("notes", "备注", 40, _key("notes")),
    _Column("first_seen", "首次发现 UTC", 28, _key("first_seen")),
    _Column("first_seen_local", "首次发现 北京时间", 24, _local("first_seen")),
    _Column("last_seen", "最近发现 UTC", 28, _key("last_seen")),
    _Column("last_seen_local", "最近发现 北京时间", 24, _local("last_seen")),
    _Column("capture_id", "取证编号", 9, _key("capture_id")),
    _Column("capture_fetched_at", "取证时间 UTC", 28, _key("capture_fetched_at")),
    _Column("capture_fetched_at_local", "取证时间 北京时间", 24, _local("capture_fetched_at")),
    _Column("capture_sha256", "取证 SHA-256", 66, _key("capture_sha256")),
    _Column("capture_url", "取证网址", 40, _web("capture_final_url")),
    _Column("capture_request_url", "请求网址", 40, _web("capture_request_url")),
    _Column("evidence", "证据", 50, lambda rec: evidence_reference(rec) or None),
)

# the columns computed from the record itself rather than from its flat JSON shape
_FROM_RECORD = frozenset({"url", "evidence"})

#: The column keys in file order (version ``EXPORT_VERSION``); JSONL objects have exactly these keys.
COLUMNS: tuple[str, ...] = tuple(c.key for c in _COLUMNS)
#: The CSV/XLSX header row: each key with its Chinese name, e.g. ``credit_code (统一社会信用代码)``.
HEADERS: tuple[str, ...] = tuple(f"{c.key} ({c.label})" for c in _COLUMNS)
_PEOPLE = {c.key: c.people for c in _COLUMNS if c.people is not None}


def export_row(record: HitRecord) -> dict[str, Any]:
    """One hit record (from ``Store.hit_records``) as the export's raw values, keyed by COLUMNS (the JSONL).

    The columns read the record's flat JSON shape (``HitRecord.flat``), the names the export schema was
    written in; the evidence column reads the record itself."""
    flat = record.flat()
    return {c.key: (c.value(record) if c.key in _FROM_RECORD else c.value(flat)) for c in _COLUMNS}


def people_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """An export row as people read it (CSV, XLSX): codes with their Chinese labels."""
    return {k: (_PEOPLE[k](v) if k in _PEOPLE and v is not None else v) for k, v in row.items()}


def export_hits(rows: Iterable[HitRecord], fmt: Format | str, path: Path | str) -> int:
    """Write hit records to ``path`` as ``fmt`` (csv, xlsx or jsonl); returns how many rows were written."""
    if fmt not in FORMATS:
        raise BrandwatchError(f"export format {fmt!r} is unknown; choose one of {', '.join(FORMATS)}")
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    writer = {"csv": _write_csv, "xlsx": _write_xlsx, "jsonl": _write_jsonl}[fmt]
    try:
        count = writer((export_row(r) for r in rows), tmp)
        with open(tmp, "rb") as f:  # on disk before the name says it is complete
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise BrandwatchError(f"{path}: cannot write the export ({e.strerror}); check the folder exists and is "
                              "writable") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


# -- text as each format needs it ------------------------------------------------

_TAG_SEPARATOR = "; "
# what a spreadsheet may read as the start of a formula (OWASP), plus LF and NUL which some readers strip first


def _text(value: Any) -> Any:
    """Values as one spreadsheet cell: tags joined, fields as JSON, numbers left as numbers."""
    if isinstance(value, list):
        return _TAG_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value




_XLSX_MAX = 32_767
_XLSX_CUT = "…[cut at Excel's 32,767 characters; the JSONL export holds it whole]"
# C0 controls XML cannot carry (or, for CR, turns into LF); tab and LF pass as they are
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")


def xlsx_text(value: str) -> str:
    """Text as an XLSX cell holds it: OOXML's ``_xHHHH_`` escape for controls, cut at Excel's cell limit."""
    value = _XML_UNSAFE.sub(lambda m: "_x005F_" if m.group() == "_" else f"_x{ord(m.group()):04X}_", value)
    if len(value) > _XLSX_MAX:
        value = value[: _XLSX_MAX - len(_XLSX_CUT)] + _XLSX_CUT
    return value


# -- writers ---------------------------------------------------------------------


def _write_csv(rows: Iterable[dict[str, Any]], path: Path) -> int:
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")  # Excel's line end; the csv module's default too
        writer.writerow(HEADERS)
        for row in map(people_row, rows):
            writer.writerow([csv_safe(_text(row[k])) for k in COLUMNS])
            count += 1
    return count


def _write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> int:
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def _write_xlsx(rows: Iterable[dict[str, Any]], path: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    # the records are read first: a source failing halfway would leave openpyxl's half-written sheet (a
    # temporary file and an open generator) behind; the cells are still streamed, so memory stays small
    rows = list(rows)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("hits")
    for i, column in enumerate(_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"

    def cell(value: Any, *, bold: bool = False) -> WriteOnlyCell:
        value = _text(value)
        if isinstance(value, str):
            c = WriteOnlyCell(ws, value=xlsx_text(value))
            # openpyxl makes any text starting with "=" a formula; this is data, never a formula
            c.data_type = "s"
            c.number_format = "@"  # Text: a person editing the cell keeps an identifier as text
        else:
            c = WriteOnlyCell(ws, value=value)
        if bold:
            c.font = Font(bold=True)
        return c

    ws.append([cell(h, bold=True) for h in HEADERS])
    count = 0
    for row in map(people_row, rows):
        ws.append([cell(row[k]) for k in COLUMNS])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    wb.save(path)
    return count
