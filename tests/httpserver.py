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


def write_answer(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
    """Send one answer (after its delay); a client that hung up is no error here."""
    if answer.delay:
        time.sleep(answer.delay)
    handler.send_response(answer.status)
    for k, v in answer.headers.items():
        handler.send_header(k, v)
    if "Content-Length" not in answer.headers:
        handler.send_header("Content-Length", str(len(answer.body)))
    handler.end_headers()
    try:
        handler.wfile.write(answer.body)
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
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.log.append(self.path)
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
