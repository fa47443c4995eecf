"""Local workers (screen_blocks): the file cut into blocks, matched in processes that share the
built matcher, written in order: the same bytes, counts and errors as one process."""

from __future__ import annotations

import io

import pytest

from brandwatch.errors import InputError
from brandwatch.screen import read_name_chunks, screen, screen_blocks

NAMES = ["维众", "华信达", "W3Bank", "微眾銀行客服", "zabank", "招商银行股份有限公司北京分行",
         "郑州市维众法律咨询有限公司"]

CSV = "id,name,kind,extra\n" + "".join(f"{i},{n},{'app' if i % 3 else ''},x\n" for i, n in enumerate(NAMES * 20))
QUOTED = "id,name\n" + "".join(f'{i},"{n}\n第二行"\n' if i % 4 == 0 else f"{i},{n}\n"
                               for i, n in enumerate(NAMES * 20))
JSONL = "".join(f'{{"id": "r{i}", "name": "{n}"}}\n' for i, n in enumerate(NAMES * 20))
TEXT = "\ufeff" + "".join(f"{n}\n\n" for n in NAMES * 20)

CASES = [  # (suffix, content, block size in bytes)
    (".csv", CSV, 64),
    (".csv", CSV, 1 << 20),  # one block
    (".csv", QUOTED, 50),  # cuts inside quoted line breaks are moved
    (".jsonl", JSONL, 100),
    (".txt", TEXT, 40),
    (".csv", CSV.replace("\n", "\r\n"), 64),
]


def _serial(path, matcher):
    out = io.StringIO()
    summary = screen(read_name_chunks(path, "company"), out, matcher)
    return out.getvalue(), summary


@pytest.mark.parametrize(("suffix", "text", "size"), CASES)
def test_workers_write_what_one_process_writes(tmp_path, matcher, suffix, text, size):
    path = tmp_path / f"in{suffix}"
    path.write_bytes(text.encode("utf-8"))
    expected, one = _serial(path, matcher)
    out = io.StringIO()
    many = screen_blocks(path, out, matcher, 2, blocksize=size)
    assert out.getvalue() == expected
    assert (many.rows, many.names_hit, many.hits, many.by_severity, many.by_mark) == (
        one.rows, one.names_hit, one.hits, one.by_severity, one.by_mark)
    assert one.hits > 20


@pytest.mark.parametrize(("bad", "message"), [
    (b"999,\xff\n", "bytes that are not UTF-8"),
    ("999,维众,shop\n".encode(), "kind 'shop' is not one of"),
])
def test_an_error_in_a_later_block_names_its_line_and_keeps_the_rows_before(tmp_path, matcher, bad, message):
    path = tmp_path / "in.csv"
    lines = CSV.encode("utf-8").splitlines(keepends=True)
    data = b"".join(lines[:100]) + bad + b"".join(lines[100:])
    path.write_bytes(data)
    with pytest.raises(InputError) as serial:
        _serial(path, matcher)
    out = io.StringIO()
    with pytest.raises(InputError) as parallel:
        screen_blocks(path, out, matcher, 2, blocksize=64)
    assert str(parallel.value) == str(serial.value) and "line 101" in str(serial.value) and message in str(
        serial.value)
    serial_out = io.StringIO()
    try:
        screen(read_name_chunks(path, "company"), serial_out, matcher)
    except InputError:
        pass
    clean = tmp_path / "clean.csv"
    clean.write_bytes(b"".join(lines))
    full, _ = _serial(clean, matcher)
    # hits before the bad line only, and at least those one process keeps (it drops its whole chunk)
    assert full.startswith(out.getvalue()) and out.getvalue().startswith(serial_out.getvalue())


def test_no_names_is_the_same_error(tmp_path, matcher):
    path = tmp_path / "in.csv"
    path.write_text("id,name\n\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds no names"):
        screen_blocks(path, io.StringIO(), matcher, 2, blocksize=4)
