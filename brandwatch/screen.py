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
import gc
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
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


class Chunk:
    """A batch of input rows as columns: what the matcher and the writer take whole."""

    __slots__ = ("ids", "kinds", "lines", "names")

    def __init__(self, ids: list[str], names: list[str], kinds: list[str], lines: list[int]) -> None:
        self.ids, self.names, self.kinds, self.lines = ids, names, kinds, lines

    @classmethod
    def of(cls, rows: list[NameRow]) -> Chunk:
        return cls([r[ID] for r in rows], [r[NAME] for r in rows], [r[KIND] for r in rows], [r[LINE] for r in rows])

    def __len__(self) -> int:
        return len(self.names)

    def row(self, i: int) -> NameRow:
        """The i-th row; a row without an id gets its line number."""
        return (self.ids[i].strip() or str(self.lines[i]), self.names[i], self.kinds[i], self.lines[i])

    def after(self, line: int) -> Chunk:
        """The rows after ``line``."""
        keep = [i for i, n in enumerate(self.lines) if n > line]
        return Chunk(*([col[i] for i in keep] for col in (self.ids, self.names, self.kinds, self.lines)))
_KIND_SET = frozenset(KINDS)


@dataclass
class ScreenSummary:
    rows: int = 0
    names_hit: int = 0
    hits: int = 0
    by_severity: Counter = field(default_factory=Counter)
    by_mark: Counter = field(default_factory=Counter)


def not_utf8_error(path: Path, line: int, column: int) -> InputError:
    return InputError(f"{path}: line {line}: bytes that are not UTF-8 at column {column}; "
                      "save the file as UTF-8 (from GBK: iconv -f gb18030 -t utf-8)")


def _binary_lines(path: Path) -> Iterator[str]:
    """The lines of a file decoded one by one, so the first bad byte names its line."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                yield decoder.decode(raw)
            except UnicodeDecodeError as e:
                raise not_utf8_error(path, number, e.start + 1) from None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputError(f"{path}: the file ends inside a UTF-8 character; save the file as UTF-8") from None


def _decoded(path: Path, parse: Callable[[Iterator[str], int], Iterator[Chunk]]) -> Iterator[Chunk]:
    """Run ``parse`` over the file's lines in fast text mode; if the file is not all
    UTF-8, run it again over lines decoded one by one, yielding only rows after the
    last one already yielded, until the bad line raises its error."""
    last = 0
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            for chunk in parse(f, 0):
                if len(chunk):
                    last = chunk.lines[-1]
                    yield chunk
    except UnicodeDecodeError:
        errors: list[InputError] = []

        def good_lines() -> Iterator[str]:
            try:
                yield from _binary_lines(path)
            except InputError as e:  # parse what came before the bad line, then say where it is
                errors.append(e)

        yield from parse(good_lines(), last)
        if errors:
            raise errors[0] from None


def _kind(value: str | None, default: str, path: Path, line: int) -> str:
    if value is None or not str(value).strip():
        return default
    k = str(value).strip().lower()
    if k not in KINDS:
        raise InputError(f"{path}: line {line}: kind {value!r} is not one of {', '.join(KINDS)}")
    return k


def read_name_chunks(path: Path | str, default_kind: str = "company", size: int = 4000,
                     on_bytes: Callable[[int], None] | None = None) -> Iterator[Chunk]:
    """The rows of an input file, in order, in lists of about ``size`` rows."""
    path = Path(path)
    total = check_input_file(path)
    parse = partial(PARSERS[input_format(path)], path, default_kind, size)
    done = 0
    for chunk in _decoded(path, parse):
        done += len(chunk)
        if on_bytes:  # an estimate: the average line length so far
            on_bytes(min(total, total * done // max(done, chunk.lines[-1])))
        yield chunk
    if not done:
        raise no_names_error(path)


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


def input_format(path: Path) -> str:
    """``csv``, ``jsonl`` or ``text``, by the file's name."""
    suffix = path.suffix.lower()
    return "csv" if suffix == ".csv" else "jsonl" if suffix in (".jsonl", ".ndjson") else "text"


def read_names(path: Path | str, default_kind: str = "company") -> Iterator[NameRow]:
    """The rows of an input file, one by one."""
    for chunk in read_name_chunks(path, default_kind):
        for i in range(len(chunk)):
            if chunk.names[i]:
                yield chunk.row(i)


# Each parser takes the lines and ``after`` (rows up to that line are skipped);
# ``first`` is the number of the first line given after any header: 1 for a
# whole file, more for a block of it (brandwatch.distributed reads blocks).

def _parse_text(path: Path, default_kind: str, size: int, lines: Iterator[str], after: int, *,
                first: int = 1) -> Iterator[Chunk]:
    chunk: list[NameRow] = []
    for number, text in enumerate(lines, start=first):
        name = text.strip()
        if name and number > after:
            chunk.append((str(number), name, default_kind, number))
            if len(chunk) >= size:
                yield Chunk.of(chunk)
                chunk = []
    if chunk:
        yield Chunk.of(chunk)


def _column(rows: list[list[str]], i: int, missing: str) -> list[str]:
    """Column i of every row, ``missing`` where a row is shorter (rare: tried only then)."""
    try:
        return [r[i] for r in rows]
    except IndexError:
        return [r[i] if len(r) > i else missing for r in rows]


