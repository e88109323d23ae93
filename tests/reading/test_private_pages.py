"""A reader's private subscription never shows on the public site."""

from __future__ import annotations

import warnings

from tidings.config import Settings
from tidings.store import Store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tidings.web.app import create_app


def test_private_feed_has_no_public_page_or_feed(store: Store) -> None:
    reader = store.users.add("reader", "x")
    private = store.reading.subscribe(reader.id, "https://private.example/feed")
    public = store.feeds.add("https://public.example/feed")
    assert not store.feeds.get(private.feed_id).is_public
    assert store.feeds.get(public.id).is_public
    app = create_app(Settings(secret_key="k" * 32), store)
    with TestClient(app) as client:
        assert client.get(f"/sources/{public.id}").status_code == 200
        for path in (f"/sources/{private.feed_id}", f"/sources/{private.feed_id}/feed.rss"):
            assert client.get(path).status_code == 404
        assert "private.example" not in client.get("/sources").text
        assert "private.example" not in client.get("/opml").text
