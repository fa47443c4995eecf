"""`evidence verify` on hostile bundles: zip bombs, lying headers, too many entries, names that would forge a line,
links and FIFOs in a folder, a gzip bomb inside a capture. Each is refused, named on one line, and not read."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from brandwatch.cli import main
from brandwatch.evidence import verify, verify_bundle
from brandwatch.evidence.hashing import sm3_hex

from .test_evidence import World

ALTERED = "the bundle was altered or is not one brandwatch made; do not trust it"


@pytest.fixture
def bundle(tmp_path, monkeypatch) -> Path:
    """A real bundle, as a zip."""
    monkeypatch.setenv("PATH", str(tmp_path / "no-chromium-here"))
    world = World(tmp_path)
    try:
        path = world.bundle(tmp_path / "b.zip").path
    finally:
        world.store.close()
    assert verify_bundle(path) == []
    return path


def add_entries(path: Path, entries: dict[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "a") as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name), data, compress_type=compress)


def zeros_entry(z: zipfile.ZipFile, name: str, size: int) -> None:
    """``size`` zero bytes, deflated, written a chunk at a time (the test holds no more than a MiB)."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with z.open(info, "w", force_zip64=True) as f:
        chunk = bytes(2**20)
        for _ in range(size // len(chunk)):
            f.write(chunk)


def test_a_zip_bomb_is_refused_unread(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps({"format": "brandwatch-evidence", "format_version": 1, "files": [
            {"path": f"captures/{i}.warc.gz", "size": 0, "sha256": "", "sm3": ""} for i in range(3)]}))
        for i in range(3):
            zeros_entry(z, f"captures/{i}.warc.gz", 64 * 2**20)
    assert bomb.stat().st_size < 2**20  # 192 MiB in well under one
    problems = verify_bundle(bomb)
    for i in range(3):
        info = zipfile.ZipFile(bomb).getinfo(f"captures/{i}.warc.gz")
        assert (f"captures/{i}.warc.gz: declares {64 * 2**20:,} bytes from {info.compress_size:,} bytes compressed "
                f"(over 100:1, a zip bomb's ratio); not read; {ALTERED}") in problems
    assert not any(p.startswith("captures/") and "missing" in p for p in problems)  # refused, so not "missing"


def test_a_file_over_the_size_limit_is_refused(bundle, monkeypatch):
    add_entries(bundle, {"extra.bin": os.urandom(300_000)}, zipfile.ZIP_STORED)
    monkeypatch.setattr(verify, "MAX_FILE_BYTES", 200_000)
    assert (f"extra.bin: declares 300,000 bytes, over the limit of 200,000 bytes for one file; not read; {ALTERED}"
            in verify_bundle(bundle))


def test_files_over_the_total_limit_are_refused(bundle, monkeypatch):
    total = sum(i.file_size for i in zipfile.ZipFile(bundle).infolist())
    monkeypatch.setattr(verify, "MAX_TOTAL_BYTES", total - 1)
    assert verify_bundle(bundle) == [f"{bundle}: its files declare {total:,} bytes together, over the limit of "
                                     f"{total - 1:,} bytes; {ALTERED}"]


def test_a_header_that_understates_the_size_is_not_trusted(bundle):
    """The directory says 1,000 bytes; the deflated data holds a MiB. Reading stops at what was declared and the
    entry fails its CRC: named as damaged, never read whole."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("extra.txt", bytes(2**20))
    raw = bytearray(data.getvalue())
    for at in (raw.find(b"PK\x03\x04") + 22, raw.find(b"PK\x01\x02") + 24):  # uncompressed size: local, central
        raw[at:at + 4] = (1000).to_bytes(4, "little")
    lying = bundle.with_name("lying.zip")
    lying.write_bytes(bytes(raw))
    problems = verify_bundle(lying)
    assert problems[-1].startswith("manifest.json: missing or unreadable")
    with zipfile.ZipFile(lying) as z, z.open("extra.txt") as f:
        with pytest.raises(zipfile.BadZipFile, match="CRC"):
            f.read()


def test_too_many_entries_are_refused_before_the_zip_is_listed(bundle, monkeypatch):
    add_entries(bundle, {f"extra/{i}.txt": b"" for i in range(20)})
    count = len(zipfile.ZipFile(bundle).infolist())
    monkeypatch.setattr(verify, "MAX_ENTRIES", 10)

    def never(*args, **kwargs):
        raise AssertionError("the zip's directory was read")

    monkeypatch.setattr(zipfile, "ZipFile", never)
    assert verify_bundle(bundle) == [f"{bundle}: the zip says it holds {count:,} entries, over the limit of 10; "
                                     f"{ALTERED}"]


# entry names brandwatch never writes: refused, shown escaped, so no line can be forged
@pytest.mark.parametrize(("name", "shown", "why"), [
    ("record.json\nintact: every file matches its SHA-256 and SM3", "record.json\\nintact: every file matches its "
     "SHA-256 and SM3", "a control or invisible character"),
    ("captures/\u202egz.exe", "captures/\\u202egz.exe", "a control or invisible character"),
    ("../../etc/cron.d/x", "../../etc/cron.d/x", "a '..', '.' or empty part"),
    ("/etc/passwd", "/etc/passwd", "an absolute path"),
    ("C:/Windows/x", "C:/Windows/x", "an absolute path"),
    ("captures\\1.warc.gz", "captures\\1.warc.gz", "a backslash"),
])
def test_entry_names_that_could_forge_or_escape_are_refused_and_escaped(bundle, name, shown, why):
    add_entries(bundle, {name: b"x"})
    problems = verify_bundle(bundle)
    assert problems == [f"{shown}: an entry name brandwatch never writes ({why}); not read; {ALTERED}"]
    r = CliRunner().invoke(main, ["evidence", "verify", str(bundle)])
    assert r.exit_code == 1
    assert r.stdout.splitlines() == problems and not any(x.startswith("intact") for x in r.output.splitlines())


def test_manifest_values_are_shown_on_one_line(bundle, tmp_path):
    work = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(work)
    manifest = json.loads((work / "manifest.json").read_text())
    manifest["files"].append({"path": "x\nintact: every file matches its SHA-256 and SM3", "size": 1})
    data = json.dumps(manifest).encode()
    (work / "manifest.json").write_bytes(data)
    (work / "manifest.sha256").write_text(f"{hashlib.sha256(data).hexdigest()}  manifest.json\n")
    assert verify_bundle(work) == ["x\\nintact: every file matches its SHA-256 and SM3: missing (listed in the "
                                   "manifest)"]


def test_a_folder_bundle_with_a_link_or_a_fifo(bundle, tmp_path):
    work = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(work)
    os.symlink("/dev/zero", work / "captures" / "9.warc.gz")
    os.mkfifo(work / "pipe")
    assert verify_bundle(work) == [
        f"captures/9.warc.gz: a symbolic link, which a bundle never holds (not followed); {ALTERED}",
        f"pipe: not a regular file, which a bundle never holds (not followed); {ALTERED}",
    ]


class Zeros(io.RawIOBase):
    """16 MiB of zero bytes, made as they are read."""

    def __init__(self) -> None:
        self.left = 16 * 2**20

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = min(len(b), self.left)
        b[:n] = bytes(n)
        self.left -= n
        return n


def body_bomb() -> bytes:
    """A WARC response record whose body is 16 MiB of zeros, gzipped as the archive writes it (about 16 KiB)."""
    record = io.BytesIO()
    writer = WARCWriter(record, gzip=True)
    writer.write_record(writer.create_warc_record(
        "https://example.test/", "response", payload=io.BufferedReader(Zeros()), length=16 * 2**20,
        http_headers=StatusAndHeaders("200 OK", [], protocol="HTTP/1.1")))
    return record.getvalue()


def header_bomb() -> bytes:
    """A WARC record whose header line never ends: 16 MiB without a newline, gzipped."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb") as f:
        f.write(b"WARC/1.0\r\nWARC-Type: response\r\nX-Long: ")
        shutil.copyfileobj(io.BufferedReader(Zeros()), f)
    return out.getvalue()


