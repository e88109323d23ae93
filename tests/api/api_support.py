"""Helpers for the client-API tests: a world of two users with feeds, entries and keys."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from support.decoys import make_decoys
from support.entries import apply_check
from tidings.accounts import create_user
from tidings.model import EntryData
from tidings.store import Store

if TYPE_CHECKING:  # conftest loads this before pytest filters starlette.testclient's warning
    from starlette.testclient import TestClient

PASSWORD = "login password 1"
API_PASSWORD = "api password 1"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def basic(name: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def greader_headers(client: TestClient, name: str) -> dict[str, str]:
    """The Google Reader `Authorization` header of a ClientLogin with `name`'s API password."""
    text = client.post("/accounts/ClientLogin", data={"Email": name, "Passwd": API_PASSWORD}).text
    return {"Authorization": "GoogleLogin auth=" + text.split("Auth=")[1].split()[0]}


@dataclass
class Person:
    id: int
    name: str
    token: str  # Miniflux API key
    feeds: list[int] = field(default_factory=list)
    categories: list[int] = field(default_factory=list)
    entries: list[int] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Auth-Token": self.token}


@dataclass
class World:
    alice: Person
    bob: Person


def write_entries(store: Store, feed_id: int, count: int, *, start: datetime = NOW) -> None:
    """One check of the feed that brings `count` entries, an hour apart, newest first."""
    items = tuple(
        EntryData(
            key=f"{feed_id}-{start:%Y%m%d}-{i}",
            title=f"Feed {feed_id} item {i}",
            link=f"https://example.org/{feed_id}/{i}",
            summary=f"<p>Summary {i} of feed {feed_id} zebra</p>",
            published_at=start - timedelta(hours=i + 1),
            content_hash=f"h{feed_id}-{i}",
        )
        for i in range(count)
    )
    apply_check(
        store,
        feed_id,
        items,
        now=start,
        checked_at=start,
        fetched=(1, 1),
    )


def make_person(store: Store, name: str, feeds: int, per_feed: int) -> Person:
    user = create_user(store, name, PASSWORD)
    _, token = store.api_keys.create(user.id, "test")
    store.api_passwords.set_api_password(user.id, name, API_PASSWORD)
    person = Person(user.id, name, token)
    category = store.reading.add_category(user.id, f"{name} news")
    person.categories.append(category.id)
    for i in range(feeds):
        sub = store.reading.subscribe(
            user.id, f"https://{name}.example/feed{i}", categories=[category.name] if i == 0 else ()
        )
        person.feeds.append(sub.feed_id)
        write_entries(store, sub.feed_id, per_feed)
    person.entries = [
        e.id for e in store.reading.entries(user.id, status="all", limit=500, order="oldest")
    ]
    return person


def make_world(store: Store) -> World:
    """alice: 2 feeds of 3 entries (the first in category "alice news"); bob: 1 feed of 2.

    Decoys come first, so no id of one table equals an id of another (support.decoys)."""
    make_decoys(store)
    return World(make_person(store, "alice", 2, 3), make_person(store, "bob", 1, 2))
