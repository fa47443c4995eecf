"""Screen a file of names: read rows (inputs.py), match each, write one CSV row per hit, or every row.

Streams: rows are read, matched and written in chunks, so memory stays flat
however large the input. Two outputs:

- **hits** (the default; version 1, stable): one row per (input row, mark)
  hit, in :data:`OUTPUT_COLUMNS`.
- **record** (``--all``, :func:`record_header`): every input row, its own
  columns in their order, then a verdict (近似 match, 未发现近似 no match, or
  无名称 no name) and, when matched, the mark, rule, score, severity and
  explanation; a row matching two marks appears twice. A first line says what
  was screened against (:func:`record_preamble`: brandwatch's version, the
  time, the input's and the watchlists' SHA-256): a clearance record a lawyer
  can file.

Every cell goes through ``cells.csv_safe`` and has its control characters
removed; in the record, bidirectional formatting characters are written out
(``<U+202E>``), since people read it and such a character reorders a line.
The output file is written to ``OUT.partial`` and moved into place only when
the whole input was read, so an error never leaves a half-written OUT over a
good one (the rows done so far are kept in ``OUT.partial``).
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from .blocks import (
    Block,
    BlockCount,
    count_block,
    cut_blocks,
    decide_encoding,
    input_columns,
    number_blocks,
    read_block,
)
from .cells import csv_safe, visible_bidi, without_controls
from .errors import BrandwatchError, InputError
from .inputs import (
    ID,
    KIND,
    MAX_NAME,
    NAME,
    Chunk,
    NameRow,
    ReadOptions,
    ReadReport,
    check_input_file,
    input_format,
    no_names_error,
    one_process_reason,
    read_name_chunks,
    read_names,
)
from .labels import rule_label, severity_label, verdict_label
from .match import Matcher
from .models import Hit, local_text, utc_now
from .version import __version__

__all__ = ["CHUNK", "MAX_NAME", "OUTPUT_COLUMNS", "Block", "Chunk", "NameRow", "ReadOptions", "ReadReport",
           "ScreenSummary", "read_name_chunks", "read_names", "screen", "screen_blocks", "screen_file"]

OUTPUT_COLUMNS = ("id", "name", "kind", "mark_id", "mark", "score", "severity", "rule", "span", "explanation")
# screen --all: the verdict's columns, after the input's own
RECORD_COLUMNS = (("verdict", "结论"), ("mark_id", "商标编号"), ("mark", "商标"), ("owner", "权利人"), ("rule", "规则"),
                  ("score", "分数"), ("severity", "风险等级"), ("span", "匹配片段"), ("explanation", "说明"))
ROW_COLUMN = "row (行号)"
CHUNK = 64_000  # rows matched together: the index answers a batch at a fixed cost per call


@dataclass
class ScreenSummary:
    rows: int = 0
    names_hit: int = 0
    hits: int = 0
    by_severity: Counter = field(default_factory=Counter)
    by_mark: Counter = field(default_factory=Counter)
    read: ReadReport = field(default_factory=ReadReport)  # how the input was read (encoding, columns, notes)
    notes: list[str] = field(default_factory=list)  # what else to tell the user (stderr)

    def add(self, other: ScreenSummary) -> None:
        """Add another part's counts (a block, a partition)."""
        self.rows += other.rows
        self.names_hit += other.names_hit
        self.hits += other.hits
        self.by_severity.update(other.by_severity)
        self.by_mark.update(other.by_mark)


# -- the record (--all) -------------------------------------------------------------------

