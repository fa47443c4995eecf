"""``html``: any search-results page, described by CSS selectors in config."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import quote, urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from pydantic import Field, field_validator

from ..errors import ParseError
from ..models import Listing
from .base import Parsed, Request, SourceOptions, SourceType, clean


class HtmlDetail(SourceOptions):
    """A result's own page (its ``url`` field): more fields, its text, and the entities it links to."""

    fields: dict[str, str] = Field(default_factory=dict, description="field → CSS selector on the detail page "
                                   "(法定代表人, 住所, 电话 …); 'text' is the listing's text (a post body)")
    proof: str = Field(description="CSS selector found on every real detail page (its title or info table): a "
                       "page without it is not read as the listing's")
    related: str = Field("", description="CSS selector of one linked entity on the page (a row of "
                         "法定代表人其他任职企业, 股东, 对外投资)")
    related_fields: dict[str, str] = Field(default_factory=dict,
                                           description="field → selector inside a related row; must have name")
    related_key: str = Field("", description="the related row's field that identifies it (its credit code)")
    related_kind: str = "company"
    pages: int = Field(50, ge=1, le=1000, description="at most this many detail pages a query")

    @field_validator("related_fields")
    @classmethod
    def _related_name(cls, value: dict[str, str]) -> dict[str, str]:
        if value and "name" not in value:
            raise ValueError("must have a 'name' selector")
        return value


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
    detail: HtmlDetail | None = Field(None, description="follow each result's url to its own page")

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


_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
_C0_OR_SPACE = "".join(map(chr, range(0x21)))


def item_url(base_url: str, href: str) -> str:
    """The web address an item links to, or '' when it links to no web page of its own.

    ``javascript:…``, ``about:blank``, ``mailto:``, ``data:`` and the like are not places, and ``#`` (or
    any link back to the results page itself) is the page, not the item: keyed by such a URL, every item
    of a page was one listing, each overwriting the last. The href is cleaned as browsers do (WHATWG URL:
    leading and trailing controls and spaces stripped, tabs and newlines removed) before its scheme is read.
    """
    href = href.strip(_C0_OR_SPACE).translate(_TAB_OR_NEWLINE)
    if not href:
        return ""
    url = urljoin(base_url, href)
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return ""
    if urldefrag(url).url == urldefrag(base_url).url:
        return ""
    return url


def _distinct_url_keys(listings: list[Listing]) -> list[Listing]:
    """Items of one page keyed by the same URL under different names (every item linking to /login, say) are
    different listings: those are keyed by URL and name. The same item twice stays one listing."""
    names: dict[str, set[str]] = {}
    for x in listings:
        if x.url and x.key == x.url:
            names.setdefault(x.key, set()).add(x.name)
    shared = {key for key, seen in names.items() if len(seen) > 1}
    return [replace(x, key=f"{x.key} {x.name}") if x.key in shared else x for x in listings]


def parse_html(text: str, base_url: str, options: HtmlOptions, source: str) -> tuple[list[Listing], str]:
    """Listings on one page, and the next page's URL ('' if none). Pure.

    A listing's key is its ``key`` field if configured, else its web URL (:func:`item_url`; URL and name
    when items of the page share one URL under different names), else its name.

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
        url = item_url(base_url, values.pop("url", ""))
        text = values.pop("text", "")
        key = values.get(options.key, "") if options.key else ""
        out.append(Listing(source, key or url or name, options.kind, name, url,
                           tuple(sorted((k, v) for k, v in values.items() if v)), text))
    if not options.key:
        out = _distinct_url_keys(out)
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


def parse_detail_html(text: str, request: Request, options: HtmlDetail, source: str) -> list[Listing]:
    """A result's own page: its listing with the page's fields and text, then the entities the page lists
    as linked to it, each with a field 关联·<key> naming the listing it was found on. Pure.

    ParseError unless the page carries ``proof``: a login wall or a challenge is never read as a listing
    with no legal representative.
    """
    base = request.listing
    if base is None:
        raise ParseError(f"{request.url}: a detail page needs the listing it belongs to")
    soup = BeautifulSoup(text, "html.parser")
    if soup.select_one(options.proof) is None:
        raise ParseError(f"{request.url}: not {base.name!r}'s detail page ({options.proof!r} is not on it); check "
                         "options.detail.proof")
    values = {f: select_value(soup, sel) for f, sel in options.fields.items()}
    body = values.pop("text", "") or base.text
    fields = dict(base.fields)
    fields.update({k: v for k, v in values.items() if v})
    out = [Listing(base.source, base.key, base.kind, base.name, base.url, tuple(sorted(fields.items())), body)]
    for row in soup.select(options.related) if options.related else ():
        got = {f: select_value(row, sel) for f, sel in options.related_fields.items()}
        name = got.pop("name", "")
        if not name or name == base.name:
            continue
        url = item_url(request.url, got.pop("url", ""))
        key = got.get(options.related_key, "") if options.related_key else ""
        # one field per page it was found on, so a company listed on several pages keeps each, unchanged
        got[f"关联·{base.key}"] = base.name
        out.append(Listing(source, key or url or name, options.related_kind, name, url,
                           tuple(sorted((k, v) for k, v in got.items() if v))))
    return [out[0], *_distinct_url_keys(out[1:])] if not options.related_key else out


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
        details = tuple(Request(x.url, request.query, request.page, listing=x) for x in listings
                        if x.url and opts.detail is not None)
        if request.page >= opts.pages:
            return Parsed(tuple(listings), details=details)
        if not nxt and "{page}" in opts.url and listings:
            nxt = opts.url.format(query=quote(request.query), page=request.page + 1)
        return Parsed(tuple(listings), Request(nxt, request.query, request.page + 1) if nxt else None, details)

    def parse_detail(self, text: str, request: Request) -> Parsed:
        opts: HtmlOptions = self.options  # type: ignore[assignment]
        if opts.detail is None:
            return super().parse_detail(text, request)
        return Parsed(tuple(parse_detail_html(text, request, opts.detail, self.name)))

    def detail_pages(self) -> int:
        opts: HtmlOptions = self.options  # type: ignore[assignment]
        return opts.detail.pages if opts.detail is not None else 0
