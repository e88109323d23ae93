"""The network guard: keeps feed fetches away from loopback, private and other internal addresses.

An aggregator fetches addresses that users type in, so without a guard anyone who can subscribe a
feed can make the server talk to its own admin ports, the cloud metadata service or the office
printer (server-side request forgery). The guard works at two points:

- `check_url` is a cheap, pure pre-check used when a feed is subscribed and on every redirect: the
  scheme must be http or https and a literal IP address (in any spelling) must be public.
- `GuardedBackend` is a network backend (`Backend`) that resolves the host name itself, checks every
  address it resolved to and then connects to a checked address. Because the check is made on the
  address actually connected to, redirects and DNS rebinding cannot slip past it.

The connections themselves are plain asyncio sockets (`AsyncioBackend`), not anyio's: anyio's
connect runs a task group for happy eyeballs and every read and write opens a cancel scope,
together about a third of the CPU of a whole 304 fetch.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import select
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

import certifi

from tidings.fetch.errors import (
    AddressRefused,
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    WriteError,
    WriteTimeout,
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Gives the reason an address is refused ("a loopback address"), or None when it may be used.
AddressClassifier = Callable[[IPAddress], str | None]
# Gives the addresses a host name resolves to (a seam for tests that simulate DNS answers).
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

# setsockopt's arguments: (level, option, value).
SocketOption = tuple[int, int, int | bytes]


class Stream(Protocol):
    """A connection the HTTP/1.1 client reads and writes; errors are the fetch package's."""

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes: ...

    async def write(self, buffer: bytes, timeout: float | None = None) -> None: ...

    async def aclose(self) -> None: ...

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> Stream: ...

    def get_extra_info(self, info: str) -> Any: ...


