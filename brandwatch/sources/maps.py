"""Map place search: ``amap`` (高德 Web服务 place/text) and ``baidu_map`` (百度地图 place/v2/search).

Why: fake "customer service centres" (a mark + 客服中心, 协商还款, 退费 …) are registered as
map places with a phone number, and the number is what a victim calls. A place listing's
``text`` holds its name, address and every number, so the leads scanner sees them.

The plan: every query (the marks, aliases and variants the pipeline gives) with each of the
``suffixes`` appended ("" keeps the query as it is; 客服, 客服中心 …), in each of ``cities``:
one request plan per keyword and city, paged until a page holds fewer places than a page,
the provider's total is reached, or ``max_pages``.

Keys come from the environment variable ``key_env`` names (never from config), are
registered by ``secrets()`` and masked as *** wherever a URL or message is kept.

Both APIs answer HTTP 200 with a status in the body. The codes (tables below, from the
providers' published lists) are sorted into what to do about them:

- ``key``: the key is wrong, deleted, for another platform, bound to other IPs, or its
  paid quota or service has ended. ConfigError naming the variable and the fix: the run
  stops, since every later request would be refused the same way.
- ``daily``: the day's quota is spent. Both providers reset at 00:00 Beijing time, so the
  source is deferred until then (``check`` raises Throttled with that wait; the fetcher
  turns a wait longer than the budget into Deferred).
- ``frequent``: too many requests a second or minute, or the server busy: retried with
  backoff like HTTP 429 (``check`` raises Throttled; the fetcher backs off).
- anything else (bad parameters, an unknown code, malformed JSON, an HTML page, a success
  without its list): ParseError. That query fails and the run is not ``ok``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import Field, field_validator

from ..errors import ConfigError, ParseError, Throttled
from ..models import Listing
from .apis import _env
from .base import Parsed, Request, SourceOptions, SourceType, clean

#: Beijing time: both providers' daily quotas reset at its midnight. China has had no DST since 1991.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
#: Seconds after midnight before asking again: a clock a little ahead of the provider's is not refused.
RESET_SLACK = 60.0

# infocode → (what to do, what it means). From 高德开放平台 "Web服务 API 错误码说明" (lbs.amap.com,
# api/webservice/guide/tools/info); codes it does not list are ParseErrors with the answer's own info.
AMAP_CODES: dict[int, tuple[str, str]] = {
    10001: ("key", "the key is wrong or expired"),
    10002: ("key", "the key may not use this service (place search needs a Web服务 key)"),
    10003: ("daily", "the key's daily quota is spent"),
    10004: ("frequent", "too many requests within a minute"),
    10005: ("key", "this server's IP is not in the key's IP whitelist"),
    10006: ("key", "the key's bound domain is invalid"),
    10007: ("key", "the key requires a digital signature, which brandwatch does not send"),
    10008: ("key", "the key's security code (scode) does not match"),
    10009: ("key", "the key is for another platform (place search needs a Web服务 key)"),
    10010: ("daily", "this IP's quota is spent"),
    10011: ("other", "the service does not take https here; check base_url"),
    10012: ("key", "the key lacks the permission for this service"),
    10013: ("key", "the key was deleted"),
    10014: ("frequent", "the service's QPS limit is reached"),
    10015: ("frequent", "a gateway timed out under the QPS limit"),
    10016: ("frequent", "the server is busy"),
    10017: ("frequent", "the resource is unavailable for now"),
    10019: ("frequent", "the service's total QPS limit is reached"),
    10020: ("frequent", "the key's QPS limit for this service is reached"),
    10021: ("frequent", "the account's QPS limit for this service is reached"),
    10026: ("key", "the account is banned"),
    10029: ("daily", "the key's daily quota abroad is spent"),
    10041: ("key", "the key's permission for this service has expired"),
    10044: ("daily", "the account's daily quota is spent"),
    10045: ("daily", "the account's daily quota abroad is spent"),
    20000: ("other", "a parameter is invalid"),
    20001: ("other", "a required parameter is missing"),
    20002: ("other", "the request is malformed"),
    20003: ("other", "unknown error on Amap's side"),
    20012: ("other", "Amap refused the query's content"),
    40000: ("key", "the paid quota is used up"),
    40002: ("key", "the purchased service has expired"),
    40003: ("key", "the paid quota abroad is used up"),
}

# status → (what to do, what it means). From 百度地图开放平台 "Web服务API 附录: 服务状态码"
# (lbsyun.baidu.com, webapi/appendix). 2xx are the app's and user's checks, 3xx quotas, 4xx concurrency.
BAIDU_CODES: dict[int, tuple[str, str]] = {
    1: ("frequent", "server error or timeout on Baidu's side"),
    2: ("other", "a parameter is invalid"),
    3: ("key", "the permission check failed"),
    4: ("daily", "the day's quota is spent"),
    5: ("key", "the ak does not exist or is invalid"),
    8: ("other", "Baidu could not parse the query (special or full-width characters?)"),
    9: ("key", "the advanced permission check failed"),
    101: ("key", "no ak was sent, or the service is disabled"),
    102: ("key", "the whitelist or security code (mcode) check failed"),
    200: ("key", "no app has this ak"),
    201: ("key", "the app is disabled (enable it in the console)"),
    202: ("key", "the app was deleted by Baidu"),
    203: ("key", "the ak is of the wrong app type (place search needs a 服务端 ak)"),
    210: ("key", "this server's IP is not in the ak's IP whitelist"),
    211: ("key", "the ak requires an SN signature, which brandwatch does not send"),
    220: ("key", "the ak's Referer whitelist refused the request (use a 服务端 ak)"),
    230: ("key", "the ak's mcode check failed (use a 服务端 ak)"),
    240: ("key", "the ak may not use place search (tick it for the ak in the console)"),
    250: ("key", "the user does not exist"),
    251: ("key", "the user deleted itself"),
    252: ("key", "the user was blacklisted"),
    260: ("key", "the service does not exist"),
    261: ("key", "the service is disabled"),
    301: ("key", "the permanent quota is used up"),
    302: ("daily", "the day's quota is spent"),
    401: ("frequent", "the concurrency quota is exceeded"),
    402: ("frequent", "the concurrency quota and the service's total are exceeded"),
    1001: ("key", "the ak may not be used over IPv6"),
}


def baidu_code(status: int) -> tuple[str, str]:
    """What a Baidu status means: the table, then its ranges (2xx the ak's checks, 3xx quotas, 4xx concurrency)."""
    if status in BAIDU_CODES:
        return BAIDU_CODES[status]
    if 200 <= status < 300:
        return "key", "the ak's permission or signature check failed"
    if 300 <= status < 400:
        return "key", "a quota is used up"
    if 400 <= status < 500:
        return "frequent", "the concurrency quota is exceeded"
    return "other", "an unknown status"


KEY_FIXES = {
    "amap": "check it in the Amap console (console.amap.com, 应用管理): a Web服务 key, without digital "
            "signature, with this server's IP whitelisted",
    "baidu": "check it in the Baidu console (lbsyun.baidu.com, 应用管理): a 服务端 ak with 地点检索 ticked, "
             "IP whitelist checking with this server's IP",
}


def seconds_to_reset(now: float) -> float:
    """Seconds from ``now`` (a Unix time) to the next 00:00 Beijing time, plus RESET_SLACK."""
    moment = datetime.fromtimestamp(now, BEIJING)
    midnight = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - moment).total_seconds() + RESET_SLACK


