"""Blocks of a file of names, parsed apart: how ``--workers`` and the Dask engine share one file.

1. **cut** (:func:`cut_blocks`): at line ends about every block size; a CSV's
   header line goes with every block, so each can be parsed alone.
2. **count** (:func:`count_block`, in the workers): each block's lines (so
   each knows its first line's number), its quote marks (a cut inside a
   quoted line break joins the block to the one before), and what its bytes
   say of the encoding.
3. **decide** (:func:`decide_encoding`, :func:`number_blocks`): the file's
   encoding, decided from every block exactly as reading the file whole
   decides it (inputs.py), and each block's first line.
4. **read** (:func:`read_block`, in the workers): the block decoded and
   parsed by the file's own parser, with the file's line numbers.

Cutting at ``\\n`` is safe in UTF-8 and GB18030 (no multi-byte character
holds that byte); UTF-16 and workbooks are read in one process
(:func:`inputs.one_process_reason`).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise
from pathlib import Path

from .inputs import (
    PARSERS,
    Chunk,
    Header,
    ReadOptions,
    ReadReport,
    _decode_error,
    _first_non_ascii_line,
    bom_encoding,
    check_input_file,
    delimiter,
    input_format,
    read_header,
)


@dataclass(frozen=True)
class Block:
    """A run of whole lines of one input file, bytes [start, end); ``first``: its first line's number."""

    path: str
    start: int
    end: int
    first: int = 1
    header: str = ""  # CSV: the header line, so a block can be parsed alone
    encoding: str = "utf-8"  # decided for the whole file before any block is parsed (decide_encoding)


def _decode_header(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return ""  # the single block's parse reports the line


def cut_blocks(path: Path, blocksize: int, opts: ReadOptions | None = None) -> tuple[list[Block], str]:
    """Cut a file at line ends about every ``blocksize`` bytes; the CSV header line."""
    total = check_input_file(path)
    header = ""
    with open(path, "rb") as f:
        if input_format(path) == "csv":
            header = _decode_header(f.readline(2**20))
            if "\r" in header.rstrip("\r\n") or not header.endswith("\n"):
                return [Block(str(path), 0, total)], ""  # old Mac line ends, or no line end: one block
            check_header(path, header, opts or ReadOptions())
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


def check_header(path: Path, header_line: str, opts: ReadOptions) -> Header:
    """The local parser's header errors (no column of names …), on the client before any work starts."""
    cells = next(csv.reader([header_line], delimiter=delimiter(header_line, path)), [])
    return read_header(path, cells, opts)


@dataclass(frozen=True)
class BlockCount:
    lines: int  # as Python's universal newlines count them
    quotes: int  # quote marks (CSV), to find cuts inside quoted line breaks
    utf8: bool  # the whole block is UTF-8
    first_non_ascii: bool | None  # whether the block's first line holding non-ASCII is UTF-8 (None: all ASCII)


def count_block(block: Block, csv_quotes: bool) -> BlockCount:
    """A block's lines and quote marks, and what its bytes say of the file's encoding."""
    with open(block.path, "rb") as f:
        f.seek(block.start)
        data = f.read(block.end - block.start)
    lines = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    try:
        data.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    first: bool | None = None
    if not data.isascii():
        at = re.search(rb"[\x80-\xff]", data).start()  # type: ignore[union-attr]
        start = max(data.rfind(b"\n", 0, at), data.rfind(b"\r", 0, at)) + 1
        end = data.find(b"\n", at)
        line = data[start:end if end >= 0 else len(data)]
        if block.start == 0 and start == 0:
            line = line.removeprefix(codecs.BOM_UTF8)
        try:
            line.decode("utf-8")
            first = True
        except UnicodeDecodeError:
            first = False
    return BlockCount(lines, data.count(b'"') if csv_quotes else 0, utf8, first)


def decide_encoding(path: Path, counts: Sequence[BlockCount], report: ReadReport | None = None) -> str:
    """The file's encoding from its blocks' counts, as reading it whole decides (see _decoded)."""
    bom = bom_encoding(path)
    if bom:
        return bom
    if all(c.utf8 for c in counts):
        return "utf-8"
    first = next((c.first_non_ascii for c in counts if c.first_non_ascii is not None), True)
    if first:
        return "utf-8"  # it began as UTF-8: the bad line's error is raised where it is
    if report is not None:
        report.not_utf8_line = _first_non_ascii_line(path)[0]
    return "gb18030"


def number_blocks(blocks: list[Block], counts: Sequence[BlockCount], encoding: str = "utf-8") -> list[Block]:
    """Give each block its first line and the file's encoding; join a block to the one before when the cut
    is inside quotes."""
    out: list[Block] = []
    line, quotes = 1, 0
    for block, count in zip(blocks, counts, strict=True):
        if out and quotes % 2:  # the cut fell inside a quoted field: this block continues the last
            last = out.pop()
            out.append(Block(last.path, last.start, block.end, last.first, last.header, encoding))
        else:
            out.append(Block(block.path, block.start, block.end, line, block.header, encoding))
        line += count.lines
        quotes += count.quotes
    return out


def read_block(block: Block, opts: ReadOptions, size: int = 64_000) -> Iterator[Chunk]:
    """The rows of a block of a file, with the file's own line numbers, by the file's parser."""
    path = Path(block.path)
    with open(path, "rb") as f:
        f.seek(block.start)
        data = f.read(block.end - block.start)
    # a mark only begins a file: a later block's first character is text, even U+FEFF
    encoding = {"utf-8": "utf-8-sig", "utf-8-sig": "utf-8-sig"} if block.start == 0 else {"utf-8-sig": "utf-8"}
    encoding = encoding.get(block.encoding, block.encoding)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        line_start = max(data.rfind(b"\n", 0, e.start), data.rfind(b"\r", 0, e.start)) + 1
        before = data[:line_start]
        line = block.first + before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n")
        prefix = data[line_start:e.start]
        if block.start == 0 and line_start == 0:
            prefix = prefix.removeprefix(codecs.BOM_UTF8)
        column = len(prefix.decode(encoding, errors="replace")) + 1
        utf8_line = _first_non_ascii_line(path)[0] if block.encoding == "utf-8" else 0
        raise _decode_error(path, block.encoding, line, column, utf8_line=utf8_line) from None
    parse = PARSERS[input_format(path)]
    lines = io.StringIO(text, newline="")
    if block.start == 0:
        return parse(path, opts, size, lines, 0)
    if block.header:
        return parse(path, opts, size, chain([block.header], lines), 0, first=block.first)
    return parse(path, opts, size, lines, 0, first=block.first)


def input_columns(path: Path, opts: ReadOptions, encoding: str) -> tuple[list[str], str]:
    """The input's columns as the parser will read them (the record's header) and the note on the column of
    names: a CSV's header, a JSONL file's first object's keys, ``name`` for one name a line."""
    fmt = input_format(path)
    if fmt == "text":
        return ["name"], ""
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        if fmt == "csv":
            header: Header = check_header(path, f.readline(), opts)
            return header.cells, header.note
        for line in f:  # jsonl: the first object (errors are the parser's, at its line)
            try:
                obj = json.loads(line) if line.strip() else None
            except json.JSONDecodeError:
                return [], ""
            if obj is not None:
                return ([str(k) for k in obj] if isinstance(obj, dict) else []), ""
    return [], ""
