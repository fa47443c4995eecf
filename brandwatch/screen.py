"""Screen a file of names: read rows, match each, write one CSV row per hit.

Streams: rows are read, matched and written in chunks, so memory stays flat
however large the input. Input formats, by file name:

- ``.csv``: a header with a ``name`` column; ``id`` and ``kind`` optional,
  other columns ignored.
- ``.jsonl`` / ``.ndjson``: one JSON object a line with ``name`` (``id``, ``kind`` optional).
- anything else: plain text, one name a line.

A row without an id gets its line number. Errors name the file and line and
say how to fix it; the output file is written to a temporary name and moved
into place only when the whole input was read, so an error never leaves a
half-written OUT over a good one (the rows done so far are kept in
``OUT.partial``).
"""

from __future__ import annotations

import codecs
import csv
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .errors import InputError
from .match import Matcher
from .models import KINDS, Hit, Watchlist

OUTPUT_COLUMNS = ("id", "name", "kind", "mark_id", "mark", "score", "severity", "rule", "span", "explanation")
CHUNK = 2000


@dataclass(frozen=True, slots=True)
class NameRow:
    id: str
    name: str
    kind: str
    line: int


@dataclass
class ScreenSummary:
    rows: int = 0
    names_hit: int = 0
    hits: int = 0
    by_severity: Counter = field(default_factory=Counter)
    by_mark: Counter = field(default_factory=Counter)


def _lines(path: Path, on_bytes: Callable[[int], None] | None) -> Iterator[tuple[int, str]]:
    """(line number, text) of a UTF-8 file, BOM dropped; undecodable bytes name their line."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            if on_bytes:
                on_bytes(len(raw))
            try:
                text = decoder.decode(raw)
            except UnicodeDecodeError as e:
                raise InputError(
                    f"{path}: line {number}: bytes that are not UTF-8 at column {e.start + 1}; "
                    "save the file as UTF-8 (from GBK: iconv -f gb18030 -t utf-8)"
                ) from None
            yield number, text


def _kind(value: str | None, default: str, path: Path, line: int) -> str:
    if value is None or not str(value).strip():
        return default
    k = str(value).strip().lower()
    if k not in KINDS:
        raise InputError(f"{path}: line {line}: kind {value!r} is not one of {', '.join(KINDS)}")
    return k


def read_names(path: Path | str, default_kind: str = "company",
               on_bytes: Callable[[int], None] | None = None) -> Iterator[NameRow]:
    """The rows of an input file, in order, as they are read."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty; give one name a line, or CSV with a header id,name")
    suffix = path.suffix.lower()
    lines = _lines(path, on_bytes)
    if suffix == ".csv":
        yield from _read_csv(path, lines, default_kind)
    elif suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path, lines, default_kind)
    else:
        for number, text in lines:
            name = text.rstrip("\r\n")
            if name.strip():
                yield NameRow(str(number), name.strip(), default_kind, number)


def _read_csv(path: Path, lines: Iterator[tuple[int, str]], default_kind: str) -> Iterator[NameRow]:
    current = [0]

    def text_only() -> Iterator[str]:
        for number, text in lines:
            current[0] = number
            yield text

    reader = csv.reader(text_only())
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise InputError(f"{path}: line 1: the header is empty; the first line must name the columns, e.g. id,name")
    cols = [h.strip().lower() for h in header]
    if "name" not in cols:
        raise InputError(
            f"{path}: line 1: no 'name' column (the header is: {','.join(header)}); "
            "name the column of names 'name', e.g. id,name,kind"
        )
    i_name = cols.index("name")
    i_id = cols.index("id") if "id" in cols else None
    i_kind = cols.index("kind") if "kind" in cols else None
    for row in reader:
        line = current[0]
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) <= i_name:
            raise InputError(
                f"{path}: line {line}: {len(row)} column(s), but 'name' is column {i_name + 1}; "
                "check for a missing comma or an unquoted line break"
            )
        name = row[i_name].strip()
        if not name:
            continue
        rid = row[i_id].strip() if i_id is not None and i_id < len(row) and row[i_id].strip() else str(line)
        kind = _kind(row[i_kind] if i_kind is not None and i_kind < len(row) else None, default_kind, path, line)
        yield NameRow(rid, name, kind, line)