def _text(value: Any) -> str:
    """A POI field: Amap writes an empty field as [] (or [""]), a list as a JSON array."""
    if isinstance(value, list):
        return ";".join(t for t in (clean(v) for v in value) if t)
    if isinstance(value, dict):
        return ""
    return clean(value)


def phones(value: Any, separators: str = ";") -> str:
    """Every number of a tel field, as given, joined with ";" (Amap separates with ";", Baidu with ",")."""
    text = _text(value)
    for sep in separators:
        text = text.replace(sep, ";")
    return ";".join(p.strip() for p in text.split(";") if p.strip())


def _doc(text: str, provider: str) -> dict:
    """The answer as a JSON object; ParseError for anything else (an HTML page, a proxy's error, a cut answer)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        start = " ".join(text[:60].split())
        raise ParseError(f"{provider} answered not JSON ({e.msg} at line {e.lineno}; it starts {start!r})") from None
    if not isinstance(doc, dict):
        raise ParseError(f"{provider} answered JSON that is not an object; not a place search result")
    return doc


def _place(source: str, key: str, name: str, url: str, fields: dict[str, str]) -> Listing:
    kept = {k: v for k, v in fields.items() if v}
    text = " ".join(p for p in (name, kept.get("地址", ""), kept.get("电话", "")) if p)
    return Listing(source, key, "place", name, url, tuple(sorted(kept.items())), text)


def _next(request: Request, page_key: str, page_value: str) -> Request:
    return Request(request.url, request.query, request.page + 1, {**request.params, page_key: page_value},
                   request.headers)


# -- amap ------------------------------------------------------------------------------------------


def amap_problem(doc: dict) -> tuple[str, str] | None:
    """None when the answer says OK (status "1"); else (what to do, one line saying what it means)."""
    if str(doc.get("status", "")) == "1" and str(doc.get("infocode", "10000")) == "10000":
        return None
    raw = str(doc.get("infocode", ""))
    code = int(raw) if raw.isdigit() else -1
    kind, meaning = AMAP_CODES.get(code, ("other", "an unknown infocode"))
    return kind, f"Amap answered infocode {raw or '(none)'} {clean(doc.get('info')) or '(no info)'}: {meaning}"


def parse_amap(text: str, request: Request, source: str = "amap", max_pages: int = 1,
               key_env: str = "AMAP_KEY") -> Parsed:
    """One Amap place/text answer → its places and the next page to fetch. Pure.

    ``status`` "1" with a ``pois`` list proves a result list (an empty one: no places). The next
    page is asked while this one was full (``offset`` places), the ``count`` is not reached,
    and ``max_pages`` allows. A refused key is a ConfigError; any other error a ParseError.
    """
    doc = _doc(text, "Amap")
    problem = amap_problem(doc)
    if problem is not None:
        kind, message = problem
        if kind == "key":
            raise ConfigError(f"source {source}: {message}; the key is ${key_env}: {KEY_FIXES['amap']}")
        raise ParseError(message)
    pois = doc.get("pois")
    if not isinstance(pois, list):
        raise ParseError("Amap answered status 1 without a pois list; not a place search result")
    out = []
    for poi in pois:
        if not isinstance(poi, dict):
            continue
        name = _text(poi.get("name"))
        if not name:
            continue
        pid = _text(poi.get("id"))
        location = _text(poi.get("location"))
        fields = {"地址": _text(poi.get("address")), "电话": phones(poi.get("tel")), "省份": _text(poi.get("pname")),
                  "城市": _text(poi.get("cityname")), "区县": _text(poi.get("adname")), "类型": _text(poi.get("type")),
                  "坐标": location, "平台": "高德地图"}
        key = f"amap:{pid}" if pid else f"amap:{name}@{location}"
        out.append(_place(source, key, name, f"https://www.amap.com/place/{pid}" if pid else "", fields))
    size = int(request.params.get("offset") or 25)
    raw_count = str(doc.get("count", ""))
    count = int(raw_count) if raw_count.isdigit() and int(raw_count) > 0 else None  # "0" beside places: unknown
    more = len(pois) >= size and (count is None or request.page * size < count) and request.page < max_pages
    return Parsed(tuple(out), _next(request, "page", str(request.page + 1)) if more else None)


# -- baidu -----------------------------------------------------------------------------------------


def baidu_problem(doc: dict) -> tuple[str, str] | None:
    """None when the answer says OK (status 0); else (what to do, one line saying what it means)."""
    raw = str(doc.get("status", ""))
    if raw == "0":
        return None
    code = int(raw) if raw.isdigit() else -1
    kind, meaning = baidu_code(code) if code >= 0 else ("other", "no status")
    return kind, f"Baidu answered status {raw or '(none)'} {clean(doc.get('message')) or '(no message)'}: {meaning}"


def parse_baidu_map(text: str, request: Request, source: str = "baidu_map", max_pages: int = 1,
                    key_env: str = "BAIDU_MAP_AK") -> Parsed:
    """One Baidu place/v2/search answer → its places and the next page to fetch. Pure.

    ``status`` 0 with a ``results`` list proves a result list. A region wider than a city can
    answer a list of cities with counts (``result_type`` city_type) instead of places: not a
    result list of places, so a ParseError that says to name cities. ``page_num`` counts from 0.
    """
    doc = _doc(text, "Baidu")
    problem = baidu_problem(doc)
    if problem is not None:
        kind, message = problem
        if kind == "key":
            raise ConfigError(f"source {source}: {message}; the ak is ${key_env}: {KEY_FIXES['baidu']}")
        raise ParseError(message)
    results = doc.get("results")
    if not isinstance(results, list):
        raise ParseError("Baidu answered status 0 without a results list; not a place search result")
    if doc.get("result_type") == "city_type":
        region = request.params.get("region", "")
        raise ParseError(f"Baidu answered cities with counts, not places, for region {region!r}: name cities "
                         "(not provinces or 全国) in the source's options.cities")
    out = []
    for item in results:
        if not isinstance(item, dict):
            continue
        name = _text(item.get("name"))
        uid = _text(item.get("uid"))
        if not name or not uid:  # without a uid: a city or a count, not a place
            continue
        loc = item.get("location") if isinstance(item.get("location"), dict) else {}
        location = f"{loc['lng']},{loc['lat']}" if "lng" in loc and "lat" in loc else ""
        detail = item.get("detail_info") if isinstance(item.get("detail_info"), dict) else {}
        url = _text(detail.get("detail_url"))
        fields = {"地址": _text(item.get("address")), "电话": phones(item.get("telephone"), ",;"),
                  "省份": _text(item.get("province")), "城市": _text(item.get("city")),
                  "区县": _text(item.get("area")), "类型": _text(detail.get("tag")) or _text(detail.get("type")),
                  "坐标": location, "平台": "百度地图"}
        out.append(_place(source, f"baidu:{uid}", name, url if url.startswith(("http://", "https://")) else "",
                          fields))
    size = int(request.params.get("page_size") or 20)
    raw_total = str(doc.get("total", ""))
    total = int(raw_total) if raw_total.isdigit() and int(raw_total) > 0 else None
    more = len(results) >= size and (total is None or request.page * size < total) and request.page < max_pages
    return Parsed(tuple(out), _next(request, "page_num", str(request.page)) if more else None)


# -- the source types ------------------------------------------------------------------------------


class MapOptions(SourceOptions):
    """What both map searches take; each type sets its own defaults and page size."""

    key_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="environment variable holding the key")
    base_url: str
    cities: list[str] = Field(default_factory=list, description="one request plan per city (name or adcode)")
    suffixes: list[str] = Field([""], min_length=1, description="appended to each query; '' keeps it as it is")
    city_limit: bool = Field(True, description="only places inside the city, not the provider's suggestions")
    max_pages: int = Field(3, ge=1, le=100)

    @field_validator("cities")
    @classmethod
    def _cities(cls, value: list[str]) -> list[str]:
        if any(not v.strip() for v in value):
            raise ValueError("a city is blank; name each city (amap: leave cities out to search all of China)")
        return list(dict.fromkeys(v.strip() for v in value))

    @field_validator("suffixes")
    @classmethod
    def _suffixes(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip() for v in value))


class AmapOptions(MapOptions):
    """高德 Web服务 place/text: keywords, city, citylimit, offset, page, extensions=all."""

    key_env: str = Field("AMAP_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                         description="environment variable holding the Web服务 key")
    base_url: str = "https://restapi.amap.com/v3/place/text"
    page_size: int = Field(25, ge=1, le=25, description="offset: places a page (Amap advises at most 25)")


class BaiduMapOptions(MapOptions):
    """百度地图 place/v2/search: query, region, city_limit, scope=2, page_size, page_num."""

    key_env: str = Field("BAIDU_MAP_AK", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                         description="environment variable holding the 服务端 ak")
    base_url: str = "https://api.map.baidu.com/place/v2/search"
    cities: list[str] = Field(min_length=1, description="region of each request plan: a city, not 全国")
    page_size: int = Field(20, ge=1, le=20)


class _MapSource(SourceType):
    respect_robots = False  # paid APIs, not pages
    provider = ""

    def __init__(self, name: str, options: SourceOptions, clock: Callable[[], float] = time.time) -> None:
        super().__init__(name, options)
        self.clock = clock

    def secrets(self) -> list[str]:
        o: MapOptions = self.options  # type: ignore[assignment]
        return [v for v in (os.environ.get(o.key_env, ""),) if v]

    def keywords(self, queries: list[str]) -> list[str]:
        """Each query with each suffix, once."""
        o: MapOptions = self.options  # type: ignore[assignment]
        return list(dict.fromkeys(q.strip() + s for q in queries if q.strip() for s in o.suffixes))

    def problem(self, doc: dict) -> tuple[str, str] | None:
        raise NotImplementedError

    def check(self, text: str) -> None:
        """A quota or rate answer: Throttled (until Beijing midnight for a daily quota), before it is parsed."""
        try:
            doc = json.loads(text)
        except ValueError:
            return  # not JSON: parse says so
        problem = self.problem(doc) if isinstance(doc, dict) else None
        if problem is None:
            return
        kind, message = problem
        if kind == "daily":
            raise Throttled(f"{message}; it resets at 00:00 Beijing time", after=seconds_to_reset(self.clock()))
        if kind == "frequent":
            raise Throttled(f"{message}; lower the rate for this host in config.yaml (fetch.hosts) if it persists")


class AmapSource(_MapSource):
    """高德地图 place search by keyword and city (Web服务 key from the environment)."""

    type_name = "amap"
    Options = AmapOptions

    def problem(self, doc: dict) -> tuple[str, str] | None:
        return amap_problem(doc)

    def requests(self, queries: list[str]) -> Iterator[Request]:
        o: AmapOptions = self.options  # type: ignore[assignment]
        key = _env(o.key_env, self.name, "key_env")
        for word in self.keywords(queries):
            for city in o.cities or [""]:  # no city: all of China
                params = {"keywords": word, "city": city, "citylimit": "true" if o.city_limit and city else "false",
                          "offset": str(o.page_size), "page": "1", "extensions": "all", "output": "JSON", "key": key}
                yield Request(o.base_url, word, 1, {k: v for k, v in params.items() if v})

    def parse(self, text: str, request: Request) -> Parsed:
        o: AmapOptions = self.options  # type: ignore[assignment]
        return parse_amap(text, request, self.name, o.max_pages, o.key_env)


class BaiduMapSource(_MapSource):
    """百度地图 place search by keyword and region (服务端 ak from the environment)."""

    type_name = "baidu_map"
    Options = BaiduMapOptions

    def problem(self, doc: dict) -> tuple[str, str] | None:
        return baidu_problem(doc)

    def requests(self, queries: list[str]) -> Iterator[Request]:
        o: BaiduMapOptions = self.options  # type: ignore[assignment]
        key = _env(o.key_env, self.name, "key_env")
        for word in self.keywords(queries):
            for city in o.cities:
                # ret_coordtype gcj02ll: the same coordinates as Amap's, not Baidu's own BD-09
                params = {"query": word, "region": city, "city_limit": "true" if o.city_limit else "false",
                          "output": "json", "scope": "2", "page_size": str(o.page_size), "page_num": "0",
                          "ret_coordtype": "gcj02ll", "ak": key}
                yield Request(o.base_url, word, 1, params)

    def parse(self, text: str, request: Request) -> Parsed:
        o: BaiduMapOptions = self.options  # type: ignore[assignment]
        return parse_baidu_map(text, request, self.name, o.max_pages, o.key_env)
