"""Output feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the river, a source and a category; OPML."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from lxml import etree
from starlette.testclient import TestClient

from support.entries import apply_check
from tidings.model import EntryData
from tidings.publish.opml import parse_opml
from tidings.store import Store
from web.helpers import add_feed

NOW = datetime.now(UTC).replace(microsecond=0)
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def feed_id(store: Store) -> int:
    feed = store.feeds.add("https://a.example/feed", now=NOW)
    entries = (
        EntryData(
            key="one",
            title="Fish & <Chips>",
            link="https://a.example/1",
            author="Ann",
            summary="<p>The <b>summary</b></p>",
            content="<p>All of it</p>",
            published_at=NOW - timedelta(hours=2),
            updated_at=NOW - timedelta(hours=1),
            content_hash="1",
            categories=("food",),
        ),
        EntryData(
            key="two",
            title="Bad link\x0b",
            link="javascript:alert(1)",
            published_at=NOW - timedelta(hours=3),
            content_hash="2",
        ),
    )
    apply_check(store, feed.id, entries, now=NOW, feed_title="Alpha", description="About A")
    return feed.id


def test_rss(client: TestClient, store: Store, feed_id: int) -> None:
    response = client.get(f"/sources/{feed_id}/feed.rss")
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    root = etree.fromstring(response.content)
    items = root.findall("channel/item")
    assert [i.findtext("title") for i in items] == ["Fish & <Chips>", "Bad link"]
    first = items[0]
    [entry] = store.entries.newest(feed_id=feed_id, limit=1)
    assert first.findtext("guid") == f"tag:testserver,2024:entry/{entry.id}"
    assert first.find("guid").get("isPermaLink") == "false"
    assert first.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Ann"
    assert items[1].find("link") is None  # javascript: is never published as a link
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.feed.title == "Alpha"
    assert parsed.feed.links[0].href.endswith(f"/sources/{feed_id}")
    assert parsed.entries[0].author == "Ann"
    assert parsed.entries[0].published_parsed[:5] == (NOW - timedelta(hours=2)).timetuple()[:5]
    assert parsed.entries[0].id == first.findtext("guid")


def test_atom(client: TestClient, store: Store, feed_id: int) -> None:
    response = client.get(f"/sources/{feed_id}/feed.atom")
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = etree.fromstring(response.content)
    assert root.findtext(f"{ATOM}id") == f"tag:testserver,2024:source/{feed_id}"
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == f"http://testserver/sources/{feed_id}/feed.atom"
    updated = (NOW - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert root.findtext(f"{ATOM}updated") == updated
    entries = root.findall(f"{ATOM}entry")
    assert entries[0].findtext(f"{ATOM}updated") == updated
    assert entries[0].find(f"{ATOM}content").get("type") == "html"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert parsed.entries[0].title == "Fish & <Chips>"
    assert parsed.entries[0].link == "https://a.example/1"
    assert parsed.entries[1].link == f"http://testserver/sources/{feed_id}"  # not javascript:
    assert b"javascript" not in response.content
    assert parsed.entries[0].id.startswith("tag:testserver,2024:entry/")


def test_json_feed(client: TestClient, feed_id: int) -> None:
    response = client.get(f"/sources/{feed_id}/feed.json")
    assert response.headers["content-type"] == "application/feed+json; charset=utf-8"
    document = json.loads(response.content)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"] == f"http://testserver/sources/{feed_id}/feed.json"
    first, second = document["items"]
    assert first["content_html"] == "<p>All of it</p>"
    assert first["authors"] == [{"name": "Ann"}]
    assert first["date_published"] == (NOW - timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    assert "url" not in second
    # feedparser 6.0 reads no JSON Feed, so the spec's required members are checked here.
    assert all(isinstance(item["id"], str) and item["id"] for item in document["items"])
    assert first["id"] != second["id"]


def test_river_and_category_feeds(client: TestClient, store: Store, feed_id: int) -> None:
    other = add_feed(store, "https://b.example/feed", title="Beta", entries=2)
    [category] = store.categories.set_for_feed(other, ["Beta things"])
    for suffix in ("rss", "atom"):
        river = feedparser.parse(client.get(f"/feed.{suffix}").content)
        assert len(river.entries) == 4, suffix
        in_category = client.get(f"/categories/{category.id}/feed.{suffix}").content
        assert len(feedparser.parse(in_category).entries) == 2, suffix
    assert len(client.get("/feed.json").json()["items"]) == 4
    assert len(client.get(f"/categories/{category.id}/feed.json").json()["items"]) == 2
    rss = etree.fromstring(client.get("/feed.rss").content)
    sources = {s.text for s in rss.iter("source")}
    assert sources == {"Alpha", "Beta"}


def test_output_feeds_have_etags(client: TestClient, feed_id: int) -> None:
    first = client.get("/feed.atom")
    assert (
        client.get("/feed.atom", headers={"If-None-Match": first.headers["etag"]}).status_code
        == 304
    )


def test_pages_announce_their_feeds(client: TestClient, feed_id: int) -> None:
    html = client.get("/").text
    for media_type, href in (
        ("application/rss+xml", "/feed.rss"),
        ("application/atom+xml", "/feed.atom"),
        ("application/feed+json", "/feed.json"),
    ):
        assert f'<link rel="alternate" type="{media_type}"' in html
        assert f'href="{href}"' in html
        assert client.get(href).status_code == 200


def test_opml(client: TestClient, store: Store, feed_id: int) -> None:
    store.categories.set_for_feed(feed_id, ["Food"])
    response = client.get("/opml")
    assert response.headers["content-type"].startswith("text/x-opml")
    [subscription] = parse_opml(response.content)
    assert subscription.url == "https://a.example/feed"
    assert subscription.categories == ("Food",)


def test_outputs_announce_the_websub_hub_when_one_is_set(store: Store, feed_id: int) -> None:
    from support.fixtures import open_client
    from tidings.config import Settings
    from tidings.parse import parse_feed
    from tidings.web.app import create_app

    hub = "https://hub.example/"
    plain = Settings(secret_key="test secret key")
    with open_client(create_app(plain, store)) as client:
        response = client.get("/feed.atom")
        assert "link" not in response.headers
        assert b'rel="hub"' not in response.content
    settings = Settings(secret_key="test secret key", websub_hub=hub)
    with open_client(create_app(settings, store)) as client:
        for path in ("/feed", f"/sources/{feed_id}/feed"):
            for kind in ("rss", "atom", "json"):
                response = client.get(f"{path}.{kind}")
                self_url = f"http://testserver{path}.{kind}"
                assert response.headers["link"] == f'<{hub}>; rel="hub", <{self_url}>; rel="self"'
                if kind == "json":
                    assert json.loads(response.content)["hubs"] == [{"type": "WebSub", "url": hub}]
                else:
                    # Our own parser finds the hub, as a subscribing tidings would.
                    parsed = parse_feed(response.content, self_url)
                    assert (parsed.hub, parsed.self_url) == (hub, self_url)
