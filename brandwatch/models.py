"""The records that flow between the stages. Small, frozen, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

Kind = Literal["company", "app", "account", "domain"]
KINDS: tuple[str, ...] = ("company", "app", "account", "domain")
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
class Watchlist:
    """One brand owner's marks and its own entities (never reported)."""

    owner: str
    marks: tuple[Mark, ...]
    allow: tuple[str, ...] = ()
    source: str = ""  # the file it came from, for messages


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

    def field(self, name: str, default: str = "") -> str:
        return dict(self.fields).get(name, default)


def utc_now() -> str:
    """Now in UTC, ISO 8601 with a Z, to the microsecond."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
