"""E-mail through an SMTP server (smtplib): plain text with an HTML alternative, and attachments.

``security``: ``starttls`` (port 587, the default), ``ssl`` (implicit TLS,
port 465) or ``none`` (a relay on a trusted network). Certificates are
verified against the system's CAs; a private CA is trusted by pointing
``SSL_CERT_FILE`` at it. The login (``username_env``/``password_env``) is read
from the environment; the password is masked in every error. Both must be
ASCII (smtplib sends every AUTH mechanism's login as ASCII): anything else is
refused when the channel is set up, naming the variable.

Reply codes decide what happens next: 4xx and dropped connections are retried,
5xx and a refused login are permanent until someone fixes the configuration.

A delivery is bounded (net.py): each socket read by the channel's ``timeout``,
the whole conversation, from connecting to QUIT, by its ``deadline`` (a server
answering a byte a second is cut off there and the message retried later),
and each reply by ``REPLY_MAX`` bytes.
"""

from __future__ import annotations

import mimetypes
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from ..config import ChannelSpec
from ..errors import AlertError, DeliveryError
from ..net import Deadline, Watchdog, watch_socket
from .base import Masker, require_env
from .message import Message, render_html, render_text

REPLY_MAX = 64 * 1024  # one reply, all its lines; smtplib caps a line, not how many lines follow it


class _CappedReader:
    """The reply stream, refusing a reply of more than ``REPLY_MAX`` bytes (an endless "250-" list)."""

    def __init__(self, raw: Any) -> None:
        self.raw, self.used = raw, 0

    def readline(self, size: int = -1) -> bytes:
        line = self.raw.readline(size)
        self.used += len(line)
        if self.used > REPLY_MAX:
            raise OSError(f"the server's reply runs past {REPLY_MAX} bytes")  # smtplib: connection closed
        if line and not line.endswith(b"\n") and (size < 0 or len(line) < size):
            # the connection ended inside a line (the watchdog shut it, or the server hung up): smtplib would
            # read "250 que" as an accepted message
            raise OSError("the connection closed in the middle of a reply")
        return line

    def close(self) -> None:
        self.raw.close()


class _BoundedSMTP(smtplib.SMTP):
    """smtplib's client with its socket under the running watchdog and each reply capped."""

    def _get_socket(self, host: str, port: int, timeout: float) -> Any:
        sock = super()._get_socket(host, port, timeout)
        watch_socket(sock)  # for SMTP_SSL: the plain socket, before the TLS handshake
        return sock

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None:
            self.file = _CappedReader(self.sock.makefile("rb"))  # type: ignore[assignment]
        if isinstance(self.file, _CappedReader):
            self.file.used = 0
        return super().getreply()


class _BoundedSMTPSSL(smtplib.SMTP_SSL, _BoundedSMTP):
    """Implicit TLS: SMTP_SSL wraps the socket _BoundedSMTP opened and put under the watchdog."""


