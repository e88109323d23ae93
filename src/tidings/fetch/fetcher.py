"""The fetch stage: one polite, bounded HTTP GET per feed -> FetchResult.

`Fetcher.fetch` never raises for network, HTTP, TLS or timeout problems: the FetchResult carries
a sentence for the user instead, so the refresher can record it and move on to the next feed.
"""

from __future__ import annotations

import asyncio
import errno
import importlib
import os
import ssl
import time
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from types import ModuleType, TracebackType
from typing import Final, Self

from tidings import __version__
from tidings.config import Settings
from tidings.fetch.errors import (
    AddressRefused,
    ConnectError,
    ConnectTimeout,
    FetchTimeout,
    InvalidURL,
    ProtocolError,
    ReadError,
    TransportError,
    WriteError,
)
from tidings.fetch.guard import GuardedBackend, check_url, classify_address, default_ssl_context
from tidings.fetch.http1 import Pool
from tidings.fetch.proxy import Proxies, proxies_from
from tidings.fetch.urls import Target, join, quoted, target_of
from tidings.model import FeedToFetch, FetchResult
from tidings.numerals import whole_number

DEFAULT_USER_AGENT: Final = (
    f"tidings/{__version__} (+https://github.com/tidings-aggregator/tidings)"
)
ACCEPT: Final = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES: Final = frozenset({301, 308})


def _load_brotli() -> ModuleType | None:
    # brotli is optional: advertise "br" only when the package happens to be installed.
    try:
        return importlib.import_module("brotli")
    except ImportError:
        return None


_BROTLI: Final = _load_brotli()
ACCEPT_ENCODING: Final = "gzip, deflate, br" if _BROTLI else "gzip, deflate"


