"""Where a person can see a hit: a web address that opens, or the capture brandwatch kept.

A listing read from a page a person saved and imported (``brandwatch import``)
or from a feed file has a ``file://`` address: a path on the machine that read
it, which no one else can open (and which names that machine's folders). So a
link is only ever an http(s) address: the listing's own, else the captured
page's; an imported page is referred to by its capture instead, which the
evidence bundle holds byte for byte.

Pure functions of a hit record (``Store.hit_records``); exports and reports use them.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from .models import HitRecord


def web_url(url: str | None) -> str:
    """``url`` when it is an http(s) address with a host, else ''."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return ""
    return url if parts.scheme in ("http", "https") and parts.netloc else ""  # type: ignore[return-value]


def listing_link(rec: HitRecord) -> str:
    """The first web address of: the listing's own page, the captured page, the address brandwatch asked for."""
    capture = rec.capture
    for url in (rec.listing.url, capture and capture.final_url, capture and capture.request_url):
        if url := web_url(url):
            return url
    return ""


def local_file(url: str | None) -> str:
    """The file name of a ``file://`` address (an imported page, a feed), '' for any other."""
    if not (url or "").startswith("file:"):
        return ""
    return unquote(urlsplit(url or "").path).rstrip("/").rsplit("/", 1)[-1]


def evidence_command(hit_id: int | str) -> str:
    """The command that builds a hit's evidence bundle."""
    return f"brandwatch evidence {hit_id} -o evidence-{hit_id}.zip"


def evidence_reference(rec: HitRecord) -> str:
    """How to get the capture behind a hit: ``取证 capture #12 · brandwatch evidence 7 -o evidence-7.zip``,
    saying when the capture is a local file (an imported page has no web address); '' without a capture."""
    capture = rec.capture
    if capture is None:
        return ""
    where = local_file(capture.request_url) or local_file(capture.final_url)
    imported = f"（本地文件导入 imported from the local file {where}）" if where else ""
    return f"取证 capture #{capture.id}{imported} · {evidence_command(rec.id)}"
