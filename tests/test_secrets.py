"""Secrets masked in every encoding, by every writer: the registry, the log filter, the store's connection, and a
real run against servers that echo the keys back, searched afterwards in every file and table.

The encodings searched for are computed here, independently of brandwatch/secrets.py (a form it forgot would
be found, not skipped).
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import logging
import os
import re
import socketserver
import sqlite3
import subprocess
import sys
import threading
import zipfile
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_plus, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from brandwatch import secrets
from brandwatch.captures import CaptureArchive, masked
from brandwatch.cli import main
from brandwatch.logs import JsonFormatter, MaskFilter, install
from brandwatch.models import Capture, Listing
from brandwatch.store import Store

from .alert_servers import RobotServer, ok_json
from .httpserver import Answer, start_server, write_answer

ROOT = Path(__file__).resolve().parent.parent
WL = ROOT / "tests" / "fixtures" / "watchlists"

# keys holding + / = (and one whose base64 does), as real keys and passwords do
QCC_KEY = "qcc+Key/with=Plus+Slash=="
QCC_SECRET = "qcc-?>?-secret??"  # its base64 holds + / and =
TYC_TOKEN = "tyc-Token+/=9f8e7d6c5b4a"
WECOM_KEY = "693a91f6+wecom/key=5f2a8c1d"
DING_TOKEN = "ding+Token/0987=654321"
DING_SECRET = "SEC+5a3ecf88f2b3/eb50db=30ecfc"
HOOK_KEY = "hook+Path/Segment=Key0123456789"
SMTP_PASSWORD = "smtp+Pass/word==9f8e7d"
KEYS = (QCC_KEY, QCC_SECRET, TYC_TOKEN, WECOM_KEY, DING_TOKEN, DING_SECRET, HOOK_KEY, SMTP_PASSWORD)


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def embedded_b64(key: str) -> set[str]:
    """The base64 characters a key yields wherever it sits in a longer encoded text: the characters that are
    the same whether every surrounding byte is 0x00 or 0xff (a character holding any outside bit differs)."""
    out = set()
    for k in range(3):
        low = b64(b"\0" * k + key.encode() + b"\0\0")
        high = b64(b"\xff" * k + key.encode() + b"\xff\xff")
        same = "".join(a if a == b else "\n" for a, b in zip(low, high, strict=True))
        out |= {run for run in same.split("\n") if len(run) >= 6}
    return out


def encodings(key: str) -> set[str]:
    """Every form a key can take in what brandwatch writes: raw, URL-encoded, base64 (alone and inside longer
    base64, standard and URL-safe, with and without padding), JSON- and HTML-escaped."""
    forms = {key, quote(key, safe=""), quote(key), quote_plus(key), json.dumps(key)[1:-1],
             json.dumps(key)[1:-1].replace("/", "\\/"), key.replace("&", "&amp;").replace("<", "&lt;")}
    forms |= {lower_hex(f) for f in forms}
    for encoded in (b64(key), *embedded_b64(key)):
        for f in (encoded, encoded.translate(str.maketrans("+/", "-_"))):
            forms |= {f, f.rstrip("=")}
    return forms


def test_the_planted_keys_are_hard_ones():
    for key in (QCC_KEY, TYC_TOKEN, WECOM_KEY, DING_TOKEN, DING_SECRET, HOOK_KEY, SMTP_PASSWORD):
        assert set("+/=") <= set(key), key
    assert set("+/=") <= set(b64(QCC_SECRET)), b64(QCC_SECRET)


# -- the registry ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_every_form_of_a_key_is_masked(key):
    secrets.register(key)
    for form in sorted(encodings(key)):
        assert secrets.mask(f"<{form}>") == "<***>", form
        assert secrets.mask_bytes(f"<{form}>".encode()) == (b"<***>", 1), form


@pytest.mark.parametrize("prefix", [b"", b"\0", b"\0u\0", b"\0user\0", b"\0alerts@webank.example\0"])
@pytest.mark.parametrize("suffix", [b"", b"\0", b"xy", b"tail of the line"])
def test_a_key_inside_longer_base64_is_masked(prefix, suffix):
    """As SMTP AUTH PLAIN sends it (base64 of \\0user\\0password), at every byte offset."""
    secrets.register(SMTP_PASSWORD)
    line = "535 5.7.8 rejected: AUTH PLAIN " + b64(prefix + SMTP_PASSWORD.encode() + suffix)
    shown = secrets.mask(line)
    assert "***" in shown
    assert not [f for f in encodings(SMTP_PASSWORD) if f in shown]
    # what is left of the secret at either edge is a partial character: at most 5 bits of it
    assert len(shown) >= len("535 5.7.8 rejected: AUTH PLAIN ***")


def _alternate_case_hex(text: str) -> str:
    """%2b%2F%3d%2f…: each escape's hex in the other case from the one before it."""
    flip = iter(range(10**6))
    return re.sub(r"%[0-9A-Fa-f]{2}", lambda m: m.group().lower() if next(flip) % 2 else m.group().upper(), text)


