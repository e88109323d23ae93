"""One streamed GET: the media proxy's way to pass a file through without holding it.

`open_stream(fetcher, url, range_header)` follows redirects by hand (each hop checked by the
network guard, as feeds are), sends the client's byte range along, and gives the final answer's
status and headers with its body as an async iterator of raw chunks. The connection is held until
the context ends. Everything that goes wrong is a `StreamError` with a sentence for the user; no
type of the HTTP client crosses out.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Final

from tidings.fetch.errors import FetchError, InvalidURL, TransportError
from tidings.fetch.fetcher import REDIRECT_STATUSES, Fetcher
from tidings.fetch.guard import check_url
from tidings.fetch.http1 import Response
from tidings.fetch.urls import join, quoted, target_of

# One byte range, as players ask ("bytes=0-", "bytes=1000-1999", "bytes=-500"); several ranges in
# one request (multipart answers) are not forwarded: the whole file is asked for instead.
_ONE_RANGE: Final = re.compile(r"bytes=(?:\d{1,18}-\d{0,18}|-\d{1,18})")


class StreamError(FetchError):
    """The file could not be fetched or read to its end; the message is for the user."""


def byte_range(header: str | None) -> str | None:
    """The client's Range header when it asks for one byte range; None otherwise."""
    if header is None:
        return None
    header = header.strip()
    return header if _ONE_RANGE.fullmatch(header) else None


@dataclass(frozen=True, slots=True)
class Upstream:
    """The answer being streamed: the final status, lower-case headers, the URL that gave it."""

    status: int
    headers: Mapping[str, str]
    url: str
    _response: Response
    _idle_timeout: float

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body's bytes as they come (as sent: no decoding). A wait longer than the fetch
        timeout for the next bytes, or a broken connection, is a StreamError."""
        body = self._response.body()
        try:
            while True:
                try:
                    async with asyncio.timeout(self._idle_timeout):
                        chunk = await anext(body)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    raise StreamError("The media's server stopped sending.") from None
                except TransportError as error:
                    raise StreamError(
                        f"The connection to the media's server broke ({error})."
                    ) from error
                yield chunk
        finally:
            await body.aclose()


def _head(fetcher: Fetcher, path: bytes, host: bytes, range_header: str | None) -> bytes:
    # identity: a byte range of a compressed body is no byte range of the file.
    lines = [
        b"GET " + path + b" HTTP/1.1",
        b"Host: " + host,
        b"Accept: */*",
        b"Accept-Encoding: identity",
        b"Connection: keep-alive",
        b"User-Agent: " + fetcher.user_agent.encode("ascii", "replace"),
    ]
    if range_header is not None:
        lines.append(b"Range: " + range_header.encode("ascii"))
    return b"\r\n".join(lines) + b"\r\n\r\n"


@asynccontextmanager
async def open_stream(
    fetcher: Fetcher, url: str, range_header: str | None = None
) -> AsyncIterator[Upstream]:
    """The streamed answer to a GET of `url` (with `range_header`, from `byte_range`), after
    redirects; the fetcher must be entered. Connecting and each hop's head are bounded by the
    fetcher's total timeout; the body by the same timeout between chunks (a podcast may take
    longer than that to pass in whole)."""
    pool = fetcher._pool
    if pool is None:
        raise RuntimeError("Use the Fetcher as `async with Fetcher() as fetcher:`.")
    visited: set[str] = set()
    async with AsyncExitStack() as stack:
        for _ in range(fetcher.max_redirects + 1):
            refusal = check_url(url, allow_private_networks=fetcher.allow_private_networks)
            if refusal:
                raise StreamError(refusal)
            visited.add(url)
            try:
                target = target_of(url)
                async with asyncio.timeout(fetcher.timeout_total):
                    head = _head(fetcher, target.path, target.host_header, range_header)
                    response = await stack.enter_async_context(pool.request(target.origin, head))
            except InvalidURL as error:
                raise StreamError(str(error)) from None
            except TimeoutError:
                raise StreamError("The media's server did not answer in time.") from None
            except TransportError as error:
                raise StreamError(f"The media's server could not be reached ({error}).") from error
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                yield Upstream(
                    response.status, response.headers, url, response, fetcher.timeout_total
                )
                return
            await stack.aclose()  # this hop's connection: not reused, its body was not read
            try:
                url = join(url, location)
            except InvalidURL:
                invalid = (
                    f"The media's server redirected to an invalid address ({quoted(location)})."
                )
                raise StreamError(invalid) from None
            if url in visited:
                raise StreamError(f"The media's address redirects in a loop (to {quoted(url)}).")
        raise StreamError(f"Too many redirects (more than {fetcher.max_redirects}).")
