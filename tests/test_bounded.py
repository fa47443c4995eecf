"""Reading a file a person named, within bounds: `import` (and config, see test_config.py) takes regular files of a
sane size only; /dev/zero, a FIFO, a folder or a huge file is one clear error, read no further."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from brandwatch.bounded import IMPORT_MAX_BYTES, read_regular_file
from brandwatch.captures import CaptureArchive
from brandwatch.errors import InputError
from brandwatch.pipeline import import_files
from brandwatch.sources.gsxt import GsxtOptions, GsxtSource
from brandwatch.store import Store

FIX = "save only the search results page (File → Save Page As, HTML only)"


def sparse(path: Path, size: int) -> None:
    with open(path, "wb") as f:
        f.truncate(size)  # no disk used, and the size stat reports


# (what is at the path, the error): never read, never waited on
@pytest.mark.parametrize(("make", "message"), [
    (lambda p: None, "{p}: file not found"),
    (lambda p: p.mkdir(), "{p}: is a folder, not a saved page; give the file itself"),
    (os.mkfifo, "{p}: is a FIFO (named pipe), not a saved page; give a regular file"),
    (lambda p: sparse(p, IMPORT_MAX_BYTES + 1),
     "{p}: 50.0 MiB is over the limit of 50.0 MiB for a saved page; " + FIX),
    (lambda p: sparse(p, 3 * 2**30), "{p}: 3,072.0 MiB is over the limit of 50.0 MiB for a saved page; " + FIX),
])
def test_what_import_refuses(tmp_path, make, message):
    p = tmp_path / "page.html"
    make(p)
    with pytest.raises(InputError) as e:
        read_regular_file(p, IMPORT_MAX_BYTES, what="saved page", fix=FIX)
    assert str(e.value) == message.format(p=p)


def test_a_device_is_refused():
    with pytest.raises(InputError) as e:
        read_regular_file("/dev/zero", IMPORT_MAX_BYTES, what="saved page", fix=FIX)
    assert str(e.value) == "/dev/zero: is a character device, not a saved page; give a regular file"


def test_a_regular_file_within_the_limit_is_read(tmp_path):
    (tmp_path / "p.html").write_bytes(b"x" * 1000)
    assert read_regular_file(tmp_path / "p.html", 1000) == b"x" * 1000
    with pytest.raises(InputError, match=r"1,000 bytes is over the limit of 999 bytes for a file$"):
        read_regular_file(tmp_path / "p.html", 999)


def test_import_checks_every_file_before_the_run_starts(tmp_path, matcher):
    good, fifo = tmp_path / "good.html", tmp_path / "fifo"
    good.write_text("<html></html>", encoding="utf-8")
    os.mkfifo(fifo)
    with Store(tmp_path / "bw.db") as store:
        with pytest.raises(InputError, match="is a FIFO"):
            import_files([good, fifo], GsxtSource("gsxt", GsxtOptions(url="https://x.example/?q={query}")),
                         store=store, archive=CaptureArchive(tmp_path / "captures"), matcher=matcher,
                         fetched_at="2026-12-02T00:00:00.000000Z")
        assert store.runs() == []  # all or nothing: no run recorded for an import that could not start
