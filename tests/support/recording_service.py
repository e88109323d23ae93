"""A loopback service that answers integration requests and records them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Service:
    """Answers from `answers` by path (status, JSON), in order; the last one repeats."""

    answers: dict[str, list[tuple[int, object]]]
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""
    # A path here answers only once its event is set (or after 10 s): a slow endpoint.
    holds: dict[str, threading.Event] = field(default_factory=dict)


@pytest.fixture
def service() -> Iterator[Service]:
    state = Service({})

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append(Recorded("POST", self.path, headers, body))
            if self.path in state.holds:
                state.holds[self.path].wait(10)
            queue = state.answers.get(self.path, [(404, {})])
            status, document = queue.pop(0) if len(queue) > 1 else queue[0]
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
