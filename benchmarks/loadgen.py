"""A small HTTP/1.1 load generator for the benchmarks: raw keep-alive sockets on loopback.

Bounded in requests and in time; counts any answer but 200 as an error. Used by web.py and
api.py (run as scripts, so this folder is on sys.path).
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import time


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_request(path: str, header: str = "") -> bytes:
    """The bytes of a gzip-accepting GET of `path`, with one optional extra header line."""
    extra = f"{header}\r\n" if header else ""
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n{extra}\r\n"
    ).encode()


async def _connection(
    port: int, request: bytes, stop_at: float, budget: list[int], out: list[float]
) -> int:
    """Send `request` again and again on one keep-alive connection; gives back the errors."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    errors = 0
    try:
        while time.perf_counter() < stop_at and budget[0] > 0:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            out.append(time.perf_counter() - started)
            errors += status != 200
    finally:
        writer.close()
    return errors


async def measure(
    port: int, request: bytes, seconds: float, connections: int, budget: int = 200_000
) -> dict[str, float]:
    """Requests, req/s, p50 and p99 (ms) and errors of `connections` clients for `seconds`."""
    latencies: list[float] = []
    remaining = [budget]
    started = time.perf_counter()
    stop_at = started + seconds
    errors = await asyncio.gather(
        *(_connection(port, request, stop_at, remaining, latencies) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "errors": sum(errors),
    }