def _mime(key: str, at: int) -> str:
    """A key inside a longer text, base64-encoded and wrapped at 76 characters, the key across a line break."""
    data = b"x" * at + key.encode() + b" and the rest of the message " * 3
    encoded = b64(data)
    return "\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))


ESCAPED = [  # (what, how the key is written) as probes found them unmasked
    ("HTML decimal entities", lambda k: "".join(f"&#{ord(c)};" for c in k)),
    ("HTML hex entities", lambda k: "".join(f"&#x{ord(c):x};" for c in k)),
    ("HTML hex entities, upper case and padded", lambda k: "".join(f"&#X{ord(c):04X};" for c in k)),
    ("HTML entities, every other character", lambda k: "".join(f"&#{ord(c)};" if i % 2 else c
                                                              for i, c in enumerate(k))),
    ("JSON \\u escapes", lambda k: "".join(f"\\u{ord(c):04x}" for c in k)),
    ("JSON \\u escapes, upper-case hex", lambda k: "".join(f"\\u{ord(c):04X}" for c in k)),
    ("percent hex in mixed case", lambda k: _alternate_case_hex(quote(k, safe=""))),
    ("percent-encoded, every character", lambda k: "".join(f"%{b:02x}" for b in k.encode())),
]


@pytest.mark.parametrize("key", [QCC_KEY, SMTP_PASSWORD, "密钥-秘密-口令-12"])
@pytest.mark.parametrize(("what", "write"), ESCAPED, ids=[e[0] for e in ESCAPED])
def test_a_key_escaped_character_by_character_is_masked(key, what, write):
    secrets.register(key)
    form = write(key)
    assert secrets.found_in([f"said: {form} (end)"]), form
    assert secrets.mask(f"said: {form} (end)") == "said: *** (end)", form


@pytest.mark.parametrize("at", range(30, 60))  # the key's 30 base64 characters start at 40 to 80
def test_a_key_in_mime_wrapped_base64_is_masked(at):
    """Base64 as mail wraps it (76 characters a line): the key's characters may fall across a line break."""
    secrets.register(SMTP_PASSWORD)
    text = "535 5.7.8 Error: echoed\r\n" + _mime(SMTP_PASSWORD, at)
    assert secrets.found_in([text])
    shown = secrets.mask(text)
    joined = shown.replace("\r\n", "")
    assert "***" in shown and not [f for f in encodings(SMTP_PASSWORD) if f in joined], shown


def test_an_escaped_look_alike_is_left_alone():
    secrets.register(QCC_KEY)
    text = "&#20247;&#24494; %E5%BE%AE \\u5fae\r\nline two"
    assert not secrets.found_in([text]) and secrets.mask(text) == text


