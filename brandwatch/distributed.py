"""Screen a register too large for one machine on Dask: the same hits as ``screen_file``.

The steps, for ``screen_dask(IN, OUT, matcher)``:

1. **plan** (client): IN is a CSV, JSONL or text file, a Parquet file, or a
   folder of CSV/JSONL files or of Parquet files (a partitioned dataset). A
   line file is cut into byte blocks at line ends; the workers count each
   block's lines (and, for CSV, its quote marks: a cut inside a quoted line
   break is moved to the next block), so every block knows the number of its
   first line.
2. **read** (workers, ``dask.dataframe.from_map`` / ``read_parquet``): each
   block is parsed by the local screen's own parsers (``screen.py``), so ids,
   kinds, defaults and errors (file and line) are the local ones; a row
   without an id gets its line number (Parquet: its row number, from 1).
3. **ship the matcher** (once per worker): the compiled matcher is pickled
   once on the client (:func:`dump_matcher_bytes`) and registered as a worker
   plugin, which every worker, and any that joins later, loads once
   (:func:`load_matcher_bytes`) and keeps in memory for all its tasks.
4. **screen** (workers): :func:`screen_partition`, a pure function from a
   pandas DataFrame of names to a DataFrame of hit rows, in the local output's
   columns and order; the hits of partition *i* go to ``OUT.parts/part-i.csv``.
5. **merge** (client): the header and the parts, in input order, into
   ``OUT.partial``, moved to ``OUT`` when complete: byte for byte the file the
   local engine writes.

Workers read IN and write OUT's parts by path: on a cluster of several
machines both must be on storage every worker shares.

:func:`screen_partition` is the whole job on one partition, so other engines
can run it too, e.g. Spark's ``mapInPandas`` (see the README).
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import logging
import os
import pickle
import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .blocks import Block, count_block, cut_blocks, decide_encoding, input_columns, number_blocks, read_block
from .errors import BrandwatchError, InputError
from .inputs import (
    ReadOptions,
    ReadReport,
    check_input_file,
    describe,
    input_format,
    name_column,
    no_names_error,
    one_process_reason,
)
from .match import Matcher
from .models import KINDS
from .screen import (
    OUTPUT_COLUMNS,
    ScreenSummary,
    record_header,
    record_preamble,
    screen_block,
    screen_file,
    tally,
    tally_records,
)

if TYPE_CHECKING:
    import pandas as pd

try:  # the plugin's base class; the module imports without the extra, and says which to install
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - exercised only without the extra
    WorkerPlugin = object  # type: ignore[assignment,misc]

EXTRA_HINT = "the dask engine needs the dask extra: pip install 'brandwatch[dask]'"
BLOCKSIZE = 16 * 2**20  # bytes of a line file per partition: ~300,000 names, ~1 s of matching
CONNECT_TIMEOUT = 10  # seconds to wait for a --scheduler
_KIND_SET = frozenset(KINDS)
_LINE_SUFFIXES = (".csv", ".jsonl", ".ndjson")
_PARQUET_SUFFIXES = (".parquet", ".pq")


def require_dask() -> None:
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        raise BrandwatchError(EXTRA_HINT) from None


# -- the matcher, as bytes: the one place that decides how it travels --------------

def dump_matcher_bytes(matcher: Matcher) -> bytes:
    """The compiled matcher as bytes, to ship to workers."""
    return pickle.dumps(matcher, protocol=pickle.HIGHEST_PROTOCOL)


def load_matcher_bytes(data: bytes) -> Matcher:
    """The matcher that :func:`dump_matcher_bytes` wrote."""
    return pickle.loads(data)


class MatcherPlugin(WorkerPlugin):
    """Carries the matcher's bytes to each worker once and keeps it loaded there."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.name = "brandwatch-matcher-" + hashlib.sha256(data).hexdigest()[:16]
        self.matcher: Matcher | None = None

    def setup(self, worker: Any) -> None:
        self.matcher = load_matcher_bytes(self.data)
        self.data = b""
        gc.freeze()  # the matcher's tables are never walked by the cyclic collector (see screen._batch_gc)

    def teardown(self, worker: Any) -> None:
        self.matcher = None


