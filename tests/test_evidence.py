"""Evidence bundles: what goes in, that a changed byte anywhere is named, and the store-wide check."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import sqlite3
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

import brandwatch
from brandwatch import evidence
from brandwatch.audit import entry_hash, write_head
from brandwatch.captures import CaptureArchive, WarcRecord
from brandwatch.evidence import (
    SM3_IMPLEMENTATIONS,
    EvidenceError,
    build_bundle,
    screenshot,
    sm3_hex,
    verify_bundle,
    verify_store,
)
from brandwatch.models import Capture, Hit, Listing
from brandwatch.store import Store

NOW = datetime(2026, 11, 27, 1, 2, 3, tzinfo=UTC)
CODE = "91420100MA4K000001"
PAGE = ('<!DOCTYPE html><html><head><title>查询结果</title></head><body><a href="/c/1">{name}</a>'
        f'<span>统一社会信用代码：{CODE}</span><img src="/logo.png"></body></html>')
OLD, NEW = "湖北微众森态信息科技集团有限公司", "湖北微众森态科技有限公司"


def page(name: str, url: str, at: str) -> Capture:
    return Capture(url, url, 200, (("Content-Type", "text/html; charset=utf-8"),), PAGE.format(name=name).encode(), at)


def company(name: str, key: str = CODE) -> Listing:
    return Listing("gsxt", key, "company", name, "https://example.test/c/1",
                   (("status", "存续"), ("统一社会信用代码", key), ("法定代表人", "王某")))


def hit(mark_id: str = "weizhong") -> Hit:
    return Hit(mark_id, "微众", "深圳前海微众银行股份有限公司", 92, "high", ("contains",), "微众",
               "字号「微众」包含商标「微众」")


class World:
    """A store with two listings, three captures over two daily WARC files, and an interleaved audit log."""

    def __init__(self, root: Path) -> None:
        self.db_path = root / "bw.db"
        self.store = Store(self.db_path)
        self.archive = CaptureArchive(root / "captures")
        plan = [  # (capture, listing): the first listing is seen, a second one, then the first renamed
            (page(OLD, "https://example.test/s?q=微众", "2026-11-25T01:00:00.000001Z"), company(OLD)),
            (page("武汉维众商贸有限公司", "https://example.test/s?q=维众", "2026-11-26T02:00:00.000002Z"),
             company("武汉维众商贸有限公司", "91420100MA4K000002")),
            (page(NEW, "https://example.test/s?q=微众&p=1", "2026-11-26T03:00:00.000003Z"), company(NEW)),
        ]
        for capture, listing in plan:
            place = self.archive.append(capture)
            with self.store.transaction():
                cid = self.store.save_capture(capture, *place)
                lid = self.store.save_listing(listing, cid, now=capture.fetched_at).id
                self.store.save_hits(lid, [hit()], now=capture.fetched_at)
        self.hit_id, self.other_hit = (h.id for h in self.store.hit_records())
        with self.store.transaction():
            self.store.append_audit(self.hit_id, "张律师", "status", "new", "confirmed", "确认仿冒")
            self.store.append_audit(self.other_hit, "张律师", "assignee", "", "李律师")
            self.store.append_audit(self.hit_id, "李律师", "note", "", "", "已发律师函")
            last = self.store.append_audit(self.hit_id, "李律师", "tags", "[]", '["仿冒"]')
        write_head(self.db_path, last)

    def bundle(self, out: Path, **kw) -> evidence.BundleResult:
        return build_bundle(self.store, self.archive, self.hit_id, out, db_path=self.db_path, now=NOW, **kw)


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-chromium-here"))
    w = World(tmp_path)
    yield w
    w.store.close()


def flip(path: Path, at: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2 if at is None else at] ^= 0x01
    path.write_bytes(bytes(data))


# -- what a bundle holds -----------------------------------------------------------


def test_bundle_holds_the_evidence(world, tmp_path):
    result = world.bundle(tmp_path / "hit-1")
    out = result.path
    assert result.files == ("README.txt", "audit.jsonl", "captures/1.warc.gz", "captures/3.warc.gz", "manifest.json",
                            "manifest.sha256", "match.json", "record.json")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == list(result.files)
    assert not list(tmp_path.glob("*.partial"))
    assert verify_bundle(out) == []

    # each capture is its WARC record copied byte for byte, and parses on its own
    for cid in (1, 3):
        row = world.store.capture(cid)
        kept = (world.archive.folder / row["warc_file"]).read_bytes()
        raw = (out / f"captures/{cid}.warc.gz").read_bytes()
        assert raw == kept[row["warc_offset"]:row["warc_offset"] + row["warc_length"]]
        (record,) = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(raw))]
        assert record[0] == "response" and hashlib.sha256(record[1]).hexdigest() == row["sha256"]
    assert world.store.capture(3)["warc_offset"] > 0  # read from the middle of a daily file

    manifest = json.loads((out / "manifest.json").read_bytes())
    digest = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    assert (out / "manifest.sha256").read_text() == f"{digest}  manifest.json\n"
    assert manifest == result.manifest
    assert (manifest["format"], manifest["format_version"], manifest["tool"]) == (
        "brandwatch-evidence", 1, {"name": "brandwatch", "version": brandwatch.__version__})
    assert manifest["created_at"] == {"utc": "2026-11-27T01:02:03.000000Z",
                                      "asia_shanghai": "2026-11-27T09:02:03.000000+08:00"}
    assert (manifest["hit_id"], manifest["database"]) == (world.hit_id, str(world.db_path.resolve()))
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert entry == {"path": entry["path"], "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                         "sm3": SM3_IMPLEMENTATIONS["gmssl"](data)}
    first = manifest["captures"][0]
    assert first["fetched_at"] == {"utc": "2026-11-25T01:00:00.000001Z",
                                   "asia_shanghai": "2026-11-25T09:00:00.000001+08:00"}
    assert (first["request_url"], first["final_url"], first["http_status"], first["body_sha256"]) == (
        "https://example.test/s?q=微众", "https://example.test/s?q=微众", 200, world.store.capture(1)["sha256"])

    record = json.loads((out / "record.json").read_bytes())
    assert record["listing"]["name"] == NEW and record["listing"]["fields"]["统一社会信用代码"] == CODE
    assert [(c["field"], c["old"], c["new"], c["capture_id"]) for c in record["changes"]] == [("name", OLD, NEW, 3)]
    assert [s["name"] for s in record["sightings"]] == [OLD, NEW]
    match = json.loads((out / "match.json").read_bytes())
    assert (match["id"], match["mark"], match["rule"], match["score"], match["tags"]) == (
        world.hit_id, "微众", "contains", 92, [])

    audit = [json.loads(line) for line in (out / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["id"], e["action"]) for e in audit] == [(1, "status"), (3, "note"), (4, "tags")]  # 2: another hit's
    assert manifest["audit"]["chain_head"] == {"id": 4, "hash": audit[-1]["hash"]}
    assert manifest["audit"]["recorded_head"]["id"] == 4

    readme = (out / "README.txt").read_bytes().decode("utf-8-sig")  # with a BOM and CRLF, for Windows Notepad
    for words in ("公证", "存证", "不能代替", "notary", "does not\r\nreplace", f"#{world.hit_id}", NEW):
        assert words in readme


def test_no_chromium_is_said_plainly(world, tmp_path):
    result = world.bundle(tmp_path / "b")
    assert result.screenshot_message == "screenshot skipped: no Chromium found (install Debian's chromium package)"
    assert result.manifest["screenshot"] == {"file": None, "message": result.screenshot_message}
    assert "screenshot.png" not in result.files


def test_zip_bundle_is_the_same_bundle_and_repeatable(world, tmp_path):
    folder = world.bundle(tmp_path / "b").path
    a, b = world.bundle(tmp_path / "a.zip").path, world.bundle(tmp_path / "again.zip").path
    assert a.read_bytes() == b.read_bytes()  # sorted entries, one timestamp
    with zipfile.ZipFile(a) as z:
        names = z.namelist()
        assert names == sorted(names)
        assert {n: z.read(n) for n in names} == {
            p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert verify_bundle(a) == []
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize(("hit_id", "out", "message"), [
    (99, "new", r"hit 99: not in .*bw.db"),
    (1, "exists.zip", r"exists.zip already exists; give a new path"),
    (1, "full", r"full already exists"),
])
def test_refusals(world, tmp_path, hit_id, out, message):
    (tmp_path / "exists.zip").write_bytes(b"")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_bytes(b"")
    with pytest.raises(EvidenceError, match=message):
        build_bundle(world.store, world.archive, hit_id, tmp_path / out, db_path=world.db_path)


# -- tampering with a bundle -------------------------------------------------------


def rewrite_manifest(out: Path, change) -> None:
    """What a careful forger does: change the manifest and write its matching manifest.sha256."""
    manifest = json.loads((out / "manifest.json").read_bytes())
    change(manifest)
    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n"
    (out / "manifest.json").write_bytes(data)
    (out / "manifest.sha256").write_text(f"{hashlib.sha256(data).hexdigest()}  manifest.json\n")


def relist(out: Path, name: str):
    def change(manifest):
        data = (out / name).read_bytes()
        for f in manifest["files"]:
            if f["path"] == name:
                f.update(size=len(data), sha256=hashlib.sha256(data).hexdigest(), sm3=sm3_hex(data))
    return change


def forge_audit(line: int, rehash: bool = False, **change):
    """Rewrite one audit entry (and its hash, if ``rehash``: anyone can, it has no key) and the manifest to match."""
    def tamper(out: Path) -> None:
        entries = [json.loads(x) for x in (out / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
        entries[line].update(change)
        if rehash:
            entries[line]["hash"] = entry_hash(entries[line])
        (out / "audit.jsonl").write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries),
                                         encoding="utf-8")
        rewrite_manifest(out, relist(out, "audit.jsonl"))
    return tamper


def forge_capture(out: Path) -> None:
    other = CaptureArchive(out / "tmp")
    name, _, _ = other.append(page("别的公司", "https://example.test/s?q=微众", "2026-11-25T01:00:00.000001Z"))
    (out / "captures/1.warc.gz").write_bytes((out / "tmp" / name).read_bytes())
    (out / "tmp" / name).unlink()
    (out / "tmp").rmdir()
    rewrite_manifest(out, relist(out, "captures/1.warc.gz"))


TAMPERING = [
    ("one byte of a capture", lambda out: flip(out / "captures/1.warc.gz"), "captures/1.warc.gz: changed"),
    ("one byte of the audit log", lambda out: flip(out / "audit.jsonl", 10), "audit.jsonl: changed"),
    ("the manifest", lambda out: flip(out / "manifest.json", 5), "manifest.json: changed after the bundle was made"),
    ("a file removed", lambda out: (out / "record.json").unlink(), "record.json: missing"),
    ("a file added", lambda out: (out / "captures" / "9.warc.gz").write_bytes(b"x"),
     "captures/9.warc.gz: not listed in the manifest"),
    ("manifest.sha256 removed", lambda out: (out / "manifest.sha256").unlink(), "manifest.sha256: missing"),
    ("an audit entry rewritten with a new manifest", forge_audit(0, note="误报"),
     "audit.jsonl line 1 (entry 1): changed after it was written"),
    ("an audit entry re-hashed out of its chain", forge_audit(2, rehash=True, prev_hash="1" * 64),
     "audit.jsonl: entry 4 does not follow entry 3"),
    ("the first audit entry re-hashed off the genesis", forge_audit(0, rehash=True, prev_hash="1" * 64),
     "audit.jsonl: entry 1 does not start the chain"),
    ("another hit's entry slipped in", forge_audit(1, rehash=True, hit_id=2),
     "audit.jsonl line 2 (entry 3): belongs to hit 2, not this bundle's hit 1"),
    ("an SM3 in the manifest", lambda out: rewrite_manifest(out, lambda m: m["files"][-1].update(sm3="0" * 64)),
     "record.json: changed (its SM3 is"),
    ("a capture replaced with a new manifest", forge_capture,
     "captures/1.warc.gz: the captured body's SHA-256 is not the recorded"),
    ("the audit head moved back", lambda out: rewrite_manifest(
        out, lambda m: m["audit"].update(chain_head={"id": 2, "hash": "0" * 64})),
     "audit.jsonl: entry 4 is not in the chain that ended at entry 2"),
]


@pytest.mark.parametrize(("what", "tamper", "problem"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_tampered_folder_is_named(world, tmp_path, what, tamper, problem):
    out = world.bundle(tmp_path / "b").path
    assert verify_bundle(out) == []
    tamper(out)
    problems = verify_bundle(out)
    assert any(p.startswith(problem) for p in problems), problems


@pytest.mark.parametrize(("what", "tamper", "problem"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_tampered_zip_is_named(world, tmp_path, what, tamper, problem):
    """The same changes made inside a zip: unpack, change, pack again as a valid zip."""
    path = world.bundle(tmp_path / "b.zip").path
    work = tmp_path / "unpacked"
    with zipfile.ZipFile(path) as z:
        z.extractall(work)
    tamper(work)
    with zipfile.ZipFile(path, "w") as z:
        for f in sorted(work.rglob("*")):
            if f.is_file():
                z.write(f, f.relative_to(work).as_posix())
    problems = verify_bundle(path)
    assert any(p.startswith(problem) for p in problems), problems


def test_a_byte_flipped_in_the_zip_file_itself(world, tmp_path):
    path = world.bundle(tmp_path / "b.zip").path
    with zipfile.ZipFile(path) as z:
        capture = z.read("captures/1.warc.gz")
    data = path.read_bytes()
    at = data.find(capture)  # stored, not deflated: the capture's bytes are in the zip as they are
    assert at > 0
    flip(path, at + len(capture) // 2)
    problems = verify_bundle(path)
    assert any(p.startswith("captures/1.warc.gz: cannot be read from the zip") for p in problems), problems


def test_a_damaged_zip(world, tmp_path):
    path = world.bundle(tmp_path / "b.zip").path
    path.write_bytes(path.read_bytes()[: 200])
    (problem,) = verify_bundle(path)
    assert problem.endswith("b.zip: cannot be opened as a zip (File is not a zip file); the zip was changed or damaged")


def test_not_a_bundle(tmp_path):
    (tmp_path / "empty").mkdir()
    assert verify_bundle(tmp_path / "empty") == [
        "manifest.json: missing or unreadable; this is not a brandwatch evidence bundle, or it was damaged"]
    with pytest.raises(EvidenceError, match="no such bundle"):
        verify_bundle(tmp_path / "nothing.zip")


# -- the store and its archive ------------------------------------------------------


def damage_archive(world: World) -> None:
    row = world.store.capture(3)
    flip(world.archive.folder / row["warc_file"], row["warc_offset"] + row["warc_length"] // 2)


def damage_audit(world: World) -> None:
    conn = sqlite3.connect(world.db_path)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET note = '误报' WHERE id = 1")
    conn.commit()
    conn.close()


def damage_store(world: World) -> None:
    """The store's record of a capture changed instead: the archive no longer agrees with it."""
    world.store.db.execute("UPDATE captures SET sha256 = ? WHERE id = 3", ["0" * 64])


