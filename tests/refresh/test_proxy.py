"""Forward proxies (fetch/proxy.py): which requests take one, as tables, then real requests
through a proxy written here on loopback: plain http in absolute form, https through a CONNECT
tunnel with the certificate checked against the feed's name, NO_PROXY, refusals."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from test_netguard import allow_only, fake_dns

from tidings.config import ConfigError, load_settings
from tidings.fetch import Fetcher
from tidings.fetch.errors import InvalidURL
from tidings.fetch.guard import GuardedBackend
from tidings.fetch.http1 import absolute_form
from tidings.fetch.proxy import Proxies, Proxy, proxies_from, proxy_of
from tidings.model import FeedToFetch, FetchResult

FEED = b"<rss version='2.0'><channel><title>T</title></channel></rss>"
WITH_PASSWORD = Proxy("p", 1, b"Basic dTpwQHNz")  # base64 of "u:p@ss"
HEAD = b"GET /feed.xml?a=1 HTTP/1.1\r\nHost: e.org\r\nUser-Agent: t\r\n\r\n"


@pytest.mark.parametrize(
    ("setting", "environ", "http", "https", "no_proxy"),
    [
        ("", {"HTTP_PROXY": "http://p:3128"}, None, None, ()),  # never read unless asked
        ("environment", {"HTTP_PROXY": "http://p:3128"}, Proxy("p", 3128), None, ()),
        (
            "environment",
            {"http_proxy": "p:8080", "HTTPS_PROXY": "http://q:3128", "NO_PROXY": ".a.org, b:81"},
            Proxy("p", 8080),
            Proxy("q", 3128),
            ("a.org", "b"),
        ),
        ("http://p:1", {"NO_PROXY": "*"}, Proxy("p", 1), Proxy("p", 1), ("*",)),
        (
            "http://u:p%40ss@p:1",
            {},
            Proxy("p", 1, b"Basic dTpwQHNz"),
            Proxy("p", 1, b"Basic dTpwQHNz"),
            (),
        ),
    ],
)
def test_which_proxies(
    setting: str,
    environ: dict[str, str],
    http: Proxy | None,
    https: Proxy | None,
    no_proxy: tuple[str, ...],
) -> None:
    found = proxies_from(setting, environ)
    assert (found.http, found.https, found.no_proxy) == (http, https, no_proxy)


@pytest.mark.parametrize(
    ("scheme", "host", "through"),
    [
        ("http", "e.org", True),
        ("https", "e.org", True),
        ("http", "a.org", False),
        ("http", "x.a.org", False),
        ("http", "xa.org", True),
        ("https", "B", False),
    ],
)
def test_no_proxy(scheme: str, host: str, through: bool) -> None:
    proxies = Proxies(Proxy("p", 1), Proxy("p", 1), ("a.org", "b"))
    assert (proxies.for_origin(scheme, host) is not None) == through


def test_absolute_form() -> None:
    assert absolute_form(("http", "e.org", 80), HEAD).startswith(
        b"GET http://e.org/feed.xml?a=1 HTTP/1.1\r\nHost: e.org\r\n"
    )
    with_port = absolute_form(("http", "::1", 8080), HEAD, b"Basic x")
    assert with_port.startswith(
        b"GET http://[::1]:8080/feed.xml?a=1 HTTP/1.1\r\nProxy-Authorization: Basic x\r\n"
    )


@pytest.mark.parametrize("bad", ["https://p:1", "ftp://p:1", "http://:1", "http://p:port"])
def test_a_proxy_address_that_cannot_be_used(bad: str) -> None:
    with pytest.raises(InvalidURL):
        proxy_of(bad)
    with pytest.raises(ConfigError, match="a proxy is"):
        load_settings(environ={"TIDINGS_PROXY": bad})


class ForwardProxy:
    """A forward proxy on loopback: answers absolute-form GETs itself, tunnels CONNECTs to
    127.0.0.1 (or refuses them with `refuse`), and records each request line."""

    def __init__(self, refuse: int | None = None) -> None:
        self.lines: list[str] = []
        self.refuse = refuse
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            line = head.split("\r\n")[0]
            self.lines.append(line)
            method, target, _ = line.split(" ")
            if method == "CONNECT":
                if self.refuse:
                    writer.write(f"HTTP/1.1 {self.refuse} No\r\nContent-Length: 0\r\n\r\n".encode())
                    await writer.drain()
                    return
                port = int(target.rsplit(":", 1)[1])
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
                await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
                return
            body = FEED
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[ForwardProxy]:
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        async with server:
            yield self


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


def fetch_through(
    proxy: ForwardProxy, urls: list[str], *, no_proxy: tuple[str, ...] = (), tls: Any = None
) -> list[FetchResult]:
    async def main() -> list[FetchResult]:
        async with proxy.running():
            here = Proxy("127.0.0.1", proxy.port)
            dns = fake_dns({"feeds.example": ["127.0.0.1"], "inside.example": ["10.0.0.5"]})
            backend = GuardedBackend(allow_only("127.0.0.1"), resolve=dns)
            proxies = Proxies(here, here, no_proxy)
            async with Fetcher(backend=backend, ssl_context=tls, proxies=proxies) as fetcher:
                return [await fetcher.fetch(FeedToFetch(i, url)) for i, url in enumerate(urls)]

    return asyncio.run(main())


def test_plain_http_goes_through_the_proxy_in_absolute_form() -> None:
    proxy = ForwardProxy()
    [result] = fetch_through(proxy, ["http://feeds.example:8123/feed.xml?x=1"])
    assert result.error is None and result.body == FEED
    assert proxy.lines == ["GET http://feeds.example:8123/feed.xml?x=1 HTTP/1.1"]


def test_the_guard_still_vets_the_feeds_host() -> None:
    proxy = ForwardProxy()
    [result] = fetch_through(proxy, ["http://inside.example/feed.xml"])
    assert result.error is not None and "10.0.0.5" in result.error
    assert proxy.lines == []  # refused before anything went to the proxy


def test_https_goes_through_a_tunnel_with_the_name_checked(loopback: Any, certificate: Any) -> None:
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(certificate.cert, certificate.key)
    client_tls = ssl.create_default_context(cafile=certificate.cert)

    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {}, FEED)

    async def main() -> tuple[list[str], FetchResult, int]:
        proxy = ForwardProxy()
        async with loopback.serve(handler, tls=server_tls) as origin, proxy.running():
            here = Proxy("127.0.0.1", proxy.port)
            dns = fake_dns({"feeds.example": ["127.0.0.1"]})
            backend = GuardedBackend(allow_only("127.0.0.1"), resolve=dns)
            proxies = Proxies(None, here)
            async with Fetcher(backend=backend, ssl_context=client_tls, proxies=proxies) as f:
                result = await f.fetch(FeedToFetch(1, f"https://feeds.example:{origin.port}/"))
            return proxy.lines, result, origin.port

    lines, result, port = asyncio.run(main())
    assert result.error is None and result.body == FEED
    assert lines == [f"CONNECT feeds.example:{port} HTTP/1.1"]  # TLS inside, to the name


def test_a_proxy_that_refuses_the_tunnel_gives_a_sentence() -> None:
    proxy = ForwardProxy(refuse=403)
    [result] = fetch_through(proxy, ["https://feeds.example:9/feed"])
    assert result.error is not None
    assert "The proxy refused to reach feeds.example (it answered 403)" in result.error


def test_no_proxy_hosts_go_direct(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {}, FEED)

    async def main() -> tuple[list[str], FetchResult]:
        proxy = ForwardProxy()
        async with loopback.serve(handler) as origin, proxy.running():
            here = Proxy("127.0.0.1", proxy.port)
            dns = fake_dns({"feeds.example": ["127.0.0.1"]})
            backend = GuardedBackend(allow_only("127.0.0.1"), resolve=dns)
            proxies = Proxies(here, here, ("example",))
            async with Fetcher(backend=backend, proxies=proxies) as fetcher:
                result = await fetcher.fetch(FeedToFetch(1, f"http://feeds.example:{origin.port}/"))
            return proxy.lines, result

    lines, result = asyncio.run(main())
    assert result.error is None and lines == []
