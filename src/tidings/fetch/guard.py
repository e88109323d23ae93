"""The network guard: keeps feed fetches away from loopback, private and other internal addresses.

An aggregator fetches addresses that users type in, so without a guard anyone who can subscribe a
feed can make the server talk to its own admin ports, the cloud metadata service or the office
printer (server-side request forgery). The guard works at two points:

- `check_url` is a cheap, pure pre-check used when a feed is subscribed and on every redirect: the
  scheme must be http or https and a literal IP address (in any spelling) must be public. It
  lives in `tidings.addresses` (no network code: subscribing stays cheap) and is re-exported here.
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
from typing import Any, Protocol

import certifi

from tidings.addresses import SETTING_HINT as SETTING_HINT
from tidings.addresses import AddressClassifier as AddressClassifier
from tidings.addresses import IPAddress as IPAddress
from tidings.addresses import check_url as check_url
from tidings.addresses import classify_address as classify_address
from tidings.addresses import literal_address
from tidings.addresses import parse_ipv4_loosely as parse_ipv4_loosely
from tidings.addresses import refusal_message as refusal_message
from tidings.fetch.errors import (
    AddressRefused,
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    WriteError,
    WriteTimeout,
)

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


async def resolve_host(host: str, port: int) -> list[str]:
    """Give the addresses `host` resolves to now, as the system resolver answers; OSError
    (socket.gaierror) when it cannot."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except UnicodeError as error:  # a name the idna codec refuses ("a..b"): not found either
        raise socket.gaierror(socket.EAI_NONAME, f"{host!r} is no host name ({error})") from None
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
        literal = literal_address(host)
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
