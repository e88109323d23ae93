"""A small HTTP/1.1 client for feed fetches: GET requests over connections kept alive per origin.

tidings used httpcore's pool before. Its pool scans every connection on each request (a `poll`
and a `getpeername` per idle connection) and closes idle connections once it holds more than a
handful, so a refresh spread over hundreds of hosts reused almost none: every feed paid a connect
and a close, and over https a TLS handshake. Feeds need much less than httpcore offers: one GET
without a body, no HTTP/2, no proxies, no upgrades. This module does that and nothing more.

- `Pool` keeps idle connections by origin (scheme, host, port): a few per origin, a bounded
  total, each for a few seconds. Every new connection is made by the network backend it is given
  (the network guard's, which checks the address at connect time), so keeping connections alive
  changes nothing about which addresses can be reached.
- `Pool.request` sends one request and gives a `Response`; its body is read with `body()`. The
  connection goes back to the pool only when the body was read to its framed end and the server
  allows keep-alive; otherwise it is closed.
- `parse_head` and `body_framing` are the pure parts (what a response head says, how its body is
  delimited), tested with tables.

Errors are the fetch package's own (`fetch.errors`), the family the fetcher turns into sentences
for users.
"""

from __future__ import annotations

import contextlib
import re
import ssl
import time
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Final, Literal

from tidings.fetch.errors import ConnectError, ProtocolError, TransportError
from tidings.fetch.guard import Backend, Stream
from tidings.fetch.proxy import Proxies, Proxy

# (scheme, host, port): connections are shared only between requests to the same origin.
Origin = tuple[str, str, int]
# Checks a host before a request goes to it through a proxy (the guard's look-up and policy).
Vet = Callable[[str, int, float | None], Awaitable[None]]
Framing = Literal["none", "length", "chunked", "close"]

MAX_HEAD_BYTES: Final = 64 * 1024  # status line and headers; also the bound on chunked trailers
MAX_LINE_BYTES: Final = 4 * 1024  # one chunk-size line
READ_SIZE: Final = 64 * 1024

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_LINE_END = re.compile(rb"\r?\n")
_STATUS_LINE = re.compile(rb"HTTP/1\.([01]) ([0-9]{3})(?:[ \t][^\r\n]*)?")
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")


@dataclass(frozen=True, slots=True)
class Head:
    """What a response head says: the status, the headers, and whether HTTP/1.1 is spoken."""

    status: int
    headers: dict[str, str]  # lower-case names; a repeated header's values joined by ", "
    http11: bool


