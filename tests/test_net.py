"""Bounded network I/O (net.py) against real sockets on 127.0.0.1: the watchdog, the byte cap, Retry-After, backoff."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler

import pytest
import requests

from brandwatch.errors import TooLarge, TooSlow
from brandwatch.net import (
    RETRY_AFTER_MAX,
    Deadline,
    Watchdog,
    backoff,
    bounded_session,
    request,
    retry_after,
    watch_socket,
)

from .httpserver import Answer, LocalServer, start_server

NOW = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("value", "seconds"), [
    ("7", 7.0), (" 120 ", 120.0), ("0", 0.0),
    ("Mon, 02 Mar 2026 08:01:00 GMT", 60.0),  # an HTTP date: seconds from now
    ("Mon, 02 Mar 2026 07:00:00 GMT", 0.0),  # gone by: at once
    ("Mon, 02 Mar 2026 08:00:30", 30.0),  # no zone: read as UTC
    ("-5", None), ("soon", None), ("", None), (None, None), ("1.5", None),
    ("\u00b2", None), ("\u0663", None),  # "²" and Arabic-Indic 3: str.isdigit() says yes, float() raised
])
def test_retry_after(value, seconds):
    assert retry_after(value, NOW) == seconds


@pytest.mark.parametrize("value", [
    "1" + "0" * 400,  # float() of it is inf: timedelta(seconds=inf) raised OverflowError in the run
    "9" * 5000,  # past int()'s 4300-digit limit
    "604801",
])
def test_a_huge_retry_after_is_capped_not_an_overflow(value):
    after = retry_after(value, NOW)
    assert after == RETRY_AFTER_MAX.total_seconds()
    assert NOW + timedelta(seconds=after) == NOW + RETRY_AFTER_MAX  # usable as a timedelta: no OverflowError


@pytest.mark.parametrize(("attempt", "first", "cap", "rng", "wait"), [
    (1, 2.0, 300.0, None, 2.0), (2, 2.0, 300.0, None, 4.0), (9, 2.0, 300.0, None, 300.0),
    (10_000, 60.0, 3600.0, None, 3600.0),  # no overflow however many attempts
    (1, 2.0, 300.0, lambda: 0.0, 1.0), (1, 2.0, 300.0, lambda: 0.999, 2.998),  # jitter 0.5x to 1.5x
])
def test_backoff(attempt, first, cap, rng, wait):
    assert backoff(attempt, first=first, cap=cap, rng=rng) == pytest.approx(wait)


def test_the_watchdog_cuts_a_read_that_would_wait_for_ever():
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        sock = socket.create_connection(listener.getsockname(), timeout=30)  # the server never says a word
        with sock, Watchdog(Deadline(0.5)) as dog:
            watch_socket(sock)
            assert sock.recv(1) == b""  # shut down under the read: it returns instead of waiting 30 s
        assert dog.fired
    finally:
        listener.close()


def test_a_finished_block_leaves_its_sockets_alone():
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        sock = socket.create_connection(listener.getsockname(), timeout=5)
        peer, _ = listener.accept()
        with sock, peer:
            with Watchdog(Deadline(0.2)) as dog:
                watch_socket(sock)
            time.sleep(0.4)  # past the deadline, outside the block
            peer.sendall(b"ok")
            assert sock.recv(2) == b"ok" and not dog.fired
    finally:
        listener.close()


@pytest.fixture
def server():
    s = LocalServer()
    yield s
    s.close()


def test_keep_first_cuts_an_endless_body_at_the_cap(server):
    server.routes["/robots.txt"] = [answer := Answer(200, b"Disallow: /\n", endless=True)]
    resp = request(requests.Session(), "GET", server.url + "/robots.txt", deadline=Deadline(5), timeout=1,
                   max_bytes=1000, keep_first=True)
    assert resp.content == (b"Disallow: /\n" * 100)[:1000]
    assert answer.sent[0] < 64 * 1024 * 1024  # the client hung up long before the server's own bound


def test_a_redirect_is_not_read():
    served = []

    class Redirect(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.end_headers()
            try:
                while len(served) < 10_000:  # a redirect whose body never ends
                    self.wfile.write(b"x" * 65536)
                    served.append(1)
            except (BrokenPipeError, ConnectionResetError):
                pass

    httpd, url = start_server(Redirect)
    try:
        resp = request(requests.Session(), "GET", url + "/", deadline=Deadline(5), timeout=1, max_bytes=1000)
        assert resp.is_redirect and resp.headers["Location"] == "/elsewhere" and resp.content == b""
        time.sleep(0.2)  # the server notices the hang-up on its next write
        assert len(served) < 100  # requests alone would have read all 10,000 chunks (640 MiB) into memory
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_kept_alive_connection_is_watched_again_when_reused():
    class KeepAlive(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "40")
            self.end_headers()
            try:
                if self.path == "/fast":
                    self.wfile.write(b"y" * 40)
                    return
                for _ in range(40):  # the second request, on the same connection, drips
                    self.wfile.write(b"y")
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass

    httpd, url = start_server(KeepAlive)
    session = bounded_session()
    try:
        assert request(session, "GET", url + "/fast", deadline=Deadline(5), timeout=1, max_bytes=100).content
        with pytest.raises(TooSlow, match=r"no complete answer within 1 s"):
            request(session, "GET", url + "/slow", deadline=Deadline(1), timeout=1, max_bytes=100)
    finally:
        session.close()
        httpd.shutdown()
        httpd.server_close()


def test_the_cap_names_what_was_read(server):
    server.routes["/big"] = [Answer(200, b"x" * 5000)]
    with pytest.raises(TooLarge, match="the webhook: the answer is 5000 bytes, over the limit of 100"):
        request(requests.Session(), "GET", server.url + "/big", deadline=Deadline(5), timeout=1, max_bytes=100,
                what="the webhook")
