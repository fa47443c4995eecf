"""What the four platform parsers share: reading embedded JSON within bounds, walls, and the listings."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from ...bounded import IMPORT_MAX_BYTES
from ...errors import ParseError
from ...models import Listing, stamp
from ..base import Request, clean

PLATFORMS = {"douyin": "抖音", "kuaishou": "快手", "xiaohongshu": "小红书", "wechat": "微信"}
SAVE_AS = "save the page with the browser's 'Save Page As…, Webpage, Complete' (网页，全部) once it shows"
_NAME_MAX = 80
_MAX_DEPTH = 80  # the platforms nest 10 to 20 deep; deeper is not their state
_MAX_NODES = 2_000_000  # a walk of one state visits no more (a 50 MiB state has fewer)

# markers only a platform's own pages have, to say which source a misplaced file belongs to
_MARKERS = (
    ("douyin", ('id="RENDER_DATA"', '"aweme_list"', '"aweme_detail"', '"aweme_info"')),
    ("kuaishou", ("__APOLLO_STATE__", '"visionSearchPhoto"', '"visionProfile', '"visionVideoDetail"')),
    ("xiaohongshu", ('"noteDetailMap"', '"note_card"', "xhscdn.com", '"userPageData"')),
    ("wechat", ('id="js_content"', "rich_media_title", '"wechat_export"')),
)


class Malformed(ParseError):
    """The platform's data is there but cut short, too deep or too big: said as it is, whatever else is on the page."""


class NoState(ParseError):
    """The platform's state script or article body is not on the page at all (a wall, a shell, the wrong page)."""


def file_name(request: Request) -> str:
    """The saved file's name, for messages (the import names the full path too)."""
    return PurePosixPath(unquote(urlsplit(request.url).path)).name or request.url


def pick(obj: Any, *names: str) -> Any:
    """The first of ``names`` present (not None) in a dict: the pages say awemeId, the API aweme_id."""
    if isinstance(obj, dict):
        for name in names:
            if obj.get(name) is not None:
                return obj[name]
    return None


def pick_dict(obj: Any, *names: str) -> dict[str, Any]:
    value = pick(obj, *names)
    return value if isinstance(value, dict) else {}


def count_text(value: Any) -> str:
    """A count as shown: 1234, or the platform's own rounding ("1.2万", "10+")."""
    if isinstance(value, bool) or value is None:
        return ""
    return str(value).strip() if isinstance(value, int | str) else ""


def unix_time(value: Any) -> str:
    """A Unix time in seconds or milliseconds (the platforms use both) as UTC data; '' when absent or odd."""
    try:
        n = int(str(value).strip())
    except ValueError:
        return ""
    if n <= 0:
        return ""
    try:
        return stamp(datetime.fromtimestamp(n / 1000 if n > 10**11 else n, UTC))
    except (OverflowError, OSError, ValueError):
        return ""