def parse_head(raw: bytes) -> Head:
    """Return the head `raw` (status line and header lines, without the blank line) describes.

    Lines may end in CRLF or a bare LF; a folded line (starting with a space or tab) continues
    the header before it. Anything else that is not `name: value` is a RemoteProtocolError.
    """
    lines = _LINE_END.split(raw)
    status_line = _STATUS_LINE.fullmatch(lines[0])
    if status_line is None:
        raise ProtocolError(f"invalid status line {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    last = ""
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and last:
            headers[last] += " " + _text(line.strip(b" \t"))
            continue
        name, colon, value = line.partition(b":")
        if not colon or _TOKEN.fullmatch(name) is None:
            raise ProtocolError(f"invalid header line {line[:80]!r}")
        last = name.decode("ascii").lower()
        text = _text(value.strip(b" \t"))
        headers[last] = f"{headers[last]}, {text}" if last in headers else text
    return Head(int(status_line.group(2)), headers, status_line.group(1) == b"1")


def _text(value: bytes) -> str:
    """Return a header value as text: UTF-8 when it is valid UTF-8, else Latin-1 (RFC 9110)."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def body_framing(head: Head) -> tuple[Framing, int]:
    """Return how the body after `head` is delimited, and its length when Content-Length says.

    A response to a GET that is 1xx, 204 or 304 has no body. Transfer-Encoding wins over
    Content-Length (RFC 9112 6.3), and a Transfer-Encoding that does not end in chunked runs to
    the end of the connection. Conflicting or malformed lengths are a RemoteProtocolError: the
    body's end would be a guess.
    """
    if head.status < 200 or head.status in (204, 304):
        return "none", 0
    coding = head.headers.get("transfer-encoding")
    if coding is not None:
        last = coding.rsplit(",", 1)[-1].strip().lower()
        return ("chunked", 0) if last == "chunked" else ("close", 0)
    length = head.headers.get("content-length")
    if length is None:
        return "close", 0
    values = {value.strip() for value in length.split(",")}
    value = values.pop()
    if values or not value.isdigit() or not value.isascii():
        raise ProtocolError(f"invalid Content-Length {length!r}")
    return "length", int(value)


def allows_reuse(head: Head, framing: Framing) -> bool:
    """Return True when the connection may carry another request after this response."""
    if framing == "close":
        return False
    tokens = {token.strip().lower() for token in head.headers.get("connection", "").split(",")}
    if head.http11:
        return "close" not in tokens
    return "keep-alive" in tokens


class _Closed(Exception):
    """A kept-alive connection failed before an answer began: the server closed it meanwhile."""


class Connection:
    """One connection to one origin, with what was read from it but not yet consumed."""

    def __init__(self, stream: Stream, origin: Origin) -> None:
        self.stream = stream
        self.origin = origin
        self.buffer = bytearray()
        self.idle_since = 0.0
        self.reused = False

    async def fill(self) -> bool:
        """Read more bytes into the buffer; return False when the server closed the connection."""
        data = await self.stream.read(READ_SIZE)
        self.buffer += data
        return bool(data)

    def take(self, size: int) -> bytes:
        """Return (and consume) up to `size` buffered bytes."""
        piece = bytes(self.buffer[:size])
        del self.buffer[:size]
        return piece

    async def read_head(self) -> bytes:
        """Return the next response head, without its blank line."""
        while True:
            end = _HEAD_END.search(self.buffer)
            if end is not None and end.start() <= MAX_HEAD_BYTES:
                raw = bytes(self.buffer[: end.start()])
                del self.buffer[: end.end()]
                return raw
            if end is not None or len(self.buffer) > MAX_HEAD_BYTES:
                raise ProtocolError("the response headers are too large")
            if not await self.fill():
                raise ProtocolError("the server closed the connection mid-answer")

    async def read_line(self, limit: int) -> bytes:
        """Return the next line (without its line end), failing past `limit` bytes."""
        while True:
            end = self.buffer.find(b"\n")
            if 0 <= end <= limit:
                line = bytes(self.buffer[:end]).rstrip(b"\r")
                del self.buffer[: end + 1]
                return line
            if len(self.buffer) > limit:
                raise ProtocolError("a line of the chunked body is too long")
            if not await self.fill():
                raise ProtocolError("the server closed the connection mid-body")

    async def send(self, data: bytes) -> None:
        await self.stream.write(data)

    def is_stale(self, now: float, expiry: float) -> bool:
        """Return True when an idle connection must not be used again."""
        if now - self.idle_since > expiry or self.buffer:
            return True
        # Readable while idle: the server closed it (or sent something nobody asked for).
        return bool(self.stream.get_extra_info("is_readable"))

    async def close(self) -> None:
        # Closing a broken connection may fail; it is gone either way.
        with contextlib.suppress(OSError, TransportError):
            await self.stream.aclose()


class Response:
    """A response whose head has been read; `body()` reads the rest."""

    def __init__(self, connection: Connection, head: Head) -> None:
        self.status = head.status
        self.headers = head.headers
        self.framing, self._length = body_framing(head)
        self.reusable = allows_reuse(head, self.framing)
        self.complete = self.framing == "none"
        self._connection = connection

    async def body(self) -> AsyncGenerator[bytes, None]:
        """Give the body's bytes as they arrive (still content-encoded)."""
        connection = self._connection
        if self.framing == "length":
            async for piece in self._exactly(self._length):
                yield piece
        elif self.framing == "chunked":
            while True:
                size = _chunk_size(await connection.read_line(MAX_LINE_BYTES))
                if size == 0:
                    break
                async for piece in self._exactly(size):
                    yield piece
                if await connection.read_line(MAX_LINE_BYTES):
                    raise ProtocolError("a chunk of the body is longer than it said")
            trailers = 0
            while line := await connection.read_line(MAX_HEAD_BYTES):
                trailers += len(line)
                if trailers > MAX_HEAD_BYTES:
                    raise ProtocolError("the response trailers are too large")
        elif self.framing == "close":
            while True:
                if connection.buffer:
                    yield connection.take(len(connection.buffer))
                if not await connection.fill():
                    break
        self.complete = True

    async def _exactly(self, size: int) -> AsyncIterator[bytes]:
        connection = self._connection
        while size:
            if not connection.buffer and not await connection.fill():
                raise ProtocolError("the server closed the connection mid-body")
            piece = connection.take(size)
            size -= len(piece)
            yield piece


def _chunk_size(line: bytes) -> int:
    """Return the size a chunk-size line gives (extensions after ";" are ignored)."""
    digits = line.split(b";", 1)[0].strip(b" \t")
    if _CHUNK_SIZE.fullmatch(digits) is None:
        raise ProtocolError(f"invalid chunk size {line[:40]!r}")
    return int(digits, 16)


class Pool:
    """Connections kept alive by origin, made through a network backend (the guard's)."""

    def __init__(
        self,
        backend: Backend,
        ssl_context: ssl.SSLContext,
        *,
        connect_timeout: float,
        max_idle_per_origin: int = 4,
        max_idle: int = 256,
        idle_expiry: float = 5.0,
        proxies: Proxies | None = None,
        proxy_backend: Backend | None = None,
        vet: Vet | None = None,
    ) -> None:
        """`proxies` send requests through forward proxies (fetch/proxy.py), reached with
        `proxy_backend`; `vet` checks a feed's host before a request to it goes through one."""
        self._backend = backend
        self._proxies = proxies or Proxies()
        self._proxy_backend = proxy_backend or backend
        self._vet = vet
        self._ssl_context = ssl_context
        self._connect_timeout = connect_timeout
        self._max_idle_per_origin = max_idle_per_origin
        self._max_idle = max_idle
        self._idle_expiry = idle_expiry
        self._idle: dict[Origin, list[Connection]] = {}
        self._idle_order: OrderedDict[Connection, None] = OrderedDict()  # oldest first

    @asynccontextmanager
    async def request(self, origin: Origin, head: bytes) -> AsyncIterator[Response]:
        """Send a request head (a GET: no body) to `origin` and give its response.

        A kept-alive connection is used when one is idle; if its server closed it meanwhile
        (found when the request cannot be written, or no answer byte arrives) the request is
        sent once more on a new connection, which is safe for a GET.
        """
        proxy = self._proxies.for_origin(origin[0], origin[1])
        if proxy is not None and origin[0] == "http":
            head = absolute_form(origin, head, proxy.authorization)
        connection = await self._idle_connection(origin)
        response: Response | None = None
        try:
            if connection is not None:
                try:
                    response = await self._exchange(connection, head)
                except _Closed:
                    await connection.close()
                    connection = None
            if connection is None:
                connection = await self._connect(origin)
                response = await self._exchange(connection, head)
            assert response is not None
            yield response
        finally:
            if connection is not None:
                if response is not None and response.complete and response.reusable:
                    await self._release(connection)
                else:
                    await connection.close()

    async def aclose(self) -> None:
        """Close every idle connection."""
        idle = list(self._idle_order)
        self._idle.clear()
        self._idle_order.clear()
        for connection in idle:
            await connection.close()

    async def _exchange(self, connection: Connection, head: bytes) -> Response:
        try:
            await connection.send(head)
            parsed = parse_head(await connection.read_head())
        except TransportError as error:
            # On a kept-alive connection this is the server having closed it (or leftovers of
            # the answer before): not this request's fault, so it deserves a new connection.
            if connection.reused:
                raise _Closed from error
            raise
        while 100 <= parsed.status < 200:
            # 100 Continue, 103 Early Hints: informational, the real answer follows.
            parsed = parse_head(await connection.read_head())
        return Response(connection, parsed)

    async def _connect(self, origin: Origin) -> Connection:
        scheme, host, port = origin
        proxy = self._proxies.for_origin(scheme, host)
        if proxy is None:
            stream = await self._backend.connect_tcp(host, port, timeout=self._connect_timeout)
        else:
            stream = await self._through(proxy, origin)
        if scheme == "https":
            stream = await stream.start_tls(
                self._ssl_context, server_hostname=host, timeout=self._connect_timeout
            )
        return Connection(stream, origin)

    async def _through(self, proxy: Proxy, origin: Origin) -> Stream:
        """A connection to `proxy` for requests to `origin`: for https, a CONNECT tunnel."""
        scheme, host, port = origin
        if self._vet is not None:
            await self._vet(host, port, self._connect_timeout)
        stream = await self._proxy_backend.connect_tcp(
            proxy.host, proxy.port, timeout=self._connect_timeout
        )
        if scheme != "https":
            return stream
        authority = f"{_bracketed(host)}:{port}".encode("ascii")
        request = b"CONNECT " + authority + b" HTTP/1.1\r\nHost: " + authority + b"\r\n"
        if proxy.authorization:
            request += b"Proxy-Authorization: " + proxy.authorization + b"\r\n"
        tunnel = Connection(stream, origin)
        try:
            await tunnel.send(request + b"\r\n")
            answer = parse_head(await tunnel.read_head())
        except BaseException:
            await tunnel.close()
            raise
        if not 200 <= answer.status < 300 or tunnel.buffer:
            await tunnel.close()
            raise ConnectError(f"The proxy refused to reach {host} (it answered {answer.status}).")
        return stream

    async def _idle_connection(self, origin: Origin) -> Connection | None:
        """Return a kept-alive connection to `origin` that is still usable, or None."""
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()  # the most recently used: the least likely to be closed
            del self._idle_order[connection]
            if not idle:
                del self._idle[origin]
            if connection.is_stale(now, self._idle_expiry):
                await connection.close()
                continue
            connection.reused = True
            return connection
        return None

    async def _release(self, connection: Connection) -> None:
        now = time.monotonic()
        connection.idle_since = now
        idle = self._idle.setdefault(connection.origin, [])
        idle.append(connection)
        self._idle_order[connection] = None
        surplus = len(idle) > self._max_idle_per_origin
        while self._idle_order:
            oldest = next(iter(self._idle_order))
            expired = now - oldest.idle_since > self._idle_expiry
            if not (surplus or expired or len(self._idle_order) > self._max_idle):
                break
            if surplus:
                oldest = idle[0]
                surplus = False
            await self._forget(oldest)

    async def _forget(self, connection: Connection) -> None:
        idle = self._idle[connection.origin]
        idle.remove(connection)
        if not idle:
            del self._idle[connection.origin]
        del self._idle_order[connection]
        await connection.close()


def absolute_form(origin: Origin, head: bytes, authorization: bytes = b"") -> bytes:
    """The request head as a forward proxy takes it: the target as an absolute URL, and the
    proxy's credentials (a plain-http request through a proxy)."""
    scheme, host, port = origin
    line_end = head.index(b"\r\n")
    method, _, rest = head[:line_end].partition(b" ")
    target, _, version = rest.rpartition(b" ")
    authority = _bracketed(host) + ("" if port == 80 else f":{port}")
    first = b"%s %s://%s%s %s" % (method, scheme.encode(), authority.encode(), target, version)
    credentials = b"\r\nProxy-Authorization: " + authorization if authorization else b""
    return first + credentials + head[line_end:]


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host
