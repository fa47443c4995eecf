"""Evidence bundles: everything about one hit a lawyer hands to a notary, hashed so a changed byte shows.

A bundle is a folder or a .zip::

    captures/<capture id>.warc.gz   every kept response that showed the listing, copied byte for byte
                                    from the WARC archive: one gzip member, one WARC response record
    record.json                     the listing as parsed, its name/status history and its sightings
    match.json                      the hit: mark, owner, rule, score, explanation, the team's decision
    audit.jsonl                     this hit's review history, each entry with its chain hash
    screenshot.png                  the captured page rendered offline by headless Chromium (when installed)
    README.txt                      what this is and is not, in Chinese and English
    manifest.json                   each file's size, SHA-256 and SM3; each capture's time (UTC and
                                    Beijing), URLs, HTTP status and body SHA-256; the audit chain's head
    manifest.sha256                 the SHA-256 of manifest.json (``sha256sum -c manifest.sha256`` checks it)

Building refuses, loudly, when the archive or the audit log no longer matches
the store: a capture whose body no longer has its recorded SHA-256, or whose
WARC date or URL differs from the store's, or a broken audit chain. A bundle
is never made from evidence that was altered.

What verification can and cannot show. :func:`verify_bundle` re-hashes every
file against the manifest and the manifest against ``manifest.sha256``, so an
accidental or careless change is caught and named. Someone who rewrites a
file, the manifest and ``manifest.sha256`` together is not caught by the
bundle alone: that is what the notary (公证) or 存证 platform's own record of
the manifest's hash is for, and README.txt says so. The audit entries of one
hit are a subsequence of the store's single chain, so in a bundle each
entry's own hash is recomputed (brandwatch.audit.entry_hash), entries with
consecutive ids must link (``prev_hash``), entry 1 must follow the genesis
hash, and the last entry must be at or before the chain head recorded in the
manifest (equal to it when it is the head). The links to other hits' entries
in between can only be checked against the store (:func:`verify_store`).
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeadersParser

from .audit import GENESIS, entry_hash, read_head, verify_chain
from .captures import CaptureArchive
from .errors import EvidenceError
from .store import Store

BUNDLE_FORMAT = "brandwatch-evidence"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SHA256 = "manifest.sha256"
SCREENSHOT = "screenshot.png"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
SCREENSHOT_TIMEOUT = 60  # seconds; a page that will not render must not hang a bundle
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class BundleResult:
    path: Path  # the folder or .zip written
    files: tuple[str, ...]  # paths inside the bundle, sorted
    manifest: dict[str, Any]
    screenshot_message: str


# -- hashes and times ------------------------------------------------------------


def _sm3_hashlib(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def _sm3_gmssl(data: bytes) -> str:
    from gmssl import func, sm3

    return sm3.sm3_hash(func.bytes_to_list(data))


# OpenSSL's SM3 when Python's OpenSSL has it (fast); otherwise gmssl's pure-Python one. Same digests.
SM3_IMPLEMENTATIONS: dict[str, Callable[[bytes], str]] = {"hashlib": _sm3_hashlib, "gmssl": _sm3_gmssl}


def sm3_implementation() -> str:
    return "hashlib" if "sm3" in hashlib.algorithms_available else "gmssl"


def sm3_hex(data: bytes, implementation: str | None = None) -> str:
    """SM3 (GB/T 32905-2016), the digest Chinese 存证 platforms and notaries commonly record, in hex."""
    return SM3_IMPLEMENTATIONS[implementation or sm3_implementation()](data)


def _sm3_described() -> str:
    if sm3_implementation() == "hashlib":
        import ssl

        return f"hashlib ({ssl.OPENSSL_VERSION})"
    from importlib.metadata import version

    return f"gmssl {version('gmssl')}"


def _shanghai() -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:  # no tz database: China has kept UTC+8 without DST since 1991
        return timezone(timedelta(hours=8), "CST")


def _times(value: datetime | str) -> dict[str, str]:
    """One instant in UTC (the store's format) and in Beijing time, as the bundle states both."""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return {"utc": dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "asia_shanghai": dt.astimezone(_shanghai()).isoformat(timespec="microseconds")}


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# -- captures --------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    target_uri: str
    refers_to: str
    date: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _parse_record(data: bytes) -> _Record:
    """The one WARC response record in ``data``; ValueError saying why when it is not exactly that.

    The body is the payload exactly as written (``raw_stream``): warcio's
    ``content_stream`` would undo a Content-Encoding or chunking the headers
    still name although the fetcher had already undone it. warcio parses the
    HTTP block only for http(s) URIs; a ``file://`` capture (the files source,
    ``import``) has one too, parsed here.
    """
    records = []
    for rec in ArchiveIterator(io.BytesIO(data)):
        warc = rec.rec_headers
        http = rec.http_headers
        if http is None and (warc.get_header("Content-Type") or "").startswith("application/http"):
            http = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"]).parse(rec.raw_stream)
        status, headers = (int(http.get_statuscode()), tuple(http.headers)) if http else (0, ())
        records.append((rec.rec_type, _Record(warc.get_header("WARC-Target-URI") or "",
                                              warc.get_header("WARC-Refers-To-Target-URI") or "",
                                              warc.get_header("WARC-Date") or "", status, headers,
                                              rec.raw_stream.read())))
    if len(records) != 1 or records[0][0] != "response":
        raise ValueError(f"expected one WARC response record, found {[t for t, _ in records] or 'none'}")
    return records[0][1]


def _capture_bytes(archive: CaptureArchive, row: Mapping[str, Any]) -> tuple[bytes, _Record]:
    """The capture's WARC record as kept (raw bytes) and parsed; EvidenceError when it no longer matches the store."""
    name = row["warc_file"]
    path = archive.folder / name
    where = f"capture {row['id']} ({path} at byte {row['warc_offset']})"
    if Path(name).name != name or name.startswith("."):
        raise EvidenceError(f"capture {row['id']}: the store names WARC file {name!r}, not a file in {archive.folder}")
    try:
        with open(path, "rb") as f:
            f.seek(row["warc_offset"])
            raw = f.read(row["warc_length"])
    except OSError as e:
        raise EvidenceError(f"{where}: cannot read the archive ({e.strerror}); restore {path} from a backup") from None
    try:
        record = _parse_record(raw)
    except Exception as e:  # warcio and zlib raise several kinds on damaged data
        raise EvidenceError(f"{where}: the WARC record is damaged ({e}); the archive was altered — restore it from "
                            "a backup, do not file a bundle from it") from e
    body_sha = hashlib.sha256(record.body).hexdigest()
    if body_sha != row["sha256"]:
        raise EvidenceError(f"{where}: the body's SHA-256 is {body_sha} but the store recorded {row['sha256']}; the "
                            "archive (or the store) was altered — restore it from a backup, do not file a bundle "
                            "from it")
    url = row["final_url"] or row["request_url"]  # the archive's target URI (CaptureArchive.append)
    if (record.date, record.target_uri, record.status) != (row["fetched_at"], url, row["status"]):
        raise EvidenceError(f"{where}: the WARC record says {record.date} {record.target_uri} HTTP {record.status} but "
                            f"the store says {row['fetched_at']} {url} HTTP {row['status']}; the store or the archive "
                            "was altered")
    return raw, record


def _capture_ids(store: Store, listing: Mapping[str, Any]) -> list[int]:
    """Every capture that showed the listing, oldest first: sightings, history, and its latest."""
    ids = [s["capture_id"] for s in store.sightings(listing["id"])]
    ids += [c["capture_id"] for c in store.listing_changes(listing["id"])]
    ids.append(listing["capture_id"])
    return sorted({i for i in ids if i is not None})


# -- screenshot ------------------------------------------------------------------


def find_chromium(explicit: str | None = None) -> str | None:
    """The Chromium to render with: ``explicit`` (a path or a name on PATH), else the first of CHROMIUM_NAMES."""
    if explicit:
        return shutil.which(explicit)
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


# Chromium sees only the captured bytes: every request goes to a proxy that is not there, names do not resolve,
# scripts do not run (they could fetch, or change the page from what was captured), and it uses a throwaway profile.
_OFFLINE_FLAGS = (
    "--headless=new", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--window-size=1280,2000",
    "--no-first-run", "--disable-extensions", "--disable-sync", "--disable-background-networking",
    "--disable-component-update", "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--blink-settings=scriptEnabled=false",
)


# Only what the capture itself holds may appear: no file:// or remote resources (a captured page could show a
# local file in the exhibit), inline styles and data: images only.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"
# a meta refresh would navigate away from the capture (to a local file, even): it is disabled, not followed
_REFRESH = re.compile(rb"http-equiv(\s*=\s*[\"']?\s*refresh)", re.IGNORECASE)
_BOM = b"\xef\xbb\xbf"


def _page_html(record: _Record) -> bytes:
    """The captured body as a page Chromium can open from disk, relative links resolved against its URL.

    The tags brandwatch adds (charset from the HTTP header, the CSP, the base
    URL) go first, after any doctype, so they are in force before anything
    the page holds; the page's own bytes are untouched but for a disabled refresh.
    """
    ctype = next((v for k, v in record.headers if k.lower() == "content-type"), "")
    m = re.search(r"charset=[\"']?([A-Za-z0-9_.:-]+)", ctype)
    charset = m.group(1) if m else ""
    # non-ASCII in the URL as UTF-8 percent escapes, so the tag is ASCII whatever the page's charset
    url = re.sub(r"[^\x00-\x7f]+", lambda m: quote(m.group()), record.target_uri)
    tags = f'<meta http-equiv="Content-Security-Policy" content="{_CSP}"><base href="{html.escape(url, quote=True)}">'
    body = record.body
    if "html" in ctype.lower() or (not ctype and body.lstrip(_BOM + b" \t\r\n")[:1] == b"<"):
        bom = _BOM if body.startswith(_BOM) else b""
        rest = _REFRESH.sub(rb"data-removed-http-equiv\1", body[len(bom):])
        doctype = re.match(rb"\s*<!doctype[^>]*>", rest, re.IGNORECASE)
        at = doctype.end() if doctype else 0  # never before the doctype: that would render in quirks mode
        inject = ((f'<meta charset="{charset}">' if charset else "") + tags).encode("ascii")
        return bom + rest[:at] + inject + rest[at:]
    try:
        text = body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    page = f'<!doctype html><meta charset="utf-8">{tags}<pre style="white-space:pre-wrap">{html.escape(text)}</pre>'
    return page.encode("utf-8")


def _chromium_version(chromium: str) -> str:
    try:
        done = subprocess.run([chromium, "--version"], capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip().splitlines()[0] if done.returncode == 0 and done.stdout.strip() else ""


def _screenshot(record: _Record, chromium: str) -> tuple[bytes | None, str]:
    """(PNG bytes or None, what happened) for one captured page rendered offline."""
    timeout = SCREENSHOT_TIMEOUT
    with tempfile.TemporaryDirectory(prefix="brandwatch-shot-") as tmp:
        page = Path(tmp) / "capture.html"
        page.write_bytes(_page_html(record))
        png = Path(tmp) / SCREENSHOT
        cmd = [chromium, *_OFFLINE_FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}", f"--screenshot={png}",
               page.as_uri()]
        try:
            # its own process group, so a timeout ends Chromium's helper processes too
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as e:
            return None, f"screenshot skipped: cannot start {chromium} ({e.strerror})"
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return None, f"screenshot skipped: {chromium} did not finish within {timeout:g}s"
        data = png.read_bytes() if png.exists() else b""
        if not data.startswith(_PNG_MAGIC):
            tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
            return None, f"screenshot skipped: {chromium} wrote no PNG ({tail[0]})"
        return data, f"{SCREENSHOT}: the captured page rendered offline by {chromium}"


# -- building --------------------------------------------------------------------

_README = """\
brandwatch 证据包 / evidence bundle
线索 / hit #{hit_id}：{name}
商标 / mark：{mark}（{owner}）
生成时间 / made at：{shanghai}（北京时间）/ {utc} (UTC)，brandwatch {version}

【这是什么】
本证据包由 brandwatch 软件自动整理，包含抓取网页时服务器返回的原始数据及其哈希值，
供提交公证机构办理公证，或提交第三方电子数据存证平台存证之用。
它本身不是公证书，也不能代替公证或存证：哈希值只能证明文件在本包生成之后没有被改动，
不能证明抓取当时的情况；请尽快将本包（至少 manifest.json 及其哈希值）交公证或存证。

  captures/*.warc.gz  抓取时收到的原始响应：状态、响应头和正文（WARC 格式，从存档逐字节复制）
  record.json         解析出的主体信息、名称和状态变化、每次发现的记录
  match.json          与商标比对的结果，及法务团队的处理状态
  audit.jsonl         本线索的审核记录（哈希链）
  screenshot.png      断网、不运行脚本，仅按抓取内容渲染的截图（如有）
  manifest.json       每个文件的大小、SHA-256 和 SM3 哈希值，抓取时间（UTC 与北京时间）
  manifest.sha256     manifest.json 本身的 SHA-256

核对方法：brandwatch evidence verify <本包>；或 sha256sum -c manifest.sha256 后逐一核对 manifest.json。

[What this is]
Captures and hashes prepared by brandwatch for a notary (公证) or a third-party
electronic evidence (存证) platform. It is not a notarisation and does not
replace one: the hashes show the files have not changed since this bundle was
made, not what the page showed when it was fetched. Take the bundle (at least
manifest.json and its hash) to a notary or 存证 platform promptly.

  captures/*.warc.gz  the responses as received: status, headers, body (WARC, copied byte for byte)
  record.json         the listing as parsed, its name and status history, each sighting
  match.json          the match against the mark, and the legal team's decision
  audit.jsonl         this hit's review history (hash-chained)
  screenshot.png      the captured page rendered with no network and no scripts (when present)
  manifest.json       each file's size, SHA-256 and SM3; capture times in UTC and Beijing time
  manifest.sha256     the SHA-256 of manifest.json

To check: brandwatch evidence verify <this bundle>; or sha256sum -c manifest.sha256, then each file against
manifest.json.
"""


def build_bundle(store: Store, archive: CaptureArchive, hit_id: int, out: Path | str, *, db_path: Path | str,
                 now: datetime | None = None, screenshot: bool = True, chromium: str | None = None) -> BundleResult:
    """Gather one hit's evidence into ``out`` (a new folder, or a path ending in .zip) with its manifest.

    Refuses (EvidenceError) when the hit is unknown, ``out`` exists, a capture
    no longer matches the store, or the audit chain is broken. ``now`` is the
    bundle's time (naive is taken as UTC); the same bundle made at the same
    ``now`` is the same zip, byte for byte (but for a screenshot).
    """
    from .version import __version__

    out, db_path = Path(out), Path(db_path)
    as_zip = out.suffix.lower() == ".zip"
    if out.exists() and (as_zip or not out.is_dir() or any(out.iterdir())):
        raise EvidenceError(f"{out} already exists; give a new path (a bundle is never written over)")
    out.parent.mkdir(parents=True, exist_ok=True)
    found = store.hit_records(ids=[hit_id])
    if not found:
        raise EvidenceError(f"hit {hit_id}: not in {db_path}; list the hits to find its id")
    hit = found[0]
    listing = store.listing(hit["listing_id"])
    assert listing is not None  # hits reference listings (foreign key)
    chain = store.audit_entries()
    broken = verify_chain(chain, read_head(db_path))
    if broken:
        raise EvidenceError(f"{db_path}: the audit log is broken ({broken[0]}{'; …' if len(broken) > 1 else ''}); "
                            "a bundle from it could not be trusted — run `brandwatch evidence verify --all` and "
                            "restore the database from a backup")
    created = _times(now or datetime.now(UTC))

    files: dict[str, bytes] = {}
    captures: list[dict[str, Any]] = []
    records: dict[int, _Record] = {}
    for cid in _capture_ids(store, listing):
        row = store.capture(cid)
        if row is None:
            raise EvidenceError(f"capture {cid}: referenced by listing {listing['id']} but not in {db_path}")
        raw, record = _capture_bytes(archive, row)
        name = f"captures/{cid}.warc.gz"
        files[name] = raw
        records[cid] = record
        captures.append({
            "id": cid, "file": name, "fetched_at": _times(record.date), "request_url": record.refers_to
            or record.target_uri, "final_url": record.target_uri, "http_status": record.status,
            "body_sha256": row["sha256"], "body_size": len(record.body),
            "archive": {"file": row["warc_file"], "offset": row["warc_offset"], "length": row["warc_length"]},
        })

    files["record.json"] = _json({"listing": listing, "changes": store.listing_changes(listing["id"]),
                                  "sightings": store.sightings(listing["id"]), "captures": sorted(records)})
    files["match.json"] = _json({k: v for k, v in hit.items()
                                 if k == "listing_id" or not k.startswith(("listing_", "capture_"))})
    entries = store.audit_entries(hit_id)
    files["audit.jsonl"] = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode("utf-8")

    shot: dict[str, Any] = {"file": None}
    latest = listing["capture_id"] if listing["capture_id"] in records else max(records, default=None)
    if not screenshot:
        message = "screenshot skipped: not asked for"
    elif latest is None:
        message = "screenshot skipped: the listing has no kept capture"
    elif (browser := find_chromium(chromium)) is None:
        message = (f"screenshot skipped: no Chromium at {chromium!r}" if chromium else
                   "screenshot skipped: no Chromium found (install Debian's chromium package)")
    else:
        png, message = _screenshot(records[latest], browser)
        shot.update(capture_id=latest, chromium=browser, chromium_version=_chromium_version(browser),
                    flags=list(_OFFLINE_FLAGS))
        if png is not None:
            files[SCREENSHOT] = png
            shot["file"] = SCREENSHOT
    shot["message"] = message

    files["README.txt"] = _README.format(
        hit_id=hit_id, name=listing["name"], mark=hit["mark"], owner=hit["owner"], shanghai=created["asia_shanghai"],
        utc=created["utc"], version=__version__).replace("\n", "\r\n").encode("utf-8-sig")  # Windows Notepad
    head = chain[-1] if chain else None
    manifest: dict[str, Any] = {
        "format": BUNDLE_FORMAT, "format_version": BUNDLE_VERSION,
        "tool": {"name": "brandwatch", "version": __version__},
        "created_at": created, "hit_id": hit_id, "listing_id": listing["id"], "database": str(db_path.resolve()),
        "hash_implementations": {"sha256": "hashlib", "sm3": _sm3_described()},
        "files": [{"path": p, "size": len(b), "sha256": hashlib.sha256(b).hexdigest(), "sm3": sm3_hex(b)}
                  for p, b in sorted(files.items())],
        "captures": captures,
        "audit": {"entries": len(entries), "ids": [e["id"] for e in entries],
                  "chain_head": {"id": head["id"], "hash": head["hash"]} if head else None,
                  "recorded_head": read_head(db_path)},
        "screenshot": shot,
    }
    files[MANIFEST] = _json(manifest)
    files[MANIFEST_SHA256] = f"{hashlib.sha256(files[MANIFEST]).hexdigest()}  {MANIFEST}\n".encode("ascii")
    (_write_zip if as_zip else _write_dir)(files, out, created["utc"])
    return BundleResult(out, tuple(sorted(files)), manifest, message)


def _write_dir(files: Mapping[str, bytes], out: Path, _created: str) -> None:
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)  # a bundle left half-written by a crash
    for name, data in sorted(files.items()):
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
            os.fsync(f.fileno())
    os.replace(tmp, out)  # over an empty folder, or to a new name: the bundle appears whole or not at all