class Backend(Protocol):
    """What makes connections: `connect_tcp` gives a Stream (tests give fakes)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> Stream: ...


SETTING_HINT: Final = "Set TIDINGS_ALLOW_PRIVATE_NETWORKS=true to allow feeds on private networks."

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# Order matters only for the wording: the first matching network names the reason.
_IPV4_REFUSED: Final[tuple[tuple[ipaddress.IPv4Network, str], ...]] = (
    (_V4("0.0.0.0/8"), "an unspecified address"),
    (_V4("127.0.0.0/8"), "a loopback address"),
    (_V4("10.0.0.0/8"), "a private network address"),
    (_V4("172.16.0.0/12"), "a private network address"),
    (_V4("192.168.0.0/16"), "a private network address"),
    (_V4("100.64.0.0/10"), "a carrier-grade NAT address"),
    (_V4("169.254.0.0/16"), "a link-local address"),
    (_V4("192.0.0.0/24"), "a reserved address"),
    (_V4("192.0.2.0/24"), "a reserved documentation address"),
    (_V4("198.51.100.0/24"), "a reserved documentation address"),
    (_V4("203.0.113.0/24"), "a reserved documentation address"),
    (_V4("198.18.0.0/15"), "a reserved benchmarking address"),
    (_V4("192.88.99.0/24"), "a reserved relay address"),
    (_V4("224.0.0.0/4"), "a multicast address"),
    (_V4("255.255.255.255/32"), "a broadcast address"),
    (_V4("240.0.0.0/4"), "a reserved address"),
)

_IPV6_REFUSED: Final[tuple[tuple[ipaddress.IPv6Network, str], ...]] = (
    (_V6("::/128"), "an unspecified address"),
    (_V6("::1/128"), "a loopback address"),
    (_V6("fc00::/7"), "a unique-local (private) address"),
    (_V6("fe80::/10"), "a link-local address"),
    (_V6("fec0::/10"), "a site-local (private) address"),
    (_V6("ff00::/8"), "a multicast address"),
    (_V6("64:ff9b:1::/48"), "a private NAT64 address"),
    (_V6("100::/64"), "a reserved discard address"),
    (_V6("2001:db8::/32"), "a reserved documentation address"),
)

# IPv6 ranges that carry an IPv4 address inside; the embedded address decides.
_IPV4_COMPATIBLE: Final = _V6("::/96")
_NAT64: Final = _V6("64:ff9b::/96")
_SIX_TO_FOUR: Final = _V6("2002::/16")


def classify_address(address: IPAddress) -> str | None:
    """Give the reason `address` must not be fetched from ("a loopback address"), or None."""
    if isinstance(address, ipaddress.IPv4Address):
        return _classify_v4(address)
    return _classify_v6(address)


def _classify_v4(address: ipaddress.IPv4Address) -> str | None:
    for network, reason in _IPV4_REFUSED:
        if address in network:
            return reason
    return None if address.is_global else "a reserved address"


def _classify_v6(address: ipaddress.IPv6Address) -> str | None:
    # A scope id ("fe80::1%eth0") does not change what the address is.
    address = ipaddress.IPv6Address(address.packed)
    for network, reason in _IPV6_REFUSED:
        if address in network:
            return reason
    embedded = _embedded_ipv4(address)
    if embedded:
        reasons = [_classify_v4(v4) for v4 in embedded]
        refused = next((r for r in reasons if r), None)
        return f"{refused} inside an IPv6 address" if refused else None
    return None if address.is_global else "a reserved address"


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Give the IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    as_int = int(address)
    if address in _IPV4_COMPATIBLE or address in _NAT64:
        return [ipaddress.IPv4Address(as_int & 0xFFFFFFFF)]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        server, client = address.teredo
        return [server, client]
    return []


def parse_ipv4_loosely(host: str) -> ipaddress.IPv4Address | None:
    """Give the IPv4 address a host spells the way inet_aton reads it ("0x7f.1", "2130706433").

    The C resolver accepts one to four parts in decimal, octal (leading 0) or hex (0x), the last
    part filling the remaining bytes. Browsers and curl do the same, so an attacker can hide
    127.0.0.1 as "2130706433" or "0177.0.0.1"; the pre-check must see through those spellings.
    """
    parts = host.split(".")
    if host.endswith(".") and len(parts) > 1:
        parts.pop()  # "127.0.0.1." is still an address
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _parse_ipv4_part(part)
        if number is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(n > 0xFF for n in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(leading):
        value |= number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _parse_ipv4_part(part: str) -> int | None:
    lowered = part.lower()
    try:
        if lowered.startswith("0x"):
            return int(lowered[2:] or "0", 16)
        if len(lowered) > 1 and lowered.startswith("0"):
            return int(lowered[1:], 8)
        return int(lowered, 10) if lowered.isdigit() else None
    except ValueError:
        return None


def refusal_message(host: str, address: IPAddress, reason: str) -> str:
    """Give the sentence shown when a connection to `address` is refused."""
    try:
        is_literal = ipaddress.ip_address(host) == address
    except ValueError:
        is_literal = False
    shown = host if is_literal else f"{host} ({address})"
    return f"Refused to connect to {shown}: it is {reason}. {SETTING_HINT}"


def check_url(url: str, *, allow_private_networks: bool = False) -> str | None:
    """Give why `url` cannot be fetched (a sentence for the user), or None when it looks fine.

    Only literal addresses and "localhost" names are judged here; names are checked when the
    fetcher connects, against the addresses they resolve to at that moment.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"{url} is not a valid address."
    if parts.scheme not in ("http", "https"):
        return "Only http:// and https:// addresses can be fetched."
    if not host:
        return f"{url} has no host name."
    if allow_private_networks:
        return None
    address = _literal_address(host)
    if address is not None:
        reason = classify_address(address)
        return refusal_message(host, address, reason) if reason else None
    name = host.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return f"Refused to connect to {host}: it is a loopback name. {SETTING_HINT}"
    return None


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return parse_ipv4_loosely(host)


