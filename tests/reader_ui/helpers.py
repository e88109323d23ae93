"""Helpers for the reading-UI tests: users, signing in, posting with CSRF, entries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx

from support import forms
from support.entries import apply_check
from support.forms import csrf_of
from tidings.accounts import create_user
from tidings.model import EntryData
from tidings.store import Store

if TYPE_CHECKING:
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery"


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in; gives back the session's CSRF token."""
    forms.sign_in(client, name, password)
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
    apply_check(
        store,
        feed_id,
        items,
        now=now,
        checked_at=now,
        next_check_at=feed.next_check_at,
        fetched=None,
        feed_title=feed.feed_title or title or None,
    )
    keys = {i.key for i in items}
    return [
        e.id
        for e in store.entries.newest(limit=10_000, feed_id=feed_id, include_private=True)
        if e.key in keys
    ]