def damage_store_time(world: World) -> None:
    """The store says the page was fetched at another time than its WARC record does."""
    world.store.db.execute("UPDATE captures SET fetched_at = ? WHERE id = 3", ["2026-11-20T00:00:00.000000Z"])


@pytest.mark.parametrize(("damage", "problem", "refusal"), [
    # a flipped byte inside the gzip member nearly always fails its CRC; in the rare case it does not, the body differs
    (damage_archive, "capture 3 (", r"capture 3 \(.*2026-11-26.warc.gz at byte \d+\): (the WARC record is damaged|"
     "the body's SHA-256)"),
    (damage_store, "capture 3 (", r"capture 3 \(.*\): the body's SHA-256 is [0-9a-f]{64} but the store recorded 0{64}; "
     r"the archive \(or the store\) was altered"),
    (damage_store_time, "capture 3 (",
     r"capture 3 \(.*\): the WARC record says 2026-11-26T03:00:00.000003Z .* but the store says "
     r"2026-11-20T00:00:00.000000Z"),
    (damage_audit, "audit entry 1: its content was changed", r"the audit log is broken \(audit entry 1"),
])
def test_verify_store_and_build_refuse_altered_evidence(world, tmp_path, damage, problem, refusal):
    assert verify_store(world.store, world.archive, world.db_path) == []
    damage(world)
    problems = verify_store(world.store, world.archive, world.db_path)
    assert any(p.startswith(problem) for p in problems), problems
    with pytest.raises(EvidenceError, match=refusal):
        world.bundle(tmp_path / "b")
    assert not (tmp_path / "b").exists() and not (tmp_path / "b.partial").exists()