class _Failure(Exception):
    """Ends a fetch early with a sentence for the user (and the last response, if any)."""

    def __init__(
        self, message: str, status: int | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.headers = headers or {}


class Fetcher:
    """Fetches feeds over one shared connection pool, with limits on time, size and concurrency."""

    def __init__(
        self,
        *,
        timeout_connect: float = 10.0,
        timeout_total: float = 30.0,
        max_body_bytes: int = 10 * 1024 * 1024,
        max_redirects: int = 5,
        user_agent: str = DEFAULT_USER_AGENT,
        allow_private_networks: bool = False,
        per_host_limit: int = 2,
        global_limit: int = 50,
        backend: GuardedBackend | None = None,
        ssl_context: ssl.SSLContext | None = None,
        proxies: Proxies | None = None,
    ) -> None:
        """Set the limits; `backend` replaces the network and `ssl_context` the trusted
        certificates (certifi's by default), for tests.

        Without `backend` every connection is made by a `guard.GuardedBackend` of the
        Fetcher's own. With it, the given one decides how anything connects (tests pass one with a
        fake resolver); the URL pre-check (`guard.check_url`) applies either way.

        Requests go through `http1.Pool`, which keeps connections alive per origin: feeds on one
        site share connections (and TLS sessions) instead of paying a connect, a handshake and
        a close each.
        """
        self.timeout_connect = timeout_connect
        self.timeout_total = timeout_total
        self.max_body_bytes = max_body_bytes
        self.max_redirects = max_redirects
        self.user_agent = user_agent
        self.allow_private_networks = allow_private_networks
        self._global_slots = asyncio.Semaphore(global_limit)
        self._host_slots = _HostSlots(per_host_limit)
        self._backend = backend
        self._ssl_context = ssl_context
        self._proxies = proxies
        self._per_host_limit = per_host_limit
        self._pool: Pool | None = None  # between enter and exit
        # The headers of every request but Host and the validators, built once. No cookies: one
        # Fetcher serves every feed for days, and no feed's server may set one for another's.
        self._headers = (
            f"Accept: {ACCEPT}\r\nAccept-Encoding: {ACCEPT_ENCODING}\r\n"
            f"Connection: keep-alive\r\nUser-Agent: {_header_value(user_agent)}\r\n"
        ).encode()

    @classmethod
    def from_settings(cls, settings: Settings) -> Fetcher:
        """A Fetcher with the site's timeouts, size cap, concurrency and network guard."""
        return cls(
            timeout_connect=settings.connect_timeout,
            timeout_total=settings.fetch_timeout,
            max_body_bytes=settings.max_body_bytes,
            allow_private_networks=settings.allow_private_networks,
            per_host_limit=settings.per_host_concurrency,
            global_limit=settings.concurrency,
            proxies=proxies_from(settings.proxy, os.environ),
        )

    async def __aenter__(self) -> Self:
        # No proxy or .netrc from the environment unless the `proxy` setting asks (fetch/
        # proxy.py): the pool connects through the guarded network backend, to checked
        # addresses; through a proxy, the guard vets the feed's host before the request.
        backend = self._backend or GuardedBackend(
            None if self.allow_private_networks else classify_address
        )
        self._pool = Pool(
            backend,
            self._ssl_context or default_ssl_context(),
            connect_timeout=self.timeout_connect,
            # The host slots allow no more at once, so more idle ones would never be used.
            max_idle_per_origin=max(self._per_host_limit, 1),
            proxies=self._proxies,
            # The admin's proxy may well be on a private network: reached without the policy.
            proxy_backend=GuardedBackend(None),
            vet=backend.check_host,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None

    async def fetch(self, feed: FeedToFetch, room: BodyRoom | None = None) -> FetchResult:
        """Give what one conditional GET of the feed brought back, following redirects.

        With `room`, a body larger than its threshold waits for it (see LargeBodies) before it
        is read further; the caller releases it once done with the body.
        """
        if self._pool is None:
            raise RuntimeError("Use the Fetcher as `async with Fetcher() as fetcher:`.")
        async with self._global_slots:
            return await _FetchRun(self, self._pool, feed, room).run()

    async def post_form(self, url: str, body: bytes) -> PostResult:
        """Send one form POST (a WebSub hub's subscribe or publish) and give its answer: `post`,
        with its guard, time limit, user agent and no redirects. Never raises for network or
        HTTP problems."""
        return await post(self, url, body, {"Content-Type": "application/x-www-form-urlencoded"})


@dataclass(frozen=True, slots=True)
class PostResult:
    """What one POST brought back: `status` None (and `error` set) when no answer arrived."""

    status: int | None
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    error: str | None = None  # a sentence for the user; None for a 2xx answer


# An answer to a POST is a small JSON document or nothing; more is not read.
POST_ANSWER_LIMIT: Final = 256 * 1024


async def post(fetcher: Fetcher, url: str, body: bytes, headers: Mapping[str, str]) -> PostResult:
    """Give the answer to one POST of `body` to `url`, through the fetcher's guard and proxy.

    No redirect is followed (a POST redirected elsewhere is an error for the caller to show)
    and the request is bounded by the fetcher's total timeout. Never raises for network or
    HTTP problems: the result carries a sentence instead.
    """
    pool = fetcher._pool
    if pool is None:
        raise RuntimeError("Use the Fetcher as `async with Fetcher() as fetcher:`.")
    refusal = check_url(url, allow_private_networks=fetcher.allow_private_networks)
    if refusal:
        return PostResult(None, error=refusal)
    try:
        target = target_of(url)
    except InvalidURL as error:
        return PostResult(None, error=str(error))
    extra = "".join(f"{_header_value(k)}: {_header_value(v)}\r\n" for k, v in headers.items())
    head = b"".join(
        (
            b"POST ",
            target.path,
            b" HTTP/1.1\r\nHost: ",
            target.host_header,
            f"\r\nUser-Agent: {_header_value(fetcher.user_agent)}\r\n".encode(),
            f"Content-Length: {len(body)}\r\nConnection: close\r\n".encode(),
            extra.encode(),
            b"\r\n",
        )
    )
    try:
        # One write holds head and body. Connection: close means no connection is kept
        # alive, so the pool never re-sends the POST on a connection found stale.
        async with (
            fetcher._global_slots,
            asyncio.timeout(fetcher.timeout_total),
            pool.request(target.origin, head + body) as response,
            aclosing(response.body()) as stream,
        ):
            answer = await _read_body(stream, response.status, response.headers, POST_ANSWER_LIMIT)
            status, answer_headers = response.status, response.headers
    except TimeoutError:
        seconds = _seconds(fetcher.timeout_total)
        return PostResult(None, error=f"The server did not answer within {seconds}.")
    except TransportError as error:
        return PostResult(None, error=_describe_error(error, target.host, fetcher))
    except _Failure as failure:
        return PostResult(failure.status, failure.headers, error=failure.message)
    refused = None if 200 <= status < 300 else _status_error(status)
    return PostResult(status, answer_headers, answer, refused)


class LargeBodies:
    """Room for `slots` large bodies at once: what bounds a refresh's memory by a few documents
    rather than by the number of feeds fetched at once (50 fetches of 10 MB are 500 MB).

    A body takes a slot once it passes `threshold` bytes (or announces more) and keeps it until
    the caller releases its BodyRoom, after parsing and storing it. A body that holds a slot needs
    no other to finish, so waiting for one cannot deadlock.
    """

    def __init__(self, slots: int, threshold: int = 1_000_000) -> None:
        self.threshold = threshold
        self._semaphore = asyncio.Semaphore(max(slots, 1))

    def room(self) -> BodyRoom:
        """Give one fetch's claim on a slot (taken only if its body turns out large)."""
        return BodyRoom(self._semaphore, self.threshold)


class BodyRoom:
    """One fetch's claim on a LargeBodies slot; release() is safe to call whether held or not."""

    def __init__(self, semaphore: asyncio.Semaphore, threshold: int) -> None:
        self._semaphore = semaphore
        self.threshold = threshold
        self.held = False

    async def acquire(self) -> None:
        if not self.held:
            await self._semaphore.acquire()
            self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self._semaphore.release()


class _HostSlots:
    """Per-host semaphores that disappear when no fetch uses them, so the map stays small."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._slots: dict[str, tuple[asyncio.Semaphore, int]] = {}

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        semaphore, users = self._slots.get(host, (asyncio.Semaphore(self._limit), 0))
        self._slots[host] = (semaphore, users + 1)
        try:
            async with semaphore:
                yield
        finally:
            semaphore, users = self._slots[host]
            if users == 1:
                del self._slots[host]
            else:
                self._slots[host] = (semaphore, users - 1)


class _FetchRun:
    """One fetch of one feed: the redirect loop, the time budget and the error wording."""

    def __init__(
        self, fetcher: Fetcher, pool: Pool, feed: FeedToFetch, room: BodyRoom | None
    ) -> None:
        self.fetcher = fetcher
        self.pool = pool
        self.feed = feed
        self.room = room
        self.url = feed.url
        self.permanent = True
        # Time spent waiting for a host slot does not count against the feed's time budget.
        self.remaining = fetcher.timeout_total
        self.elapsed = 0.0

    async def run(self) -> FetchResult:
        try:
            return await self._follow()
        except _Failure as failure:
            return self._result(
                failure.status, failure.headers, None, error=failure.message, permanent=False
            )

    async def _follow(self) -> FetchResult:
        visited: set[str] = set()
        hops = 0
        while True:
            refusal = check_url(
                self.url, allow_private_networks=self.fetcher.allow_private_networks
            )
            if refusal:
                raise _Failure(refusal)
            visited.add(self.url)
            status, headers, body = await self._request(self.url)
            if status not in REDIRECT_STATUSES:
                break
            location = headers.get("location")
            if not location:
                raise _Failure(
                    f"The server answered {_status_text(status)} but gave no address to go to.",
                    status,
                    headers,
                )
            try:
                next_url = join(self.url, location)
            except InvalidURL:
                raise _Failure(
                    f"The server redirected to an invalid address ({quoted(location)}).",
                    status,
                    headers,
                ) from None
            if next_url in visited:
                raise _Failure(f"The feed redirects in a loop (back to {quoted(next_url)}).")
            hops += 1
            if hops > self.fetcher.max_redirects:
                raise _Failure(f"Too many redirects (more than {self.fetcher.max_redirects}).")
            self.permanent = self.permanent and status in PERMANENT_REDIRECT_STATUSES
            self.url = next_url
        error = None if 200 <= status < 300 or status == 304 else _status_error(status)
        return self._result(
            status, headers, body, error=error, permanent=self.permanent and hops > 0
        )

    def _result(
        self,
        status: int | None,
        headers: dict[str, str],
        body: bytes | None,
        *,
        error: str | None,
        permanent: bool,
    ) -> FetchResult:
        return FetchResult(
            url=self.feed.url,
            final_url=self.url,
            status=status,
            headers=headers,
            body=body,
            permanent_redirect=permanent,
            elapsed=self.elapsed,
            error=error,
        )

    def _request_head(self, url: Target) -> bytes:
        """Return the GET request's head: request line, Host, the fixed headers, validators."""
        validators = ""
        if self.feed.etag:
            validators += f"If-None-Match: {_header_value(self.feed.etag)}\r\n"
        if self.feed.last_modified:
            validators += f"If-Modified-Since: {_header_value(self.feed.last_modified)}\r\n"
        return b"".join(
            (
                b"GET ",
                url.path,
                b" HTTP/1.1\r\nHost: ",
                url.host_header,
                b"\r\n",
                self.fetcher._headers,
                validators.encode(),
                b"\r\n",
            )
        )

    async def _request(self, url: str) -> tuple[int, dict[str, str], bytes | None]:
        """Give the status, lower-cased headers and (for 2xx) the decoded body of one GET."""
        try:
            parsed = target_of(url)  # parsed once, for the host slot and for the request
        except InvalidURL as error:
            raise _Failure(str(error)) from None
        host = parsed.host
        async with self.fetcher._host_slots.slot(host):
            started = time.monotonic()
            try:
                async with asyncio.timeout(self.remaining) as deadline:
                    return await self._exchange(parsed, deadline)
            except TimeoutError:
                seconds = _seconds(self.fetcher.timeout_total)
                raise _Failure(f"The server did not answer within {seconds}.") from None
            except TransportError as error:
                raise _Failure(_describe_error(error, host, self.fetcher)) from error
            finally:
                spent = time.monotonic() - started
                self.elapsed += spent
                self.remaining = max(self.remaining - spent, 0.0)

    async def _wait_for_room(self, deadline: asyncio.Timeout) -> None:
        """Take a large-body slot; the wait, like a host slot's, is not the server's time."""
        if self.room is None or self.room.held:
            return
        loop = asyncio.get_running_loop()
        started = loop.time()
        when = deadline.when()
        deadline.reschedule(None)
        try:
            await self.room.acquire()
        finally:
            waited = loop.time() - started
            deadline.reschedule(None if when is None else when + waited)
            self.elapsed -= waited  # `_request` counts the wait as time spent: give it back
            self.remaining += waited

    async def _exchange(
        self, url: Target, deadline: asyncio.Timeout
    ) -> tuple[int, dict[str, str], bytes | None]:
        # Every new connection goes through the network guard, which checks its address.
        # The origin's host is the IDNA name: the one DNS and TLS see.
        async with self.pool.request(url.origin, self._request_head(url)) as response:
            status, headers = response.status, response.headers
            if not 200 <= status < 300:
                return status, headers, None
            async with aclosing(response.body()) as stream:
                room = self.room

                async def wait() -> None:
                    await self._wait_for_room(deadline)

                large = (room.threshold, wait) if room is not None else None
                body = await _read_body(stream, status, headers, self.fetcher.max_body_bytes, large)
            return status, headers, body


# Control characters in a header value become spaces: CR and LF would end the header and begin
# another (a stored ETag is whatever a server sent).
_CONTROLS: Final = dict.fromkeys([*range(32), 127], " ")


def _header_value(value: str) -> str:
    """Return `value` safe to send as a header value."""
    return value.translate(_CONTROLS)


async def _read_body(
    stream: AsyncIterable[bytes],
    status: int,
    headers: dict[str, str],
    limit: int,
    on_large: tuple[int, Callable[[], Awaitable[None]]] | None = None,
) -> bytes:
    """Give the decoded body, failing as soon as it (compressed or not) passes `limit` bytes.

    With `on_large` = (size, wait): once the body passes `size` bytes (or announces more),
    `wait()` is awaited before reading on.
    """
    too_large = f"The feed is larger than the {_size(limit)} limit."
    declared = whole_number(headers.get("content-length", ""))
    if declared is not None and declared > limit:
        raise _Failure(too_large, status, headers)
    if on_large is not None and declared is not None and declared > on_large[0]:
        await on_large[1]()
        on_large = None
    encoding = headers.get("content-encoding", "identity").strip().lower()
    decode = _decoder(encoding, limit)
    if decode is None:
        raise _Failure(
            f"The server used a compression this reader does not know ({encoding}).",
            status,
            headers,
        )
    parts: list[bytes] = []
    size = 0
    try:
        async for raw in stream:
            for part in decode(raw):
                size += len(part)
                if size > limit:
                    raise _Failure(too_large, status, headers)
                parts.append(part)
            if on_large is not None and size > on_large[0]:
                await on_large[1]()
                on_large = None
        for part in decode(b""):  # flush
            size += len(part)
            if size > limit:
                raise _Failure(too_large, status, headers)
            parts.append(part)
    except (zlib.error, _BrotliError) as error:
        raise _Failure(
            f"The server sent a damaged compressed body ({encoding}).", status, headers
        ) from error
    return b"".join(parts)


class _BrotliError(Exception):
    pass


# Takes a compressed chunk (b"" to flush) and gives decoded pieces, never much more than the limit.
Decode = Callable[[bytes], Iterator[bytes]]


def _decoder(encoding: str, limit: int) -> Decode | None:
    """Give a streaming decoder for a Content-Encoding, or None when it is not supported."""
    if encoding in ("", "identity"):
        return lambda chunk: iter((chunk,))
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _ZlibDecoder(encoding, limit).decode
    if encoding == "br" and _BROTLI is not None:
        return _BrotliDecoder(_BROTLI).decode
    return None


class _ZlibDecoder:
    """Decompresses gzip/deflate with a bound on the output, so a zip bomb stops at the limit."""

    def __init__(self, encoding: str, limit: int) -> None:
        # 32 + 15: accept both gzip and zlib headers; raw deflate is tried if the zlib header fails.
        self._raw_fallback = encoding == "deflate"
        self._object = zlib.decompressobj(32 + zlib.MAX_WBITS)
        self._started = False
        self._limit = limit

    def decode(self, chunk: bytes) -> Iterator[bytes]:
        if not chunk:
            yield self._object.flush()
            return
        if not self._started and self._raw_fallback:
            self._started = True
            try:
                probe = zlib.decompressobj(32 + zlib.MAX_WBITS)
                probe.decompress(chunk[:64])
            except zlib.error:
                # Some servers send "deflate" without the zlib header (raw deflate).
                self._object = zlib.decompressobj(-zlib.MAX_WBITS)
        data = chunk
        while data:
            piece = self._object.decompress(data, self._limit + 1)
            yield piece
            data = self._object.unconsumed_tail


class _BrotliDecoder:
    def __init__(self, brotli: ModuleType) -> None:
        self._brotli = brotli
        self._object = brotli.Decompressor()

    def decode(self, chunk: bytes) -> Iterator[bytes]:
        if not chunk:
            return
        try:
            yield self._object.process(chunk)
        except self._brotli.error as error:
            raise _BrotliError(str(error)) from error


def _status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _status_error(status: int) -> str:
    return f"The server answered {_status_text(status)}."


def _seconds(value: float) -> str:
    number = f"{value:g}"
    return f"{number} second" if number == "1" else f"{number} seconds"


def _size(limit: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= factor and limit % factor == 0:
            return f"{limit // factor} {unit}"
    return f"{limit} bytes"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """Give the error and everything it was caused by, groups included, each once."""
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)


def _describe_error(error: TransportError, host: str, fetcher: Fetcher) -> str:
    """Give a sentence for the user about a failed connection or exchange with `host`."""
    if isinstance(error, AddressRefused):
        return str(error)
    causes = list(_causes(error))
    if isinstance(error, ConnectTimeout):
        return f"Could not connect to {host} within {_seconds(fetcher.timeout_connect)}."
    if isinstance(error, FetchTimeout):
        return f"The server did not answer within {_seconds(fetcher.timeout_total)}."
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            detail = cause.verify_message or "its certificate could not be verified"
            return f"The secure connection to {host} failed: {detail}."
        if isinstance(cause, ssl.SSLError):
            return f"The secure connection to {host} failed ({cause.reason or cause})."
        if isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED:
            return f"Connection refused by {host}."
        if isinstance(cause, OSError) and cause.errno == errno.ECONNRESET:
            return f"The connection to {host} was reset."
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return f"{host} cannot be reached from this server."
    if isinstance(error, ConnectError):
        message = str(error)
        if message.startswith("The name "):  # our resolver's own sentence
            return message
        return f"Could not connect to {host} ({message or type(error).__name__})."
    if isinstance(error, ProtocolError):
        text = str(error).lower()
        if "closed" in text or "disconnected" in text:
            return f"The server at {host} closed the connection before the feed was complete."
        return f"The server at {host} sent an answer that is not valid HTTP."
    if isinstance(error, ReadError | WriteError):
        return f"The connection to {host} broke ({error or type(error).__name__})."
    return f"The feed could not be fetched from {host} ({error or type(error).__name__})."
