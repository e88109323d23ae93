"""Servers on free loopback ports in a thread of the test process: uvicorn, and fixed pages."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import uvicorn
from starlette.types import ASGIApp

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_for(
    url: str,
    deadline: float,
    *,
    request_timeout: float = 1.0,
    poll: float = 0.1,
    alive: Callable[[], bool] = lambda: True,
) -> httpx.Response:
    """GET `url` until something answers; the last transport error once `deadline` (a
    time.monotonic() value) passes or `alive()` turns false."""
    while True:
        try:
            return httpx.get(url, timeout=request_timeout)
        except httpx.TransportError:
            if time.monotonic() > deadline or not alive():
                raise
            time.sleep(poll)  # a poll interval, not a wait for something to happen


class LiveServer:
    """uvicorn serving `app` on 127.0.0.1 in a thread of this process; ready once `probe`
    answers."""

    def __init__(self, app: ASGIApp, *, probe: str = "/login") -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.probe = probe
        config = uvicorn.Config(app, host=HOST, port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self, deadline: float = 15.0) -> None:
        self.thread.start()
        try:
            wait_for(
                self.url + self.probe,
                time.monotonic() + deadline,
                request_timeout=0.5,
                poll=0.02,
                alive=self.thread.is_alive,
            )
        except httpx.TransportError as exc:
            raise RuntimeError("the test server did not answer in time") from exc

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@contextmanager
def serving(app: ASGIApp, *, probe: str = "/login") -> Iterator[LiveServer]:
    """A started LiveServer, stopped on the way out."""
    server = LiveServer(app, probe=probe)
    server.start()
    try:
        yield server
    finally:
        server.stop()


Page = tuple[int, str, bytes]  # status, Content-Type, body
NOT_FOUND: Page = (404, "text/plain", b"not here")


@contextmanager
def serving_pages(pages: Mapping[str, Page], default: Page = NOT_FOUND) -> Iterator[str]:
    """A loopback HTTP server answering GETs from `pages` (by path, `default` for the rest);
    gives its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, kind, body = pages.get(self.path, default)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer((HOST, 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