def watchlists_fingerprint(matcher: Matcher) -> str:
    """SHA-256 of what the matcher screens against: every owner, mark, alias, reading, allow-list entry
    and risk term (the same watchlists give the same fingerprint, whatever their files' layout)."""
    doc = {
        "risk_terms": sorted(matcher.risk_terms),
        "watchlists": [{"owner": w.owner, "allow": list(w.allow),
                        "marks": [[m.id, m.name, list(m.aliases), list(m.reading)] for m in w.marks]}
                       for w in matcher.watchlists],
    }
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def input_fingerprint(path: Path) -> str:
    """SHA-256 of the input file (of a folder: of its files' names and SHA-256s, in name order)."""
    if path.is_dir():
        parts = [f"{p.relative_to(path).as_posix()} {input_fingerprint(p)}"
                 for p in sorted(path.rglob("*")) if p.is_file()]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def record_preamble(in_path: Path | str, matcher: Matcher, *, now: str | None = None,
                    default_kind: str = "company") -> str:
    """The record's first line: what was screened, against what, by which brandwatch, when (UTC, and Beijing)."""
    in_path = Path(in_path)
    now = now or utc_now()
    marks = sum(len(w.marks) for w in matcher.watchlists)
    files = ", ".join(sorted({Path(w.source).name for w in matcher.watchlists if w.source}))
    return (f"# brandwatch 筛查记录 screening record · brandwatch {__version__} · {now} ({local_text(now)}) · "
            f"输入 input {in_path.name} SHA-256 {input_fingerprint(in_path)} · "
            f"监控名单 watchlists SHA-256 {watchlists_fingerprint(matcher)} ({len(matcher.watchlists)} owners, "
            f"{marks} marks{': ' + files if files else ''}) · 默认类型 default kind {default_kind}")


def _cell(value: object) -> object:
    """A cell of the record (--all), which people read, in a spreadsheet or an editor: bidi controls shown as
    ``<U+202E>`` (cells.visible_bidi), so no name can reorder the line its verdict is on. The name as
    screened stays byte for byte in the input (its SHA-256 heads the record) and in the hits output."""
    return csv_safe(visible_bidi(without_controls(value)))


def record_header(columns: Sequence[str]) -> list[object]:
    """The record's header row: the row number, the input's columns, the verdict's."""
    return [ROW_COLUMN, *map(_cell, columns), *(f"{key} ({zh})" for key, zh in RECORD_COLUMNS)]


def record_rows(line: int, cells: Sequence[str], width: int, name: str, hits: Sequence[Hit]) -> list[list[object]]:
    """One input row as record rows: one per hit, or one saying no match (or no name). Cells beyond the
    header's width (a ragged CSV row) follow the verdict, so no input cell is lost."""
    own = [_cell(c) for c in cells[:width]]
    own += [""] * (width - len(own))
    extra = [_cell(c) for c in cells[width:]]
    if not hits:
        verdict = verdict_label("no_match" if name else "no_name")
        return [[line, *own, verdict, *[""] * (len(RECORD_COLUMNS) - 1), *extra]]
    return [[line, *own, verdict_label("match"), *map(_cell, (h.mark_id, h.mark, h.owner, rule_label(h.rule))),
             h.score, severity_label(h.severity), *map(_cell, (h.span, h.explanation)), *extra] for h in hits]


@dataclass(frozen=True)
class Record:
    """Writing the record (--all): the preamble line, and the input's header when known before reading
    (blocks); else it is taken from the first chunk's read (ReadReport.columns)."""

    preamble: str
    columns: tuple[str, ...] | None = None


# -- hits ---------------------------------------------------------------------------------

def hit_row(row: NameRow, hit: Hit) -> list[object]:
    values = [row[ID], row[NAME], row[KIND], hit.mark_id, hit.mark, hit.score, hit.severity, hit.rule, hit.span,
              hit.explanation]
    return [csv_safe(without_controls(v)) for v in values]


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


def tally_records(summary: ScreenSummary, rows: Iterable[tuple[int, Sequence[str], str, list[Hit]]], width: int,
                  write: Callable[[list[object]], object]) -> None:
    """Count every row's hits into ``summary`` and ``write`` its record rows (--all): (line, cells, name, hits)."""
    for line, cells, name, hits in rows:
        if hits:
            summary.names_hit += 1
            for h in hits:
                summary.hits += 1
                summary.by_severity[h.severity] += 1
                summary.by_mark[h.mark_id] += 1
        for out in record_rows(line, cells, width, name, hits):
            write(out)


