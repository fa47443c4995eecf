"""`brandwatch demo` (what `make demo` runs): a full offline crawl of a local demo site.

The demo site, served on 127.0.0.1 from bundled data (data/demo_names.csv),
has a registry search (HTML pages, paginated), an app store (JSON in Apple's
search-API shape), a social platform's user search (JSON), and a registry
that answers every search with an anti-bot challenge (HTTP 521). The demo
writes a config pointing at it, runs every source once, and prints the hits
by mark and severity, the blocked source, and where the database is.

The site is gone when the demo ends, so the config it leaves behind keeps the
sources (their names are in the store) but disables them, and its paths are
relative to its own folder. The commands it prints at the end run as printed,
from the folder the demo ran in: the brandwatch executable beside the Python
running the demo (``.venv/bin/brandwatch`` after ``make demo``) and that config.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import shlex
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import click
import yaml

from .config import ConfigSpec
from .models import HitRecord

PER_PAGE = 40
CHALLENGE = (b"<script>var x=\"@challenge@__jsl_clearance@document@cookie\";"
             b"/* written for the brandwatch demo: what the register's anti-bot answer looks like */</script>")


def _rows() -> list[tuple[str, str, str]]:
    text = resources.files("brandwatch.data").joinpath("demo_names.csv").read_text(encoding="utf-8")
    return [(r["id"], r["name"], r["kind"]) for r in csv.DictReader(io.StringIO(text))]


def _leads() -> dict[str, Any]:
    text = resources.files("brandwatch.data").joinpath("demo_leads.json").read_text(encoding="utf-8")
    return json.loads(text)


def _credit_code(i: int) -> str:
    return f"9142{i:014d}"


class _People:
    """Each demo company's legal representative, address and phone: made up, distinct, the same every run;
    the network's members share theirs, as one controller's companies do."""

    def __init__(self, companies: list[tuple[str, str]], leads: dict[str, Any]) -> None:
        net = leads["network"]
        surnames, given, streets = leads["surnames"], leads["given"], leads["streets"]
        self.info: dict[str, dict[str, str]] = {}
        for i, (rid, name) in enumerate(companies):
            if rid in net["members"]:
                self.info[rid] = {"legal": net["person"], "address": net["address"], "tel": net["phone"]}
                continue
            person = surnames[(i * 7) % len(surnames)] + given[(i * 3) % len(given)]
            city = name[:2] if name[:2] in ("北京", "上海", "重庆") else name[: name.find("市") + 1] or "杭州市"
            address = f"{city}{streets[i % len(streets)]}{100 + i}号{1 + i % 20}层"
            self.info[rid] = {"legal": person, "address": address, "tel": f"0{571 + i % 300}-{8800_0000 + i * 37}"}


def _detail_page(rid: str, name: str, code: str, people: _People, companies: dict[str, tuple[int, str]],
                 leads: dict[str, Any]) -> bytes:
    """A registry's company page: the info table, and the legal representative's other companies."""
    info = people.info[rid]
    net = leads["network"]
    rows = []
    if rid in net["members"]:
        hidden = net["hidden"]
        others = [(hidden["name"], hidden["code"], hidden["status"])]
        others += [(companies[m][1], _credit_code(companies[m][0]), "存续") for m in net["members"] if m != rid]
        for other, other_code, status in others:
            rows.append(f'<tr class="row"><td class="name">{html.escape(other)}</td><td class="code">{other_code}</td>'
                        f'<td class="legal">{html.escape(info["legal"])}</td>'
                        f'<td class="address">{html.escape(info["address"])}</td><td class="status">{status}</td></tr>')
    related = (f'<h3>法定代表人其他任职企业</h3><table class="related"><tr><th>企业名称</th><th>统一社会信用代码</th>'
               f'<th>法定代表人</th><th>住所</th><th>状态</th></tr>{"".join(rows)}</table>') if rows else ""
    doc = (f'<html><head><title>{html.escape(name)} - 企业信息</title></head><body><h1>{html.escape(name)}</h1>'
           f'<table class="info"><tr><th>统一社会信用代码</th><td class="code">{code}</td></tr>'
           f'<tr><th>法定代表人</th><td class="legal">{html.escape(info["legal"])}</td></tr>'
           f'<tr><th>住所</th><td class="address">{html.escape(info["address"])}</td></tr>'
           f'<tr><th>联系电话</th><td class="tel">{html.escape(info["tel"])}</td></tr></table>{related}</body></html>')
    return doc.encode("gb18030")


def _registry_page(companies: list[tuple[str, str]], page: int) -> bytes:
    start = (page - 1) * PER_PAGE
    items = []
    for i, (rid, name) in enumerate(companies[start : start + PER_PAGE], start=start):
        code = _credit_code(i)
        items.append(
            f'<div class="result"><a class="name" href="/company/{rid}">{html.escape(name)}</a>'
            f'<span class="code">{code}</span><span class="status">存续</span>'
            f'<span class="date">2025-0{1 + i % 9}-1{i % 10}</span></div>'
        )
    more = start + PER_PAGE < len(companies)
    nxt = f'<a class="next" href="/registry/search?q=x&page={page + 1}">下一页</a>' if more else ""
    doc = f"<html><head><title>企业信息查询</title></head><body>{''.join(items)}{nxt}</body></html>"
    return doc.encode("gb18030")  # like many registry pages: GBK, charset only in <meta>… here not even that


class _DemoSite:
    def __init__(self) -> None:
        rows = _rows()
        self.companies = [(r, n) for r, n, k in rows if k == "company"]
        self.apps = [(r, n) for r, n, k in rows if k == "app"]
        self.accounts = [(r, n) for r, n, k in rows if k == "account"]
        self.leads = _leads()
        self.people = _People(self.companies, self.leads)
        self.by_id = {r: (i, n) for i, (r, n) in enumerate(self.companies)}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                qs = parse_qs(parts.query)
                status, ctype, body = site.answer(parts.path, qs)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def answer(self, path: str, qs: dict[str, list[str]]) -> tuple[int, str, bytes]:
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /admin/\n"
        if path == "/registry/search":
            page = int(qs.get("page", ["1"])[0])
            return 200, "text/html", _registry_page(self.companies, page)
        if path == "/apps/search":
            results = [{"trackName": n, "bundleId": f"cn.demo.{r}", "sellerName": "演示开发者",
                        "artistName": "演示开发者", "trackViewUrl": f"{self.url}/apps/{r}",
                        "releaseDate": "2026-10-01T00:00:00Z"} for r, n in self.apps]
            doc = {"resultCount": len(results), "results": results}
            return 200, "application/json", json.dumps(doc, ensure_ascii=False).encode()
        if path == "/social/search":
            users = [{"mid": int(r.removeprefix("demo")), "uname": n, "usign": "", "fans": 10 + i}
                     for i, (r, n) in enumerate(self.accounts)]
            doc = {"code": 0, "data": {"result": users, "numPages": 1}}
            return 200, "application/json", json.dumps(doc, ensure_ascii=False).encode()
        if path.startswith("/company/") and path.removeprefix("/company/") in self.by_id:
            rid = path.removeprefix("/company/")
            i, name = self.by_id[rid]
            return 200, "text/html", _detail_page(rid, name, _credit_code(i), self.people, self.by_id, self.leads)
        if path == "/social/posts":
            posts = [{**p, "url": f"{self.url}/social/post/{p['id']}"} for p in self.leads["posts"]]
            doc = {"code": 0, "data": {"posts": posts}}
            return 200, "application/json", json.dumps(doc, ensure_ascii=False).encode()
        if path.startswith("/guarded/"):
            return 521, "text/html", CHALLENGE
        return 404, "text/plain", b"not found"

    @contextmanager
    def running(self) -> Iterator[str]:
        thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield self.url
        finally:
            self.httpd.shutdown()
            self.httpd.server_close()


def _from(folder: Path, path: Path) -> str:
    """``path`` as the config in ``folder`` names it: relative when both are in the current folder (the
    repository, after ``make demo``: ``../watchlists``), so the folder can be moved with it; else absolute."""
    here = Path.cwd()
    folder, path = folder.absolute(), path.absolute()
    if folder.is_relative_to(here) and path.is_relative_to(here):
        return os.path.relpath(path, folder)
    return str(path)


def demo_config(url: str, out: Path, watchlists: Path) -> dict:
    """The demo's config: paths relative to ``out``, where it is written (config paths are relative to the
    config file's folder)."""
    host = urlsplit(url).netloc
    return {
        "watchlists": _from(out, watchlists),
        "database": "brandwatch.db",
        "fetch": {"contact": "https://example.invalid/brandwatch-demo", "hosts": {host: 0}, "max_tries": 2},
        "sources": [
            {"name": "demo-registry", "type": "html", "variants": 0, "queries": ["微众"], "options": {
                "url": url + "/registry/search?q={query}", "item": "div.result",
                "fields": {"name": "a.name", "url": "a.name@href", "统一社会信用代码": "span.code",
                           "status": "span.status", "成立日期": "span.date"},
                "key": "统一社会信用代码", "next": "a.next", "pages": 20,
                # each company's own page: its legal representative, address and phone, and the
                # representative's other companies (how a company with no mark in its name is found)
                "detail": {"proof": "table.info", "fields": {"法定代表人": "td.legal", "住所": "td.address",
                                                             "电话": "td.tel"},
                           "related": "table.related tr.row",
                           "related_fields": {"name": "td.name", "统一社会信用代码": "td.code",
                                              "法定代表人": "td.legal", "住所": "td.address",
                                              "status": "td.status"},
                           "related_key": "统一社会信用代码", "pages": 400}}},
            {"name": "demo-appstore", "type": "itunes", "variants": 0, "queries": ["微众"],
             "options": {"base_url": url + "/apps/search"}},
            {"name": "demo-social", "type": "json", "variants": 0, "queries": ["微众"], "options": {
                "url": url + "/social/search?keyword={query}", "items": "data.result", "kind": "account",
                "fields": {"name": "uname", "mid": "mid", "fans": "fans"}, "key": "mid"}},
            {"name": "demo-posts", "type": "json", "variants": 0, "queries": ["微众"], "options": {
                "url": url + "/social/posts?keyword={query}", "items": "data.posts", "kind": "post",
                "fields": {"name": "title", "text": "content", "作者": "author", "url": "url", "id": "id"},
                "key": "id"}},
            {"name": "demo-guarded-registry", "type": "gsxt", "variants": 0, "queries": ["微众"],
             "options": {"url": url + "/guarded/search?searchword={query}"}},
        ],
    }


