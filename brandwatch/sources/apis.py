"""Paid registry APIs: ``qcc`` (企查查 OpenAPI FuzzySearch/GetList) and ``tianyancha`` (open API search/2.0).

Keys come from environment variables named in config (never from config
itself) and never appear in logs, errors or the database: the pipeline
replaces them with *** wherever a URL or message is kept (``secrets``).
These APIs answer HTTP 200 with an error code in the body; the codes are
read here and turned into errors that say what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator

from pydantic import Field

from ..errors import ConfigError, ParseError
from ..models import Listing
from .base import Parsed, Request, SourceOptions, SourceType, clean


def _env(name: str, source: str, key: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ConfigError(f"source {source}: options.{key} names ${name}, which is not set; export it first")
    return value


class QccOptions(SourceOptions):
    key_env: str = Field("QCC_KEY", description="environment variable holding the app key")
    secret_env: str = Field("QCC_SECRET", description="environment variable holding the secret key")
    base_url: str = "https://api.qichacha.com/FuzzySearch/GetList"
    pages: int = Field(1, ge=1, le=50)


class QccSource(SourceType):
    """企查查 OpenAPI fuzzy search: headers Token = upper(md5(key + Timespan + SecretKey)) and Timespan."""

    type_name = "qcc"
    Options = QccOptions
    respect_robots = False

    def __init__(self, name: str, options: SourceOptions, clock=time.time) -> None:
        super().__init__(name, options)
        self.clock = clock

    def secrets(self) -> list[str]:
        o: QccOptions = self.options  # type: ignore[assignment]
        return [v for v in (os.environ.get(o.key_env, ""), os.environ.get(o.secret_env, "")) if v]

    def _request(self, query: str, page: int) -> Request:
        o: QccOptions = self.options  # type: ignore[assignment]
        key, secret = _env(o.key_env, self.name, "key_env"), _env(o.secret_env, self.name, "secret_env")
        timespan = str(int(self.clock()))
        token = hashlib.md5((key + timespan + secret).encode()).hexdigest().upper()
        params = {"key": key, "searchKey": query, "pageIndex": str(page), "pageSize": "20"}
        return Request(o.base_url, query, page, params, {"Token": token, "Timespan": timespan})

    def requests(self, queries: list[str]) -> Iterator[Request]:
        for q in queries:
            yield self._request(q, 1)

    def parse(self, text: str, request: Request) -> Parsed:
        o: QccOptions = self.options  # type: ignore[assignment]
        listings, total_pages = parse_qcc(text, self.name)
        if listings and request.page < min(o.pages, total_pages):
            return Parsed(tuple(listings), self._request(request.query, request.page + 1))
        return Parsed(tuple(listings))


def parse_qcc(text: str, source: str = "qcc") -> tuple[list[Listing], int]:
    """企查查 FuzzySearch/GetList JSON → (listings, pages). Status "200" ok, "201" no result."""
    doc = _json(text)
    status = str(doc.get("Status", ""))
    if status == "201":
        return [], 0
    if status != "200":
        raise ParseError(f"企查查 answered Status {status}: {doc.get('Message', '')}; check the key and quota")
    if not isinstance(doc.get("Result"), list):
        raise ParseError("企查查 answered Status 200 without a Result list; not a search result")
    out = []
    for item in doc["Result"]:
        if not isinstance(item, dict):
            continue
        name = clean(item.get("Name"))
        if not name:
            continue
        fields = {"统一社会信用代码": clean(item.get("CreditCode")), "法定代表人": clean(item.get("OperName")),
                  "status": clean(item.get("Status")), "成立日期": clean(item.get("StartDate"))[:10],
                  "注册号": clean(item.get("No")), "地址": clean(item.get("Address"))}
        fields = {k: v for k, v in fields.items() if v}
        key = fields.get("统一社会信用代码") or clean(item.get("KeyNo")) or name
        out.append(Listing(source, key, "company", name, "", tuple(sorted(fields.items()))))
    paging = doc.get("Paging") or {}
    size, total = int(paging.get("PageSize") or 20), int(paging.get("TotalRecords") or len(out))
    return out, max(1, -(-total // max(1, size)))


class TianyanchaOptions(SourceOptions):
    token_env: str = Field("TIANYANCHA_TOKEN", description="environment variable holding the API token")
    base_url: str = "https://open.api.tianyancha.com/services/open/search/2.0"
    pages: int = Field(1, ge=1, le=50)
    page_size: int = Field(20, ge=1, le=20)


class TianyanchaSource(SourceType):
    """天眼查 open API search/2.0: header Authorization; error_code 0 ok, 300000 no data."""

    type_name = "tianyancha"
    Options = TianyanchaOptions
    respect_robots = False

    def secrets(self) -> list[str]:
        o: TianyanchaOptions = self.options  # type: ignore[assignment]
        return [v for v in (os.environ.get(o.token_env, ""),) if v]

    def _request(self, query: str, page: int) -> Request:
        o: TianyanchaOptions = self.options  # type: ignore[assignment]
        token = _env(o.token_env, self.name, "token_env")
        params = {"word": query, "pageSize": str(o.page_size), "pageNum": str(page)}
        return Request(o.base_url, query, page, params, {"Authorization": token})

    def requests(self, queries: list[str]) -> Iterator[Request]:
        for q in queries:
            yield self._request(q, 1)

    def parse(self, text: str, request: Request) -> Parsed:
        o: TianyanchaOptions = self.options  # type: ignore[assignment]
        listings, total = parse_tianyancha(text, self.name)
        if listings and request.page < min(o.pages, -(-total // o.page_size)):
            return Parsed(tuple(listings), self._request(request.query, request.page + 1))
        return Parsed(tuple(listings))


TIANYANCHA_ERRORS = {
    300004: "too frequent; lower the rate for this host in config.yaml (fetch.hosts)",
    300006: "the quota is used up; buy more or lower `pages` and `variants`",
    300007: "the quota is used up; buy more or lower `pages` and `variants`",
}


def parse_tianyancha(text: str, source: str = "tianyancha") -> tuple[list[Listing], int]:
    """天眼查 search/2.0 JSON → (listings, total results)."""
    doc = _json(text)
    code = doc.get("error_code")
    if code == 300000:
        return [], 0
    if code != 0:
        hint = TIANYANCHA_ERRORS.get(code, "check the token")
        raise ParseError(f"天眼查 answered error_code {code} ({doc.get('reason', '')}): {hint}")
    result = doc.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("items"), list):
        raise ParseError("天眼查 answered error_code 0 without result.items; not a search result")
    out = []
    for item in result["items"]:
        if not isinstance(item, dict):
            continue
        name = clean(item.get("name"))
        if not name:
            continue
        fields = {"统一社会信用代码": clean(item.get("creditCode")), "法定代表人": clean(item.get("legalPersonName")),
                  "status": clean(item.get("regStatus")), "成立日期": clean(item.get("estiblishTime"))[:10],
                  "注册号": clean(item.get("regNumber"))}
        fields = {k: v for k, v in fields.items() if v}
        key = fields.get("统一社会信用代码") or clean(item.get("id")) or name
        out.append(Listing(source, key, "company", name, "", tuple(sorted(fields.items()))))
    return out, int(result.get("total") or len(out))


def _json(text: str) -> dict:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ParseError(f"not JSON ({e.msg} at line {e.lineno})") from None
    if not isinstance(doc, dict):
        raise ParseError("the answer is not a JSON object")
    return doc
