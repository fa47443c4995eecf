"""Douyin (抖音): saved video, note, user and search pages (RENDER_DATA) and web API answers.

See the package docstring for what is read and refused, and why nothing is fetched.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from bs4 import BeautifulSoup

from ...errors import ParseError
from ...models import Listing
from ..base import Request, clean
from .common import (
    SAVE_AS,
    Cues,
    NoState,
    count_text,
    file_name,
    loads,
    make_account,
    make_post,
    pick,
    pick_dict,
    refuse,
    saved_from,
    unique,
    unix_time,
    walk,
    walled,
)

_DOUYIN_WALLS: Cues = (("验证码中间页", "Douyin's verification page", True),
                       ("verifycenter", "Douyin's verification page", False), ("扫码登录", "a sign-in wall", False),
                       ("登录后", "a sign-in wall", False))
_DOUYIN_COUNTS = (("点赞", ("diggCount", "digg_count")), ("评论", ("commentCount", "comment_count")),
                  ("分享", ("shareCount", "share_count")), ("收藏", ("collectCount", "collect_count")),
                  ("播放", ("playCount", "play_count")))
_CARD_NOISE = re.compile(r"^(?:[\d.,]+[万wW亿]?\+?|·.*|\d{1,2}:\d{2}(?::\d{2})?)$")  # 1.2万, · 3天前, 00:15
_DOUYIN_PATH = re.compile(r"/(video|note|user|search)/([^/?#]+)")


def _douyin_aweme(aweme: dict[str, Any], source: str) -> Listing | None:
    aweme_id = str(pick(aweme, "awemeId", "aweme_id") or "")
    if not aweme_id.isdigit():
        return None
    author = pick_dict(aweme, "authorInfo", "author")
    stats = pick_dict(aweme, "stats", "statistics")
    note = pick(aweme, "awemeType", "aweme_type") == 68 or bool(pick(aweme, "images"))  # 68: 图文
    url = f"https://www.douyin.com/{'note' if note else 'video'}/{aweme_id}"
    tags = tuple(clean(pick(t, "hashtagName", "hashtag_name")) for t in pick(aweme, "textExtra", "text_extra") or []
                 if isinstance(t, dict) and pick(t, "hashtagName", "hashtag_name"))
    sec_uid = clean(pick(author, "secUid", "sec_uid"))
    extra = {"作者主页": f"https://www.douyin.com/user/{sec_uid}" if sec_uid else "",
             "作者抖音号": clean(pick(author, "uniqueId", "unique_id")),
             "作者简介": clean(pick(author, "signature"))}
    return make_post(source, "douyin", aweme_id, url=url, title=str(pick(aweme, "itemTitle", "item_title") or ""),
                     body=str(pick(aweme, "desc") or ""), tags=tags, author=str(pick(author, "nickname") or ""),
                     author_id=str(pick(author, "uid") or ""),
                     published=unix_time(pick(aweme, "createTime", "create_time")),
                     kind_of="图文" if note else "视频", counts={k: pick(stats, *n) for k, n in _DOUYIN_COUNTS},
                     extra=extra)


def _douyin_comment(comment: dict[str, Any], source: str, parent: str) -> Listing | None:
    cid = str(pick(comment, "cid") or "")
    parent = str(pick(comment, "awemeId", "aweme_id") or parent)
    if not cid or not parent:
        return None
    user = pick_dict(comment, "user")
    link = f"https://www.douyin.com/video/{parent}"
    return make_post(source, "douyin", cid, key=f"douyin:comment:{cid}", url=link,
                     body=str(pick(comment, "text") or ""),
                     author=str(pick(user, "nickname") or ""), author_id=str(pick(user, "uid") or ""),
                     published=unix_time(pick(comment, "createTime", "create_time")), kind_of="评论",
                     counts={"点赞": pick(comment, "diggCount", "digg_count")}, extra={"原帖": f"douyin:{parent}"})


def _douyin_user(user: dict[str, Any], source: str) -> Listing | None:
    sec_uid = clean(pick(user, "secUid", "sec_uid"))
    nickname = clean(pick(user, "nickname"))
    if not sec_uid or not nickname:
        return None
    handle = clean(pick(user, "uniqueId", "unique_id")) or clean(pick(user, "shortId", "short_id"))
    bio = str(pick(user, "signature") or (pick(user, "desc") if "secUid" in user else "") or "")
    extra = {"粉丝": count_text(pick(user, "followerCount", "follower_count")),
             "认证": clean(pick(user, "customVerify", "custom_verify") or
                         pick(user, "enterpriseVerifyReason", "enterprise_verify_reason")),
             "用户ID": clean(pick(user, "uid"))}
    return make_account(source, "douyin", sec_uid, name=nickname, account_id=handle, bio=bio,
                        url=f"https://www.douyin.com/user/{sec_uid}", extra=extra)


def _douyin_api(doc: Any, text: str, source: str, request: Request) -> list[Listing]:
    if not isinstance(doc, dict):
        raise refuse("douyin", text, request, "a JSON answer that is not an object",
                     "save the answer of a Douyin web API request (aweme/detail, aweme/post, search, comment/list)")
    status = doc.get("status_code")
    if status not in (None, 0):
        raise ParseError(f"{file_name(request)}: the answer's status_code is {status} "
                         f"({clean(doc.get('status_msg'))}): Douyin refused the request (sign-in or verification); "
                         "pass it in the browser, then save an answer with status_code 0")
    if "verify" in json.dumps(doc.get("search_nil_info") or "", ensure_ascii=False):
        raise ParseError(f"{file_name(request)}: the answer asks for verification (search_nil_info: verify_check), not "
                         "a result list; pass the check in the browser, then save the search answer again")
    keys = ("aweme_detail", "aweme_list", "data", "comments", "user_list", "user")
    if not any(k in doc for k in keys):
        raise refuse("douyin", text, request, f"none of {', '.join(keys)} is in the answer",
                     "save the answer of a Douyin web API request (aweme/detail, aweme/post, search, comment/list)")
    out: list[Listing] = []
    awemes = [doc["aweme_detail"]] if isinstance(doc.get("aweme_detail"), dict) else []
    awemes += [a for a in doc.get("aweme_list") or [] if isinstance(a, dict)]
    awemes += [d["aweme_info"] for d in doc.get("data") or [] if isinstance(d, dict) and isinstance(
        d.get("aweme_info"), dict)]
    out += [x for a in awemes if (x := _douyin_aweme(a, source))]
    out += [x for c in doc.get("comments") or [] if isinstance(c, dict) and (x := _douyin_comment(c, source, ""))]
    users = [u.get("user_info") for u in doc.get("user_list") or [] if isinstance(u, dict)]
    users += [doc["user"]] if isinstance(doc.get("user"), dict) else []
    out += [x for u in users if isinstance(u, dict) and (x := _douyin_user(u, source))]
    return out


def _douyin_search_cards(text: str, source: str) -> list[Listing]:
    """A saved search page: each card that links a video or note (the page's classes change, its links do not)."""
    soup = BeautifulSoup(text, "html.parser")
    out = []
    for a in soup.select('a[href*="/video/"], a[href*="/note/"]'):
        m = _DOUYIN_PATH.search(str(a.get("href") or ""))
        if not m or not m.group(2).isdigit():
            continue
        card = a.find_parent("li") or a
        # the card's words: its text, "@author", and the counts and ages the card shows beside them
        lines = [clean(s) for s in card.stripped_strings if clean(s)]
        author = next((s[1:] for s in lines if s.startswith("@") and len(s) > 1), "")
        body = "\n".join(s for s in lines if s[1:] != author and not _CARD_NOISE.match(s))
        out.append(make_post(source, "douyin", m.group(2), url=f"https://www.douyin.com/{m.group(1)}/{m.group(2)}",
                             body=body, author=author, kind_of="图文" if m.group(1) == "note" else "视频",
                             extra={"来源": "搜索结果"}))
    return unique(out)


def parse_douyin(text: str, request: Request, source: str = "douyin") -> list[Listing]:
    """A saved Douyin page or web API answer → posts, comments and accounts. Pure."""
    if text.lstrip()[:1] in ("{", "["):
        return unique(_douyin_api(loads(text, "the answer", request), text, source, request))
    return walled("douyin", lambda: _douyin_page(text, request, source), text, request, _DOUYIN_WALLS)


def _douyin_page(text: str, request: Request, source: str) -> list[Listing]:
    at = text.find('id="RENDER_DATA"')
    if at < 0:
        raise refuse("douyin", text, request, "no RENDER_DATA script: not a saved Douyin page (an app shell saved "
                     "before it loaded?)", SAVE_AS, NoState)
    start = text.find(">", at) + 1
    end = text.find("</script>", start)
    state = loads(unquote(text[start: end if end >= 0 else len(text)]), "RENDER_DATA", request)
    location = ""
    for _, node in walk(state):
        if isinstance(node.get("_location"), str):
            location = node["_location"]
            break
    m = _DOUYIN_PATH.search(location or saved_from(text))
    page, page_id = (m.group(1), unquote(m.group(2))) if m else ("", "")
    awemes, comments, users = [], [], []
    for key, node in walk(state):
        if pick(node, "awemeId", "aweme_id") and ("desc" in node) and pick(node, "authorInfo", "author"):
            awemes.append(node)
        elif pick(node, "cid") and "text" in node:
            comments.append(node)
        elif key == "user" and pick(node, "secUid", "sec_uid") and "nickname" in node:
            users.append(node)
    out: list[Listing] = []
    if page in ("video", "note"):
        detail = [a for a in awemes if str(pick(a, "awemeId", "aweme_id")) == page_id]
        if not detail:
            raise ParseError(f"{file_name(request)}: a Douyin {page} page whose RENDER_DATA holds no detail of "
                             f"{page_id} (removed, private, behind sign-in, or saved before it loaded); open it in the "
                             "browser until it plays, then save it again")
        out += [x for a in detail[:1] if (x := _douyin_aweme(a, source))]
        out += [x for c in comments if (x := _douyin_comment(c, source, page_id))]
    elif page == "user":
        mine = [u for u in users if clean(pick(u, "secUid", "sec_uid")) == page_id] or users[:1]
        if not mine:
            raise ParseError(f"{file_name(request)}: a Douyin user page whose RENDER_DATA holds no user (signed out, "
                             "removed, or saved before it loaded); open it until the profile shows, then save it again")
        out += [x for u in mine[:1] if (x := _douyin_user(u, source))]
        sec_uid = clean(pick(mine[0], "secUid", "sec_uid"))
        out += [x for a in awemes if clean(pick(pick_dict(a, "authorInfo", "author"), "secUid", "sec_uid")) == sec_uid
                and (x := _douyin_aweme(a, source))]
    elif page == "search":
        out += [x for a in awemes if (x := _douyin_aweme(a, source))] + _douyin_search_cards(text, source)
        if not out and "scroll-list" not in text:
            raise ParseError(f"{file_name(request)}: a Douyin search page with neither result cards nor the result "
                             "list (signed out or a verification?); scroll until the results show, then save it again")
    else:
        raise ParseError(f"{file_name(request)}: RENDER_DATA is not of a video, note, user or search page (location "
                         f"{location or 'unknown'!r}); save the video, the user's page or the search results page")
    return out
