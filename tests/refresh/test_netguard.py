"""The network guard: the address classifier, the URL pre-check and the connect-time check."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import Sequence
from typing import Any

import pytest

from tidings.fetch import Fetcher
from tidings.fetch.guard import (
    SETTING_HINT,
    AddressRefused,
    GuardedBackend,
    IPAddress,
    check_url,
    classify_address,
    parse_ipv4_loosely,
    resolve_host,
)
from tidings.model import FeedToFetch, FetchResult

HINT = SETTING_HINT
FEED = b"<rss version='2.0'><channel><title>T</title></channel></rss>"

CLASSIFIED = [
    # public addresses
    ("93.184.215.14", None),
    ("1.1.1.1", None),
    ("8.8.8.8", None),
    ("2606:4700:4700::1111", None),
    ("2a00:1450:4001:82b::200e", None),
    ("::ffff:93.184.215.14", None),  # mapped, public inside
    ("64:ff9b::808:808", None),  # NAT64 of 8.8.8.8
    ("2002:808:808::1", None),  # 6to4 of 8.8.8.8
    # IPv4 refused
    ("127.0.0.1", "a loopback address"),
    ("127.255.255.254", "a loopback address"),
    ("10.0.0.1", "a private network address"),
    ("172.16.0.1", "a private network address"),
    ("172.31.255.255", "a private network address"),
    ("192.168.1.1", "a private network address"),
    ("100.64.0.1", "a carrier-grade NAT address"),
    ("100.127.255.255", "a carrier-grade NAT address"),
    ("169.254.169.254", "a link-local address"),  # the cloud metadata service
    ("0.0.0.0", "an unspecified address"),
    ("0.1.2.3", "an unspecified address"),
    ("224.0.0.1", "a multicast address"),
    ("239.255.255.250", "a multicast address"),
    ("255.255.255.255", "a broadcast address"),
    ("240.0.0.1", "a reserved address"),
    ("192.0.0.8", "a reserved address"),
    ("192.0.2.10", "a reserved documentation address"),
    ("198.51.100.1", "a reserved documentation address"),
    ("203.0.113.5", "a reserved documentation address"),
    ("198.18.0.1", "a reserved benchmarking address"),
    ("192.88.99.1", "a reserved relay address"),
    # just outside the private ranges
    ("172.15.255.255", None),
    ("172.32.0.0", None),
    ("100.63.255.255", None),
    ("100.128.0.0", None),
    ("11.0.0.0", None),
    # IPv6 refused
    ("::1", "a loopback address"),
    ("::", "an unspecified address"),
    ("fc00::1", "a unique-local (private) address"),
    ("fd12:3456:789a::1", "a unique-local (private) address"),
    ("fe80::1", "a link-local address"),
    ("fe80::1%eth0", "a link-local address"),
    ("fec0::1", "a site-local (private) address"),
    ("ff02::1", "a multicast address"),
    ("2001:db8::1", "a reserved documentation address"),
    ("100::1", "a reserved discard address"),
    ("64:ff9b:1::1", "a private NAT64 address"),
    # IPv4 inside IPv6
    ("::ffff:127.0.0.1", "a loopback address inside an IPv6 address"),
    ("::ffff:10.1.2.3", "a private network address inside an IPv6 address"),
    ("::ffff:169.254.169.254", "a link-local address inside an IPv6 address"),
    ("::127.0.0.1", "a loopback address inside an IPv6 address"),  # IPv4-compatible
    ("::10.0.0.1", "a private network address inside an IPv6 address"),
    ("64:ff9b::7f00:1", "a loopback address inside an IPv6 address"),  # NAT64
    ("64:ff9b::c0a8:101", "a private network address inside an IPv6 address"),
    ("2002:7f00:1::", "a loopback address inside an IPv6 address"),  # 6to4
    ("2002:c0a8:101::1", "a private network address inside an IPv6 address"),
    # Teredo: client address is the last 32 bits inverted (3f57:fefe -> 192.168.1.1)
    ("2001:0:4136:e378:8000:63bf:3f57:fefe", "a private network address inside an IPv6 address"),
    ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", None),  # client 8.8.8.8, server 65.54.227.120
]


@pytest.mark.parametrize(("text", "reason"), CLASSIFIED)
def test_classify_address(text: str, reason: str | None) -> None:
    assert classify_address(ipaddress.ip_address(text)) == reason


LOOSE_IPV4 = [
    ("127.0.0.1", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("127.0.1", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("0x7F.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("0x7f000001", "127.0.0.1"),
    ("017700000001", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("0177.1", "127.0.0.1"),
    ("10.0x1.0.01", "10.1.0.1"),
    ("3232235777", "192.168.1.1"),
    ("127.0.0.1.", "127.0.0.1"),
    ("0", "0.0.0.0"),
    ("0x", "0.0.0.0"),
    ("1.2.3.4.5", None),
    ("256.0.0.1", None),
    ("1.2.3.256", None),
    ("1.2.65536", None),
    ("4294967296", None),
    ("08.0.0.1", None),  # 8 is not an octal digit
    ("example.com", None),
    ("1.2.3.x", None),
    ("", None),
    ("1..2", None),
    ("-1", None),
]


@pytest.mark.parametrize(("host", "address"), LOOSE_IPV4)
def test_parse_ipv4_loosely(host: str, address: str | None) -> None:
    parsed = parse_ipv4_loosely(host)
    assert (str(parsed) if parsed else None) == address


def refused(shown: str, reason: str) -> str:
    return f"Refused to connect to {shown}: it is {reason}. {SETTING_HINT}"


CHECKED_URLS = [
    ("https://example.com/feed.xml", None),
    ("http://example.com:8080/feed", None),
    ("http://93.184.215.14/feed", None),
    ("http://[2606:4700:4700::1111]/", None),
    ("HTTP://Example.COM/", None),
    ("ftp://example.com/feed", "Only http:// and https:// addresses can be fetched."),
    ("file:///etc/passwd", "Only http:// and https:// addresses can be fetched."),
    ("gopher://127.0.0.1:6379/_INFO", "Only http:// and https:// addresses can be fetched."),
    ("example.com/feed", "Only http:// and https:// addresses can be fetched."),
    ("http:///feed", "http:///feed has no host name."),
    ("http://[::1/", "http://[::1/ is not a valid address."),
    ("http://example.com:http/", "http://example.com:http/ is not a valid address."),
    ("http://127.0.0.1/", refused("127.0.0.1", "a loopback address")),
    ("http://127.0.0.1:8080/feed", refused("127.0.0.1", "a loopback address")),
    ("http://user:pw@10.0.0.5/", refused("10.0.0.5", "a private network address")),
    ("http://0x7f.1/", refused("0x7f.1 (127.0.0.1)", "a loopback address")),
    ("http://2130706433/", refused("2130706433 (127.0.0.1)", "a loopback address")),
    ("http://127.1/", refused("127.1 (127.0.0.1)", "a loopback address")),
    ("http://0177.0.0.1/", refused("0177.0.0.1 (127.0.0.1)", "a loopback address")),
    ("http://[::1]:8000/", refused("::1", "a loopback address")),
    (
        "http://[::ffff:127.0.0.1]/",
        refused("::ffff:127.0.0.1", "a loopback address inside an IPv6 address"),
    ),
    (
        "http://169.254.169.254/latest/meta-data/",
        refused("169.254.169.254", "a link-local address"),
    ),
    ("http://[fd00::1]/", refused("fd00::1", "a unique-local (private) address")),
    (
        "http://localhost/",
        f"Refused to connect to localhost: it is a loopback name. {HINT}",
    ),
    (
        "http://LOCALHOST./",
        f"Refused to connect to localhost.: it is a loopback name. {HINT}",
    ),
    (
        "http://admin.localhost:9000/",
        f"Refused to connect to admin.localhost: it is a loopback name. {HINT}",
    ),
]


@pytest.mark.parametrize(("url", "error"), CHECKED_URLS)
def test_check_url(url: str, error: str | None) -> None:
    assert check_url(url) == error


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://127.0.0.1/", None),
        ("http://localhost:8080/", None),
        ("http://[fd00::1]/", None),
        ("ftp://127.0.0.1/", "Only http:// and https:// addresses can be fetched."),
    ],
)
def test_check_url_with_private_networks_allowed(url: str, error: str | None) -> None:
    assert check_url(url, allow_private_networks=True) == error


def test_refusal_names_the_setting() -> None:
    message = check_url("http://127.0.0.1/")
    assert message is not None
    assert "TIDINGS_ALLOW_PRIVATE_NETWORKS=true" in message


# --- connect-time checks against real loopback servers ---------------------------------------


def fake_dns(table: dict[str, Sequence[str]]) -> Any:
    """Give a resolver answering from `table`, as a DNS server under an attacker's control would."""

    async def resolve(host: str, port: int) -> Sequence[str]:
        if host not in table:
            raise OSError(f"{host} not in the fake DNS")
        return table[host]

    return resolve