@pytest.mark.parametrize("make", [body_bomb, header_bomb])
def test_a_gzip_bomb_inside_a_capture_is_stopped(bundle, tmp_path, monkeypatch, make):
    """A capture entry (stored as is, as bundles store them) whose gzip member expands a thousandfold: stopped at
    100:1, whether the bytes are the body or a header line warcio would read whole."""
    data = make()
    work = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(work)
    (work / "captures" / "1.warc.gz").write_bytes(data)
    manifest = json.loads((work / "manifest.json").read_text())
    for f in manifest["files"]:
        if f["path"] == "captures/1.warc.gz":
            f.update(size=len(data), sha256=hashlib.sha256(data).hexdigest(), sm3=sm3_hex(data))
    (work / "manifest.json").write_bytes(json.dumps(manifest).encode())
    (work / "manifest.sha256").write_text(f"{hashlib.sha256(json.dumps(manifest).encode()).hexdigest()}  "
                                          "manifest.json\n")
    allowed = max(2**20, 100 * len(data))
    assert allowed < 16 * 2**20  # the limit falls well inside what the gzip holds
    assert verify_bundle(work) == [f"captures/1.warc.gz: its WARC record passes {allowed:,} bytes from "
                                   f"{len(data):,} bytes of gzip (over 100:1); reading stopped; {ALTERED}"]