@pytest.mark.parametrize(("value", "registered"), [("short", False), ("   abc   ", False), ("sixsix", True)])
def test_short_values_are_not_secrets(value, registered):
    secrets.register(value)
    assert secrets.active() == registered
    assert (secrets.mask(f"a {value} b") == "a *** b") == registered


def test_a_url_is_registered_with_its_parts():
    secrets.register_url(f"https://qyapi.example/cgi-bin/webhook/send?key={quote_plus(WECOM_KEY)}&x=1")
    secrets.register_url(f"https://open.feishu.example/open-apis/bot/v2/hook/{quote(HOOK_KEY, safe='')}")
    secrets.register_url("http://proxyuser:" + quote(SMTP_PASSWORD, safe="") + "@proxy.example:3128")
    assert secrets.mask(f"send?key={quote_plus(WECOM_KEY)} failed") == "send?key=*** failed"
    assert secrets.mask(f"hook {HOOK_KEY} gone") == "hook *** gone"
    assert secrets.mask(f"login {SMTP_PASSWORD}") == "login ***"
    assert secrets.mask("https://qyapi.example/cgi-bin/other") == "https://qyapi.example/cgi-bin/other"


# -- the writers ----------------------------------------------------------------------------------------------------


def test_log_lines_and_tracebacks_are_masked(tmp_path):
    secrets.register(QCC_KEY)
    out = io.StringIO()
    handler = install(logging.StreamHandler(out))
    json_out = io.StringIO()
    json_handler = logging.StreamHandler(json_out)
    json_handler.setFormatter(JsonFormatter())
    json_handler.addFilter(MaskFilter())
    log = logging.getLogger("brandwatch.test-secrets")
    log.handlers[:] = [handler, json_handler]
    log.propagate = False
    try:
        log.warning("fetch %s failed", f"https://api.example/?key={quote_plus(QCC_KEY)}")
        try:
            raise ValueError(f"the server said {b64(QCC_KEY)}")
        except ValueError:
            log.exception("run failed for %s", QCC_KEY)
    finally:
        log.handlers[:] = []
    text = out.getvalue() + json_out.getvalue()
    assert "https://api.example/?key=***" in text and "the server said ***" in text and "run failed for ***" in text
    assert not [f for f in encodings(QCC_KEY) if f in text]
    assert logging.lastResort is not None and any(isinstance(f, MaskFilter) for f in logging.lastResort.filters)


def test_a_log_record_is_one_line_and_its_traceback_cannot_pass_for_a_record():
    out = io.StringIO()
    handler = install(logging.StreamHandler(out))
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("brandwatch.test-one-line")
    log.handlers[:] = [handler]
    log.propagate = False
    try:
        log.warning("server said %s", "bad\nINFO forged\r\x1b[2K\u2028x")
        try:
            raise ValueError("remote text\nINFO forged in a traceback")
        except ValueError:
            log.exception("the run failed")
    finally:
        log.handlers[:] = []
    lines = out.getvalue().splitlines()
    assert lines[0] == "WARNING server said bad\\nINFO forged\\r\\x1b[2K\\u2028x"
    assert lines[1] == "ERROR the run failed"
    assert all(line.startswith("    ") for line in lines[2:]) and len(lines) > 3, lines  # every traceback line indented
    assert "    ValueError: remote text" in lines