def allow_only(*allowed: str) -> Any:
    """Give a classifier that treats `allowed` as public and judges the rest as usual."""

    def classify(address: IPAddress) -> str | None:
        return None if str(address) in allowed else classify_address(address)

    return classify


def test_guard_on_by_default_refuses_loopback_and_the_server_sees_nothing(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {}, FEED)

    async def main() -> tuple[FetchResult, int]:
        async with loopback.serve(handler) as server, Fetcher() as fetcher:
            result = await fetcher.fetch(FeedToFetch(1, server.url + "/feed"))
            return result, server.connections

    result, connections = asyncio.run(main())
    assert result.status is None
    assert result.error == refused("127.0.0.1", "a loopback address")
    assert connections == 0


def test_name_resolving_to_loopback_is_refused_at_connect_time(loopback: Any) -> None:
    # check_url cannot know what "feeds.example" resolves to; the connect-time check does.
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {}, FEED)

    async def main() -> tuple[FetchResult, int]:
        backend = GuardedBackend(resolve=fake_dns({"feeds.example": ["127.0.0.1"]}))
        async with loopback.serve(handler) as server, Fetcher(backend=backend) as fetcher:
            url = f"http://feeds.example:{server.port}/feed"
            assert check_url(url) is None
            result = await fetcher.fetch(FeedToFetch(1, url))
            return result, server.connections

    result, connections = asyncio.run(main())
    assert result.error == refused("feeds.example (127.0.0.1)", "a loopback address")
    assert connections == 0


