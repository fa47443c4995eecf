"""``files``: a drop folder of CSV, JSONL or XLSX feeds (e.g. daily new registrations from a data vendor).

Each file is read once (the store knows its SHA-256); a bad row is reported
with its line and skipped, and the good rows are kept. Columns: ``name``
(required), ``key`` or ``id`` or 统一社会信用代码 (the listing's key), ``kind``,
``url``; every other column is kept as the listing's own fields.

A feed is read from disk in batches (:func:`read_feed`), never whole, so a
national register's 60M rows take the memory of one batch. The rows are not
read with ``screen``'s reader: a feed keeps every column as the listing's
fields and skips a bad row with its line, where ``screen`` stops at it.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice, repeat
from pathlib import Path

from pydantic import Field

from ..models import KINDS, Listing
from .base import SourceOptions, SourceType, clean

_KINDS = frozenset(KINDS)
KEY_COLUMNS = ("key", "id", "统一社会信用代码", "credit_code", "bundle_id")


class FilesOptions(SourceOptions):
    folder: str = Field(description="the drop folder; files are read once each, by content")
    kind: str = "company"
    patterns: tuple[str, ...] = ("*.csv", "*.jsonl", "*.xlsx")


def _listing(source: str, row: dict[str, object], default_kind: str, file: str, line: int) -> Listing:
    values = {str(k).strip(): clean(v) for k, v in row.items() if k is not None}
    name = values.pop("name", "")
    if not name:
        raise ValueError(f"{file}:{line}: no name")
    kind = values.pop("kind", "") or default_kind
    if kind not in KINDS:
        raise ValueError(f"{file}:{line}: kind {kind!r} is not one of {', '.join(KINDS)}")
    url = values.pop("url", "")
    text = values.pop("text", "")  # a post's body or a bio: scanned for mentions, pitches and contacts
    key = next((values[c] for c in KEY_COLUMNS if values.get(c)), "") or url or name
    values.pop("key", None)
    return Listing(source, key, kind, name, url, tuple(sorted((k, v) for k, v in values.items() if v)), text)


Row = tuple[int, dict[str, object] | None, str]  # (line, the row or None, why it is bad)


@dataclass(frozen=True)
class FeedScan:
    """One pass over a feed file's bytes: its SHA-256 and size, and why it cannot be read at all."""

    sha256: str
    size: int
    problem: str = ""  # 'file:line: why' when the whole file must be skipped


