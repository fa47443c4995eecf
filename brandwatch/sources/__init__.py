"""Source types, registered by name; config.yaml names one per source."""

from __future__ import annotations

from ..errors import ParseError
from .apis import QccSource, TianyanchaSource, parse_qcc, parse_tianyancha
from .base import Parsed, Request, SourceOptions, SourceType
from .files import FilesSource, parse_feed
from .gsxt import GsxtSource, parse_gsxt_app, parse_gsxt_web
from .html import HtmlSource, parse_html
from .jsonapi import ItunesSource, JsonSource, parse_json
from .maps import AmapSource, BaiduMapSource, parse_amap, parse_baidu_map
from .social import (
    SOCIAL_TYPES,
    DouyinSource,
    KuaishouSource,
    WechatSource,
    XiaohongshuSource,
    parse_douyin,
    parse_kuaishou,
    parse_wechat,
    parse_xiaohongshu,
)

SOURCE_TYPES: dict[str, type[SourceType]] = {
    t.type_name: t for t in (
        HtmlSource, JsonSource, ItunesSource, GsxtSource, QccSource, TianyanchaSource, FilesSource, AmapSource,
        BaiduMapSource, *SOCIAL_TYPES)
}

__all__ = [
    "SOURCE_TYPES",
    "DouyinSource",
    "FilesSource",
    "KuaishouSource",
    "ParseError",
    "Parsed",
    "Request",
    "SourceOptions",
    "SourceType",
    "WechatSource",
    "XiaohongshuSource",
    "parse_amap",
    "parse_baidu_map",
    "parse_douyin",
    "parse_feed",
    "parse_gsxt_app",
    "parse_gsxt_web",
    "parse_html",
    "parse_json",
    "parse_kuaishou",
    "parse_qcc",
    "parse_tianyancha",
    "parse_wechat",
    "parse_xiaohongshu",
]
