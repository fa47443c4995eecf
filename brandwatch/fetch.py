"""Fetching, shared by every source: polite, bounded, and honest about being blocked.

- One :class:`HostLimiter` per process spaces requests per host (config sets
  intervals; an unknown host gets at most one request every 3 s).
- Timeouts, 429 and 5xx are retried a bounded number of times with
  exponential backoff and jitter, honouring ``Retry-After``.
- Anti-bot answers (the HTTP 521 JavaScript challenge, 403/412 from a WAF, a
  captcha page) raise :class:`Blocked` at once: never retried, never solved,
  and never read as "no results".
- robots.txt is respected (protego) for page-scraping sources; paid APIs pass
  ``respect_robots=False``.
- A User-Agent naming brandwatch and a contact URL; a maximum response size;
  proxies from config or the environment (requests reads HTTP(S)_PROXY).
- Text is decoded by the header's charset, then ``<meta>``, then detection;
  gbk and gb2312 are decoded as gb18030, their superset.

Raises FetchError, Blocked, RobotsDisallowed and Deferred (errors.py).
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
from protego import Protego

from .errors import Blocked, FetchError, RobotsDisallowed
from .models import Capture, utc_now
from .version import __version__

ROBOTS_MAX = 500 * 1024  # bytes of a robots.txt that are read (Google's limit); an endless one stops here


class _Retry(Exception):
    def __init__(self, why: str, after: float | None = None) -> None:
        self.why, self.after = why, after


@dataclass(frozen=True)
class FetchPolicy:
    contact: str = ""
    timeout: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    max_tries: int = 4
    backoff: float = 2.0  # seconds before the first retry; doubles each time
    backoff_cap: float = 300.0
    default_interval: float = 3.0  # between two requests to a host config does not name
    host_intervals: Mapping[str, float] = field(default_factory=dict)
    max_redirects: int = 5
    proxies: Mapping[str, str] | None = None

    @property
    def user_agent(self) -> str:
        contact = f"; +{self.contact}" if self.contact else ""
        return f"brandwatch/{__version__} (brand-protection monitor{contact})"


class HostLimiter:
    """At most one request per interval per host, across threads."""

    def __init__(self, policy: FetchPolicy, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.policy, self.clock, self.sleep = policy, clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        interval = self.policy.host_intervals.get(host, self.policy.default_interval)
        with self._lock:
            now = self.clock()
            at = max(now, self._next.get(host, now))
            self._next[host] = at + interval
        if at > now:
            self.sleep(at - now)


@dataclass(frozen=True)
class Page:
    """A fetched response: the capture as evidence, and its text."""

    capture: Capture
    text: str
    encoding: str


# what an anti-bot wall's page says (the 521 challenge sets __jsl_clearance)
_WALL = re.compile(
    r"__jsl_clearance|_jsl_clearance|acw_sc__v2|captcha|geetest|滑动验证|请完成验证|安全验证|访问验证|"
    r"访问过于频繁|请输入验证码|WAF|web application firewall",
    re.IGNORECASE,
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def wall_reason(status: int, body: bytes) -> str:
    """Why this answer is an anti-bot wall, or '' if it is not."""
    head = body[:20000].decode("utf-8", "replace")
    if status == 521:
        return "HTTP 521 JavaScript challenge"
    if status in (403, 412):
        return f"HTTP {status} from a web application firewall"
    if status == 200 and _WALL.search(head) and len(body) < 50000:
        return "a captcha or verification page"
    return ""


def decode(body: bytes, content_type: str) -> tuple[str, str]:
    """(text, encoding): the header's charset, then <meta>, then detection; gbk/gb2312 as gb18030."""
    m = re.search(r"charset=([\w.:-]+)", content_type or "", re.IGNORECASE)
    name = m.group(1) if m else None
    if not name:
        mm = _META_CHARSET.search(body[:4096])
        name = mm.group(1).decode("ascii") if mm else None
    if not name:
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            from charset_normalizer import from_bytes

            best = from_bytes(body).best()
            name = best.encoding if best else "gb18030"
    name = name.lower()
    if name in ("gbk", "gb2312", "gb_2312-80", "cp936", "x-gbk"):
        name = "gb18030"
    try:
        return body.decode(name, "replace"), name
    except LookupError:
        return body.decode("utf-8", "replace"), "utf-8"


