"""Servers on free loopback ports in a thread of the test process: uvicorn, and fixed pages."""

from __future__ import annotations

import contextlib
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
def serving_pages(
    pages: Mapping[str, Page],
    default: Page = NOT_FOUND,
    *,
    ranges: bool = False,
    requests: list[dict[str, str]] | None = None,
) -> Iterator[str]:
    """A loopback HTTP server answering GETs from `pages` (by path, `default` for the rest);
    gives its base URL. With `ranges`, a 200 page answers a `Range: bytes=a-b` (or `a-`) with
    206 and its Content-Range, as media servers do; `requests` collects each request's headers
    (lower-case names) and its path under "path"."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if requests is not None:
                seen = {k.lower(): v for k, v in self.headers.items()}
                requests.append({**seen, "path": self.path})
            status, kind, body = pages.get(self.path, default)
            wanted = _byte_range(self.headers.get("Range"), len(body))
            if ranges and status == 200 and wanted is not None:
                first, last = wanted
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {first}-{last}/{len(body)}")
                body = body[first : last + 1]
            else:
                self.send_response(status)
            if ranges:
                self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # A client may hang up once it has read enough (a file over a limit, say).
            with contextlib.suppress(ConnectionError):
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


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (first, last) byte a one-range `Range: bytes=a-b` or `bytes=a-` header asks for."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes=") :].partition("-")
    if not first.isdigit() or int(first) >= size:
        return None
    end = min(int(last), size - 1) if last.isdigit() else size - 1
    return int(first), end