def scan_feed(path: Path, block: int = 1 << 20) -> FeedScan:
    """Hash the file and, for CSV and JSONL, check that it is UTF-8, in one pass of ``block`` bytes at a time."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8-sig")() if path.suffix.lower() != ".xlsx" else None
    size, lines, problem = 0, 1, ""
    with open(path, "rb") as f:
        while data := f.read(block):
            digest.update(data)
            if decoder is not None and not problem:
                try:
                    decoder.decode(data)
                except UnicodeDecodeError as e:
                    problem = f"{path.name}:{lines + data.count(NL, 0, max(e.start, 0))}: {_NOT_UTF8}"
                lines += data.count(NL)
            size += len(data)
    if decoder is not None and not problem:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            problem = f"{path.name}:{lines}: {_NOT_UTF8}"
    return FeedScan(digest.hexdigest(), size, problem)


NL = b"\n"
_NOT_UTF8 = "bytes that are not UTF-8; save the feed as UTF-8 (the whole file was skipped)"


@dataclass(frozen=True)
class FeedBatch:
    listings: list[Listing]
    bad: list[str]  # 'file:line: why'
    last_line: int  # the last line of the file this batch read


def read_feed(path: Path, source: str, default_kind: str, size: int = 4000, after: int = 0) -> Iterator[FeedBatch]:
    """The feed's rows after line ``after``, in batches of about ``size`` rows, read from disk as they are needed.

    Check the file with :func:`scan_feed` first: a file that is not UTF-8 raises UnicodeDecodeError part way.
    """
    if path.suffix.lower() == ".xlsx":
        yield from _batches(path.name, _xlsx_rows(path), source, default_kind, size, after)
        return
    with open(path, encoding="utf-8-sig", newline="") as f:
        yield from _text_batches(path.name, f, source, default_kind, size, after)


def parse_feed(name: str, body: bytes, source: str, default_kind: str) -> tuple[list[Listing], list[str]]:
    """(good listings, bad rows as 'file:line: why') of one feed file held in memory. Pure."""
    if Path(name).suffix.lower() == ".xlsx":
        batches = _batches(name, _xlsx_rows(body), source, default_kind, 4000, 0)
    else:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = body[: e.start].count(NL) + 1
            return [], [f"{name}:{line}: {_NOT_UTF8}"]
        batches = _text_batches(name, io.StringIO(text, newline=""), source, default_kind, 4000, 0)
    good: list[Listing] = []
    bad: list[str] = []
    for batch in batches:
        good += batch.listings
        bad += batch.bad
    return good, bad


def _text_batches(name: str, lines: Iterable[str], source: str, default_kind: str, size: int,
                  after: int) -> Iterator[FeedBatch]:
    if Path(name).suffix.lower() in (".jsonl", ".ndjson"):
        return _batches(name, _jsonl_rows(lines), source, default_kind, size, after)
    return _csv_batches(name, lines, source, default_kind, size, after)


def _batches(name: str, rows: Iterator[Row], source: str, default_kind: str, size: int,
             after: int) -> Iterator[FeedBatch]:
    """Batches of rows that are objects (JSONL, XLSX), one row at a time."""
    while chunk := list(islice(rows, size)):
        good: list[Listing] = []
        bad: list[str] = []
        for line, row, problem in chunk:
            if line <= after:
                continue
            if row is None:
                bad.append(f"{name}:{line}: {problem}")
                continue
            try:
                good.append(_listing(source, row, default_kind, name, line))
            except ValueError as e:
                bad.append(str(e))
        yield FeedBatch(good, bad, chunk[-1][0])


def _clean_column(values: Iterable[str]) -> list[str]:
    """``clean`` over a column; plain text (no markup) takes the fast way."""
    return [" ".join(v.split()) if "<" not in v else clean(v) for v in values]


def _csv_batches(name: str, lines: Iterable[str], source: str, default_kind: str, size: int,
                 after: int) -> Iterator[FeedBatch]:
    """CSV in columns, as ``screen`` reads it: the hot loop of a feed.

    The same listings as ``_listing`` gives for a row as a dict (a column named twice: the last one
    counts; a short row's missing cells are empty), the columns' roles decided once from the header.
    """
    csv.field_size_limit(2**31 - 1)  # a long junk field is a bad name, not a crash
    reader = csv.reader(lines)
    header = next(reader, None)
    cols = [h.strip() for h in header or []]
    if "name" not in cols:
        yield FeedBatch([], [f"{name}:1: no 'name' column in the header; the whole file was skipped"], 1)
        return
    index = {c: i for i, c in enumerate(cols)}  # the last of a name counts, as in a dict of the row
    width = len(cols)
    key_at = [index[c] for c in KEY_COLUMNS if c in index]
    others = sorted((c, i) for c, i in index.items() if c not in ("name", "kind", "url", "key", "text"))
    used = set(index.values())  # each column cleaned once, whatever roles it has
    prev = reader.line_num
    while rows := list(islice(reader, size)):
        end = reader.line_num
        if end - prev == len(rows):
            at = list(range(prev + 1, end + 1))
        else:  # quoted line breaks: each row ends as many lines further as it holds
            at, n = [], prev
            for r in rows:
                n += 1 + sum(c.count("\n") for c in r)
                at.append(n)
        prev = end
        bad: list[tuple[int, str]] = []
        kept_at = at
        if after >= at[0] or any(len(r) != width for r in rows):
            keep: list[list[str]] = []
            kept_at = []
            for r, line in zip(rows, at, strict=True):
                if line <= after or not r:  # done before, or a blank line
                    continue
                if len(r) > width:
                    bad.append((line, f"{name}:{line}: more cells than the header has columns"))
                    continue
                keep.append(r if len(r) == width else r + [""] * (width - len(r)))
                kept_at.append(line)
            rows = keep
        good: list[Listing] = []
        if rows:
            columns = list(zip(*rows, strict=True))
            column = {i: _clean_column(columns[i]) for i in used}
            blank = [""] * len(rows)
            names = column[index["name"]]
            kinds = ([k or default_kind for k in column[index["kind"]]] if "kind" in index
                     else [default_kind] * len(rows))
            urls = column[index["url"]] if "url" in index else blank
            texts = column[index["text"]] if "text" in index else blank
            keys = blank
            for i in reversed(key_at):  # the first key column with a value, else the url, else the name
                keys = [k or rest for k, rest in zip(column[i], keys, strict=True)]
            keys = [k or u or n for k, u, n in zip(keys, urls, names, strict=True)]
            # the other columns' (name, value) pairs a row, the empty ones left out
            pairs = [[(c, v) for v in column[i]] for c, i in others]
            given = list(zip(*pairs, strict=True)) if pairs else [()] * len(rows)
            if any("" in column[i] for _, i in others):
                given = [tuple([p for p in g if p[1]]) for g in given]
            if all(names) and _KINDS.issuperset(kinds):  # a batch without a bad row: no row by row
                good = list(map(Listing, repeat(source), keys, kinds, names, urls, given, texts))
            else:
                for j, line in enumerate(kept_at):
                    if not names[j]:
                        bad.append((line, f"{name}:{line}: no name"))
                    elif kinds[j] not in _KINDS:
                        bad.append((line, f"{name}:{line}: kind {kinds[j]!r} is not one of {', '.join(KINDS)}"))
                    else:
                        good.append(Listing(source, keys[j], kinds[j], names[j], urls[j], given[j], texts[j]))
        yield FeedBatch(good, [why for _, why in sorted(bad)], at[-1])


def _jsonl_rows(lines: Iterable[str]) -> Iterator[Row]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield number, None, f"not valid JSON ({e.msg})"
            continue
        yield (number, obj, "") if isinstance(obj, dict) else (number, None, "not a JSON object")


def _xlsx_rows(body: bytes | Path) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(body) if isinstance(body, bytes) else body, read_only=True,
                              data_only=True).worksheets[0]
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

    def read_batches(self, path: Path, size: int, after: int = 0) -> Iterator[FeedBatch]:
        """The file's rows after line ``after`` in batches (see :func:`read_feed`)."""
        o: FilesOptions = self.options  # type: ignore[assignment]
        return read_feed(path, self.name, o.kind, size, after)
