"""What every source type has: a plan of requests and a pure parser.

A source type is an adapter registered by name (``html``, ``json``,
``itunes``, ``gsxt`` …). Its options are a pydantic model that config.yaml
validates; its ``requests`` say what to fetch for a list of search queries
(the marks, their aliases and top variants), and its ``parse`` turns one
fetched page into listings and, maybe, the next page to fetch. Parsers never
touch the network or the store.

A parser proves that a page is a result list before it returns: results, or
the list's structure itself when it is empty (an empty JSON array at the
right path, the register's result header, the ``results`` element an html
source names). Anything else (an app shell, a page whose layout changed, a
challenge answered with HTTP 200, malformed JSON) raises ParseError: the page
is a failure, never "no results", and what it did not list is not absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ..errors import ParseError
from ..models import Listing


class SourceOptions(BaseModel):
    """Options every source type accepts; each type adds its own."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Request:
    url: str
    query: str = ""
    page: int = 1
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    listing: Listing | None = None  # a detail page: the listing from the result list it belongs to


@dataclass(frozen=True)
class Parsed:
    """One page that parsed as a result list: its listings (maybe none) and the next page to fetch."""

    listings: tuple[Listing, ...]
    next: Request | None = None
    details: tuple[Request, ...] = ()  # detail pages of these listings to fetch (``parse_detail`` reads them)


class SourceType:
    """Base class: subclasses set ``type_name``, ``Options`` and implement the two methods."""

    type_name: ClassVar[str] = ""
    Options: ClassVar[type[SourceOptions]] = SourceOptions
    respect_robots: ClassVar[bool] = True  # page scraping; paid APIs set False
    # never fetched: pages come only through ``brandwatch import`` (platforms that forbid crawling)
    import_only: ClassVar[bool] = False

    def __init__(self, name: str, options: SourceOptions) -> None:
        self.name, self.options = name, options

    def text_of(self, body: bytes, decoded: str) -> str:
        """The page's text: what fetch decoded, unless the source's options name an encoding."""
        encoding = getattr(self.options, "encoding", "")
        if not encoding:
            return decoded
        name = encoding.lower()
        return body.decode("gb18030" if name in ("gbk", "gb2312", "cp936") else name, "replace")

    def secrets(self) -> list[str]:
        """Values that must never be kept or shown (API keys); the pipeline masks them."""
        return []

    def check(self, text: str) -> None:
        """Raise Throttled when an HTTP 200 answer's body says to slow down or to wait (an API's quota).

        Called inside the fetch, before the page is kept or parsed, so the fetcher retries it with
        backoff like HTTP 429, or defers the source when the wait is longer than the run's budget.
        Most sources have nothing to check.
        """

    def requests(self, queries: list[str]) -> Iterator[Request]:
        raise NotImplementedError

    def parse(self, text: str, request: Request) -> Parsed:
        """The page's listings; ParseError when the page is not a result list this source can read."""
        raise NotImplementedError

    def detail_pages(self) -> int:
        """At most this many detail pages a query (0: the source reads none)."""
        return 0

    def parse_detail(self, text: str, request: Request) -> Parsed:
        """A detail page of ``request.listing``: that listing with what the page adds, and the entities the
        page links it to (a registry's 法定代表人其他任职企业); ParseError when it is not that page."""
        raise ParseError(f"{self.name}: this source type reads no detail pages")


_TAGS = re.compile(r"<[^>]+>")


def clean(value: Any) -> str:
    """Text without markup (highlight tags such as <font color=red>) and with spaces folded."""
    if value is None:
        return ""
    text = str(value)
    if "<" in text:
        text = _TAGS.sub("", text)
    return " ".join(text.split())  # str.split() and re's \s agree on what is a space; this is 5x faster


def dig(obj: Any, path: str) -> Any:
    """A value by dotted path (``data.result.data``); None when any step is missing."""
    for part in path.split(".") if path else []:
        if isinstance(obj, Mapping):
            obj = obj.get(part)
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return None
    return obj
