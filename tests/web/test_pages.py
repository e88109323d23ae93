"""The public pages: river, sources, categories, paging, errors, headers, escaping."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import lxml.html
import pytest
from starlette.testclient import TestClient

from support.entries import apply_check
from tidings.config import Settings
from tidings.model import EntryData
from tidings.store import Store
from tidings.web.app import create_app
from web.helpers import add_feed


def test_river_shows_newest_entries_with_source_age_author(
    client: TestClient, store: Store
) -> None:
    feed_id = add_feed(store, "https://a.example/feed", title="Alpha", entries=3)
    tree = lxml.html.fromstring(client.get("/").text)
    articles = tree.xpath("//article")
    assert len(articles) == 3
    first = articles[0]
    assert first.xpath(".//h3/a/@href") == [f"https://example.org/{feed_id}/0"]
    assert first.xpath(".//a[@class='entry-source']/@href") == [f"/sources/{feed_id}"]
    assert first.xpath(".//time/text()")[0].strip() == "1 hour ago"
    assert "Summary 0" in first.text_content()


def test_river_pages_and_bad_page_numbers(client: TestClient, store: Store) -> None:
    add_feed(store, "https://a.example/feed", title="Alpha", entries=45)
    first = lxml.html.fromstring(client.get("/").text)
    assert len(first.xpath("//article")) == 20
    assert first.xpath("//a[@rel='next']/@href") == ["/?page=2"]
    third = lxml.html.fromstring(client.get("/?page=3").text)
    assert len(third.xpath("//article")) == 5
    assert third.xpath("//a[@rel='next']") == []
    assert third.xpath("//a[@rel='prev']/@href") == ["/?page=2"]
    for bad in ("abc", "-1", "0", "1.5", "99999999999999999999", "4", "%00"):
        response = client.get(f"/?page={bad}")
        assert response.status_code == 400, bad
        assert "Traceback" not in response.text


def test_unknown_ids_are_404_pages(client: TestClient, store: Store) -> None:
    for path in (
        "/sources/999",
        "/sources/99999999999999999999999",
        "/categories/5",
        "/sources/999/feed.rss",
        "/sources/1/feed.xml",
        "/nowhere",
        "/static/style.css",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "<h1>Page not found</h1>" in response.text
        assert response.headers["content-security-policy"].startswith("default-src 'self'")


def test_sources_listing(client: TestClient, store: Store) -> None:
    alpha = add_feed(store, "https://a.example/feed", title="Alpha", entries=5, description="A!")
    add_feed(store, "https://b.example/feed", title="Beta")
    tree = lxml.html.fromstring(client.get("/sources").text)
    sections = tree.xpath("//section[@class='source']")
    assert [s.xpath("string(.//h2)") for s in sections] == ["Alpha", "Beta"]
    assert len(sections[0].xpath(".//ul/li")) == 3  # items_in_source_listing
    assert sections[0].xpath(".//p[@class='source-description']/text()") == ["A!"]
    assert f"/sources/{alpha}" in sections[0].xpath(".//p[@class='more']/a/@href")
    assert tree.xpath("//a[@href='/opml']")


def test_categories_pages(client: TestClient, store: Store) -> None:
    alpha = add_feed(store, "https://a.example/feed", title="Alpha", entries=2)
    add_feed(store, "https://b.example/feed", title="Beta", entries=2)
    [science] = store.categories.set_for_feed(alpha, ["Science"])
    listing = lxml.html.fromstring(client.get("/categories").text)
    assert listing.xpath("//ul[@class='categories']/li/a/text()") == ["Science"]
    page = lxml.html.fromstring(client.get(f"/categories/{science.id}").text)
    sources = {a.text for a in page.xpath("//a[@class='entry-source']")}
    assert sources == {"Alpha"}
    assert page.xpath("//head/link[@rel='alternate']/@href")[0] == (
        f"/categories/{science.id}/feed.rss"
    )


def test_hostile_feed_values_are_escaped_and_never_script_links(
    client: TestClient, store: Store
) -> None:
    now = datetime.now(UTC)
    feed = store.feeds.add("https://evil.example/feed", now=now)
    entry = EntryData(
        key="x",
        title='<script>alert("t")</script>',
        link="javascript:alert(1)",
        author="<b>me</b>",
        summary="<p>fine</p>",
        published_at=now,
        content_hash="h",
    )
    apply_check(
        store,
        feed.id,
        (entry,),
        now=now,
        feed_title="<img src=x onerror=alert(1)>",
        site_url="javascript:alert(2)",
        image_url="javascript:alert(3)",
    )
    for path in ("/", f"/sources/{feed.id}", "/sources"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "javascript:" not in html
        assert "&lt;script&gt;" in html
    assert "<p>fine</p>" in client.get("/").text  # cleaned HTML from the parser is kept


def test_security_headers_and_static_fingerprints(client: TestClient) -> None:
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    tree = lxml.html.fromstring(response.text)
    css = tree.xpath("//link[@rel='stylesheet']/@href")[0]
    assert css.startswith("/static/style.") and css.endswith(".css") and css != "/static/style.css"
    asset = client.get(css)
    assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
    assert asset.headers["content-type"].startswith("text/css")
    again = client.get(css, headers={"If-None-Match": asset.headers["etag"]})
    assert again.status_code == 304
    assert tree.xpath("//script/@src")[0].startswith("/static/app.")
    assert not tree.xpath("//script[not(@src)]")  # no inline script anywhere


def test_pages_have_etags_and_answer_304(client: TestClient, store: Store) -> None:
    add_feed(store, "https://a.example/feed", title="Alpha", entries=2)
    response = client.get("/")
    etag = response.headers["etag"]
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304
    add_feed(store, "https://b.example/feed", title="Beta", entries=1)
    changed = client.get("/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Beta" in changed.text


def test_pages_are_gzipped(client: TestClient, store: Store) -> None:
    add_feed(store, "https://a.example/feed", title="Alpha", entries=20)
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    raw = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert gzip.compress(raw.content)  # sanity: the identity body is plain HTML
    assert raw.text.startswith("<!doctype html>")


def test_require_sign_in_guards_pages_and_feeds(store: Store) -> None:
    settings = Settings(secret_key="k", require_sign_in=True)
    with TestClient(create_app(settings, store)) as client:
        for path in ("/", "/sources", "/feed.rss", "/opml", "/categories"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=")
        assert client.get("/login").status_code == 200


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_wrong_methods_get_an_error_page(client: TestClient, method: str) -> None:
    response = client.request(method, "/")
    assert response.status_code == 405
    assert "Method not allowed" in response.text


def test_public_pages_show_full_content_over_the_summary(client: TestClient, store: Store) -> None:
    now = datetime.now(UTC)
    feed = store.feeds.add("https://full.example/feed", now=now)
    entries = (
        EntryData(
            key="full",
            title="Full",
            summary="<p>Teaser only</p>",
            content="<p>The whole article text</p>",
            published_at=now,
            content_hash="h-full",
        ),
        EntryData(key="teaser", title="Teaser", summary="<p>Just a summary</p>", published_at=now),
    )
    apply_check(store, feed.id, entries, now=now)
    for path in ("/", f"/sources/{feed.id}"):
        text = lxml.html.fromstring(client.get(path).text).text_content()
        assert "The whole article text" in text
        assert "Teaser only" not in text
        assert "Just a summary" in text  # no content: the summary still shows
