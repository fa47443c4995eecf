"""``html``: any search-results page, described by CSS selectors in config."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, urljoin

from bs4 import BeautifulSoup, Tag
from pydantic import Field, field_validator

from ..errors import ParseError
from ..models import Listing
from .base import Parsed, Request, SourceOptions, SourceType, clean


class HtmlOptions(SourceOptions):
    url: str = Field(description="URL template with {query} and optionally {page}")
    item: str = Field(description="CSS selector of one result")
    fields: dict[str, str] = Field(description="field → CSS selector inside an item; 'sel@attr' reads an attribute")
    kind: str = "company"
    key: str = Field("", description="the field that identifies a listing (default: its url, else its name)")
    results: str = Field("", description="CSS selector found on every real result page, with results or without: "
                         "the list's container or the 'no results' notice ('ul.results, p.empty'); without it, "
                         "a page without results cannot be told from one brandwatch cannot read, and fails")
    next: str = Field("", description="CSS selector of the next-page link (its href)")
    pages: int = Field(1, ge=1, le=100)
    encoding: str = Field("", description="read pages in this encoding whatever they declare (gbk: gb18030)")

    @field_validator("fields")
    @classmethod
    def _needs_name(cls, value: dict[str, str]) -> dict[str, str]:
        if "name" not in value:
            raise ValueError("must have a 'name' selector")
        return value

    @field_validator("url")
    @classmethod
    def _needs_query(cls, value: str) -> str:
        if "{query}" not in value:
            raise ValueError("must contain {query}")
        return value


def select_value(item: Tag, selector: str) -> str:
    """'h1' → text of the first match; 'a@href' → its attribute; '@href' → the item's own."""
    css, _, attr = selector.partition("@")
    node = item.select_one(css) if css else item
    if node is None:
        return ""
    if attr:
        value = node.get(attr, "")
        return clean(" ".join(value) if isinstance(value, list) else value)
    return clean(node.get_text(" "))


def parse_html(text: str, base_url: str, options: HtmlOptions, source: str) -> tuple[list[Listing], str]:
    """Listings on one page, and the next page's URL ('' if none). Pure.

    ParseError unless the page proves it is a result list: an item with a name, or the
    ``results`` element.
    """
    soup = BeautifulSoup(text, "html.parser")
    out: list[Listing] = []
    for item in soup.select(options.item):
        values = {f: select_value(item, sel) for f, sel in options.fields.items()}
        name = values.pop("name", "")
        if not name:
            continue
        url = urljoin(base_url, values.pop("url")) if values.get("url") else ""
        key = values.get(options.key, "") if options.key else ""
        out.append(Listing(source, key or url or name, options.kind, name, url,
                           tuple(sorted((k, v) for k, v in values.items() if v))))
    if not out and not (options.results and soup.select_one(options.results) is not None):
        if options.results:
            raise ParseError(f"neither a result ({options.item!r}) nor the result list ({options.results!r}) is on "
                             "the page: the site answered something else (an app shell, a changed layout, a "
                             "challenge); check options.item and options.results")
        raise ParseError(f"no result ({options.item!r}) on the page, and options.results is not set, so an empty "
                         "result list cannot be told from a page brandwatch cannot read; set options.results to "
                         "the list's container or the site's 'no results' notice")
    nxt = ""
    if options.next:
        node = soup.select_one(options.next)
        href = node.get("href") if node is not None else None
        if isinstance(href, str) and href:
            nxt = urljoin(base_url, href)
    return out, nxt


class HtmlSource(SourceType):
    """Any search-results page: URL template, item selector, field selectors, next-page link."""

    type_name = "html"
    Options = HtmlOptions

    def requests(self, queries: list[str]) -> Iterator[Request]:
        opts: HtmlOptions = self.options  # type: ignore[assignment]
        for q in queries:
            yield Request(opts.url.format(query=quote(q), page=1), q, 1)

    def parse(self, text: str, request: Request) -> Parsed:
        opts: HtmlOptions = self.options  # type: ignore[assignment]
        listings, nxt = parse_html(text, request.url, opts, self.name)
        if request.page >= opts.pages:
            return Parsed(tuple(listings))
        if not nxt and "{page}" in opts.url and listings:
            nxt = opts.url.format(query=quote(request.query), page=request.page + 1)
        return Parsed(tuple(listings), Request(nxt, request.query, request.page + 1) if nxt else None)
