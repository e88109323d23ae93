"""Subscribing waits for the feed, through every front end, against real servers on loopback:
the address is found (a page leads to its feed, or to one at the usual places), fetched and
stored before the answer, and what is no feed is refused with a sentence, storing nothing."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import miniflux
import pytest
from api_support import API_PASSWORD, PASSWORD

from support.fixtures import live_store as live_store
from support.live_server import serving, serving_pages
from tidings.accounts import create_user
from tidings.config import Settings
from tidings.discovery import youtube_feed
from tidings.server import build_app
from tidings.store import Store

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Loopback news</title><link>http://example.org/</link>
<item><title>First</title><link>http://example.org/1</link><guid>one</guid>
<pubDate>Sat, 01 Mar 2025 10:00:00 GMT</pubDate></item>
<item><title>Second</title><link>http://example.org/2</link><guid>two</guid>
<pubDate>Sat, 01 Mar 2025 11:00:00 GMT</pubDate></item>
</channel></rss>
"""
THIRD = b"""<item><title>Third</title><link>http://example.org/3</link><guid>three</guid>
<pubDate>Sat, 01 Mar 2025 12:00:00 GMT</pubDate></item>
</channel>"""
HTML = "text/html; charset=utf-8"
ANNOUNCING = b"""<!doctype html><html><head><title>A site</title>
<link rel="alternate" type="application/rss+xml" href="/news.rss"></head><body>Hi</body></html>"""
SILENT = b"<!doctype html><html><head><title>A blog</title></head><body>No links</body></html>"


@pytest.fixture
def pages() -> dict[str, tuple[int, str, bytes]]:
    return {
        "/feed.xml": (200, "application/rss+xml", RSS),
        "/site/": (200, HTML, ANNOUNCING),
        "/news.rss": (200, "application/rss+xml", RSS),
        "/page.html": (200, HTML, SILENT),
    }


@pytest.fixture
def origin(pages: dict[str, tuple[int, str, bytes]]) -> Iterator[str]:
    with serving_pages(pages) as base:
        yield base


