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
import io
import json
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, islice, pairwise
from pathlib import Path
from typing import IO, Any

from .cells import csv_safe, without_controls
from .errors import InputError
from .match import Matcher
from .models import KINDS, Hit

OUTPUT_COLUMNS = ("id", "name", "kind", "mark_id", "mark", "score", "severity", "rule", "span", "explanation")
CHUNK = 64_000  # rows matched together: the index answers a batch at a fixed cost per call


# One input row: (id, name, kind, line). A plain tuple: millions are made per
# screen, and a NamedTuple's constructor costs more than matching most names.
NameRow = tuple[str, str, str, int]
ID, NAME, KIND, LINE = range(4)


class Chunk:
    """A batch of input rows as columns: what the matcher and the writer take whole."""

    __slots__ = ("ids", "kinds", "lines", "names")

    def __init__(self, ids: list[str], names: list[str], kinds: list[str], lines: Sequence[int]) -> None:
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


MAX_NAME = 1000  # characters: a registered name has under 100; more is a text, or a broken row


def _sized(path: Path, chunk: Chunk) -> Chunk:
    """The chunk, or an error naming the first row whose name is too long to be a name."""
    if chunk.names and max(map(len, chunk.names)) > MAX_NAME:
        i = next(k for k, n in enumerate(chunk.names) if len(n) > MAX_NAME)
        raise InputError(f"{path}: line {chunk.lines[i]}: a name of {len(chunk.names[i]):,} characters; names are "
                         f"at most {MAX_NAME:,} (a column of texts, or a quote left open above this line?)")
    return chunk


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
                yield _sized(path, Chunk.of(chunk))
                chunk = []
    if chunk:
        yield _sized(path, Chunk.of(chunk))


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
            lines = range(prev + 1, end + 1)  # type: ignore[assignment]  # no million ints
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
            if not rows:  # only blank lines
                continue
        names = [r[i_name].strip() for r in rows]
        ids = _column(rows, i_id, "") if i_id >= 0 else [""] * len(rows)
        if i_kind >= 0:
            kinds = _column(rows, i_kind, default_kind)
            if not _KIND_SET.issuperset(kinds):
                kinds = [k if k in _KIND_SET else _kind(k, default_kind, path, line)
                         for k, line in zip(kinds, lines, strict=True)]
        else:
            kinds = [default_kind] * len(rows)
        chunk = _sized(path, Chunk(ids, names, kinds, lines))
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
                yield _sized(path, Chunk.of(chunk))
                chunk = []
    if chunk:
        yield _sized(path, Chunk.of(chunk))


PARSERS: dict[str, Callable[..., Iterator[Chunk]]] = {"csv": _parse_csv, "jsonl": _parse_jsonl, "text": _parse_text}

# -- blocks of a file, parsed apart (local workers, brandwatch.distributed) --------------

@dataclass(frozen=True)
class Block:
    """A run of whole lines of one input file, bytes [start, end); ``first``: its first line's number."""

    path: str
    start: int
    end: int
    first: int = 1
    header: str = ""  # CSV: the header line, so a block can be parsed alone


def cut_blocks(path: Path, blocksize: int) -> tuple[list[Block], str]:
    """Cut a file at line ends about every ``blocksize`` bytes; the CSV header line."""
    total = check_input_file(path)
    header = ""
    with open(path, "rb") as f:
        if input_format(path) == "csv":
            first = f.readline(2**20)
            try:
                header = first.decode("utf-8-sig")
            except UnicodeDecodeError:
                header = ""  # the single block's parse reports the line
            if "\r" in header.rstrip("\r\n") or not header.endswith("\n"):
                return [Block(str(path), 0, total)], ""  # old Mac line ends, or no line end: one block
            _check_header(path, header)
        cuts = [0]
        pos = max(blocksize, f.tell())
        while pos < total:
            f.seek(pos)
            while (piece := f.read(65536)) and (nl := piece.find(b"\n")) < 0:
                pos += len(piece)
            if not piece:
                break
            pos += nl + 1
            if pos < total:
                cuts.append(pos)
            pos += blocksize
    cuts.append(total)
    return [Block(str(path), a, b, header=header) for a, b in pairwise(cuts)], header


