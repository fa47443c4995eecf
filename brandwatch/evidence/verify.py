"""Verifying a bundle (a folder or a .zip) against its manifest, and the whole store against its archive.

A bundle to verify may come from anyone, so it is read within bounds, none
of which a bundle brandwatch made comes near:

- a zip's entry count is read from its end record before the zip is opened
  (:data:`MAX_ENTRIES`), and a folder is walked only that far;
- an entry whose name brandwatch never writes (``..``, an absolute path, a
  backslash, a control or invisible character) is named and not read;
- an entry whose declared size, or whose declared size for its compressed
  size (:data:`MAX_RATIO`), is over the limits is named and not read; the
  declared sizes together must stay under :data:`MAX_TOTAL_BYTES`;
- every file is streamed through its digests with a cap on what is actually
  read (the header is not trusted), the same ratio, and the same total; a
  capture's WARC body, gzip-compressed inside, is capped the same way;
- only the manifest, its hash and the audit log are held in memory
  (:data:`MAX_SMALL_BYTES` each).

Every line of the result is one line: a newline, control or bidirectional
character from the bundle (an entry name, a manifest value) is printed
escaped (``\\n``, ``\\u202e``), so it cannot forge an "intact" line.

What verification can and cannot show: see the package docstring.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import struct
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..audit import GENESIS, entry_hash, read_head, verify_chain
from ..captures import CaptureArchive, parse_record
from ..errors import EvidenceError
from ..store import Store
from .bundle import BUNDLE_FORMAT, BUNDLE_VERSION, MANIFEST, MANIFEST_SHA256, read_capture
from .hashing import Digests

MAX_ENTRIES = 10_000  # a bundle holds its captures and six files
MAX_FILE_BYTES = 2**30  # one file; a capture of a large feed can be hundreds of MiB
MAX_TOTAL_BYTES = 4 * 2**30  # every file together
MAX_RATIO = 100  # bytes out per byte in, for a file (or a capture's body) over RATIO_FLOOR; a zip bomb is ~1000
RATIO_FLOOR = 2**20
MAX_SMALL_BYTES = 64 * 2**20  # manifest.json, manifest.sha256 and audit.jsonl, read whole
_CHUNK = 2**20
_ALTERED = "the bundle was altered or is not one brandwatch made; do not trust it"


class _TooBig(Exception):
    """Reading stopped at a limit; the message says which."""


def one_line(text: str) -> str:
    """``text`` with control, format (bidirectional) and line-separator characters escaped: one printable line."""
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c.isprintable() or c == " ":
            out.append(c)
        elif c in "\n\r\t":
            out.append(repr(c)[1:-1])
        elif ord(c) <= 0xFF:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
    return "".join(out)


def _bad_name(name: str) -> str:
    """Why brandwatch never writes an entry of this name, or ''."""
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") for c in name):
        return "a control or invisible character"
    if "\\" in name:
        return "a backslash"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "a '..', '.' or empty part"
    return ""


def _size(n: int) -> str:
    return f"{n:,} bytes"


@dataclass
class _Entry:
    name: str
    declared: int  # size the zip's directory (or the file system) gives
    packed: int | None  # compressed size in a zip; None in a folder
    ref: Any  # ZipInfo, or the file's path


class _Reader:
    """A bundle's files, as a zip or a folder: listed within the limits, opened to stream, totals counted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind = "folder" if path.is_dir() else "zip"
        self.entries: dict[str, _Entry] = {}  # the files to read
        self.refused: set[str] = set()  # present but not read (a bad name, over a limit): reported, never "missing"
        self.problems: list[str] = []
        self.read_total = 0
        self._zip: zipfile.ZipFile | None = None

    # listing

    def list_zip(self) -> None:
        try:
            with open(self.path, "rb") as f:
                declared = _zip_entry_count(f)
        except OSError as e:
            raise EvidenceError(f"{self.path}: cannot be read ({e.strerror})") from None
        if declared is not None and declared > MAX_ENTRIES:
            raise _TooBig(f"{self.path}: the zip says it holds {declared:,} entries, over the limit of "
                          f"{MAX_ENTRIES:,}; {_ALTERED}")
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise _TooBig(f"{self.path}: cannot be opened as a zip ({e}); the zip was changed or damaged") from None
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _TooBig(f"{self.path}: the zip holds {len(infos):,} entries, over the limit of {MAX_ENTRIES:,}; "
                          f"{_ALTERED}")
        for info in infos:
            if not info.is_dir():
                self._add(_Entry(info.filename, info.file_size, info.compress_size, info), "in the zip")

    def list_folder(self) -> None:
        stack = [self.path]
        seen = 0
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as it:
                    items = sorted(it, key=lambda e: e.name)
            except OSError as e:
                self.problems.append(f"{folder}: cannot be listed ({e.strerror})")
                continue
            for item in items:
                seen += 1
                if seen > MAX_ENTRIES:
                    raise _TooBig(f"{self.path}: holds over {MAX_ENTRIES:,} files and folders; {_ALTERED}")
                name = Path(item.path).relative_to(self.path).as_posix()
                info = item.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode):
                    stack.append(Path(item.path))
                elif stat.S_ISREG(info.st_mode):
                    self._add(_Entry(name, info.st_size, None, Path(item.path)), "in the folder")
                else:
                    kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
                    self.problems.append(f"{name}: {kind}, which a bundle never holds (not followed); {_ALTERED}")
        self.problems.sort()

    def _add(self, entry: _Entry, where: str) -> None:
        why = _bad_name(entry.name)
        if why:
            self.problems.append(f"{entry.name}: an entry name brandwatch never writes ({why}); not read; {_ALTERED}")
            return
        if entry.name in self.entries:
            self.problems.append(f"{entry.name}: {where} twice (an entry was added)")
        if entry.declared > MAX_FILE_BYTES:
            self.problems.append(f"{entry.name}: declares {_size(entry.declared)}, over the limit of "
                                 f"{_size(MAX_FILE_BYTES)} for one file; not read; {_ALTERED}")
        elif entry.packed is not None and entry.declared > max(RATIO_FLOOR, MAX_RATIO * entry.packed):
            self.problems.append(f"{entry.name}: declares {_size(entry.declared)} from {_size(entry.packed)} "
                                 f"compressed (over {MAX_RATIO}:1, a zip bomb's ratio); not read; {_ALTERED}")
        else:
            self.entries[entry.name] = entry
            return
        self.entries.pop(entry.name, None)
        self.refused.add(entry.name)

    def check_total(self) -> None:
        total = sum(e.declared for e in self.entries.values())
        if total > MAX_TOTAL_BYTES:
            raise _TooBig(f"{self.path}: its files declare {_size(total)} together, over the limit of "
                          f"{_size(MAX_TOTAL_BYTES)}; {_ALTERED}")

    # reading

    @contextmanager
    def open(self, entry: _Entry) -> Iterator[IO[bytes]]:
        if self._zip is not None:
            with self._zip.open(entry.ref) as f:
                yield f
        else:
            # O_NOFOLLOW: a file swapped for a link since it was listed is not followed either
            fd = os.open(entry.ref, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as f:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise OSError("not a regular file")
                yield f

    def stream(self, entry: _Entry, sink: Callable[[bytes], object], limit: int = MAX_FILE_BYTES) -> None:
        """Every byte of the entry into ``sink``, stopping (``_TooBig``) at a limit, whatever the header said."""
        allowed = min(limit, MAX_FILE_BYTES)
        if entry.packed is not None:
            allowed = min(allowed, max(RATIO_FLOOR, MAX_RATIO * entry.packed))
        size = 0
        with self.open(entry) as f:
            while chunk := f.read(_CHUNK):
                size += len(chunk)
                self.read_total += len(chunk)
                if size > allowed:
                    raise _TooBig(f"more than {_size(allowed)} when read (it declares {_size(entry.declared)}); "
                                  f"reading stopped; {_ALTERED}")
                if self.read_total > MAX_TOTAL_BYTES:
                    raise _TooBig(f"the bundle's files pass {_size(MAX_TOTAL_BYTES)} together; reading stopped; "
                                  f"{_ALTERED}")
                sink(chunk)

    def read_small(self, entry: _Entry) -> bytes:
        chunks: list[bytes] = []
        self.stream(entry, chunks.append, MAX_SMALL_BYTES)
        return b"".join(chunks)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _zip_entry_count(f: IO[bytes]) -> int | None:
    """The entry count a zip's end-of-central-directory record declares (zip64 too), read before ``zipfile``
    builds its list of every entry; None when there is no such record (``zipfile`` then says so)."""
    f.seek(0, os.SEEK_END)
    size = f.tell()
    tail_size = min(size, 22 + 0xFFFF)
    f.seek(size - tail_size)
    tail = f.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    total = struct.unpack("<H", tail[at + 10:at + 12])[0]
    if total != 0xFFFF or at < 20 or tail[at - 20:at - 16] != b"PK\x06\x07":
        return total
    (zip64_at,) = struct.unpack("<Q", tail[at - 12:at - 4])  # the zip64 locator points at the zip64 record
    if zip64_at + 56 > size:
        return None
    f.seek(zip64_at)
    record = f.read(56)
    if record[:4] != b"PK\x06\x06":
        return None
    return struct.unpack("<Q", record[32:40])[0]


@dataclass
class _Read:
    size: int
    sha256: str
    sm3: str


def verify_bundle(path: Path | str) -> list[str]:
    """Problems found in a bundle (a folder or a .zip), each naming the file, each one line; empty when intact."""
    path = Path(path)
    if not path.is_dir() and not path.exists():
        raise EvidenceError(f"{path}: no such bundle; give the bundle's folder or .zip")
    reader = _Reader(path)
    try:
        try:
            if reader.kind == "folder":
                reader.list_folder()
            else:
                reader.list_zip()
            reader.check_total()
            problems = _verify(reader)
        except _TooBig as e:
            problems = [*reader.problems, str(e)]
    finally:
        reader.close()
    return [one_line(p) for p in problems]


def _verify(reader: _Reader) -> list[str]:
    problems = reader.problems
    entries = reader.entries

    def small(name: str) -> bytes | None:
        entry = entries.get(name)
        if entry is None:
            return None
        try:
            return reader.read_small(entry)
        except _TooBig as e:
            problems.append(f"{name}: {e}")
        except Exception as e:  # zipfile raises BadZipFile, zlib.error, EOFError… for damaged entries
            problems.append(f"{name}: cannot be read from the {reader.kind} ({e}); it was changed or damaged")
        reader.refused.add(name)
        return None

    manifest_bytes = small(MANIFEST)
    if manifest_bytes is None:
        return [*problems, f"{MANIFEST}: missing or unreadable; this is not a brandwatch evidence bundle, or it "
                           "was damaged"]
    sums = small(MANIFEST_SHA256)
    digests = Digests()
    digests.update(manifest_bytes)
    actual = digests.sha256()
    if sums is None and MANIFEST_SHA256 not in reader.refused:
        problems.append(f"{MANIFEST_SHA256}: missing; the manifest cannot be checked on its own")
    elif sums is not None and sums.decode("ascii", "replace").split()[:1] != [actual]:
        problems.append(f"{MANIFEST}: changed after the bundle was made (its SHA-256 {actual} is not the one in "
                        f"{MANIFEST_SHA256})")
    try:
        manifest = json.loads(manifest_bytes)
        listed = {str(f["path"]): f for f in manifest["files"]}
        captures = [c for c in manifest.get("captures", []) if isinstance(c, Mapping)]
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        return [*problems, f"{MANIFEST}: not a readable manifest ({e})"]
    if manifest.get("format") != BUNDLE_FORMAT or manifest.get("format_version") != BUNDLE_VERSION:
        problems.append(f"{MANIFEST}: format {manifest.get('format')!r} version {manifest.get('format_version')!r}"
                        f" is not {BUNDLE_FORMAT} version {BUNDLE_VERSION}; use the brandwatch that made it")

    read: dict[str, _Read] = {}
    for name in sorted(set(listed) & set(entries)):
        digests = Digests()
        try:
            reader.stream(entries[name], digests.update)
        except _TooBig as e:
            problems.append(f"{name}: {e}")
            continue
        except Exception as e:  # zipfile raises BadZipFile, zlib.error, EOFError… for damaged entries
            problems.append(f"{name}: cannot be read from the {reader.kind} ({e}); it was changed or damaged")
            continue
        read[name] = _Read(digests.size, digests.sha256(), digests.sm3())
    for name, entry in sorted(listed.items()):
        got = read.get(name)
        if name not in entries and name not in reader.refused:
            problems.append(f"{name}: missing (listed in the manifest)")
        elif got is None:
            continue  # reported as unreadable or refused
        elif got.sha256 != entry.get("sha256"):
            problems.append(f"{name}: changed (its SHA-256 is {got.sha256}, the manifest says {entry.get('sha256')})")
        elif got.sm3 != entry.get("sm3"):
            problems.append(f"{name}: changed (its SM3 is {got.sm3}, the manifest says {entry.get('sm3')})")
        elif got.size != entry.get("size"):
            problems.append(f"{name}: {got.size} bytes, the manifest says {entry.get('size')}")
    for name in sorted(set(entries) - set(listed) - {MANIFEST, MANIFEST_SHA256}):
        problems.append(f"{name}: not listed in the manifest (added after the bundle was made)")
    for cap in captures:
        name = str(cap.get("file", ""))
        if name not in read:
            continue  # missing, unreadable or refused: reported above
        problems.extend(_check_capture(reader, entries[name], cap))
    audit = small("audit.jsonl") if "audit.jsonl" in read else None
    if audit is not None:
        problems.extend(_check_audit(audit, manifest))
    return problems


class _Capped(io.RawIOBase):
    """A stream that raises ``_TooBig`` once more than ``limit`` bytes have been read from it."""

    def __init__(self, stream: IO[bytes], limit: int, message: Callable[[], str]) -> None:
        self.stream, self.left, self.message = stream, limit, message

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self.stream.read(size if size is not None and size >= 0 else self.left + 1)
        self.left -= len(data)
        if self.left < 0:
            raise _TooBig(self.message())
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _check_capture(reader: _Reader, entry: _Entry, cap: Mapping[str, Any]) -> list[str]:
    """The WARC record's body against the recorded SHA-256, decompressed here within the ratio.

    The gzip member is undone before warcio sees it, through a cap: a header
    line or a body that expands a thousandfold stops at the limit, not in memory.
    """
    body = Digests()
    allowed = max(RATIO_FLOOR, MAX_RATIO * max(entry.declared, 1))

    def too_big() -> str:
        return (f"its WARC record passes {_size(allowed)} from {_size(entry.declared)} of gzip (over {MAX_RATIO}:1); "
                f"reading stopped; {_ALTERED}")

    try:
        with reader.open(entry) as f:
            parse_record(_Capped(gzip.GzipFile(fileobj=f), allowed, too_big), sink=body.update)
    except _TooBig as e:
        return [f"{entry.name}: {e}"]
    except Exception as e:  # gzip, zlib and warcio raise several kinds on damaged data
        return [f"{entry.name}: not a readable WARC record ({e})"]
    if body.sha256() != cap.get("body_sha256"):
        return [f"{entry.name}: the captured body's SHA-256 is not the recorded {cap.get('body_sha256')}"]
    return []


def _check_audit(data: bytes, manifest: Mapping[str, Any]) -> list[str]:
    """What can be checked of one hit's entries on their own (see the package docstring)."""
    problems: list[str] = []
    entries: list[dict[str, Any]] = []
    for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        try:
            e = json.loads(line)
            if entry_hash(e) != e["hash"]:
                problems.append(f"audit.jsonl line {n} (entry {e['id']}): changed after it was written (its hash "
                                "does not recompute)")
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            problems.append(f"audit.jsonl line {n}: not an audit entry ({err})")
            continue
        if not isinstance(e, dict):
            problems.append(f"audit.jsonl line {n}: not an audit entry (not a JSON object)")
            continue
        if e.get("hit_id") != manifest.get("hit_id"):
            problems.append(f"audit.jsonl line {n} (entry {e.get('id')}): belongs to hit {e.get('hit_id')}, not this "
                            f"bundle's hit {manifest.get('hit_id')}")
        entries.append(e)
    try:
        problems += _check_chain(entries, manifest)
    except (KeyError, TypeError, AttributeError) as err:  # entries or a manifest someone wrote by hand
        problems.append(f"audit.jsonl: not a chain of audit entries ({type(err).__name__}: {err})")
    return problems


def _check_chain(entries: list[dict[str, Any]], manifest: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for before, e in zip([None, *entries], entries, strict=False):
        if before is not None and e["id"] <= before["id"]:
            problems.append(f"audit.jsonl: entry {e['id']} comes after entry {before['id']} (reordered)")
        elif before is not None and e["id"] == before["id"] + 1 and e["prev_hash"] != before["hash"]:
            problems.append(f"audit.jsonl: entry {e['id']} does not follow entry {before['id']}")
        elif e["id"] == 1 and e["prev_hash"] != GENESIS:
            problems.append("audit.jsonl: entry 1 does not start the chain")
    audit = manifest.get("audit") or {}
    if [e["id"] for e in entries] != audit.get("ids", [e["id"] for e in entries]):
        problems.append(f"audit.jsonl: holds entries {[e['id'] for e in entries]}, the manifest says {audit['ids']}")
    head = audit.get("chain_head")
    if entries and head:
        last = entries[-1]
        if last["id"] > head["id"] or (last["id"] == head["id"] and last["hash"] != head["hash"]):
            problems.append(f"audit.jsonl: entry {last['id']} is not in the chain that ended at entry {head['id']} "
                            "when the bundle was made")
    return problems


def verify_store(store: Store, archive: CaptureArchive, db_path: Path | str) -> list[str]:
    """Problems in the whole store: every capture re-read from the archive and re-checked, and the audit chain.

    Each capture is checked as a bundle would take it: its record parses, its
    body has the store's SHA-256, its WARC date, URL and status are the store's.
    """
    problems: list[str] = []
    for row in store.captures():
        try:
            read_capture(archive, row)
        except EvidenceError as e:
            problems.append(str(e))
    problems.extend(verify_chain(store.audit_entries(), read_head(Path(db_path))))
    return [one_line(p) for p in problems]
