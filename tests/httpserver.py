"""A real HTTP server on 127.0.0.1 for tests: routes map a path to a list of answers, served in turn."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (for timeouts)
    drip: float = 0.0  # hostile: seconds between single bytes of the body (and of the head, with drip_head)
    drip_head: bool = False
    endless: bool = False  # hostile: the body, again and again, with no length, until the client hangs up
    sent: list[int] = field(default_factory=lambda: [0])  # bytes written so far (what a hostile answer got out)

    # a bound for the test itself, should the client under test never stop reading: ~60 s of dripping,
    # or 64 MiB of an endless body
    MOST_DRIPS = 120
    MOST_ENDLESS = 64 * 1024 * 1024


def write_answer(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
    """Send one answer (after its delay); a client that hung up is no error here."""
    if answer.delay:
        time.sleep(answer.delay)
    headers = dict(answer.headers)
    if "Content-Length" not in headers and not answer.endless:
        headers["Content-Length"] = str(len(answer.body))
    head = f"HTTP/1.0 {answer.status} X\r\n".encode() + b"".join(
        f"{k}: {v}\r\n".encode() for k, v in headers.items()) + b"\r\n"
    if answer.endless:
        handler.close_connection = True
    try:
        if answer.drip:
            stream = (head if answer.drip_head else b"") + answer.body
            if not answer.drip_head:
                handler.wfile.write(head)
            for i in range(min(len(stream), Answer.MOST_DRIPS)):
                handler.wfile.write(stream[i:i + 1])
                handler.wfile.flush()
                answer.sent[0] += 1
                time.sleep(answer.drip)
            return
        handler.wfile.write(head)
        if answer.endless:
            chunk = answer.body or b"x" * 65536
            while answer.sent[0] < Answer.MOST_ENDLESS:
                handler.wfile.write(chunk)
                answer.sent[0] += len(chunk)
            return
        handler.wfile.write(answer.body)
        answer.sent[0] += len(answer.body)
    except (BrokenPipeError, ConnectionResetError):
        pass


def start_server(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    """A threaded server on a free port of 127.0.0.1, serving in the background; (server, base URL)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Answer] | Callable[[str], Answer]] = {}
        self.log: list[str] = []
        self.headers: list[dict[str, str]] = []  # each request's headers, in the order of log
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.log.append(self.path)
                server.headers.append(dict(self.headers))
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    answer = Answer(404, b"not found")
                elif callable(route):
                    answer = route(self.path)
                else:
                    answer = route.pop(0) if len(route) > 1 else route[0]
                write_answer(self, answer)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd, self.url = start_server(Handler)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
