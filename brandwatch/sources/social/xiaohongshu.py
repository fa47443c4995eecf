"""Xiaohongshu (小红书): saved pages (window.__INITIAL_STATE__) and web API answers.

See the package docstring for what is read and refused, and why nothing is fetched.
"""

from __future__ import annotations

import re
from typing import Any

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
    script_json,
    unique,
    unix_time,
    walled,
)

_XHS_WALLS: Cues = (("安全限制", "Xiaohongshu's 安全限制 page", True),
                    ("website-login/error", "Xiaohongshu's 安全限制 page", True),
                    ("website-login/captcha", "Xiaohongshu's captcha", True), ("请通过验证", "a verification", True),
                    ("登录后查看", "a sign-in wall", False), ("手机号登录", "a sign-in wall", False))
_XHS_CODES = {-100: "sign-in expired (登录已过期)", -101: "not signed in", 300011: "安全限制 (account at risk)",
              300012: "安全限制 (IP at risk)", 300013: "安全限制 (access too frequent)", 461: "a verification"}


def _xhs_note(note: dict[str, Any], source: str, note_id: str = "") -> Listing | None:
    note_id = clean(pick(note, "noteId", "note_id", "id")) or note_id
    if not note_id:
        return None
    user = pick_dict(note, "user")
    info = pick_dict(note, "interactInfo", "interact_info")
    tags = tuple(clean(t.get("name")) for t in pick(note, "tagList", "tag_list") or [] if isinstance(t, dict))
    body = re.sub(r"#([^#\[\n]+)\[话题\]#", r"#\1", str(pick(note, "desc") or ""))  # "#话题[话题]#" as typed
    user_id = clean(pick(user, "userId", "user_id"))
    counts = {"点赞": pick(info, "likedCount", "liked_count"),
              "收藏": pick(info, "collectedCount", "collected_count"),
              "评论": pick(info, "commentCount", "comment_count"), "分享": pick(info, "shareCount", "share_count")}
    extra = {"作者主页": f"https://www.xiaohongshu.com/user/profile/{user_id}" if user_id else "",
             "IP属地": clean(pick(note, "ipLocation", "ip_location"))}
    return make_post(source, "xiaohongshu", note_id, url=f"https://www.xiaohongshu.com/explore/{note_id}",
                     title=str(pick(note, "title", "displayTitle", "display_title") or ""), body=body, tags=tags,
                     author=str(pick(user, "nickname", "nickName", "nick_name") or ""), author_id=user_id,
                     published=unix_time(pick(note, "time")),
                     kind_of="视频笔记" if note.get("type") == "video" else "笔记",
                     counts=counts, extra=extra)


def _xhs_comment(c: dict[str, Any], source: str, parent: str) -> Listing | None:
    cid, parent = clean(pick(c, "id")), clean(pick(c, "noteId", "note_id")) or parent
    if not cid or not parent or "content" not in c:
        return None
    user = pick_dict(c, "userInfo", "user_info")
    return make_post(source, "xiaohongshu", cid, key=f"xiaohongshu:comment:{cid}",
                     url=f"https://www.xiaohongshu.com/explore/{parent}", body=str(c.get("content") or ""),
                     author=str(pick(user, "nickname") or ""), author_id=str(pick(user, "userId", "user_id") or ""),
                     published=unix_time(pick(c, "createTime", "create_time")), kind_of="评论",
                     counts={"点赞": pick(c, "likeCount", "like_count")}, extra={"原帖": f"xiaohongshu:{parent}"})


def _xhs_card(item: Any, source: str) -> Listing | None:
    """A search or profile card: {id, note_card | noteCard} (recommended queries and ads have no card)."""
    card = pick_dict(item, "noteCard", "note_card")
    return _xhs_note(card, source, clean(pick(item, "id", "noteId"))) if card else None


