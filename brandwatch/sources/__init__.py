"""Source types, registered by name; config.yaml names one per source."""

from __future__ import annotations

from ..errors import ParseError
from .apis import QccSource, TianyanchaSource, parse_qcc, parse_tianyancha
from .base import Parsed, Request, SourceOptions, SourceType
from .files import FilesSource, parse_feed
from .gsxt import GsxtSource, parse_gsxt_app, parse_gsxt_web
from .html import HtmlSource, parse_html
from .jsonapi import ItunesSource, JsonSource, parse_json

SOURCE_TYPES: dict[str, type[SourceType]] = {
    t.type_name: t for t in (
        HtmlSource, JsonSource, ItunesSource, GsxtSource, QccSource, TianyanchaSource, FilesSource)
}

__all__ = [
    "SOURCE_TYPES",
    "FilesSource",
    "ParseError",
    "Parsed",
    "Request",
    "SourceOptions",
    "SourceType",
    "parse_feed",
    "parse_gsxt_app",
    "parse_gsxt_web",
    "parse_html",
    "parse_json",
    "parse_qcc",
    "parse_tianyancha",
]
