"""One source run: plan → fetch → parse → match → save. The only place the stages meet.

Each fetched page that yields listings is one unit of work: its capture is
appended to the WARC archive first, then, in one database transaction, the
capture row, the listings and their hits. A crash between the two leaves an
unreferenced WARC record, never a listing without its evidence.

A ``files`` feed is the same, in batches: the file is hashed and appended to
the archive as it lies on disk, its capture row kept, and then its rows are
read, matched (``Matcher.match_many``) and saved ``FEED_BATCH`` at a time, a
transaction a batch that also records the feed's last line kept. Memory is
that of one batch whatever the feed's size; a crash keeps every batch before
it, nothing of the batch it stopped in, and the next run goes on after the
last line kept.

Outcomes: ``ok`` (every page fetched and parsed as a result list),
``partial`` (some failed, the source's time budget ran out, or the process
was told to stop: it stops after the page it is on), ``failed`` (none could
be used), ``blocked`` (an anti-bot wall answered, by its status, a challenge
script, or a captcha page where a result list belonged: the run stops at
once, and a blocked page is never read as "no results"), ``deferred`` (the
site asked for a wait, Retry-After, longer than the budget has left: the run
stops, keeps what it fetched, and the source waits until then).

A run is *proven* when it is ``ok``, fetched at least one page, and is not a
feed: every page it read was a result list, so a listing it did not show is
absent from the source. Follow-up counts only proven runs towards ``removed``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import secrets as secret_values
from .bounded import IMPORT_FIX, IMPORT_MAX_BYTES, check_regular_file, read_regular_file
from .captures import CaptureArchive, masked
from .errors import Blocked, BrandwatchError, BudgetSpent, Deferred, FetchError, ParseError, RobotsDisallowed, one_line
from .fetch import Fetcher, challenge_reason
from .leads.reading import Matched, match_listings
from .match import Matcher
from .match.variants import generate_variants
from .models import Capture, Listing, Watchlist, stamp, utc_now
from .net import Deadline
from .sources import FilesSource, Request, SourceType
from .sources.files import scan_feed
from .store import Store

# Rows a feed transaction holds: large enough that SQLite's per-statement and per-commit
# costs vanish, small enough that a batch's rows, hits and statements stay a few MiB.
FEED_BATCH = 4000


class Stop(threading.Event):
    """Set (from a signal handler) to stop runs after the page they are on; ``reason`` says by what."""

    reason = ""

    def set(self, reason: str = "request") -> None:  # type: ignore[override]
        self.reason = reason
        super().set()


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
    deferred_until: str | None = None  # outcome deferred: when the site said it may be asked again (UTC)
    proven: bool = False  # every page was a result list: what the run did not list is absent


class Problems:
    """What went wrong in a run: how many, and the first few messages (a feed may have millions of bad rows)."""

    KEEP = 20

    def __init__(self) -> None:
        self.count = 0
        self.first: list[str] = []

    def add(self, *messages: str) -> None:
        self.count += len(messages)
        self.first += messages[: max(0, self.KEEP - len(self.first))]


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
              listings: Iterable[Listing], run_id: int | None, *, merge_fields: bool = False) -> tuple[int, int]:
    """Keep one page's evidence, listings and hits; returns (listings, new hits).

    ``merge_fields``: the page shows part of what is known of its listings (a result list beside the
    detail pages, a row of 法定代表人其他任职企业): the fields kept for each are kept, the page's values
    over them, so that the list page and the detail page do not rewrite each other's fields every run.
    """
    listings = list(listings)
    if not listings:
        return 0, 0
    if merge_fields:
        kept = store.listing_fields(listings[0].source, [x.key for x in listings])
        listings = [replace(x, url=x.url or kept[x.key][0],
                            fields=tuple(sorted({**kept[x.key][1], **dict(x.fields)}.items())))
                    if x.key in kept else x for x in listings]
    capture = masked(capture)  # registered secrets out of URLs, headers and body, before it is hashed
    found = match_listings(matcher, listings)
    # the same bytes from the same URL are kept once; the listing's last_seen says it was seen again
    capture_id = store.find_capture(capture.sha256, capture.final_url)
    place = archive.append(capture) if capture_id is None else None
    with store.transaction():
        if place is not None:
            capture_id = store.save_capture(capture, *place, run_id=run_id)
        new_hits = save_matched(store, listings, found, capture_id, run_id)
    return len(listings), new_hits


def save_matched(store: Store, listings: Sequence[Listing], found: Matched, capture_id: int | None,
                 run_id: int | None) -> int:
    """Save a batch of listings, the hits ``match_listings`` found in them, their texts, attributes and fake
    contacts; returns the new hits.

    Call inside a transaction; matching happens before it, so the write lock is held only to write.
    """
    saved = store.save_listings(listings, capture_id, run_id=run_id)
    ids = [s.id for s in saved]
    if found.texts:
        store.save_texts((ids[i], text) for i, text in found.texts)
    if found.attributes:
        store.save_attributes((ids[i], kind, value) for i, kind, value in found.attributes)
    if found.fakes:
        store.save_fake_contacts((ids[i], *rest) for i, *rest in found.fakes)
    return store.save_hits_many((ids[i], hits) for i, hits in found.hits.items())


def import_only_message(name: str) -> str:
    """What ``run`` says of a source that is never fetched (social platforms: sources/social.py)."""
    return (f"{name}: import-only: save pages in a browser and run brandwatch import --source {name} FILES "
            "(this source is never crawled)")


def run_source(source: SourceType, queries: list[str], *, fetcher: Fetcher, store: Store, archive: CaptureArchive,
               matcher: Matcher, budget: float | None = None, stop: Stop | None = None) -> RunResult:
    """Run one source over the queries; never raises for what a site does.

    ``budget``: seconds the run may take; no request, retry or wait goes past it, and a
    site asking for a longer wait defers the source. ``stop``: checked between pages.
    API keys (``source.secrets()``) are masked as *** in every URL and message
    that is kept: captures, run messages, logs. An import-only source is refused
    before a run is recorded: an empty ok run would say its platform was searched.
    """
    if source.import_only:
        raise BrandwatchError(import_only_message(source.name))
    result = RunResult(source.name, store.start_run(source.name))
    failures = Problems()
    secrets = [s for s in source.secrets() if s]
    secret_values.register(*secrets)
    deadline = Deadline(budget) if budget else None
    halted = ""  # why the run stopped before its last page
    used = 0  # pages that parsed as result lists (a page fetched but unreadable counts in pages, not here)

    def mask(text: str) -> str:
        return secret_values.mask(text)  # every encoding of every registered secret (secrets.py)

    try:
        if isinstance(source, FilesSource):
            _run_files(source, result, store, archive, matcher, failures)
        for first in ([] if isinstance(source, FilesSource) else source.requests(queries)):
            request = first
            details_left = source.detail_pages()
            while request is not None and not halted:
                if stop is not None and stop.is_set():
                    halted = f"stopped by {stop.reason} after {result.pages} pages"
                    break
                if deadline is not None and deadline.expired:
                    halted = f"stopped at the source's time budget of {budget:g} s after {result.pages} pages"
                    break
                try:
                    page = fetcher.fetch(request.url, params=request.params or None, headers=request.headers or None,
                                         respect_robots=source.respect_robots, budget=deadline, check=source.check)
                except Blocked as e:
                    result.outcome, result.message = "blocked", mask(str(e))
                    result.errors += 1
                    return result
                except Deferred as e:
                    until = datetime.now(UTC) + timedelta(seconds=e.after)
                    result.outcome, result.message = "deferred", mask(str(e))
                    result.deferred_until = stamp(until)
                    return result
                except (RobotsDisallowed, FetchError) as e:
                    result.errors += 1
                    if isinstance(e, BudgetSpent):  # the budget, not the site, ended it: no later query fits either
                        halted = f"stopped at the source's time budget of {budget:g} s after {result.pages} pages"
                    failures.add(mask(str(e)))
                    break
                result.pages += 1
                try:
                    parsed = source.parse(source.text_of(page.capture.body, page.text), request)
                except (ParseError, ValueError) as e:
                    result.errors += 1
                    # a 200 page that is not a result list: a wall, whatever its size, or a page we cannot read
                    reason = challenge_reason(page.text)
                    if reason:
                        result.outcome = "blocked"
                        result.message = mask(f"{page.capture.final_url}: blocked by {reason} where a result list "
                                              "belonged; brandwatch does not solve challenges, the source pauses")
                        return result
                    failures.add(mask(f"{page.capture.final_url}: not a result page ({e})"))
                    break
                capture = page.capture
                if secrets:
                    capture = replace(capture, request_url=mask(capture.request_url), final_url=mask(capture.final_url))
                n, new = save_page(store, archive, matcher, capture, parsed.listings, result.run_id,
                                   merge_fields=source.detail_pages() > 0)
                used += 1
                result.listings += n
                result.new_hits += new
                for detail in parsed.details[:max(0, details_left)]:
                    if (stop is not None and stop.is_set()) or (deadline is not None and deadline.expired):
                        break
                    details_left -= 1
                    ended = _detail_page(source, detail, fetcher, store, archive, matcher, result, failures,
                                         deadline, mask)
                    if ended:
                        return result
                request = parsed.next
            if halted:
                break
        if halted:
            result.outcome = "partial"
            result.message = halted + (f"; {failures.count} problem(s); first: {failures.first[0]}"
                                       if failures.count else "")
        elif failures.count:
            result.outcome = "partial" if used or (isinstance(source, FilesSource) and result.pages) else "failed"
            result.message = f"{failures.count} problem(s); first: {failures.first[0]}"
        result.proven = result.outcome == "ok" and result.pages > 0 and not isinstance(source, FilesSource)
        return result
    except Exception as e:  # a bug, the disk, a missing key: record it, let the scheduler go on
        result.outcome, result.message = "failed", one_line(mask(f"{type(e).__name__}: {e}"))
        result.proven = False
        raise BrandwatchError(f"{source.name}: {result.message}") from None
    finally:
        store.finish_run(result.run_id, result.outcome, pages=result.pages, listings=result.listings,
                         new_hits=result.new_hits, errors=result.errors, message=result.message,
                         deferred_until=result.deferred_until, proven=result.proven)


def _detail_page(source: SourceType, request: Request, fetcher: Fetcher, store: Store, archive: CaptureArchive,
                 matcher: Matcher, result: RunResult, failures: Problems, deadline: Deadline | None,
                 mask: Callable[[str], str]) -> bool:
    """Fetch and keep one result's own page (its fields, its text, the entities it links to); True when the
    run must end (a wall or a requested wait), as for a result page. A page that fails is a problem of the
    run, and the next detail page is tried."""
    try:
        page = fetcher.fetch(request.url, respect_robots=source.respect_robots, budget=deadline)
    except Blocked as e:
        result.outcome, result.message = "blocked", mask(str(e))
        result.errors += 1
        return True
    except Deferred as e:
        result.outcome, result.message = "deferred", mask(str(e))
        result.deferred_until = stamp(datetime.now(UTC) + timedelta(seconds=e.after))
        return True
    except (RobotsDisallowed, FetchError) as e:
        result.errors += 1
        failures.add(mask(f"detail page: {e}"))
        return False
    result.pages += 1
    try:
        parsed = source.parse_detail(source.text_of(page.capture.body, page.text), request)
    except (ParseError, ValueError) as e:
        result.errors += 1
        reason = challenge_reason(page.text)
        if reason:
            result.outcome = "blocked"
            result.message = mask(f"{page.capture.final_url}: blocked by {reason} where a detail page belonged; "
                                  "brandwatch does not solve challenges, the source pauses")
            return True
        failures.add(mask(f"{page.capture.final_url}: not a detail page ({e})"))
        return False
    n, new = save_page(store, archive, matcher, page.capture, parsed.listings, result.run_id, merge_fields=True)
    result.listings += max(0, n - 1)  # the listing itself was counted on its result page
    result.new_hits += new
    return False


def _run_files(source: FilesSource, result: RunResult, store: Store, archive: CaptureArchive, matcher: Matcher,
               failures: Problems) -> None:
    """A drop folder: each file once (by SHA-256), read in batches; bad rows reported with their line and skipped."""
    for path in source.files():
        url = path.resolve().as_uri()
        before = path.stat()
        scan = scan_feed(path)
        capture_id = store.find_capture(scan.sha256, url)
        after = 0
        if capture_id is not None:
            feed = store.feed(capture_id)
            if feed is None or feed["finished_at"]:
                continue  # read before
            after = feed["lines_done"]  # a run stopped part way through it: go on after the last batch kept
        else:
            # the file's evidence first, kept even when nothing in it is usable, so it is not read again
            capture = Capture(url, url, 200, (("X-Brandwatch-Feed", path.name),), b"", utc_now())
            place = archive.append_file(capture, path, scan.size, scan.sha256)
            with store.transaction():
                capture_id = store.save_capture(capture, *place, run_id=result.run_id, sha256=scan.sha256,
                                                size=scan.size)
                store.start_feed(capture_id, source.name, path.name)
        result.pages += 1
        if scan.problem:
            result.errors += 1
            failures.add(scan.problem)
        else:
            for batch in source.read_batches(path, FEED_BATCH, after):
                result.errors += len(batch.bad)
                failures.add(*batch.bad)
                found = match_listings(matcher, batch.listings)
                with store.transaction():
                    new = save_matched(store, batch.listings, found, capture_id, result.run_id)
                    store.feed_progress(capture_id, batch.last_line, len(batch.listings))
                result.listings += len(batch.listings)
                result.new_hits += new
        after_read = path.stat()
        if (after_read.st_size, after_read.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            # the capture may not hold the rows that were read: say so, and leave the feed unfinished
            result.errors += 1
            failures.add(f"{path.name}: the file changed while it was read; write feeds elsewhere and move them "
                         "into the folder when complete (it is read again as a new file)")
            continue
        store.finish_feed(capture_id)


def import_files(paths: Sequence[Path], source: SourceType, *, store: Store, archive: CaptureArchive,
                 matcher: Matcher, fetched_at: str) -> RunResult:
    """Pages a person saved from a browser (gsxt behind its captcha), kept as evidence like any capture."""
    for path in paths:  # every file checked (regular, not too big) before the run starts: all or nothing
        check_regular_file(path, IMPORT_MAX_BYTES, what="saved page", fix=IMPORT_FIX)
    result = RunResult(source.name, store.start_run(source.name + ":import"))
    try:
        for path in paths:
            body = read_regular_file(path, IMPORT_MAX_BYTES, what="saved page", fix=IMPORT_FIX)
            from .fetch import decode
            from .sources import Request

            text, _ = decode(body, "")
            url = path.resolve().as_uri()
            capture = Capture(url, url, 200, (("X-Brandwatch-Imported-From", str(path)),), body, fetched_at)
            try:
                parsed = source.parse(text, Request(url))
            except (ParseError, ValueError) as e:
                # a saved challenge or an unreadable page is refused, never imported as "no results"
                result.outcome, result.errors = ("partial" if result.pages else "failed"), result.errors + 1
                reason = challenge_reason(text)
                why = f"{reason}, not a result list (save the page once the check is passed)" if reason \
                    else f"not a result page ({e})"
                result.message = (f"{path}: {why}; {result.pages} file(s) before it imported, it and any after "
                                  "it not")
                raise ParseError(result.message) from e
            n, new = save_page(store, archive, matcher, capture, parsed.listings, result.run_id)
            result.pages += 1
            result.listings += n
            result.new_hits += new
        return result
    finally:
        store.finish_run(result.run_id, result.outcome, pages=result.pages, listings=result.listings,
                         new_hits=result.new_hits, errors=result.errors, message=result.message)
