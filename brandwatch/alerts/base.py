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
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

from ..errors import AlertError
from .message import Message


class Sender(Protocol):
    """One configured channel, ready to send. ``send`` raises :class:`DeliveryError`."""

    mask: Masker

    def send(self, message: Message) -> None: ...


# query parameters that carry credentials, masked even when we never saw the value
_SECRET_PARAM = re.compile(r"(?i)\b(key|access_token|token|sign|signature|secret|password|passwd)=([^&\s'\"<>)]+)")
_SHORTEST = 6  # shorter values are not secrets worth masking, and masking them would garble every message


class Masker:
    """Replaces every known secret, and every credential-looking query parameter, with ``***``."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add(self, value: str) -> None:
        if len(value) >= _SHORTEST:
            self._secrets.update({value, quote(value, safe=""), quote_plus(value)})

    def add_url(self, url: str) -> None:
        """A webhook URL: all of it, its path and query as an HTTP library prints them, each query value,
        and long path segments (Feishu's hook id and similar tokens live in the path)."""
        self.add(url)
        parts = urlsplit(url)
        self.add(parts.path + ("?" + parts.query if parts.query else ""))
        self.add(parts.query)
        for _, value in parse_qsl(parts.query, keep_blank_values=True):
            self.add(value)
        for segment in parts.path.split("/"):
            if len(segment) >= 16:
                self.add(segment)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=***", text)


def require_env(env: Mapping[str, str], variable: str, where: str, fix: str) -> str:
    """The value of an environment variable the channel needs; AlertError naming channel, variable and fix."""
    value = env.get(variable, "").strip()
    if not value:
        raise AlertError(f"{where}: environment variable {variable} is not set; {fix}")
    return value