def shown(path: Path | str) -> str:
    """A path as a person would type it here: relative to the current folder when inside it, else absolute;
    quoted for the shell when it must be."""
    path = Path(path).absolute()
    try:
        text = str(path.relative_to(Path.cwd()))
    except ValueError:
        text = str(path)
    return shlex.quote(text)


def brandwatch_command() -> str:
    """How to run this brandwatch from a shell: the executable beside the running Python (a venv's
    ``.venv/bin/brandwatch``, which need not be on PATH), else ``python -m brandwatch``."""
    exe = Path(sys.executable).parent / "brandwatch"
    if exe.is_file() and os.access(exe, os.X_OK):
        return shown(exe)
    return f"{shown(sys.executable)} -m brandwatch"


DISABLED_NOTE = """\
# Written by `brandwatch demo`. The demo site these sources crawled ran on 127.0.0.1
# only while the demo ran, so they are disabled: `run --once` says none is enabled, and
# `run --once --source NAME` would find the site gone. The database, captures,
# evidence, exports and reports beside this file stay; every path here is
# relative to this file's folder.
"""


def run_demo(out: Path, watchlists: Path) -> None:
    """Serve the demo site, crawl it once into ``out``, print what was found."""
    from .app import build_context, run_once
    from .config import load_config
    from .store import Store

    out.mkdir(parents=True, exist_ok=True)
    # the demo's own folder starts afresh each time, so every run shows the same thing
    import shutil

    for old in out.glob("brandwatch.db*"):
        old.unlink()
    for folder in ("captures", "evidence", "exports", "reports"):
        shutil.rmtree(out / folder, ignore_errors=True)
    site = _DemoSite()
    cfg_path = out / "demo-config.yaml"
    with site.running() as url:
        data = demo_config(url, out, watchlists)
        cfg_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        config = load_config(cfg_path)
        results = run_once(build_context(config, cfg_path))
    for source in data["sources"]:
        source["enabled"] = False
    cfg_path.write_text(DISABLED_NOTE + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    click.echo(f"Crawled the demo site ({url}) once:")
    for r in results:
        extra = f" — {r.message}" if r.outcome != "ok" and r.message else ""
        click.echo(f"  {r.source:22} {r.outcome:8} {r.pages:3} pages {r.listings:4} listings {r.new_hits:3} new hits"
                   f"{extra}")
    blocked = [r.source for r in results if r.outcome == "blocked"]
    with Store(config.database) as store:
        hits = store.hits()
    click.echo(f"\n{len(hits)} hits in the store:")
    by_mark: dict[str, list[dict]] = defaultdict(list)
    for h in hits:
        by_mark[f"{h['mark_id']} ({h['mark']})"].append(h)
    order = {"high": 0, "medium": 1, "low": 2}
    for mark, items in sorted(by_mark.items()):
        sev = Counter(h["severity"] for h in items)
        click.echo(f"\n== {mark}: {len(items)} hit(s): "
                   + ", ".join(f"{sev[s]} {s}" for s in ("high", "medium", "low") if sev[s]))
        for h in sorted(items, key=lambda h: (order[h["severity"]], -h["score"])):
            click.echo(f"  [{h['severity']:6}] {h['score']:3} {h['kind']:7} {h['name']}  ({h['source']})")
            click.echo(f"           {h['rule']}: {h['explanation']}")
    if blocked:
        click.echo(f"\nBlocked (an anti-bot challenge; never solved, never retried): {', '.join(blocked)}")
    top = _demo_workflow(config, out)
    click.echo(f"\nDatabase: {shown(config.database)}\nCaptures: {shown(config.captures_dir)}")
    click.echo("\nNext, from this folder:")
    for line in next_commands(cfg_path, top):
        click.echo(f"  {line}")
    click.echo(f"(or `export BRANDWATCH_CONFIG={shown(cfg_path)}` and leave out --config)")
    password = _demo_user(config)
    click.echo("\nThe web workspace (review hits in a browser; Ctrl-C stops it):")
    click.echo(f"  {brandwatch_command()} --config {shown(cfg_path)} web")
    click.echo(f"  then open http://127.0.0.1:8750/ and sign in as demo, password {password}")
    click.echo(f"  (an admin; the password is also in {shown(out / 'demo-user.txt')})")


def _demo_user(config: Any) -> str:
    """An admin account ``demo`` with a new random password, kept in demo-user.txt (owner-readable only)."""
    import secrets

    from .accounts import add_user
    from .store import Store

    password = secrets.token_hex(8)  # 64 bits; hex so that it never starts with a dash
    with Store(config.database) as store:
        add_user(store, "demo", "admin", password, by="demo")
    note = Path(config.database).parent / "demo-user.txt"
    fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"brandwatch web workspace (demo): user demo, password {password}\n")
    return password


