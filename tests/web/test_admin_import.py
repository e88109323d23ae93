"""OPML import from a URL: fetched through the network guard, errors shown in the form."""

from __future__ import annotations

from collections.abc import Iterator

import lxml.html
import pytest
from starlette.testclient import TestClient

from support.live_server import Page, serving_pages
from tidings.accounts import create_user
from tidings.config import Settings
from tidings.publish.opml import MAX_OPML_BYTES
from tidings.store import Store
from tidings.subscriptions import import_opml
from web.helpers import add_feed, post_form

OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>Mine</title></head><body>
<outline text="Science">
  <outline type="rss" text="Physics" xmlUrl="https://physics.example/feed"/>
  <outline type="rss" text="Known" xmlUrl="https://known.example/feed"/>
</outline>
<outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/>
</body></opml>"""

PAGES: dict[str, Page] = {
    "/subs.opml": (200, "text/x-opml", OPML),
    "/page.html": (200, "text/html", b"<!doctype html><title>A page</title><p>Hello</p>"),
    "/big.opml": (200, "text/x-opml", b"<opml>" + b" " * (MAX_OPML_BYTES + 10) + b"</opml>"),
}


@pytest.fixture
def server() -> Iterator[str]:
    """The base URL of a loopback HTTP server serving PAGES."""
    with serving_pages(PAGES) as base:
        yield base


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Settings:
    """Loopback addresses allowed (the test server is one), unless parametrized with False."""
    allow: bool = getattr(request, "param", True)
    return Settings(
        secret_key="test secret key", site_name="Test News", allow_private_networks=allow
    )


def import_url(client: TestClient, url: str) -> tuple[int, str, lxml.html.HtmlElement]:
    response = post_form(client, "/admin/import", {"url": url})
    tree = lxml.html.fromstring(response.text)
    return response.status_code, " ".join(tree.text_content().split()), tree


def test_import_from_a_url(admin_client: TestClient, store: Store, server: str) -> None:
    add_feed(store, "https://known.example/feed")
    status, text, _ = import_url(admin_client, f"{server}/subs.opml")
    assert status == 200
    assert f"The list at {server}/subs.opml." in text
    assert "Added 1 source; 1 already subscribed; 1 not usable." in text
    physics = store.feeds.find_by_url("https://physics.example/feed")
    assert physics is not None and physics.refresh_interval is None
    assert [c.name for c in store.categories.of_feed(physics.id)] == ["Science"]


def test_imported_sources_get_the_default_interval(
    admin_client: TestClient, store: Store, server: str
) -> None:
    store.site_settings.set_many({"default_refresh": "7200"})
    admin_client.app.state.site.changed()  # type: ignore[attr-defined]
    _, text, _ = import_url(admin_client, f"{server}/subs.opml")
    assert "Added 2 sources" in text
    assert {f.refresh_interval for f in store.feeds.all()} == {7200}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/page.html", "The document at this address cannot be imported: the file is not"),
        ("/missing.opml", "The list could not be fetched: The server answered 404"),
        ("/big.opml", "The list could not be fetched: The feed is larger than the"),
    ],
)
def test_unusable_urls_are_reported_in_the_form(
    admin_client: TestClient, store: Store, server: str, path: str, message: str
) -> None:
    status, text, tree = import_url(admin_client, server + path)
    assert status == 200
    assert message in text
    [field] = tree.xpath("//input[@name='url']")
    assert field.get("value") == server + path and field.get("aria-invalid") == "true"
    assert store.feeds.count() == 0


@pytest.mark.parametrize("settings", [False], indirect=True)
def test_private_addresses_are_refused_by_the_guard(
    admin_client: TestClient, store: Store, server: str
) -> None:
    status, text, _ = import_url(admin_client, f"{server}/subs.opml")
    assert status == 200
    assert "This address cannot be used:" in text and "private" in text.lower()
    assert store.feeds.count() == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the address of an OPML file."),
        ("ftp://x.example/subs.opml", "is not an http or https URL"),
        ("http://127.0.0.1:1/subs.opml", "The list could not be fetched: Connection refused"),
    ],
)
def test_bad_addresses_are_reported(
    admin_client: TestClient, store: Store, typed: str, message: str
) -> None:
    status, text, _ = import_url(admin_client, typed)
    assert status == 200 and message in text
    assert store.feeds.count() == 0


def test_the_upload_still_works_beside_the_url_form(admin_client: TestClient, store: Store) -> None:
    page = lxml.html.fromstring(admin_client.get("/admin/import").text)
    assert [b.text for b in page.xpath("//form[@action='/admin/import']//button")] == [
        "Import",
        "Fetch the list",
    ]
    response = post_form(
        admin_client, "/admin/import", {}, files={"opml": ("subs.opml", OPML, "text/x-opml")}
    )
    assert "Added 2 sources" in response.text
    empty = post_form(admin_client, "/admin/import", {}, files={"opml": ("x.opml", b"", "text")})
    assert "Choose an OPML file to import." in empty.text


def test_import_publishes_a_readers_feed_and_skips_what_the_store_refuses(
    store: Store,
) -> None:
    """A feed only a reader followed was reported "already subscribed" and left private; a
    100,000-character title or category name was stored on a public feed."""
    reader = create_user(store, "ann", "correct horse battery")
    private = store.reading.subscribe(reader.id, "https://private.example/feed").feed_id
    long_title = "t" * 100_000
    long_folder = "c" * 100_000
    data = (
        "<opml version='2.0'><body>"
        "<outline text='Private' xmlUrl='https://private.example/feed'/>"
        f"<outline text='{long_title}' xmlUrl='https://long-title.example/feed'/>"
        f"<outline text='{long_folder}'><outline xmlUrl='https://long-folder.example/feed'/>"
        "</outline>"
        "<outline text='Fine' xmlUrl='https://fine.example/feed'/>"
        "</body></opml>"
    ).encode()
    report = import_opml(store, data)
    assert [f.url for f in report.added] == [
        "https://private.example/feed",
        "https://fine.example/feed",
    ]
    assert report.duplicates == ()
    assert [line.split(": ", 1)[0] for line in report.invalid] == [
        "https://long-title.example/feed",
        "https://long-folder.example/feed",
    ]
    assert store.feeds.get(private).is_public
    assert {f.url for f in store.feeds.all()} == {
        "https://private.example/feed",
        "https://fine.example/feed",
    }
    assert store.categories.all() == []
