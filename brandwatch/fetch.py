"""Fetching, shared by every source: polite, bounded, and honest about being blocked.

- One :class:`HostLimiter` per process spaces requests per host (config sets
  intervals, by host or host:port; an unknown host gets at most one request
  every 3 s).
- Every answer has an overall deadline (``FetchPolicy.deadline``) as well as
  a per-read timeout, and a byte cap (net.py): a server that drips its answer
  a byte at a time is cut off, and not asked again in this run (it had the
  whole deadline; a retry would only give it another).
- Timeouts, 429 and 5xx are retried a bounded number of times with
  exponential backoff and jitter, honouring ``Retry-After``, all within the
  source run's time budget: a ``Retry-After`` longer than what is left
  raises :class:`Deferred` (the source waits for its next run) instead of
  sleeping; a source is deferred 7 days at most (``net.RETRY_AFTER_MAX``),
  whatever the header says.
- An API that answers HTTP 200 with "too frequent" or "quota spent" in its
  body is told by the source's ``check`` (it raises :class:`Throttled`) and
  handled the same way: backoff, or the wait it implies, or Deferred.
- Anti-bot answers (the HTTP 521 JavaScript challenge, 403/412 from a WAF, a
  challenge script at any size) raise :class:`Blocked` at once: never
  retried, never solved, and never read as "no results". A captcha page
  answered with 200 is told by :func:`challenge_reason` once it fails to
  parse as a result list (pipeline.py).
- robots.txt is respected (protego) for page-scraping sources, on every
  redirect too: a redirect to another origin is followed only where that
  origin's robots.txt allows; paid APIs pass ``respect_robots=False``.
- A User-Agent naming brandwatch and a contact URL; a maximum response size;
  proxies from config or the environment (requests reads HTTP(S)_PROXY).
- Text is decoded by the header's charset, then ``<meta>``, then detection;
  gbk and gb2312 are decoded as gb18030, their superset.

Raises FetchError and its kinds Blocked, RobotsDisallowed, Deferred, TooSlow and TooLarge (errors.py).
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego

from .errors import Blocked, BudgetSpent, Deferred, FetchError, RobotsDisallowed, Throttled, TooSlow
from .models import Capture, utc_now
from .net import RETRY_AFTER_MAX, Deadline, backoff, bounded_session, retry_after
from .net import request as net_request
from .version import __version__

ROBOTS_MAX = 500 * 1024  # bytes of a robots.txt that are read (Google's limit); an endless one stops here


class _Retry(Exception):
    def __init__(self, why: str, after: float | None = None) -> None:
        self.why, self.after = why, after


@dataclass(frozen=True)
class FetchPolicy:
    contact: str = ""
    timeout: float = 20.0  # the most one socket read waits
    deadline: float = 120.0  # the most one answer takes in all (redirects included), however it trickles in
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


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host(netloc: str) -> str:
    """A host as config and URLs may write it, compared alike: lower case, no trailing dot, IPv6 in brackets."""
    host = netloc.strip().lower().rstrip(".")
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class HostLimiter:
    """At most one request per interval per host, across threads.

    ``host_intervals`` is keyed by host (``api.example.com``: every port of it) or host:port
    (``api.example.com:8443``: that port only, before the host's own); a URL's default port counts
    as written. Keyed by the URL's netloc, a host configured without its port was silently
    ignored whenever the URL had one.
    """

    def __init__(self, policy: FetchPolicy, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.policy, self.clock, self.sleep = policy, clock, sleep
        self._intervals = {self._key(k): v for k, v in policy.host_intervals.items()}
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(host_or_netloc: str) -> str:
        host, sep, port = host_or_netloc.strip().rpartition(":")
        if not sep or "]" in port or not port.isdigit():  # no port (or an IPv6 address without one)
            return _host(host_or_netloc)
        return f"{_host(host)}:{int(port)}"

    def interval(self, url: str) -> float:
        """The seconds between two requests to the host of ``url``: its host:port's, its host's, or the default."""
        parts = urlsplit(url)
        host = _host(parts.hostname or "")
        for key in (self._port_key(url), host):
            if key in self._intervals:
                return self._intervals[key]
        return self.policy.default_interval

    @staticmethod
    def _port_key(url: str) -> str:
        parts = urlsplit(url)
        try:
            port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
        except ValueError:  # a port out of range: requests refuses the URL next
            port = 0
        return f"{_host(parts.hostname or '')}:{port}"

    def wait(self, url: str) -> None:
        """Sleep until a request to ``url``'s host:port is due, and book the next one."""
        key, interval = self._port_key(url), self.interval(url)
        with self._lock:
            now = self.clock()
            at = max(now, self._next.get(key, now))
            self._next[key] = at + interval
        if at > now:
            self.sleep(at - now)


@dataclass(frozen=True)
class Page:
    """A fetched response: the capture as evidence, and its text."""

    capture: Capture
    text: str
    encoding: str


# Scripts only a challenge page carries (加速乐's cookie, Aliyun's acw_sc__v2, Cloudflare's challenge
# platform, Alibaba's x5sec slider): a page holding one is a wall whatever its size or status.
_CHALLENGE_SCRIPT = re.compile(
    r"__jsl_clearance|_jsl_clearance_s|acw_sc__v2|_cf_chl_opt|/cdn-cgi/challenge-platform/|x5secdata|"
    r"window\._\$jsvmprt|TencentCaptcha|TCaptcha\.js",
)
# Words of a captcha or verification page. A result list may hold them too (a company named
# …安全验证科技…), so they count only on a page that did not parse as a result list: see challenge_reason.
_WALL_WORDS = re.compile(
    r"captcha|geetest|滑动验证|请完成验证|完成安全验证|安全验证|访问验证|人机验证|访问过于频繁|请输入验证码|"
    r"\bWAF\b|web application firewall|Just a moment\.\.\.|Access denied",
    re.IGNORECASE,
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def wall_reason(status: int, body: bytes) -> str:
    """Why this answer is an anti-bot wall before it is even parsed, or '' if that cannot be told yet."""
    if status == 521:
        return "HTTP 521 JavaScript challenge"
    if status in (403, 412):
        return f"HTTP {status} from a web application firewall"
    if _CHALLENGE_SCRIPT.search(body.decode("latin-1")):  # ASCII tokens: latin-1 maps bytes 1:1, never fails
        return "a JavaScript challenge"
    return ""


def challenge_reason(text: str) -> str:
    """Why a page that did not parse as a result list looks like a wall (any size), or '' if it does not.

    An API's JSON error ("Access denied: bad key") is an error to fix, not a wall to wait out:
    only a challenge script counts in JSON.
    """
    words = None if text.lstrip()[:1] in ("{", "[") else _WALL_WORDS.search(text)
    m = _CHALLENGE_SCRIPT.search(text) or words
    return f"a captcha or verification page ({m.group(0)!r})" if m else ""


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
    """GET with the policy above. ``sleep`` and ``rng`` are seams for tests; ``stop`` (an Event) cuts a
    retry's wait short when the run is told to stop."""

    def __init__(self, policy: FetchPolicy | None = None, *, session: requests.Session | None = None,
                 limiter: HostLimiter | None = None, sleep: Callable[[float], object] | None = None,
                 rng: Callable[[], float] = random.random, stop: threading.Event | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self.session = bounded_session(session)
        self.session.headers["User-Agent"] = self.policy.user_agent
        self.stop = stop
        self.sleep = sleep or (stop.wait if stop is not None else time.sleep)
        self.limiter = limiter or HostLimiter(self.policy, sleep=time.sleep if sleep is None else sleep)
        self.rng = rng
        self._robots: dict[str, Protego | FetchError | None] = {}

    def fetch(self, url: str, *, params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
              respect_robots: bool = True, budget: Deadline | None = None,
              check: Callable[[str], None] | None = None) -> Page:
        """One page. ``budget``: the source run's deadline; no answer, retry or wait goes past it.

        A ``Retry-After`` longer than what is left of the budget (without one: ``backoff_cap``)
        raises Deferred instead of sleeping; a redirect is followed only where robots.txt allows.
        ``check`` reads a 200 answer's text and raises Throttled when the body says to slow down or
        wait: retried like HTTP 429, its ``after`` taken as a Retry-After.
        """
        if params:
            url = requests.Request("GET", url, params=params).prepare().url or url
        if respect_robots and not self._allowed(url, budget):
            raise RobotsDisallowed(f"{url}: robots.txt does not allow brandwatch here; the source skips it")
        last = ""
        for attempt in range(1, self.policy.max_tries + 1):
            if budget is not None and budget.expired:
                raise BudgetSpent(f"{url}: the source's time budget ran out" + (f" (last: {last})" if last else ""))
            after, asked = None, "Retry-After"
            try:
                page = self._once(url, headers, respect_robots, budget)
                if check is not None:
                    check(page.text)
                return page
            except _Retry as r:
                last, after = r.why, r.after
            except Throttled as t:  # a wait a body implies is capped as a Retry-After is (net.RETRY_AFTER_MAX)
                last, asked = str(t), "as its answer says"
                after = None if t.after is None else min(t.after, RETRY_AFTER_MAX.total_seconds())
            except TooSlow as e:  # not retried: the server had the whole deadline
                if budget is not None and budget.expired:  # the budget's end cut it, not the page's deadline
                    raise BudgetSpent(f"{url}: the source's time budget ran out while it answered") from e
                raise
            except (requests.Timeout, requests.ConnectionError) as e:
                last = type(e).__name__
            except requests.RequestException as e:  # a bad URL or encoding: trying again will not help
                raise FetchError(f"{url}: cannot be fetched ({type(e).__name__}: {e})") from e
            left = budget.left() if budget is not None else self.policy.backoff_cap
            if after is not None and after > left:
                within = "of the source's time budget" if budget is not None else "that a run waits"
                if after >= RETRY_AFTER_MAX.total_seconds():  # net.retry_after cut it there
                    days = RETRY_AFTER_MAX.days
                    raise Deferred(f"{url}: {last} asks brandwatch to wait {days} days or more ({asked}); "
                                   f"brandwatch defers a source at most {days} days, and the source is deferred "
                                   "until then", after=RETRY_AFTER_MAX.total_seconds())
                raise Deferred(f"{url}: {last} asks brandwatch to wait {after:.0f} s ({asked}), more than the "
                               f"{left:.0f} s left {within}; the source is deferred until then", after=after)
            if attempt == self.policy.max_tries:
                break
            delay = after if after is not None else backoff(attempt, first=self.policy.backoff,
                                                            cap=self.policy.backoff_cap, rng=self.rng)
            if delay >= left:
                raise BudgetSpent(f"{url}: {last}; waiting {delay:.0f} s to try again would pass the source's time "
                                  "budget")
            self.sleep(delay)
            if self.stop is not None and self.stop.is_set():
                raise FetchError(f"{url}: {last}; not tried again, the run was told to stop")
        raise FetchError(f"{url}: failed after {self.policy.max_tries} tries (last: {last})")

    def _deadline(self, budget: Deadline | None) -> Deadline:
        return budget.within(self.policy.deadline) if budget is not None else Deadline(self.policy.deadline)

    def _get(self, url: str, deadline: Deadline, *, headers: Mapping[str, str] | None = None,
             max_bytes: int | None = None, keep_first: bool = False,
             allowed: Callable[[str], bool] | None = None) -> requests.Response:
        """GET, following redirects by hand (``allowed`` vets each new URL); every hop within ``deadline``."""
        current, origin = url, _origin(url)
        chain = [url]
        for _ in range(self.policy.max_redirects + 1):
            self.limiter.wait(current)
            # the source's own headers (an API token) go only to the origin they were meant for
            sent = dict(headers or {}) if _origin(current) == origin else {}
            try:
                resp = net_request(self.session, "GET", current, deadline=deadline, timeout=self.policy.timeout,
                                   max_bytes=max_bytes or self.policy.max_bytes, keep_first=keep_first,
                                   headers=sent, proxies=dict(self.policy.proxies) if self.policy.proxies else None)
            except requests.exceptions.InvalidURL as e:
                raise FetchError(f"{current}: not a URL brandwatch can fetch ({e})") from None
            if not resp.is_redirect:
                return resp
            target = urljoin(current, resp.headers["Location"])
            if allowed is not None and not allowed(target):
                raise RobotsDisallowed(f"{url}: redirected to {target}, where robots.txt of {_origin(target)} does "
                                       "not allow brandwatch; the source skips it")
            chain.append(target)
            current = target
        # followed to the end either way (a site may send a page back to itself once, with a cookie), then told
        # apart: a loop, or merely a long way round
        again = next((u for u in chain if chain.count(u) > 1), None)
        if again is not None:
            first = chain.index(again)
            shown = " → ".join(chain[first:chain.index(again, first + 1) + 1])
            raise FetchError(f"{url}: redirects in a loop ({shown}); the site sends brandwatch round in circles: "
                             "check the source's URL in a browser")
        shown = " → ".join([*chain[:2], "…", chain[-1]] if len(chain) > 3 else chain)
        raise FetchError(f"{url}: more than {self.policy.max_redirects} redirects ({shown}); check the source's URL: "
                         "it may have moved")

    def _once(self, url: str, headers: Mapping[str, str] | None, respect_robots: bool,
              budget: Deadline | None) -> Page:
        fetched_at = utc_now()
        allowed = (lambda target: self._allowed(target, budget)) if respect_robots else None
        resp = self._get(url, self._deadline(budget), headers=headers, allowed=allowed)
        body = resp.content
        reason = wall_reason(resp.status_code, body)
        if reason:
            raise Blocked(f"{url}: blocked by {reason}; brandwatch does not solve challenges, the source pauses")
        if resp.status_code == 429 or resp.status_code >= 500:
            raise _Retry(f"HTTP {resp.status_code}", retry_after(resp.headers.get("Retry-After")))
        if resp.status_code >= 400:
            raise FetchError(f"{url}: HTTP {resp.status_code}; check the source's URL in config.yaml")
        capture = Capture(url, resp.url, resp.status_code, tuple(resp.headers.items()), body, fetched_at)
        text, encoding = decode(body, resp.headers.get("Content-Type", ""))
        return Page(capture, text, encoding)

    def _allowed(self, url: str, budget: Deadline | None = None) -> bool:
        root = _origin(url)
        if root not in self._robots:
            try:
                self._robots[root] = self._load_robots(root, budget)
            except FetchError as e:
                self._robots[root] = e  # asked once a run: a dripping robots.txt must not cost every page
        rules = self._robots[root]
        if isinstance(rules, FetchError):
            raise FetchError(str(rules))
        return True if rules is None else rules.can_fetch(url, self.policy.user_agent)

    def _load_robots(self, root: str, budget: Deadline | None) -> Protego | None:
        """None: no robots.txt (4xx), all allowed. Unreachable, too slow or 5xx: FetchError (ask again next run)."""
        try:
            # as Google does: the first ROBOTS_MAX bytes are read and obeyed, the rest ignored
            resp = self._get(root + "/robots.txt", self._deadline(budget), max_bytes=ROBOTS_MAX, keep_first=True)
        except (requests.RequestException, TooSlow) as e:
            why = str(e) if isinstance(e, TooSlow) else type(e).__name__
            raise FetchError(f"{root}/robots.txt: cannot be read ({why}); will try again") from None
        if 400 <= resp.status_code < 500:
            return None
        if resp.status_code >= 500:
            raise FetchError(f"{root}/robots.txt: HTTP {resp.status_code}; will try again")
        return Protego.parse(resp.content.decode("utf-8", "replace"))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
