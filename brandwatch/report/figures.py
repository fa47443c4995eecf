"""The week's figures: store rows in, one frozen ``WeeklyFigures`` out.

``gather_figures`` is the only function here that reads the store (through its
public queries; only store.py knows table names). Everything else is a pure
function of rows, so each figure can be checked on a hand-made list of dicts.

Definitions a reader of the report may ask about:

- a hit is *new* in a week when its ``first_seen`` falls in it (the store keeps
  the first sighting; a re-crawl never moves it);
- the review funnel counts every hit by its current status; "entered this
  week" counts the audit log's status changes into that status;
- an *outcome* is an audit status change to one of review.OUTCOMES; each change
  counts once (a hit that reemerged and was removed again counts twice), and
  its delay runs from the hit's latest confirmation before it (the audit entry
  whose new status is ``confirmed``) to the change;
- a source is *flagged* when an anti-bot wall blocked it, its last run this
  week failed, every finished run returned no listings, or it ran in the
  previous weeks but not in this one;
- a decision (a status change, an outcome) shows the listing's name *as it
  was when the decision was made*: the name history (``listing_changes``)
  says which name the listing had then; the current name is shown beside it
  when it has changed since;
- a hit's link is a web address only (links.py): a page imported from a file
  is referred to by its capture (id, WARC file and offset) instead.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..links import evidence_command, listing_link, local_file, web_url
from ..models import HitRecord
from ..networks import ActorNetwork, actor_networks
from ..review import OUTCOMES, STATUSES
from ..store import Store
from .weeks import DEFAULT_TZ, aware, local_midnight, parse_utc, previous_weeks, to_utc, week_monday, week_name, zone

SEVERITIES = ("high", "medium", "low")
TREND_WEEKS = 8

# Listing fields that identify the imitator before a court or a platform, in the order shown.
IDENTIFIER_FIELDS = ("统一社会信用代码", "注册号", "bundle_id", "track_id", "developer", "seller", "法定代表人",
                     "成立日期", "登记机关", "status")
FIELD_LABELS = {"status": "登记状态 status"}  # the registry's own word (存续, 注销 …), kept under its field name

Row = Mapping[str, Any]


@dataclass(frozen=True)
class TrendWeek:
    """New hits in one week, by severity."""

    week: str  # 2026-W48
    monday: str  # its first day, local: 2026-11-23
    high: int
    medium: int
    low: int

    @property
    def total(self) -> int:
        return self.high + self.medium + self.low


@dataclass(frozen=True)
class HighHit:
    """A new high-severity hit with what the legal team needs to act on it and prove it."""

    id: int
    name: str
    mark: str
    owner: str
    score: int
    rule: str
    explanation: str
    source: str
    kind: str
    key: str
    url: str
    status: str
    first_seen: str
    identifiers: tuple[tuple[str, str], ...]
    capture_id: int | None
    capture_sha256: str
    capture_fetched_at: str
    capture_url: str  # a web address, '' for a local file
    capture_file: str = ""  # the file an imported capture was read from ('' when fetched from the web)
    capture_warc: str = ""  # where the archive keeps it: "2026-11-23.warc.gz @ 1024"

    @property
    def evidence_command(self) -> str:
        """The command that builds the hit's evidence bundle (captures, hashes, audit trail)."""
        return evidence_command(self.id)


@dataclass(frozen=True)
class FunnelRow:
    status: str
    hits: int  # hits in this status now
    entered: int  # status changes into it this week


@dataclass(frozen=True)
class StatusChange:
    at: str
    hit_id: int
    name: str  # the listing's name when the change was made
    mark: str
    actor: str
    old: str
    new: str
    note: str
    name_now: str = ""  # its name today, when it has changed since


@dataclass(frozen=True)
class OutcomeEvent:
    """One hit reaching an outcome, and how long after its confirmation."""

    at: str
    hit_id: int
    name: str
    mark: str
    outcome: str
    confirmed_at: str | None
    days: float | None  # None when the hit was never confirmed before it
    name_now: str = ""  # as StatusChange.name_now (``name`` is the name at the time)


@dataclass(frozen=True)
class OutcomeFigure:
    outcome: str
    week: int
    total: int
    median_days_week: float | None
    median_days_total: float | None


@dataclass(frozen=True)
class Proposal:
    id: int
    hit_id: int
    name: str
    mark: str
    outcome: str
    reason: str
    seen_at: str
    created_at: str
    hit_status: str