def _read_jsonl(path: Path, lines: Iterator[tuple[int, str]], default_kind: str) -> Iterator[NameRow]:
    for number, text in lines:
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            column = min(e.pos, len(text.rstrip("\r\n"))) + 1
            raise InputError(f"{path}: line {number}: not valid JSON ({e.msg} at column {column})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
            raise InputError(f'{path}: line {number}: each line must be an object with a "name" string')
        rid = str(obj.get("id") if obj.get("id") not in (None, "") else number)
        kind = _kind(obj.get("kind"), default_kind, path, number)
        if obj["name"].strip():
            yield NameRow(rid, obj["name"].strip(), kind, number)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """Neutralise a text cell a spreadsheet would run as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def hit_row(row: NameRow, hit: Hit) -> list[object]:
    values = [row.id, row.name, row.kind, hit.mark_id, hit.mark, hit.score, hit.severity, hit.rule, hit.span,
              hit.explanation]
    return [csv_safe(v) for v in values]


# -- workers ---------------------------------------------------------------------

_worker_matcher: Matcher | None = None


def _init_worker(watchlists: tuple[Watchlist, ...], risk_terms: tuple[str, ...]) -> None:
    global _worker_matcher
    _worker_matcher = Matcher(watchlists, risk_terms)


def _match_chunk(rows: list[NameRow]) -> list[tuple[NameRow, list[Hit]]]:
    assert _worker_matcher is not None
    m = _worker_matcher
    return [(r, m.match(r.name, r.kind)) for r in rows]


def _chunks(rows: Iterator[NameRow], size: int) -> Iterator[list[NameRow]]:
    """Rows in lists of ``size``; on a bad line, the rows before it are yielded first."""
    chunk: list[NameRow] = []
    try:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= size:
                yield chunk
                chunk = []
    except InputError:
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


def screen(rows: Iterator[NameRow], out: IO[str], matcher: Matcher, workers: int = 1) -> ScreenSummary:
    """Match every row and write the hits as CSV to ``out`` (header included)."""
    writer = csv.writer(out)
    writer.writerow(OUTPUT_COLUMNS)
    summary = ScreenSummary()

    def emit(results: list[tuple[NameRow, list[Hit]]]) -> None:
        for row, hits in results:
            summary.rows += 1
            if hits:
                summary.names_hit += 1
            for h in hits:
                summary.hits += 1
                summary.by_severity[h.severity] += 1
                summary.by_mark[h.mark_id] += 1
                writer.writerow(hit_row(row, h))

    if workers <= 1:
        for chunk in _chunks(rows, CHUNK):
            emit([(r, matcher.match(r.name, r.kind)) for r in chunk])
        return summary
    with ProcessPoolExecutor(workers, initializer=_init_worker,
                             initargs=(matcher.watchlists, matcher.risk_terms)) as pool:
        pending: list[Future] = []
        for chunk in _chunks(rows, CHUNK):
            pending.append(pool.submit(_match_chunk, chunk))
            if len(pending) >= workers * 2:  # bounded: memory stays flat
                emit(pending.pop(0).result())
        for fut in pending:
            emit(fut.result())
    return summary


def screen_file(in_path: Path | str, out_path: Path | str | None, matcher: Matcher, *, workers: int = 1,
                default_kind: str = "company", out_stream: IO[str] | None = None,
                on_bytes: Callable[[int], None] | None = None) -> ScreenSummary:
    """Screen ``in_path`` into ``out_path`` (UTF-8 with BOM), or into ``out_stream``."""
    rows = read_names(in_path, default_kind, on_bytes)
    if out_path is None:
        assert out_stream is not None
        return screen(rows, out_stream, matcher, workers)
    out_path = Path(out_path)
    tmp = out_path.with_name(out_path.name + ".partial")
    try:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
            summary = screen(rows, f, matcher, workers)
    except InputError as e:
        raise InputError(f"{e}\n(the hits found before this line are in {tmp}; {out_path} was not changed)") from None
    os.replace(tmp, out_path)
    return summary
