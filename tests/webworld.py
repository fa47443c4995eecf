"""A workspace for the web tests: a config, a store of real matcher hits with captures, and three users."""

from __future__ import annotations

import html
import re
from pathlib import Path

import yaml

from brandwatch import Matcher, load_watchlists
from brandwatch.accounts import add_user
from brandwatch.captures import CaptureArchive
from brandwatch.config import default_risk_terms
from brandwatch.models import Capture, Listing
from brandwatch.store import Store

ROOT = Path(__file__).resolve().parent.parent
WL = ROOT / "tests" / "fixtures" / "watchlists"
PASSWORDS = {"alice": "alice-password-1", "rita": "rita-password-1", "vic": "vic-password-1"}
ROLES = {"alice": "admin", "rita": "reviewer", "vic": "viewer"}
SCRIPT_NAME = "微众<script>alert('xss')</script>科技有限公司"
IMG_NAME = '"><img src=x onerror=alert(1)>微众金融服务有限公司'
NAMES = [
    "湖北微众森态信息科技集团有限公司",
    "深圳市微眾信息咨询有限公司",
    SCRIPT_NAME,
    IMG_NAME,
    "AIipay客服",
    "花\u200b呗分期",
    "招商银行信用卡协商中心",
    "微粒贷停息挂账",
]


def result_page(names: list[str]) -> bytes:
    rows = "".join(f"<tr><td><a href='/c/{i}'>{html.escape(n)}</a></td><td>存续</td></tr>"
                   for i, n in enumerate(names))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>查询结果</title>"
            f"<script>document.title='ran'</script></head><body><table id='results'>{rows}</table>"
            f"<img src='http://127.0.0.1:9/beacon.png'></body></html>").encode()


def make_workspace(root: Path, extra: int = 0) -> Path:
    """The config path of a workspace under ``root``; ``extra`` adds that many more plain hits."""
    root.mkdir(parents=True, exist_ok=True)
    config = root / "config.yaml"
    config.write_text(yaml.safe_dump({"watchlists": str(WL), "database": str(root / "bw.db")}), encoding="utf-8")
    matcher = Matcher(load_watchlists(WL), default_risk_terms())
    archive = CaptureArchive(root / "captures")
    url = "https://registry.example.test/search?q=微众"
    capture = Capture(url, url, 200, (("Content-Type", "text/html; charset=utf-8"),), result_page(NAMES),
                      "2026-12-01T02:00:00.000000Z")
    with Store(root / "bw.db") as store:
        run = store.start_run("registry")
        cid = store.save_capture(capture, *archive.append(capture), run_id=run)
        for i, name in enumerate(NAMES + [f"微众{i}号信息咨询有限公司" for i in range(extra)]):
            kind = "company" if "公司" in name or "中心" in name else "app"
            listing = Listing("registry", f"K{i:06d}", kind, name, f"https://registry.example.test/c/{i}",
                              (("统一社会信用代码", f"9142{i:014d}"), ("法定代表人", "王某")))
            hits = matcher.match(name, kind)
            assert hits or i >= len(NAMES), f"the matcher should find {name!r}"
            lid = store.save_listing(listing, cid).id
            store.save_hits(lid, hits)
        store.finish_run(run, "ok", pages=1, listings=len(NAMES) + extra)
        for name, role in ROLES.items():
            add_user(store, name, role, PASSWORDS[name], by="test")
    return config


def csrf_token(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m, "the page has no CSRF token"
    return m.group(1)
