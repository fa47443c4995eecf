"""``json``: any JSON search API, described by field paths in config; ``itunes``: Apple's App Store search."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

from pydantic import Field, field_validator

from ..errors import ParseError
from ..models import Listing
from .base import Parsed, Request, SourceOptions, SourceType, clean, dig


class JsonOptions(SourceOptions):
    url: str = Field(description="URL template with {query} and optionally {page}")
    items: str = Field(description="dotted path to the list of results, e.g. data.result.data")
    fields: dict[str, str] = Field(description="field → dotted path inside an item; must have name")
    kind: str = "company"
    key: str = ""
    pages: int = Field(1, ge=1, le=100)
    total_pages: str = Field("", description="dotted path to the number of pages, if the API says")

    @field_validator("fields")
    @classmethod
    def _needs_name(cls, value: dict[str, str]) -> dict[str, str]:
        if "name" not in value:
            raise ValueError("must have a 'name' path")
        return value


def parse_json(text: str, options: JsonOptions, source: str) -> tuple[list[Listing], int | None]:
    """Listings in one response, and the total number of pages if the API says. Pure.

    The list at ``options.items`` proves the answer is a result list, empty or not; an answer
    without it (an error object, a changed API) is a ParseError.
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ParseError(f"not JSON ({e.msg} at line {e.lineno} column {e.colno})") from None
    items = dig(doc, options.items)
    if items is None:
        raise ParseError(f"{options.items} is not in the answer (an error, or a changed API); check the source's "
                         "items path")
    if not isinstance(items, list):
        raise ParseError(f"{options.items} is not a list in the response; check the source's items path")
    out: list[Listing] = []
    for item in items:
        values = {f: clean(dig(item, path)) for f, path in options.fields.items()}
        name = values.pop("name", "")
        if not name:
            continue
        url = values.pop("url", "")
        text = values.pop("text", "")  # a post's body, a bio: scanned for mentions, pitches and contacts
        key = values.get(options.key, "") if options.key else ""
        out.append(Listing(source, key or url or name, options.kind, name, url,
                           tuple(sorted((k, v) for k, v in values.items() if v)), text))
    total = dig(doc, options.total_pages) if options.total_pages else None
    return out, int(total) if isinstance(total, int | float | str) and str(total).isdigit() else None


class JsonSource(SourceType):
    """Any JSON search API: URL template, the path to the result list, field paths."""

    type_name = "json"
    Options = JsonOptions

    def requests(self, queries: list[str]) -> Iterator[Request]:
        opts: JsonOptions = self.options  # type: ignore[assignment]
        for q in queries:
            yield Request(opts.url.format(query=quote(q), page=1), q, 1)

    def parse(self, text: str, request: Request) -> Parsed:
        opts: JsonOptions = self.options  # type: ignore[assignment]
        listings, total = parse_json(text, opts, self.name)
        last = min(opts.pages, total) if total else opts.pages
        if "{page}" in opts.url and listings and request.page < last:
            nxt = Request(opts.url.format(query=quote(request.query), page=request.page + 1), request.query,
                          request.page + 1)
            return Parsed(tuple(listings), nxt)
        return Parsed(tuple(listings))


class ItunesOptions(SourceOptions):
    base_url: str = "https://itunes.apple.com/search"
    country: str = "cn"
    limit: int = Field(50, ge=1, le=200)


ITUNES_FIELDS = {
    "name": "trackName", "url": "trackViewUrl", "bundle_id": "bundleId", "seller": "sellerName",
    "developer": "artistName", "release_date": "releaseDate", "description": "description", "track_id": "trackId",
}


class ItunesSource(SourceType):
    """Apple's App Store Search API: /search?term=…&country=cn&entity=software."""

    type_name = "itunes"
    Options = ItunesOptions
    respect_robots = False  # a public API, not pages

    def requests(self, queries: list[str]) -> Iterator[Request]:
        opts: ItunesOptions = self.options  # type: ignore[assignment]
        for q in queries:
            params = {"term": q, "country": opts.country, "entity": "software", "limit": str(opts.limit)}
            yield Request(opts.base_url, q, 1, params)

    def parse(self, text: str, request: Request) -> Parsed:
        opts = JsonOptions(url="{query}", items="results", fields=ITUNES_FIELDS, kind="app", key="bundle_id")
        listings, _ = parse_json(text, opts, self.name)
        return Parsed(tuple(listings))