def next_commands(cfg_path: Path, top: HitRecord | None) -> list[str]:
    """What to try after the demo, each a shell command that runs as printed from the current folder."""
    bw = f"{brandwatch_command()} --config {shown(cfg_path)}"
    out = [f"{bw} hits --status new"]
    if top is not None:
        out += [f"{bw} show {top.id}", f"{bw} hits --mark {top.mark_id} --severity high",
                f"{bw} audit log {top.id}", f"{bw} network {top.id}"]
    out += [f"{bw} proposals", f"{bw} hits --rule fake_contact"]
    return [*out, f"{bw} status", f"{bw} report"]


def _demo_workflow(config: ConfigSpec, out: Path) -> HitRecord | None:
    """What the legal team does next, on the demo's store: confirm, bundle the evidence, export, report;
    returns the hit it worked on."""
    from .captures import CaptureArchive
    from .evidence import build_bundle, verify_bundle
    from .export import export_hits
    from .networks import propose_related
    from .report import write_report
    from .report.weeks import current_week
    from .review import review
    from .store import Store

    with Store(config.database) as store:
        top = store.hit_records(severity="high", order="score")
        if not top:
            return None
        members = set(_leads()["network"]["members"])
        ours = {n for r, n, _ in _rows() if r in members}
        companies = [h for h in top if h.listing.kind == "company"]
        # one of the controller's companies (the demo's network), so the next step finds the others
        hit = next((h for h in companies if h.listing.name in ours), companies[0] if companies else top[0])
        review(store, [hit.id], "confirmed", by="demo", note="字号与商标近似，确认仿冒 (demo)")
        related = propose_related(store)  # what `run` does after each crawl, done now for the demo
        fakes = store.hit_records(rule="fake_contact", order="score")
        bundle = build_bundle(store, CaptureArchive(config.captures_dir), hit.id,
                              out / "evidence" / f"hit-{hit.id}.zip", db_path=Path(config.database))
        problems = verify_bundle(bundle.path)
        rows = store.hit_records()
        (out / "exports").mkdir(exist_ok=True)
        for fmt in ("csv", "xlsx"):
            export_hits(rows, fmt, out / "exports" / f"hits.{fmt}")
        files = write_report(store, current_week(), out_dir=out / "reports")  # the demo's data is all from today
    click.echo(f"\nThe legal workflow, on hit {hit.id} ({hit.listing.name}):")
    click.echo("  review:   confirmed by demo, with a note (in the audit log and the hit's notes)")
    click.echo(f"  evidence: {shown(bundle.path)} — {len(bundle.files)} files, SHA-256 and SM3; "
               f"verify: {'intact' if not problems else problems[0]}; {bundle.screenshot_message}")
    click.echo(f"  export:   {shown(out / 'exports' / 'hits.csv')}, {shown(out / 'exports' / 'hits.xlsx')} "
               f"({len(rows)} hits)")
    click.echo(f"  report:   {shown(files.html)} (week {files.week})")
    click.echo(f"\nFake customer-service contacts beside a mark ({len(fakes)} hit(s)):")
    for f in fakes:
        click.echo(f"  hit {f.id} [{f.severity}] {f.listing.kind} 「{f.listing.name}」 ({f.listing.source})")
        click.echo(f"      {f.explanation}")
    click.echo(f"\nRelated to the confirmed imitator, whatever their names ({len(related)} proposal(s)):")
    for r in related:
        click.echo(f"  listing {r.listing_id} 「{r.name}」 — related ({r.mark_id})")
        click.echo(f"      {r.reason}")
    return hit
