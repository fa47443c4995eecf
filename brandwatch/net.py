"""Bounded network I/O, shared by fetching (pages, robots.txt, APIs) and alerts (webhooks, SMTP).

The timeouts of requests and smtplib bound each socket read, not an answer: a
server that sends one byte every half second never trips them and holds the
caller for ever. Here every exchange has a wall-clock :class:`Deadline` and
every body a byte cap:

- :class:`Watchdog` shuts down the sockets opened or used inside it when its
  deadline passes, whatever the code is blocked in (connecting, TLS, headers,
  a body, an SMTP reply); the blocked read then returns at once.
- :func:`request` sends one HTTP request through a session that reports its
  sockets to the watchdog (:func:`bounded_session`), then reads the body in
  small pieces, each socket read given no more than the time left, the
  deadline checked between pieces, and stops at the byte cap: an error, or for
  robots.txt the first bytes kept. A body cut short by the watchdog is never
  taken for a whole one.
- :func:`retry_after` reads a ``Retry-After`` header (at most
  :data:`RETRY_AFTER_MAX`, 7 days) and :func:`backoff` is the exponential
  backoff: the only copies in brandwatch, used by fetching and by the alert
  outbox.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .errors import TooLarge, TooSlow

CHUNK = 65536  # the most one read asks for; a read returns as soon as any bytes arrive
# The longest brandwatch waits because someone said so: a Retry-After is cut here (a source deferred, an
# alert throttled), and a blocked source's pause doubles up to it (app.PAUSE_MAX). A week: long enough for a
# site's maintenance or a ban to lift, short enough that a broken header cannot silence a source for good.
RETRY_AFTER_MAX = timedelta(days=7)


class Deadline:
    """A point in monotonic time; ``left()`` is what remains of it."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self.clock = seconds, clock
        self.end = clock() + seconds

    def left(self) -> float:
        return max(0.0, self.end - self.clock())

    @property
    def expired(self) -> bool:
        return self.left() <= 0

    def within(self, seconds: float) -> Deadline:
        """This deadline, or ``seconds`` from now if that comes first."""
        sooner = Deadline(seconds, clock=self.clock)
        if self.end < sooner.end:
            sooner.end, sooner.seconds = self.end, self.left()
        return sooner


_local = threading.local()


def _identity(fd: int) -> tuple[int, int, int]:
    st = os.fstat(fd)
    return fd, st.st_dev, st.st_ino


def _shut(fd: int, dev: int, inode: int) -> None:
    """Shut down the connection on ``fd`` if it is still the socket we saw (the number may have been reused)."""
    try:
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (dev, inode):
            return
        sock = socket.socket(fileno=fd)  # borrowed: shut down, never closed here (its owner closes it)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.detach()
    except OSError:
        pass  # already closed: nothing to stop


