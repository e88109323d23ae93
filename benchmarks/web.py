"""Serve a generated site with uvicorn and measure the river, a source page and an output feed.

    .venv/bin/python benchmarks/web.py [--seconds 5] [--connections 32] [--no-cache]

Builds 200 sources x 30 entries in a temporary SQLite database, starts `tidings.web.app.create_app`
under uvicorn in a subprocess (one worker, loopback only), then drives it with an asyncio load
generator over raw keep-alive sockets (bounded in requests and in time). Prints a Markdown table
of requests per second and latency percentiles per URL; any non-200 answer is an error and fails
the run. `--no-cache` measures rendering on every request (the page cache off).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from corpus import fill_feed
from loadgen import free_port, get_request, measure

from tidings.store import Store

SOURCES, ENTRIES = 200, 30
SERVER = """
import sys, uvicorn
from tidings.config import Settings
from tidings.store import Store
from tidings.web.app import create_app
store = Store.open(sys.argv[1])
app = create_app(Settings(secret_key="bench", site_name="Bench"), store)
if sys.argv[3] == "nocache":
    app.state.site.cache.ttl = -1.0
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


def build(url: str) -> None:
    """The benchmark site: SOURCES feeds with ENTRIES entries each, with HTML summaries."""
    now = datetime.now(UTC)
    with Store.open(url) as store:
        store.migrate()
        for s in range(SOURCES):
            feed = store.feeds.add(f"https://source{s}.example/feed.xml", now=now)
            fill_feed(store, feed, "Source", s, ENTRIES, now)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        build(url)
        port = free_port()
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        mode = "nocache" if args.no_cache else "cache"
        server = subprocess.Popen([sys.executable, "-c", SERVER, url, str(port), mode], env=env)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/", timeout=1).raise_for_status()
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.05)
            paths = {
                "river `/`": "/",
                "source `/sources/17`": "/sources/17",
                "RSS `/feed.rss`": "/feed.rss",
            }
            rows = []
            for label, path in paths.items():
                asyncio.run(measure(port, get_request(path), 0.5, 4))  # warm-up
                result = asyncio.run(
                    measure(port, get_request(path), args.seconds, args.connections)
                )
                rows.append((label, result))
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(
        f"\n{SOURCES} sources x {ENTRIES} entries, SQLite, 1 uvicorn worker, "
        f"{args.connections} keep-alive connections, {args.seconds:g} s per URL, "
        f"page cache {'off' if args.no_cache else 'on'}\n"
    )
    print("| page | requests | req/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, r in rows:
        print(
            f"| {label} | {r['requests']:.0f} | {r['rps']:.0f} | {r['p50']:.1f} | "
            f"{r['p99']:.1f} | {r['errors']:.0f} |"
        )
    failed = sum(r["errors"] for _, r in rows)
    assert failed == 0, f"{failed} requests failed"
    return 0


if __name__ == "__main__":
    sys.exit(main())
