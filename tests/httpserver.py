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
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                for k, v in answer.headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in answer.headers:
                    self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                try:
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
