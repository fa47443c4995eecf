"""The web workspace in a real headless Chromium (Debian's, driven by Playwright), as a person uses it.

Screenshots of the inbox and a hit page are kept in test-artifacts/ for a person to look at.
`make test` installs chromium when it is missing; without it these tests fail, they are not skipped.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from waitress.server import create_server

from brandwatch.evidence import verify_bundle
from brandwatch.store import Store
from brandwatch.web import create_app

from .webworld import IMG_NAME, PASSWORDS, SCRIPT_NAME, make_workspace

playwright = pytest.importorskip("playwright.sync_api")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    config = make_workspace(tmp_path_factory.mktemp("webui"))
    app = create_app(config)  # Secure cookies: a browser keeps them over plain HTTP on 127.0.0.1
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}", config
    srv.close()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True, locale="zh-CN")
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def sign_in(page, base: str, name: str) -> None:
    page.goto(base + "/")
    assert "/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("form.login button[type=submit]")
    page.wait_for_url(base + "/")


def not_blank(png: Path) -> bool:
    """More than one colour, and the highlight's yellow among them."""
    from PIL import Image

    with Image.open(png) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20) or []
    return len(colours) > 10 and any(rgb == (0xFF, 0xF5, 0x9D) for _, rgb in colours)


def hit_id(config: Path, name: str) -> int:
    with Store(config.parent / "bw.db") as store:
        return next(r.id for r in store.hit_records() if r.listing.name == name)


def test_review_a_hit_from_sign_in_to_bundle(server, page, tmp_path):
    base, _ = server
    sign_in(page, base, "rita")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inbox.png"))
    # filter: the marks of 微众, high severity
    page.select_option("select[name=mark]", ["weizhong"])
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**mark=weizhong**")
    names = page.locator("table.hits td.name-cell > a").all_inner_texts()
    assert "深圳市微眾信息咨询有限公司" in names and "AIipay客服" not in names
    page.click("text=深圳市微眾信息咨询有限公司")
    page.wait_for_url("**/hits/*")
    # the differing character is marked, with its code point
    diff = page.locator("p.big mark.diff")
    title = diff.get_attribute("title")
    assert diff.inner_text() == "眾" and "U+773E" in title and "the mark has 众 (U+4F17" in title
    # the capture is shown, sandboxed, with the hit's row outlined
    frame = page.frame_locator("iframe.capture")
    assert "深圳市微眾信息咨询有限公司" in frame.locator("[data-brandwatch-hit]").inner_text()
    # the frame paints on its own time; under load a first shot can be blank: try for a few seconds
    for _ in range(20):
        page.locator("iframe.capture").screenshot(path=str(ARTIFACTS / "capture.png"))
        if not_blank(ARTIFACTS / "capture.png"):
            break
        page.wait_for_timeout(250)
    assert not_blank(ARTIFACTS / "capture.png")
    page.wait_for_timeout(500)  # a full-page shot resizes the view: let the frame paint again
    page.screenshot(path=str(ARTIFACTS / "hit.png"), full_page=True)
    # confirm with a note
    page.select_option("form.review select[name=status]", "confirmed")
    page.fill("form.review textarea[name=note]", "字号仿冒，已核实 (browser test)")
    page.click("form.review button[type=submit]")
    page.wait_for_selector("p.flash.ok")
    audit = page.locator("table.audit").inner_text()
    assert "rita" in audit and "confirmed" in audit and "字号仿冒，已核实 (browser test)" in audit
    assert "已确认" in page.locator("h1").inner_text()
    # download the evidence bundle and verify it
    with page.expect_download() as info:
        page.click("text=下载证据包 Download the evidence bundle")
    bundle = tmp_path / "bundle.zip"
    info.value.save_as(bundle)
    assert verify_bundle(bundle) == []
    assert page.dialogs == []


def test_a_viewer_cannot_change_a_status(server, page):
    base, config = server
    sign_in(page, base, "vic")
    target = hit_id(config, "AIipay客服")
    page.goto(f"{base}/hits/{target}")
    assert page.locator("form.review").count() == 0
    token = page.locator("header input[name=csrf_token]").get_attribute("value")
    r = page.request.post(f"{base}/hits/{target}/review", form={"status": "confirmed", "csrf_token": token})
    assert r.status == 403
    with Store(config.parent / "bw.db") as store:
        assert store.hit_records(ids=[target])[0].status == "new"


def test_a_form_posted_without_its_token_is_refused(server, page):
    base, config = server
    sign_in(page, base, "rita")
    target = hit_id(config, "微粒贷停息挂账")
    r = page.request.post(f"{base}/hits/{target}/review", form={"status": "confirmed"})
    assert r.status == 400
    with Store(config.parent / "bw.db") as store:
        assert store.hit_records(ids=[target])[0].status == "new"


@pytest.mark.parametrize("name", [SCRIPT_NAME, IMG_NAME])
def test_hostile_names_show_as_text_and_run_nothing(server, page, name):
    base, config = server
    sign_in(page, base, "alice")
    for path in ("/?all=1", f"/hits/{hit_id(config, name)}"):
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert page.locator("img[src=x]").count() == 0
        assert page.locator("script").count() == 0
        assert name in page.locator("body").inner_text()
    assert page.dialogs == []

