"""Helpers for the web tests: signing in, posting forms, writing feeds as the refresher does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from starlette.testclient import TestClient

from support.entries import apply_check
from support.forms import csrf_of
from tidings.model import EntryData
from tidings.store import Store

ADMIN_PASSWORD = "correct horse battery"


class FakeDiscover:
    """Stands in for feed discovery: a fixed answer per URL, and a record of what was asked."""

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {}
        self.asked: list[str] = []

    async def __call__(self, url: str) -> list[str]:
        self.asked.append(url)
        return self.answers.get(url, [])


def post_form(
    client: TestClient,
    path: str,
    data: dict[str, Any],
    *,
    form_page: str | None = None,
    files: dict[str, Any] | None = None,
) -> httpx.Response:
    """POST `data` to `path` with the CSRF token of the form at `form_page` (default: `path`)."""
    token = csrf_of(client.get(form_page or path).text)
    return client.post(
        path, data={**data, "csrf_token": token}, files=files, follow_redirects=False
    )


def add_feed(
    store: Store,
    url: str,
    *,
    title: str = "",
    entries: int = 0,
    now: datetime | None = None,
    **feed_values: object,
) -> int:
    """A feed checked a minute ago with `entries` entries an hour apart; gives back its id."""
    now = now or datetime.now(UTC)
    feed = store.feeds.add(url, now=now)
    items = tuple(
        EntryData(
            key=f"{url}#{i}",
            title=f"{title or url} item {i}",
            link=f"https://example.org/{feed.id}/{i}",
            summary=f"<p>Summary {i}</p>",
            published_at=now - timedelta(hours=i + 1),
            content_hash=f"h{i}",
        )
        for i in range(entries)
    )
    apply_check(store, feed.id, items, now=now, feed_title=title or None, **feed_values)
    return feed.id
