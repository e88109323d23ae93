"""A reader's OPML: import a file on /reader/subscriptions (the same function as Miniflux's
`POST /v1/import`), export theirs. Both databases; decoys first, so no id lines up."""

from __future__ import annotations

import html
import re
import time

import pytest
from starlette.testclient import TestClient

from reader_ui.helpers import csrf_of
from tidings.config import Settings
from tidings.errors import InvalidInput
from tidings.publish.opml import MAX_OPML_BYTES
from tidings.reading.limits import CATEGORIES_RULE, MAX_CATEGORIES_PER_USER, MAX_SUBSCRIPTION_TITLE
from tidings.store import Store

OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>From elsewhere</title></head><body>
<outline text="Tech" title="Tech">
  <outline type="rss" text="Owls" title="Owls" xmlUrl="https://owls.example/feed.xml"/>
  <outline type="rss" text="Bats" xmlUrl="https://bats.example/rss"/>
</outline>
<outline type="rss" text="Broken" xmlUrl="ftp://nope.example/feed"/>
</body></opml>"""


def _import(client: TestClient, data: bytes) -> str:
    token = csrf_of(client.get("/account").text)
    done = client.post(
        "/reader/subscriptions/import",
        data={"csrf_token": token},
        files={"opml": ("subs.opml", data, "text/x-opml")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    return client.get(done.headers["location"]).text


def test_import_follows_each_feed_with_its_title_and_category(
    ann_client: TestClient, ann: int, bob: int, store: Store
) -> None:
    page = _import(ann_client, OPML)
    assert "Imported: 2 new subscriptions; 1 skipped" in page
    mine = {s.url: s for s in store.reading.subscriptions(ann)}
    assert set(mine) == {"https://owls.example/feed.xml", "https://bats.example/rss"}
    assert mine["https://owls.example/feed.xml"].display_title == "Owls"
    assert [c.name for c in mine["https://owls.example/feed.xml"].categories] == ["Tech"]
    assert store.reading.subscriptions(bob) == []  # only the importer follows them
    again = _import(ann_client, OPML)
    assert "Imported: 0 new subscriptions; 3 skipped" in again


def test_a_bad_file_imports_nothing_and_says_why(
    ann_client: TestClient, ann: int, store: Store
) -> None:
    assert "Nothing imported" in _import(ann_client, b"<html>not a list</html>")
    assert store.reading.subscriptions(ann) == []


def test_a_file_over_the_limit_is_refused_whole(
    ann_client: TestClient, ann: int, store: Store
) -> None:
    # A valid list padded past MAX_OPML_BYTES: the one check parse_opml makes for every front end.
    padded = OPML.replace(b"<body>", b"<body>" + b" " * MAX_OPML_BYTES)
    page = _import(ann_client, padded)
    assert "Nothing imported: the file is larger than 5 MB" in page
    assert store.reading.subscriptions(ann) == []


class TestTheLimit:
    @pytest.fixture
    def settings(self) -> Settings:
        """The site's settings with room for one subscription a reader."""
        return Settings(secret_key="test secret key", max_subscriptions_per_user=1)

    def test_the_limit_stops_the_import(
        self, ann_client: TestClient, ann: int, store: Store
    ) -> None:
        page = _import(ann_client, OPML)
        assert "The import stopped" in page
        assert len(store.reading.subscriptions(ann)) == 1


def test_export_lists_only_the_readers_subscriptions(
    ann_client: TestClient, ann: int, bob: int, store: Store
) -> None:
    store.reading.subscribe(ann, "https://owls.example/feed.xml", title="My owls")
    store.reading.subscribe(bob, "https://bats.example/rss")
    answer = ann_client.get("/reader/subscriptions.opml")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment")
    assert re.search(r'xmlUrl="https://owls.example/feed.xml"', answer.text)
    assert "My owls" in answer.text and "bats.example" not in answer.text
    assert 'href="/reader/subscriptions.opml"' in ann_client.get("/reader/subscriptions").text


def test_export_needs_a_session(client_without_session: TestClient) -> None:
    answer = client_without_session.get("/reader/subscriptions.opml", follow_redirects=False)
    assert answer.status_code in (302, 303)


def test_an_odd_outline_is_skipped_and_the_rest_imported(
    ann_client: TestClient, ann: int, store: Store
) -> None:
    """A title past its limit was a 500 (the store's InvalidInput was not caught), and through
    Miniflux's import it ended the import there."""
    long_title = "t" * (MAX_SUBSCRIPTION_TITLE + 1)
    data = (
        "<opml version='2.0'><body>"
        f"<outline text='{long_title}' xmlUrl='https://long.example/feed'/>"
        "<outline text='Owls' xmlUrl='https://owls.example/feed.xml'/>"
        "</body></opml>"
    ).encode()
    page = _import(ann_client, data)
    assert "Imported: 1 new subscriptions; 1 skipped" in page
    assert [s.url for s in store.reading.subscriptions(ann)] == ["https://owls.example/feed.xml"]


@pytest.mark.timed
def test_one_feed_under_30_000_folders_is_read_quickly_and_refused_by_the_limit(
    ann_client: TestClient, ann: int, store: Store
) -> None:
    """Each repeat was compared with the folders merged so far (38 s for this file), and the
    reader got 30,000 categories, which every page with the sidebar then listed (46 s)."""
    folders = "".join(
        f"<outline text='f{i}'><outline xmlUrl='https://a.example/feed'/></outline>"
        for i in range(30_000)
    )
    data = f"<opml version='2.0'><body>{folders}</body></opml>".encode()
    started = time.perf_counter()
    page = _import(ann_client, data)
    assert time.perf_counter() - started < 10  # the limit's check, not the folders' merge
    assert CATEGORIES_RULE in html.unescape(page)
    assert store.reading.subscriptions(ann) == []
    assert store.reading.categories(ann) == []


def test_the_categories_limit_holds_for_every_way_of_adding_one(store: Store, ann: int) -> None:
    store.reading.subscribe(
        ann, "https://a.example/feed", categories=[f"c{i}" for i in range(MAX_CATEGORIES_PER_USER)]
    )
    assert len(store.reading.categories(ann)) == MAX_CATEGORIES_PER_USER
    with pytest.raises(InvalidInput, match=re.escape(CATEGORIES_RULE)):
        store.reading.add_category(ann, "one more")
    with pytest.raises(InvalidInput, match=re.escape(CATEGORIES_RULE)):
        store.reading.subscribe(ann, "https://b.example/feed", categories=["another"])
    assert len(store.reading.categories(ann)) == MAX_CATEGORIES_PER_USER
    assert [s.url for s in store.reading.subscriptions(ann)] == ["https://a.example/feed"]
