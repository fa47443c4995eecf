"""The records that flow between the stages. Small, frozen, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Any, Literal

Kind = Literal["company", "app", "account", "domain", "post", "place"]
#: post: a post, video, comment or note on a platform (its text is scanned); place: a map or directory listing
KINDS: tuple[str, ...] = ("company", "app", "account", "domain", "post", "place")
Severity = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Mark:
    """A protected mark: its id, its name and the other forms it is known by."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    reading: tuple[str, ...] = ()  # toneless pinyin of the name, one syllable per character, when stated

    @property
    def terms(self) -> tuple[str, ...]:
        """The name first, then the aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Official:
    """A brand owner's own contacts (watchlist key ``official``): anything else beside its mark is suspect.

    Phones are kept normalised (digits, landlines with their area code, as ``leads.contacts`` writes
    them); domains lower-case without ``www.``; apps are bundle or package ids; accounts are the
    platform handles or ids the owner runs (``douyin:webank``, or a bare id on any platform).
    """

    phones: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.phones or self.domains or self.apps or self.accounts)


@dataclass(frozen=True)
class Watchlist:
    """One brand owner's marks, its own entities (never reported) and its official contacts."""

    owner: str
    marks: tuple[Mark, ...]
    allow: tuple[str, ...] = ()
    source: str = ""  # the file it came from, for messages
    official: Official = field(default_factory=Official)


@dataclass(frozen=True)
class Hit:
    """One name found similar to one mark, with the reason a lawyer can read."""

    mark_id: str
    mark: str
    owner: str
    score: int
    severity: Severity
    rules: tuple[str, ...]
    span: str
    explanation: str
    term: str = ""  # the mark form (name or alias) that matched
    risk_terms: tuple[str, ...] = field(default=())

    @property
    def rule(self) -> str:
        """The rules joined for one-column output, e.g. ``homophone+separator``."""
        return "+".join(self.rules)


@dataclass(frozen=True)
class Capture:
    """One fetched response, kept byte for byte as evidence (a WARC record)."""

    request_url: str
    final_url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fetched_at: str  # UTC, ISO 8601 with Z

    @property
    def sha256(self) -> str:
        import hashlib

        return hashlib.sha256(self.body).hexdigest()


@dataclass(frozen=True)
class Listing:
    """One thing a source showed: a registered company, an app, an account."""

    source: str  # the configured source's name
    key: str  # stable within the source: credit code, bundle id, URL
    kind: str  # company | app | account
    name: str
    url: str = ""
    fields: tuple[tuple[str, str], ...] = ()  # the source's own fields: 统一社会信用代码, 法定代表人 …
    # what the listing says beyond its name: a post, caption, comment, bio, page body, app description
    text: str = ""

    def field(self, name: str, default: str = "") -> str:
        return dict(self.fields).get(name, default)


# -- time: one format for data, one for people ----------------------------------------------

#: How every time is kept in data (store, JSONL, exports, manifests): UTC, ISO 8601, microseconds, Z.
#: Fixed width, so comparing two stored times as text (as the store's queries do) compares the times.
STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
#: The legal team's time zone: what people read beside the UTC.
PEOPLE_TZ = "Asia/Shanghai"



@dataclass(frozen=True)
class ListingRef:
    """The listing a stored hit is about, as the store keeps it."""

    id: int
    source: str
    key: str
    kind: str
    name: str
    url: str
    fields: Mapping[str, Any]  # the source's own fields (统一社会信用代码, 法定代表人 …)
    status: str
    first_seen: str
    last_seen: str


@dataclass(frozen=True)
class CaptureRef:
    """The listing's latest kept capture (its WARC record is found through the store)."""

    id: int
    fetched_at: str
    sha256: str
    request_url: str
    final_url: str


@dataclass(frozen=True)
class HitRecord:
    """A stored hit with its listing and latest capture: what review, evidence, report, export, alerts and the
    web read (``Store.hit_records``). Times are stamps (UTC with a Z)."""

    id: int
    listing_id: int
    mark_id: str
    mark: str
    owner: str
    score: int
    severity: str
    rule: str  # the rules joined with + (homophone+separator)
    span: str
    explanation: str
    first_seen: str
    last_seen: str
    status: str
    status_at: str | None
    assignee: str
    tags: tuple[str, ...]
    notes: str
    alerted_at: str | None
    listing: ListingRef
    capture: CaptureRef | None

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(r for r in self.rule.split("+") if r)

    @property
    def capture_id(self) -> int | None:
        return self.capture.id if self.capture is not None else None

    def flat(self) -> dict[str, Any]:
        """The record as one flat JSON object, in the shape ``hits --json`` and bundles' match.json have always
        had: the hit's columns, then ``listing_*`` and ``capture_*`` (null when there is no capture)."""
        out: dict[str, Any] = {f: getattr(self, f) for f in _HIT_FIELDS}
        out["tags"] = list(self.tags)
        for f in _LISTING_FIELDS:
            value = getattr(self.listing, f)
            out[f"listing_{f}"] = dict(value) if f == "fields" else value
        for f in _CAPTURE_FIELDS:
            out[f"capture_{f}"] = getattr(self.capture, f) if self.capture is not None else None
        return out


_HIT_FIELDS = ("id", "listing_id", "mark_id", "mark", "score", "severity", "rule", "span", "explanation",
               "first_seen", "last_seen", "status", "assignee", "notes", "owner", "tags", "status_at", "alerted_at")
_LISTING_FIELDS = ("source", "key", "kind", "name", "url", "fields", "status", "first_seen", "last_seen")
_CAPTURE_FIELDS = ("id", "fetched_at", "sha256", "request_url", "final_url")

def utc_now() -> str:
    """Now as data: ``2026-12-02T08:00:00.000000Z`` (see :data:`STAMP_FORMAT`)."""
    return stamp(datetime.now(UTC))


def stamp(moment: datetime | str) -> str:
    """A time as data: UTC with a Z, to the microsecond. A naive datetime is taken as UTC; text is parsed
    first (so ``2026-12-02T16:00:00+08:00`` becomes ``2026-12-02T08:00:00.000000Z``)."""
    return parse_time(moment).strftime(STAMP_FORMAT)


def parse_time(value: datetime | str) -> datetime:
    """A time as an aware UTC datetime: a stamp (Z), ISO 8601 with any offset (+00:00, +08:00), or naive (UTC)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@cache
def people_zone(name: str = PEOPLE_TZ) -> tzinfo:
    """The IANA zone ``name``; Asia/Shanghai is a fixed UTC+8 (no DST since 1991) where the system has no
    time zone database (Windows without the tzdata package)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name == PEOPLE_TZ:
            return timezone(timedelta(hours=8), "CST")
        raise


def typed_time(value: str, what: str) -> str:
    """A date or time a person typed (``2026-11-01``, ``2026-11-01T08:00``; the team's zone unless it gives an
    offset) as a stamp; ValueError naming ``what`` (an option or a form field) and how to write it."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{what} {value}: not a date; write it like 2026-11-01 or 2026-11-01T08:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=people_zone(PEOPLE_TZ))
    return stamp(moment)


def local_text(moment: datetime | str | None, tz: str = PEOPLE_TZ) -> str:
    """A time for people, in the team's zone to the minute with its offset: ``2026-12-02 16:00 (UTC+8)``.
    Empty for no time. Shown beside the UTC stamp, never instead of it."""
    if moment is None or moment == "":
        return ""
    local = parse_time(moment).astimezone(people_zone(tz))
    offset = local.utcoffset() or timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{local:%Y-%m-%d %H:%M} (UTC{sign}{hours}{f':{mins:02d}' if mins else ''})"
