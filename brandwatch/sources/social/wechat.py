"""WeChat (微信): saved 公众号 articles, and the export shape for 视频号 and 搜一搜 findings.

See the package docstring for what is read and refused, and why nothing is fetched.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from ...errors import ParseError
from ...models import Listing, stamp
from ..base import Request, clean
from .common import (
    Cues,
    NoState,
    file_name,
    loads,
    make_account,
    make_post,
    refuse,
    saved_from,
    unique,
    unix_time,
    walled,
)

_WECHAT_WALLS: Cues = (("环境异常", "WeChat's verification page", True),
                       ("wappoc_appmsgcaptcha", "WeChat's captcha", True),
                       ("该内容已被发布者删除", "an article its publisher deleted", True),
                       ("此内容因违规无法查看", "an article removed for a violation", True),
                       ("此内容被投诉且经审核涉嫌侵权", "an article removed after a complaint (投诉)", True))
_BLOCKS = ("p", "section", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "br")
_JS_VAR = r"var\s+{}\s*=\s*(?:htmlDecode\()?\s*([\"'])(.*?)\1"


def _js_var(text: str, name: str) -> str:
    m = re.search(_JS_VAR.format(re.escape(name)), text)
    return html.unescape(m.group(2)).strip() if m else ""


def _wechat_link(link: str) -> tuple[str, str]:
    """(canonical https URL without the per-reader chksm and #rd, the article's id biz_mid_idx or '')."""
    link = html.unescape(link).replace("\\x26", "&").split("#")[0]
    if not link:
        return "", ""
    parts = urlsplit(link)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if parts.path.startswith("/s/") and len(parts.path) > 3:
        return f"https://mp.weixin.qq.com{parts.path}", parts.path[3:]
    if {"__biz", "mid", "idx"} <= q.keys():
        query = "&".join(f"{k}={q[k]}" for k in ("__biz", "mid", "idx", "sn") if k in q)
        return f"https://mp.weixin.qq.com/s?{query}", f"{q['__biz']}_{q['mid']}_{q['idx']}"
    return link.replace("http://", "https://", 1), ""


def _wechat_article(text: str, source: str, request: Request) -> list[Listing]:
    soup = BeautifulSoup(text, "html.parser")
    title_node, body_node = soup.select_one("#activity-name"), soup.select_one("#js_content")
    title = clean(title_node.get_text(" ")) if title_node else clean(_js_var(text, "msg_title"))
    if body_node is None or not title:
        raise refuse("wechat", text, request, "neither #activity-name with #js_content (a 公众号 article's title and "
                     "body) is on the page", "open the article at mp.weixin.qq.com in a browser and save it", NoState)
    for hidden in body_node.select("script, style"):
        hidden.decompose()
    for block in body_node.find_all(_BLOCKS):  # a paragraph a line; its <span> and <strong> run on within it
        block.append("\n")
    body = "\n".join(clean(s) for s in body_node.get_text("").splitlines() if clean(s))
    name_node = soup.select_one("#js_name")
    nickname = _js_var(text, "nickname") or (clean(name_node.get_text(" ")) if name_node else "")
    gh_id = _js_var(text, "user_name")
    og = soup.select_one('meta[property="og:url"]')
    url, post_id = _wechat_link(_js_var(text, "msg_link") or (str(og.get("content") or "") if og else "")
                                or saved_from(text))
    profile = {}  # the 公众号's card: 微信号, 功能介绍 (its bio)
    for meta in soup.select("#js_profile_qrcode .profile_meta"):
        label, value = meta.select_one(".profile_meta_label"), meta.select_one(".profile_meta_value")
        if label is not None and value is not None:
            profile[clean(label.get_text())] = clean(value.get_text(" "))
    out = [make_post(source, "wechat", post_id, key=f"wechat:{post_id}" if post_id else f"wechat:{url or title}",
                     url=url, title=title, body=body, author=nickname, author_id=gh_id,
                     published=unix_time(_js_var(text, "ct")),
                     kind_of="公众号文章", extra={"署名": _js_var(text, "author"), "摘要": _js_var(text, "msg_desc")})]
    if gh_id or nickname:
        biz = parse_qs(urlsplit(url).query).get("__biz", [""])[0]
        out.append(make_account(source, "wechat", gh_id or biz or nickname, name=nickname, account_id=gh_id,
                                bio=profile.get("功能介绍", ""), url=f"https://mp.weixin.qq.com/mp/profile_ext?"
                                f"action=home&__biz={biz}" if biz else "", extra={"微信号": profile.get("微信号", ""),
                                                                                  "类型": "公众号"}))
    return out


def _wechat_export(doc: Any, text: str, source: str, request: Request) -> list[Listing]:
    if not isinstance(doc, dict) or doc.get("wechat_export") != 1 or not isinstance(doc.get("items"), list):
        raise refuse("wechat", text, request, "not a WeChat export ({\"wechat_export\": 1, \"items\": [...]})",
                     "write 视频号 and 搜一搜 findings in the export shape the README gives, or save the article page")
    out: list[Listing] = []
    for i, item in enumerate(doc["items"]):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in ("article", "channels", "account"):
            raise ParseError(f"{file_name(request)}: items[{i}].type must be article, channels or account")
        url = clean(item.get("url"))
        ident = clean(item.get("id") or (item.get("author_id") if kind == "account" else ""))
        if not ident and kind == "article":
            url, ident = _wechat_link(url)  # mp.weixin.qq.com/s/SHORT or ?__biz&mid&idx: the article's own id
        if not ident and not url:
            raise ParseError(f"{file_name(request)}: items[{i}] has neither id nor url; give one so it can be found "
                             "again")
        try:
            published = stamp(item["published"]) if item.get("published") else ""
        except (TypeError, ValueError):
            raise ParseError(f"{file_name(request)}: items[{i}].published is not an ISO 8601 time "
                             "(2024-05-01T10:00:00+08:00)") from None
        if kind == "account":
            name = str(item.get("title") or item.get("author") or "")
            out.append(make_account(source, "wechat", ident or url, name=name, account_id=ident,
                                    bio=str(item.get("bio") or item.get("text") or ""), url=url,
                                    extra={"类型": "公众号" if ident.startswith("gh_") else "视频号"}))
        else:
            out.append(make_post(source, "wechat", ident or url, url=url, title=str(item.get("title") or ""),
                                 body=str(item.get("text") or ""), author=str(item.get("author") or ""),
                                 author_id=str(item.get("author_id") or ""), published=published,
                                 kind_of="公众号文章" if kind == "article" else "视频号"))
    return out


def parse_wechat(text: str, request: Request, source: str = "wechat") -> list[Listing]:
    """A saved 公众号 article (and its 公众号 as an account), or a WeChat export JSON → listings. Pure."""
    if text.lstrip()[:1] in ("{", "["):
        return unique(_wechat_export(loads(text, "the export", request), text, source, request))
    return walled("wechat", lambda: _wechat_article(text, source, request), text, request, _WECHAT_WALLS)
