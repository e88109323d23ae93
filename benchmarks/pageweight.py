"""Page weight: the bytes of HTML + CSS + JS each main page makes a browser fetch (no images).

    .venv/bin/python benchmarks/pageweight.py

Builds a small site (an admin following 5 sources of 30 entries) in a temporary SQLite database,
signs in with Starlette's test client (in process, no network) and, for each page, adds the HTML
to every stylesheet and script it links. Prints a Markdown table, raw and gzipped; exits 1 when
a page is over the budget (50 KB raw).
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from corpus import fill_feed
from starlette.testclient import TestClient

from tidings.accounts import create_user
from tidings.config import Settings
from tidings.store import Store
from tidings.web.app import create_app

BUDGET = 50 * 1024
SOURCES, ENTRIES = 5, 30
PASSWORD = "page weight password"
ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="(/[^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise SystemExit("no CSRF token in the page")
    return match.group(1)


def weigh(client: TestClient, path: str) -> tuple[int, int, int]:
    """(HTML bytes, CSS + JS bytes, all of it gzipped) for the page at `path`."""
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    html = response.content
    assets = [client.get(src).content for src in ASSET.findall(response.text)]
    packed = len(gzip.compress(html)) + sum(len(gzip.compress(a)) for a in assets)
    return len(html), sum(len(a) for a in assets), packed


def main() -> int:
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'weight.db'}")
        store.migrate()
        feeds = []
        for s in range(SOURCES):
            feed = store.feeds.add(f"https://source{s}.example/feed.xml", now=now)
            fill_feed(store, feed, "Source", s, ENTRIES, now)
            feeds.append(feed.id)
        create_user(store, "admin", PASSWORD, is_admin=True)
        app = create_app(Settings(secret_key="weight", site_name="tidings"), store)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            token = _csrf(client.get("/login").text)
            client.post("/login", data={"name": "admin", "password": PASSWORD, "csrf_token": token})
            for feed_id in feeds:
                token = _csrf(client.get("/account").text)
                client.post(f"/sources/{feed_id}/follow", data={"csrf_token": token})
            entry = store.entries.newest(limit=1, feed_id=feeds[0], include_private=True)[0]
            paths = [
                "/",
                "/sources",
                f"/sources/{feeds[0]}",
                "/reader",
                f"/reader/feeds/{feeds[0]}",
                f"/reader/entries/{entry.id}",
                "/reader/subscriptions",
                "/account",
                "/admin",
            ]
            rows = [(path, *weigh(client, path)) for path in paths]
        store.close()
    print("| page | HTML | CSS+JS | total | gzipped | under 50 KB |")
    print("|---|---:|---:|---:|---:|---|")
    over = False
    for path, html, assets, packed in rows:
        total = html + assets
        over |= total > BUDGET
        verdict = "yes" if total <= BUDGET else "NO"
        print(
            f"| `{path}` | {html / 1024:.1f} KB | {assets / 1024:.1f} KB | "
            f"{total / 1024:.1f} KB | {packed / 1024:.1f} KB | {verdict} |"
        )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