async def resolve_host(host: str, port: int) -> list[str]:
    """Give the addresses `host` resolves to now, as the system resolver answers."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return [str(sockaddr[0]) for _family, _type, _proto, _name, sockaddr in infos]


def _readable(sock: Any) -> bool:
    """True when an idle connection has something to read (the server closed it, as a rule)."""
    if sock is None or sock.fileno() == -1:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class _Stream:
    """A TCP connection over asyncio streams; `start_tls` upgrades it in place (https)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as error:  # before OSError: TimeoutError is one
            raise ReadTimeout(str(error)) from error
        except OSError as error:
            raise ReadError(str(error)) from error

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as error:
            raise WriteTimeout(str(error)) from error
        except OSError as error:
            raise WriteError(str(error)) from error

    async def aclose(self) -> None:
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> Stream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as error:
            self._writer.transport.abort()
            raise ConnectTimeout(str(error)) from error
        except OSError as error:  # ssl.SSLError included
            self._writer.transport.abort()
            raise ConnectError(str(error)) from error
        except BaseException:
            self._writer.transport.abort()
            raise
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _readable(self._writer.get_extra_info("socket"))
        if info in ("ssl_object", "socket"):
            return self._writer.get_extra_info(info)
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        return None


class AsyncioBackend:
    """Connects to a literal IP address with plain asyncio (`GuardedBackend` resolves names)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> Stream:
        address = ipaddress.ip_address(host)
        family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for option in socket_options or ():
                sock.setsockopt(*option)
            if local_address:
                sock.bind((local_address, 0))
            async with asyncio.timeout(timeout):
                await asyncio.get_running_loop().sock_connect(sock, (host, port))
                reader, writer = await asyncio.open_connection(sock=sock)
        except TimeoutError as error:
            sock.close()
            raise ConnectTimeout(str(error)) from error
        except OSError as error:
            sock.close()
            raise ConnectError(str(error)) from error
        except BaseException:
            sock.close()
            raise
        return _Stream(reader, writer)


class GuardedBackend:
    """A network backend that connects only to addresses the classifier allows.

    It resolves the host itself, refuses the connection if any resolved address is refused (a
    name that resolves to both a public and a private address is not trusted), then connects to
    the checked addresses in turn. TLS still uses the original host name for SNI and certificate
    checks, because the HTTP client passes that name to `start_tls`, not the address.
    """

    def __init__(
        self,
        classify: AddressClassifier | None = classify_address,
        *,
        resolve: Resolver | None = None,
        inner: Backend | None = None,
    ) -> None:
        self._classify = classify
        self._resolve_name = resolve or resolve_host
        self._inner = inner or AsyncioBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> Stream:
        addresses = await self._checked(host, port, timeout)
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (ConnectError, ConnectTimeout) as error:
                last_error = error
        assert last_error is not None  # _resolve never gives an empty list
        raise last_error

    async def check_host(self, host: str, port: int, timeout: float | None = None) -> None:
        """Look `host` up and raise AddressRefused when an address it has is refused: for a
        request that a proxy will make (the proxy connects; the policy is checked here)."""
        await self._checked(host, port, timeout)

    async def _checked(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        """The addresses of `host`, every one allowed; AddressRefused when one is not (a name
        answering with one public and one private address is not trusted)."""
        addresses = await self._resolve(host, port, timeout)
        if self._classify is not None:
            for address in addresses:
                reason = self._classify(address)
                if reason:
                    raise AddressRefused(refusal_message(host, address, reason))
        return addresses

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        literal = _literal_address(host)
        if literal is not None:
            return [literal]
        try:
            async with asyncio.timeout(timeout):
                found = await self._resolve_name(host, port)
        except TimeoutError as error:
            raise ConnectTimeout(f"Looking up {host} took too long.") from error
        except OSError as error:
            raise ConnectError(f"The name {host} could not be found.") from error
        addresses: list[IPAddress] = []
        for text in found:
            address = ipaddress.ip_address(text)
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise ConnectError(f"The name {host} could not be found.")
        return addresses


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """Give the default TLS context (certifi's CAs), built once per process.

    Loading the CA file costs about 20 ms, and every Fetcher needs the context: one per refresh
    run, one per feed discovery.
    """
    return ssl.create_default_context(cafile=certifi.where())