class Watchdog:
    """``with Watchdog(deadline):`` the sockets the block opens or uses are shut down when the deadline passes.

    Sockets are kept by file descriptor, so one wrapped in TLS later (STARTTLS, HTTPS) is the
    same socket; ``fired`` says whether the deadline cut the block short.
    """

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.fired = False
        self._sockets: list[tuple[int, int, int]] = []
        self._lock = threading.Lock()
        self._done = False
        self._outer: Watchdog | None = None
        self._timer: threading.Timer | None = None

    def __enter__(self) -> Watchdog:
        self._outer = getattr(_local, "watchdog", None)
        _local.watchdog = self
        self._timer = threading.Timer(self.deadline.left(), self._fire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._timer is not None
        self._timer.cancel()
        with self._lock:
            self._done = True
        _local.watchdog = self._outer

    def add(self, sock: socket.socket) -> None:
        try:
            fd = sock.fileno()
            key = _identity(fd) if fd >= 0 else None
        except OSError:
            key = None
        dog: Watchdog | None = self
        while dog is not None and key is not None:  # an enclosing watchdog's deadline holds too
            with dog._lock:
                dog._sockets.append(key)
                if dog.fired and not dog._done:
                    _shut(*key)
            dog = dog._outer

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            for key in self._sockets:
                _shut(*key)


def watch_socket(sock: socket.socket) -> None:
    """Put a socket under the running watchdog of this thread, if any (connections call this)."""
    dog = getattr(_local, "watchdog", None)
    if dog is not None:
        dog.add(sock)


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        watch_socket(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        if self.sock is not None:  # a kept-alive connection, used again under a new watchdog
            watch_socket(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        watch_socket(sock)  # before the TLS handshake, which a server can drip too
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        if self.sock is not None:
            watch_socket(self.sock)
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class BoundedAdapter(HTTPAdapter):
    """requests' adapter whose connections report their sockets to the thread's :class:`Watchdog`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools are their own; the per-read bounds still hold
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


def bounded_session(session: requests.Session | None = None) -> requests.Session:
    """A session (the one given, or a new one) whose HTTP and HTTPS connections the watchdog can cut."""
    session = session or requests.Session()
    for prefix in ("http://", "https://"):
        if not isinstance(session.get_adapter(prefix), BoundedAdapter):
            session.mount(prefix, BoundedAdapter())
    return session


def _too_slow(what: str, deadline: Deadline, size: int | None = None) -> TooSlow:
    read = f" ({size} bytes read)" if size is not None else ""
    return TooSlow(f"{what}: no complete answer within {deadline.seconds:.3g} s{read}; the server is too slow or "
                   "sends its answer a little at a time")


def _socket_of(resp: requests.Response) -> socket.socket | None:
    conn = getattr(resp.raw, "connection", None)
    return getattr(conn, "sock", None)


def _read(resp: requests.Response, *, what: str, deadline: Deadline, timeout: float, max_bytes: int,
          keep_first: bool) -> bytes:
    declared = resp.headers.get("Content-Length", "")
    if not keep_first and declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"{what}: the answer is {declared} bytes, over the limit of {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline.left()
        if left <= 0:
            raise _too_slow(what, deadline, size)
        sock = _socket_of(resp)
        if sock is not None:
            sock.settimeout(max(0.001, min(timeout, left)))  # no single read may outlast the deadline
        try:
            chunk = resp.raw.read1(CHUNK, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError as e:
            if left <= timeout:  # the read waited for what was left of the deadline: that is what ran out
                raise _too_slow(what, deadline, size) from e
            raise requests.exceptions.ReadTimeout(f"{what}: no data for {timeout:g} s") from e
        except urllib3.exceptions.DecodeError as e:
            raise requests.exceptions.ContentDecodingError(f"{what}: {e}") from e
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise requests.exceptions.ConnectionError(f"{what}: the connection broke ({e})") from e
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            if keep_first:
                chunks.append(chunk[: len(chunk) - (size - max_bytes)])
                return b"".join(chunks)
            raise TooLarge(f"{what}: the answer is over the limit of {max_bytes} bytes")
        chunks.append(chunk)


def _drop_redirect_body(resp: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    # requests reads a redirect's whole body, unbounded, even with allow_redirects=False (to work out
    # ``resp.next``); a response hook runs first, so the body is dropped here, connection and all
    if resp.is_redirect:
        resp.raw.close()
        resp._content, resp._content_consumed = b"", True
    return resp


def request(session: requests.Session, method: str, url: str, *, deadline: Deadline, timeout: float,
            max_bytes: int, keep_first: bool = False, what: str = "", **kwargs: Any) -> requests.Response:
    """Send one request (no redirects followed) and read its whole answer within ``deadline`` and ``max_bytes``.

    ``timeout``: the most one socket read may wait (never more than the time left). ``keep_first``:
    an answer over ``max_bytes`` is cut there instead of refused. A redirect comes back as it is,
    its body not read (the caller decides whether to follow it).
    The response comes back closed, its ``content`` the body. Raises :class:`TooSlow`,
    :class:`TooLarge` (both name ``what``, default the URL) or requests' own errors.
    """
    what = what or url
    session = bounded_session(session)
    kwargs["allow_redirects"] = False
    kwargs["hooks"] = {"response": [_drop_redirect_body]}
    with Watchdog(deadline) as dog:
        left = deadline.left()
        try:
            resp = session.request(method, url, stream=True, timeout=max(0.001, min(timeout, left)), **kwargs)
        except requests.Timeout as e:
            if dog.fired or left <= timeout:  # it waited for what was left of the deadline
                raise _too_slow(what, deadline) from e
            raise
        except requests.RequestException as e:
            if dog.fired:
                raise _too_slow(what, deadline) from e
            raise
        try:
            if resp.is_redirect:
                body = b""  # dropped unread
            else:
                body = _read(resp, what=what, deadline=deadline, timeout=timeout, max_bytes=max_bytes,
                             keep_first=keep_first)
        except requests.RequestException as e:
            resp.close()
            if dog.fired:
                raise _too_slow(what, deadline) from e
            raise
        except BaseException:
            resp.close()
            raise
        if dog.fired:  # the watchdog cut the connection: what was read may end anywhere
            resp.close()
            raise _too_slow(what, deadline, len(body))
    resp._content, resp._content_consumed = body, True  # what requests itself sets once it has read a body
    resp.close()  # consumed: the connection goes back to the pool
    return resp


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """An HTTP ``Retry-After`` header (seconds, or an HTTP date) as seconds from ``now``; None if absent or bad.

    At most :data:`RETRY_AFTER_MAX`: a header is the server's word, and ``Retry-After: 10**400`` (``inf``
    as a float, an OverflowError as a timedelta) or a date in the year 9999 would otherwise stop a source
    for ever. Only ASCII digits count: ``"²".isdigit()`` is true but no number.
    """
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        seconds = float(value)  # never raises for digits; a number past float's range is inf, capped below
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    return min(seconds, RETRY_AFTER_MAX.total_seconds())


def backoff(attempt: int, *, first: float, cap: float, rng: Callable[[], float] | None = None) -> float:
    """Seconds to wait before try ``attempt + 1``: ``first``, doubling each time, at most ``cap``.

    With ``rng`` (a random number in [0, 1)), jittered to 0.5x–1.5x so that many clients do not
    come back at the same moment.
    """
    base = min(first * 2 ** min(max(attempt - 1, 0), 32), cap)
    return base * (0.5 + rng()) if rng is not None else base
