"""Fetching against a real HTTP server on 127.0.0.1 (no mocks of requests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from brandwatch.errors import Blocked, FetchError, RobotsDisallowed
from brandwatch.fetch import Fetcher, FetchPolicy, decode

from .httpserver import Answer, LocalServer

CHALLENGE = Path(__file__).resolve().parent.parent.parent / "shared" / "real" / "gsxt" / "jsl_521_challenge_body.html"


@pytest.fixture
def server():
    s = LocalServer()
    s.routes["/robots.txt"] = [Answer(404)]
    yield s
    s.close()


@pytest.fixture
def fetcher():
    sleeps: list[float] = []
    f = Fetcher(FetchPolicy(default_interval=0, timeout=1.0, max_tries=3, backoff=1.0, max_bytes=10_000),
                sleep=sleeps.append, rng=lambda: 0.5)
    f.sleeps = sleeps  # type: ignore[attr-defined]
    return f


def test_ok_with_user_agent_and_capture(server, fetcher):
    server.routes["/s"] = [Answer(200, "<p>微众</p>".encode(), {"Content-Type": "text/html; charset=utf-8"})]
    page = fetcher.fetch(server.url + "/s", params={"q": "微众"})
    assert page.text == "<p>微众</p>" and page.capture.status == 200
    assert page.capture.request_url.endswith("/s?q=%E5%BE%AE%E4%BC%97")
    assert page.capture.fetched_at.endswith("Z") and len(page.capture.sha256) == 64
    assert fetcher.session.headers["User-Agent"].startswith("brandwatch/")


def test_429_honours_retry_after(server, fetcher):
    server.routes["/s"] = [Answer(429, headers={"Retry-After": "7"}), Answer(200, b"ok")]
    assert fetcher.fetch(server.url + "/s").text == "ok"
    assert fetcher.sleeps == [7.0]


def test_500_then_success_backs_off(server, fetcher):
    server.routes["/s"] = [Answer(500), Answer(503), Answer(200, b"ok")]
    assert fetcher.fetch(server.url + "/s").text == "ok"
    assert fetcher.sleeps == [1.0, 2.0]  # exponential, jitter fixed at 1x by rng=0.5


def test_bounded_tries(server, fetcher):
    server.routes["/s"] = [Answer(500)]
    with pytest.raises(FetchError, match=r"failed after 3 tries \(last: HTTP 500\)"):
        fetcher.fetch(server.url + "/s")
    assert server.log.count("/s") == 3


def test_timeout_is_retried(server, fetcher):
    server.routes["/s"] = [Answer(200, b"late", delay=1.5), Answer(200, b"ok")]
    assert fetcher.fetch(server.url + "/s").text == "ok"


def test_521_challenge_is_blocked_and_never_retried(server, fetcher):
    body = CHALLENGE.read_bytes().split(b"\n", 1)[-1] if CHALLENGE.exists() else b"<script>var x='__jsl_clearance'"
    server.routes["/s"] = [Answer(521, body)]
    with pytest.raises(Blocked, match="HTTP 521 JavaScript challenge"):
        fetcher.fetch(server.url + "/s")
    assert server.log.count("/s") == 1 and fetcher.sleeps == []


WALLS = [(403, b"Forbidden"), (412, b""), (200, "请完成安全验证 captcha".encode())]


@pytest.mark.parametrize(("status", "body"), WALLS)
def test_walls_are_blocked(server, fetcher, status, body):
    server.routes["/s"] = [Answer(status, body)]
    with pytest.raises(Blocked):
        fetcher.fetch(server.url + "/s")


def test_robots_disallow(server, fetcher):
    server.routes["/robots.txt"] = [Answer(200, b"User-agent: *\nDisallow: /search\n")]
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch(server.url + "/search?q=x")
    assert "/search?q=x" not in server.log
    server.routes["/api"] = [Answer(200, b"{}")]
    assert fetcher.fetch(server.url + "/api").text == "{}"


def test_paid_api_skips_robots(server, fetcher):
    server.routes["/robots.txt"] = [Answer(200, b"User-agent: *\nDisallow: /\n")]
    server.routes["/api"] = [Answer(200, b"{}")]
    assert fetcher.fetch(server.url + "/api", respect_robots=False).text == "{}"


def test_gbk_page_without_charset_header(server, fetcher):
    html = '<html><head><meta charset="gb2312"></head><body>深圳前海微众银行股份有限公司 镕</body></html>'
    server.routes["/s"] = [Answer(200, html.encode("gb18030"), {"Content-Type": "text/html"})]
    page = fetcher.fetch(server.url + "/s")
    assert "微众银行" in page.text and "镕" in page.text and page.encoding == "gb18030"


def test_malformed_bytes_do_not_crash(server, fetcher):
    server.routes["/s"] = [Answer(200, b"<p>\xff\xfe\x00 broken", {"Content-Type": "text/html; charset=utf-8"})]
    assert "broken" in fetcher.fetch(server.url + "/s").text


def test_oversized_response(server, fetcher):
    server.routes["/big"] = [Answer(200, b"x" * 20_000)]
    with pytest.raises(FetchError, match="over the limit of 10000"):
        fetcher.fetch(server.url + "/big")


def test_redirect_loop(server, fetcher):
    server.routes["/a"] = [Answer(302, headers={"Location": "/b"})]
    server.routes["/b"] = [Answer(302, headers={"Location": "/a"})]
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher.fetch(server.url + "/a")


def test_rate_limit_spaces_requests_per_host(server):
    sleeps: list[float] = []
    clock = [100.0]
    def sleep(s: float) -> None:
        sleeps.append(s)
        clock[0] += s

    f = Fetcher(FetchPolicy(default_interval=3.0), sleep=sleep)
    f.limiter.clock = lambda: clock[0]
    server.routes["/s"] = [Answer(200, b"ok")]
    for _ in range(3):
        f.fetch(server.url + "/s", respect_robots=False)
    assert sleeps == [3.0, 3.0]


@pytest.mark.parametrize(("body", "ctype", "encoding"), [
    ("微众".encode("gbk"), "text/html; charset=GBK", "gb18030"),
    ("微众".encode(), "text/html", "utf-8"),
    (b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' + "微众".encode("gbk"), "", "gb18030"),
])
def test_decode(body, ctype, encoding):
    text, enc = decode(body, ctype)
    assert "微众" in text and enc == encoding


def test_an_endless_robots_txt_is_read_up_to_its_limit_and_obeyed():
    from http.server import BaseHTTPRequestHandler

    from brandwatch.fetch import ROBOTS_MAX

    from .httpserver import start_server

    sent = []

    class Endless(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            if self.path != "/robots.txt":
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                return
            self.send_response(200)  # no length: it goes on until the client hangs up
            self.end_headers()
            try:
                self.wfile.write(b"User-agent: *\nDisallow: /secret\n")
                while sum(sent) < 50 * ROBOTS_MAX:  # a bound for the test itself: 25 MiB
                    self.wfile.write(b"# " + b"x" * 1000 + b"\n")
                    sent.append(1003)
            except (BrokenPipeError, ConnectionResetError):
                pass

    httpd, url = start_server(Endless)
    try:
        f = Fetcher(FetchPolicy(default_interval=0, timeout=2.0, max_tries=1))
        with pytest.raises(RobotsDisallowed):
            f.fetch(url + "/secret")
        assert f.fetch(url + "/open").text == "ok"
        assert sum(sent) < 50 * ROBOTS_MAX  # the client stopped reading long before the server's own bound
    finally:
        httpd.shutdown()