def _write_zip(files: Mapping[str, bytes], out: Path, created: str) -> None:
    tmp = out.with_name(out.name + ".partial")
    when = datetime.fromisoformat(created).timetuple()[:6]
    try:
        with open(tmp, "wb") as f:
            with zipfile.ZipFile(f, "w") as z:
                for name, data in sorted(files.items()):  # sorted, one timestamp: the same bundle, the same zip
                    info = zipfile.ZipInfo(name, date_time=when)
                    info.external_attr = 0o644 << 16
                    # gzip and PNG are compressed already
                    info.compress_type = (zipfile.ZIP_STORED if name.endswith((".gz", ".png"))
                                          else zipfile.ZIP_DEFLATED)
                    z.writestr(info, data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# -- verifying -------------------------------------------------------------------


def _read_bundle(path: Path) -> tuple[dict[str, bytes | None], list[str]]:
    """The bundle's files (None: present but unreadable) and the problems reading it."""
    if path.is_dir():
        return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}, []
    if not path.exists():
        raise EvidenceError(f"{path}: no such bundle; give the bundle's folder or .zip")
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        return {}, [f"{path}: cannot be opened as a zip ({e}); the zip was changed or damaged"]
    files: dict[str, bytes | None] = {}
    problems: list[str] = []
    with z:
        for info in z.infolist():
            if info.is_dir():
                continue
            if info.filename in files:
                problems.append(f"{info.filename}: in the zip twice (an entry was added)")
            try:
                files[info.filename] = z.read(info)
            except Exception as e:  # zipfile raises BadZipFile, zlib.error, EOFError… for damaged entries
                files[info.filename] = None
                problems.append(f"{info.filename}: cannot be read from the zip ({e}); it was changed or damaged")
    return files, problems