class SmtpSender:
    """One SMTP channel: host, port, security, sender and to from config; the login from the environment."""

    def __init__(self, spec: ChannelSpec, where: str, env: Mapping[str, str], session: Any = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.spec, self.where, self.clock = spec, where, clock
        self.mask = Masker()
        if bool(spec.username_env) != bool(spec.password_env):
            raise AlertError(f"{where}: give both username_env and password_env for an SMTP login, or neither")
        self.username = require_env(env, spec.username_env, where, "export it with the SMTP login name") \
            if spec.username_env else ""
        self.password = require_env(env, spec.password_env, where, "export it with the SMTP password "
                                    "(or the mailbox's authorisation code, 授权码)") if spec.password_env else ""
        self.mask.add(self.password)
        # smtplib encodes every AUTH mechanism's login as ASCII: anything else is a UnicodeEncodeError in the
        # middle of a delivery, so it is refused here, naming the variable and never quoting its value
        for variable, value, fix in (
                (spec.username_env, self.username, "export it with the ASCII login name the mail server gave"),
                (spec.password_env, self.password, "export it with an ASCII password, or the mailbox's "
                                                   "authorisation code (授权码), which is ASCII")):
            if not value.isascii():
                raise AlertError(f"{where}: environment variable {variable} holds characters other than ASCII, "
                                 f"which an SMTP login cannot carry; {fix}")

    def error(self, text: str, *, permanent: bool = False) -> DeliveryError:
        return DeliveryError(self.mask(f"{self.spec.name}: {text}"), permanent=permanent)

    def compose(self, message: Message) -> EmailMessage:
        """The e-mail: UTF-8 subject, text and HTML bodies, the attachments (a missing one is a DeliveryError)."""
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self.spec.sender
        mail["To"] = ", ".join(self.spec.to)
        mail["Date"] = format_datetime(datetime.fromtimestamp(self.clock(), UTC))
        mail["Message-ID"] = make_msgid(domain=self.spec.sender.rsplit("@", 1)[-1].strip("> ") or None)
        mail.set_content(render_text(message))
        mail.add_alternative(render_html(message), subtype="html")
        for name in message.attachments:
            path = Path(name)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise self.error(f"attachment {path} is missing (moved or deleted since the message was queued); "
                                 "put the file back, or write the report again", permanent=True) from None
            except OSError as e:
                raise self.error(f"attachment {path} cannot be read ({e.strerror}); check its permissions",
                                 permanent=True) from None
            ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            maintype, subtype = ctype.split("/", 1)
            mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
        return mail

    def _connect(self, deadline: Deadline) -> smtplib.SMTP:
        timeout = max(0.001, min(self.spec.timeout, deadline.left()))
        if self.spec.security == "ssl":
            return _BoundedSMTPSSL(self.spec.host, self.spec.port, timeout=timeout,
                                   context=ssl.create_default_context())
        smtp = _BoundedSMTP(self.spec.host, self.spec.port, timeout=timeout)
        if self.spec.security == "starttls":
            try:
                smtp.starttls(context=ssl.create_default_context())
            except BaseException:
                smtp.close()
                raise
        return smtp

    def send(self, message: Message) -> None:
        mail = self.compose(message)
        server = f"{self.spec.host}:{self.spec.port}"
        deadline = Deadline(self.spec.deadline)
        watchdog = Watchdog(deadline)
        try:
            with watchdog:
                self._converse(mail, deadline)
        except (smtplib.SMTPException, OSError) as e:
            if watchdog.fired:
                raise self.error(f"{server} did not finish the conversation within {self.spec.deadline:g} s (the "
                                 "channel's deadline; a slow or stalling server); will retry") from None
            self._explain(e, server)

    def _converse(self, mail: EmailMessage, deadline: Deadline) -> None:
        smtp = self._connect(deadline)
        try:
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(mail)
        finally:
            try:
                smtp.quit()  # the message is the server's once it answered the data; QUIT's answer changes nothing
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _explain(self, e: Exception, server: str) -> None:
        """Raise the DeliveryError that says what the server's answer means and whether to try again."""
        if isinstance(e, smtplib.SMTPAuthenticationError):
            raise self.error(f"{server} refused the login of {self.username} ({e.smtp_code} {_reply(e)}); check "
                             f"{self.spec.username_env} and {self.spec.password_env}", permanent=True) from None
        if isinstance(e, smtplib.SMTPRecipientsRefused):
            refused = "; ".join(f"{who} {code} {_text(reply)}" for who, (code, reply) in e.recipients.items())
            raise self.error(f"{server} refused the recipients ({refused}); check the channel's `to`",
                             permanent=True) from None
        if isinstance(e, smtplib.SMTPNotSupportedError):
            raise self.error(f"{server} does not support what the channel asks ({e}); check `security` "
                             "(starttls, ssl or none) and the port", permanent=True) from None
        if isinstance(e, smtplib.SMTPResponseException):
            if 400 <= e.smtp_code < 500:
                raise self.error(f"{server} answered {e.smtp_code} {_reply(e)}; will retry") from None
            raise self.error(f"{server} refused the message ({e.smtp_code} {_reply(e)}); check the sender and "
                             "the server's limits", permanent=True) from None
        if isinstance(e, ssl.SSLCertVerificationError):
            raise self.error(f"{server}: the certificate is not trusted ({e.verify_message}); for a private CA "
                             "point SSL_CERT_FILE at it", permanent=True) from None
        raise self.error(f"could not deliver through {server} ({type(e).__name__}: {e}); will retry") from None


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:200]


def _reply(e: smtplib.SMTPResponseException) -> str:
    return _text(e.smtp_error)
