"""Kuaishou (快手): saved pages (window.__APOLLO_STATE__) and GraphQL answers.

See the package docstring for what is read and refused, and why nothing is fetched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ...errors import ParseError
from ...models import Listing
from ..base import Request, clean
from .common import (
    SAVE_AS,
    Cues,
    NoState,
    file_name,
    loads,
    make_account,
    make_post,
    pick,
    pick_dict,
    refuse,
    script_json,
    unique,
    unix_time,
    walled,
)

_KUAISHOU_WALLS: Cues = (("请完成下列验证", "Kuaishou's verification", True),
                         ("captcha.zt.kuaishou.com", "Kuaishou's captcha", False),
                         ("安全验证", "Kuaishou's verification", False), ("扫码登录", "a sign-in wall", False))


def _ks_post(photo: dict[str, Any], author: dict[str, Any], tags: list[Any], source: str) -> Listing | None:
    photo_id = clean(pick(photo, "id", "photoId"))
    if not photo_id:
        return None
    names = tuple(clean(t.get("name")) for t in tags if isinstance(t, dict) and t.get("name"))
    author_id = clean(pick(author, "id", "user_id"))
    extra = {"作者主页": f"https://www.kuaishou.com/profile/{author_id}" if author_id else ""}
    return make_post(source, "kuaishou", photo_id, url=f"https://www.kuaishou.com/short-video/{photo_id}",
                     body=str(pick(photo, "caption", "originCaption") or ""), tags=names,
                     author=str(pick(author, "name", "user_name") or ""), author_id=author_id,
                     published=unix_time(pick(photo, "timestamp")), kind_of="视频", extra=extra,
                     counts={"点赞": pick(photo, "realLikeCount", "likeCount"), "播放": pick(photo, "viewCount")})


def _ks_account(profile: dict[str, Any], source: str) -> Listing | None:
    user_id, name = clean(pick(profile, "user_id", "userId")), clean(pick(profile, "user_name", "userName"))
    if not user_id or not name:
        return None
    return make_account(source, "kuaishou", user_id, name=name, account_id=clean(pick(profile, "kwaiId")) or user_id,
                        bio=str(pick(profile, "user_text", "userText") or ""),
                        url=f"https://www.kuaishou.com/profile/{user_id}", extra={"用户ID": user_id})


def _ks_feeds(container: dict[str, Any], resolve: Callable[[Any], Any], source: str) -> list[Listing]:
    out = []
    for ref in container.get("feeds") or []:
        feed = resolve(ref)
        if isinstance(feed, dict) and isinstance(photo := resolve(feed.get("photo")), dict):
            tags = [resolve(t) for t in feed.get("tags") or []]
            if x := _ks_post(photo, resolve(feed.get("author")) or {}, tags, source):
                out.append(x)
    return out


def _ks_api(doc: Any, text: str, source: str, request: Request) -> list[Listing]:
    data = doc.get("data") if isinstance(doc, dict) else None
    if isinstance(doc, dict) and doc.get("errors") and not data:
        errors = clean(json.dumps(doc["errors"])[:200])
        raise ParseError(f"{file_name(request)}: the answer is a GraphQL error ({errors}); save an answer that holds "
                         "data")
    ops = ("visionSearchPhoto", "visionProfilePhotoList", "visionVideoDetail", "visionProfile")
    if not isinstance(data, dict) or not any(isinstance(data.get(k), dict) for k in ops):
        raise refuse("kuaishou", text, request, f"none of data.{', data.'.join(ops)} is in the answer",
                     "save the answer of Kuaishou's graphql request for a search, a profile or a video")
    out: list[Listing] = []
    for op in ops:
        part = data.get(op)
        if not isinstance(part, dict):
            continue
        result = part.get("result", part.get("status", 1))
        if result != 1:
            raise ParseError(f"{file_name(request)}: {op}.result is {result} (not 1): Kuaishou refused the request "
                             "(sign-in or verification); pass it in the browser, then save the answer again")
        out += _ks_feeds(part, lambda x: x, source)
        if isinstance(part.get("photo"), dict) and (x := _ks_post(part["photo"], part.get("author") or {},
                                                                  part.get("tags") or [], source)):
            out.append(x)
        if x := _ks_account(pick_dict(pick_dict(part, "userProfile"), "profile"), source):
            out.append(x)
    return out


def parse_kuaishou(text: str, request: Request, source: str = "kuaishou") -> list[Listing]:
    """A saved Kuaishou page (window.__APOLLO_STATE__) or GraphQL answer → videos and accounts. Pure."""
    if text.lstrip()[:1] in ("{", "["):
        return unique(_ks_api(loads(text, "the answer", request), text, source, request))
    return walled("kuaishou", lambda: _ks_page(text, request, source), text, request, _KUAISHOU_WALLS)


def _ks_page(text: str, request: Request, source: str) -> list[Listing]:
    doc = script_json(text, "window.__APOLLO_STATE__=", request)
    if doc is None:
        raise refuse("kuaishou", text, request, "no window.__APOLLO_STATE__: not a saved Kuaishou page (an app "
                     "shell saved before it loaded?)", SAVE_AS, NoState)
    state = doc.get("defaultClient", doc) if isinstance(doc, dict) else {}

    def resolve(ref: Any) -> Any:  # Apollo keeps each object once and refers to it: {"type": "id", "id": "…"}
        if isinstance(ref, dict) and ref.get("type") == "id" and isinstance(ref.get("id"), str):
            return state.get(ref["id"])
        return ref

    out: list[Listing] = []
    for key, entry in state.items() if isinstance(state, dict) else ():
        if not isinstance(entry, dict) or not key.startswith("$ROOT_QUERY.vision") or key.count(").") > 0:
            continue
        if "result" in entry and entry.get("result") != 1 and not entry.get("feeds") and not entry.get("photo"):
            raise ParseError(f"{file_name(request)}: {key.split('(')[0][12:]}.result is {entry.get('result')} (not 1): "
                             "Kuaishou showed no data (sign-in or verification); pass it, then save the page again")
        out += _ks_feeds(entry, resolve, source)
        if isinstance(photo := resolve(entry.get("photo")), dict):
            tags = [resolve(t) for t in entry.get("tags") or []]
            out += [x for x in [_ks_post(photo, resolve(entry.get("author")) or {}, tags, source)] if x]
        profile = resolve(pick(resolve(entry.get("userProfile")), "profile"))
        out += [x for x in [_ks_account(profile if isinstance(profile, dict) else {}, source)] if x]
    if not out and not any(k.startswith("$ROOT_QUERY.vision") for k in state):
        raise ParseError(f"{file_name(request)}: window.__APOLLO_STATE__ holds no video, profile or search result "
                         "(signed out, or saved before it loaded); open the page until it shows, then save it again")
    return out