def _worker_matcher(plugin_name: str) -> Matcher:
    from distributed import get_worker

    matcher = get_worker().plugins[plugin_name].matcher
    assert matcher is not None
    return matcher


# -- the partition function ---------------------------------------------------------

def _texts(series: pd.Series) -> list[str]:
    """A column as text; missing values as ''. Whole floats (ids next to a null) lose their '.0'."""
    if series.dtype.kind == "f":
        present = series.dropna()
        if len(present) and bool((present % 1 == 0).all()):
            series = series.astype("Int64")
    values = series.astype(object).where(series.notna(), "").tolist()
    return [v if type(v) is str else str(v) for v in values]


def _screen_rows(df: pd.DataFrame, matcher: Matcher, default_kind: str, first_row: int, source: str,
                 column: str | None = None, all_rows: bool = False) -> tuple[list[list[object]], ScreenSummary]:
    """The rows of a partition as the CSV writer takes them (hits, or with ``all_rows`` the record of every
    row: all the frame's columns, then the verdict), and their counts."""
    columns = [str(c) for c in df.columns]
    i_name, _ = name_column(columns, column, source)
    names = [n.strip() for n in _texts(df.iloc[:, i_name])]
    n = len(names)
    ids = _texts(df["id"]) if "id" in columns and columns.index("id") != i_name else [""] * n
    if "kind" in columns and columns.index("kind") != i_name:
        kinds = _texts(df["kind"])
        if not _KIND_SET.issuperset(kinds):
            kinds = [_kind(k, default_kind, source, first_row + i) for i, k in enumerate(kinds)]
    else:
        kinds = [default_kind] * n
    summary = ScreenSummary(rows=n - names.count(""))
    rows: list[list[object]] = []
    found = matcher.match_many(names, kinds)
    if all_rows:
        cells = list(zip(*(_texts(df.iloc[:, i]) for i in range(len(columns))), strict=True)) if n else []
        tally_records(summary, ((first_row + i, cells[i], names[i], found.get(i, [])) for i in range(n)),
                      len(columns), rows.append)
    else:
        tally(summary, (((ids[i].strip() or str(first_row + i), names[i], kinds[i], first_row + i), hits)
                        for i, hits in sorted(found.items())), rows.append)
    return rows, summary


def _kind(value: str, default: str, source: str, row: int) -> str:
    k = value.strip().lower()
    if not k:
        return default
    if k not in _KIND_SET:
        raise InputError(f"{source}: row {row}: kind {value!r} is not one of {', '.join(KINDS)}")
    return k