@dataclass(frozen=True)
class SourceHealth:
    """One source's runs this week; ``flags`` name what a person should look at."""

    source: str
    runs: int
    ok: int
    partial: int
    failed: int
    blocked: int
    running: int
    pages: int
    listings: int
    zero_listing_runs: int
    last_outcome: str
    last_message: str
    last_started_at: str
    flags: tuple[str, ...]  # blocked, failing, no_results, not_run


@dataclass(frozen=True)
class WeeklyFigures:
    """Everything the weekly report shows, computed once; templates only format it."""

    week: str
    tz: str
    start: str  # UTC bound, inclusive
    end: str  # UTC bound, exclusive
    first_day: str  # local dates, for people
    last_day: str
    complete: bool  # False when made before the week ended
    generated_at: str  # UTC
    database: str
    new_hits: int
    by_severity: tuple[tuple[str, int], ...]
    by_mark: tuple[tuple[str, int], ...]
    by_source: tuple[tuple[str, int], ...]
    trend: tuple[TrendWeek, ...]
    high_hits: tuple[HighHit, ...]
    total_hits: int
    funnel: tuple[FunnelRow, ...]
    status_changes: tuple[StatusChange, ...]
    outcomes: tuple[OutcomeFigure, ...]
    outcome_events: tuple[OutcomeEvent, ...]
    proposals: tuple[Proposal, ...]
    sources: tuple[SourceHealth, ...]
    fake_contacts: FakeContactFigures
    networks: tuple[ActorNetwork, ...]

    def severity(self, name: str) -> int:
        return dict(self.by_severity).get(name, 0)

    @property
    def flagged_sources(self) -> tuple[SourceHealth, ...]:
        return tuple(s for s in self.sources if s.flags)


def gather_figures(store: Store, week: str, *, now: datetime | None = None, tz: str = DEFAULT_TZ) -> WeeklyFigures:
    """Read the store once and compute the week's figures (``now`` only dates the report)."""
    now = aware(now)
    monday = week_monday(week)
    week = week_name(monday)  # 2026-w48 → 2026-W48
    start_local, end_local = local_midnight(monday, tz), local_midnight(monday + timedelta(days=7), tz)
    weeks = previous_weeks(week, TREND_WEEKS)
    trend_start = local_midnight(week_monday(weeks[0]), tz)

    records = store.hit_records()
    hits = [r.flat() for r in records]  # the report's tables count over the flat JSON shape
    audit = store.audit_entries()
    runs = store.runs_between(to_utc(trend_start), to_utc(end_local))
    hits_by_id = {h["id"]: h for h in hits}
    in_week = [h for h in hits if start_local <= parse_utc(h["first_seen"]) < end_local]
    in_week_ids = {h["id"] for h in in_week}
    decided = {e["hit_id"] for e in audit if e["action"] == "status" and e["hit_id"] in hits_by_id}
    names = NameHistory(hits_by_id, name_changes(store, {hits_by_id[i]["listing_id"] for i in decided}))
    changes = status_changes(audit, hits_by_id, start_local, end_local, names)
    outcome_figures, events = outcomes(audit, hits_by_id, start_local, end_local, names)
    return WeeklyFigures(
        week=week, tz=tz, start=to_utc(start_local), end=to_utc(end_local),
        first_day=monday.isoformat(), last_day=(monday + timedelta(days=6)).isoformat(),
        complete=now >= end_local, generated_at=to_utc(now), database=str(store.path),
        new_hits=len(in_week),
        by_severity=severity_counts(in_week),
        by_mark=count_by(in_week, "mark"),
        by_source=count_by(in_week, "listing_source"),
        trend=trend(hits, weeks, tz),
        high_hits=high_hits([r for r in records if r.id in in_week_ids],
                            archive_places(store, {h["capture_id"] for h in in_week
                                                   if h["severity"] == "high" and h["capture_id"]})),
        total_hits=len(hits),
        funnel=funnel(hits, changes),
        status_changes=changes,
        outcomes=outcome_figures,
        outcome_events=events,
        proposals=proposals(store.proposals("open")),
        sources=source_health(
            [r for r in runs if start_local <= parse_utc(r["started_at"]) < end_local],
            {r["source"] for r in runs if parse_utc(r["started_at"]) < start_local},
        ),
        fake_contacts=fake_contact_figures(store.fake_contacts(), start_local, end_local, weeks, tz),
        networks=tuple(actor_networks(store)),
    )


