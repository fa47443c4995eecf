"""The Dask engine against a real LocalCluster of worker processes: the local engine's output, byte for byte."""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import sys

import pytest

distributed = pytest.importorskip("distributed")  # the dask extra; `make test` installs it
pd = pytest.importorskip("pandas")


from click.testing import CliRunner  # noqa: E402

from brandwatch import BrandwatchError, InputError, Matcher, load_watchlists  # noqa: E402
from brandwatch.cli import main  # noqa: E402
from brandwatch.config import default_risk_terms  # noqa: E402
from brandwatch.distributed import (  # noqa: E402
    dump_matcher_bytes,
    load_matcher_bytes,
    screen_dask,
    screen_partition,
)
from brandwatch.screen import OUTPUT_COLUMNS, screen_file  # noqa: E402

from .conftest import ROOT  # noqa: E402

WL = str(ROOT / "watchlists")

# Names that imitate the example marks (微众/WeBank, 微粒贷, 招商银行, 花呗, 借呗 …) and names that do not.
HITS = ["微众易贷", "郑州市维众法律咨询有限公司", "W3Bank", "徽粒贷客服", "招商银杭", "花呗协商还款",
        "众微金融", "微|众", "=微众+1", "微眾銀行", "Weizhong客服", "借呗-huankuan.com"]
MISSES = ["华信达", "湖北花卉有限公司", "招商蛇口", "北京某某科技有限公司", "平安", "伟大众生"]


def _rows() -> list[dict]:
    """A few hundred rows: the demo register, hits and misses, rows with no id, odd kinds, extra columns."""
    demo = list(csv.DictReader(open(ROOT / "brandwatch" / "data" / "demo_names.csv", encoding="utf-8")))
    rows = [{"id": r["id"], "name": r["name"], "kind": r["kind"], "note": "demo"} for r in demo]
    odd_kinds = ["", " App ", "ACCOUNT", "company", "domain", "app"]
    for i, name in enumerate(HITS + MISSES):
        rows.insert(i * 23 % len(rows), {"id": "" if i % 3 == 0 else f"x{i}", "name": name,
                                         "kind": odd_kinds[i % len(odd_kinds)], "note": f"n{i}"})
    rows.insert(100, {"id": "", "name": "", "kind": "", "note": "no name"})
    return rows


ROWS = _rows()


def _write_csv(path, rows, *, line_breaks: bool = False) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "kind", "note"])
        for i, r in enumerate(rows):
            # quoted line breaks, which a block cut must never split
            note = f"two\nlines {i}" if line_breaks and i % 7 == 0 else r["note"]
            w.writerow([r["id"], r["name"], r["kind"], note])


def _write_jsonl(path, rows) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            obj = {k: v for k, v in r.items() if v != "" or k == "name"}
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _frame(rows):
    return pd.DataFrame({"id": [r["id"] or None for r in rows], "name": [r["name"] for r in rows],
                         "kind": [r["kind"] or None for r in rows], "note": [r["note"] for r in rows]})


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=":0", silence_logs=logging.ERROR) as c:
        yield c


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_watchlists(WL), default_risk_terms())


def _local(matcher, path, tmp_path) -> bytes:
    out = tmp_path / "local.csv"
    screen_file(path, out, matcher)
    return out.read_bytes()


def _dask(matcher, path, tmp_path, cluster, **kw) -> bytes:
    out = tmp_path / "dask.csv"
    screen_dask(path, out, matcher, cluster.scheduler_address, **kw)
    assert not (tmp_path / "dask.csv.parts").exists() and not (tmp_path / "dask.csv.partial").exists()
    return out.read_bytes()


@pytest.mark.parametrize(("fmt", "blocksize"), [
    ("csv", 1 << 24),       # one block
    ("csv", 700),           # many blocks
    ("csv-breaks", 200),    # many blocks, quoted line breaks across the cuts
    ("jsonl", 500),
    ("txt", 300),
])
def test_line_files_give_the_local_output(matcher, cluster, tmp_path, fmt, blocksize):
    path = tmp_path / f"names.{fmt.split('-')[0]}"
    if fmt.startswith("csv"):
        _write_csv(path, ROWS, line_breaks=fmt == "csv-breaks")
    elif fmt == "jsonl":
        _write_jsonl(path, ROWS)
    else:
        path.write_text("\n".join(r["name"] for r in ROWS) + "\n", encoding="utf-8")
    expected = _local(matcher, path, tmp_path)
    assert expected.count(b"\n") > len(HITS)  # the demo register's hits, and ours
    assert _dask(matcher, path, tmp_path, cluster, blocksize=blocksize) == expected


