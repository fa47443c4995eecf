"""Building an evidence bundle: one hit's captures, record, match and audit history, hashed, in a folder or .zip.

Building refuses, loudly, when the archive or the audit log no longer matches
the store: a capture whose body no longer has its recorded SHA-256, or whose
WARC date or URL differs from the store's, or a broken audit chain. A bundle
is never made from evidence that was altered. The same bundle made at the
same time is the same zip, byte for byte (but for a screenshot).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..audit import read_head, verify_chain
from ..captures import CaptureArchive, WarcRecord, parse_record
from ..errors import EvidenceError
from ..secrets import mask
from ..store import Store
from .hashing import sm3_described, sm3_hex, times
from .screenshot import OFFLINE_FLAGS, SCREENSHOT, chromium_version, find_chromium, take_screenshot

BUNDLE_FORMAT = "brandwatch-evidence"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SHA256 = "manifest.sha256"


@dataclass(frozen=True)
class BundleResult:
    path: Path  # the folder or .zip written
    files: tuple[str, ...]  # paths inside the bundle, sorted
    manifest: dict[str, Any]
    screenshot_message: str


def _json(value: Any) -> bytes:
    # masked again: a store written before secrets were masked may still hold one (captures and the audit log
    # are copied as kept, their hashes being the evidence)
    return (mask(json.dumps(value, ensure_ascii=False, indent=2)) + "\n").encode("utf-8")


def read_capture(archive: CaptureArchive, row: Mapping[str, Any]) -> tuple[bytes, WarcRecord]:
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
        record = parse_record(raw)
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


def capture_ids(store: Store, listing: Mapping[str, Any]) -> list[int]:
    """Every capture that showed the listing, oldest first: sightings, history, and its latest."""
    ids = [s["capture_id"] for s in store.sightings(listing["id"])]
    ids += [c["capture_id"] for c in store.listing_changes(listing["id"])]
    ids.append(listing["capture_id"])
    return sorted({i for i in ids if i is not None})


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
    from ..version import __version__

    out, db_path = Path(out), Path(db_path)
    as_zip = out.suffix.lower() == ".zip"
    if out.exists() and (as_zip or not out.is_dir() or any(out.iterdir())):
        raise EvidenceError(f"{out} already exists; give a new path (a bundle is never written over)")
    out.parent.mkdir(parents=True, exist_ok=True)
    found = store.hit_records(ids=[hit_id])
    if not found:
        raise EvidenceError(f"hit {hit_id}: not in {db_path}; list the hits to find its id")
    hit = found[0]
    listing = store.listing(hit.listing_id)
    assert listing is not None  # hits reference listings (foreign key)
    chain = store.audit_entries()
    broken = verify_chain(chain, read_head(db_path))
    if broken:
        raise EvidenceError(f"{db_path}: the audit log is broken ({broken[0]}{'; …' if len(broken) > 1 else ''}); "
                            "a bundle from it could not be trusted — run `brandwatch evidence verify --all` and "
                            "restore the database from a backup")
    created = times(now or datetime.now(UTC))

    files: dict[str, bytes] = {}
    captures: list[dict[str, Any]] = []
    records: dict[int, WarcRecord] = {}
    for cid in capture_ids(store, listing):
        row = store.capture(cid)
        if row is None:
            raise EvidenceError(f"capture {cid}: referenced by listing {listing['id']} but not in {db_path}")
        raw, record = read_capture(archive, row)
        name = f"captures/{cid}.warc.gz"
        files[name] = raw
        records[cid] = record
        captures.append({
            "id": cid, "file": name, "fetched_at": times(record.date), "request_url": record.refers_to
            or record.target_uri, "final_url": record.target_uri, "http_status": record.status,
            "body_sha256": row["sha256"], "body_size": len(record.body),
            "archive": {"file": row["warc_file"], "offset": row["warc_offset"], "length": row["warc_length"]},
        })

    files["record.json"] = _json({"listing": listing, "changes": store.listing_changes(listing["id"]),
                                  "sightings": store.sightings(listing["id"]), "captures": sorted(records)})
    files["match.json"] = _json({k: v for k, v in hit.flat().items()
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
        png, message, marked = take_screenshot(records[latest], browser, listing["name"])
        shot.update(capture_id=latest, chromium=browser, chromium_version=chromium_version(browser),
                    flags=list(OFFLINE_FLAGS), row_outlined=marked)
        if png is not None:
            files[SCREENSHOT] = png
            shot["file"] = SCREENSHOT
    shot["message"] = message

    files["README.txt"] = _README.format(
        hit_id=hit_id, name=listing["name"], mark=hit.mark, owner=hit.owner, shanghai=created["asia_shanghai"],
        utc=created["utc"], version=__version__).replace("\n", "\r\n").encode("utf-8-sig")  # Windows Notepad
    head = chain[-1] if chain else None
    manifest: dict[str, Any] = {
        "format": BUNDLE_FORMAT, "format_version": BUNDLE_VERSION,
        "tool": {"name": "brandwatch", "version": __version__},
        "created_at": created, "hit_id": hit_id, "listing_id": listing["id"], "database": str(db_path.resolve()),
        "hash_implementations": {"sha256": "hashlib", "sm3": sm3_described()},
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