def hit_frame(rows: list[list[object]]) -> pd.DataFrame:
    """Hit rows as a DataFrame in OUTPUT_COLUMNS: text, but ``score`` an integer."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS), dtype=object)
    return frame.astype({c: "int64" if c == "score" else object for c in OUTPUT_COLUMNS})


def screen_partition(df: pd.DataFrame, matcher: Matcher, *, default_kind: str = "company",
                     first_row: int = 1, source: str = "partition", column: str | None = None) -> pd.DataFrame:
    """Screen one partition of names: the hit rows the local screen writes for them.

    ``df`` has a column of names: ``column`` (a column's name or letter), else
    one called ``name`` (or 名称, 企业名称 …, as the local screen takes them),
    else the first that is not ``id`` or ``kind``; optionally ``id`` and
    ``kind`` (other columns are ignored). A row without an id gets its row
    number, counted from ``first_row``; a row without a kind gets
    ``default_kind``. The result has the columns of the local output
    (``screen.OUTPUT_COLUMNS``), one row per hit, in the order of the input
    rows, cells neutralised as in the CSV; ``score`` is an integer, the rest
    text. Pure: no I/O.
    """
    rows, _ = _screen_rows(df, matcher, default_kind, first_row, source, column)
    return hit_frame(rows)


# -- planning and reading line files ---------------------------------------------------

def _read_block(block: Block, opts: ReadOptions) -> pd.DataFrame:
    """The rows of a block as id, name, kind (ids defaulted to line numbers), by the local parsers."""
    import pandas as pd

    ids: list[str] = []
    names: list[str] = []
    kinds: list[str] = []
    for c in read_block(block, opts):
        ids.extend(c.ids[i].strip() or str(c.lines[i]) for i in range(len(c)))
        names.extend(c.names)
        kinds.extend(c.kinds)
    return pd.DataFrame({"id": ids, "name": names, "kind": kinds}, dtype=object)


def _natural(path: Path) -> list[object]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def _inputs(path: Path) -> tuple[str, list[Path]]:
    """("parquet", [path]) or ("lines", files in order) for a file or folder."""
    if path.is_dir():
        if any(p.suffix.lower() in _PARQUET_SUFFIXES for p in path.rglob("*")):
            return "parquet", [path]
        files = sorted((p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _LINE_SUFFIXES),
                       key=_natural)
        if not files:
            raise InputError(f"{path}: no .csv, .jsonl or .parquet files in this folder; "
                             "give a file of names, or a folder of them")
        return "lines", files
    if path.suffix.lower() in _PARQUET_SUFFIXES:
        check_input_file(path)
        return "parquet", [path]
    return "lines", [path]


# -- the job ------------------------------------------------------------------------------

def _write_part(parts: str, index: int, rows: list[list[object]] | None = None, text: str = "") -> None:
    with open(Path(parts) / f"part-{index:06d}.csv", "w", encoding="utf-8", newline="",
              errors="backslashreplace") as f:
        if rows is not None:
            csv.writer(f).writerows(rows)
        f.write(text)


def _screen_part(df: pd.DataFrame, index: int, parts: str, plugin_name: str, default_kind: str,
                 first_row: int, source: str, column: str | None = None,
                 all_rows: bool = False) -> tuple[int, ScreenSummary]:
    """On a worker: screen one partition and write its rows to ``parts/part-INDEX.csv``;
    the partition's rows (blank names too) and its counts."""
    rows, summary = _screen_rows(df, _worker_matcher(plugin_name), default_kind, first_row, source, column, all_rows)
    _write_part(parts, index, rows)
    return len(df), summary


def _screen_block_part(block: Block, index: int, parts: str, plugin_name: str, opts: ReadOptions,
                       width: int) -> tuple[int, ScreenSummary]:
    """On a worker: a block of a line file screened by the local engine's own function (the record of
    every row, --all), written to ``parts/part-INDEX.csv``."""
    summary, text, error = screen_block(block, opts, _worker_matcher(plugin_name), width)
    if error is not None:
        raise error
    _write_part(parts, index, text=text)
    return summary.rows, summary


def _connect(scheduler: str | None, workers: int | None, timeout: float) -> tuple[Any, Any]:
    """A client of the given scheduler, or of a new local cluster of worker processes."""
    from distributed import Client, LocalCluster

    if scheduler is None:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=":0", silence_logs=logging.ERROR)
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout=timeout), None
    except (OSError, TimeoutError, ValueError) as e:
        raise BrandwatchError(
            f"Dask scheduler {scheduler}: no answer within {timeout:g}s ({str(e).splitlines()[0]}); "
            "check the address (`dask scheduler` prints it, e.g. tcp://10.0.0.5:8786), "
            "or leave out --scheduler to run on a local cluster"
        ) from None


