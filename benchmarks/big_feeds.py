"""Memory of one refresh of N large feeds (default 40 of ~9.8 MB) from a loopback server.

    .venv/bin/python benchmarks/big_feeds.py [--feeds 40] [--megabytes 9.8] [--shape items|single]

`items`: each document holds 1000 items of ~9.8 KB of HTML (the entries kept per document);
`single`: one item holding all of it (cut to max_entry_bytes since the parse bounds). The
documents come from a server in a process of its own; the refresh runs in a fresh subprocess
on a fresh SQLite file with the default settings (one parse process per core), like
`tidings refresh`. Printed: wall time, the main process's peak RSS, the peak PSS of it and its
children (the parse processes) sampled every 50 ms, and the main process's RSS once the refresh
is over (what the server keeps). Run with PYTHONPATH=<other src> to measure another version.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from refresh import RssSampler  # noqa: E402  (benchmarks/refresh.py)


def document(megabytes: float, shape: str, salt: int) -> bytes:
    """A feed of about `megabytes` MB."""
    paragraph = f"<p>Feed {salt}: some <b>bold</b> text and <a href='/x'>a link</a>.</p>\n"
    size = int(megabytes * 1_000_000)
    head = f"<rss version='2.0'><channel><title>big {salt}</title>"
    if shape == "single":
        body = paragraph * (size // len(paragraph))
        items = f"<item><guid>{salt}</guid><description><![CDATA[{body}]]></description></item>"
    else:
        html = paragraph * (size // 1000 // len(paragraph))
        items = "".join(
            f"<item><guid>{salt}-{n}</guid><title>t {n}</title>"
            f"<description><![CDATA[{html}]]></description></item>"
            for n in range(1000)
        )
    return (head + items + "</channel></rss>").encode()


def serve(feeds: int, megabytes: float, shape: str) -> None:
    """Serve the documents at /0 ... /N-1 and print the port (runs in its own process)."""
    pages = {f"/{n}": document(megabytes, shape, n) for n in range(feeds)}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever()


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def refresh(port: int, feeds: int, workdir: Path) -> dict[str, Any]:
    """One refresh of every feed; its memory (runs in its own process)."""
    import sqlalchemy as sa

    from tidings.config import load_settings
    from tidings.refresh.run import Refresher
    from tidings.store import Store
    from tidings.store.schema import feeds as feeds_table

    store = Store.open(f"sqlite:///{workdir / 'tidings.db'}")
    store.migrate()
    now = datetime.now(UTC)
    urls = [f"http://127.0.0.1:{port}/{n}" for n in range(feeds)]
    with store.engine.begin() as conn:
        conn.execute(
            sa.insert(feeds_table),
            [{"url": url, "created_at": now, "next_check_at": now} for url in urls],
        )
    settings = load_settings(environ={}, allow_private_networks=True, data_dir=str(workdir))
    before = _rss_mb()
    peak_self = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak_self[0] = max(peak_self[0], _rss_mb())

    async def run() -> Any:
        async with Refresher(store, settings) as refresher:
            return await refresher.refresh_due()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    with RssSampler() as total:
        summary = asyncio.run(run())
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    gc.collect()
    return {
        "feeds": summary.feeds,
        "errors": summary.errors,
        "new": summary.new_entries,
        "wall": wall,
        "before_mb": before,
        "peak_self_mb": peak_self[0],
        "peak_total_mb": total.peak_total_kb / 1024,
        "after_mb": _rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--megabytes", type=float, default=9.8)
    parser.add_argument("--shape", choices=["items", "single"], default="items")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--refresh-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.feeds, args.megabytes, args.shape)
        return
    if args.refresh_port:
        print(json.dumps(refresh(args.refresh_port, args.feeds, Path(args.workdir))))
        return
    script = [sys.executable, __file__, f"--feeds={args.feeds}", f"--megabytes={args.megabytes}"]
    server = subprocess.Popen(
        [*script, f"--shape={args.shape}", "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        with tempfile.TemporaryDirectory() as workdir:
            out = subprocess.run(
                [*script, f"--refresh-port={port}", f"--workdir={workdir}"],
                capture_output=True,
                text=True,
                check=True,
                env=os.environ,
            )
        row = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        "| feeds | shape | wall s | new entries | errors | RSS before MB | peak RSS main MB "
        "| peak PSS with parse processes MB | RSS after MB |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {row['feeds']} × {args.megabytes} MB | {args.shape} | {row['wall']:.1f} | {row['new']} "
        f"| {row['errors']} | {row['before_mb']:.0f} | {row['peak_self_mb']:.0f} "
        f"| {row['peak_total_mb']:.0f} | {row['after_mb']:.0f} |"
    )


if __name__ == "__main__":
    main()
