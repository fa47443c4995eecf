"""Parsers: pure functions from a response to listings, on our fixtures and on ../shared/real when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brandwatch.errors import ParseError
from brandwatch.fetch import challenge_reason
from brandwatch.sources import SOURCE_TYPES, Request, parse_gsxt_app, parse_gsxt_web, parse_html, parse_json
from brandwatch.sources.html import HtmlOptions, item_url
from brandwatch.sources.jsonapi import JsonOptions

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real"
needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/real not present")


@needs_real
def test_gsxt_web_page():
    listings = parse_gsxt_web((REAL / "gsxt" / "web_search_result_xiaomi.html").read_text(encoding="utf-8"),
                              "https://www.gsxt.gov.cn/corp-query-search-1.html")
    assert len(listings) == 10
    first = listings[0]
    assert first.name == "湖北小米长江产业基金合伙企业（有限合伙）"  # highlight tags gone
    assert first.key == first.field("统一社会信用代码") == "91420100MA4KX8N35J"
    assert first.field("成立日期") == "2017-12-07" and first.field("代表人类型") == "执行事务合伙人"
    assert all(len(x.field("统一社会信用代码")) == 18 for x in listings)


@needs_real
def test_gsxt_app_json():
    listings, pages = parse_gsxt_app((REAL / "gsxt" / "app_search_result_xiaomi.json").read_text(encoding="utf-8"))
    assert len(listings) == 10 and pages >= 1
    assert listings[0].field("status").startswith("存续") and "<font" not in listings[0].name


@needs_real
def test_commercial_registry_api_shape():
    doc = json.loads((REAL / "tencentcloud-eportrait" / "SearchEnterprises.json").read_text(encoding="utf-8"))
    text = json.dumps(doc, ensure_ascii=False)
    items_path = next(p for p in ("Response.Data.List", "Response.Data", "Response.List") if _dig(doc, p))
    opts = JsonOptions(url="{query}", items=items_path, fields={"name": "Name", "code": "CreditNo"}, key="code")
    listings, _ = parse_json(text, opts, "qxb")
    assert listings and any("腾讯" in x.name for x in listings)


def _dig(doc, path):
    for part in path.split("."):
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


@needs_real
def test_gsxt_challenge_is_not_a_result_page():
    body = (REAL / "gsxt" / "jsl_521_challenge_body.html").read_text(encoding="utf-8").split("\n", 1)[-1]
    with pytest.raises(ParseError, match="not the register's result list"):
        parse_gsxt_web(body, "https://www.gsxt.gov.cn/")  # never "no results", even if it came with HTTP 200
    assert "__jsl_clearance" in challenge_reason(body)  # so the run is blocked (and fetch blocks it first)


@needs_real
@pytest.mark.parametrize(("file", "items", "fields"), [
    ("bilibili/search_type_video_keyword_shaonian.json", "data.result", {"name": "title", "id": "bvid"}),
    ("tencentcloud-eportrait/DescribeEnterprises.json", "Response.Data", {"name": "Name", "code": "Eid"}),
    ("tencentcloud-eportrait/SearchEnterprises.json", "Response.Data", {"name": "Name", "code": "Eid"}),
])
def test_real_api_answers_parse_as_result_lists(file, items, fields):
    text = (REAL / file).read_text(encoding="utf-8")
    listings, _ = parse_json(text, JsonOptions(url="{query}", items=items, fields=fields), "api")
    assert listings
    with pytest.raises(ParseError, match="is not in the answer"):  # the same answer read at the wrong path
        parse_json(text, JsonOptions(url="{query}", items="data.items", fields=fields), "api")


@needs_real
def test_real_register_pages_cut_or_emptied():
    page = (REAL / "gsxt" / "web_search_result_xiaomi.html").read_text(encoding="utf-8")
    start, end = page.index('<a class="search_list_item'), page.rindex("</a>") + 4
    emptied = page[:start] + page[end:]  # the result header stays: the register's "0 results" page
    assert parse_gsxt_web(emptied, "https://www.gsxt.gov.cn/") == []
    shell = page[: page.index('<div class="search_result"')]  # cut before the results: not a result list
    with pytest.raises(ParseError):
        parse_gsxt_web(shell, "https://www.gsxt.gov.cn/")


HTML_OPTS = HtmlOptions(url="https://x/s?q={query}", item="div.r", fields={"name": "a", "url": "a@href"})

MALFORMED = [
    ("<div class=r><a href='/1'>微众科技</a>", ["微众科技"]),  # unclosed tags
    ("<div class=r><a href='/1'>微众<b>科技</a></div><div class=r><a>", ["微众 科技"]),
    ("<<<>>>&&&", None),  # None: not a result list, a ParseError
    ("", None),
    ("<div class=r><a href='/1'>&#24494;&#20247;</a></div>", ["微众"]),
]


@pytest.mark.parametrize(("text", "names"), MALFORMED)
def test_html_parser_survives_malformed_pages(text, names):
    if names is None:
        with pytest.raises(ParseError, match=r"options\.results is not set"):
            parse_html(text, "https://x/", HTML_OPTS, "src")
        return
    listings, _ = parse_html(text, "https://x/", HTML_OPTS, "src")
    assert [x.name for x in listings] == names


def _items(*links: tuple[str, str]) -> str:
    return "".join(f"<div class=r><a href='{href}'>{name}</a></div>" for href, name in links)


BASE = "https://x/s?q=%E5%BE%AE%E4%BC%97"
KEYS = [  # (what, items (href, name), [(key, url)]): a key is never a non-web URL, and never shared by two names
    ("web links", _items(("/c/1", "微众甲"), ("https://y/c/2", "微众乙")),
     [("https://x/c/1", "https://x/c/1"), ("https://y/c/2", "https://y/c/2")]),
    ("javascript:", _items(("javascript:void(0)", "微众甲"), ("javascript:void(0)", "微众乙")),
     [("微众甲", ""), ("微众乙", "")]),
    ("javascript: in other cases", _items((" JavaScript:go(1)", "微众甲"), ("JAVASCRIPT:go(2)", "微众乙")),
     [("微众甲", ""), ("微众乙", "")]),
    ("#", _items(("#", "微众甲"), ("#top", "微众乙")), [("微众甲", ""), ("微众乙", "")]),
    ("about:blank, mailto:, data:", _items(("about:blank", "微众甲"), ("mailto:a@x.cn", "微众乙"),
                                          ("data:text/html,x", "微众丙")),
     [("微众甲", ""), ("微众乙", ""), ("微众丙", "")]),
    ("the search page itself", _items((BASE, "微众甲"), ("", "微众乙")), [("微众甲", ""), ("微众乙", "")]),
    ("one URL, two names", _items(("/login", "微众甲"), ("/login", "微众乙"), ("/c/3", "微众丙")),
     [("https://x/login 微众甲", "https://x/login"), ("https://x/login 微众乙", "https://x/login"),
      ("https://x/c/3", "https://x/c/3")]),
    ("one URL, one name twice: one listing", _items(("/c/1", "微众甲"), ("/c/1", "微众甲")),
     [("https://x/c/1", "https://x/c/1"), ("https://x/c/1", "https://x/c/1")]),
]


@pytest.mark.parametrize(("what", "text", "keys"), KEYS, ids=[k[0] for k in KEYS])
def test_html_keys_are_web_urls_or_names_and_distinct_per_name(what, text, keys):
    listings, _ = parse_html(text, BASE, HTML_OPTS, "src")
    assert [(x.key, x.url) for x in listings] == keys


def test_related_rows_of_a_detail_page_follow_the_same_keys():
    from brandwatch.models import Listing
    from brandwatch.sources.html import HtmlDetail, parse_detail_html

    rows = "".join(f"<tr class=row><td><a href='{href}'>{name}</a></td></tr>" for href, name in [
        ("javascript:void(0)", "微众甲"), ("javascript:void(0)", "微众乙"), ("/login", "微众丙"), ("/login", "微众丁"),
        ("/c/5", "微众戊")])
    page = f"<h1>微众</h1><table class=related>{rows}</table>"
    opts = HtmlDetail(proof="h1", related="tr.row", related_fields={"name": "a", "url": "a@href"})
    base = Listing("src", "https://x/c/1", "company", "微众", "https://x/c/1")
    got = parse_detail_html(page, Request("https://x/c/1", listing=base), opts, "src")
    assert [(x.key, x.url) for x in got[1:]] == [
        ("微众甲", ""), ("微众乙", ""), ("https://x/login 微众丙", "https://x/login"),
        ("https://x/login 微众丁", "https://x/login"), ("https://x/c/5", "https://x/c/5")]


@pytest.mark.parametrize(("href", "url"), [
    ("java\tscript:alert(1)", ""), ("\x00 javascript:alert(1)", ""), ("java\nscript:x", ""),  # as browsers read them
    ("/c/1\n", "https://x/c/1"), ("HTTPS://y/c", "https://y/c"), ("#", ""), ("?q=%E5%BE%AE%E4%BC%97#r", ""),
])
def test_item_url_reads_an_href_as_a_browser_does(href, url):
    assert item_url(BASE, href) == url


LISTED = HtmlOptions(url="https://x/s?q={query}", item="ul.results li", fields={"name": "a"},
                     results="ul.results, p.no-results")
SHELL = '<html><head><script src="/app.js"></script></head><body><div id="app"></div></body></html>'
BIG_SCRIPT = "<html><body><script>" + "var a=" + "'x'+" * 16000 + "'';</script></body></html>"  # 63 KB
PAGES = [
    ("results", '<ul class="results"><li><a>微众科技</a></li></ul>', ["微众科技"]),
    ("the list, empty", '<ul class="results"></ul>', []),
    ("a no-results notice", '<p class="no-results">没有找到相关结果</p>', []),
    ("an app shell", SHELL, None),
    ("a 63 KB script, no list", BIG_SCRIPT, None),
    ("malformed, the list cut off", '<div><ul class="result', None),
    ("items without names", '<div class="r"><span>x</span></div>', None),
]


@pytest.mark.parametrize(("what", "text", "names"), PAGES, ids=[p[0] for p in PAGES])
def test_an_html_page_must_prove_it_is_a_result_list(what, text, names):
    if names is None:
        with pytest.raises(ParseError, match="nor the result list"):
            parse_html(text, "https://x/", LISTED, "src")
        return
    listings, _ = parse_html(text, "https://x/", LISTED, "src")
    assert [x.name for x in listings] == names


def test_json_parser_errors_say_what():
    opts = JsonOptions(url="{query}", items="data.list", fields={"name": "n"})
    with pytest.raises(ParseError, match="not JSON"):
        parse_json("<html>", opts, "s")
    with pytest.raises(ParseError, match=r"data\.list is not a list"):
        parse_json('{"data": {"list": 3}}', opts, "s")
    with pytest.raises(ParseError, match=r"data\.list is not in the answer"):  # an error object, a changed API
        parse_json('{"code": -412, "message": "request was banned"}', opts, "s")
    assert parse_json('{"data": {"list": []}}', opts, "s")[0] == []  # an empty list where the list belongs


@pytest.mark.parametrize(("text", "count"), [
    ('{"data": {"result": {"data": [], "totalPage": 0}}}', 0),
    ('{"data": {"result": {"data": [{"entName": "微众<font>科技</font>"}]}}}', 1),
    ('{"data": {}}', None),
    ('{"code": 1, "data": null}', None),
    ("<html>challenge</html>", None),
])
def test_gsxt_app_answers(text, count):
    if count is None:
        with pytest.raises(ParseError):
            parse_gsxt_app(text)
    else:
        assert len(parse_gsxt_app(text)[0]) == count


def test_every_type_is_registered_with_options():
    assert set(SOURCE_TYPES) >= {"html", "json", "itunes", "gsxt"}
    for t in SOURCE_TYPES.values():
        assert t.Options.__doc__ or t.__doc__


def test_itunes_requests():
    src = SOURCE_TYPES["itunes"]("apps", SOURCE_TYPES["itunes"].Options())
    (req,) = list(src.requests(["微众"]))
    assert req.params == {"term": "微众", "country": "cn", "entity": "software", "limit": "50"}
    parsed = src.parse(json.dumps({"results": [{"trackName": "微众银行", "bundleId": "com.webank"}]}), req)
    assert parsed.listings[0].key == "com.webank" and parsed.listings[0].kind == "app"
    assert isinstance(req, Request)


API_ANSWERS = [
    ("qcc", {"Status": "201", "Message": "查询无结果"}, 0, None),
    ("qcc", {"Status": "102", "Message": "账号余额不足"}, None, "Status 102"),
    ("qcc", {"Status": "200", "Message": "查询成功"}, None, "without a Result list"),
    ("qcc", {"Status": "200", "Result": [{"Name": "微众科技有限公司"}]}, 1, None),
    ("tianyancha", {"error_code": 0, "reason": "ok"}, None, "without result.items"),
    ("tianyancha", {"error_code": 0, "reason": "ok", "result": {"total": 1, "items": [
        {"name": "<em>微众</em>金服科技有限公司", "creditCode": "91440300MA5F000001", "regStatus": "存续"}]}}, 1, None),
    ("tianyancha", {"error_code": 300000, "reason": "无数据"}, 0, None),
    ("tianyancha", {"error_code": 300004, "reason": "请求过于频繁"}, None, "too frequent"),
    ("tianyancha", {"error_code": 300007, "reason": "剩余次数不足"}, None, "quota is used up"),
]


@pytest.mark.parametrize(("api", "answer", "count", "error"), API_ANSWERS)
def test_paid_api_answers(api, answer, count, error):
    from brandwatch.sources import parse_qcc, parse_tianyancha

    parse = parse_qcc if api == "qcc" else parse_tianyancha
    if error:
        with pytest.raises(ParseError, match=error):
            parse(json.dumps(answer, ensure_ascii=False))
    else:
        listings, _ = parse(json.dumps(answer, ensure_ascii=False))
        assert len(listings) == count
        assert all("<em>" not in x.name for x in listings)


def test_qcc_token():
    import hashlib
    import os

    src = SOURCE_TYPES["qcc"]("qcc", SOURCE_TYPES["qcc"].Options())
    src.clock = lambda: 1700000000.5
    os.environ["QCC_KEY"], os.environ["QCC_SECRET"] = "k", "s"
    try:
        (req,) = list(src.requests(["微众"]))
    finally:
        del os.environ["QCC_KEY"], os.environ["QCC_SECRET"]
    assert req.headers == {"Token": hashlib.md5(b"k1700000000s").hexdigest().upper(), "Timespan": "1700000000"}


def test_html_encoding_option_overrides_a_wrong_declaration():
    src = SOURCE_TYPES["html"]("s", HtmlOptions(url="https://x/?q={query}", item="div", fields={"name": "a"},
                                                encoding="gbk"))
    body = '<meta charset="utf-8"><div><a>微众</a></div>'.encode("gbk")
    assert "微众" in src.text_of(body, body.decode("utf-8", "replace"))