def _open_input(in_path: Path, blocksize: int, opts: ReadOptions, all_rows: bool,
                summary: ScreenSummary) -> tuple[Any, list[tuple[list[Block], str]], list[str], ReadOptions]:
    """On the client, before any cluster starts: a Parquet input as a lazy dask DataFrame (of its id, name
    and kind columns; every column for --all), or a line input's files cut into blocks; the input's
    columns; the input's errors."""
    import dask.dataframe as dd

    kind, files = _inputs(in_path)
    if kind != "parquet":
        if all_rows and len(files) > 1:
            raise InputError(f"{in_path}: --all with --engine dask reads one file of names or a Parquet dataset, "
                             "not a folder of CSV or JSONL files (their line numbers start again in each file); "
                             "screen the files one by one")
        return None, [cut_blocks(f, blocksize, opts) for f in files], [], opts
    try:
        ddf = dd.read_parquet(str(in_path))
    except Exception as e:  # pyarrow's errors are many; the message says which
        raise InputError(f"{in_path}: not Parquet that Dask can read ({str(e).splitlines()[0]})") from None
    columns = [str(c) for c in ddf.columns]
    i_name, note = name_column(columns, opts.column, str(in_path))
    summary.read.note(note)
    opts = replace(opts, column=columns[i_name])  # by name: a letter would move in the columns kept
    if all_rows:
        return ddf, [], columns, opts
    keep = [c for i, c in enumerate(columns) if i == i_name or c in ("id", "kind")]
    return ddf[keep], [], columns, opts  # read no other column


def _number(client: Any, cut: list[tuple[list[Block], str]], opts: ReadOptions,
            summary: ScreenSummary) -> tuple[list[Block], ReadOptions]:
    """Each line file's blocks numbered, in the file's encoding (decided from the workers' counts as the
    local engine decides it); the options every block reads with."""
    blocks = [b for bs, _ in cut for b in bs]
    is_csv = [input_format(Path(b.path)) == "csv" for b in blocks]
    counts = client.gather(client.map(count_block, blocks, is_csv, pure=False))
    numbered: list[Block] = []
    at = 0
    for bs, _ in cut:  # numbered file by file: each file's lines count from 1
        path = Path(bs[0].path)
        report = ReadReport()
        report.encoding = decide_encoding(path, counts[at:at + len(bs)], report)
        numbered += number_blocks(bs, counts[at:at + len(bs)], report.encoding)
        columns, note = input_columns(path, opts, report.encoding)
        report.columns = columns
        report.note(note)
        if at == 0:
            summary.read = report
            if opts.keep_cells and input_format(path) == "jsonl":
                opts = replace(opts, jsonl_keys=tuple(columns))
        else:
            summary.notes.append(describe(path, report))
        at += len(bs)
    return numbered, opts


def _tasks(client: Any, ddf: Any, cut: list[tuple[list[Block], str]], opts: ReadOptions, all_rows: bool,
           parts: str, plugin_name: str, source: str, summary: ScreenSummary) -> list[Any]:
    """One delayed task per partition, in input order."""
    import dask
    import dask.dataframe as dd

    if ddf is not None:
        partitions = ddf.to_delayed()
        # rows are numbered across the dataset: each partition's length first (the same partitions)
        lengths = client.gather(client.compute([dask.delayed(len)(p) for p in partitions]))
        firsts = [1 + sum(lengths[:i]) for i in range(len(lengths))]
        return [dask.delayed(_screen_part, pure=False)(part, i, parts, plugin_name, opts.default_kind, firsts[i],
                                                       source, opts.column, all_rows)
                for i, part in enumerate(partitions)]
    numbered, opts = _number(client, cut, opts, summary)
    if all_rows:
        width = len(summary.read.columns)
        return [dask.delayed(_screen_block_part, pure=False)(b, i, parts, plugin_name, opts, width)
                for i, b in enumerate(numbered)]
    meta = {"id": object, "name": object, "kind": object}
    with dask.config.set({"dataframe.convert-string": False}):
        frames = dd.from_map(_read_block, numbered, opts=opts, meta=meta, label="brandwatch-read",
                             enforce_metadata=False)
    return [dask.delayed(_screen_part, pure=False)(part, i, parts, plugin_name, opts.default_kind, 1, source)
            for i, part in enumerate(frames.to_delayed())]


