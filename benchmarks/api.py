"""Serve the client APIs over a reader with 200 feeds and 6,000 entries, and measure them.

    .venv/bin/python benchmarks/api.py [--seconds 5] [--connections 16]
        [--database postgresql://postgres@127.0.0.1:5432/test] [--unfollowed 800]

Builds a temporary SQLite database (or, with `--database`, a scratch schema on that PostgreSQL
server, dropped afterwards): one user subscribed to 200 feeds x 30 entries (generated through
store.updates.apply), with an API key and an API password, and with `--unfollowed N`, N feeds
more that only another user follows. Starts the app
(`create_app`) under uvicorn in a subprocess (one worker, loopback), then drives it with an
asyncio load generator over raw keep-alive sockets, bounded in requests and in time. Measures
Miniflux `/v1/entries?status=unread&limit=100`, Google Reader `stream/contents` of the reading
list (n=100, unread only) and the signed-in reading UI's unread list (`/reader`, with a session
cookie). Prints a Markdown table; any non-200 answer fails the run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx
from corpus import fill_feed
from loadgen import free_port, get_request, measure
from scratch import scratch_database

from tidings.accounts import create_user
from tidings.store import Store

FEEDS, ENTRIES = 200, 30
API_PASSWORD = "bench api password"
SERVER = """
import sys, uvicorn
from tidings.config import Settings
from tidings.store import Store
from tidings.store.database import normalize_url
from tidings.web.app import create_app
store = Store.open(sys.argv[1])
app = create_app(Settings(secret_key="bench", site_name="Bench"), store)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


def build(url: str, unfollowed: int = 0) -> str:
    """The reader: FEEDS subscriptions of ENTRIES entries each, and `unfollowed` more feeds of
    as many entries that only another user follows; gives back the reader's API key."""
    now = datetime.now(UTC)
    with Store.open(url) as store:
        store.migrate()
        user = create_user(store, "reader", "reader password")
        store.api_passwords.set_api_password(user.id, "reader", API_PASSWORD)
        _, token = store.api_keys.create(user.id, "bench")
        other = create_user(store, "other", "other password") if unfollowed else None
        for f in range(FEEDS + unfollowed):
            follower = user if f < FEEDS else other
            assert follower is not None
            sub = store.reading.subscribe(
                follower.id, f"https://feed{f}.example/rss", categories=[f"Topic {f % 12}"]
            )
            fill_feed(store, store.feeds.get(sub.feed_id), "Feed", f, ENTRIES, now)
        # A third read, so that "unread" filters for real.
        ids = [e.id for e in store.reading.entries(user.id, status="all", limit=500)]
        store.reading.mark_read(user.id, ids[::3])
        if store.engine.dialect.name == "postgresql":
            with store.engine.begin() as conn:  # what autovacuum does soon after such a load
                conn.exec_driver_sql("ANALYZE")
        return token


def _session_cookie(base: str) -> str:
    """A signed-in session's Cookie header value, through the real sign-in form."""
    with httpx.Client(base_url=base) as client:
        page = client.get("/login").text
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        if match is None:
            raise SystemExit("no CSRF token on the sign-in page")
        signed_in = client.post(
            "/login",
            data={"name": "reader", "password": "reader password", "csrf_token": match.group(1)},
        )
        if signed_in.status_code != 303:
            raise SystemExit(f"sign-in failed: {signed_in.status_code}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--database", metavar="URL", help="a PostgreSQL server to use instead of SQLite"
    )
    parser.add_argument(
        "--unfollowed",
        type=int,
        default=0,
        metavar="N",
        help="N more feeds that another user follows (a shared instance)",
    )
    args = parser.parse_args()
    with scratch_database(args.database, "bench_api") as url:
        token = build(url, args.unfollowed)
        port = free_port()
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        server = subprocess.Popen([sys.executable, "-c", SERVER, url, str(port)], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{base}/v1/me", headers={"X-Auth-Token": token}, timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.05)
            login = httpx.post(
                f"{base}/accounts/ClientLogin",
                data={"Email": "reader", "Passwd": API_PASSWORD},
            )
            login.raise_for_status()
            auth = login.text.split("Auth=")[1].strip()
            cookie = _session_cookie(base)
            stream = "user/-/state/com.google/reading-list"
            requests = {
                "Miniflux `/v1/entries?status=unread&limit=100`": get_request(
                    "/v1/entries?status=unread&limit=100&direction=desc",
                    f"X-Auth-Token: {token}",
                ),
                "GReader `stream/contents` (reading list, n=100, unread)": get_request(
                    f"/reader/api/0/stream/contents/{stream}?n=100&xt=user/-/state/com.google/read",
                    f"Authorization: GoogleLogin auth={auth}",
                ),
                "Reading UI `/reader` (unread, signed in)": get_request(
                    "/reader", f"Cookie: {cookie}"
                ),
            }
            rows = []
            for label, request in requests.items():
                asyncio.run(measure(port, request, 0.5, 4))  # warm-up
                rows.append(
                    (label, asyncio.run(measure(port, request, args.seconds, args.connections)))
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(
        f"\n1 reader, {FEEDS} feeds x {ENTRIES} entries (a third read), "
        f"{args.unfollowed} feeds more that another user follows, "
        f"{'PostgreSQL' if args.database else 'SQLite'}, 1 uvicorn worker, "
        f"{args.connections} keep-alive connections, {args.seconds:g} s per request\n"
    )
    print("| request | requests | req/s | p50 ms | p99 ms | errors |")
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