def test_store_writes_are_masked_and_lookups_still_match(tmp_path):
    secrets.register(QCC_KEY)
    url = f"https://api.example/search?key={quote_plus(QCC_KEY)}&q=1"
    capture = Capture(url, url, 200, (("X-Echo", QCC_KEY),), b"{}", "2026-12-01T00:00:00.000000Z")
    with Store(tmp_path / "bw.db") as store:
        run = store.start_run("qcc")
        store.finish_run(run, "failed", message=f"{url}: HTTP 500 ({b64(QCC_KEY)})")
        place = CaptureArchive(tmp_path / "captures").append(capture)
        cid = store.save_capture(capture, *place, run_id=run)
        assert store.find_capture(capture.sha256, url) == cid  # looked up by the URL as fetched: same row
        listing = Listing("qcc", "k1", "company", f"微众银行客服 {QCC_KEY}", url, (("地址", json.dumps(QCC_KEY)),))
        first = store.save_listing(listing, cid)
        again = store.save_listing(listing, cid)
        assert (first.new, again.new, again.changes) == (True, False, ())  # masked alike: not a change each run
        assert store.runs()[0]["message"] == "https://api.example/search?key=***&q=1: HTTP 500 (***)"
        row = store.capture(cid)
        assert (row["request_url"], json.loads(row["headers"])) == ("https://api.example/search?key=***&q=1",
                                                                    [["X-Echo", "***"]])
        assert store.listing(first.id)["name"] == "微众银行客服 ***"
        with store.transaction():
            entry = store.append_audit(None, "张律师", "note", note=f"key was {QCC_KEY}")
    assert entry["note"] == "key was ***"
    from brandwatch.audit import verify_chain

    with Store(tmp_path / "bw.db") as store:
        assert verify_chain(store.audit_entries()) == []  # masked before it was hashed
    assert not scan(tmp_path, [QCC_KEY])


@pytest.mark.parametrize(("body", "count"), [
    (b'{"echo": "' + QCC_KEY.encode() + b'", "b64": "' + b64(QCC_KEY).encode() + b'"}', 2),
    (b"<a href='/next?key=" + quote_plus(QCC_KEY).encode() + b"'>next</a>", 1),
    (b"no secret here", 0),
])
def test_a_capture_is_masked_before_it_is_hashed(body, count):
    secrets.register(QCC_KEY)
    url = f"https://api.example/?key={quote_plus(QCC_KEY)}"
    capture = Capture(url, url, 200, (("Content-Length", str(len(body))), ("X-Echo", QCC_KEY)), body,
                      "2026-12-01T00:00:00.000000Z")
    kept = masked(capture)
    assert kept.request_url == kept.final_url == "https://api.example/?key=***"
    assert kept.body.count(b"***") == count and not scan_bytes(kept.body, [QCC_KEY])
    headers = dict(kept.headers)
    assert headers["X-Echo"] == "***" and headers["Content-Length"] == str(len(kept.body))
    assert ("X-Brandwatch-Masked" in headers) == bool(count)
    if count:
        assert headers["X-Brandwatch-Masked"] == (f"{count} registered secret(s) in the body replaced by *** "
                                                  "before hashing")


def test_nothing_registered_changes_nothing():
    capture = Capture("https://a.example/?key=abcdefgh", "https://a.example/?key=abcdefgh", 200, (), b"abcdefgh", "t")
    assert masked(capture) is capture
    assert secrets.mask("abcdefgh") == "abcdefgh"


# -- searching everything a run leaves behind ----------------------------------------------------------------------


def scan_bytes(data: bytes, keys) -> list[str]:
    return sorted({form for key in keys for form in encodings(key) if form.encode("utf-8") in data})


def scan(root: Path, keys) -> list[str]:
    """Every place under ``root`` holding any encoding of any key: files as bytes, zip (and xlsx) members,
    gzip (WARC) contents, and every value of every table of every SQLite database."""
    found: list[str] = []

    def look(where: str, data: bytes) -> None:
        found.extend(f"{where}: {form!r}" for form in scan_bytes(data, keys))
        if data[:2] == b"\x1f\x8b":
            try:
                look(where + " (gunzipped)", gzip.decompress(data))
            except (OSError, EOFError):
                pass

    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        look(str(path), data)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    look(f"{path}!{name}", z.read(name))
        if data.startswith(b"SQLite format 3\0"):
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                for table in tables:
                    for row in conn.execute(f'SELECT * FROM "{table}"'):
                        for value in row:
                            if isinstance(value, str | bytes):
                                look(f"{path} table {table}", value.encode() if isinstance(value, str) else value)
            finally:
                conn.close()
    return found