def screen_dask(in_path: Path | str, out_path: Path | str | None, matcher: Matcher, scheduler: str | None = None,
                *, workers: int | None = None, default_kind: str = "company", out_stream: IO[str] | None = None,
                blocksize: int = BLOCKSIZE, timeout: float = CONNECT_TIMEOUT, options: ReadOptions | None = None,
                all_rows: bool = False, now: str | None = None) -> ScreenSummary:
    """Screen ``in_path`` on Dask into ``out_path`` (or ``out_stream``): the local engine's output, byte for byte.

    ``scheduler``: a Dask scheduler's address; without one a local cluster of
    ``workers`` processes (default: one per CPU) is started and closed after.
    ``all_rows``: the record of every row (--all), as the local engine writes it.
    An .xlsx or UTF-16 file is screened by the local engine, in one process.
    """
    require_dask()

    in_path = Path(in_path)
    opts = options or ReadOptions(default_kind=default_kind)
    if all_rows:
        opts = replace(opts, keep_cells=True)
    if not in_path.exists():
        raise InputError(f"{in_path}: file not found")
    if in_path.is_file() and in_path.suffix.lower() not in _PARQUET_SUFFIXES and (
            reason := one_process_reason(in_path)):
        summary = screen_file(in_path, out_path, matcher, out_stream=out_stream, options=opts, all_rows=all_rows,
                              now=now)
        summary.notes.append(f"--engine dask: {reason} files are read in one process, by the local engine")
        return summary
    summary = ScreenSummary()
    ddf, cut, columns, opts = _open_input(in_path, blocksize, opts, all_rows, summary)
    source = str(in_path)
    preamble = record_preamble(in_path, matcher, now=now, default_kind=opts.default_kind) if all_rows else ""
    plugin = MatcherPlugin(dump_matcher_bytes(matcher))
    client, cluster = _connect(scheduler, workers, timeout)
    out = Path(out_path) if out_path is not None else None
    parts = Path(tempfile.mkdtemp(prefix="brandwatch-parts-") if out is None
                 else out.with_name(out.name + ".parts"))
    try:
        if out is not None:
            shutil.rmtree(parts, ignore_errors=True)
            try:
                parts.mkdir()
            except OSError as e:
                raise BrandwatchError(f"{out}: cannot write it ({e.strerror or e}); check that its folder exists "
                                      "and is writable") from e
        client.register_plugin(plugin, name=plugin.name)
        tasks = _tasks(client, ddf, cut, opts, all_rows, str(parts), plugin.name, source, summary)
        try:
            done = client.gather(client.compute(tasks))
        except InputError as e:  # raised on a worker, naming the file and line
            raise InputError(f"{e}\n({out} was not changed)" if out else str(e)) from None
        if not sum(n for n, _ in done):
            raise no_names_error(in_path)
        for _, part in done:
            summary.add(part)
        if all_rows:
            head = [[preamble], record_header(columns or summary.read.columns)]
        else:
            head = [list(OUTPUT_COLUMNS)]
        _merge(parts, len(tasks), out, out_stream, head)
    finally:
        try:
            client.unregister_worker_plugin(plugin.name)
        except Exception:  # a worker already gone keeps nothing to free
            pass
        client.close()
        if cluster is not None:
            cluster.close()
        shutil.rmtree(parts, ignore_errors=True)
    return summary


def _merge(parts: Path, count: int, out: Path | None, out_stream: IO[str] | None,
           head: list[list[object]]) -> None:
    """The header rows and the parts in input order, into ``out`` (via ``out.partial``) or ``out_stream``."""
    header = io.StringIO()
    csv.writer(header).writerows(head)
    files = [parts / f"part-{i:06d}.csv" for i in range(count)]
    if out is None:
        assert out_stream is not None
        out_stream.write(header.getvalue())
        for p in files:
            out_stream.write(p.read_text(encoding="utf-8"))
        return
    tmp = out.with_name(out.name + ".partial")
    with open(tmp, "wb") as f:
        f.write(header.getvalue().encode("utf-8-sig"))
        for p in files:
            with open(p, "rb") as part:
                shutil.copyfileobj(part, f)
    os.replace(tmp, out)
