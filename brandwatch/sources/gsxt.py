"""``gsxt``: the national enterprise credit register (国家企业信用信息公示系统).

Its web search page (``a.search_list_item`` blocks) and its app search JSON
(``data.result.data[]``) are parsed here. The live site guards search with a
JavaScript challenge (HTTP 521) and a slider captcha: brandwatch never tries
to solve or bypass them. A fetch that meets them is reported as *blocked*
(fetch.Blocked), and pages a person saved from a browser come in through
``brandwatch import --source gsxt FILE...``, kept as evidence like any capture.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import quote, urljoin

from bs4 import BeautifulSoup
from pydantic import Field

from ..errors import ParseError
from ..models import Listing
from .base import Parsed, Request, SourceOptions, SourceType, clean, dig

_CODE = re.compile(r"统一社会信用代码[：:]\s*([0-9A-Z]{18})")
_DATE = re.compile(r"成立日期[：:]\s*(\d{4})年(\d{1,2})月(\d{1,2})日")
_REP = re.compile(r"(法定代表人|负责人|执行事务合伙人|经营者|投资人)[：:]\s*([^\s：:]+)")


def parse_gsxt_web(text: str, base_url: str, source: str = "gsxt") -> list[Listing]:
    """The register's web search results page → listings. Pure.

    The page is a result list when it has result blocks or the result header
    (``div.search_result``: 查询结果…条信息), which the register shows with no results too.
    """
    soup = BeautifulSoup(text, "html.parser")
    out = []
    for item in soup.select("a.search_list_item"):
        name_node = item.select_one("h1")
        name = clean(name_node.get_text("")) if name_node else ""
        if not name:
            continue
        body = clean(item.get_text(" "))
        fields: dict[str, str] = {}
        if m := _CODE.search(body):
            fields["统一社会信用代码"] = m.group(1)
        if m := _REP.search(body):
            fields["法定代表人"] = m.group(2)
            fields["代表人类型"] = m.group(1)
        if m := _DATE.search(body):
            fields["成立日期"] = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        status = item.select_one(".wrap-corpStatus span, span.ying_satus2")
        if status is not None:
            fields["status"] = clean(status.get_text(""))
        href = item.get("href")
        url = urljoin(base_url, href) if isinstance(href, str) else ""
        key = fields.get("统一社会信用代码") or url or name
        out.append(Listing(source, key, "company", name, url, tuple(sorted(fields.items()))))
    if not out and soup.select_one("div.search_result") is None:
        raise ParseError("neither result blocks (a.search_list_item) nor the result header (div.search_result) is "
                         "on the page: not the register's result list (a challenge or a changed layout?)")
    return out


APP_FIELDS = {
    "统一社会信用代码": "uniscId", "注册号": "regNo", "法定代表人": "legelRep", "成立日期": "estDate",
    "status": "corpStatusString", "企业类型": "entTypeCn", "登记机关": "regOrg",
}


def parse_gsxt_app(text: str, source: str = "gsxt") -> tuple[list[Listing], int]:
    """The register's app search JSON → (listings, total pages). Pure. ``data.result.data`` must be a list."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ParseError(f"not JSON ({e.msg} at line {e.lineno} column {e.colno})") from None
    result = dig(doc, "data.result")
    if not isinstance(result, dict) or not isinstance(result.get("data"), list):
        raise ParseError("data.result.data is not a list in the answer: not the register's app search result")
    out = []
    for item in result["data"]:
        if not isinstance(item, dict):
            continue
        name = clean(item.get("entName"))
        if not name:
            continue
        fields = {k: clean(item.get(path)) for k, path in APP_FIELDS.items() if clean(item.get(path))}
        key = fields.get("统一社会信用代码") or fields.get("注册号") or name
        out.append(Listing(source, key, "company", name, "", tuple(sorted(fields.items()))))
    total = result.get("totalPage")
    return out, int(total) if isinstance(total, int) else 1


class GsxtOptions(SourceOptions):
    url: str = Field("https://www.gsxt.gov.cn/corp-query-search-1.html?searchword={query}",
                     description="web search URL template with {query}")


class GsxtSource(SourceType):
    """The national enterprise credit register's web search (blocked by its challenge when live)."""

    type_name = "gsxt"
    Options = GsxtOptions

    def requests(self, queries: list[str]) -> Iterator[Request]:
        opts: GsxtOptions = self.options  # type: ignore[assignment]
        for q in queries:
            yield Request(opts.url.format(query=quote(q)), q, 1)

    def parse(self, text: str, request: Request) -> Parsed:
        if text.lstrip().startswith("{"):
            listings, _ = parse_gsxt_app(text, self.name)
        else:
            listings = parse_gsxt_web(text, request.url, self.name)
        return Parsed(tuple(listings))