def _parse_csv(path: Path, default_kind: str, size: int, lines: Iterator[str], after: int, *,
               first: int | None = None) -> Iterator[Chunk]:
    csv.field_size_limit(2**31 - 1)  # a long junk field is a name like any other, not a crash
    reader = csv.reader(lines)  # line numbers from reader.line_num
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
    i_id = cols.index("id") if "id" in cols else -1
    i_kind = cols.index("kind") if "kind" in cols else -1
    shift = 0 if first is None else first - 1 - reader.line_num  # a block: its lines follow the header
    prev = reader.line_num + shift
    # The hot loop of a screen, written in columns: rows come from the csv module
    # in C-level slices, and each column is one comprehension.
    while rows := list(islice(reader, size)):
        end = reader.line_num + shift
        if end - prev == len(rows):
            lines = list(range(prev + 1, end + 1))
        else:  # quoted line breaks: each row ends as many lines further as it holds
            lines, at = [], prev
            for r in rows:
                at += 1 + sum(c.count("\n") for c in r)
                lines.append(at)
        prev = end
        if min(map(len, rows)) <= i_name:  # blank lines, or rows too short to have a name
            short = [i for i, r in enumerate(rows) if len(r) <= i_name]
            for i in short:
                if any(c.strip() for c in rows[i]):
                    raise InputError(
                        f"{path}: line {lines[i]}: {len(rows[i])} column(s), but 'name' is column {i_name + 1}; "
                        "check for a missing comma or an unquoted line break"
                    )
            keep = [i for i, r in enumerate(rows) if len(r) > i_name]
            rows, lines = [rows[i] for i in keep], [lines[i] for i in keep]
        names = [r[i_name].strip() for r in rows]
        ids = _column(rows, i_id, "") if i_id >= 0 else [""] * len(rows)
        if i_kind >= 0:
            kinds = _column(rows, i_kind, default_kind)
            if not _KIND_SET.issuperset(kinds):
                kinds = [k if k in _KIND_SET else _kind(k, default_kind, path, line)
                         for k, line in zip(kinds, lines, strict=True)]
        else:
            kinds = [default_kind] * len(rows)
        chunk = Chunk(ids, names, kinds, lines)
        yield chunk if after < lines[0] else chunk.after(after)


def _parse_jsonl(path: Path, default_kind: str, size: int, lines: Iterator[str], after: int, *,
                 first: int = 1) -> Iterator[Chunk]:
    chunk: list[NameRow] = []
    for number, text in enumerate(lines, start=first):
        if not text.strip() or number <= after:
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
            chunk.append((rid, obj["name"].strip(), kind, number))
            if len(chunk) >= size:
                yield Chunk.of(chunk)
                chunk = []
    if chunk:
        yield Chunk.of(chunk)


PARSERS: dict[str, Callable[..., Iterator[Chunk]]] = {"csv": _parse_csv, "jsonl": _parse_jsonl, "text": _parse_text}

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


def _match_rows(matcher: Matcher, chunk: Chunk) -> tuple[int, list[tuple[NameRow, list[Hit]]]]:
    hits = matcher.match_many(chunk.names, chunk.kinds)
    rows = len(chunk.names) - chunk.names.count("")
    return rows, [(chunk.row(i), h) for i, h in sorted(hits.items())]


def _match_chunk(chunk: Chunk) -> tuple[int, list[tuple[NameRow, list[Hit]]]]:
    assert _worker_matcher is not None
    return _match_rows(_worker_matcher, chunk)


@contextmanager
def _batch_gc() -> Iterator[None]:
    """Collect cycles rarely while screening.

    A screen allocates millions of short-lived rows that reference counting
    frees at once; the cyclic collector would otherwise walk them (and the
    matcher's large tables) thousands of times for nothing: about a quarter
    of the run. Collection still happens, every 200,000 allocations.
    """
    old = gc.get_threshold()
    gc.freeze()  # what exists now (the matcher's tables) is never walked again
    gc.set_threshold(200_000, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def screen(chunks: Iterable[Chunk], out: IO[str], matcher: Matcher, workers: int = 1) -> ScreenSummary:
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
        with _batch_gc():
            for chunk in chunks:
                emit(_match_rows(matcher, chunk))
        return summary
    with ProcessPoolExecutor(workers, initializer=_init_worker,
                             initargs=(matcher.watchlists, matcher.risk_terms)) as pool:
        pending: list[Future] = []
        for chunk in chunks:
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
    chunks = read_name_chunks(in_path, default_kind, CHUNK, on_bytes)
    if out_path is None:
        assert out_stream is not None
        return screen(chunks, out_stream, matcher, workers)
    out_path = Path(out_path)
    tmp = out_path.with_name(out_path.name + ".partial")
    try:
        with open(tmp, "w", encoding="utf-8-sig", newline="", errors="backslashreplace") as f:
            summary = screen(chunks, f, matcher, workers)
    except InputError as e:
        raise InputError(f"{e}\n(the hits found before this line are in {tmp}; {out_path} was not changed)") from None
    os.replace(tmp, out_path)
    return summary
