"""Miniflux's GET /v1/entries/{id}/fetch-content over a loopback server serving the article,
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from api_support import World
from starlette.applications import Starlette
from starlette.testclient import TestClient

from support.entries import apply_check
from support.fixtures import open_client
from support.live_server import serving_pages
from tidings import articles
from tidings.config import Settings
from tidings.model import EntryData
from tidings.store import Store
from tidings.web.app import create_app

HTML = "text/html; charset=utf-8"
ARTICLE = (
    b"<!doctype html><html><head><title>Owls</title><script>var x = 1;</script></head><body>"
    b"<nav><a href='/'>Home</a> <a href='/about'>About us</a></nav>"
    b"<article><h1>Owls at night</h1>"
    + b"<p>Barn owls hunt by sound alone in complete darkness, tracking voles under snow. </p>"
    * 8
    + b"<p onclick='steal()'>The <a href='/owls/more'>rest</a> is quiet.</p></article>"
    b"<footer>Copyright footer text</footer></body></html>"
)
NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


@pytest.fixture
def origin() -> Iterator[str]:
    pages = {"/owls": (200, HTML, ARTICLE), "/empty": (200, HTML, b"<html><body></body></html>")}
    with serving_pages(pages) as base:
        yield base


@pytest.fixture
def loopback_client(store: Store) -> Iterator[TestClient]:
    settings = Settings(secret_key="k", allow_private_networks=True, parse_workers=1)
    app: Starlette = create_app(settings, store)
    with open_client(app) as test_client:
        yield test_client


def _entry_linking(store: Store, feed_id: int, link: str) -> int:
    data = EntryData(key=link, title="Owls", link=link, content="<p>Teaser</p>", content_hash=link)
    apply_check(store, feed_id, (data,), now=NOW, checked_at=NOW, fetched=(1, 1))
    return next(
        e.id
        for e in store.entries.newest(feed_id=feed_id, limit=50, include_private=True)
        if e.link == link
    )


def test_fetch_content_gives_the_clean_article_and_stores_it_when_asked(
    loopback_client: TestClient, world: World, store: Store, origin: str
) -> None:
    entry_id = _entry_linking(store, world.alice.feeds[0], f"{origin}/owls")
    url = f"/v1/entries/{entry_id}/fetch-content"
    reply = loopback_client.get(url, headers=world.alice.headers)
    assert reply.status_code == 200, reply.text
    content = reply.json()["content"]
    assert "Barn owls hunt by sound" in content and "Copyright footer" not in content
    assert "About us" not in content and "onclick" not in content and "<script" not in content
    assert f'href="{origin}/owls/more"' in content  # links made absolute
    assert store.entries.get(entry_id).full_content is None  # not stored without update_content

    stored = loopback_client.get(f"{url}?update_content=true", headers=world.alice.headers)
    assert stored.status_code == 200
    entry = store.entries.get(entry_id)
    assert entry.full_content == stored.json()["content"]
    assert entry.content == "<p>Teaser</p>"  # the feed's own content is kept
    shown = loopback_client.get(f"/v1/entries/{entry_id}", headers=world.alice.headers).json()
    assert "Barn owls" in shown["content"]


def test_fetch_content_of_another_users_entry_is_404(
    loopback_client: TestClient, world: World, store: Store, origin: str
) -> None:
    entry_id = _entry_linking(store, world.alice.feeds[0], f"{origin}/owls")
    reply = loopback_client.get(
        f"/v1/entries/{entry_id}/fetch-content?update_content=true", headers=world.bob.headers
    )
    assert reply.status_code == 404
    assert store.entries.get(entry_id).full_content is None


def test_a_page_without_an_article_is_a_clear_400(
    loopback_client: TestClient, world: World, store: Store, origin: str
) -> None:
    entry_id = _entry_linking(store, world.alice.feeds[0], f"{origin}/empty")
    reply = loopback_client.get(
        f"/v1/entries/{entry_id}/fetch-content", headers=world.alice.headers
    )
    assert reply.status_code == 400
    assert "No article was found" in reply.json()["error_message"]


def test_readers_articles_take_at_most_half_the_parse_processes(
    store: Store, world: World, origin: str
) -> None:
    """Twelve readers' requests for pages that each took the 10 s limit held every parse
    process, and another reader's subscribing gave up. Now, with the readers' share (half the
    processes) taken, a request is refused at once with a sentence."""
    settings = Settings(secret_key="k", allow_private_networks=True, parse_workers=2)
    entry_id = _entry_linking(store, world.alice.feeds[0], f"{origin}/owls")
    url = f"/v1/entries/{entry_id}/fetch-content"
    gate = articles._on_demand_gate(settings)
    with open_client(create_app(settings, store)) as client:
        assert gate.acquire(blocking=False)  # another reader's article is being read
        try:
            reply = client.get(url, headers=world.alice.headers)
        finally:
            gate.release()
        assert reply.status_code == 400
        assert "reading other articles" in reply.json()["error_message"]
        assert client.get(url, headers=world.alice.headers).status_code == 200
