"""Helpers for the pipeline tests: a loopback feed server the tests program route by route.

`FeedServer` is a ThreadingHTTPServer on 127.0.0.1, port 0, in a thread of the test process. A
test puts a `Doc` (bytes, optional ETag / Last-Modified, honoured with 304) or a handler function
at a path, may change it between refreshes, and reads how often each path was asked for. Handlers
that misbehave on purpose (reset, drip, endless body) stop when the server closes, so every
thread is joined at the end of the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from tidings.config import Settings, load_settings
from tidings.refresh.pool import Parser
from tidings.refresh.run import Refresher, RefreshSummary
from tidings.store import Store


@dataclasses.dataclass(frozen=True)
class Doc:
    """A document the server answers 200 with (or 304 when the client's validator matches)."""

    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = "application/rss+xml; charset=utf-8"


Handler = Callable[["RequestHandler"], None]
Route = Doc | Handler


class RequestHandler(BaseHTTPRequestHandler):
    server: FeedHTTPServer
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection does not hold its thread for ever

    def setup(self) -> None:
        super().setup()
        self.server.owner.track(self.connection)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.owner.record(path, {k.lower(): v for k, v in self.headers.items()})
        route = self.server.owner.routes.get(path)
        if route is None:
            self.answer(404, b"not here", "text/plain")
        elif isinstance(route, Doc):
            self.serve_doc(route)
        else:
            route(self)

    def serve_doc(self, doc: Doc) -> None:
        validators = {}
        if doc.etag:
            validators["ETag"] = doc.etag
        if doc.last_modified:
            validators["Last-Modified"] = doc.last_modified
        if doc.etag and self.headers.get("If-None-Match") == doc.etag:
            self.answer(304, b"", None, validators)
            return
        self.answer(200, doc.body, doc.content_type, validators)
        self.server.owner.mark_served(self.path.split("?", 1)[0])

    def answer(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read the counters instead


class FeedHTTPServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler thread
    owner: FeedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # broken pipes from clients that gave up are the point of several tests


class FeedServer:
    """A programmable loopback HTTP server; use as a context manager."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.counts: Counter[str] = Counter()  # requests per path
        self.served: Counter[str] = Counter()  # 200 answers with a Doc's body per path
        self.times: dict[str, list[float]] = {}  # time.time() of each request per path
        self.request_headers: dict[str, list[dict[str, str]]] = {}
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self._httpd = FeedHTTPServer(("127.0.0.1", 0), RequestHandler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.counts[path] += 1
            self.times.setdefault(path, []).append(time.time())
            self.request_headers.setdefault(path, []).append(headers)

    def mark_served(self, path: str) -> None:
        with self._lock:
            self.served[path] += 1

    def track(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.append(connection)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        with self._lock:
            for connection in self._connections:  # wake handlers waiting on keep-alive reads
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        self._thread.join(timeout=10)


# --- misbehaving handlers ---------------------------------------------------------------------


def status_handler(
    status: int, body: bytes = b"", headers: dict[str, str] | None = None
) -> Handler:
    def handle(request: RequestHandler) -> None:
        request.answer(status, body, "text/plain", headers)

    return handle


def redirect_handler(status: int, location: str) -> Handler:
    return status_handler(status, b"", {"Location": location})


def reset_handler(request: RequestHandler) -> None:
    """Close the socket without a word: SO_LINGER 0 makes the close a TCP reset."""
    request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.close_connection = True
    request.connection.close()


def drip_handler(request: RequestHandler) -> None:
    """Headers, then one byte per second, until the client gives up or the server stops."""
    request.send_response(200)
    request.send_header("Content-Type", "application/rss+xml")
    request.send_header("Content-Length", "1000")
    request.end_headers()
    request.close_connection = True
    try:
        request.wfile.write(b"<")
        while not request.server.owner.stopping.wait(1.0):
            request.wfile.write(b" ")
    except OSError:
        pass


def endless_handler(request: RequestHandler) -> None:
    """A body that never ends (close-delimited): the client must stop at its size limit."""
    request.protocol_version = "HTTP/1.0"
    request.send_response(200)
    request.send_header("Content-Type", "application/rss+xml")
    request.end_headers()
    request.close_connection = True
    chunk = b"<rss><channel>" + b"x" * 16384
    try:
        while not request.server.owner.stopping.is_set():
            request.wfile.write(chunk)
    except OSError:
        pass


# --- documents --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Item:
    guid: str | None
    title: str
    published: datetime | None = None
    link: str | None = None
    description: str = "<p>Some <b>text</b> and a <a href='/x'>link</a>.</p>"


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def rss(items: list[Item], title: str = "Test feed") -> bytes:
    """An RSS 2.0 document with these items, in this order."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://example.org/</link>"
        "<description>A feed for tests</description>"
    ]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.title)}</title>")
        if item.guid is not None:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.link is not None:
            parts.append(f"<link>{escape(item.link)}</link>")
        if item.published is not None:
            parts.append(f"<pubDate>{http_date(item.published)}</pubDate>")
        parts.append(f"<description>{escape(item.description)}</description>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


T = TypeVar("T")

# --- running the refresher --------------------------------------------------------------------


class InlineParser:
    """A parser that runs the function in this process (the `parser` of a Refresher): for tests
    that replace the parse function with one a spawned process could not import."""

    async def run(self, function: Callable[..., T], *args: object) -> T:
        return function(*args)


def make_settings(**overrides: Any) -> Settings:
    """Settings for loopback tests: private networks allowed, one parse process (shared by the
    tests of this run, see refresh/pool.py)."""
    values: dict[str, Any] = {"allow_private_networks": True, "parse_workers": 1}
    values.update(overrides)
    return load_settings(environ={}, **values)


def refresh(
    store: Store,
    settings: Settings,
    feed_ids: list[int] | None = None,
    clock: Callable[[], datetime] | None = None,
    parser: Parser | None = None,
) -> RefreshSummary:
    """One `refresh_due` run of a fresh Refresher, in its own event loop."""

    async def run() -> RefreshSummary:
        kwargs: dict[str, Any] = {"clock": clock} if clock is not None else {}
        if parser is not None:
            kwargs["parser"] = parser
        async with Refresher(store, settings, **kwargs) as refresher:
            return await refresher.refresh_due(feed_ids)

    return asyncio.run(run())
