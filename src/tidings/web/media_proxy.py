"""`/proxy/<signature>/<URL>`: an image (or audio, video) of an entry fetched by the site, so that
readers' browsers never contact the image's host (see docs/media.md, setting media_proxy).

Only URLs this site signed open (tidings.media.signing); the fetch goes through tidings.fetch, so
the network guard refuses private addresses as it does for feeds. The file is streamed through,
never held whole: a player's byte range (Range) goes to the media's server and its 206 comes back,
so audio and video seek. What passes must be an image (its first bytes sniffed), audio or video,
and the file at most MAX_PROXY_BYTES (announced, or counted as it passes: then cut off)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tidings.fetch import Fetcher
from tidings.fetch.stream import StreamError, Upstream, byte_range, open_stream
from tidings.media import ProxySigner, sniff_image
from tidings.numerals import whole_number
from tidings.web.icons import SVG_POLICY
from tidings.web.site import site_of

MAX_PROXY_BYTES = 20 * 1024 * 1024
CACHE = "public, max-age=86400"
SNIFF_BYTES = 4096  # what sniff_image reads at most (an SVG's root may follow a comment)
_TOTAL = re.compile(r"bytes (?:\d+-\d+|\*)/(\d+)")


class TooLarge(StreamError):
    """The file passed the proxy's limit while streaming: the answer is cut off (the client
    sees a broken transfer, never a short file taken for whole)."""


def _refuse(status: int, message: str) -> Response:
    return Response(message, status_code=status, media_type="text/plain")


def _file_size(status: int, headers: Mapping[str, str]) -> int | None:
    """The whole file's size as the answer announces it: Content-Range's total for a 206, else
    Content-Length."""
    if status == 206:
        found = _TOTAL.fullmatch(headers.get("content-range", "").strip())
        return int(found.group(1)) if found else None
    length = headers.get("content-length", "")
    return whole_number(length)


async def _first_bytes(chunks: AsyncIterator[bytes]) -> bytes:
    """Up to SNIFF_BYTES (more if a chunk brings more) from the start of the body."""
    head = b""
    async for chunk in chunks:
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break
    return head


async def _passed(first: bytes, chunks: AsyncIterator[bytes], stack: AsyncExitStack,
                  limit: int) -> AsyncIterator[bytes]:  # fmt: skip
    """The body as it arrives, cut off by TooLarge past `limit`; the upstream closed at the end."""
    try:
        size = len(first)
        if first:
            yield first
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise TooLarge("The media is larger than the proxy's limit.")
            yield chunk
    finally:
        await stack.aclose()


def _headers(upstream: Upstream, kind: str) -> dict[str, str]:
    headers = {
        "Content-Type": kind,
        "Cache-Control": CACHE,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": SVG_POLICY,
    }
    for name in ("content-length", "content-range", "accept-ranges", "content-encoding"):
        value = upstream.headers.get(name)
        if value:
            headers[name.title()] = value
    return headers


async def _answer(upstream: Upstream, stack: AsyncExitStack, sniff_seconds: float) -> Response:
    """The client's answer to the media's server's; `stack` holds the upstream connection and
    is closed here unless the body is handed on (then by the body's end). The start an image
    is told by must arrive within `sniff_seconds`."""
    if upstream.status == 416:  # the range asked for is past the end: the player's to handle
        headers = {"Content-Range": upstream.headers.get("content-range", "")}
        return Response(status_code=416, headers={k: v for k, v in headers.items() if v})
    if upstream.status not in (200, 206):
        return _refuse(502, f"The media's server answered {upstream.status}.")
    size = _file_size(upstream.status, upstream.headers)
    if size is not None and size > MAX_PROXY_BYTES:
        return _refuse(502, "The media is larger than the proxy's limit.")
    chunks = upstream.chunks()
    claimed = upstream.headers.get("content-type", "").split(";")[0].strip().lower()
    kind = claimed
    first = b""
    if claimed.startswith("image/") or not claimed.startswith(("audio/", "video/")):
        # Only a file's start says what it is: a range from the middle of one is not let through.
        try:
            # One deadline for the whole start: the fetcher's timeout is between chunks, and a
            # server sending a byte every half second held the request for half an hour.
            async with asyncio.timeout(sniff_seconds):
                first = await _first_bytes(chunks)
        except TimeoutError:
            return _refuse(504, "The media's server sent its start too slowly.")
        from_start = upstream.status == 200 or upstream.headers.get("content-range", "").startswith(
            "bytes 0-"
        )
        sniffed = sniff_image(first) if from_start else None
        if sniffed is None:
            return _refuse(415, "Only images, audio and video pass through the proxy.")
        kind = sniffed
    body = _passed(first, chunks, stack, MAX_PROXY_BYTES)
    return StreamingResponse(
        body,
        status_code=upstream.status,
        headers=_headers(upstream, kind),
        # If the body never starts (the client went), the upstream still closes.
        background=BackgroundTask(stack.aclose),
    )


async def proxy(request: Request) -> Response:
    site = site_of(request)
    signer = ProxySigner(site.settings.secret_key)
    url = signer.url_of(request.path_params["signature"], request.path_params["encoded"])
    if url is None:
        return _refuse(403, "This proxy address is not signed by this site.")
    stack = AsyncExitStack()
    handed_on = False
    try:
        fetcher = await stack.enter_async_context(Fetcher.from_settings(site.settings))
        wanted = byte_range(request.headers.get("range"))
        upstream = await stack.enter_async_context(open_stream(fetcher, url, wanted))
        answer = await _answer(upstream, stack, site.settings.fetch_timeout)
        handed_on = isinstance(answer, StreamingResponse)
        return answer
    except StreamError as error:
        return _refuse(502, str(error))
    finally:
        if not handed_on:
            await stack.aclose()


ROUTES = [Route("/proxy/{signature}/{encoded}", proxy, name="media_proxy")]
