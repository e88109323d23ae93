"""The HTTP/1.1 client: response heads and framing (tables), and keep-alive against a raw server."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType

import pytest

from tidings.fetch import Fetcher
from tidings.fetch.errors import ProtocolError
from tidings.fetch.http1 import Head, allows_reuse, body_framing, parse_head
from tidings.model import FeedToFetch, FetchResult

# --- parse_head ----------------------------------------------------------------------------------

HEADS: list[tuple[bytes, int, dict[str, str], bool]] = [
    (b"HTTP/1.1 200 OK", 200, {}, True),
    (b"HTTP/1.0 304 Not Modified", 304, {}, False),
    (b"HTTP/1.1 200", 200, {}, True),  # no reason phrase
    (
        b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html",
        404,
        {"content-type": "text/html"},
        True,
    ),
    (b'HTTP/1.1 200 OK\nETag: "a"\nX-A: 1', 200, {"etag": '"a"', "x-a": "1"}, True),  # bare LF
    (b"HTTP/1.1 200 OK\r\nVary: a\r\nvary: b", 200, {"vary": "a, b"}, True),  # repeated
    (b"HTTP/1.1 200 OK\r\nX-Long: one\r\n  two", 200, {"x-long": "one two"}, True),  # folded
    (b"HTTP/1.1 200 OK\r\nX-Empty:", 200, {"x-empty": ""}, True),
    (b"HTTP/1.1 200 OK\r\nX-Name: Caf\xc3\xa9", 200, {"x-name": "Café"}, True),  # UTF-8
    (b"HTTP/1.1 200 OK\r\nX-Name: Caf\xe9", 200, {"x-name": "Café"}, True),  # Latin-1
]


@pytest.mark.parametrize(("raw", "status", "headers", "http11"), HEADS)
def test_parse_head(raw: bytes, status: int, headers: dict[str, str], http11: bool) -> None:
    assert parse_head(raw) == Head(status, headers, http11)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"<html>",
        b"HTTP/2 200",
        b"HTTP/1.1 20 OK",
        b"HTTP/1.1 OK",
        b"ICY 200 OK",
        b"HTTP/1.1 200 OK\r\nno colon here",
        b"HTTP/1.1 200 OK\r\nBad Name: x",
        b"HTTP/1.1 200 OK\r\n: empty name",
    ],
)
def test_parse_head_refuses_what_is_not_http(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_head(raw)


# --- body_framing and allows_reuse ---------------------------------------------------------------


def head(status: int = 200, http11: bool = True, **headers: str) -> Head:
    return Head(status, {name.replace("_", "-"): value for name, value in headers.items()}, http11)


FRAMINGS: list[tuple[Head, tuple[str, int], bool]] = [
    (head(content_length="12"), ("length", 12), True),
    (head(content_length="12, 12"), ("length", 12), True),  # a repeated, agreeing length
    (head(transfer_encoding="chunked"), ("chunked", 0), True),
    (head(transfer_encoding="gzip, chunked", content_length="5"), ("chunked", 0), True),
    (head(transfer_encoding="gzip"), ("close", 0), False),  # not chunked: runs to the end
    (head(), ("close", 0), False),
    (head(304, content_length="500"), ("none", 0), True),  # 304 has no body, whatever it says
    (head(204), ("none", 0), True),
    (head(101), ("none", 0), True),
    (head(content_length="3", connection="close"), ("length", 3), False),
    (head(content_length="3", connection="Keep-Alive, Close"), ("length", 3), False),
    (head(http11=False, content_length="3"), ("length", 3), False),  # HTTP/1.0 closes by default
    (head(http11=False, content_length="3", connection="keep-alive"), ("length", 3), True),
]


@pytest.mark.parametrize(("parsed", "framing", "reusable"), FRAMINGS)
def test_body_framing_and_reuse(parsed: Head, framing: tuple[str, int], reusable: bool) -> None:
    assert body_framing(parsed) == framing
    assert allows_reuse(parsed, body_framing(parsed)[0]) is reusable


@pytest.mark.parametrize("length", ["12, 13", "-1", "1e3", "", "٣"])
def test_conflicting_or_malformed_length_is_an_error(length: str) -> None:
    with pytest.raises(ProtocolError):
        body_framing(head(content_length=length))


# --- against a raw server ------------------------------------------------------------------------


@dataclass
class Scripted:
    """A loopback server that answers each request with the next scripted bytes, keeping the
    connection open unless the script says to close it after that answer."""

    answers: Sequence[tuple[bytes, bool]]  # (bytes to send, close afterwards)
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    async def __aenter__(self) -> Scripted:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        await self._server.wait_closed()

    def url(self, path: str = "/feed") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(request)
                answer, close = self.answers[min(len(self.requests), len(self.answers)) - 1]
                writer.write(answer)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()


def ok(body: bytes = b"<rss/>", *extra: str) -> bytes:
    head = ["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", *extra]
    return "\r\n".join(head).encode() + b"\r\n\r\n" + body


def run_with(answers: Sequence[tuple[bytes, bool]], *paths: str) -> tuple[list[FetchResult], int]:
    """Give the results of fetching `paths` in turn from a scripted server, and its connections."""

    async def main() -> tuple[list[FetchResult], int]:
        async with Scripted(answers) as server:
            async with Fetcher(allow_private_networks=True) as fetcher:
                results = [await fetcher.fetch(FeedToFetch(1, server.url(p))) for p in paths]
            return results, server.connections

    return asyncio.run(main())


def test_one_connection_serves_successive_requests_to_one_origin() -> None:
    results, connections = run_with([(ok(b"<rss>1</rss>"), False)], "/a", "/b", "/c")
    assert [r.body for r in results] == [b"<rss>1</rss>"] * 3
    assert connections == 1


def test_connection_close_is_honoured() -> None:
    results, connections = run_with([(ok(b"<rss/>", "Connection: close"), True)], "/a", "/b")
    assert [r.status for r in results] == [200, 200]
    assert connections == 2


def test_a_kept_alive_connection_the_server_closed_is_replaced_silently() -> None:
    # The server closes after answering although it did not say so: the next request finds the
    # connection dead and is sent again on a new one, with no error for the feed.
    results, connections = run_with([(ok(), True)], "/a", "/b", "/c")
    assert [(r.status, r.error) for r in results] == [(200, None)] * 3
    assert connections == 3


def test_chunked_body_with_extensions_and_trailers() -> None:
    body = b"5;name=x\r\n<rss>\r\n7\r\n</rss> \r\n0\r\nX-Trailer: 1\r\n\r\n"
    answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    results, connections = run_with([(answer, False)], "/a", "/b")
    assert [r.body for r in results] == [b"<rss></rss> "] * 2
    assert connections == 1


def test_informational_answers_are_skipped() -> None:
    answer = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + ok()
    results, _ = run_with([(answer, False)], "/a")
    assert (results[0].status, results[0].body) == (200, b"<rss/>")


def test_a_body_running_to_the_end_of_the_connection() -> None:
    answer = b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<rss>until close</rss>"
    results, connections = run_with([(answer, True)], "/a", "/b")
    assert [r.body for r in results] == [b"<rss>until close</rss>"] * 2
    assert connections == 2


def test_leftover_bytes_after_an_answer_do_not_reach_the_next_feed() -> None:
    # Ten bytes more than Content-Length said: the connection is not trusted again.
    answer = ok(b"<rss/>").replace(b"Content-Length: 6", b"Content-Length: 2")
    results, _ = run_with([(answer, False)], "/a", "/b")
    assert [r.body for r in results] == [b"<r", b"<r"]
    assert [r.error for r in results] == [None, None]


@pytest.mark.parametrize(
    ("answer", "sentence"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<rss>", "closed the connection"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "not valid HTTP"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n", "not valid HTTP"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx", "not valid HTTP"),
        (b"SSH-2.0-OpenSSH_9.2\r\n\r\n", "not valid HTTP"),
        (b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", "not valid HTTP"),
    ],
)
def test_broken_answers_give_a_sentence(answer: bytes, sentence: str) -> None:
    results, _ = run_with([(answer, True)], "/a")
    assert results[0].status is None
    assert results[0].error is not None
    assert sentence in results[0].error
