"""One source run: plan → fetch → parse → match → save. The only place the stages meet.

Each fetched page that yields listings is one unit of work: its capture is
appended to the WARC archive first, then, in one database transaction, the
capture row, the listings and their hits. A crash between the two leaves an
unreferenced WARC record, never a listing without its evidence.

Outcomes: ``ok`` (every page fetched), ``partial`` (some failed), ``failed``
(none could be fetched), ``blocked`` (an anti-bot wall answered: the run stops
at once, and a blocked page is never read as "no results").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .captures import CaptureArchive
from .errors import BrandwatchError
from .fetch import Blocked, Fetcher, FetchError, RobotsDisallowed
from .match import Matcher
from .match.variants import generate_variants
from .models import Capture, Listing, Watchlist, utc_now
from .sources import FilesSource, ParseError, SourceType
from .store import Store


@dataclass
class RunResult:
    source: str
    run_id: int
    outcome: str = "ok"
    pages: int = 0
    listings: int = 0
    new_hits: int = 0
    errors: int = 0
    message: str = ""


def search_queries(watchlists: Sequence[Watchlist], variants: int) -> list[str]:
    """Every mark and alias, then the ``variants`` likeliest look-alikes of each mark."""
    out: list[str] = []
    for wl in watchlists:
        for mark in wl.marks:
            out.extend(mark.terms)
            if variants:
                out.extend(v.text for v in generate_variants(mark.terms, variants))
    return list(dict.fromkeys(q for q in out if q.strip()))


def save_page(store: Store, archive: CaptureArchive, matcher: Matcher, capture: Capture,
              listings: Iterable[Listing], run_id: int | None) -> tuple[int, int]:
    """Keep one page's evidence, listings and hits; returns (listings, new hits)."""
    listings = list(listings)
    if not listings:
        return 0, 0
    # the same bytes from the same URL are kept once; the listing's last_seen says it was seen again
    capture_id = store.find_capture(capture.sha256, capture.final_url)
    place = archive.append(capture) if capture_id is None else None
    new_hits = 0
    with store.transaction():
        if place is not None:
            capture_id = store.save_capture(capture, *place, run_id=run_id)
        for listing in listings:
            saved = store.save_listing(listing, capture_id, run_id=run_id)
            new_hits += store.save_hits(saved.id, matcher.match(listing.name, listing.kind))
    return len(listings), new_hits


def run_source(source: SourceType, queries: list[str], *, fetcher: Fetcher, store: Store, archive: CaptureArchive,
               matcher: Matcher) -> RunResult:
    """Run one source over the queries; never raises for what a site does.

    API keys (``source.secrets()``) are masked as *** in every URL and message
    that is kept: captures, run messages, logs.
    """
    result = RunResult(source.name, store.start_run(source.name))
    failures: list[str] = []
    secrets = [s for s in source.secrets() if s]

    def mask(text: str) -> str:
        for s in secrets:
            text = text.replace(s, "***")
        return text

    try:
        if isinstance(source, FilesSource):
            _run_files(source, result, store, archive, matcher, failures)
        for first in ([] if isinstance(source, FilesSource) else source.requests(queries)):
            request = first
            while request is not None:
                try:
                    page = fetcher.fetch(request.url, params=request.params or None, headers=request.headers or None,
                                         respect_robots=source.respect_robots)
                except Blocked as e:
                    result.outcome, result.message = "blocked", mask(str(e))
                    result.errors += 1
                    return result
                except (RobotsDisallowed, FetchError) as e:
                    result.errors += 1
                    failures.append(mask(str(e)))
                    break
                result.pages += 1
                try:
                    parsed = source.parse(source.text_of(page.capture.body, page.text), request)
                except (ParseError, ValueError) as e:
                    result.errors += 1
                    failures.append(mask(f"{page.capture.final_url}: cannot use the answer ({e})"))
                    break
                capture = page.capture
                if secrets:
                    capture = replace(capture, request_url=mask(capture.request_url), final_url=mask(capture.final_url))
                n, new = save_page(store, archive, matcher, capture, parsed.listings, result.run_id)
                result.listings += n
                result.new_hits += new
                request = parsed.next
        if failures:
            result.outcome = "partial" if result.pages else "failed"
            result.message = f"{len(failures)} problem(s); first: {failures[0]}"
        return result
    except Exception as e:  # a bug, the disk, a missing key: record it, let the scheduler go on
        result.outcome, result.message = "failed", mask(f"{type(e).__name__}: {e}")
        raise BrandwatchError(f"{source.name}: {result.message}") from None
    finally:
        store.finish_run(result.run_id, result.outcome, pages=result.pages, listings=result.listings,
                         new_hits=result.new_hits, errors=result.errors, message=result.message)


def _run_files(source: FilesSource, result: RunResult, store: Store, archive: CaptureArchive, matcher: Matcher,
               failures: list[str]) -> None:
    """A drop folder: each file once (by SHA-256), bad rows reported with their line and skipped."""
    for path in source.files():
        body = path.read_bytes()
        url = path.resolve().as_uri()
        capture = Capture(url, url, 200, (("X-Brandwatch-Feed", path.name),), body, utc_now())
        if store.find_capture(capture.sha256, url) is not None:
            continue  # read before
        listings, bad = source.read(path.name, body)
        result.pages += 1
        result.errors += len(bad)
        failures.extend(bad)
        if not listings:
            # keep the file's evidence even when nothing in it was usable, so it is not read again
            with store.transaction():
                store.save_capture(capture, *archive.append(capture), run_id=result.run_id)
            continue
        n, new = save_page(store, archive, matcher, capture, listings, result.run_id)
        result.listings += n
        result.new_hits += new


def import_files(paths: Sequence[Path], source: SourceType, *, store: Store, archive: CaptureArchive,
                 matcher: Matcher, fetched_at: str) -> RunResult:
    """Pages a person saved from a browser (gsxt behind its captcha), kept as evidence like any capture."""
    result = RunResult(source.name, store.start_run(source.name + ":import"))
    try:
        for path in paths:
            body = path.read_bytes()
            from .fetch import decode
            from .sources import Request

            text, _ = decode(body, "")
            url = path.resolve().as_uri()
            capture = Capture(url, url, 200, (("X-Brandwatch-Imported-From", str(path)),), body, fetched_at)
            parsed = source.parse(text, Request(url))
            n, new = save_page(store, archive, matcher, capture, parsed.listings, result.run_id)
            result.pages += 1
            result.listings += n
            result.new_hits += new
        return result
    finally:
        store.finish_run(result.run_id, result.outcome, pages=result.pages, listings=result.listings,
                         new_hits=result.new_hits, errors=result.errors, message=result.message)