def test_parquet_file_gives_the_local_output_of_the_same_rows(matcher, cluster, tmp_path):
    # a Parquet row without an id gets its row number, as a JSONL line gets its line number
    _write_jsonl(tmp_path / "names.jsonl", ROWS)
    _frame(ROWS).to_parquet(tmp_path / "names.parquet", index=False)
    expected = _local(matcher, tmp_path / "names.jsonl", tmp_path)
    assert _dask(matcher, tmp_path / "names.parquet", tmp_path, cluster) == expected


def test_partitioned_parquet_folder(matcher, cluster, tmp_path):
    _write_jsonl(tmp_path / "names.jsonl", ROWS)
    folder = tmp_path / "register"
    folder.mkdir()
    frame = _frame(ROWS)
    cuts = [0, 90, 91, 200, len(ROWS)]  # natural order: part.10 comes after part.2
    for k, (a, b) in enumerate(itertools.pairwise(cuts)):
        frame.iloc[a:b].to_parquet(folder / f"part.{[0, 1, 2, 10][k]}.parquet", index=False)
    expected = _local(matcher, tmp_path / "names.jsonl", tmp_path)
    assert _dask(matcher, folder, tmp_path, cluster) == expected


def test_hive_partitioned_parquet_folder(matcher, cluster, tmp_path):
    # kind=app/, kind=company/ …: the dataset's order is by folder; its kind comes from the folder name
    rows = [{**r, "id": r["id"] or f"r{i}", "kind": r["kind"].strip().lower() or "company"} for i, r in enumerate(ROWS)]
    _frame(rows).to_parquet(tmp_path / "register", partition_cols=["kind"], index=False)
    _write_jsonl(tmp_path / "names.jsonl", sorted(rows, key=lambda r: r["kind"]))
    expected = _local(matcher, tmp_path / "names.jsonl", tmp_path)
    assert _dask(matcher, tmp_path / "register", tmp_path, cluster) == expected


def test_csv_folder_is_its_files_in_order(matcher, cluster, tmp_path):
    folder = tmp_path / "register"
    folder.mkdir()
    _write_csv(folder / "names-2.csv", ROWS[:150])
    _write_csv(folder / "names-10.csv", ROWS[150:])
    first = _local(matcher, folder / "names-2.csv", tmp_path)
    second = _local(matcher, folder / "names-10.csv", tmp_path)
    header_end = first.index(b"\n") + 1
    assert _dask(matcher, folder, tmp_path, cluster, blocksize=1000) == first + second[header_end:]


NOW = "2026-12-02T08:00:00.000000Z"


@pytest.mark.parametrize(("fmt", "blocksize"), [("csv", 700), ("csv-breaks", 200), ("jsonl", 500), ("txt", 300)])
def test_the_record_of_every_row_is_the_local_record(matcher, cluster, tmp_path, fmt, blocksize):
    path = tmp_path / f"names.{fmt.split('-')[0]}"
    if fmt.startswith("csv"):
        _write_csv(path, ROWS, line_breaks=fmt == "csv-breaks")
    elif fmt == "jsonl":
        _write_jsonl(path, ROWS)
    else:
        path.write_text("\n".join(r["name"] for r in ROWS) + "\n", encoding="utf-8")
    local = tmp_path / "local.csv"
    screen_file(path, local, matcher, all_rows=True, now=NOW)
    expected = local.read_bytes()
    assert expected.count(b"\n") > len(ROWS) and "未发现近似 no match".encode() in expected
    assert _dask(matcher, path, tmp_path, cluster, blocksize=blocksize, all_rows=True, now=NOW) == expected


def test_the_record_of_a_parquet_file_has_all_its_columns(matcher, cluster, tmp_path):
    with open(tmp_path / "names.jsonl", "w", encoding="utf-8") as f:  # every key on every line, as in the frame
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS)
    _frame(ROWS).to_parquet(tmp_path / "names.parquet", index=False)
    local = tmp_path / "local.csv"
    screen_file(tmp_path / "names.jsonl", local, matcher, all_rows=True, now=NOW)
    got = _dask(matcher, tmp_path / "names.parquet", tmp_path, cluster, all_rows=True, now=NOW)
    first = got.index(b"\n") + 1
    assert b"names.parquet SHA-256" in got[:first]
    # the same rows, row numbers and cells as the JSONL's record
    assert got[first:] == local.read_bytes()[local.read_bytes().index(b"\n") + 1:]