# -- screenshots -----------------------------------------------------------------------

FAKE_CHROMIUM = """#!/bin/sh
log="{log}"
echo "$@" >> "$log/args"
for a in "$@"; do
  case "$a" in
    --version) echo "Chromium 999.0 fake"; exit 0;;
    --screenshot=*) out="${{a#--screenshot=}}";;
    file://*) page="${{a#file://}}";;
  esac
done
cp "$page" "$log/page.html"
{action}
"""
PNG = "printf '\\211PNG\\r\\n\\032\\n-fake-png-' > \"$out\""


def _png_file(colour: str, pattern: bool) -> str:
    """A shell line writing a real 400×300 PNG (one colour, or with a stripe) to $out."""
    import base64

    from PIL import Image

    im = Image.new("RGB", (400, 300), colour)
    if pattern:
        for x in range(400):
            im.putpixel((x, 10), (0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return f"echo {base64.b64encode(buf.getvalue()).decode()} | base64 -d > \"$out\""


REAL_PNG = _png_file("white", True)
BLANK_PNG = _png_file("white", False)


def install_chromium(tmp_path: Path, monkeypatch, action: str) -> Path:
    bin_dir, log = tmp_path / "bin", tmp_path / "log"
    bin_dir.mkdir()
    log.mkdir()
    script = bin_dir / "chromium"
    script.write_text(FAKE_CHROMIUM.format(log=log, action=action))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return log


REAL_CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(REAL_CHROMIUM is None, reason="make test installs Debian's chromium; it is missing here")
def test_screenshot_with_debians_chromium(world, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    result = world.bundle(tmp_path / "b")
    assert "screenshot.png" in result.files, result.screenshot_message
    png = (result.path / "screenshot.png").read_bytes()
    assert screenshot.check_png(png) == ""
    (entry,) = [f for f in result.manifest["files"] if f["path"] == "screenshot.png"]
    assert (entry["sha256"], entry["sm3"]) == (hashlib.sha256(png).hexdigest(), sm3_hex(png))
    shot = result.manifest["screenshot"]
    assert (shot["file"], shot["capture_id"], shot["row_outlined"]) == ("screenshot.png", 3, True)
    assert shot["chromium_version"].startswith("Chromium ")
    assert "--blink-settings=scriptEnabled=false" not in shot["flags"]
    assert result.screenshot_message.startswith("screenshot.png: the captured page rendered offline by ")
    assert result.screenshot_message.endswith(", the hit's row outlined")
    assert verify_bundle(result.path) == []
    from PIL import Image

    with Image.open(result.path / "screenshot.png") as im:
        colours = {rgb for _, rgb in im.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert (0xFF, 0xF5, 0x9D) in colours  # the outlined row's background
    keep = Path(__file__).resolve().parent.parent / "test-artifacts"
    keep.mkdir(exist_ok=True)
    (keep / "bundle-screenshot.png").write_bytes(png)


def test_screenshot_with_chromium(world, tmp_path, monkeypatch):
    """What Chromium is given: the capture, sanitised, the network cut off (a stand-in records the arguments)."""
    log = install_chromium(tmp_path, monkeypatch, REAL_PNG)
    result = world.bundle(tmp_path / "b")
    assert "screenshot.png" in result.files
    args = (log / "args").read_text()
    for flag in ("--headless=new", "--proxy-server=", "--host-resolver-rules=MAP * ~NOTFOUND",
                 "--window-size=1280,2000"):
        assert flag in args
    html = (log / "page.html").read_bytes().decode()
    assert html.startswith('<!DOCTYPE html>\n<html><head><meta charset="utf-8"/><meta content="'
                           f'{screenshot.CSP}" http-equiv="Content-Security-Policy"/><style>')
    assert NEW in html and '<img data-captured-src="/logo.png"/>' in html  # the logo is not fetched


CSP = f'content="{screenshot.CSP}"'  # in a meta http-equiv="Content-Security-Policy", first in the head


# (content type, body) → what the page Chromium is given holds, and what it must not
@pytest.mark.parametrize(("ctype", "body", "holds", "never"), [
    ("text/html; charset=GBK", "<!doctype html><table><tr><td>微众</td></tr></table>".encode("gbk"),
     ['<meta charset="utf-8"/>', CSP, '<tr data-brandwatch-hit="1" id="brandwatch-hit"><td>微众</td></tr>'], []),
    ("", "\ufeff <html><iframe src='file:///etc/passwd'></iframe><p>微众</p>".encode(),
     [CSP, "微众"], ["<iframe", "file:///etc/passwd"]),
    ("text/html", b'<meta HTTP-EQUIV = "Refresh" content="0;url=file:///etc/passwd"><p>x</p>',
     [CSP], ["Refresh", "file:///etc/passwd"]),
    ("text/html", "<p onclick='x()'>微众</p><script>document.body.innerHTML='PWNED'</script>".encode(),
     ["微众"], ["<script", "PWNED", "onclick"]),
    ("application/json", '{"name": "<b>微众</b>"}'.encode(),
     [CSP, "&lt;b&gt;", '<mark id="brandwatch-hit" data-brandwatch-hit="1">微众</mark>'], ["<b>"]),
])
def test_page_given_to_chromium(ctype, body, holds, never):
    record = WarcRecord("https://x.test/a?q=微众&b=1", "", "", 200, (("Content-Type", ctype),) if ctype else (), body)
    page, _ = screenshot.page_html(record, "微众")
    text = page.decode("utf-8")
    for part in holds:
        assert part in text
    for part in never:
        assert part not in text


@pytest.mark.parametrize(("action", "message"), [
    ("echo 'sandbox failed' >&2; exit 1", "wrote no PNG (sandbox failed)"),
    ("echo 'not a png' > \"$out\"", "wrote no PNG (exit status 0)"),
    ("sleep 30", "did not finish within 1s"),
    (PNG, "wrote not a readable PNG"),
    (BLANK_PNG, "wrote a blank image (one colour)"),
])
def test_screenshot_failures_are_skipped_not_fatal(world, tmp_path, monkeypatch, action, message):
    install_chromium(tmp_path, monkeypatch, action)
    monkeypatch.setattr(screenshot, "SCREENSHOT_TIMEOUT", 1)
    started = time.monotonic()
    result = world.bundle(tmp_path / "b")
    assert time.monotonic() - started < 15  # a hung Chromium is ended with its children, not waited for
    assert result.screenshot_message.startswith("screenshot skipped: ") and message in result.screenshot_message
    assert result.manifest["screenshot"]["file"] is None and "screenshot.png" not in result.files
    assert verify_bundle(result.path) == []


def test_screenshot_can_be_turned_off(world, tmp_path, monkeypatch):
    log = install_chromium(tmp_path, monkeypatch, PNG)
    result = world.bundle(tmp_path / "b", screenshot=False)
    assert result.screenshot_message == "screenshot skipped: not asked for"
    assert not (log / "args").exists()


def test_explicit_chromium_not_found(world, tmp_path):
    result = world.bundle(tmp_path / "b", chromium=str(tmp_path / "nowhere" / "chrome"))
    assert result.screenshot_message.startswith("screenshot skipped: no Chromium at ")


# -- SM3 ---------------------------------------------------------------------------------

# GB/T 32905-2016, appendix A: "abc" and "abcd" × 16
SM3_VECTORS = [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]


@pytest.mark.parametrize("implementation", sorted(SM3_IMPLEMENTATIONS))
@pytest.mark.parametrize(("data", "digest"), SM3_VECTORS)
def test_sm3_known_vectors(implementation, data, digest):
    if implementation == "hashlib" and "sm3" not in hashlib.algorithms_available:
        pytest.skip("this Python's OpenSSL has no SM3")
    assert sm3_hex(data, implementation) == digest


# captures whose body warcio's usual reading would not give back byte for byte
ODD_CAPTURES = [
    # a feed file: no final URL, and a file:// URI, for which warcio does not parse the HTTP block
    Capture("file:///feeds/new.csv", "", 200, (), "name\n微众某某\n".encode(), "2026-11-25T01:00:00.000000Z"),
    # the fetcher already undid the chunking the kept headers still name; the body only looks chunked
    Capture("https://x.test/a", "https://x.test/a", 200, (("Transfer-Encoding", "chunked"),),
            b"3\r\nabc\r\n0\r\n\r\n", "2026-11-25T01:00:00.000000Z"),
    # a body that is gzip data itself, under a Content-Encoding the fetcher already undid
    Capture("https://x.test/f.gz", "https://x.test/f.gz", 200, (("Content-Encoding", "gzip"),),
            gzip.compress(b"name\n", mtime=0), "2026-11-25T01:00:00.000000Z"),
]


@pytest.mark.parametrize("capture", ODD_CAPTURES, ids=["file-uri", "looks-chunked", "gzip-body"])
def test_captures_are_read_byte_for_byte(tmp_path, monkeypatch, capture):
    monkeypatch.setenv("PATH", str(tmp_path / "none"))
    archive = CaptureArchive(tmp_path / "captures")
    with Store(tmp_path / "bw.db") as store:
        place = archive.append(capture)
        with store.transaction():
            cid = store.save_capture(capture, *place)
            store.save_hits(store.save_listing(company(OLD), cid).id, [hit()])
        assert verify_store(store, archive, tmp_path / "bw.db") == []
        result = build_bundle(store, archive, 1, tmp_path / "b", db_path=tmp_path / "bw.db", now=NOW)
    assert verify_bundle(result.path) == []
    (kept,) = result.manifest["captures"]
    assert (kept["request_url"], kept["http_status"], kept["body_size"]) == (capture.request_url, 200,
                                                                              len(capture.body))
