"""Channel types by name (as ``alerts.channels[].type`` names them), and opening a configured channel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import requests

from ..config import AlertsSpec, ChannelSpec
from ..errors import AlertError
from .base import Sender
from .mail import SmtpSender
from .robots import DingTalkSender, FeishuSender, WebhookSender, WeComSender

SenderType = Callable[[ChannelSpec, str, Mapping[str, str], Any], Sender]

SENDERS: dict[str, SenderType] = {
    "wecom": WeComSender,
    "dingtalk": DingTalkSender,
    "feishu": FeishuSender,
    "webhook": WebhookSender,
    "smtp": SmtpSender,
}


def find_channel(spec: AlertsSpec, name: str) -> tuple[int, ChannelSpec]:
    """(index, spec) of the channel called ``name``; AlertError listing the channels there are."""
    for i, channel in enumerate(spec.channels):
        if channel.name == name:
            return i, channel
    if not spec.channels:
        raise AlertError(f"alerts.channels: there is no channel {name!r} (none is configured); add one to "
                         "config.yaml (see README)")
    names = ", ".join(c.name for c in spec.channels)
    raise AlertError(f"alerts.channels: there is no channel {name!r}; the channels are: {names}")


def open_channel(spec: AlertsSpec, name: str, env: Mapping[str, str],
                 session: requests.Session | None = None) -> Sender:
    """A ready sender for the channel; AlertError when it is unknown or its environment variables are missing."""
    index, channel = find_channel(spec, name)
    return SENDERS[channel.type](channel, f"alerts.channels[{index}] ({channel.name})", env, session)
