"""The web workspace through Flask's test client: sign-in, roles, CSRF, escaping, filters, actions.

The same flows in a real browser are in test_web_browser.py.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from click.testing import CliRunner

from brandwatch.accounts import ROLES, add_user, authenticate, set_user
from brandwatch.cli import main
from brandwatch.errors import AccountError
from brandwatch.evidence import verify_bundle
from brandwatch.store import Store
from brandwatch.web import create_app
from brandwatch.web.present import name_segments

from .webworld import IMG_NAME, PASSWORDS, SCRIPT_NAME, csrf_token, make_workspace


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("web"))


@pytest.fixture
def app(config):
    app = create_app(config, secure_cookies=False, chromium="/nonexistent/chromium")
    app.config["TESTING"] = True
    return app


def signed_in(app, name: str):
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"name": name, "password": PASSWORDS[name], "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def token_of(client, path: str = "/") -> str:
    return csrf_token(client.get(path).get_data(as_text=True))


def hit_id(config, name: str) -> int:
    with Store(config.parent / "bw.db") as store:
        return next(r.id for r in store.hit_records() if r.listing.name == name)


@pytest.mark.parametrize("path", ["/", "/hits/1", "/hits/1/captures/1", "/reports", "/status", "/watchlists",
                                  "/marks/weizhong/variants", "/admin/users", "/export?format=csv"])
def test_every_page_needs_sign_in(app, path):
    r = app.test_client().get(path)
    assert r.status_code == 302 and "/login" in r.headers["Location"]


@pytest.mark.parametrize(("name", "password", "ok"), [
    ("alice", PASSWORDS["alice"], True),
    ("alice", "wrong-password", False),
    ("nobody", "whatever-pass", False),
    ("ALICE", PASSWORDS["alice"], False),
])
def test_sign_in(app, name, password, ok):
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    assert (r.status_code == 302) is ok
    assert (client.get("/").status_code == 200) is ok


def test_session_cookie_flags(config):
    app = create_app(config)  # the default: Secure
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"name": "vic", "password": PASSWORDS["vic"], "csrf_token": token})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_sign_in_is_rate_limited(app):
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    codes = [client.post("/login", data={"name": "alice", "password": "nope-nope-1", "csrf_token": token}).status_code
             for _ in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    # the right password is refused too while the limit holds
    r = client.post("/login", data={"name": "alice", "password": PASSWORDS["alice"], "csrf_token": token})
    assert r.status_code == 429


def test_successful_sign_ins_do_not_count_against_the_limit(app):
    """The limit is for guessing: a team signing in and out from one office address must not be locked out."""
    client = app.test_client()
    for _ in range(12):
        token = csrf_token(client.get("/login").get_data(as_text=True))
        r = client.post("/login", data={"name": "vic", "password": PASSWORDS["vic"], "csrf_token": token})
        assert r.status_code == 302
        client.post("/logout", data={"csrf_token": token_of(client)})
    token = csrf_token(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"name": "vic", "password": "wrong-password", "csrf_token": token})
    assert r.status_code == 401  # the first failure, not the 13th attempt


@pytest.mark.parametrize(("headers", "code"), [
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": "null"}, 403),
    ({"Referer": "http://evil.example/page"}, 403),
    ({"Origin": "http://evil.example", "Referer": "http://localhost/"}, 403),  # Origin decides when sent
    ({"Origin": "http://localhost"}, 302),
    ({"Origin": "https://localhost:8443"}, 302),  # the same host behind a TLS proxy on another port
    ({"Referer": "http://localhost/hits/1"}, 302),
    ({}, 302),  # neither sent (some privacy settings): the CSRF token still guards it
])
def test_a_post_from_another_origin_is_refused(app, headers, code):
    client = signed_in(app, "rita")
    r = client.post("/logout", data={"csrf_token": token_of(client)}, headers=headers)  # changes no shared state
    assert r.status_code == code, r.get_data(as_text=True)
    if code == 403:
        assert "另一个网站 another site" in r.get_data(as_text=True)
        assert client.get("/").status_code == 200  # still signed in: the POST did nothing


def test_a_sign_in_from_another_origin_is_refused(app):
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"name": "vic", "password": PASSWORDS["vic"], "csrf_token": token},
                    headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and client.get("/").status_code == 302  # not signed in


def test_a_post_without_its_csrf_token_is_refused(app, config):
    client = signed_in(app, "rita")
    target = hit_id(config, "微粒贷停息挂账")
    r = client.post(f"/hits/{target}/review", data={"status": "confirmed", "note": "no token"})
    assert r.status_code == 400 and "安全令牌" in r.get_data(as_text=True)
    r = client.post(f"/hits/{target}/review", data={"status": "confirmed", "csrf_token": "forged"})
    assert r.status_code == 400
    with Store(config.parent / "bw.db") as store:
        assert store.hit_records(ids=[target])[0].status == "new"
        assert store.audit_entries(target) == []


@pytest.mark.parametrize(("user", "path", "data", "code"), [
    ("vic", "/hits/{id}/review", {"status": "confirmed"}, 403),
    ("vic", "/hits/review", {"ids": "{id}", "status": "dismissed"}, 403),
    ("vic", "/hits/{id}/bundle", {}, 403),
    ("vic", "/admin/users", {"action": "add", "name": "eve", "role": "admin", "password": "x" * 12}, 403),
    ("rita", "/admin/users", {"action": "add", "name": "eve", "role": "admin", "password": "x" * 12}, 403),
    ("rita", "/admin/watchlists/webank.yaml", {"text": "owner: x\nmarks: []\n"}, 403),
])
def test_roles_refuse_what_they_may_not_do(app, config, user, path, data, code):
    client = signed_in(app, user)
    target = hit_id(config, "深圳市微眾信息咨询有限公司")
    data = {k: v.format(id=target) for k, v in data.items()}
    r = client.post(path.format(id=target), data={**data, "csrf_token": token_of(client)})
    assert r.status_code == code
    with Store(config.parent / "bw.db") as store:
        assert store.hit_records(ids=[target])[0].status == "new"
        assert store.user("eve") is None


def test_a_viewer_sees_no_review_form(app, config):
    page = signed_in(app, "vic").get(f"/hits/{hit_id(config, 'AIipay客服')}").get_data(as_text=True)
    assert "处理 Review" not in page and 'name="ids"' not in page


def test_no_get_changes_anything(app, config):
    client = signed_in(app, "alice")
    target = hit_id(config, "花\u200b呗分期")
    for path in (f"/hits/{target}/review?status=confirmed", f"/hits/review?ids={target}&status=dismissed",
                 f"/hits/{target}/bundle", "/logout"):
        assert client.get(path).status_code == 405
    with Store(config.parent / "bw.db") as store:
        assert store.hit_records(ids=[target])[0].status == "new"


@pytest.mark.parametrize("name", [SCRIPT_NAME, IMG_NAME])
def test_crawled_names_are_escaped_everywhere(app, config, name):
    client = signed_in(app, "alice")
    target = hit_id(config, name)
    for path in ("/?all=1", f"/hits/{target}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page or "&lt;img src=x onerror" in page


def test_pages_carry_a_strict_policy(app, config):
    client = signed_in(app, "vic")
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["X-Frame-Options"] == "DENY"


def test_a_capture_is_sandboxed_and_its_row_marked(app, config):
    client = signed_in(app, "vic")
    target = hit_id(config, "湖北微众森态信息科技集团有限公司")
    page = client.get(f"/hits/{target}").get_data(as_text=True)
    src = re.search(r'<iframe class="capture" sandbox="" [^>]*src="([^"#]+)', page).group(1)
    r = client.get(src)
    csp = r.headers["Content-Security-Policy"]
    assert csp.startswith("sandbox;") and "default-src 'none'" in csp and "script-src" not in csp
    body = r.get_data(as_text=True)
    assert "<script" not in body and not re.search(r'\ssrc="http', body)  # nothing to fetch
    assert 'data-captured-src="http://127.0.0.1:9/beacon.png"' in body  # the address stays readable
    marked = re.search(r'<tr[^>]*data-brandwatch-hit="1"[^>]*>(.*?)</tr>', body, re.S)
    assert marked and "湖北微众森态信息科技集团有限公司" in marked.group(1)


def test_a_capture_of_another_hit_is_not_served(app, config):
    client = signed_in(app, "vic")
    assert client.get("/hits/1/captures/999").status_code == 404
    assert client.get("/hits/99999").status_code == 404


@pytest.mark.parametrize(("query", "expect", "absent"), [
    ("severity=high", "招商银行信用卡协商中心", None),
    ("mark=alipay", "AIipay客服", "湖北微众森态"),
    ("rule=lookalike", "AIipay客服", "湖北微众森态"),
    ("kind=app", "AIipay客服", "湖北微众森态"),
    ("source=registry&mark=weizhong", "湖北微众森态", "AIipay客服"),
])
def test_inbox_filters(app, query, expect, absent):
    page = signed_in(app, "vic").get(f"/?{query}").get_data(as_text=True)
    assert expect in page
    if absent:
        assert absent not in page


@pytest.mark.parametrize(("query", "says"), [
    ("status=nosuch", "status 'nosuch' is not known; the status values are: new, confirmed"),
    ("mark=nosuch", "mark 'nosuch' is not known; the mark values are: "),
    ("since=yesterday", "since yesterday: not a date; write it like 2026-11-01"),
])
def test_inbox_refuses_unknown_filter_values(app, query, says):
    r = signed_in(app, "vic").get(f"/?{query}")
    assert r.status_code == 400 and says in r.get_data(as_text=True).replace("&#39;", "'")


def test_review_writes_the_audit_log_under_the_signed_in_user(app, config):
    client = signed_in(app, "rita")
    target = hit_id(config, "深圳市微眾信息咨询有限公司")
    r = client.post(f"/hits/{target}/review", data={"status": "confirmed", "note": "仿冒字号，已核实",
                                                    "assignee": "rita", "tags": "wuhan, priority",
                                                    "csrf_token": token_of(client)})
    assert r.status_code == 302
    page = client.get(f"/hits/{target}").get_data(as_text=True)
    assert "仿冒字号，已核实" in page and "已确认" in page
    with Store(config.parent / "bw.db") as store:
        entries = store.audit_entries(target)
        row = store.hit_records(ids=[target])[0]
    assert [(e["actor"], e["action"], e["new"]) for e in entries] == [
        ("rita", "status", "confirmed"), ("rita", "assign", "rita"), ("rita", "tags", "wuhan,priority")]
    assert entries[0]["note"] == "仿冒字号，已核实" and row.tags == ("wuhan", "priority")


def test_a_move_the_workflow_refuses_is_an_error_page(app, config):
    client = signed_in(app, "rita")
    target = hit_id(config, "微粒贷停息挂账")
    r = client.post(f"/hits/{target}/review", data={"status": "judgment", "csrf_token": token_of(client)})
    assert r.status_code == 400 and "cannot become judgment" in r.get_data(as_text=True)


def test_bulk_review(app, config):
    client = signed_in(app, "rita")
    ids = [hit_id(config, n) for n in ("招商银行信用卡协商中心", "花\u200b呗分期")]
    r = client.post("/hits/review", data={"ids": [str(i) for i in ids], "status": "dismissed", "note": "批量",
                                          "csrf_token": token_of(client), "back": "/?all=1"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/?all=1")
    with Store(config.parent / "bw.db") as store:
        assert {r.status for r in store.hit_records(ids=ids)} == {"dismissed"}


def test_bundle_download_verifies(app, config, tmp_path):
    client = signed_in(app, "rita")
    target = hit_id(config, "湖北微众森态信息科技集团有限公司")
    r = client.post(f"/hits/{target}/bundle", data={"csrf_token": token_of(client)})
    assert r.status_code == 200 and r.mimetype == "application/zip"
    out = tmp_path / "bundle.zip"
    out.write_bytes(r.data)
    assert verify_bundle(out) == []
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(r.data)).namelist()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_export_with_the_filters(app, fmt):
    r = signed_in(app, "rita").get(f"/export?format={fmt}&mark=alipay&all=1")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment;")
    if fmt != "xlsx":
        text = r.data.decode("utf-8-sig")
        assert "AIipay客服" in text and "湖北微众森态" not in text


def test_check_a_name_and_variants(app):
    client = signed_in(app, "vic")
    page = client.get("/watchlists?name=微衆科技有限公司&kind=company").get_data(as_text=True)
    assert "weizhong" in page or "微众" in page
    assert "traditional" in page
    assert "「北京饭店」不近似任何商标" in client.get("/watchlists?name=北京饭店").get_data(as_text=True)
    assert "微中" in client.get("/marks/weizhong/variants").get_data(as_text=True)


def test_admin_manages_users(app, config):
    client = signed_in(app, "alice")
    r = client.post("/admin/users", data={"action": "add", "name": "bob", "role": "viewer",
                                          "password": "bob-password-1", "csrf_token": token_of(client)})
    assert r.status_code == 302
    r = client.post("/admin/users", data={"action": "disable", "name": "bob", "csrf_token": token_of(client)})
    with Store(config.parent / "bw.db") as store:
        assert store.user("bob")["disabled_at"]
        assert authenticate(store, "bob", "bob-password-1") is None


def test_a_disabled_user_is_signed_out_at_once(app, config):
    with Store(config.parent / "bw.db") as store:
        add_user(store, "carol", "reviewer", "carol-password-1")
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"name": "carol", "password": "carol-password-1", "csrf_token": token})
    assert client.get("/").status_code == 200
    with Store(config.parent / "bw.db") as store:
        set_user(store, "carol", disabled=True)
    assert client.get("/").status_code == 302


def test_admin_edits_a_watchlist_only_when_it_loads(app, config, tmp_path):
    client = signed_in(app, "alice")
    page = client.get("/admin/watchlists/qifu.yaml").get_data(as_text=True)
    assert "奇富" in page
    r = client.post("/admin/watchlists/qifu.yaml", data={"text": "owner: x\nmarks: [{id: weizhong, name: 微众}]\n",
                                                          "csrf_token": token_of(client)})
    assert r.status_code == 400 and "already used" in r.get_data(as_text=True)
    assert client.get("/admin/watchlists/../config.yaml").status_code == 404


@pytest.mark.parametrize(("name", "role", "password", "says"), [
    ("bad name", "viewer", "long-enough-1", "use 1 to 64 letters"),
    ("dave", "root", "long-enough-1", "role 'root' is not one of viewer, reviewer, admin"),
    ("dave", "viewer", "short", "use at least 10"),
    ("alice", "viewer", "long-enough-1", "exists"),
])
def test_account_errors(config, name, role, password, says):
    with Store(config.parent / "bw.db") as store, pytest.raises(AccountError, match=says):
        add_user(store, name, role, password)


def test_passwords_are_kept_as_argon2_hashes(config):
    with Store(config.parent / "bw.db") as store:
        row = store.user("alice")
    assert row["password_hash"].startswith("$argon2id$") and PASSWORDS["alice"] not in row["password_hash"]


def test_users_cli(config):
    runner = CliRunner()
    r = runner.invoke(main, ["--config", str(config), "users", "add", "erin", "--role", "reviewer",
                             "--password-stdin"], input="erin-password-1\n")
    assert r.exit_code == 0 and r.output == "added erin (reviewer)\n"
    r = runner.invoke(main, ["--config", str(config), "users", "add", "erin", "--role", "reviewer",
                             "--password-stdin"], input="erin-password-1\n")
    assert r.exit_code == 2 and "Error: user 'erin' exists" in r.output
    r = runner.invoke(main, ["--config", str(config), "users", "set", "erin", "--role", "admin"])
    assert r.exit_code == 0 and r.output == "updated erin (admin)\n"
    r = runner.invoke(main, ["--config", str(config), "users", "list"])
    assert "erin\tadmin\tactive" in r.output


def test_roles_are_ordered():
    assert ROLES == ("viewer", "reviewer", "admin")


@pytest.mark.parametrize(("name", "span", "term", "kinds"), [
    ("AIipay客服", "AIipay", "Alipay", [("A", "same"), ("I", "diff"), ("ipay客服", "same")]),
    ("花\u200b呗分期", "花\u200b呗", "花呗", [("花", "same"), ("U+200B", "invisible"), ("呗分期", "same")]),
    ("深圳市微眾信息", "微眾", "微众", [("深圳市微", "same"), ("眾", "diff"), ("信息", "same")]),
    ("\u0410lipay", "\u0410lipay", "Alipay", [("\u0410", "diff"), ("lipay", "same")]),
    ("xx\u0430bc", "", "", [("xx", "same"), ("\u0430", "foreign"), ("bc", "same")]),
])
def test_name_segments(name, span, term, kinds):
    assert [(s.text, s.kind) for s in name_segments(name, span, term)] == kinds


def test_allowlisting_is_undone_from_the_hit_page(app, config):
    client = signed_in(app, "rita")
    target = hit_id(config, "湖北微众森态信息科技集团有限公司")
    client.post(f"/hits/{target}/review", data={"status": "allowlisted", "note": "我方子公司",
                                                "csrf_token": token_of(client)})
    page = client.get(f"/hits/{target}").get_data(as_text=True)
    assert "从白名单移除 Remove from the allow list" in page
    assert "湖北微众森态信息科技集团有限公司" in client.get("/watchlists").get_data(as_text=True)
    r = client.post("/allow/remove", data={"target": str(target), "back": f"/hits/{target}",
                                           "csrf_token": token_of(client)})
    assert r.status_code == 302 and r.headers["Location"] == f"/hits/{target}"
    with Store(config.parent / "bw.db") as store:
        assert store.allow_rows() == []
        assert store.hit_records(ids=[target])[0].status == "new"
        assert [e["actor"] for e in store.audit_entries(target)][-1] == "rita"
    # the check box reports the name again
    page = signed_in(app, "vic").get("/watchlists?name=湖北微众森态信息科技集团有限公司").get_data(as_text=True)
    assert "不近似任何商标" not in page


def test_status_page_shows_a_deferred_source(tmp_path):
    import yaml

    config = make_workspace(tmp_path / "ws")
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["sources"] = [{"name": "registry", "type": "itunes", "enabled": True, "options": {"country": "cn"}}]
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    from datetime import UTC, datetime, timedelta

    until = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")  # within the 7-day cap
    with Store(tmp_path / "ws" / "bw.db") as store:
        run = store.start_run("registry")
        store.finish_run(run, "deferred", message="the site asked for 3600 s", deferred_until=until)
    app = create_app(config, secure_cookies=False)
    page = signed_in(app, "vic").get("/status").get_data(as_text=True)
    assert "推迟至 Deferred until" in page and f'datetime="{until}"' in page


@pytest.mark.parametrize(("target", "goes"), [
    ("/hits/3", "/hits/3"),
    ("/?status=new&mark=weizhong", "/?status=new&mark=weizhong"),
    ("//evil.example/x", "/"),
    ("/\\evil.example/x", "/"),
    ("/%5Cevil.example", "/"),
    ("/%2F%2Fevil.example", "/"),
    ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("/\x09/evil.example", "/"),
    ("/\x7f/evil.example", "/"),
    ("/%2F\uff0fevil.example/", "/"),  # a full-width solidus: urlsplit raised ValueError, a 500 after sign-in
    ("//%EF%BC%8Fevil.example/", "/"),
    ("/%252F%252Fevil.example", "/"),  # decoded twice (a proxy in front may decode once more)
    ("/hits/3?q=%E5%BE%AE%E4%BC%97", "/hits/3?q=%E5%BE%AE%E4%BC%97"),
])
def test_sign_in_never_redirects_off_the_site(app, target, goes):
    from urllib.parse import quote

    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    r = client.post(f"/login?next={quote(target, safe='')}", data={"name": "vic", "password": PASSWORDS["vic"],
                                                                  "csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"] == goes


@pytest.mark.parametrize("raw", ["/%09/evil.example/", "%09//evil.example/", "/%0d%0a/evil.example/",
                                 "%20//evil.example/", "/%5C/evil.example/", "/%2509/evil.example/"])
def test_the_probes_next_never_leaves_the_site(app, raw):
    """The query string exactly as the probe sent it (not re-quoted): after sign-in, Location stays here."""
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    r = client.post(f"/login?next={raw}", data={"name": "vic", "password": PASSWORDS["vic"], "csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_a_huge_capture_is_shown_around_the_name_only():
    from brandwatch.capture_view import EXCERPT, MAX_RENDER, render_capture

    body = ("x,y\n" * (MAX_RENDER // 4) + "深圳市微眾信息咨询有限公司,1\n" + "z,w\n" * 1000).encode()
    view = render_capture(body, "text/csv; charset=utf-8", "深圳市微眾信息咨询有限公司")
    page = view.page.decode()
    assert view.marked and len(page) < 3 * EXCERPT + 2000
    assert f"This capture is {len(body):,} bytes" in page and 'data-brandwatch-hit="1">深圳市微眾' in page
