"""Map place search (``amap``, ``baidu_map``): parsers on documented answers, the request plan, every class of
error answer, and whole runs through pipeline.run_source against a server on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from brandwatch.captures import CaptureArchive
from brandwatch.errors import BrandwatchError, ConfigError, Deferred, FetchError, ParseError, Throttled
from brandwatch.fetch import Fetcher, FetchPolicy
from brandwatch.logs import install
from brandwatch.pipeline import run_source
from brandwatch.sources import SOURCE_TYPES, Request, parse_amap, parse_baidu_map
from brandwatch.sources.maps import AmapOptions, AmapSource, BaiduMapOptions, BaiduMapSource, seconds_to_reset
from brandwatch.store import Store

from .httpserver import Answer, LocalServer

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "maps"
AMAP_KEY = "amap-key-0123456789abcdef"
BAIDU_AK = "baidu-ak-fedcba9876543210"
# 2024-05-01 15:30:00 UTC is 23:30 in Beijing: the daily quota resets in 30 minutes (and RESET_SLACK)
CLOCK = datetime(2024, 5, 1, 15, 30, tzinfo=UTC).timestamp()


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def amap_request(page: int = 1, size: int = 2) -> Request:
    return Request("https://restapi.amap.com/v3/place/text", "微众", page,
                   {"keywords": "微众", "city": "深圳", "offset": str(size), "page": str(page), "key": AMAP_KEY})


def baidu_request(page: int = 1, size: int = 2) -> Request:
    return Request("https://api.map.baidu.com/place/v2/search", "微众", page,
                   {"query": "微众", "region": "深圳", "page_size": str(size), "page_num": str(page - 1),
                    "ak": BAIDU_AK})


def parse(provider: str, text: str, page: int = 1, size: int = 2, max_pages: int = 3):
    if provider == "amap":
        return parse_amap(text, amap_request(page, size), "maps", max_pages)
    return parse_baidu_map(text, baidu_request(page, size), "maps", max_pages)


def answer(provider: str, status: int | str, info: str = "") -> str:
    if provider == "amap":
        return json.dumps({"status": "0", "info": info or "ERROR", "infocode": str(status)})
    return json.dumps({"status": status, "message": info or "error"}, ensure_ascii=False)


# -- parsing documented answers ------------------------------------------------------------------------

SAMPLES = [
    ("amap", "amap_page1.json", [
        ("amap:B0FFAAAA01", "微众银行客服中心(科技园店)", "https://www.amap.com/place/B0FFAAAA01", {
            "地址": "南山区科技园南区高新南一道88号", "电话": "0755-55550101;13800000001", "省份": "广东省",
            "城市": "深圳市", "区县": "南山区", "类型": "生活服务;生活服务场所;生活服务场所",
            "坐标": "113.947120,22.539864", "平台": "高德地图"},
         "微众银行客服中心(科技园店) 南山区科技园南区高新南一道88号 0755-55550101;13800000001"),
        ("amap:B0FFAAAA02", "深圳市华信达商贸有限公司", "https://www.amap.com/place/B0FFAAAA02", {
            "省份": "广东省", "城市": "深圳市", "区县": "福田区", "类型": "公司企业;公司;公司",
            "坐标": "114.055036,22.521530", "平台": "高德地图"},  # address and tel were [] in the answer
         "深圳市华信达商贸有限公司"),
    ]),
    ("baidu", "baidu_page1.json", [
        ("baidu:0a1b2c3d4e5f60718293a4b5", "微众银行客服中心",
         "http://api.map.baidu.com/place/detail?uid=0a1b2c3d4e5f60718293a4b5&output=html&source=placeapi_v2", {
             "地址": "深圳市南山区高新南一道88号", "电话": "(0755)55550102;13800000002", "省份": "广东省",
             "城市": "深圳市", "区县": "南山区", "类型": "生活服务;其他", "坐标": "113.947201,22.540071",
             "平台": "百度地图"},
         "微众银行客服中心 深圳市南山区高新南一道88号 (0755)55550102;13800000002"),
        ("baidu:1b2c3d4e5f60718293a4b5c6", "南山区图书馆", "", {
            "地址": "深圳市南山区南山大道2093号", "省份": "广东省", "城市": "深圳市", "区县": "南山区",
            "类型": "教育培训;图书馆", "坐标": "113.930612,22.532861", "平台": "百度地图"},
         "南山区图书馆 深圳市南山区南山大道2093号"),
    ]),
]


@pytest.mark.parametrize(("provider", "file", "expected"), SAMPLES, ids=[s[1] for s in SAMPLES])
def test_documented_answers_become_place_listings(provider, file, expected):
    parsed = parse(provider, fixture(file))
    got = [(x.key, x.name, x.url, dict(x.fields), x.text) for x in parsed.listings]
    assert got == expected
    for x in parsed.listings:
        assert x.kind == "place" and x.source == "maps"
        assert list(x.fields) == sorted(x.fields)  # sorted tuples, as every source keeps them


@pytest.mark.parametrize(("provider", "file"), [("amap", "amap_empty.json"), ("baidu", "baidu_empty.json")])
def test_an_empty_list_is_a_result_list_with_no_places(provider, file):
    parsed = parse(provider, fixture(file))
    assert parsed.listings == () and parsed.next is None


TELS = [
    ("amap", [], ""),
    ("amap", [""], ""),
    ("amap", "", ""),
    ("amap", "010-5555 0101", "010-5555 0101"),
    ("amap", "010-55550101;13800000003", "010-55550101;13800000003"),
    ("amap", " 010-55550101 ; ;13800000003;", "010-55550101;13800000003"),
    ("baidu", "(010)55550101,(010)55550102", "(010)55550101;(010)55550102"),
    ("baidu", "400-555-0100;13800000004", "400-555-0100;13800000004"),
    ("baidu", None, ""),
]


@pytest.mark.parametrize(("provider", "tel", "phones"), TELS)
def test_every_number_of_a_place_is_kept_as_given(provider, tel, phones):
    if provider == "amap":
        poi = {"id": "B1", "name": "某某服务中心", "tel": tel}
        doc = {"status": "1", "infocode": "10000", "count": "1", "pois": [poi]}
    else:
        item = {"uid": "u1", "name": "某某服务中心", **({"telephone": tel} if tel is not None else {})}
        doc = {"status": 0, "message": "ok", "total": 1, "results": [item]}
    (place,) = parse(provider, json.dumps(doc, ensure_ascii=False)).listings
    assert place.field("电话") == phones
    assert place.text == " ".join(p for p in ("某某服务中心", phones) if p)


def test_items_that_are_not_places_are_skipped():
    doc = {"status": 0, "message": "ok", "total": 3, "results": [
        {"name": "没有uid的条目"}, "a string", {"uid": "u2", "name": ""}, {"uid": "u3", "name": "真的地点"}]}
    assert [x.name for x in parse("baidu", json.dumps(doc, ensure_ascii=False)).listings] == ["真的地点"]
    doc = {"status": "1", "infocode": "10000", "count": "2", "pois": [{"id": "B1", "name": []}, {"name": "无id地点",
                                                                                             "location": "1,2"}]}
    (place,) = parse("amap", json.dumps(doc, ensure_ascii=False)).listings
    assert (place.key, place.url) == ("amap:无id地点@1,2", "")


# -- paging --------------------------------------------------------------------------------------------

PAGING = [
    # provider, total the API gives, places on this page, page, max_pages → next page or None
    ("amap", 3, 2, 1, 3, 2),  # full page, total not reached
    ("amap", 3, 1, 2, 3, None),  # fewer than a page
    ("amap", 9, 1, 1, 3, None),  # fewer than a page, whatever the total says
    ("amap", 4, 2, 2, 3, None),  # total reached
    ("amap", 9, 2, 3, 3, None),  # max_pages
    ("amap", 0, 2, 1, 3, 2),  # "0" beside places: the total is unknown, the full page decides
    ("amap", 0, 0, 1, 3, None),
    ("baidu", 3, 2, 1, 3, 2),
    ("baidu", 3, 1, 2, 3, None),
    ("baidu", 9, 1, 1, 3, None),
    ("baidu", 4, 2, 2, 3, None),
    ("baidu", 9, 2, 2, 2, None),
    ("baidu", 9, 2, 1, 1, None),
]


@pytest.mark.parametrize(("provider", "total", "n", "page", "max_pages", "nxt"), PAGING)
def test_paging_stops_at_a_short_page_the_total_or_max_pages(provider, total, n, page, max_pages, nxt):
    if provider == "amap":
        doc = {"status": "1", "infocode": "10000", "count": str(total),
               "pois": [{"id": f"B{i}", "name": f"地点{i}"} for i in range(n)]}
    else:
        doc = {"status": 0, "message": "ok", "total": total,
               "results": [{"uid": f"u{i}", "name": f"地点{i}"} for i in range(n)]}
    parsed = parse(provider, json.dumps(doc, ensure_ascii=False), page=page, max_pages=max_pages)
    assert len(parsed.listings) == n
    if nxt is None:
        assert parsed.next is None
        return
    assert parsed.next is not None and parsed.next.page == nxt and parsed.next.query == "微众"
    if provider == "amap":
        assert parsed.next.params == {**amap_request(page).params, "page": str(nxt)}
    else:  # page_num counts from 0
        assert parsed.next.params == {**baidu_request(page).params, "page_num": str(nxt - 1)}


# -- answers that are not place lists -------------------------------------------------------------------

HTML = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
NOT_LISTS = [
    ("amap", '{"status":"1","count":"2","pois":[{"id":', r"Amap answered not JSON \(Expecting"),
    ("amap", HTML, "Amap answered not JSON .* it starts '<html><head><title>502"),
    ("amap", "", "Amap answered not JSON"),
    ("amap", "[]", "JSON that is not an object"),
    ("amap", '{"status":"1","info":"OK","infocode":"10000","count":"0"}', "without a pois list"),
    ("amap", '{"status":"1","info":"OK","infocode":"10000","pois":{}}', "without a pois list"),
    ("amap", answer("amap", 20000, "INVALID_PARAMS"), "infocode 20000 INVALID_PARAMS: a parameter is invalid"),
    ("amap", answer("amap", 20003, "UNKNOWN_ERROR"), "infocode 20003 UNKNOWN_ERROR"),
    ("amap", answer("amap", 30001, "ENGINE_RESPONSE_DATA_ERROR"), "30001 ENGINE_RESPONSE_DATA_ERROR: an unknown"),
    ("amap", '{"info":"OK"}', r"infocode \(none\) OK: an unknown infocode"),
    # a quota or rate answer is never "no places" (the fetch's check retries or defers it before parse)
    ("amap", answer("amap", 10003, "DAILY_QUERY_OVER_LIMIT"), "10003 DAILY_QUERY_OVER_LIMIT: the key's daily"),
    ("amap", answer("amap", 10004, "ACCESS_TOO_FREQUENT"), "10004 ACCESS_TOO_FREQUENT: too many requests"),
    ("baidu", '{"status":0,"message":"ok","results":[', "Baidu answered not JSON"),
    ("baidu", HTML, "Baidu answered not JSON"),
    ("baidu", '{"status":0,"message":"ok","total":0}', "without a results list"),
    ("baidu", fixture("baidu_city_type.json"), "cities with counts, not places, for region '深圳'"),
    ("baidu", answer("baidu", 2, "Parameter Invalid"), "status 2 Parameter Invalid: a parameter is invalid"),
    ("baidu", answer("baidu", 8, "Parse Proto Failure"), "status 8 .*special or full-width"),
    ("baidu", answer("baidu", 999, "?"), "status 999 \\?: an unknown status"),
    ("baidu", '{"message":"ok","results":[]}', r"status \(none\) ok: no status"),
    ("baidu", answer("baidu", 302, "天配额超限，限制访问"), "status 302 天配额超限，限制访问: the day's quota"),
    ("baidu", answer("baidu", 401, "当前并发量已经超过约定并发配额，限制访问"), "status 401 .*concurrency"),
]


@pytest.mark.parametrize(("provider", "text", "message"), NOT_LISTS)
def test_an_answer_that_is_not_a_place_list_is_a_parse_error(provider, text, message):
    with pytest.raises(ParseError, match=message) as e:
        parse(provider, text)
    assert "\n" not in str(e.value)


KEY_CODES = [
    ("amap", 10001, "INVALID_USER_KEY", "the key is wrong or expired"),
    ("amap", 10002, "SERVICE_NOT_AVAILABLE", "needs a Web服务 key"),
    ("amap", 10005, "INVALID_USER_IP", "IP whitelist"),
    ("amap", 10007, "INVALID_USER_SIGNATURE", "digital signature"),
    ("amap", 10009, "USERKEY_PLAT_NOMATCH", "another platform"),
    ("amap", 10013, "USER_KEY_RECYCLED", "deleted"),
    ("amap", 40000, "QUOTA_PLAN_RUN_OUT", "paid quota is used up"),
    ("baidu", 3, "权限校验失败", "permission check failed"),
    ("baidu", 5, "AK Failure", "does not exist or is invalid"),
    ("baidu", 101, "AK参数不存在", "no ak was sent"),
    ("baidu", 102, "MCODE参数不存在", "mcode"),
    ("baidu", 200, "APP不存在，AK有误请检查再重试", "no app has this ak"),
    ("baidu", 211, "APP SN校验失败", "SN signature"),
    ("baidu", 240, "APP 服务被禁用", "may not use place search"),
    ("baidu", 245, "?", "permission or signature"),  # the 2xx range, a code the table does not name
    ("baidu", 301, "永久配额超限，限制访问", "permanent quota"),
]


@pytest.mark.parametrize(("provider", "code", "info", "meaning"), KEY_CODES)
def test_a_refused_key_is_one_line_naming_the_variable_and_the_fix(provider, code, info, meaning):
    env = "AMAP_KEY" if provider == "amap" else "BAIDU_MAP_AK"
    with pytest.raises(ConfigError) as e:
        parse(provider, answer(provider, code, info))
    message = str(e.value)
    assert message.startswith(f"source maps: {'Amap' if provider == 'amap' else 'Baidu'} answered ")
    assert f"{code} {info}" in message and meaning in message and f"${env}: check it in the " in message
    assert "\n" not in message and AMAP_KEY not in message and BAIDU_AK not in message


CHECKS = [
    # provider, status, what check raises: "daily" (wait until Beijing midnight), "frequent" (back off), None
    ("amap", 10003, "daily"),
    ("amap", 10010, "daily"),
    ("amap", 10044, "daily"),
    ("amap", 10004, "frequent"),
    ("amap", 10016, "frequent"),
    ("amap", 10020, "frequent"),
    ("amap", 10001, None),  # a key error: parse's ConfigError stops the run
    ("amap", 20000, None),  # a bad query: parse's ParseError fails that query
    ("baidu", 4, "daily"),
    ("baidu", 302, "daily"),
    ("baidu", 1, "frequent"),
    ("baidu", 401, "frequent"),
    ("baidu", 402, "frequent"),
    ("baidu", 5, None),
    ("baidu", 2, None),
]


@pytest.mark.parametrize(("provider", "code", "kind"), CHECKS)
def test_check_turns_quota_and_rate_answers_into_throttled(provider, code, kind):
    src = source(provider, cities=["深圳"])
    src.clock = lambda: CLOCK
    text = answer(provider, code)
    if kind is None:
        assert src.check(text) is None
        return
    with pytest.raises(Throttled) as e:
        src.check(text)
    if kind == "daily":
        assert e.value.after == 30 * 60 + 60 and "resets at 00:00 Beijing time" in str(e.value)
    else:
        assert e.value.after is None and "fetch.hosts" in str(e.value)


@pytest.mark.parametrize(("provider", "text"), [
    ("amap", fixture("amap_page1.json")), ("amap", fixture("amap_empty.json")), ("baidu", fixture("baidu_page1.json")),
    *((p, t) for p in ("amap", "baidu") for t in (HTML, "", "[]", '{"status": [1]}'))])
def test_check_leaves_results_and_unreadable_answers_to_parse(provider, text):
    assert source(provider, cities=["深圳"]).check(text) is None


@pytest.mark.parametrize(("utc", "seconds"), [
    ("2024-05-01T15:30:00", 30 * 60),  # 23:30 Beijing
    ("2024-05-01T16:00:00", 24 * 3600),  # 00:00 Beijing: the next reset is a day away
    ("2024-05-01T16:00:01", 24 * 3600 - 1),
    ("2024-05-01T03:00:00", 13 * 3600),  # 11:00 Beijing
    ("2024-12-31T23:59:00", 16 * 3600 + 60),  # 07:59 on Jan 1st, Beijing
])
def test_the_daily_quota_resets_at_beijing_midnight(utc, seconds):
    now = datetime.fromisoformat(utc).replace(tzinfo=UTC).timestamp()
    assert seconds_to_reset(now) == seconds + 60  # and a minute's slack for clocks that differ


# -- the request plan and options ---------------------------------------------------------------------


def source(provider: str, **options) -> AmapSource | BaiduMapSource:
    if provider == "amap":
        return AmapSource("maps", AmapOptions(**options))
    return BaiduMapSource("maps", BaiduMapOptions(**options))


def test_amap_plan_each_query_suffix_and_city(monkeypatch):
    monkeypatch.setenv("AMAP_KEY", AMAP_KEY)
    src = source("amap", cities=["深圳", "440300"], suffixes=["", "客服", "客服中心", "客服"])
    plan = list(src.requests(["微众", " ", "微众"]))
    assert [(r.query, r.params["city"]) for r in plan] == [
        (q, c) for q in ("微众", "微众客服", "微众客服中心") for c in ("深圳", "440300")]
    assert plan[0].url == "https://restapi.amap.com/v3/place/text" and plan[0].page == 1
    assert plan[0].params == {"keywords": "微众", "city": "深圳", "citylimit": "true", "offset": "25", "page": "1",
                              "extensions": "all", "output": "JSON", "key": AMAP_KEY}
    (nationwide,) = source("amap", city_limit=True).requests(["微众"])
    assert "city" not in nationwide.params and nationwide.params["citylimit"] == "false"
    assert src.secrets() == [AMAP_KEY]


def test_baidu_plan_each_query_suffix_and_city(monkeypatch):
    monkeypatch.setenv("MY_AK", BAIDU_AK)
    src = source("baidu", key_env="MY_AK", cities=["深圳市", "广州市"], suffixes=["客服"], city_limit=False,
                 page_size=10)
    plan = list(src.requests(["微众", "微粒贷"]))
    assert [(r.query, r.params["region"]) for r in plan] == [
        ("微众客服", "深圳市"), ("微众客服", "广州市"), ("微粒贷客服", "深圳市"), ("微粒贷客服", "广州市")]
    assert plan[0].url == "https://api.map.baidu.com/place/v2/search"
    assert plan[0].params == {"query": "微众客服", "region": "深圳市", "city_limit": "false", "output": "json",
                              "scope": "2", "page_size": "10", "page_num": "0", "ret_coordtype": "gcj02ll",
                              "ak": BAIDU_AK}
    assert src.secrets() == [BAIDU_AK]


@pytest.mark.parametrize(("provider", "options", "message"), [
    ("amap", {"page_size": 26}, "less than or equal to 25"),
    ("amap", {"max_pages": 0}, "greater than or equal to 1"),
    ("amap", {"cities": ["深圳", " "]}, "a city is blank"),
    ("amap", {"key_env": "AMAP KEY"}, "should match pattern"),
    ("amap", {"suffixes": []}, "at least 1 item"),
    ("amap", {"api_key": "x"}, "Extra inputs are not permitted"),
    ("baidu", {}, "cities\n  Field required"),
    ("baidu", {"cities": []}, "at least 1 item"),
    ("baidu", {"cities": ["深圳"], "page_size": 21}, "less than or equal to 20"),
])
def test_options_are_checked(provider, options, message):
    with pytest.raises(ValidationError, match=message):
        source(provider, **options)


@pytest.mark.parametrize(("provider", "env"), [("amap", "AMAP_KEY"), ("baidu", "BAIDU_MAP_AK")])
def test_a_missing_key_is_one_line_naming_the_variable(provider, env, monkeypatch):
    monkeypatch.delenv(env, raising=False)
    with pytest.raises(ConfigError) as e:
        list(source(provider, cities=["深圳"]).requests(["微众"]))
    assert str(e.value) == f"source maps: options.key_env names ${env}, which is not set; export it first"
    assert source(provider, cities=["深圳"]).secrets() == []


def test_both_types_are_registered():
    assert SOURCE_TYPES["amap"] is AmapSource and SOURCE_TYPES["baidu_map"] is BaiduMapSource
    assert AmapSource.respect_robots is False and BaiduMapSource.respect_robots is False


# -- whole runs against a local server -------------------------------------------------------------------


@pytest.fixture
def api():
    s = LocalServer()
    yield s
    s.close()


def json_answer(text: str) -> Answer:
    return Answer(200, text.encode("utf-8"), {"Content-Type": "application/json;charset=UTF-8"})


def pages_by_param(name: str, pages: dict[str, str], seen: list[dict[str, list[str]]]):
    """A route answering by one query parameter's value (page or page_num), recording each request's query."""
    def route(path: str) -> Answer:
        query = parse_qs(urlsplit(path).query)
        seen.append(query)
        return json_answer(pages[query[name][0]])
    return route


def run(tmp_path: Path, src, matcher, queries=("微众",), *, budget: float | None = None, sleeps=None, max_tries=3):
    fetcher = Fetcher(FetchPolicy(default_interval=0, timeout=5, max_tries=max_tries, backoff=1.0),
                      sleep=(sleeps.append if sleeps is not None else None), rng=lambda: 0.5)
    with Store(tmp_path / "bw.db") as store:
        result = run_source(src, list(queries), fetcher=fetcher, store=store,
                            archive=CaptureArchive(tmp_path / "captures"), matcher=matcher, budget=budget)
        rows = store.db.execute("SELECT key, name, kind, url, fields FROM listings").fetchall()
        listings = [dict(zip(("key", "name", "kind", "url", "fields"), r, strict=True)) for r in rows]
        run_row = store.run(result.run_id)
    return result, listings, run_row


def kept_bytes(tmp_path: Path) -> bytes:
    """Everything a run kept: the database files and the WARC records, decompressed."""
    db = b"".join(p.read_bytes() for p in tmp_path.glob("bw.db*"))
    warcs = sorted((tmp_path / "captures").glob("*.warc.gz")) if (tmp_path / "captures").exists() else []
    return db + b"".join(gzip.decompress(p.read_bytes()) for p in warcs)


RUNS = [
    ("amap", "AMAP_KEY", AMAP_KEY, "page", {"1": "amap_page1.json", "2": "amap_page2.json"},
     {"max_pages": 3, "page_size": 2},
     ["amap:B0FFAAAA01", "amap:B0FFAAAA02", "amap:B0FFAAAA03"], "key"),
    ("baidu", "BAIDU_MAP_AK", BAIDU_AK, "page_num", {"0": "baidu_page1.json", "1": "baidu_page2.json"},
     {"max_pages": 3, "page_size": 2},
     ["baidu:0a1b2c3d4e5f60718293a4b5", "baidu:1b2c3d4e5f60718293a4b5c6", "baidu:2c3d4e5f60718293a4b5c6d7"], "ak"),
]


@pytest.mark.parametrize(("provider", "env", "key", "page_param", "pages", "options", "keys", "key_param"), RUNS,
                         ids=["amap", "baidu_map"])
def test_a_run_keeps_places_hits_and_evidence_but_never_the_key(tmp_path, api, matcher, monkeypatch, caplog,
                                                                provider, env, key, page_param, pages, options, keys,
                                                                key_param):
    seen: list[dict[str, list[str]]] = []
    api.routes["/search"] = pages_by_param(page_param, {k: fixture(v) for k, v in pages.items()}, seen)
    monkeypatch.setenv(env, key)
    src = source(provider, base_url=api.url + "/search", cities=["深圳"], **options)
    install(caplog.handler)  # as on every handler brandwatch sets up (logs.py)
    with caplog.at_level(logging.DEBUG):
        result, listings, row = run(tmp_path, src, matcher)
    assert (result.outcome, result.pages, result.listings, result.errors, result.proven) == ("ok", 2, 3, 0, True)
    assert sorted(x["key"] for x in listings) == keys and {x["kind"] for x in listings} == {"place"}
    assert result.new_hits >= 2  # 微众银行客服中心 and 微粒贷/微业贷 …中心 hit the webank marks
    assert [q[page_param][0] for q in seen] == list(pages)
    assert all(q[key_param] == [key] for q in seen)  # the key went to the API …
    assert key.encode() not in kept_bytes(tmp_path)  # … and nowhere else: not the store, not the WARC
    assert key not in json.dumps(row, ensure_ascii=False) and key not in caplog.text
    assert f"{key_param}=***" in caplog.text  # urllib3 logged the URL: masked
    assert b"key=***" in kept_bytes(tmp_path) or b"ak=***" in kept_bytes(tmp_path)  # the request URL, masked
    phones = [json.loads(x["fields"]).get("电话", "") for x in listings]
    assert any("13800000001" in p or "13800000002" in p for p in phones)


@pytest.mark.parametrize("provider", ["amap", "baidu"])
def test_too_frequent_is_retried_with_backoff(tmp_path, api, matcher, monkeypatch, provider):
    code, ok = (10004, "amap_empty.json") if provider == "amap" else (401, "baidu_empty.json")
    api.routes["/search"] = [json_answer(answer(provider, code, "TOO_FREQUENT")),
                             json_answer(answer(provider, code, "TOO_FREQUENT")), json_answer(fixture(ok))]
    monkeypatch.setenv("AMAP_KEY" if provider == "amap" else "BAIDU_MAP_AK", AMAP_KEY)
    sleeps: list[float] = []
    result, _, _ = run(tmp_path, source(provider, base_url=api.url + "/search", cities=["深圳"]), matcher,
                       sleeps=sleeps, max_tries=3)
    assert (result.outcome, result.pages, result.errors) == ("ok", 1, 0)
    assert len(api.log) == 3 and sleeps == [1.0, 2.0]  # the fetcher's backoff: 1 s, then doubled


@pytest.mark.parametrize("provider", ["amap", "baidu"])
def test_too_frequent_every_time_fails_the_query_not_the_run(tmp_path, api, matcher, monkeypatch, provider):
    code = 10004 if provider == "amap" else 401
    api.routes["/search"] = [json_answer(answer(provider, code, "TOO_FREQUENT"))]
    monkeypatch.setenv("AMAP_KEY" if provider == "amap" else "BAIDU_MAP_AK", AMAP_KEY)
    result, _, row = run(tmp_path, source(provider, base_url=api.url + "/search", cities=["深圳"]), matcher,
                         queries=("微众", "微粒贷"), sleeps=[], max_tries=2)
    assert (result.outcome, result.pages, result.errors) == ("failed", 0, 2)
    assert len(api.log) == 4  # each query tried twice
    assert "failed after 2 tries (last: " in result.message and str(code) in result.message
    assert AMAP_KEY not in result.message and "=***" in row["message"]


@pytest.mark.parametrize("provider", ["amap", "baidu"])
def test_a_spent_daily_quota_defers_the_source_until_beijing_midnight(tmp_path, api, matcher, monkeypatch, provider):
    code = 10003 if provider == "amap" else 302
    api.routes["/search"] = [json_answer(answer(provider, code, "DAILY_QUERY_OVER_LIMIT"))]
    monkeypatch.setenv("AMAP_KEY" if provider == "amap" else "BAIDU_MAP_AK", AMAP_KEY)
    src = source(provider, base_url=api.url + "/search", cities=["深圳", "广州"])
    src.clock = lambda: datetime.now(UTC).timestamp()
    before = datetime.now(UTC).timestamp()
    result, listings, row = run(tmp_path, src, matcher, queries=("微众", "微粒贷"), budget=600)
    assert (result.outcome, result.pages, listings) == ("deferred", 0, [])
    assert len(api.log) == 1  # the run stops at once: every later request would be refused too
    until = datetime.fromisoformat(row["deferred_until"].replace("Z", "+00:00")).timestamp()
    assert abs(until - (before + seconds_to_reset(before))) < 5
    assert datetime.fromtimestamp(until, UTC).strftime("%H:%M") == "16:01"  # 00:01 in Beijing
    assert "(as its answer says)" in result.message and "resets at 00:00 Beijing time" in result.message
    assert AMAP_KEY not in result.message


@pytest.mark.parametrize(("provider", "code", "env"), [("amap", 10001, "AMAP_KEY"), ("baidu", 200, "BAIDU_MAP_AK")])
def test_a_refused_key_stops_the_run_with_one_line(tmp_path, api, matcher, monkeypatch, provider, code, env):
    api.routes["/search"] = [json_answer(answer(provider, code, "INVALID_USER_KEY"))]
    monkeypatch.setenv(env, AMAP_KEY)
    with pytest.raises(BrandwatchError) as e:
        run(tmp_path, source(provider, base_url=api.url + "/search", cities=["深圳"]), matcher,
            queries=("微众", "微粒贷"))
    message = str(e.value)
    assert message.startswith("maps: ConfigError: source maps: ") and f"${env}: check it in the " in message
    assert "\n" not in message and AMAP_KEY not in message
    assert len(api.log) == 1  # not asked again for the second query
    with Store(tmp_path / "bw.db") as store:
        (row,) = store.runs("maps")
    assert row["outcome"] == "failed" and f"${env}" in row["message"]
    assert AMAP_KEY.encode() not in kept_bytes(tmp_path)


@pytest.mark.parametrize("provider", ["amap", "baidu"])
def test_html_or_an_error_body_with_status_200_is_a_failed_page_never_no_places(tmp_path, api, matcher, monkeypatch,
                                                                               provider):
    bad = answer(provider, 20000 if provider == "amap" else 2, "INVALID_PARAMS")
    api.routes["/search"] = [Answer(200, HTML.encode(), {"Content-Type": "text/html"}), json_answer(bad)]
    monkeypatch.setenv("AMAP_KEY" if provider == "amap" else "BAIDU_MAP_AK", AMAP_KEY)
    result, listings, row = run(tmp_path, source(provider, base_url=api.url + "/search", cities=["深圳"]), matcher,
                                queries=("微众", "微粒贷"))
    assert (result.outcome, result.pages, result.errors, result.proven, listings) == ("failed", 2, 2, False, [])
    assert "2 problem(s); first: " in result.message and "not a result page" in result.message
    assert "answered not JSON" in result.message and AMAP_KEY not in row["message"]


def test_a_missing_key_fails_the_run_in_one_line(tmp_path, api, matcher, monkeypatch):
    monkeypatch.delenv("AMAP_KEY", raising=False)
    with pytest.raises(BrandwatchError) as e:
        run(tmp_path, source("amap", base_url=api.url + "/search"), matcher)
    assert str(e.value) == ("maps: ConfigError: source maps: options.key_env names $AMAP_KEY, which is not set; "
                            "export it first")
    assert api.log == []


def test_the_fetcher_without_a_budget_defers_a_long_wait(api):
    """No budget: a wait over backoff_cap (what a run waits at most) defers, as a Retry-After does."""
    api.routes["/search"] = [json_answer(answer("amap", 10003, "DAILY_QUERY_OVER_LIMIT"))]
    src = source("amap", base_url=api.url + "/search")
    src.clock = lambda: CLOCK
    f = Fetcher(FetchPolicy(default_interval=0, backoff_cap=300), sleep=lambda s: None)
    with pytest.raises(Deferred) as e:
        f.fetch(api.url + "/search", params={"key": AMAP_KEY}, respect_robots=False, check=src.check)
    assert e.value.after == 30 * 60 + 60
    assert "wait 1860 s (as its answer says), more than the 300 s left" in str(e.value)
    # a wait that fits is slept through and the page asked again
    api.routes["/search"] = [json_answer(answer("amap", 10003)), json_answer(fixture("amap_empty.json"))]
    src.clock = lambda: datetime(2024, 5, 1, 15, 58, 30, tzinfo=UTC).timestamp()  # 90 s before the reset + slack
    slept: list[float] = []
    page = Fetcher(FetchPolicy(default_interval=0), sleep=slept.append).fetch(
        api.url + "/search", respect_robots=False, check=src.check)
    assert slept == [150.0] and json.loads(page.text)["count"] == "0"
    with pytest.raises(FetchError, match="failed after 1 tries"):
        Fetcher(FetchPolicy(default_interval=0, max_tries=1)).fetch(
            api.url + "/search", respect_robots=False, check=lambda text: (_ for _ in ()).throw(Throttled("busy")))
