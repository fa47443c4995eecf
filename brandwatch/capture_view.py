"""A kept capture as a page to look at, with the hit's row marked: the web workspace's frame and the
evidence bundle's screenshot.

The page is the captured body, re-serialised by BeautifulSoup with the element
that shows the hit's name (its table row or list item, else the element
itself) outlined. Scripts, frames, objects, forms' actions and event handlers
are dropped here as well as blocked by the response's sandbox CSP: a captured
page is hostile input. A JSON or text body is shown as escaped text with the
name marked. The WARC record itself is never changed; this is a view of it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bs4 import BeautifulSoup

from .fetch import decode
from .models import Capture

HIGHLIGHT = "data-brandwatch-hit"
_STYLE = (f"[{HIGHLIGHT}]{{outline:3px solid #c62828 !important;outline-offset:2px;"
          "background:#fff59d !important;color:#000 !important}")
_DROP = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link", "meta")
_ROWS = ("tr", "li", "article", "dd", "dt")
_DROP_ATTRS = ("action", "formaction", "srcdoc", "ping", "srcset", "imagesrcset")
_URL_ATTRS = ("src", "href", "poster", "background", "data", "xlink:href", "lowsrc", "dynsrc")


@dataclass(frozen=True)
class View:
    page: bytes  # UTF-8 HTML
    marked: bool  # the hit's name was found and its row outlined


def content_type(headers: Sequence[tuple[str, str]]) -> str:
    return next((v for k, v in headers if k.lower() == "content-type"), "")


def capture_page(capture: Capture, name: str) -> bytes:
    """The capture as a UTF-8 HTML page with the element showing ``name`` outlined (the first one)."""
    return render_capture(capture.body, content_type(capture.headers), name).page


MAX_RENDER = 4 * 1024 * 1024  # bytes of a capture rendered whole; a feed file can be hundreds of MB
EXCERPT = 64 * 1024  # characters shown either side of the name in a larger capture


def render_capture(body: bytes, ctype: str, name: str, head: str = "") -> View:
    """A captured body as a UTF-8 HTML page, sanitised, the row showing ``name`` outlined; ``head`` (trusted
    markup, e.g. a CSP meta tag) goes first in the page's head. A body over MAX_RENDER bytes is shown as text
    around the name only (the whole body stays in the WARC record and the evidence bundle)."""
    if len(body) > MAX_RENDER:
        return _excerpt(body, ctype, name, head)
    text, _ = decode(body, ctype)
    looks_html = "html" in ctype.lower() or text.lstrip("\ufeff \t\r\n")[:1] == "<"
    if not looks_html:
        return _text_page(text, name, pretty="json" in ctype.lower(), head=head)
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.find_all(True):
        for attr in list(tag.attrs):
            low = attr.lower()
            value = tag[attr] if isinstance(tag[attr], str) else " ".join(tag[attr])
            if low.startswith("on") or low in _DROP_ATTRS:
                del tag[attr]
            elif low in _URL_ATTRS and not value.strip().lower().startswith("data:"):
                # nothing is fetched and no click leaves the capture; the address stays readable
                tag[f"data-captured-{low}"] = value
                del tag[attr]
    target = _row_of(soup, name)
    if target is not None:
        target[HIGHLIGHT] = "1"
        target["id"] = "brandwatch-hit"
    where = soup.head or soup
    style = soup.new_tag("style")
    style.string = _STYLE
    where.insert(0, style)
    if head:
        where.insert(0, BeautifulSoup(head, "html.parser"))
    where.insert(0, soup.new_tag("meta", attrs={"charset": "utf-8"}))
    return View(str(soup).encode("utf-8"), target is not None)


def _row_of(soup: BeautifulSoup, name: str) -> object | None:
    """The row (tr, li …) whose text holds the name; the smallest element holding it when none is a row."""
    if not name:
        return None
    squeezed = re.sub(r"\s+", "", name)
    for node in soup.find_all(string=True):
        if name in node or (squeezed and squeezed in re.sub(r"\s+", "", node)):
            element = node.parent
            row = element.find_parent(_ROWS) if element is not None else None
            return row or element
    for element in soup.find_all(True):  # the name split across tags (<em>微众</em>科技)
        if squeezed and squeezed in re.sub(r"\s+", "", element.get_text()) and not any(
                squeezed in re.sub(r"\s+", "", c.get_text()) for c in element.find_all(True, recursive=False)):
            return element.find_parent(_ROWS) or element
    return None


def _excerpt(body: bytes, ctype: str, name: str, head: str) -> View:
    """The part of a large capture around the first mention of ``name``, as text, with a note saying so."""
    text, _ = decode(body, ctype)
    at = text.find(name) if name else -1
    start = max(0, at - EXCERPT) if at >= 0 else 0
    part = text[start:start + 2 * EXCERPT + len(name)]
    note = (f"［brandwatch：此取证共 {len(body):,} 字节，仅显示「名称」附近的部分；完整内容在证据包中。"
            f" This capture is {len(body):,} bytes; only the part around the name is shown here. The whole of it"
            " is in the WARC record and the evidence bundle.］\n\n")
    view = _text_page(note + part, name, pretty=False, head=head)
    return View(view.page, view.marked)


def _text_page(text: str, name: str, *, pretty: bool, head: str = "") -> View:
    if pretty:
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
        except ValueError:
            pass
    escaped = html.escape(text)
    mark = html.escape(name)
    marked = bool(name) and mark in escaped
    if marked:
        escaped = escaped.replace(mark, f'<mark id="brandwatch-hit" {HIGHLIGHT}="1">{mark}</mark>', 1)
    page = (f'<!doctype html><html><head><meta charset="utf-8">{head}<style>{_STYLE}</style></head>'
            f'<body><pre style="white-space:pre-wrap">{escaped}</pre></body></html>')
    return View(page.encode("utf-8"), marked)
