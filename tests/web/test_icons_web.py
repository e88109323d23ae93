"""Icons on the web: the image routes' headers, the placeholder, and the macro on every page."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
from starlette.testclient import TestClient

from support.decoys import make_decoys
from tidings.store import Store
from tidings.store.schema import feeds
from web.helpers import add_feed

PNG = b"\x89PNG\r\n\x1a\n" + b"\3" * 30


def test_a_feeds_icon_with_cache_headers_and_304(client: TestClient, store: Store) -> None:
    make_decoys(store)
    feed_id = add_feed(store, "https://i.example/feed", entries=1, site_url="https://i.example/")
    icon_id = store.icons.save(feed_id, "https://i.example/", ("image/png", PNG), datetime.now(UTC))
    assert icon_id is not None and icon_id != feed_id
    response = client.get(f"/icons/feed/{feed_id}")
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "max-age=86400" in response.headers["cache-control"]
    again = client.get(
        f"/icons/feed/{feed_id}", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    by_id = client.get(f"/icons/{icon_id}")
    assert by_id.content == PNG and "immutable" in by_id.headers["cache-control"]
    assert client.get(f"/icons/{icon_id + 1000}").status_code == 404


def test_no_icon_is_a_placeholder_never_a_broken_image(client: TestClient, store: Store) -> None:
    feed_id = add_feed(store, "https://n.example/feed")
    for path in (f"/icons/feed/{feed_id}", "/icons/feed/987654321"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert "sandbox" in response.headers["content-security-policy"]
        assert response.content.startswith(b"<svg")


def test_a_private_feeds_icon_is_hidden_from_visitors(client: TestClient, store: Store) -> None:
    feed_id = add_feed(store, "https://p.example/feed")
    with store.engine.begin() as conn:  # as a reader's subscription leaves it
        conn.execute(feeds.update().where(feeds.c.id == feed_id).values(is_public=False))
    store.icons.save(feed_id, "https://p.example/", ("image/png", PNG), datetime.now(UTC))
    assert client.get(f"/icons/feed/{feed_id}").content != PNG


def test_pages_show_the_feed_icon(client: TestClient, store: Store) -> None:
    feed_id = add_feed(store, "https://s.example/feed", title="Site", entries=2)
    for path in ("/", "/sources", f"/sources/{feed_id}"):
        tree = lxml.html.fromstring(client.get(path).text)
        icons = tree.xpath("//img[@class='site-icon']")
        assert icons, path
        assert {img.get("src") for img in icons} == {f"/icons/feed/{feed_id}"}
        assert all(img.get("alt") == "" for img in icons)
