"""``files``: a drop folder of CSV, JSONL or XLSX feeds (e.g. daily new registrations from a data vendor).

Each file is read once (the store knows its SHA-256); a bad row is reported
with its line and skipped, and the good rows are kept. Columns: ``name``
(required), ``key`` or ``id`` or 统一社会信用代码 (the listing's key), ``kind``,
``url``; every other column is kept as the listing's own fields.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from pydantic import Field

from ..models import KINDS, Listing
from .base import SourceOptions, SourceType, clean

KEY_COLUMNS = ("key", "id", "统一社会信用代码", "credit_code", "bundle_id")


class FilesOptions(SourceOptions):
    folder: str = Field(description="the drop folder; files are read once each, by content")
    kind: str = "company"
    patterns: tuple[str, ...] = ("*.csv", "*.jsonl", "*.xlsx")


def _listing(source: str, row: dict[str, object], default_kind: str, where: str) -> Listing:
    values = {str(k).strip(): clean(v) for k, v in row.items() if k is not None}
    name = values.pop("name", "")
    if not name:
        raise ValueError(f"{where}: no name")
    kind = values.pop("kind", "") or default_kind
    if kind not in KINDS:
        raise ValueError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    url = values.pop("url", "")
    key = next((values[c] for c in KEY_COLUMNS if values.get(c)), "") or url or name
    values.pop("key", None)
    return Listing(source, key, kind, name, url, tuple(sorted((k, v) for k, v in values.items() if v)))


def parse_feed(name: str, body: bytes, source: str, default_kind: str) -> tuple[list[Listing], list[str]]:
    """(good listings, bad rows as 'file:line: why') of one feed file. Pure."""
    good: list[Listing] = []
    bad: list[str] = []
    suffix = Path(name).suffix.lower()
    rows: Iterator[tuple[int, dict[str, object] | None, str]]
    if suffix == ".xlsx":
        rows = _xlsx_rows(body)
    else:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = body[: e.start].count(b"\n") + 1
            return [], [f"{name}:{line}: bytes that are not UTF-8; save the feed as UTF-8 (the whole file was skipped)"]
        rows = _jsonl_rows(text) if suffix in (".jsonl", ".ndjson") else _csv_rows(text)
    for line, row, problem in rows:
        if row is None:
            bad.append(f"{name}:{line}: {problem}")
            continue
        try:
            good.append(_listing(source, row, default_kind, f"{name}:{line}"))
        except ValueError as e:
            bad.append(str(e))
    return good, bad


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, object] | None, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "name" not in [f.strip() for f in reader.fieldnames]:
        yield 1, None, "no 'name' column in the header; the whole file was skipped"
        return
    for row in reader:
        if None in row:
            yield reader.line_num, None, "more cells than the header has columns"
            continue
        yield reader.line_num, row, ""


def _jsonl_rows(text: str) -> Iterator[tuple[int, dict[str, object] | None, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield number, None, f"not valid JSON ({e.msg})"
            continue
        yield (number, obj, "") if isinstance(obj, dict) else (number, None, "not a JSON object")


def _xlsx_rows(body: bytes) -> Iterator[tuple[int, dict[str, object] | None, str]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(body), read_only=True, data_only=True).worksheets[0]
    except Exception as e:  # openpyxl raises several kinds for a damaged file
        yield 1, None, f"not a readable XLSX file ({type(e).__name__}); the whole file was skipped"
        return
    rows = sheet.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    if "name" not in header:
        yield 1, None, "no 'name' column in the header; the whole file was skipped"
        return
    for number, values in enumerate(rows, start=2):
        if all(v is None for v in values):
            continue
        yield number, dict(zip(header, values, strict=False)), ""


class FilesSource(SourceType):
    """A drop folder of feeds; not fetched but read (see pipeline.run_files)."""

    type_name = "files"
    Options = FilesOptions
    respect_robots = False

    def files(self) -> list[Path]:
        o: FilesOptions = self.options  # type: ignore[assignment]
        folder = Path(o.folder)
        found = {p for pattern in o.patterns for p in folder.glob(pattern) if p.is_file()}
        return sorted(found)

    def read(self, name: str, body: bytes) -> tuple[list[Listing], list[str]]:
        o: FilesOptions = self.options  # type: ignore[assignment]
        return parse_feed(name, body, self.name, o.kind)