def verify_bundle(path: Path | str) -> list[str]:
    """Problems found in a bundle (a folder or a .zip), each naming the file; empty when intact."""
    files, problems = _read_bundle(Path(path))
    if problems and not files:
        return problems  # the zip itself cannot be opened
    manifest_bytes = files.get(MANIFEST)
    if manifest_bytes is None:
        return [*problems, f"{MANIFEST}: missing or unreadable; this is not a brandwatch evidence bundle, or it "
                           "was damaged"]
    sums = files.get(MANIFEST_SHA256)
    actual = hashlib.sha256(manifest_bytes).hexdigest()
    if sums is None:
        problems.append(f"{MANIFEST_SHA256}: missing; the manifest cannot be checked on its own")
    elif sums.decode("ascii", "replace").split()[:1] != [actual]:
        problems.append(f"{MANIFEST}: changed after the bundle was made (its SHA-256 {actual} is not the one in "
                        f"{MANIFEST_SHA256})")
    try:
        manifest = json.loads(manifest_bytes)
        listed = {f["path"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError) as e:
        return [*problems, f"{MANIFEST}: not a readable manifest ({e})"]
    if manifest.get("format") != BUNDLE_FORMAT or manifest.get("format_version") != BUNDLE_VERSION:
        problems.append(f"{MANIFEST}: format {manifest.get('format')!r} version {manifest.get('format_version')!r}"
                        f" is not {BUNDLE_FORMAT} version {BUNDLE_VERSION}; use the brandwatch that made it")
    for name, entry in sorted(listed.items()):
        data = files.get(name)
        if name not in files:
            problems.append(f"{name}: missing (listed in the manifest)")
        elif data is None:
            continue  # reported as unreadable
        elif hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            problems.append(f"{name}: changed (its SHA-256 is {hashlib.sha256(data).hexdigest()}, the manifest says "
                            f"{entry.get('sha256')})")
        elif sm3_hex(data) != entry.get("sm3"):
            problems.append(f"{name}: changed (its SM3 is {sm3_hex(data)}, the manifest says {entry.get('sm3')})")
        elif len(data) != entry.get("size"):
            problems.append(f"{name}: {len(data)} bytes, the manifest says {entry.get('size')}")
    for name in sorted(set(files) - set(listed) - {MANIFEST, MANIFEST_SHA256}):
        problems.append(f"{name}: not listed in the manifest (added after the bundle was made)")
    for cap in manifest.get("captures", []):
        data = files.get(cap.get("file", ""))
        if data is None:
            continue  # missing or unreadable: reported above
        try:
            body = _parse_record(data).body
        except Exception as e:  # warcio and zlib raise several kinds on damaged data
            problems.append(f"{cap['file']}: not a readable WARC record ({e})")
            continue
        if hashlib.sha256(body).hexdigest() != cap.get("body_sha256"):
            problems.append(f"{cap['file']}: the captured body's SHA-256 is not the recorded "
                            f"{cap.get('body_sha256')}")
    audit = files.get("audit.jsonl")
    if audit is not None:
        problems.extend(_check_audit(audit, manifest))
    return problems


def _check_audit(data: bytes, manifest: Mapping[str, Any]) -> list[str]:
    """What can be checked of one hit's entries on their own (see the module docstring)."""
    problems: list[str] = []
    entries: list[dict[str, Any]] = []
    for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        try:
            e = json.loads(line)
            if entry_hash(e) != e["hash"]:
                problems.append(f"audit.jsonl line {n} (entry {e['id']}): changed after it was written (its hash "
                                "does not recompute)")
        except (ValueError, KeyError, TypeError) as err:
            problems.append(f"audit.jsonl line {n}: not an audit entry ({err})")
            continue
        if e["hit_id"] != manifest.get("hit_id"):
            problems.append(f"audit.jsonl line {n} (entry {e['id']}): belongs to hit {e['hit_id']}, not this bundle's "
                            f"hit {manifest.get('hit_id')}")
        entries.append(e)
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
            _capture_bytes(archive, row)
        except EvidenceError as e:
            problems.append(str(e))
    problems.extend(verify_chain(store.audit_entries(), read_head(Path(db_path))))
    return problems