class Fetcher:
    """GET with the policy above. ``sleep``, ``clock`` and ``rng`` are seams for tests."""

    def __init__(self, policy: FetchPolicy | None = None, *, session: requests.Session | None = None,
                 limiter: HostLimiter | None = None, sleep: Callable[[float], None] = time.sleep,
                 rng: Callable[[], float] = random.random) -> None:
        self.policy = policy or FetchPolicy()
        self.session = session or requests.Session()
        self.session.max_redirects = self.policy.max_redirects
        self.session.headers["User-Agent"] = self.policy.user_agent
        self.limiter = limiter or HostLimiter(self.policy, sleep=sleep)
        self.sleep, self.rng = sleep, rng
        self._robots: dict[str, Protego | None] = {}

    def fetch(self, url: str, *, params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
              respect_robots: bool = True) -> Page:
        if params:
            url = requests.Request("GET", url, params=params).prepare().url or url
        if respect_robots and not self._allowed(url):
            raise RobotsDisallowed(f"{url}: robots.txt does not allow brandwatch here; the source skips it")
        last = ""
        for attempt in range(1, self.policy.max_tries + 1):
            try:
                return self._once(url, headers)
            except _Retry as r:
                last, retry_after = r.why, r.after
            except (requests.Timeout, requests.ConnectionError) as e:
                last, retry_after = type(e).__name__, None
            if attempt < self.policy.max_tries:
                self.sleep(self._delay(attempt, retry_after))
        raise FetchError(f"{url}: failed after {self.policy.max_tries} tries (last: {last})")

    def _once(self, url: str, headers: Mapping[str, str] | None) -> Page:
        self.limiter.wait(urlsplit(url).netloc)
        fetched_at = utc_now()
        try:
            resp = self.session.get(url, headers=dict(headers or {}), timeout=self.policy.timeout, stream=True,
                                    proxies=dict(self.policy.proxies) if self.policy.proxies else None)
        except requests.TooManyRedirects:
            raise FetchError(f"{url}: more than {self.policy.max_redirects} redirects (a redirect loop?)") from None
        with resp:
            body = self._read(url, resp)
        reason = wall_reason(resp.status_code, body)
        if reason:
            raise Blocked(f"{url}: blocked by {reason}; brandwatch does not solve challenges, the source pauses")
        if resp.status_code == 429 or resp.status_code >= 500:
            raise _Retry(f"HTTP {resp.status_code}", _retry_after(resp.headers.get("Retry-After")))
        if resp.status_code >= 400:
            raise FetchError(f"{url}: HTTP {resp.status_code}; check the source's URL in config.yaml")
        capture = Capture(url, resp.url, resp.status_code, tuple(resp.headers.items()), body, fetched_at)
        text, encoding = decode(body, resp.headers.get("Content-Type", ""))
        return Page(capture, text, encoding)

    def _read(self, url: str, resp: requests.Response) -> bytes:
        limit = self.policy.max_bytes
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{url}: response of {declared} bytes is over the limit of {limit}")
        chunks, size = [], 0
        for chunk in resp.iter_content(65536):
            size += len(chunk)
            if size > limit:
                raise FetchError(f"{url}: response is over the limit of {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.policy.backoff_cap)
        base = min(self.policy.backoff * 2 ** (attempt - 1), self.policy.backoff_cap)
        return base * (0.5 + self.rng())  # jitter: 0.5x to 1.5x

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            self._robots[root] = self._load_robots(root)
        rules = self._robots[root]
        return True if rules is None else rules.can_fetch(url, self.policy.user_agent)

    def _load_robots(self, root: str) -> Protego | None:
        """None: no robots.txt (4xx), all allowed. Unreachable or 5xx: FetchError (ask again next run)."""
        self.limiter.wait(urlsplit(root).netloc)
        try:
            with self.session.get(root + "/robots.txt", timeout=self.policy.timeout, stream=True) as resp:
                if 400 <= resp.status_code < 500:
                    return None
                if resp.status_code >= 500:
                    raise FetchError(f"{root}/robots.txt: HTTP {resp.status_code}; will try again")
                # as Google does: the first ROBOTS_MAX bytes are read and obeyed, the rest ignored
                body = b""
                for chunk in resp.iter_content(65536):
                    body += chunk
                    if len(body) >= ROBOTS_MAX:
                        body = body[:ROBOTS_MAX]
                        break
        except requests.RequestException as e:
            raise FetchError(f"{root}/robots.txt: cannot be read ({type(e).__name__}); will try again") from None
        return Protego.parse(body.decode("utf-8", "replace"))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime

    return max(0.0, (when - datetime.now(UTC)).total_seconds())
