"""Group robots and webhooks over HTTP: WeCom (企业微信), DingTalk (钉钉), Feishu (飞书) and a generic JSON webhook.

The robots answer HTTP 200 even when they refuse a message, so the code in
the JSON body decides: 0 is delivered, a throttle code means "later", and a
key or signature the robot refuses is permanent until someone fixes the
configuration. Network errors, timeouts and 5xx are always worth retrying.

Each robot's webhook URL carries its credential (WeCom ``key``, DingTalk
``access_token``, Feishu's hook id in the path), so the URL is a secret:
read from the environment, masked in every error.

Every post is bounded (net.py): the channel's ``timeout`` per socket read, its
``deadline`` for the whole exchange however slowly the robot answers, and at
most ``ANSWER_MAX`` bytes of answer read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from ..config import ChannelSpec
from ..errors import AlertError, DeliveryError, TooLarge, TooSlow
from ..net import Deadline, bounded_session, request, retry_after
from .base import Masker, require_env
from .message import Message, render_markdown, render_post, webhook_document

WECOM_MAX_BYTES = 4096  # WeCom: markdown.content at most 4096 bytes of UTF-8
DINGTALK_MAX_BYTES = 18_000  # DingTalk refuses bodies much past 20 000 bytes; keep room for the JSON around the text
FEISHU_MAX_BYTES = 18_000  # Feishu: a request body of at most 20 KB
THROTTLE_WAIT = 60.0  # a robot that says "too fast" without saying how long: its limits are per minute
DINGTALK_THROTTLE_WAIT = 600.0  # DingTalk silences a robot for 10 minutes after it exceeds 20 messages a minute
ANSWER_MAX = 64 * 1024  # a robot answers a few dozen bytes of JSON; more is not an answer worth reading


def _user_agent() -> str:
    from ..version import __version__

    return f"brandwatch/{__version__} (alerts)"


class HttpSender:
    """What the HTTP channels share: the URL (and signing secret) from the environment, posting, status codes."""

    service = "the webhook"
    url_fix = "export it with the webhook's URL"
    secret_fix = "export it with the signing secret, or remove secret_env from the channel"

    def __init__(self, spec: ChannelSpec, where: str, env: Mapping[str, str], session: requests.Session | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.spec, self.where, self.clock = spec, where, clock
        self.session = bounded_session(session)
        self.mask = Masker()
        self.url = require_env(env, spec.url_env, where, self.url_fix)
        self.mask.add_url(self.url)
        if not self.url.startswith(("http://", "https://")):
            raise AlertError(f"{where}: environment variable {spec.url_env} does not hold an http(s) URL; "
                             f"{self.url_fix}")
        self.secret = require_env(env, spec.secret_env, where, self.secret_fix) if spec.secret_env else ""
        self.mask.add(self.secret)

    def error(self, text: str, *, retry_after: float | None = None, permanent: bool = False) -> DeliveryError:
        return DeliveryError(self.mask(f"{self.spec.name}: {text}"), retry_after=retry_after, permanent=permanent)

    def post(self, url: str, body: bytes, headers: Mapping[str, str] | None = None) -> requests.Response:
        try:
            return request(
                self.session, "POST", url, deadline=Deadline(self.spec.deadline), timeout=self.spec.timeout,
                max_bytes=ANSWER_MAX, what=self.service, data=body,
                headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": _user_agent(),
                         **(headers or {})},
            )
        except TooSlow:
            raise self.error(f"{self.service} gave no complete answer within {self.spec.deadline:g} s (the "
                             "channel's deadline); will retry") from None
        except TooLarge:
            raise self.error(f"{self.service} answered more than {ANSWER_MAX} bytes, which is no robot's answer; "
                             f"check the URL in {self.spec.url_env}; will retry") from None
        except requests.RequestException as e:
            raise self.error(f"could not reach {self.service} ({type(e).__name__}: {e}); will retry") from None

    def check_status(self, resp: requests.Response) -> None:
        """2xx passes; 429 (and 503 with Retry-After) is a throttle; other 4xx is permanent; 5xx is retried."""
        status = resp.status_code
        if 200 <= status < 300:
            return
        after = retry_after(resp.headers.get("Retry-After"))
        if status == 429 or (status == 503 and after is not None):
            raise self.error(f"{self.service} throttled us (HTTP {status}); will retry",
                             retry_after=THROTTLE_WAIT if after is None else after)
        if status >= 500:
            raise self.error(f"{self.service} failed (HTTP {status}); will retry", retry_after=after)
        if 300 <= status < 400:
            raise self.error(f"{self.service} answered a redirect (HTTP {status}); check the URL in "
                             f"{self.spec.url_env}", permanent=True)
        raise self.error(f"{self.service} refused the message (HTTP {status}: {self.snippet(resp)}); check the URL in "
                         f"{self.spec.url_env} and the service's settings", permanent=True)

    def snippet(self, resp: requests.Response) -> str:
        """The start of a body, for an error: masked before it is cut, so no part of a secret is left."""
        return self.mask(" ".join(resp.text[:20_000].split()))[:200] or "empty body"

    def answer(self, resp: requests.Response, *fields: str) -> tuple[Any, str]:
        """(code, message) from a robot's JSON answer, looking at ``fields`` in turn; HTTP errors without one raise."""
        try:
            body = resp.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            for name in fields:
                if name in body:
                    text = body.get("errmsg") or body.get("msg") or body.get("StatusMessage") or ""
                    return body[name], self.mask(str(text))[:300]  # masked before it is cut
        self.check_status(resp)
        raise self.error(f"{self.service} answered HTTP {resp.status_code} without a result code "
                         f"({self.snippet(resp)}); will retry")