@dataclass(frozen=True)
class FakeContact:
    """One fake number or address, however many listings gave it."""

    type: str
    value: str
    raw: str
    marks: tuple[str, ...]
    listings: int
    first_seen: str
    new: bool  # first seen this week


@dataclass(frozen=True)
class FakeContactFigures:
    """The figure banks publish: distinct fake customer-service numbers, deduplicated across sources."""

    new_numbers: int  # distinct phone and QQ numbers first seen this week
    seen_numbers: int  # distinct numbers seen this week (new or seen before)
    new_addresses: int  # distinct web and e-mail addresses first seen this week
    trend: tuple[tuple[str, int], ...]  # (week, distinct numbers first seen that week)
    contacts: tuple[FakeContact, ...]  # those seen this week, new first


def fake_contact_figures(rows: Sequence[Row], start: datetime, end: datetime, weeks: Sequence[str],
                         tz: str) -> FakeContactFigures:
    """Deduplicate fake contacts by (type, value) across listings and sources, then count by week."""
    by_value: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        d = by_value.setdefault((r["type"], r["value"]), {"raw": r["raw"], "marks": set(), "listings": set(),
                                                          "first": r["first_seen"], "last": r["last_seen"]})
        d["marks"].add(r["mark_id"])
        d["listings"].add(r["listing_id"])
        d["first"] = min(d["first"], r["first_seen"])
        d["last"] = max(d["last"], r["last_seen"])
    seen = []
    for (kind, value), d in by_value.items():
        first, last = parse_utc(d["first"]), parse_utc(d["last"])
        if last >= start and first < end:
            seen.append(FakeContact(kind, value, d["raw"], tuple(sorted(d["marks"])), len(d["listings"]),
                                    d["first"], start <= first < end))
    seen.sort(key=lambda c: (not c.new, c.type, c.value))
    numbers = ("phone", "qq")
    firsts = [(k, parse_utc(d["first"])) for (k, _), d in by_value.items()]
    trend_rows = []
    for w in weeks:
        ws = local_midnight(week_monday(w), tz)
        we = ws + timedelta(days=7)
        trend_rows.append((w, sum(1 for k, f in firsts if k in numbers and ws <= f < we)))
    return FakeContactFigures(
        new_numbers=sum(1 for c in seen if c.new and c.type in numbers),
        seen_numbers=sum(1 for c in seen if c.type in numbers),
        new_addresses=sum(1 for c in seen if c.new and c.type not in numbers),
        trend=tuple(trend_rows), contacts=tuple(seen))


def count_by(rows: Iterable[Row], key: str) -> tuple[tuple[str, int], ...]:
    """(value, count) pairs, most first, ties by value so the order never depends on the query."""
    counts = Counter(str(r[key]) for r in rows)
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def severity_counts(rows: Iterable[Row]) -> tuple[tuple[str, int], ...]:
    """Every severity, high first, zeros included (a table that drops a zero row reads as missing data)."""
    counts = Counter(r["severity"] for r in rows)
    return tuple((s, counts[s]) for s in SEVERITIES)


