"""The fetcher against real loopback servers that misbehave; each fault case ends well under 3 s."""

from __future__ import annotations

import asyncio
import functools
import gzip
import time
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tidings.fetch import ACCEPT_ENCODING, DEFAULT_USER_AGENT, Fetcher
from tidings.model import FeedToFetch, FetchResult

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


def fetch_once(
    loopback: Any,
    handler: Callable[..., Awaitable[None]],
    path: str = "/feed",
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    **options: Any,
) -> tuple[FetchResult, Any]:
    """Give the result of fetching `path` from a fresh server, and the server (for its requests)."""
    options.setdefault("allow_private_networks", True)

    async def main() -> tuple[FetchResult, Any]:
        async with loopback.serve(handler) as server, Fetcher(**options) as fetcher:
            feed = FeedToFetch(1, server.url + path, etag=etag, last_modified=last_modified)
            return await fetcher.fetch(feed), server

    return asyncio.run(main())


@pytest.mark.timed
def test_plain_200_gives_body_and_lower_case_headers(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(
            writer, 200, {"Content-Type": "application/rss+xml", "X-Odd-Case": "1"}, FEED
        )

    result, server = fetch_once(loopback, handler)
    assert result.status == 200
    assert result.error is None
    assert result.body == FEED
    assert result.headers["content-type"] == "application/rss+xml"
    assert result.headers["x-odd-case"] == "1"
    assert result.final_url == result.url
    assert not result.permanent_redirect
    assert 0 < result.elapsed < 3
    sent = server.requests[0].headers
    assert sent["user-agent"] == DEFAULT_USER_AGENT
    assert "application/rss+xml" in sent["accept"]
    assert sent["accept-encoding"] == ACCEPT_ENCODING
    assert "if-none-match" not in sent


def test_304_sends_validators_and_gives_no_body(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        if request.headers.get("if-none-match") == '"v1"':
            await loopback.respond(writer, 304, {"ETag": '"v1"'})
        else:
            await loopback.respond(writer, 200, {}, FEED)

    result, server = fetch_once(
        loopback, handler, etag='"v1"', last_modified="Sat, 28 Nov 2026 10:00:00 GMT"
    )
    assert result.status == 304
    assert result.not_modified
    assert result.body is None
    assert result.error is None
    assert server.requests[0].headers["if-modified-since"] == "Sat, 28 Nov 2026 10:00:00 GMT"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, no zlib header
    ],
)
def test_compressed_body_is_decoded(
    loopback: Any, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    body = FEED * 200

    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {"Content-Encoding": encoding}, compress(body))

    result, _ = fetch_once(loopback, handler)
    assert result.error is None
    assert result.body == body


def test_unknown_compression_is_an_error(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {"Content-Encoding": "zstd-weird"}, b"xx")

    result, _ = fetch_once(loopback, handler)
    assert result.body is None
    assert result.error == "The server used a compression this reader does not know (zstd-weird)."


def test_damaged_gzip_is_an_error(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {"Content-Encoding": "gzip"}, b"not gzip at all")

    result, _ = fetch_once(loopback, handler)
    assert result.error == "The server sent a damaged compressed body (gzip)."


@pytest.mark.timed
def test_dripping_server_is_cut_off_at_the_total_timeout(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        for _ in range(100):
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(1)  # the server's misbehaviour, not the test waiting

    started = time.monotonic()
    result, _ = fetch_once(loopback, handler, timeout_total=1.0)
    assert time.monotonic() - started < 2.5
    assert result.status is None
    assert result.body is None
    assert result.error == "The server did not answer within 1 second."


def test_silent_server_times_out(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await asyncio.Event().wait()

    result, _ = fetch_once(loopback, handler, timeout_total=0.5)
    assert result.error == "The server did not answer within 0.5 seconds."


@pytest.mark.timed
def test_endless_body_stops_at_the_size_cap(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")  # no length: until close
        while True:
            writer.write(b"x" * 16384)
            await writer.drain()

    started = time.monotonic()
    result, _ = fetch_once(loopback, handler, max_body_bytes=100 * 1024)
    assert time.monotonic() - started < 2.5
    assert result.body is None
    assert result.status == 200
    assert result.error == "The feed is larger than the 100 KB limit."


def test_declared_length_over_the_cap_fails_before_reading(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {}, b"x" * 5000)

    result, _ = fetch_once(loopback, handler, max_body_bytes=1000)
    assert result.error == "The feed is larger than the 1000 bytes limit."


def test_gzip_bomb_stops_at_the_size_cap(loopback: Any) -> None:
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))  # about 20 KB on the wire

    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {"Content-Encoding": "gzip"}, bomb)

    result, _ = fetch_once(loopback, handler, max_body_bytes=1024 * 1024)
    assert result.error == "The feed is larger than the 1 MB limit."