def test_dask_reads_a_workbook_in_one_process_and_says_so(matcher, cluster, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["名称"])
    wb.active.append(["维众"])
    wb.save(tmp_path / "names.xlsx")
    out = tmp_path / "dask.csv"
    summary = screen_dask(tmp_path / "names.xlsx", out, matcher, cluster.scheduler_address)
    assert summary.notes == ["--engine dask: .xlsx files are read in one process, by the local engine"]
    assert out.read_bytes() == _local(matcher, tmp_path / "names.xlsx", tmp_path)


def test_the_record_of_a_folder_of_line_files_is_refused(matcher, cluster, tmp_path):
    folder = tmp_path / "register"
    folder.mkdir()
    _write_csv(folder / "a.csv", ROWS[:10])
    _write_csv(folder / "b.csv", ROWS[10:20])
    with pytest.raises(InputError) as e:
        screen_dask(folder, tmp_path / "out.csv", matcher, cluster.scheduler_address, all_rows=True)
    assert str(e.value).startswith(f"{folder}: --all with --engine dask reads one file of names or a Parquet dataset")


def test_partition_function_on_a_data_frame(matcher, tmp_path):
    _write_jsonl(tmp_path / "names.jsonl", ROWS)
    expected = list(csv.reader(io.StringIO(_local(matcher, tmp_path / "names.jsonl", tmp_path).decode("utf-8-sig"))))
    out = screen_partition(_frame(ROWS), matcher)
    assert list(out.columns) == list(OUTPUT_COLUMNS) == expected[0]
    assert out.dtypes["score"] == "int64"
    assert [[str(v) for v in row] for row in out.itertuples(index=False)] == expected[1:]


@pytest.mark.parametrize(("frame", "kw", "expected"), [
    ({"name": ["维众", "华信达", "W3Bank"]}, {}, [("1", "维众", "company"), ("3", "W3Bank", "company")]),
    ({"name": ["华信达", "维众"], "id": [7.0, None]}, {"first_row": 41}, [("42", "维众", "company")]),
    ({"name": ["维众"], "id": [12], "kind": ["App "], "other": [1]}, {}, [("12", "维众", "app")]),
    ({"name": [" 维众 ", None, ""], "kind": [None, "app", "app"]}, {"default_kind": "account"},
     [("1", "维众", "account")]),
    ({"name": pd.Series([], dtype=object)}, {}, []),
])
def test_partition_function_defaults(matcher, frame, kw, expected):
    out = screen_partition(pd.DataFrame(frame), matcher, **kw)
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert [(r.id, r.name, r.kind) for r in out.itertuples()] == expected


@pytest.mark.parametrize(("frame", "message"), [
    ({"id": ["1"]}, "partition: no column of names (the header is: id (A)); call the column of names 'name' or "
                    "名称, or give --column with its header or letter"),
    ({"name": ["维众", "华信"], "kind": ["app", "shop"]},
     "partition: row 2: kind 'shop' is not one of company, app, account, domain, post, place"),
])
def test_partition_function_errors(matcher, frame, message):
    with pytest.raises(InputError) as e:
        screen_partition(pd.DataFrame(frame), matcher)
    assert str(e.value) == message


def _bad_inputs(tmp_path):
    (tmp_path / "ids.csv").write_text("id,kind\n1,app\n", encoding="utf-8")
    pd.DataFrame({"id": ["1"]}).to_parquet(tmp_path / "ids.parquet")
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("维众\n" * 400 + "x\n", encoding="utf-8")
    (tmp_path / "late.csv").write_bytes(b"id,name\n" + "1,维众\n".encode() * 300 + b"2,\xff\n")
    (tmp_path / "empty.parquet").write_bytes(b"")
    pd.DataFrame({"name": ["维众", "华信"], "kind": ["app", "shop"]}).to_parquet(tmp_path / "shop.parquet")
    (tmp_path / "junk.parquet").write_bytes(b"not parquet at all")


BAD = [
    ("missing.csv", "{p}: file not found"),
    ("ids.csv", "{p}: line 1: no column of names (the header is: id (A), kind (B)); call the column of names "
                "'name' or 名称, or give --column with its header or letter"),
    ("ids.parquet", "{p}: no column of names (the header is: id (A)); call the column of names 'name' or 名称, or "
                    "give --column with its header or letter"),
    ("empty", "{p}: no .csv, .jsonl or .parquet files in this folder; give a file of names, or a folder of them"),
    ("late.csv", "{p}: line 302: bytes that are not UTF-8 at column 3, but line 2 is UTF-8: the file mixes "
                 "encodings; save it again as UTF-8 (Excel: 另存为 → CSV UTF-8 (逗号分隔))"),
    ("empty.parquet", "{p}: the file is empty; give one name a line, or CSV with a header id,name"),
    ("shop.parquet", "{p}: row 2: kind 'shop' is not one of company, app, account, domain, post, place"),
    ("junk.parquet", "{p}: not Parquet that Dask can read ("),
]