def _check_header(path: Path, header: str) -> None:
    """The local parser's header errors (no 'name' column …), on the client before any work starts."""
    for _ in PARSERS["csv"](path, "company", 1, iter([header]), 0):
        pass


def count_block(block: Block, csv_quotes: bool) -> tuple[int, int]:
    """Lines (as Python's universal newlines count them) and quote marks in a block."""
    with open(block.path, "rb") as f:
        f.seek(block.start)
        data = f.read(block.end - block.start)
    lines = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return lines, data.count(b'"') if csv_quotes else 0


def number_blocks(blocks: list[Block], counts: list[tuple[int, int]]) -> list[Block]:
    """Give each block its first line; join a block to the one before when the cut is inside quotes."""
    out: list[Block] = []
    line, quotes = 1, 0
    for block, (lines, q) in zip(blocks, counts, strict=True):
        if out and quotes % 2:  # the cut fell inside a quoted field: this block continues the last
            last = out.pop()
            out.append(Block(last.path, last.start, block.end, last.first, last.header))
        else:
            out.append(Block(block.path, block.start, block.end, line, block.header))
        line += lines
        quotes += q
    return out


def read_block(block: Block, default_kind: str, size: int = CHUNK) -> Iterator[Chunk]:
    """The rows of a block of a file, with the file's own line numbers, by the file's parser."""
    path = Path(block.path)
    with open(path, "rb") as f:
        f.seek(block.start)
        data = f.read(block.end - block.start)
    try:
        text = data.decode("utf-8-sig" if block.start == 0 else "utf-8")
    except UnicodeDecodeError as e:
        line_start = max(data.rfind(b"\n", 0, e.start), data.rfind(b"\r", 0, e.start)) + 1
        before = data[:line_start]
        line = block.first + before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n")
        raise not_utf8_error(path, line, e.start - line_start + 1) from None
    parse = PARSERS[input_format(path)]
    lines = io.StringIO(text, newline="")
    if block.start == 0:
        return parse(path, default_kind, size, lines, 0)
    if block.header:
        return parse(path, default_kind, size, chain([block.header], lines), 0, first=block.first)
    return parse(path, default_kind, size, lines, 0, first=block.first)




def hit_row(row: NameRow, hit: Hit) -> list[object]:
    values = [row[ID], row[NAME], row[KIND], hit.mark_id, hit.mark, hit.score, hit.severity, hit.rule, hit.span,
              hit.explanation]
    return [csv_safe(without_controls(v)) for v in values]


# -- workers ---------------------------------------------------------------------

_worker_matcher: Matcher | None = None


def _init_worker(matcher: Matcher) -> None:
    """A worker's matcher: the parent's, inherited when forked (nothing is copied until written)."""
    global _worker_matcher
    _worker_matcher = matcher
    gc.freeze()  # the matcher's tables are never walked by the collector
    gc.set_threshold(200_000, *gc.get_threshold()[1:])  # as _batch_gc: rows die by reference counting


def _match_rows(matcher: Matcher, chunk: Chunk) -> tuple[int, list[tuple[NameRow, list[Hit]]]]:
    hits = matcher.match_many(chunk.names, chunk.kinds)
    rows = len(chunk.names) - chunk.names.count("")
    return rows, [(chunk.row(i), h) for i, h in sorted(hits.items())]


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


def tally(summary: ScreenSummary, results: Iterable[tuple[NameRow, list[Hit]]],
          write: Callable[[list[object]], object]) -> None:
    """Count matched rows into ``summary`` and ``write`` one output row per hit (screen, the Dask engine)."""
    for row, hits in results:
        summary.names_hit += 1
        for h in hits:
            summary.hits += 1
            summary.by_severity[h.severity] += 1
            summary.by_mark[h.mark_id] += 1
            write(hit_row(row, h))


def _tally(summary: ScreenSummary, writer: Any, done: tuple[int, list[tuple[NameRow, list[Hit]]]]) -> None:
    count, results = done
    summary.rows += count
    tally(summary, results, writer.writerow)


