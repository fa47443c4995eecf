"""Queueing alerts in the store's outbox, and delivering them: rate limits, retries, backoff.

Queueing writes the messages and marks their hits alerted in one transaction,
so a crash never loses a digest nor sends one twice. Delivery is at least
once: a message is marked sent only after the channel took it, and is never
deleted; a crash between the two sends it again on the next run.

Time is passed in (``now``), so delivery is a pure function of the outbox and
the clock, and tests do not wait for real minutes.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from ..config import AlertsSpec
from ..errors import AlertError, DeliveryError
from ..models import stamp
from ..net import backoff
from ..store import Store
from .base import Sender
from .channels import find_channel, open_channel
from .message import Message, digest_message

log = logging.getLogger("brandwatch")

RATE_WINDOW = timedelta(minutes=1)
BACKOFF_FIRST = timedelta(minutes=1)  # doubles with each failed attempt …
BACKOFF_MAX = timedelta(hours=1)  # … up to this, which is also the wait after a permanent failure
THROTTLE_MAX = timedelta(hours=24)  # a Retry-After beyond this is a broken header, not a plan


@dataclass(frozen=True)
class DeliveryResult:
    """What one delivery pass did.

    ``sent``: delivered now. ``failed``: tried and refused or unreachable; each
    waits for its backoff. ``deferred``: still due but not sent now (the
    channel's rate limit, a throttle answer, an earlier failure of the channel
    in this pass, a channel not configured or missing its environment
    variables). ``problems``: one line per channel-level problem, secrets masked.
    """

    sent: int = 0
    failed: int = 0
    deferred: int = 0
    problems: tuple[str, ...] = ()


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def retry_delay(attempts_before: int, error: DeliveryError) -> timedelta:
    """How long a message waits after a failed attempt.

    A throttle waits as long as the service asked; a permanent failure waits the
    longest backoff (a person has to fix something first); anything else backs
    off from 1 minute, doubling with each attempt, up to 1 hour.
    """
    if error.retry_after is not None:
        return min(max(timedelta(seconds=error.retry_after), timedelta(seconds=1)), THROTTLE_MAX)
    if error.permanent:
        return BACKOFF_MAX
    return timedelta(seconds=backoff(attempts_before + 1, first=BACKOFF_FIRST.total_seconds(),
                                     cap=BACKOFF_MAX.total_seconds()))


def queue_digest(store: Store, spec: AlertsSpec, now: datetime | None = None) -> int:
    """One digest per channel of the new high and medium hits not yet alerted; returns the messages queued.

    Each channel gets the hits its ``min_severity`` lets through. A hit is marked
    alerted when it went into at least one digest; a medium hit that no channel
    takes waits for a channel that does. Enqueue and mark are one transaction.
    """
    at = stamp(_utc(now))
    queued = 0
    with store.transaction():
        rows = store.unalerted_hits(("high", "medium"))
        included: set[int] = set()
        for channel in spec.channels:
            message = digest_message(rows, channel.min_severity)
            if message is None:
                continue
            store.enqueue(channel.name, message.kind, message.subject, message.to_payload(), at)
            included.update(h["id"] for h in message.hits)
            queued += 1
        store.mark_alerted(sorted(included), at)
    if queued:
        log.info("alerts: queued %d digest(s) of %d new hit(s)", queued, len(included))
    return queued


def queue_report(store: Store, spec: AlertsSpec, subject: str, text: str, attachments: Sequence[Path | str] = (),
                 channels: Sequence[str] | None = None, now: datetime | None = None) -> int:
    """Queue the weekly report to ``channels`` (default: every channel); returns the messages queued.

    Robots get the Markdown ``text`` (cut to their size, naming the attachments);
    e-mail gets the text and the attached files, read when the message is sent.
    """
    names = [c.name for c in spec.channels] if channels is None else list(channels)
    for name in names:
        find_channel(spec, name)
    files = []
    for a in attachments:
        path = Path(a).resolve()  # the daemon may run from another folder than the report writer
        if not path.is_file():
            raise AlertError(f"report attachment {a} does not exist; write the report before queueing it")
        files.append(str(path))
    message = Message("report", subject, text=text, attachments=tuple(files))
    at = stamp(_utc(now))
    with store.transaction():
        for name in names:
            store.enqueue(name, message.kind, message.subject, message.to_payload(), at)
    return len(names)


def sample_message(channel: str) -> Message:
    """A sample digest for ``brandwatch alerts test CHANNEL``: one hit, labelled as an example."""
    example = {
        "id": 0, "severity": "high", "score": 0, "name": "（示例）湖北微众森态信息科技集团有限公司", "kind": "company",
        "mark_id": "example", "mark": "微众", "owner": "", "rule": "example", "span": "微众",
        "explanation": "这是一条测试消息，不是真实线索：收到即说明渠道配置正确。", "source": "brandwatch",
        "key": "", "url": "", "fields": {}, "first_seen": "", "capture_sha256": None, "capture_fetched_at": None,
    }
    return Message("test", f"brandwatch：测试消息（渠道 {channel}）", (example,))


def send_test(spec: AlertsSpec, channel_name: str, *, env: Mapping[str, str] = os.environ,
              session: requests.Session | None = None) -> None:
    """Send a test message to one channel now, bypassing the outbox.

    Raises AlertError (unknown channel, a missing environment variable) or
    DeliveryError (the channel refused it; the text says why, secrets masked).
    """
    sender = open_channel(spec, channel_name, env, session)
    sender.send(sample_message(channel_name))


def _attempt(sender: Sender, name: str, row: Mapping[str, Any]) -> DeliveryError | None:
    """Send one outbox row; None when delivered, else why not (masked)."""
    try:
        message = Message.from_payload(row["payload"])
    except (KeyError, TypeError, ValueError) as e:
        return DeliveryError(f"{name}: message #{row['id']} has a payload this brandwatch cannot read "
                             f"({type(e).__name__}: {e}); upgrade brandwatch", permanent=True)
    try:
        sender.send(message)
    except DeliveryError as e:
        return e
    except Exception as e:  # a bug or an odd answer must not stop the other channels, nor leak a secret
        return DeliveryError(sender.mask(f"{name}: unexpected {type(e).__name__}: {e}"))
    return None


def deliver(store: Store, spec: AlertsSpec, *, env: Mapping[str, str] = os.environ, now: datetime | None = None,
            session: requests.Session | None = None) -> DeliveryResult:
    """Send every pending message that is due, oldest first, within each channel's rate limit.

    A message that fails waits for its backoff (:func:`retry_delay`), its
    attempts counted and its masked error kept. A channel that throttles us, or
    cannot be reached, gets nothing more in this pass; its other messages wait
    without an attempt counted. Messages for a channel no longer configured stay
    pending and are reported. Nothing is ever deleted.
    """
    now = _utc(now)
    at = stamp(now)
    own_session = session is None
    session = session or requests.Session()
    configured = {c.name: c for c in spec.channels}
    senders: dict[str, Sender] = {}
    room: dict[str, int] = {}  # messages each channel may still send this minute
    stopped: set[str] = set()
    problems: list[str] = []
    unconfigured: Counter[str] = Counter()
    sent = failed = deferred = 0
    try:
        for row in store.outbox(pending_only=True, due_by=at):
            name = row["channel"]
            channel = configured.get(name)
            if channel is None:
                unconfigured[name] += 1
                deferred += 1
                continue
            if name in stopped:
                deferred += 1
                continue
            if name not in room:
                since = stamp(now - RATE_WINDOW)
                room[name] = channel.rate_per_minute - store.outbox_sent_since(name, since)
            if room[name] <= 0:
                deferred += 1
                continue
            if name not in senders:
                try:
                    senders[name] = open_channel(spec, name, env, session)
                except AlertError as e:
                    log.warning("alerts: %s", e)
                    problems.append(str(e))
                    stopped.add(name)
                    deferred += 1
                    continue
            error = _attempt(senders[name], name, row)
            if error is None:
                store.outbox_sent(row["id"], at)
                room[name] -= 1
                sent += 1
                log.info("alerts: %s: sent message #%d (%s)", name, row["id"], row["kind"])
                continue
            store.outbox_failed(row["id"], str(error), stamp(now + retry_delay(row["attempts"], error)))
            log.warning("alerts: message #%d: %s", row["id"], error)
            problems.append(str(error))
            if error.throttled:
                deferred += 1
            else:
                failed += 1
            if not error.permanent:  # throttled or unreachable: the channel's next messages would fare no better
                stopped.add(name)
    finally:
        if own_session:
            session.close()
    for name, count in sorted(unconfigured.items()):
        problems.append(f"outbox: {count} message(s) for channel {name!r} are waiting, but alerts.channels has no "
                        "such channel; add it back to config.yaml to deliver them")
        log.warning("alerts: %s", problems[-1])
    return DeliveryResult(sent, failed, deferred, tuple(dict.fromkeys(problems)))
