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
CHUNK = 4000


# One input row: (id, name, kind, line). A plain tuple: millions are made per
# screen, and a NamedTuple's constructor costs more than matching most names.
NameRow = tuple[str, str, str, int]
ID, NAME, KIND, LINE = range(4)


@dataclass
class ScreenSummary:
    rows: int = 0
    names_hit: int = 0
    hits: int = 0
    by_severity: Counter = field(default_factory=Counter)
    by_mark: Counter = field(default_factory=Counter)


def _texts(path: Path, on_bytes: Callable[[int], None] | None) -> Iterator[str]:
    """The lines of a UTF-8 file, BOM dropped; undecodable bytes name their line.

    Text mode is fast; when it meets bytes that are not UTF-8 (it decodes a
    block ahead), the lines before the bad one are read again one by one, so
    all of them are still yielded, and the error names the line and column.
    """
    done = 0
    with open(path, encoding="utf-8-sig", newline="") as f:
        try:
            for text in f:
                done += 1
                if on_bytes and not done & 0xFFF:
                    on_bytes(f.buffer.tell())
                yield text
        except UnicodeDecodeError:
            pass
        else:
            if on_bytes:
                on_bytes(path.stat().st_size)
            return
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                text = decoder.decode(raw)
            except UnicodeDecodeError as e:
                raise InputError(
                    f"{path}: line {number}: bytes that are not UTF-8 at column {e.start + 1}; "
                    "save the file as UTF-8 (from GBK: iconv -f gb18030 -t utf-8)"
                ) from None
            if number > done:
                yield text
    raise InputError(f"{path}: the file ends inside a UTF-8 character; save the file as UTF-8")


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
    texts = _texts(path, on_bytes)
    if suffix == ".csv":
        yield from _read_csv(path, texts, default_kind)
    elif suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path, enumerate(texts, start=1), default_kind)
    else:
        for number, text in enumerate(texts, start=1):
            name = text.rstrip("\r\n")
            if name.strip():
                yield (str(number), name.strip(), default_kind, number)


def _read_csv(path: Path, texts: Iterator[str], default_kind: str) -> Iterator[NameRow]:
    reader = csv.reader(texts)  # line numbers from reader.line_num
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
        try:
            name = row[i_name].strip()
        except IndexError:
            if not any(c.strip() for c in row):
                continue
            raise InputError(
                f"{path}: line {reader.line_num}: {len(row)} column(s), but 'name' is column {i_name + 1}; "
                "check for a missing comma or an unquoted line break"
            ) from None
        if not name:
            continue
        line = reader.line_num
        rid = row[i_id] if i_id is not None and i_id < len(row) else ""
        if not rid or rid[0] == " " or rid[-1] == " ":
            rid = rid.strip() or str(line)
        kind = row[i_kind] if i_kind is not None and i_kind < len(row) else default_kind
        if kind not in KINDS:
            kind = _kind(kind, default_kind, path, line)
        yield (rid, name, kind, line)


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
            yield (rid, obj["name"].strip(), kind, number)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """Neutralise a text cell a spreadsheet would run as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def hit_row(row: NameRow, hit: Hit) -> list[object]:
    values = [row[ID], row[NAME], row[KIND], hit.mark_id, hit.mark, hit.score, hit.severity, hit.rule, hit.span,
              hit.explanation]
    return [csv_safe(v) for v in values]


# -- workers ---------------------------------------------------------------------

_worker_matcher: Matcher | None = None


def _init_worker(watchlists: tuple[Watchlist, ...], risk_terms: tuple[str, ...]) -> None:
    global _worker_matcher
    _worker_matcher = Matcher(watchlists, risk_terms)


def _match_rows(matcher: Matcher, rows: list[NameRow]) -> list[tuple[NameRow, list[Hit]]]:
    hits = matcher.match_many([r[NAME] for r in rows], [r[KIND] for r in rows])
    return [(r, h) for r, h in zip(rows, hits, strict=True) if h]


def _match_chunk(rows: list[NameRow]) -> tuple[int, list[tuple[NameRow, list[Hit]]]]:
    assert _worker_matcher is not None
    return len(rows), _match_rows(_worker_matcher, rows)


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

    def emit(done: tuple[int, list[tuple[NameRow, list[Hit]]]]) -> None:
        count, results = done
        summary.rows += count
        for row, hits in results:
            summary.names_hit += 1
            for h in hits:
                summary.hits += 1
                summary.by_severity[h.severity] += 1
                summary.by_mark[h.mark_id] += 1
                writer.writerow(hit_row(row, h))

    if workers <= 1:
        for chunk in _chunks(rows, CHUNK):
            emit((len(chunk), _match_rows(matcher, chunk)))
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
