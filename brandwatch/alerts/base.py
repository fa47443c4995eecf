"""What every alert channel shares: its two errors, reading secrets from the environment, hiding them again.

Secrets (webhook URLs, whose key or token *is* the credential; signing
secrets; the signatures made from them; SMTP passwords) live only in the
environment and in memory. Anything that leaves a sender as text (an error
kept in the outbox, a log line, a CLI message) goes through its
:class:`Masker` first, so a secret an HTTP library or a server echoes back is
written as ``***``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

from .. import secrets
from ..errors import AlertError
from .message import Message


class Sender(Protocol):
    """One configured channel, ready to send. ``send`` raises :class:`DeliveryError`."""

    mask: Masker

    def send(self, message: Message) -> None: ...


# query parameters that carry credentials, masked even when we never saw the value
_SECRET_PARAM = re.compile(r"(?i)\b(key|access_token|token|sign|signature|secret|password|passwd)=([^&\s'\"<>)]+)")


class Masker:
    """Replaces every registered secret (``brandwatch.secrets``: process-wide, in every encoding), and every
    credential-looking query parameter, with ``***``."""

    def add(self, value: str) -> None:
        secrets.register(value)

    def add_url(self, url: str) -> None:
        """A webhook URL: all of it, its path and query, each query value, long path segments."""
        secrets.register_url(url)

    def __call__(self, text: str) -> str:
        return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=***", secrets.mask(text))


def require_env(env: Mapping[str, str], variable: str, where: str, fix: str) -> str:
    """The value of an environment variable the channel needs; AlertError naming channel, variable and fix."""
    value = env.get(variable, "").strip()
    if not value:
        raise AlertError(f"{where}: environment variable {variable} is not set; {fix}")
    return value
