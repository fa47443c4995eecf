"""Alerts: a digest of new hits, and the weekly report, to group robots, webhooks and e-mail.

How it works
  1. ``queue_digest`` reads the new high and medium hits no digest has carried
     yet, builds one message per channel (respecting its ``min_severity``),
     writes them to the store's outbox and marks the hits alerted, in one
     transaction. ``queue_report`` queues the weekly report the same way.
  2. ``deliver`` sends the due messages, oldest first, at most
     ``rate_per_minute`` per channel a minute. A message that fails stays in the
     outbox with its attempts counted and its (masked) error, and is retried
     after a backoff: 1 minute doubling to 1 hour, or as long as a throttling
     service asked. Nothing is deleted or dropped.
  3. Each channel type is a small sender registered by name in ``SENDERS``:
     ``wecom`` (企业微信群机器人), ``dingtalk`` (钉钉, 加签 optional), ``feishu``
     (飞书, 签名校验 optional), ``webhook`` (generic JSON) and ``smtp``.

Secrets (webhook URLs, signing secrets, passwords) come only from the
environment variables config names (``url_env``, ``secret_env``,
``password_env`` …), passed in as ``env`` so tests can inject them; they are
never written to the outbox, an error or a log line (masked as ``***``).

Raises AlertError (a channel set up wrong) and DeliveryError (a channel did not
take a message; it stays in the outbox); both are in errors.py.
"""

from __future__ import annotations

from ..errors import AlertError, DeliveryError
from .base import Masker
from .channels import SENDERS, open_channel
from .message import Message, digest_message
from .outbox import DeliveryResult, deliver, queue_digest, queue_report, retry_delay, send_test

__all__ = [
    "SENDERS",
    "AlertError",
    "DeliveryError",
    "DeliveryResult",
    "Masker",
    "Message",
    "deliver",
    "digest_message",
    "open_channel",
    "queue_digest",
    "queue_report",
    "retry_delay",
    "send_test",
]
