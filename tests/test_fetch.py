"""Fetching against a real HTTP server on 127.0.0.1 (no mocks of requests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from brandwatch.errors import Blocked, Deferred, FetchError, RobotsDisallowed
from brandwatch.fetch import Fetcher, FetchPolicy, challenge_reason, decode
from brandwatch.net import Deadline

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


# a challenge script is a wall whatever the status and size (the old check stopped at 50,000 bytes)
BIG_CHALLENGE = b"<html><script>" + b"var _0x1a2b=" + b"'x'+" * 16000 + b"'';document.cookie='__jsl_clearance=1'"
WALLS = [(403, b"Forbidden"), (412, b""), (200, BIG_CHALLENGE), (200, b"<script>acw_sc__v2=1</script>"),
         (200, b"<p>x</p>" * 9000 + b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script>")]


@pytest.mark.parametrize(("status", "body"), WALLS)
def test_walls_are_blocked(server, status, body):
    server.routes["/s"] = [Answer(status, body)]
    with pytest.raises(Blocked):
        quick(max_bytes=1_000_000).fetch(server.url + "/s")
    assert server.log.count("/s") == 1


def test_a_captcha_word_alone_is_left_to_the_parser(server, fetcher):
    # a register may list 安全验证科技有限公司: only a page that fails to parse as a result list is read as a wall
    server.routes["/s"] = [Answer(200, "<li>北京安全验证科技有限公司</li>".encode())]
    assert "安全验证" in fetcher.fetch(server.url + "/s").text
    assert challenge_reason("请完成安全验证 captcha") and not challenge_reason("<div id='app'></div>")
    # an API's error is a key to fix, not a wall to wait out; a challenge script is a wall anywhere
    assert not challenge_reason('{"message": "Access denied: bad key"}')
    assert challenge_reason('{"html": "<script>acw_sc__v2</script>"}')


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
    with pytest.raises(FetchError, match="redirects in a loop"):
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


@pytest.mark.parametrize("key", ["127.0.0.1:{port}", "127.0.0.1", "127.0.0.1 ", "127.0.0.1."])
def test_a_configured_interval_applies_to_its_host_with_or_without_the_port(server, key):
    """fetch.hosts keyed by a host without its port was silently ignored: the limiter looked up host:port."""
    sleeps: list[float] = []
    clock = [100.0]

    def sleep(s: float) -> None:
        sleeps.append(s)
        clock[0] += s

    port = server.url.rsplit(":", 1)[1]
    f = Fetcher(FetchPolicy(default_interval=3.0, host_intervals={key.format(port=port): 7.0}), sleep=sleep)
    f.limiter.clock = lambda: clock[0]
    server.routes["/s"] = [Answer(200, b"ok")]
    for _ in range(3):
        f.fetch(server.url + "/s", respect_robots=False)
    assert sleeps == [7.0, 7.0]


@pytest.mark.parametrize(("chain", "error"), [
    ({"/a": "/b", "/b": "/a"}, "{url}/a: redirects in a loop ({url}/a → {url}/b → {url}/a); the site sends "
                               "brandwatch round in circles: check the source's URL in a browser"),
    ({f"/r{i}": f"/r{i + 1}" for i in range(9)}, "{url}/r0: more than 5 redirects ({url}/r0 → {url}/r1 → … → "
                                                 "{url}/r6); check the source's URL: it may have moved"),
    ({"/c": "/c"}, "{url}/c: redirects in a loop ({url}/c → {url}/c); the site sends brandwatch round in circles: "
                   "check the source's URL in a browser"),
])
def test_redirects_say_whether_they_loop_and_where_they_went(server, fetcher, chain, error):
    for path, target in chain.items():
        server.routes[path] = [Answer(302, headers={"Location": target})]
    start = min(chain)
    with pytest.raises(FetchError) as e:
        fetcher.fetch(server.url + start)
    assert str(e.value) == error.format(url=server.url)


def test_a_page_that_redirects_to_itself_once_is_followed(server, fetcher):
    server.routes["/c"] = [Answer(302, headers={"Location": "/c"}), Answer(200, b"ok")]  # e.g. a cookie, then the page
    assert fetcher.fetch(server.url + "/c").text == "ok"


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


def quick(**kw) -> Fetcher:
    """A fetcher with deadlines of a second or two, no waits between requests, and its sleeps recorded."""
    sleeps: list[float] = []
    policy = dict(default_interval=0, timeout=1.0, deadline=1.0, max_tries=1, backoff=1.0, max_bytes=10_000)
    f = Fetcher(FetchPolicy(**{**policy, **kw}), sleep=sleeps.append, rng=lambda: 0.5)
    f.sleeps = sleeps  # type: ignore[attr-defined]
    return f


# hostile answers: each would hold requests for ever (per-read timeout 1 s, never reached) or fill memory
HOSTILE = [
    ("a body, a byte every 0.3 s", Answer(200, b"x" * 100, drip=0.3), "no complete answer within 1 s"),
    ("the head, a byte every 0.3 s", Answer(200, b"ok", drip=0.3, drip_head=True), "no complete answer within 1 s"),
    ("a body that never ends", Answer(200, endless=True), "over the limit of 10000 bytes"),
    ("a body longer than it says", Answer(200, headers={"Content-Length": "99999999"}), "over the limit of 10000"),
]


@pytest.mark.parametrize(("what", "answer", "says"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_no_answer_outlasts_its_deadline_or_its_byte_cap(server, what, answer, says):
    server.routes["/s"] = [answer]
    with pytest.raises(FetchError, match=says):
        quick(max_tries=3).fetch(server.url + "/s")
    # the server got out only what the deadline (about 5 drips) or the cap (about one chunk) let it
    assert answer.sent[0] < 20 if answer.drip else answer.sent[0] < 10 * 1024 * 1024
    assert server.log.count("/s") == 1  # and is not asked again: it had its whole deadline


def test_a_dripping_robots_txt_is_asked_once_a_run(server):
    server.routes["/robots.txt"] = [Answer(200, b"User-agent: *\nAllow: /\n", drip=0.3)]
    server.routes["/s"] = [Answer(200, b"ok")]
    f = quick()
    for _ in range(3):
        with pytest.raises(FetchError, match=r"robots\.txt: cannot be read \(.*no complete answer within 1 s"):
            f.fetch(server.url + "/s")
    assert server.log.count("/robots.txt") == 1 and "/s" not in server.log


@pytest.mark.parametrize(("retry_after", "budget", "sleeps"), [
    ("3600", 60.0, None),  # an hour, with a minute of budget left: deferred, not slept
    ("3600", None, None),  # no budget: still not slept past backoff_cap
    ("30", 60.0, [30.0]),  # within the budget: waited
    ("Wed, 21 Oct 2015 07:28:00 GMT", 60.0, [0.0]),  # a date gone by: at once
])
def test_retry_after_beyond_the_budget_defers(server, retry_after, budget, sleeps):
    server.routes["/s"] = [Answer(429, headers={"Retry-After": retry_after}), Answer(200, b"ok")]
    f = quick(max_tries=2)
    fetch = lambda: f.fetch(server.url + "/s", budget=Deadline(budget) if budget else None)  # noqa: E731
    if sleeps is None:
        with pytest.raises(Deferred, match=r"wait 3600 s \(Retry-After\)") as e:
            fetch()
        assert e.value.after == 3600 and f.sleeps == []
    else:
        assert fetch().text == "ok" and f.sleeps == sleeps


def test_a_spent_budget_stops_retries(server):
    server.routes["/s"] = [Answer(503)]
    f = quick(max_tries=5, backoff=2.0)
    with pytest.raises(FetchError, match="would pass the source's time budget"):
        f.fetch(server.url + "/s", budget=Deadline(1.0))
    assert server.log.count("/s") == 1 and f.sleeps == []
    with pytest.raises(FetchError, match="time budget ran out"):
        f.fetch(server.url + "/s", budget=Deadline(0))


@pytest.fixture
def other():
    s = LocalServer()
    yield s
    s.close()


@pytest.mark.parametrize(("robots", "followed"), [(b"User-agent: *\nDisallow: /private\n", False),
                                                   (b"User-agent: *\nAllow: /\n", True),
                                                   (None, True)])  # no robots.txt (404): allowed
def test_a_redirect_to_another_origin_asks_that_origins_robots(server, other, robots, followed):
    other.routes["/robots.txt"] = [Answer(200, robots) if robots else Answer(404)]
    other.routes["/private/page"] = [Answer(200, b"<p>elsewhere</p>")]
    server.routes["/s"] = [Answer(302, headers={"Location": other.url + "/private/page"})]
    f = quick()
    if not followed:
        with pytest.raises(RobotsDisallowed, match=rf"redirected to {other.url}/private/page, where robots\.txt"):
            f.fetch(server.url + "/s", headers={"Token": "secret"})
        assert other.log == ["/robots.txt"]
        return
    page = f.fetch(server.url + "/s", headers={"Token": "secret"})
    assert page.text == "<p>elsewhere</p>"
    assert page.capture.request_url == server.url + "/s" and page.capture.final_url == other.url + "/private/page"
    assert other.log == ["/robots.txt", "/private/page"]


def test_a_source_header_never_follows_a_redirect_to_another_origin(server, other):
    other.routes["/api"] = [Answer(200, b"ok")]
    server.routes["/api"] = [Answer(307, headers={"Location": other.url + "/api"})]
    page = quick().fetch(server.url + "/api", headers={"Token": "k3y"}, respect_robots=False)
    assert page.capture.final_url == other.url + "/api"
    assert server.headers[-1]["Token"] == "k3y" and "Token" not in other.headers[-1]