def test_mixed_dns_answer_is_refused_whole(loopback: Any) -> None:
    async def main() -> FetchResult:
        dns = fake_dns({"mixed.example": ["93.184.215.14", "10.0.0.7"]})
        async with Fetcher(backend=GuardedBackend(resolve=dns)) as fetcher:
            return await fetcher.fetch(FeedToFetch(1, "http://mixed.example/feed"))

    result = asyncio.run(main())
    assert result.error == refused("mixed.example (10.0.0.7)", "a private network address")


def test_redirect_from_allowed_host_to_private_one_is_refused(loopback: Any) -> None:
    # 127.0.0.1 plays a public host; 127.0.0.2 (also loopback) plays the internal one.
    async def internal(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {}, b"secret")

    async def main() -> tuple[FetchResult, int, int]:
        async with loopback.serve(internal, host="127.0.0.2") as inside:

            async def public(request: Any, writer: Any) -> None:
                location = f"http://intranet.example:{inside.port}/admin"
                await loopback.respond(writer, 302, {"Location": location})

            async with loopback.serve(public) as outside:
                backend = GuardedBackend(
                    allow_only("127.0.0.1"),
                    resolve=fake_dns(
                        {"news.example": ["127.0.0.1"], "intranet.example": ["127.0.0.2"]}
                    ),
                )
                async with Fetcher(backend=backend) as fetcher:
                    url = f"http://news.example:{outside.port}/feed"
                    result = await fetcher.fetch(FeedToFetch(1, url))
                return result, len(outside.requests), inside.connections

    result, outside_requests, inside_connections = asyncio.run(main())
    assert outside_requests == 1
    assert inside_connections == 0
    assert result.status is None
    assert result.body is None
    assert result.error == refused("intranet.example (127.0.0.2)", "a loopback address")


def test_literal_redirect_to_private_address_is_refused_before_connecting(loopback: Any) -> None:
    async def internal(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {}, b"secret")

    async def main() -> tuple[FetchResult, int]:
        async with loopback.serve(internal, host="127.0.0.2") as inside:

            async def public(request: Any, writer: Any) -> None:
                await loopback.respond(writer, 301, {"Location": f"{inside.url}/admin"})

            async with loopback.serve(public) as outside:
                dns = fake_dns({"news.example": ["127.0.0.1"]})
                backend = GuardedBackend(allow_only("127.0.0.1"), resolve=dns)
                async with Fetcher(backend=backend) as fetcher:
                    url = f"http://news.example:{outside.port}/feed"
                    return await fetcher.fetch(FeedToFetch(1, url)), inside.connections

    result, inside_connections = asyncio.run(main())
    assert inside_connections == 0
    assert result.error == refused("127.0.0.2", "a loopback address")
    assert not result.permanent_redirect


