"""The CLI through click's CliRunner: exit codes and exact error texts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from brandwatch.cli import main

ROOT = Path(__file__).resolve().parent.parent

WL = str(ROOT / "tests" / "fixtures" / "watchlists")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_exit_codes():
    assert run("check", "--watchlists", WL, "华信达科技有限公司").exit_code == 0
    r = run("check", "--watchlists", WL, "郑州市维众法律咨询有限公司")
    assert r.exit_code == 3
    assert "weizhong" in r.output and "读音相同" in r.output


def test_check_json():
    r = run("check", "--watchlists", WL, "--kind", "app", "--json", "W3Bank")
    obj = json.loads(r.output)
    assert obj["hits"][0]["mark_id"] == "weizhong" and obj["hits"][0]["rule"] == "lookalike"


def test_missing_watchlists_folder(tmp_path):
    r = run("check", "--watchlists", str(tmp_path / "none"), "x")
    assert r.exit_code == 2
    assert r.output.strip() == f"Error: {tmp_path / 'none'}: watchlist folder not found; pass --watchlists DIR"


def _screen(tmp_path, text: str | bytes, suffix: str = ".csv", *extra: str):
    f = tmp_path / f"in{suffix}"
    (f.write_bytes if isinstance(text, bytes) else lambda t: f.write_text(t, encoding="utf-8"))(text)
    out = tmp_path / "out.csv"
    return run("screen", "--watchlists", WL, str(f), "-o", str(out), *extra), f, out


def test_screen_csv(tmp_path):
    r, _, out = _screen(tmp_path, "id,name,kind,extra\n1,微众易贷,app,x\n2,华信达,app,y\n3,W3Bank,app,z\n")
    assert r.exit_code == 0, r.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == ["id", "name", "kind", "mark_id", "mark", "score", "severity", "rule", "span",
                             "explanation"]
    assert [(r["id"], r["mark_id"]) for r in rows] == [("1", "weizhong"), ("3", "weizhong")]
    assert "screened 3 names" in r.stderr if hasattr(r, "stderr") else True


@pytest.mark.parametrize(("suffix", "text"), [
    (".jsonl", '{"id": "a", "name": "维众", "kind": "app"}\n{"name": "华信达"}\n'),
    (".txt", "维众\n华信达\n"),
])
def test_screen_other_formats(tmp_path, suffix, text):
    r, _, out = _screen(tmp_path, text, suffix)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 and rows[0]["mark_id"] == "weizhong"


NO_NAMES = "holds no names (only blank lines or a header); give one name a line, or CSV with a header id,name"
ERRORS = [
    ("id,kind\n1,app\n", ".csv",
     "line 1: no column of names (the header is: id (A), kind (B)); call the column of names 'name' or 名称, or give "
     "--column with its header or letter"),
    ("", ".csv", "the file is empty; give one name a line, or CSV with a header id,name"),
    ("\ufeff\n\n  \n", ".txt", NO_NAMES),
    ("id,name\n", ".csv", NO_NAMES),
    ("id,name\n\n\n", ".csv", NO_NAMES),  # blank lines only, after the header
    ("id,name\n1,维众\n".encode() + b"2,\xff\n", ".csv",
     "line 3: bytes that are not UTF-8 at column 3, but line 2 is UTF-8: the file mixes encodings; save it again as "
     "UTF-8 (Excel: 另存为 → CSV UTF-8 (逗号分隔))"),
    ("id,name,kind\n1,维众,shop\n", ".csv", "line 2: kind 'shop' is not one of company, app, account, domain, "
     "post, place"),
    ('{"name": "维众"}\n{"name": \n', ".jsonl", "line 2: not valid JSON (Expecting value at column 10)"),
    ("id,name\n1,维众\n2," + "微" * 1001 + "\n", ".csv",
     "line 3: a name of 1,001 characters; names are at most 1,000 (a column of texts, or a quote left open above "
     "this line?)"),
    ("维众\n" + "众" * 5000 + "\n", ".txt",
     "line 2: a name of 5,000 characters; names are at most 1,000 (a column of texts, or a quote left open above "
     "this line?)"),
]


@pytest.mark.parametrize(("text", "suffix", "message"), ERRORS)
def test_screen_errors_name_the_line(tmp_path, text, suffix, message):
    r, f, out = _screen(tmp_path, text, suffix)
    assert r.exit_code == 2
    assert r.output.splitlines()[0] == f"Error: {f}: {message}"
    assert not out.exists()


def test_screen_error_keeps_what_was_done_and_the_old_output(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("previous results\n", encoding="utf-8")
    r, _, out = _screen(tmp_path, "id,name\n1,维众\n2,华信\n".encode() + b"3,\xff\n")
    assert r.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous results\n"
    partial = tmp_path / "out.csv.partial"
    assert "维众" in partial.read_text(encoding="utf-8-sig")
    assert "out.csv.partial" in r.output


@pytest.mark.parametrize(("column", "value", "written"), [
    ("name", "=微众+1", "'=微众+1"),
    ("id", " =1+1", "'=1+1"),  # ids and names are stripped, then neutralised
    ("id", "@SUM(A1)", "'@SUM(A1)"),
    ("name", "-微众", "'-微众"),
    ("name", "微众=1", "微众=1"),
    ("name", "微\x00众\x1b[0m", "微众[0m"),  # NUL and escapes never reach the output
    ("id", "\x00=1+1", "'=1+1"),
])
def test_screen_neutralises_formulas(tmp_path, column, value, written):
    cells = {"id": "1", "name": "微众"} | {column: value}
    _, _, out = _screen(tmp_path, f'id,name,kind\n"{cells["id"]}","{cells["name"]}",app\n')
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][column] == written


def test_screen_workers_give_the_same_rows(tmp_path):
    text = "id,name,kind\n" + "".join(f"{i},{n},app\n" for i, n in enumerate(["维众", "华信", "W3Bank"] * 50))
    _, _, out = _screen(tmp_path, text)
    one = out.read_text(encoding="utf-8-sig")
    r2, _, out = _screen(tmp_path, text, ".csv", "--workers", "2")
    assert r2.exit_code == 0 and out.read_text(encoding="utf-8-sig") == one


def test_variants():
    r = run("variants", "--watchlists", WL, "weizhong", "--limit", "40")
    assert r.exit_code == 0
    rows = [line.split("\t") for line in r.output.splitlines()]
    assert len(rows) == 40
    assert {row[2] for row in rows} >= {"homophone"}
    assert all(row[0] == str(i) for i, row in enumerate(rows, start=1))


def test_variants_of_free_text():
    r = run("variants", "--watchlists", WL, "--json", "--limit", "5", "花呗")
    assert [json.loads(line)["rank"] for line in r.output.splitlines()] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_documented(command):
    assert main.commands[command].help, f"`brandwatch {command}` has no help text"
    assert run(command, "--help").exit_code == 0


def test_screen_line_numbers_survive_quoted_line_breaks_and_blank_lines(tmp_path):
    text = 'name,note\n华信,"two\nlines"\n\n维众,x\n"微\n众",y\n伟众,z\n'
    _, _, out = _screen(tmp_path, text, ".csv", "--kind", "app")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    # no id column: each row's id is its line number
    assert [(row["id"], row["name"]) for row in rows] == [("5", "维众"), ("7", "微\n众"), ("8", "伟众")]


def test_screen_bad_kind_after_many_rows_names_its_line(tmp_path):
    text = "id,name,kind\n" + "".join(f"{i},华信{i},app\n" for i in range(5000)) + "x,维众,shop\n"
    r, f, _ = _screen(tmp_path, text)
    assert r.exit_code == 2
    assert r.output.splitlines()[0] == (f"Error: {f}: line 5002: kind 'shop' is not one of "
                                        "company, app, account, domain, post, place")