def walk(obj: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every dict in a JSON tree with the key it sits under; bounded in depth and nodes, never recursive."""
    stack: list[tuple[str, Any, int]] = [("", obj, 0)]
    seen = 0
    while stack:
        key, node, depth = stack.pop()
        seen += 1
        if seen > _MAX_NODES or depth > _MAX_DEPTH:
            return
        if isinstance(node, dict):
            yield key, node
            stack.extend((k, v, depth + 1) for k, v in reversed(node.items()) if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((key, v, depth + 1) for v in reversed(node) if isinstance(v, dict | list))


def loads(blob: str, what: str, request: Request) -> Any:
    """JSON within the import cap; malformed or too deep is a ParseError naming the file."""
    if len(blob) > IMPORT_MAX_BYTES:
        raise Malformed(f"{file_name(request)}: {what} is {len(blob):,} characters, over the import limit of "
                        f"{IMPORT_MAX_BYTES:,}; save only the one page")
    try:
        return json.loads(blob)
    except json.JSONDecodeError as e:
        raise Malformed(f"{file_name(request)}: {what} is not JSON ({e.msg} at line {e.lineno} column {e.colno}); "
                        "the file may be cut short: save it again") from None
    except RecursionError:
        raise Malformed(f"{file_name(request)}: {what} is nested too deep to be a page's state") from None


def script_json(text: str, marker: str, request: Request, *, undefined: bool = False) -> Any | None:
    """The object assigned after ``marker`` (``window.__APOLLO_STATE__=``) in a script; None when absent."""
    at = text.find(marker)
    if at < 0:
        return None
    start = text.find("{", at + len(marker))
    end = text.find("</script>", start)
    if start < 0:
        return None
    blob = text[start: end if end >= 0 else len(text)]
    if len(blob) > IMPORT_MAX_BYTES:
        raise Malformed(f"{file_name(request)}: {marker.rstrip('=')} is over the import limit of {IMPORT_MAX_BYTES:,} "
                        "characters; save only the one page")
    if undefined:
        blob = without_undefined(blob)
    try:
        value, _ = json.JSONDecoder().raw_decode(blob)  # the script goes on after the object (";(function…")
        return value
    except json.JSONDecodeError as e:
        raise Malformed(f"{file_name(request)}: {marker.rstrip('=')} is not JSON ({e.msg} at column {e.colno}); "
                        "the file may be cut short: save it again") from None
    except RecursionError:
        raise Malformed(f"{file_name(request)}: {marker.rstrip('=')} is nested too deep to be a page's state") from None


_STRING_OR_UNDEFINED = re.compile(r'"(?:[^"\\]|\\.)*"|\bundefined\b')


def without_undefined(blob: str) -> str:
    """JavaScript's ``undefined`` as JSON's null, outside strings only (a note may say "undefined" in its text)."""
    return _STRING_OR_UNDEFINED.sub(lambda m: m.group(0) if m.group(0)[0] == '"' else "null", blob)


def other_platform(text: str, platform: str) -> str:
    """', and it is a Kuaishou page (…): import it into a source of type kuaishou' when it is one; else ''."""
    head = text[:IMPORT_MAX_BYTES]
    for other, markers in _MARKERS:
        if other == platform:
            continue
        found = next((m for m in markers if m in head), None)
        if found:
            return (f"; it is a {PLATFORMS[other]} ({other}) page or answer ({found} is in it): import it into a "
                    f"source of type {other}")
    return ""


def refuse(platform: str, text: str, request: Request, what: str, fix: str,
           kind: type[ParseError] = ParseError) -> ParseError:
    other = other_platform(text, platform)
    return kind(f"{file_name(request)}: {what}{other or '; ' + fix}")


WALL_FIX = "sign in or pass the check in the browser yourself, wait until the page shows, then save it again"


Cues = tuple[tuple[str, str, bool], ...]  # (words on the page, the wall they show, shown only by the wall)


def wall_on(text: str, cues: Cues, weak: bool) -> str:
    """The first wall a page shows, named for the message ('a sign-in wall (扫码登录)'); '' when none.

    A weak cue (a captcha script's address, a sign-in panel's words) is on every page of its platform:
    it names the wall only of a page without the platform's state.
    """
    head = text[:200_000]  # a wall page is small; its words are near the top
    return next((name if cue in name else f"{name} ({cue})" for cue, name, strong in cues
                 if (strong or weak) and cue in head), "")


def walled(platform: str, parse: Callable[[], list[Listing]], text: str, request: Request,
           cues: Cues) -> list[Listing]:
    """``parse()``; when the page is not what it should be, the platform it is from or the wall it shows.

    Walls are looked for only in a page that failed: a page that holds its data is read whatever
    else it shows, and data cut short is said to be so (Malformed).
    """
    try:
        return unique(parse())
    except Malformed:
        raise
    except ParseError as e:
        if other := other_platform(text, platform):
            raise ParseError(f"{file_name(request)}: not a {PLATFORMS[platform]} page{other}") from None
        wall = wall_on(text, cues, weak=isinstance(e, NoState))
        if not wall:
            raise
        fix = "nothing on it to import; keep it (and a screenshot) as evidence of the removal" if "删除" in wall or \
            "无法查看" in wall or "投诉" in wall else WALL_FIX
        raise ParseError(f"{file_name(request)}: {wall} was saved, not the page; {fix}") from None


_SAVED_FROM = re.compile(r"<!-- saved from url=\(\d+\)(\S+?) -->")


def saved_from(text: str) -> str:
    """The address Chrome writes at the top of a page it saved ('<!-- saved from url=(0047)https://… -->')."""
    m = _SAVED_FROM.search(text[:4096])
    return m.group(1) if m else ""


def make_post(source: str, platform: str, post_id: str, *, url: str, title: str = "", body: str = "",
              tags: tuple[str, ...] = (), author: str = "", author_id: str = "", published: str = "",
              kind_of: str = "", counts: dict[str, Any] | None = None, extra: dict[str, str] | None = None,
              key: str = "") -> Listing:
    """A post, video, note, article or comment: its text whole, its name the title or first line."""
    title, body = clean(title), body.strip()
    hashtags = " ".join(f"#{t}" for t in tags if t and f"#{t}" not in body and f"#{t}" not in title)
    text = "\n".join(p for p in (title, body, hashtags) if p)
    first = next((clean(line) for line in text.splitlines() if clean(line)), "")
    name = title[:_NAME_MAX] or first[:_NAME_MAX] or f"{PLATFORMS[platform]}{kind_of or '内容'} {post_id}"
    fields = {"平台": PLATFORMS[platform], "作者": clean(author), "作者ID": clean(author_id), "发布时间": published,
              "链接": url, "类型": kind_of}
    fields.update({k: count_text(v) for k, v in (counts or {}).items()})
    fields.update(extra or {})
    return Listing(source, key or f"{platform}:{post_id}", "post", name, url,
                   tuple(sorted((k, v) for k, v in fields.items() if v)), text)


def make_account(source: str, platform: str, user_key: str, *, name: str, account_id: str, bio: str, url: str,
                 extra: dict[str, str] | None = None) -> Listing:
    fields = {"平台": PLATFORMS[platform], "账号ID": clean(account_id), "简介": clean(bio), **(extra or {})}
    return Listing(source, f"{platform}:user:{user_key}", "account", clean(name), url,
                   tuple(sorted((k, v) for k, v in fields.items() if v)), bio.strip())


def unique(listings: list[Listing]) -> list[Listing]:
    """Each key once, the first (fullest) showing kept: a page lists a video in its detail and its feed."""
    seen: dict[str, Listing] = {}
    for x in listings:
        seen.setdefault(x.key, x)
    return list(seen.values())