def test_the_search_finds_what_it_looks_for(tmp_path):
    """The search itself can fail: a key in a zip member, a gzip member, a table cell and a plain file is found."""
    (tmp_path / "plain.txt").write_text(f"x {lower_hex(quote(QCC_KEY, safe=''))} y")
    with zipfile.ZipFile(tmp_path / "a.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("inner.txt", "AUTH PLAIN " + b64(b"\0user\0" + SMTP_PASSWORD.encode()))
    (tmp_path / "c.warc.gz").write_bytes(gzip.compress(json.dumps({"k": QCC_SECRET}).encode()))
    conn = sqlite3.connect(tmp_path / "t.db")
    conn.execute("CREATE TABLE t (v TEXT)")
    conn.execute("INSERT INTO t VALUES (?)", [f"token {b64(TYC_TOKEN).rstrip('=')}"])
    conn.commit()
    conn.close()
    found = "\n".join(scan(tmp_path, KEYS))
    for where in ("plain.txt", "a.zip!inner.txt", "c.warc.gz (gunzipped)", "t.db table t"):
        assert where in found, found


# -- the hostile servers ---------------------------------------------------------------------------------------------


class EchoServer:
    """Registry APIs that echo the key they were given: in a redirect's Location, headers, the body and errors."""

    def __init__(self) -> None:
        server = self
        self.paths: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.paths.append(self.path)
                write_answer(self, server.answer(self.path, dict(self.headers)))

            def log_message(self, *args: object) -> None:
                pass

        self.httpd, self.url = start_server(Handler)

    def answer(self, path: str, headers: dict[str, str]) -> Answer:
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        key = query.get("key", "")
        if parts.path == "/qcc" and query.get("searchKey") == "微众":
            where = f"/qcc/results?key={quote_plus(key)}&b64={quote(b64(key))}&raw={key}"
            return Answer(302, b"", {"Location": where})
        if parts.path == "/qcc" and query.get("searchKey") == "度小满":
            doc = {"Status": "500", "Message": f"invalid key {key} ({quote(key, safe='')}, {b64(key)})"}
            return ok_json(doc)
        if parts.path == "/qcc/results":
            doc = {"Status": "200", "Message": f"ok for {key}", "Paging": {"PageSize": 20, "TotalRecords": 1},
                   "Result": [{"Name": f"微众银行客服中心 {quote(key, safe='')}", "CreditCode": "91420100MA4K000009",
                               "Address": f"key={key} b64={b64(key)} json={json.dumps(key)}", "KeyNo": "k9"}]}
            return ok_json(doc, headers={"X-Echo-Key": key, "Set-Cookie": f"k={b64(key)}; Path=/"})
        if parts.path == "/tyc":
            token = headers.get("Authorization", "")
            doc = {"error_code": 0, "reason": f"ok {token}", "result": {"total": 1, "items": [
                {"name": f"度小满金融官方客服 {b64(token)}", "creditCode": "91110000MA0000000X", "regNumber": token}]}}
            return ok_json(doc, headers={"X-Echo-Auth": token})
        return Answer(404, f"no such page: {path}".encode())  # the URL, key and all, in the error text

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class EchoAuthSmtp:
    """An SMTP server that refuses every login and echoes the AUTH lines it was sent in its refusal."""

    def __init__(self) -> None:
        self.auth: list[str] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 10

            def handle(self) -> None:
                self.wfile.write(b"220 echo.example ESMTP\r\n")
                sent: list[str] = []
                while line := self.rfile.readline(65536):
                    text = line.decode("ascii", "replace").rstrip("\r\n")
                    verb = text.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.wfile.write(b"250-echo.example\r\n250 AUTH PLAIN LOGIN\r\n")
                    elif verb == "AUTH":
                        sent.append(text)
                        if text.upper().startswith("AUTH LOGIN"):
                            self.wfile.write(b"334 UGFzc3dvcmQ6\r\n")
                            sent.append(self.rfile.readline(65536).decode("ascii", "replace").strip())
                        outer.auth.extend(sent)
                        self.wfile.write(f"535 5.7.8 rejected: {' / '.join(sent)}\r\n".encode())
                    elif verb == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def echo_robot(request) -> Answer:
    """Robots that refuse with the URL (key, token, signature and all) in their answer."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(request.raw_path).query).items()}
    if request.path.startswith("/hook/"):
        return Answer(400, f"bad request for {request.raw_path} ({unquote(request.path)})".encode())
    said = f"invalid webhook url {request.raw_path}: {' '.join(query.values())} [{b64(' '.join(query.values()))}]"
    return ok_json({"errcode": 93000 if "webhook" in request.path else 310000, "errmsg": said})


@pytest.fixture
def servers():
    api, robot, smtp = EchoServer(), RobotServer(), EchoAuthSmtp()
    robot.answer = echo_robot
    yield api, robot, smtp
    api.close()
    robot.close()
    smtp.close()


def test_no_key_survives_a_run_its_alerts_exports_bundles_reports_or_logs(tmp_path, servers, monkeypatch):
    api, robot, smtp = servers
    work = tmp_path / "work"
    (work / "out").mkdir(parents=True)
    env = {"QCC_KEY": QCC_KEY, "QCC_SECRET": QCC_SECRET, "TIANYANCHA_TOKEN": TYC_TOKEN,
           "WECOM_URL": f"{robot.url}/cgi-bin/webhook/send?key={quote_plus(WECOM_KEY)}",
           "DING_URL": f"{robot.url}/robot/send?access_token={quote(DING_TOKEN, safe='')}",
           "DING_SECRET": DING_SECRET, "HOOK_URL": f"{robot.url}/hook/{quote(HOOK_KEY, safe='')}",
           "SMTP_USER": "alerts@webank.example", "SMTP_PASSWORD": SMTP_PASSWORD}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    config = work / "config.yaml"
    config.write_text(yaml.safe_dump({
        "watchlists": str(WL), "database": str(work / "data" / "bw.db"),
        "fetch": {"hosts": {api.url.split("//")[1]: 0}, "max_tries": 1},
        "sources": [
            {"name": "qcc", "type": "qcc", "queries": ["微众", "度小满", "奇富"],
             "options": {"base_url": api.url + "/qcc"}},
            {"name": "tyc", "type": "tianyancha", "queries": ["度小满"], "options": {"base_url": api.url + "/tyc"}},
        ],
        "alerts": {"channels": [
            {"name": "wecom", "type": "wecom", "url_env": "WECOM_URL"},
            {"name": "ding", "type": "dingtalk", "url_env": "DING_URL", "secret_env": "DING_SECRET"},
            {"name": "hook", "type": "webhook", "url_env": "HOOK_URL"},
            {"name": "mail", "type": "smtp", "host": "127.0.0.1", "port": smtp.port, "security": "none",
             "username_env": "SMTP_USER", "password_env": "SMTP_PASSWORD", "sender": "bw@webank.example",
             "to": ["legal@webank.example"], "timeout": 10},
        ]},
    }, allow_unicode=True), encoding="utf-8")

    # the run, as cron runs it, logging to a file
    with open(work / "out" / "run.log", "wb") as log:
        done = subprocess.run([sys.executable, "-m", "brandwatch", "--config", str(config), "run", "--once"],
                              stdout=log, stderr=subprocess.STDOUT, timeout=120, env={**os.environ, **env})
    assert done.returncode == 4  # some queries failed, as planted
    # what the legal team runs afterwards, each command's output kept in a file
    runner = CliRunner()

    def cli(name: str, *args: str) -> None:
        r = runner.invoke(main, ["--config", str(config), *args])
        (work / "out" / name).write_text(r.stdout + r.stderr, encoding="utf-8")

    cli("alerts-test.txt", "alerts", "test", "wecom")
    cli("alerts-send.txt", "alerts", "send")
    cli("outbox.txt", "alerts", "outbox", "--all")
    cli("status.json", "status", "--json")
    cli("status.txt", "status")
    cli("hits.jsonl", "hits", "--json")
    hit_ids = [json.loads(x)["id"] for x in (work / "out" / "hits.jsonl").read_text().splitlines()]
    assert hit_ids
    cli("review.txt", "review", str(hit_ids[0]), "confirmed", "--note", f"the key was {QCC_KEY}", "--by", "张律师")
    for fmt in ("csv", "xlsx", "jsonl"):
        cli(f"export-{fmt}.txt", "export", "-o", str(work / "out" / f"hits.{fmt}"))
    for hit in hit_ids:
        cli(f"evidence-{hit}.txt", "evidence", str(hit), "-o", str(work / "out" / f"hit-{hit}.zip"), "--no-screenshot")
        cli(f"verify-{hit}.txt", "evidence", "verify", str(work / "out" / f"hit-{hit}.zip"))
    week = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%G-W%V")
    cli("report.txt", "report", "--week", week, "-o", str(work / "out" / "reports"))

    # the keys were really echoed, sent and kept (masked): the search below is not vacuous
    assert any(quote_plus(WECOM_KEY) in p for p in robot.raw_paths) and any("sign=" in p for p in robot.raw_paths)
    assert any(e in line for line in smtp.auth for e in embedded_b64(SMTP_PASSWORD))
    assert any("raw=" in p for p in api.paths)
    with Store(work / "data" / "bw.db") as store:
        runs = {r["source"]: r for r in store.runs()}
        outbox = store.outbox(pending_only=False)
        captures = store.captures()
    assert "***" in runs["qcc"]["message"] and runs["tyc"]["outcome"] == "ok"
    assert {m["channel"] for m in outbox if "***" in m["last_error"]} == {"wecom", "ding", "hook", "mail"}
    assert any("X-Brandwatch-Masked" in c["headers"] for c in captures)
    assert "***" in (work / "out" / "run.log").read_text() and "***" in (work / "out" / "alerts-test.txt").read_text()
    assert len(list((work / "out").glob("hit-*.zip"))) == len(hit_ids) and (work / "out" / "hits.xlsx").exists()
    assert all((work / "out" / f"verify-{h}.txt").read_text().startswith("intact") for h in hit_ids)
    assert list((work / "out" / "reports").glob("*.html")) and list((work / "data" / "captures").glob("*.warc.gz"))

    assert scan(work, KEYS) == []


def test_a_bundle_from_an_older_store_is_masked(tmp_path, monkeypatch):
    """A store written by an older brandwatch holds the key: the bundle's record and match are masked as written;
    the capture, whose hash is the evidence, is copied as kept (and still verifies)."""
    from brandwatch.evidence import build_bundle, verify_bundle
    from brandwatch.models import Hit

    monkeypatch.setenv("PATH", str(tmp_path / "no-chromium"))
    url = f"https://api.example/?key={quote_plus(QCC_KEY)}"
    capture = Capture(url, url, 200, (), b"{}", "2026-12-01T00:00:00.000000Z")
    with Store(tmp_path / "bw.db") as store:
        place = CaptureArchive(tmp_path / "captures").append(capture)
        cid = store.save_capture(capture, *place)
        saved = store.save_listing(Listing("qcc", "k1", "company", f"微众客服 {QCC_KEY}", url), cid)
        store.save_hits(saved.id, [Hit("weizhong", "微众", "微众银行", 92, "high", ("contains",), "微众", "…")])
        secrets.register(QCC_KEY)
        result = build_bundle(store, CaptureArchive(tmp_path / "captures"), 1, tmp_path / "b",
                              db_path=tmp_path / "bw.db")
    record = (result.path / "record.json").read_text()
    assert "微众客服 ***" in record and "?key=***" in record
    assert not [f for f in scan(result.path, [QCC_KEY]) if "record.json" in f or "match.json" in f]
    assert verify_bundle(result.path) == []
