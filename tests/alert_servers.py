"""Real servers on 127.0.0.1 for the alert tests: a webhook that records every POST, and an SMTP sink (aiosmtpd)."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from .httpserver import Answer, start_server, write_answer


@dataclass
class Request:
    raw_path: str  # as sent: path and query, still URL-encoded
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


def ok_json(doc: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, json.dumps(doc, ensure_ascii=False).encode(), {"Content-Type": "application/json",
                                                                          **(headers or {})})


class RobotServer:
    """A webhook: records each POST, answers with ``answers`` in turn (the last repeats) or ``answer(request)``."""

    def __init__(self) -> None:
        self.reset()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                parts = urlsplit(self.path)
                query = parse_qs(parts.query, keep_blank_values=True)
                request = Request(self.path, parts.path, query, dict(self.headers), self.rfile.read(length))
                server.requests.append(request)
                if server.answer is not None:
                    answer = server.answer(request)
                else:
                    answer = server.answers.pop(0) if len(server.answers) > 1 else server.answers[0]
                write_answer(self, answer)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd, self.url = start_server(Handler)

    def reset(self) -> None:
        """Forget what was received; answer ok (errcode 0) again."""
        self.answers: list[Answer] = [ok_json({"errcode": 0, "errmsg": "ok"})]
        self.answer: Callable[[Request], Answer] | None = None
        self.requests: list[Request] = []

    @property
    def raw_paths(self) -> list[str]:
        return [r.raw_path for r in self.requests]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps what it is given; optional login and TLS."""

    logins: dict[str, str] | None = None  # user → password; None: no AUTH offered
    starttls: ssl.SSLContext | None = None  # offer STARTTLS with this server context
    implicit_tls: ssl.SSLContext | None = None  # TLS from the first byte (port 465 style)
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    tried_logins: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                sink.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
                return "250 OK"

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            if not isinstance(data, LoginPassword):
                return AuthResult(success=False, handled=False)
            user, password = data.login.decode(), data.password.decode()
            sink.tried_logins.append((user, password))
            return AuthResult(success=(sink.logins or {}).get(user) == password, handled=False)

        kwargs: dict[str, Any] = {}
        if self.logins is not None:
            kwargs.update(authenticator=authenticate, auth_require_tls=False)
        if self.starttls is not None:
            kwargs.update(tls_context=self.starttls, require_starttls=True)
        if self.implicit_tls is not None:
            kwargs.update(ssl_context=self.implicit_tls)
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


def self_signed(folder: Path) -> tuple[Path, Path] | None:
    """(certificate, key) for 127.0.0.1 made with the openssl command, or None where it is missing."""
    if not shutil.which("openssl"):
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


class HostileSmtp:
    """An SMTP server on 127.0.0.1 that never lets a conversation finish.

    ``drip``: the greeting, a byte every 0.3 s (at most 200 bytes: a bound for the test itself);
    ``endless``: greets, then answers EHLO with "250-" lines that never end (at most 64 MiB);
    ``drip_data``: a normal conversation whose answer to the message drips (cut mid-line, "250 que"
    must not pass for "queued").
    ``sent`` counts the bytes it got out before the client hung up.
    """

    def __init__(self, mode: str) -> None:
        import socketserver
        import time

        hostile = self
        self.sent = 0

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                try:
                    if mode == "drip":
                        for byte in (b"220 smtp.example ESMTP " + b"." * 200)[:200]:
                            self.request.sendall(bytes([byte]))
                            hostile.sent += 1
                            time.sleep(0.3)
                        return
                    if mode == "drip_data":
                        hostile.converse(self.request)
                        return
                    self.request.sendall(b"220 smtp.example ESMTP\r\n")
                    self.request.recv(1024)  # EHLO
                    line = b"250-" + b"x" * 1000 + b"\r\n"
                    while hostile.sent < 64 * 1024 * 1024:
                        self.request.sendall(line)
                        hostile.sent += len(line)
                except OSError:
                    pass

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def converse(self, sock: socket.socket) -> None:
        import time

        reader = sock.makefile("rb")
        sock.sendall(b"220 smtp.example ESMTP\r\n")
        while line := reader.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                sock.sendall(b"354 go ahead\r\n")
                while reader.readline() not in (b".\r\n", b""):
                    pass
                for byte in b"250 queued as 4711\r\n":
                    sock.sendall(bytes([byte]))
                    self.sent += 1
                    time.sleep(0.3)
            elif verb == b"QUIT":
                sock.sendall(b"221 bye\r\n")
                return
            else:
                sock.sendall(b"250 ok\r\n")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