def trend(hits: Iterable[Row], weeks: Sequence[str], tz: str = DEFAULT_TZ) -> tuple[TrendWeek, ...]:
    """New hits per week for ``weeks`` (consecutive, oldest first), split by severity."""
    mondays = [week_monday(w) for w in weeks]
    bounds = [local_midnight(m, tz) for m in [*mondays, mondays[-1] + timedelta(days=7)]]
    counts: list[Counter[str]] = [Counter() for _ in weeks]
    local = zone(tz)
    for h in hits:
        seen = parse_utc(h["first_seen"])
        if bounds[0] <= seen < bounds[-1]:
            day = seen.astimezone(local).date()
            counts[(day - mondays[0]).days // 7][h["severity"]] += 1
    return tuple(TrendWeek(w, m.isoformat(), c["high"], c["medium"], c["low"])
                 for w, m, c in zip(weeks, mondays, counts, strict=True))


def _identifiers(h: Row) -> tuple[tuple[str, str], ...]:
    fields = h.get("listing_fields") or {}
    out = [(FIELD_LABELS.get(name, name), str(fields[name])) for name in IDENTIFIER_FIELDS if fields.get(name)]
    if h["listing_key"] not in {v for _, v in out} and h["listing_key"] not in (h["listing_url"], h["listing_name"]):
        out.insert(0, ("key", str(h["listing_key"])))
    return tuple(out)


def high_hits(rows: Iterable[HitRecord], places: Mapping[int, str] | None = None) -> tuple[HighHit, ...]:
    """The high-severity hits among ``rows``, strongest first; ``places``: where the archive keeps each capture."""
    chosen = sorted((h for h in rows if h.severity == "high"), key=lambda h: (-h.score, h.first_seen, h.id))
    places = places or {}
    out = []
    for h in chosen:
        c = h.capture
        out.append(HighHit(
            id=h.id, name=h.listing.name, mark=h.mark, owner=h.owner, score=h.score, rule=h.rule,
            explanation=h.explanation, source=h.listing.source, kind=h.listing.kind, key=h.listing.key,
            url=listing_link(h), status=h.status, first_seen=h.first_seen,
            identifiers=_identifiers(h.flat()), capture_id=h.capture_id, capture_sha256=c.sha256 if c else "",
            capture_fetched_at=c.fetched_at if c else "", capture_url=web_url(c.final_url) if c else "",
            capture_file=(local_file(c.request_url) or local_file(c.final_url)) if c else "",
            capture_warc=places.get(c.id, "") if c else "",
        ))
    return tuple(out)


def archive_places(store: Store, capture_ids: Iterable[int]) -> dict[int, str]:
    """Where the WARC archive keeps each capture: ``2026-11-23.warc.gz @ 1024`` (Store.capture, read-only)."""
    out = {}
    for capture_id in sorted(capture_ids):
        row = store.capture(capture_id)
        if row:
            out[capture_id] = f"{Path(row['warc_file']).name} @ {row['warc_offset']}"
    return out


def name_changes(store: Store, listing_ids: Iterable[int]) -> dict[int, list[Row]]:
    """Each listing's name changes, oldest first (Store.listing_changes, read-only)."""
    return {lid: [c for c in store.listing_changes(lid) if c["field"] == "name"] for lid in sorted(listing_ids)}


class NameHistory:
    """A hit's listing name at any time, from its name changes: the name a decision was made under."""

    def __init__(self, hits_by_id: Mapping[int, Row], changes: Mapping[int, Sequence[Row]]) -> None:
        self.hits = hits_by_id
        self.changes = changes

    def now(self, hit_id: int) -> str:
        return str(self.hits.get(hit_id, {}).get("listing_name", ""))

    def at(self, hit_id: int, when: str) -> str:
        """The name it had at ``when``: the old name of the first change seen after, else today's name."""
        hit = self.hits.get(hit_id)
        if hit is None:
            return ""
        moment = parse_utc(when)
        changes = self.changes.get(hit.get("listing_id"), ())  # type: ignore[call-overload]
        for change in sorted(changes, key=lambda c: (parse_utc(c["seen_at"]), c["id"])):
            if parse_utc(change["seen_at"]) > moment:
                return str(change["old"])
        return self.now(hit_id)

    def both(self, hit_id: int, when: str) -> tuple[str, str]:
        """(the name then, today's name when it differs, else '')."""
        then, now = self.at(hit_id, when), self.now(hit_id)
        return then, (now if now != then else "")


def _in(entry: Row, start: datetime, end: datetime) -> bool:
    return start <= parse_utc(entry["at"]) < end


def status_changes(audit: Iterable[Row], hits_by_id: Mapping[int, Row], start: datetime,
                   end: datetime, names: NameHistory | None = None) -> tuple[StatusChange, ...]:
    """The audit log's status changes in [start, end), by time (then by log order), each with the listing's
    name when it was made (``names``; without it, today's)."""
    names = names or NameHistory(hits_by_id, {})
    out = []
    for e in sorted(audit, key=lambda e: (parse_utc(e["at"]), e["id"])):
        if e["action"] == "status" and _in(e, start, end):
            h = hits_by_id.get(e["hit_id"], {})
            then, now = names.both(e["hit_id"], e["at"])
            out.append(StatusChange(e["at"], e["hit_id"], then, h.get("mark", ""), e["actor"], e["old"], e["new"],
                                    e["note"], now))
    return tuple(out)


def funnel(hits: Iterable[Row], changes: Iterable[StatusChange]) -> tuple[FunnelRow, ...]:
    """Every status in workflow order (zeros included), then any status review.py does not know."""
    now = Counter(h["status"] for h in hits)
    entered = Counter(c.new for c in changes)
    extra = sorted((set(now) | set(entered)) - set(STATUSES))
    return tuple(FunnelRow(s, now[s], entered[s]) for s in (*STATUSES, *extra))


def _median(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def outcomes(audit: Iterable[Row], hits_by_id: Mapping[int, Row], start: datetime, end: datetime,
             names: NameHistory | None = None) -> tuple[tuple[OutcomeFigure, ...], tuple[OutcomeEvent, ...]]:
    """Each outcome's count and median delay, this week and in total; and this week's outcome events."""
    names = names or NameHistory(hits_by_id, {})
    confirmed: dict[int, str] = {}
    events: list[tuple[OutcomeEvent, bool]] = []
    for e in sorted((e for e in audit if e["action"] == "status"), key=lambda e: e["id"]):
        if e["new"] == "confirmed":
            confirmed[e["hit_id"]] = e["at"]  # the latest confirmation wins: a reemerged hit may be re-confirmed
        elif e["new"] in OUTCOMES:
            since = confirmed.get(e["hit_id"])
            days = None if since is None else (parse_utc(e["at"]) - parse_utc(since)).total_seconds() / 86400
            h = hits_by_id.get(e["hit_id"], {})
            then, now = names.both(e["hit_id"], e["at"])
            event = OutcomeEvent(e["at"], e["hit_id"], then, h.get("mark", ""), e["new"], since, days, now)
            events.append((event, _in(e, start, end)))
    by_outcome: dict[str, list[tuple[OutcomeEvent, bool]]] = defaultdict(list)
    for event, this_week in events:
        by_outcome[event.outcome].append((event, this_week))
    figures = tuple(
        OutcomeFigure(
            outcome=o,
            week=sum(1 for _, w in by_outcome[o] if w),
            total=len(by_outcome[o]),
            median_days_week=_median(ev.days for ev, w in by_outcome[o] if w),
            median_days_total=_median(ev.days for ev, _ in by_outcome[o]),
        )
        for o in OUTCOMES
    )
    return figures, tuple(ev for ev, w in events if w)


def proposals(rows: Iterable[Row]) -> tuple[Proposal, ...]:
    return tuple(Proposal(p["id"], p["hit_id"], p["listing_name"], p["mark"], p["outcome"], p["reason"], p["seen_at"],
                          p["created_at"], p["hit_status"]) for p in rows)


def source_health(runs: Sequence[Row], earlier_sources: Iterable[str] = ()) -> tuple[SourceHealth, ...]:
    """Per source, the week's runs (oldest first) summed up and flagged; sources are in name order.

    ``earlier_sources`` ran in the weeks before: one of them silent this week
    is flagged ``not_run`` (the daemon stopped, or its schedule was removed).
    """
    by_source: dict[str, list[Row]] = defaultdict(list)
    for r in runs:
        by_source[r["source"]].append(r)
    out = []
    for source in sorted(set(by_source) | set(earlier_sources)):
        rs = sorted(by_source.get(source, []), key=lambda r: (r["started_at"], r["id"]))
        outcomes_ = Counter(r["outcome"] for r in rs)
        finished = [r for r in rs if r["outcome"] != "running"]
        last = finished[-1] if finished else (rs[-1] if rs else None)
        flags = []
        if outcomes_["blocked"]:
            flags.append("blocked")
        if finished and finished[-1]["outcome"] == "failed":
            flags.append("failing")
        if finished and all(r["listings"] == 0 for r in finished):
            flags.append("no_results")
        if not rs:
            flags.append("not_run")
        out.append(SourceHealth(
            source=source, runs=len(rs), ok=outcomes_["ok"], partial=outcomes_["partial"], failed=outcomes_["failed"],
            blocked=outcomes_["blocked"], running=outcomes_["running"], pages=sum(r["pages"] for r in rs),
            listings=sum(r["listings"] for r in rs), zero_listing_runs=sum(1 for r in finished if r["listings"] == 0),
            last_outcome=last["outcome"] if last else "", last_message=last["message"] if last else "",
            last_started_at=last["started_at"] if last else "", flags=tuple(flags),
        ))
    return tuple(out)
