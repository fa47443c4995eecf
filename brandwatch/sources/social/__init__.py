"""``douyin``, ``kuaishou``, ``xiaohongshu``, ``wechat``: social platforms, imported, never crawled.

Douyin, Kuaishou, Xiaohongshu and WeChat forbid crawling their search, and
guard it with sign-in, signed requests (a_bogus, X-s) and captchas that
brandwatch never forges, solves or bypasses. What a legal team really has is
a browser: it signs in as itself, searches, and saves what it saw. These
source types read those files (``brandwatch import --source NAME FILE…``),
kept as evidence byte for byte like any capture; ``requests`` plans nothing
and ``brandwatch run`` says so instead of reporting an empty run.

What each parser reads (one pure function per platform):

- Douyin: a saved video or note page (``<script id="RENDER_DATA">``, URL-encoded
  JSON: the aweme detail, its author and statistics, the comments loaded), a
  saved user page (nickname, 抖音号, bio, their videos), a saved search page
  (every result card that links a video or note), and the web API answers
  devtools saves (``aweme_detail``, ``aweme_list``, search ``data[].aweme_info``,
  ``comments[]``, ``user_list[]``, ``user``).
- Kuaishou: saved pages with ``window.__APOLLO_STATE__`` (the video detail's
  VisionVideoDetailPhoto and author, a profile's name, id and bio, search and
  profile feeds), and the GraphQL answers (``visionSearchPhoto``,
  ``visionProfilePhotoList``, ``visionVideoDetail``, ``visionProfile``).
- Xiaohongshu: saved note, user and search pages with
  ``window.__INITIAL_STATE__`` (its ``undefined`` literals read as null), and
  the web API answers (search ``items[].note_card``, a user's ``notes[]``,
  ``comments[]``).
- WeChat: saved 公众号 articles (#activity-name, #js_name, ``var user_name`` =
  the gh_ id, #js_content, ``var ct``, ``var msg_link``), which also give the
  公众号 itself as an account; and the export shape below, for what WeChat's
  apps show but no web page holds (视频号, 搜一搜)::

      {"wechat_export": 1, "items": [{"type": "article" | "channels" | "account",
        "id": "…", "title": "…", "text": "…", "author": "…", "author_id": "…",
        "published": "2024-05-01T10:00:00+08:00", "url": "https://…", "bio": "…"}]}

A parser proves the page is what it says before it returns: the platform's
own state script or article body, holding a post, an account or a result
list. A verification page (Douyin's 验证码中间页, Xiaohongshu's 安全限制,
WeChat's 环境异常), a sign-in wall, an app shell saved before it loaded, an
API answer that refused (a non-zero status), or another platform's page
raises ParseError saying what was found and what to save instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import ClassVar

from ...models import Listing
from ..base import Parsed, Request, SourceType
from .douyin import parse_douyin
from .kuaishou import parse_kuaishou
from .wechat import parse_wechat
from .xiaohongshu import parse_xiaohongshu


class _SocialSource(SourceType):
    """Import-only: pages a person saved from a browser; brandwatch never fetches these platforms."""

    respect_robots = True
    import_only: ClassVar[bool] = True
    parser: ClassVar[Callable[[str, Request, str], list[Listing]]]

    def requests(self, queries: list[str]) -> Iterator[Request]:
        return iter(())  # search is not crawled: see the module docstring

    def parse(self, text: str, request: Request) -> Parsed:
        return Parsed(tuple(type(self).parser(text, request, self.name)))


class DouyinSource(_SocialSource):
    type_name = "douyin"
    parser = staticmethod(parse_douyin)


class KuaishouSource(_SocialSource):
    type_name = "kuaishou"
    parser = staticmethod(parse_kuaishou)


class XiaohongshuSource(_SocialSource):
    type_name = "xiaohongshu"
    parser = staticmethod(parse_xiaohongshu)


class WechatSource(_SocialSource):
    type_name = "wechat"
    parser = staticmethod(parse_wechat)


SOCIAL_TYPES = (DouyinSource, KuaishouSource, XiaohongshuSource, WechatSource)

__all__ = [
    "SOCIAL_TYPES",
    "DouyinSource",
    "KuaishouSource",
    "WechatSource",
    "XiaohongshuSource",
    "parse_douyin",
    "parse_kuaishou",
    "parse_wechat",
    "parse_xiaohongshu",
]