def redirecting(loopback: Any, table: dict[str, tuple[int, str]]) -> Callable[..., Awaitable[None]]:
    """Give a handler answering each path in `table` with (status, location), else 200 FEED."""

    async def handler(request: Any, writer: Any) -> None:
        if request.target in table:
            status, location = table[request.target]
            await loopback.respond(writer, status, {"Location": location} if location else {})
        else:
            await loopback.respond(writer, 200, {}, FEED)

    return handler


def test_redirect_loop_is_detected(loopback: Any) -> None:
    handler = redirecting(loopback, {"/a": (302, "/b"), "/b": (302, "/a")})
    result, server = fetch_once(loopback, handler, "/a")
    assert result.status is None
    assert result.error is not None
    assert result.error.startswith("The feed redirects in a loop (back to http://127.0.0.1:")
    assert result.error.endswith("/a).")
    assert len(server.requests) == 2


def test_too_many_redirects(loopback: Any) -> None:
    table = {f"/r{n}": (307, f"/r{n + 1}") for n in range(20)}
    result, server = fetch_once(loopback, redirecting(loopback, table), "/r0")
    assert result.error == "Too many redirects (more than 5)."
    assert len(server.requests) == 6


@pytest.mark.parametrize(
    ("chain", "permanent"),
    [
        ({"/a": (301, "/b"), "/b": (308, "/c")}, True),
        ({"/a": (301, "/b"), "/b": (302, "/c")}, False),
        ({"/a": (307, "/b"), "/b": (301, "/c")}, False),
        ({"/a": (303, "/c")}, False),
        ({"/a": (308, "/c")}, True),
    ],
)
def test_permanent_redirect_only_when_every_hop_is_permanent(
    loopback: Any, chain: dict[str, tuple[int, str]], permanent: bool
) -> None:
    result, _ = fetch_once(loopback, redirecting(loopback, chain), "/a")
    assert result.error is None
    assert result.body == FEED
    assert result.final_url.endswith("/c")
    assert result.url.endswith("/a")
    assert result.permanent_redirect is permanent


def test_absolute_redirect_and_validators_on_every_hop(loopback: Any) -> None:
    async def main() -> tuple[FetchResult, Any]:
        async with loopback.serve(redirecting(loopback, {})) as target:
            handler = redirecting(loopback, {"/old": (301, target.url + "/new")})
            async with (
                loopback.serve(handler) as origin,
                Fetcher(allow_private_networks=True) as fetcher,
            ):
                result = await fetcher.fetch(FeedToFetch(1, origin.url + "/old", etag='"e"'))
            assert target.requests[0].headers["if-none-match"] == '"e"'
            return result, target

    result, target = asyncio.run(main())
    assert result.final_url == target.url + "/new"
    assert result.permanent_redirect


@pytest.mark.parametrize(
    ("location", "error"),
    [
        (None, "The server answered 302 Found but gave no address to go to."),
        ("ftp://example.com/feed", "Only http:// and https:// addresses can be fetched."),
        (
            "http://[" + "x" * 5000,
            "The server redirected to an invalid address (http://[" + "x" * 291 + "…).",
        ),
    ],
)
def test_bad_redirect_targets(loopback: Any, location: str | None, error: str) -> None:
    result, _ = fetch_once(loopback, redirecting(loopback, {"/a": (302, location or "")}), "/a")
    assert result.error == error


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, "The server answered 500 Internal Server Error."),
        (404, "The server answered 404 Not Found."),
        (410, "The server answered 410 Gone."),
        (403, "The server answered 403 Forbidden."),
        (599, "The server answered 599."),
    ],
)
def test_error_statuses_give_a_sentence(loopback: Any, status: int, error: str) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, status, {}, b"<html>oops</html>")

    result, _ = fetch_once(loopback, handler)
    assert result.status == status
    assert result.body is None
    assert result.error == error


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_passed_through(loopback: Any, status: int) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, status, {"Retry-After": "120"})

    result, _ = fetch_once(loopback, handler)
    assert result.status == status
    assert result.headers["retry-after"] == "120"