def _json(doc: Mapping[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


class WeComSender(HttpSender):
    """企业微信群机器人: ``{"msgtype": "markdown", ...}``; the answer's ``errcode`` says what happened."""

    service = "the WeCom robot"
    url_fix = "export it with the robot's webhook URL"

    def send(self, message: Message) -> None:
        content = render_markdown(message, WECOM_MAX_BYTES, flavor="wecom")
        resp = self.post(self.url, _json({"msgtype": "markdown", "markdown": {"content": content}}))
        code, text = self.answer(resp, "errcode")
        if code == 0:
            return
        if code == 45009:  # api freq out of limit: 20 messages a minute per robot
            raise self.error(f"WeCom throttled the robot (errcode 45009: {text}); will retry",
                             retry_after=THROTTLE_WAIT)
        if code == 93000:  # invalid webhook url: the key was removed or mistyped
            raise self.error(f"WeCom refused the webhook key (errcode 93000: {text}); put the robot's current "
                             f"webhook URL in {self.spec.url_env}", permanent=True)
        if code == -1:  # system busy
            raise self.error(f"WeCom is busy (errcode -1: {text}); will retry")
        raise self.error(f"WeCom refused the message (errcode {code}: {text}); check the robot's settings",
                         permanent=True)


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> tuple[str, str]:
    """(URL with ``timestamp`` and ``sign`` added to its query, sign) for a DingTalk robot with 加签.

    sign = base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), URL-encoded; the
    existing ``access_token`` (and any other parameter) is kept.
    """
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = base64.b64encode(digest).decode("ascii")
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("timestamp", "sign")]
    query += [("timestamp", str(timestamp_ms)), ("sign", sign)]
    return urlunsplit(parts._replace(query=urlencode(query))), sign  # urlencode quotes as quote_plus does


class DingTalkSender(HttpSender):
    """钉钉自定义机器人: Markdown with a title; signed in the URL when the robot uses 加签."""

    service = "the DingTalk robot"
    url_fix = "export it with the robot's webhook URL (…/robot/send?access_token=…)"
    secret_fix = "export it with the robot's 加签 secret (SEC…), or remove secret_env from the channel"

    def send(self, message: Message) -> None:
        url = self.url
        if self.secret:
            url, sign = dingtalk_signed_url(self.url, self.secret, round(self.clock() * 1000))
            self.mask.add(sign)
        text = render_markdown(message, DINGTALK_MAX_BYTES, flavor="dingtalk")
        resp = self.post(url, _json({"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}))
        code, answer = self.answer(resp, "errcode")
        if code == 0:
            return
        if code == 130101:  # send too fast, exceed 20 times per minute
            raise self.error(f"DingTalk throttled the robot (errcode 130101: {answer}); will retry",
                             retry_after=DINGTALK_THROTTLE_WAIT)
        if code == 310000:  # the robot's security check: signature, keyword or IP allow-list
            raise self.error(f"DingTalk's security check refused the message (errcode 310000: {answer}); check "
                             f"the 加签 secret in {self.spec.secret_env or 'secret_env'}, the host clock, or the "
                             "robot's keyword (use 'brandwatch') and IP settings", permanent=True)
        if code == -1:
            raise self.error(f"DingTalk is busy (errcode -1: {answer}); will retry")
        raise self.error(f"DingTalk refused the message (errcode {code}: {answer}); check the URL in "
                         f"{self.spec.url_env} and the robot's settings", permanent=True)


def feishu_sign(secret: str, timestamp: int) -> str:
    """base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b"")): Feishu signs with the string as the *key*
    and an empty message, the reverse of DingTalk."""
    return base64.b64encode(hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()


class FeishuSender(HttpSender):
    """飞书自定义机器人: a digest as rich text (``post``), a report as ``text``; signed in the body when set."""

    service = "the Feishu robot"
    url_fix = "export it with the bot's webhook URL (…/open-apis/bot/v2/hook/…)"
    secret_fix = "export it with the bot's 签名校验 secret, or remove secret_env from the channel"

    def send(self, message: Message) -> None:
        if message.kind == "report":
            doc: dict[str, Any] = {"msg_type": "text",
                                   "content": {"text": render_markdown(message, FEISHU_MAX_BYTES)}}
        else:
            doc = {"msg_type": "post", "content": render_post(message, FEISHU_MAX_BYTES)}
        if self.secret:
            timestamp = int(self.clock())  # seconds; Feishu refuses a timestamp an hour away from its clock
            sign = feishu_sign(self.secret, timestamp)
            self.mask.add(sign)
            doc = {"timestamp": str(timestamp), "sign": sign, **doc}
        resp = self.post(self.url, _json(doc))
        code, answer = self.answer(resp, "code", "StatusCode")  # older answers say StatusCode
        if code == 0:
            return
        if code == 11232:  # frequency limited: 100 a minute, 5 a second per bot
            raise self.error(f"Feishu throttled the bot (code 11232: {answer}); will retry", retry_after=THROTTLE_WAIT)
        if code == 19021:
            raise self.error(f"Feishu refused the signature (code 19021: {answer}); check the secret in "
                             f"{self.spec.secret_env or 'secret_env'} and the host clock", permanent=True)
        if code == 9499:
            raise self.error(f"Feishu refused the request as malformed (code 9499: {answer}); check the URL in "
                             f"{self.spec.url_env}", permanent=True)
        if code == 2200:  # internal error
            raise self.error(f"Feishu failed (code 2200: {answer}); will retry")
        raise self.error(f"Feishu refused the message (code {code}: {answer}); check the bot's settings "
                         "(keywords, IP allow-list)", permanent=True)


class WebhookSender(HttpSender):
    """Any HTTP endpoint: the message as structured JSON (``{"kind": "digest", "subject": …, "hits": […]}``).

    With ``secret_env``, the body is signed like GitHub's webhooks:
    ``X-Brandwatch-Signature: sha256=<hex HMAC-SHA256 of the body, keyed by the secret>``.
    """

    def send(self, message: Message) -> None:
        body = _json(webhook_document(message))
        headers = {}
        if self.secret:
            headers["X-Brandwatch-Signature"] = "sha256=" + hmac.new(self.secret.encode(), body,
                                                                     hashlib.sha256).hexdigest()
        self.check_status(self.post(self.url, body, headers))