def test_guard_off_fetches_from_loopback(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {}, FEED)

    async def main() -> FetchResult:
        async with (
            loopback.serve(handler) as server,
            Fetcher(allow_private_networks=True) as fetcher,
        ):
            return await fetcher.fetch(FeedToFetch(1, server.url + "/feed"))

    result = asyncio.run(main())
    assert result.error is None
    assert result.body == FEED


def test_backend_checks_names_the_system_resolver_gives(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {}, FEED)

    async def main() -> int:
        async with loopback.serve(handler) as server:
            with pytest.raises(AddressRefused, match=r"Refused to connect to localhost \("):
                await GuardedBackend().connect_tcp("localhost", server.port, timeout=2)
            connections: int = server.connections
            return connections

    assert asyncio.run(main()) == 0


def test_unix_sockets_are_not_offered() -> None:
    """The backends connect over TCP only: there is no other way in (httpcore's interface had
    a unix-socket method, which had to refuse)."""
    methods = {name for name in dir(GuardedBackend) if not name.startswith("_")}
    assert methods == {"connect_tcp", "check_host"}  # check_host connects nowhere


def test_tls_verifies_the_name_while_connecting_to_the_checked_address(
    loopback: Any, certificate: Any
) -> None:
    # The guard connects to 127.0.0.1, yet TLS must check the certificate against the name.
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(certificate.cert, certificate.key)
    client_tls = ssl.create_default_context(cafile=certificate.cert)

    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {}, FEED)

    async def main() -> tuple[FetchResult, FetchResult]:
        async with loopback.serve(handler, tls=server_tls) as server:
            dns = fake_dns({"feeds.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
            backend = GuardedBackend(allow_only("127.0.0.1"), resolve=dns)
            async with Fetcher(backend=backend, ssl_context=client_tls) as fetcher:
                good = await fetcher.fetch(FeedToFetch(1, f"https://feeds.example:{server.port}/"))
                bad = await fetcher.fetch(FeedToFetch(2, f"https://other.example:{server.port}/"))
            return good, bad

    good, bad = asyncio.run(main())
    assert good.error is None
    assert good.body == FEED
    assert bad.status is None
    assert bad.error is not None
    assert bad.error.startswith("The secure connection to other.example failed: ")
    assert "mismatch" in bad.error.lower()


def test_untrusted_certificate_gives_a_sentence(loopback: Any, certificate: Any) -> None:
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(certificate.cert, certificate.key)

    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {}, FEED)

    async def main() -> FetchResult:
        async with loopback.serve(handler, tls=server_tls) as server:
            dns = fake_dns({"feeds.example": ["127.0.0.1"]})
            backend = GuardedBackend(allow_only("127.0.0.1"), resolve=dns)
            async with Fetcher(backend=backend) as fetcher:
                return await fetcher.fetch(FeedToFetch(1, f"https://feeds.example:{server.port}/"))

    result = asyncio.run(main())
    assert result.error == (
        "The secure connection to feeds.example failed: self-signed certificate."
    )


def test_an_international_name_is_looked_up_and_sent_in_its_ascii_form(loopback: Any) -> None:
    async def handler(request: Any, writer: Any) -> None:
        await loopback.respond(writer, 200, {}, FEED)

    async def main() -> tuple[FetchResult, Any]:
        async with loopback.serve(handler) as server:
            backend = GuardedBackend(
                allow_only("127.0.0.1"), resolve=fake_dns({"xn--bcher-kva.example": ["127.0.0.1"]})
            )
            async with Fetcher(backend=backend) as fetcher:
                url = f"http://bücher.example:{server.port}/feed"
                return await fetcher.fetch(FeedToFetch(1, url)), server

    result, server = asyncio.run(main())
    assert (result.status, result.error) == (200, None)
    assert server.requests[0].headers["host"] == f"xn--bcher-kva.example:{server.port}"


@pytest.mark.parametrize("name", ["a..b", "..com", "a" * 64 + ".org"])
def test_a_name_the_resolver_cannot_encode_is_not_found(name: str) -> None:
    # getaddrinfo encodes the name with the idna codec and raised its UnicodeError, which no
    # caller expects of a look-up: a name that cannot be looked up is an OSError.
    with pytest.raises(OSError, match="is no host name"):
        asyncio.run(resolve_host(name, 80))
