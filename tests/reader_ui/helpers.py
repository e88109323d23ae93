"""Helpers for the reading-UI tests: the app with the reader routes, users, feeds, entries."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import httpx
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tidings.accounts import create_user
from tidings.config import Settings
from tidings.model import EntryData, FeedUpdate
from tidings.store import Store
from tidings.store.updates import Retention
from tidings.web.app import create_app

PASSWORD = "correct horse battery"


def reader_app(settings: Settings, store: Store) -> Starlette:
    """The site, whose routes table mounts the reading UI."""
    return create_app(settings, store)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in; gives back the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/account").text)


def user(store: Store, name: str, *, admin: bool = False) -> int:
    return create_user(store, name, PASSWORD, is_admin=admin).id


def post(
    client: TestClient,
    path: str,
    data: Mapping[str, object] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST with the signed-in session's CSRF token (taken from /account)."""
    token = csrf_of(client.get("/account").text)
    response: httpx.Response = client.post(
        path,
        data={**(data or {}), "csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )
    return response


def add_entries(
    store: Store,
    feed_id: int,
    count: int,
    *,
    now: datetime | None = None,
    prefix: str = "",
    title: str = "",
) -> list[int]:
    """Write `count` new entries (an hour apart, newest first) as the refresher does; their ids."""
    now = now or datetime.now(UTC)
    feed = store.feeds.get(feed_id)
    prefix = prefix or f"{feed.url}#{now.timestamp()}-"
    items = tuple(
        EntryData(
            key=f"{prefix}{i}",
            title=f"{title or 'Item'} {i}",
            link=f"https://example.org/{feed_id}/{prefix}{i}",
            summary=f"<p>Summary of item {i} about <em>gardens</em>.</p>",
            content=f"<p>Full text {i}: tomatoes grow in gardens.</p>",
            published_at=now - timedelta(hours=i + 1),
            content_hash=f"h{prefix}{i}",
        )
        for i in range(count)
    )
    update = FeedUpdate(
        feed=dataclasses.replace(feed, checked_at=now, feed_title=feed.feed_title or title or None),
        new_entries=items,
        seen_keys=tuple(i.key for i in items),
    )
    store.updates.apply(update, owner=None, now=now, retention=Retention())
    keys = {i.key for i in items}
    return [
        e.id
        for e in store.entries.newest(limit=10_000, feed_id=feed_id, include_private=True)
        if e.key in keys
    ]