def _screen_chunk(matcher: Matcher, chunk: Chunk, summary: ScreenSummary, write: Callable[[list[object]], object],
                  width: int | None) -> None:
    """Match a chunk and write its rows: hits, or (``width`` given) the record of every row."""
    found = matcher.match_many(chunk.names, chunk.kinds)
    summary.rows += len(chunk.names) - chunk.names.count("")
    if width is None:
        tally(summary, ((chunk.row(i), h) for i, h in sorted(found.items())), write)
    else:
        assert chunk.cells is not None
        tally_records(summary, ((chunk.lines[i], chunk.cells[i], chunk.names[i], found.get(i, []))
                                for i in range(len(chunk))), width, write)


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


def screen(chunks: Iterable[Chunk], out: IO[str], matcher: Matcher, *, record: Record | None = None,
           report: ReadReport | None = None) -> ScreenSummary:
    """Match every row and write CSV to ``out``, in this process: the hits (header included), or with
    ``record`` every row (the chunks must keep their cells; ``report`` is the read's, for the columns)."""
    writer = csv.writer(out)
    summary = ScreenSummary(read=report if report is not None else ReadReport())
    width: int | None = None
    if record is None:
        writer.writerow(OUTPUT_COLUMNS)
    else:
        writer.writerow([record.preamble])
    with _batch_gc():
        for chunk in chunks:
            if record is not None and width is None:  # the header was read before the first chunk
                columns = list(record.columns) if record.columns is not None else summary.read.columns
                writer.writerow(record_header(columns))
                width = len(columns)
            _screen_chunk(matcher, chunk, summary, writer.writerow, width)
    return summary


# -- workers ---------------------------------------------------------------------

_worker_matcher: Matcher | None = None


def _init_worker(matcher: Matcher) -> None:
    """A worker's matcher: the parent's, inherited when forked (nothing is copied until written)."""
    global _worker_matcher
    _worker_matcher = matcher
    gc.freeze()  # the matcher's tables are never walked by the collector
    gc.set_threshold(200_000, *gc.get_threshold()[1:])  # as _batch_gc: rows die by reference counting


BLOCK = 1 << 20  # bytes of input a worker reads, parses, matches and formats at a time