async def reset_at_once(loopback: Any, request: Any, writer: Any) -> None:
    loopback.reset(writer)


async def reset_mid_body(loopback: Any, request: Any, writer: Any) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
    await writer.drain()
    loopback.reset(writer)


async def close_mid_body(loopback: Any, request: Any, writer: Any) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
    await writer.drain()


async def close_at_once(loopback: Any, request: Any, writer: Any) -> None:
    pass


async def not_http(loopback: Any, request: Any, writer: Any) -> None:
    writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
    await writer.drain()


@pytest.mark.parametrize(
    ("handler", "error"),
    [
        (reset_at_once, "The connection to 127.0.0.1 was reset."),
        (reset_mid_body, "The connection to 127.0.0.1 was reset."),
        (
            close_mid_body,
            "The server at 127.0.0.1 closed the connection before the feed was complete.",
        ),
        (
            close_at_once,
            "The server at 127.0.0.1 closed the connection before the feed was complete.",
        ),
        (not_http, "The server at 127.0.0.1 sent an answer that is not valid HTTP."),
    ],
)
def test_broken_connections(
    loopback: Any, handler: Callable[..., Awaitable[None]], error: str
) -> None:
    result, _ = fetch_once(loopback, functools.partial(handler, loopback))
    assert result.status is None
    assert result.body is None
    assert result.error == error


def test_connection_refused(closed_port: int) -> None:
    async def main() -> FetchResult:
        async with Fetcher(allow_private_networks=True) as fetcher:
            return await fetcher.fetch(FeedToFetch(1, f"http://127.0.0.1:{closed_port}/"))

    result = asyncio.run(main())
    assert result.status is None
    assert result.error == "Connection refused by 127.0.0.1."


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://example.com/feed", "Only http:// and https:// addresses can be fetched."),
        ("http:///feed", "http:///feed has no host name."),
        ("http://example.com:99999/", "http://example.com:99999/ is not a valid address."),
    ],
)
def test_bad_urls_are_refused_without_network(url: str, error: str) -> None:
    async def main() -> FetchResult:
        async with Fetcher() as fetcher:
            return await fetcher.fetch(FeedToFetch(1, url))

    assert asyncio.run(main()).error == error


def test_unknown_host_name(loopback: Any) -> None:
    async def main() -> FetchResult:
        async with Fetcher(allow_private_networks=True) as fetcher:
            return await fetcher.fetch(FeedToFetch(1, "http://no-such-host.invalid/feed"))

    result = asyncio.run(main())
    assert result.error == "The name no-such-host.invalid could not be found."


def test_per_host_limit_bounds_concurrent_requests(loopback: Any) -> None:
    active = 0
    most = 0

    async def handler(request: Any, writer: Any) -> None:
        nonlocal active, most
        active += 1
        most = max(most, active)
        await asyncio.sleep(0.05)  # the server's work time, so requests overlap
        active -= 1
        await loopback.respond(writer, 200, {}, FEED)

    async def main() -> list[FetchResult]:
        async with (
            loopback.serve(handler) as server,
            Fetcher(allow_private_networks=True, per_host_limit=2) as fetcher,
        ):
            feeds = [FeedToFetch(n, f"{server.url}/{n}") for n in range(6)]
            return await asyncio.gather(*(fetcher.fetch(feed) for feed in feeds))

    results = asyncio.run(main())
    assert all(result.error is None for result in results)
    assert most == 2


def test_fetch_outside_the_context_manager_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError, match="async with"):
        asyncio.run(Fetcher().fetch(FeedToFetch(1, "http://example.com/")))


def test_cookies_do_not_follow_from_one_fetch_to_the_next(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {"Set-Cookie": "session=abc; Path=/"}, FEED)

    async def main() -> Any:
        async with (
            loopback.serve(handler) as server,
            Fetcher(allow_private_networks=True) as fetcher,
        ):
            await fetcher.fetch(FeedToFetch(1, server.url + "/a"))
            await fetcher.fetch(FeedToFetch(2, server.url + "/b"))
            return server

    server = asyncio.run(main())
    assert "cookie" not in server.requests[1].headers