@pytest.mark.parametrize(("name", "message"), BAD)
def test_errors_name_the_input_and_the_fix(matcher, cluster, tmp_path, name, message):
    _bad_inputs(tmp_path)
    p = tmp_path / name
    with pytest.raises(InputError) as e:
        screen_dask(p, tmp_path / "out.csv", matcher, cluster.scheduler_address, blocksize=500)
    assert str(e.value).splitlines()[0].startswith(message.format(p=p))
    assert not list(tmp_path.glob("out.csv*"))  # no output, no parts left behind


def test_unreachable_scheduler_is_named(matcher, tmp_path):
    (tmp_path / "names.txt").write_text("维众\n", encoding="utf-8")
    with pytest.raises(BrandwatchError) as e:
        screen_dask(tmp_path / "names.txt", tmp_path / "out.csv", matcher, "tcp://127.0.0.1:9", timeout=1)
    message = str(e.value)
    assert not list(tmp_path.glob("out.csv*"))
    assert message.startswith("Dask scheduler tcp://127.0.0.1:9: no answer within 1s (")
    assert message.endswith("check the address (`dask scheduler` prints it, e.g. tcp://10.0.0.5:8786), "
                            "or leave out --scheduler to run on a local cluster")


def test_matcher_bytes_round_trip(matcher):
    again = load_matcher_bytes(dump_matcher_bytes(matcher))
    names = HITS + MISSES
    assert again.match_many(names, ["company"] * len(names)) == matcher.match_many(names, ["company"] * len(names))


def test_cli_dask_engine(cluster, tmp_path):
    _write_csv(tmp_path / "names.csv", ROWS)
    runner = CliRunner()
    local = runner.invoke(main, ["screen", "--watchlists", WL, str(tmp_path / "names.csv"), "-o",
                                 str(tmp_path / "local.csv")])
    assert local.exit_code == 0, local.output
    r = runner.invoke(main, ["screen", "--watchlists", WL, str(tmp_path / "names.csv"), "-o",
                             str(tmp_path / "dask.csv"), "--engine", "dask", "--scheduler", cluster.scheduler_address])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    assert r.stderr.split(" in ")[0] == local.stderr.split(" in ")[0]  # "screened N names"
    to_stdout = runner.invoke(main, ["screen", "--watchlists", WL, str(tmp_path / "names.csv"), "--engine", "dask",
                                     "--scheduler", cluster.scheduler_address])
    assert to_stdout.stdout == (tmp_path / "local.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(("args", "message"), [
    (["--scheduler", "tcp://127.0.0.1:8786"], "Error: --scheduler goes with --engine dask"),
    (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:8786", "--workers", "2"],
     "Error: --workers sizes the local cluster; with --scheduler the cluster has its own workers"),
])
def test_cli_refuses_conflicting_options(tmp_path, args, message):
    (tmp_path / "names.txt").write_text("维众\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["screen", "--watchlists", WL, str(tmp_path / "names.txt"), *args])
    assert r.exit_code == 2
    assert r.output.splitlines()[-1] == message


def test_without_a_scheduler_a_local_cluster_is_started_and_closed(matcher, tmp_path):
    _write_csv(tmp_path / "names.csv", ROWS)
    expected = _local(matcher, tmp_path / "names.csv", tmp_path)
    summary = screen_dask(tmp_path / "names.csv", tmp_path / "dask.csv", matcher, workers=2, blocksize=2000)
    assert (tmp_path / "dask.csv").read_bytes() == expected
    assert summary.rows == len(ROWS) - 1 and summary.hits == expected.count(b"\r\n") - 1


def test_without_the_extra_the_dask_engine_says_what_to_install(tmp_path, monkeypatch):
    (tmp_path / "names.txt").write_text("维众\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed: importing it fails
    r = CliRunner().invoke(main, ["screen", "--watchlists", WL, str(tmp_path / "names.txt"), "--engine", "dask"])
    assert r.exit_code == 2
    assert r.output.splitlines()[-1] == "Error: the dask engine needs the dask extra: pip install 'brandwatch[dask]'"