def _xhs_api(doc: Any, text: str, source: str, request: Request) -> list[Listing]:
    if not isinstance(doc, dict) or not ("code" in doc or "success" in doc):
        raise refuse("xiaohongshu", text, request, "an answer without code or success",
                     "save the answer of a Xiaohongshu web API request (search/notes, user_posted, comment/page)")
    code = doc.get("code", 0)
    if code != 0 or doc.get("success") is False:
        why = _XHS_CODES.get(code, clean(doc.get("msg")) or "refused")
        raise ParseError(f"{file_name(request)}: the answer's code is {code}: {why}; sign in and pass any check in the "
                         "browser, then save an answer with code 0")
    data = doc.get("data")
    if not isinstance(data, dict) or not any(isinstance(data.get(k), list) for k in ("items", "notes", "comments")):
        raise refuse("xiaohongshu", text, request, "none of data.items, data.notes, data.comments is in the answer",
                     "save the answer of a search, a user's notes or a note's comments")
    out = [x for i in data.get("items") or [] if (x := _xhs_card(i, source))]
    out += [x for n in data.get("notes") or [] if isinstance(n, dict) and (x := _xhs_note(n, source))]
    out += [x for c in data.get("comments") or [] if isinstance(c, dict) and (x := _xhs_comment(c, source, ""))]
    return out


def parse_xiaohongshu(text: str, request: Request, source: str = "xiaohongshu") -> list[Listing]:
    """A saved Xiaohongshu page (window.__INITIAL_STATE__) or web API answer → notes, comments, accounts. Pure."""
    if text.lstrip()[:1] in ("{", "["):
        return unique(_xhs_api(loads(text, "the answer", request), text, source, request))
    return walled("xiaohongshu", lambda: _xhs_page(text, request, source), text, request, _XHS_WALLS)


def _xhs_page(text: str, request: Request, source: str) -> list[Listing]:
    state = script_json(text, "window.__INITIAL_STATE__=", request, undefined=True)
    if not isinstance(state, dict):
        raise refuse("xiaohongshu", text, request, "no window.__INITIAL_STATE__: not a saved Xiaohongshu page (an "
                     "app shell saved before it loaded?)", SAVE_AS, NoState)
    out: list[Listing] = []
    for note_id, entry in pick_dict(pick_dict(state, "note"), "noteDetailMap").items():
        if isinstance(entry, dict) and (x := _xhs_note(pick_dict(entry, "note"), source)):
            out.append(x)
            comments = pick_dict(entry, "comments").get("list") or []
            out += [c for item in comments if isinstance(item, dict) and (c := _xhs_comment(item, source, note_id))]
    page = pick_dict(pick_dict(state, "user"), "userPageData")
    basic = pick_dict(page, "basicInfo")
    if clean(basic.get("nickname")):
        m = re.search(r"/user/profile/([0-9a-f]{24})", saved_from(text) or request.url)
        user_id = m.group(1) if m else clean(basic.get("redId"))
        fans = next((i.get("count") for i in page.get("interactions") or [] if isinstance(i, dict)
                     and i.get("type") == "fans"), "")
        extra = {"粉丝": count_text(fans), "IP属地": clean(basic.get("ipLocation"))}
        out.append(make_account(source, "xiaohongshu", user_id, name=basic["nickname"],
                                account_id=clean(basic.get("redId")), bio=str(basic.get("desc") or ""), extra=extra,
                                url=f"https://www.xiaohongshu.com/user/profile/{user_id}"))
    for group in pick_dict(state, "user").get("notes") or []:
        out += [x for item in (group if isinstance(group, list) else [group]) if (x := _xhs_card(item, source))]
    out += [x for item in pick_dict(state, "search").get("feeds") or [] if (x := _xhs_card(item, source))]
    if not out:
        raise ParseError(f"{file_name(request)}: window.__INITIAL_STATE__ holds no note, user or search result "
                         "(Xiaohongshu shows them to signed-in visitors; the note may be removed); sign in, open "
                         "the page until it shows, then save it again")
    return out