@pytest.fixture
def quiet_origin() -> Iterator[str]:
    """A server that takes connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.fixture
def site(live_store: Store) -> Iterator[str]:
    """The server as `tidings serve` builds it (its real finder), without the background refresh."""
    settings = Settings(secret_key="live", allow_private_networks=True, subscribe_timeout=3.0)
    with serving(build_app(settings, live_store, refresh=False), probe="/v1/me") as server:
        yield server.url


@pytest.fixture
def token(live_store: Store) -> str:
    user = create_user(live_store, "reader", PASSWORD)
    live_store.api_passwords.set_api_password(user.id, "reader", API_PASSWORD)
    return live_store.api_keys.create(user.id, "app")[1]


def test_a_client_lists_the_entries_right_after_subscribing(
    site: str, origin: str, token: str
) -> None:
    client = miniflux.Client(site, api_key=token)
    feed_id = client.create_feed(f"{origin}/feed.xml")
    entries = client.get_feed_entries(feed_id)  # no waiting, no refresh
    assert entries["total"] == 2
    assert {e["title"] for e in entries["entries"]} == {"First", "Second"}
    assert client.get_feed(feed_id)["title"] == "Loopback news"


@pytest.mark.parametrize(
    ("path", "found"),
    [("/site/", "/news.rss"), ("/page.html", "/feed.xml")],
    ids=["a page announcing its feed", "a page that does not: the usual places"],
)
def test_a_web_page_leads_to_its_feed(
    site: str, origin: str, token: str, path: str, found: str
) -> None:
    client = miniflux.Client(site, api_key=token)
    feed_id = client.create_feed(origin + path)
    assert client.get_feed(feed_id)["feed_url"] == origin + found
    assert client.get_feed_entries(feed_id)["total"] == 2


def test_what_is_no_feed_is_refused_with_a_sentence_and_nothing_stored(
    site: str,
    origin: str,
    quiet_origin: str,
    token: str,
    live_store: Store,
    pages: dict[str, tuple[int, str, bytes]],
) -> None:
    del pages["/feed.xml"]  # now nothing at the usual places either
    headers = {"X-Auth-Token": token}
    cases = {
        f"{origin}/page.html": "is neither a feed nor a page that announces one",
        f"{origin}/missing.xml": "404",
        f"{quiet_origin}/feed": "did not answer within 3 s",
        "ftp://example.org/feed": "http",
    }
    for url, sentence in cases.items():
        reply = httpx.post(f"{site}/v1/feeds", json={"feed_url": url}, headers=headers, timeout=30)
        assert reply.status_code == 400, (url, reply.text)
        assert sentence in reply.json()["error_message"], (url, reply.text)
    assert live_store.reading.subscriptions(live_store.users.all()[0].id) == []


def test_google_reader_quickadd_waits_for_the_feed(site: str, origin: str, token: str) -> None:
    with httpx.Client(base_url=site, timeout=30) as http:
        login = http.post("/accounts/ClientLogin", data={"Email": "reader", "Passwd": API_PASSWORD})
        auth = next(line[5:] for line in login.text.splitlines() if line.startswith("Auth="))
        headers = {"Authorization": f"GoogleLogin auth={auth}"}
        quickadd = "/reader/api/0/subscription/quickadd"
        added = http.post(quickadd, data={"quickadd": f"{origin}/site/"}, headers=headers).json()
        assert added["numResults"] == 1
        stream = http.get(
            f"/reader/api/0/stream/contents/{added['streamId']}", headers=headers
        ).json()
        assert [i["title"] for i in stream["items"]] == ["Second", "First"]
        refused = http.post(quickadd, data={"quickadd": f"{origin}/nothing"}, headers=headers)
        assert refused.status_code == 400 and "404" in refused.json()["error"]


def test_refresh_checks_the_feed_before_answering(
    site: str, origin: str, token: str, pages: dict[str, tuple[int, str, bytes]]
) -> None:
    client = miniflux.Client(site, api_key=token)
    feed_id = client.create_feed(f"{origin}/feed.xml")
    pages["/feed.xml"] = (200, "application/rss+xml", RSS.replace(b"</channel>", THIRD))
    client.refresh_feed(feed_id)
    assert client.get_feed_entries(feed_id)["total"] == 3


@pytest.mark.parametrize(
    ("url", "feed"),
    [
        (
            "https://www.youtube.com/channel/UCabc123",
            "https://www.youtube.com/feeds/videos.xml?channel_id=UCabc123",
        ),
        (
            "https://youtube.com/playlist?list=PLxyz",
            "https://www.youtube.com/feeds/videos.xml?playlist_id=PLxyz",
        ),
        ("https://www.youtube.com/@somebody", None),  # its page announces the feed
        ("https://example.org/channel/UCabc", None),
    ],
)
def test_youtube_addresses(url: str, feed: str | None) -> None:
    assert youtube_feed(url) == feed


def test_the_web_form_waits_for_the_feed_too(site: str, origin: str, token: str) -> None:
    with httpx.Client(base_url=site, timeout=30, follow_redirects=True) as browser:
        form = browser.get("/login").text
        csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
        browser.post("/login", data={"name": "reader", "password": PASSWORD, "csrf_token": csrf})
        page = browser.get("/reader/subscriptions").text
        csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
        done = browser.post(
            "/reader/subscriptions", data={"url": f"{origin}/site/", "csrf_token": csrf}
        )
        assert "Subscribed to Loopback news: 2 unread entries." in done.text
        refused = browser.post(
            "/reader/subscriptions", data={"url": f"{origin}/none", "csrf_token": csrf}
        )
        assert "404" in refused.text


def test_quickadd_of_a_page_already_followed_names_its_feed(
    site: str, origin: str, token: str
) -> None:
    """The page leads to a feed the reader has: quickadd answers with that feed's stream (the
    typed address is the page's, which no subscription has)."""
    with httpx.Client(base_url=site, timeout=30) as http:
        login = http.post("/accounts/ClientLogin", data={"Email": "reader", "Passwd": API_PASSWORD})
        auth = next(line[5:] for line in login.text.splitlines() if line.startswith("Auth="))
        headers = {"Authorization": f"GoogleLogin auth={auth}"}
        quickadd = "/reader/api/0/subscription/quickadd"
        first = http.post(quickadd, data={"quickadd": f"{origin}/news.rss"}, headers=headers)
        again = http.post(quickadd, data={"quickadd": f"{origin}/site/"}, headers=headers)
        assert again.status_code == 200, again.text
        assert again.json()["streamId"] == first.json()["streamId"]