def screen(chunks: Iterable[Chunk], out: IO[str], matcher: Matcher) -> ScreenSummary:
    """Match every row and write the hits as CSV to ``out`` (header included), in this process."""
    writer = csv.writer(out)
    writer.writerow(OUTPUT_COLUMNS)
    summary = ScreenSummary()
    with _batch_gc():
        for chunk in chunks:
            _tally(summary, writer, _match_rows(matcher, chunk))
    return summary


BLOCK = 1 << 20  # bytes of input a worker reads, parses, matches and formats at a time


def _screen_block(block: Block, default_kind: str) -> tuple[ScreenSummary, str, InputError | None]:
    """In a worker: a block of the file read, parsed, matched and written as CSV text; an input error
    comes back with the rows before it."""
    assert _worker_matcher is not None
    buf = io.StringIO()
    writer = csv.writer(buf)
    summary = ScreenSummary()
    try:
        for chunk in read_block(block, default_kind):
            _tally(summary, writer, _match_rows(_worker_matcher, chunk))
    except InputError as e:
        return summary, buf.getvalue(), e
    return summary, buf.getvalue(), None


def screen_blocks(path: Path, out: IO[str], matcher: Matcher, workers: int, default_kind: str = "company",
                  on_bytes: Callable[[int], None] | None = None, blocksize: int = BLOCK) -> ScreenSummary:
    """``screen`` over ``workers`` processes that share the built matcher (forked after it was built,
    where the system can fork; else each gets a copy once). The main process only cuts the file into
    blocks of whole lines and writes what comes back, in order: the output is the same as ``screen``'s."""
    blocks, _ = cut_blocks(path, blocksize)
    is_csv = input_format(path) == "csv"
    writer = csv.writer(out)
    writer.writerow(OUTPUT_COLUMNS)
    summary = ScreenSummary()

    def emit(fut: Future) -> None:
        part, text, error = fut.result()
        out.write(text)
        summary.rows += part.rows
        summary.names_hit += part.names_hit
        summary.hits += part.hits
        summary.by_severity.update(part.by_severity)
        summary.by_mark.update(part.by_mark)
        if error is not None:
            raise error

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork") if "fork" in methods else None
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(matcher,)) as pool:
        # each block's lines and quote marks, counted by the workers: then its first line's number
        blocks = number_blocks(blocks, list(pool.map(count_block, blocks, [is_csv] * len(blocks), chunksize=8)))
        pending: deque[tuple[Future, Block]] = deque()
        try:
            for block in blocks:
                pending.append((pool.submit(_screen_block, block, default_kind), block))
                if len(pending) >= workers * 3:  # bounded: memory stays flat
                    fut, done = pending.popleft()
                    emit(fut)
                    if on_bytes:
                        on_bytes(done.end)
            while pending:
                fut, done = pending.popleft()
                emit(fut)
                if on_bytes:
                    on_bytes(done.end)
        except BaseException:
            for fut, _ in pending:
                fut.cancel()
            raise
    if not summary.rows:
        raise no_names_error(path)
    return summary


def screen_file(in_path: Path | str, out_path: Path | str | None, matcher: Matcher, *, workers: int = 1,
                default_kind: str = "company", out_stream: IO[str] | None = None,
                on_bytes: Callable[[int], None] | None = None) -> ScreenSummary:
    """Screen ``in_path`` into ``out_path`` (UTF-8 with BOM), or into ``out_stream``; with ``workers``
    above 1, in that many processes (``screen_blocks``)."""
    path = Path(in_path)

    def run(out: IO[str]) -> ScreenSummary:
        if workers > 1:
            check_input_file(path)
            return screen_blocks(path, out, matcher, workers, default_kind, on_bytes)
        return screen(read_name_chunks(path, default_kind, CHUNK, on_bytes), out, matcher)

    if out_path is None:
        assert out_stream is not None
        return run(out_stream)
    out_path = Path(out_path)
    tmp = out_path.with_name(out_path.name + ".partial")
    try:
        with open(tmp, "w", encoding="utf-8-sig", newline="", errors="backslashreplace") as f:
            summary = run(f)
    except InputError as e:
        raise InputError(f"{e}\n(the hits found before this line are in {tmp}; {out_path} was not changed)") from None
    os.replace(tmp, out_path)
    return summary
