"""Fixtures for the refresh tests: real HTTP servers on loopback that misbehave on purpose.

A test writes a handler `async def handler(request, writer)` that answers (or does not) however
the case needs, and runs it with `async with loopback.serve(handler) as server:` inside its own
`asyncio.run`. The server counts connections and keeps the requests it parsed, so a test can
prove that a refused fetch never reached it.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import struct
import subprocess
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import pytest


@dataclass
class RawRequest:
    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names


Handler = Callable[[RawRequest, asyncio.StreamWriter], Awaitable[None]]


class LoopbackServer:
    """An HTTP/1.1 server on 127.0.0.x with port 0; one request per connection."""

    def __init__(
        self, handler: Handler, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
    ) -> None:
        self.handler = handler
        self.host = host
        self.tls = tls
        self.port = 0
        self.connections = 0
        self.requests: list[RawRequest] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._on_client, self.host, 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        self.connections += 1
        try:
            request = await _read_request(reader)
            if request is None:
                return
            self.requests.append(request)
            await self.handler(request, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass  # the client hung up, which is what several tests make it do
        finally:
            self._writers.discard(writer)
            writer.close()
            self._tasks.discard(task)


async def _read_request(reader: asyncio.StreamReader) -> RawRequest | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return RawRequest(method, target, headers)


class Loopback:
    """What the `loopback` fixture gives: a server factory and small answer helpers."""

    serve = LoopbackServer

    @staticmethod
    async def respond(
        writer: asyncio.StreamWriter,
        status: int,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        *,
        reason: str = "Whatever",
    ) -> None:
        """Write a whole response with Content-Length and Connection: close."""
        lines = [f"HTTP/1.1 {status} {reason}"]
        all_headers = {"Content-Length": str(len(body)), "Connection": "close"}
        all_headers.update(headers or {})
        lines += [f"{name}: {value}" for name, value in all_headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()

    @staticmethod
    def reset(writer: asyncio.StreamWriter) -> None:
        """Close the connection with a TCP reset instead of a clean close."""
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    @staticmethod
    async def wait_for(condition: Callable[[], bool], timeout: float = 2.0) -> None:
        """Poll `condition` until it holds, failing after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.005)


@pytest.fixture
def loopback() -> type[Loopback]:
    return Loopback


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class Certificate:
    cert: str  # PEM file, also usable as the trusted CA (it is self-signed)
    key: str


@pytest.fixture
def certificate(tmp_path: Any) -> Certificate:
    """A self-signed certificate for feeds.example, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
            "-subj", "/CN=feeds.example", "-addext", "subjectAltName=DNS:feeds.example",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return Certificate(str(cert), str(key))