def screen_block(block: Block, opts: ReadOptions, matcher: Matcher,
                 width: int | None = None) -> tuple[ScreenSummary, str, InputError | None]:
    """A block of the file read, parsed, matched and written as CSV text (hits, or with ``width`` the
    record's rows); an input error comes back with the rows before it. Local workers and Dask run it."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    summary = ScreenSummary()
    try:
        for chunk in read_block(block, opts):
            _screen_chunk(matcher, chunk, summary, writer.writerow, width)
    except InputError as e:
        return summary, buf.getvalue(), e
    return summary, buf.getvalue(), None


def _screen_block(block: Block, opts: ReadOptions, width: int | None) -> tuple[ScreenSummary, str, InputError | None]:
    assert _worker_matcher is not None
    return screen_block(block, opts, _worker_matcher, width)


def plan_blocks(path: Path, blocks: list[Block], counts: Sequence[BlockCount], opts: ReadOptions,
                report: ReadReport) -> tuple[list[Block], ReadOptions, list[str]]:
    """The blocks numbered, in the file's encoding; the options every block reads with (a JSONL file's
    keys, from its first line) and the input's columns (for the record's header)."""
    encoding = decide_encoding(path, counts, report)
    report.encoding = encoding
    numbered = number_blocks(blocks, counts, encoding)
    columns, note = input_columns(path, opts, encoding)
    report.columns = columns
    if note:
        report.note(note)
    if opts.keep_cells and input_format(path) == "jsonl":
        opts = replace(opts, jsonl_keys=tuple(columns))
    return numbered, opts, columns


def screen_blocks(path: Path, out: IO[str], matcher: Matcher, workers: int, default_kind: str = "company",
                  on_bytes: Callable[[int], None] | None = None, blocksize: int = BLOCK, *,
                  options: ReadOptions | None = None, record: Record | None = None) -> ScreenSummary:
    """``screen`` over ``workers`` processes that share the built matcher (forked after it was built,
    where the system can fork; else each gets a copy once). The main process only cuts the file into
    blocks of whole lines and writes what comes back, in order: the output is the same as ``screen``'s."""
    opts = options or ReadOptions(default_kind=default_kind)
    if record is not None and not opts.keep_cells:
        opts = replace(opts, keep_cells=True)
    blocks, _ = cut_blocks(path, blocksize, opts)
    is_csv = input_format(path) == "csv"
    writer = csv.writer(out)
    summary = ScreenSummary()

    def emit(fut: Future) -> None:
        part, text, error = fut.result()
        out.write(text)
        summary.add(part)
        if error is not None:
            raise error

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork") if "fork" in methods else None
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(matcher,)) as pool:
        # each block's lines, quote marks and bytes, counted by the workers: then its first line's number
        counts = list(pool.map(count_block, blocks, [is_csv] * len(blocks), chunksize=8))
        blocks, opts, columns = plan_blocks(path, blocks, counts, opts, summary.read)
        width = None
        if record is None:
            writer.writerow(OUTPUT_COLUMNS)
        else:
            writer.writerow([record.preamble])
            writer.writerow(record_header(columns))
            width = len(columns)
        pending: deque[tuple[Future, Block]] = deque()
        try:
            for block in blocks:
                pending.append((pool.submit(_screen_block, block, opts, width), block))
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
                on_bytes: Callable[[int], None] | None = None, options: ReadOptions | None = None,
                all_rows: bool = False, now: str | None = None) -> ScreenSummary:
    """Screen ``in_path`` into ``out_path`` (UTF-8 with BOM), or into ``out_stream``; with ``workers``
    above 1, in that many processes (``screen_blocks``; .xlsx and UTF-16 files are read in one).
    ``all_rows``: the record of every row (--all) instead of the hits; ``now`` dates it."""
    path = Path(in_path)
    opts = options or ReadOptions(default_kind=default_kind)
    if all_rows:
        opts = replace(opts, keep_cells=True)

    def run(out: IO[str]) -> ScreenSummary:
        check_input_file(path)
        record = Record(record_preamble(path, matcher, now=now, default_kind=opts.default_kind)) if all_rows else None
        notes = []
        if workers > 1:
            reason = one_process_reason(path)
            if not reason:
                return screen_blocks(path, out, matcher, workers, on_bytes=on_bytes, options=opts, record=record)
            notes.append(f"--workers {workers}: {reason} files are read in one process")
        report = ReadReport()
        summary = screen(read_name_chunks(path, size=CHUNK, on_bytes=on_bytes, options=opts, report=report), out,
                         matcher, record=record, report=report)
        summary.notes.extend(notes)
        return summary

    if out_path is None:
        assert out_stream is not None
        return run(out_stream)
    out_path = Path(out_path)
    tmp = out_path.with_name(out_path.name + ".partial")
    done = "rows screened" if all_rows else "hits found"
    try:
        with open(tmp, "w", encoding="utf-8-sig", newline="", errors="backslashreplace") as f:
            summary = run(f)
        os.replace(tmp, out_path)
    except InputError as e:
        raise InputError(f"{e}\n(the {done} before this line are in {tmp}; {out_path} was not changed)") from None
    except OSError as e:  # a folder that is not there, a full disk, a file brandwatch may not read
        if e.filename in (str(tmp), str(out_path), None):
            raise BrandwatchError(f"{out_path}: cannot write it ({e.strerror or e}); check that its folder exists "
                                  "and is writable") from e
        raise InputError(f"{e.filename}: cannot read it ({e.strerror or e})") from e
    return summary
