"""POST /v1/rules/preview (tidings' own, beside the Miniflux API): a rule's matches among the
user's stored entries before it is saved, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import World
from starlette.testclient import TestClient

from tidings.store import Store

PREVIEW = "/v1/rules/preview"


def _preview(client: TestClient, world: World, body: dict[str, Any]) -> Any:
    reply = client.post(PREVIEW, json=body, headers=world.alice.headers)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_preview_counts_per_feed_and_lists_the_newest(
    client: TestClient, world: World, store: Store
) -> None:
    first, second = world.alice.feeds
    # Alice's entries are "Feed {id} item {i}": one feed's three match a title pattern.
    found = _preview(client, world, {"query": f"title:/^Feed {first} item/"})
    assert found["total"] == 3 and found["capped"] is False
    assert [(f["feed_id"], f["count"]) for f in found["feeds"]] == [(first, 3)]
    assert [e["feed_id"] for e in found["entries"]] == [first] * 3
    assert found["entries"][0]["title"] == f"Feed {first} item 0"  # newest first
    # Keep only: the preview is what the rule would block, the entries it does not match.
    kept = _preview(client, world, {"query": f"title:/^Feed {first} item/", "actions": ["keep"]})
    assert kept["total"] == 3 and kept["feeds"][0]["feed_id"] == second
    # Scoped to a feed: only that feed's entries; words work too.
    scoped = _preview(client, world, {"query": "zebra", "scope": "feed", "scope_id": second})
    assert scoped["total"] == 3 and {e["feed_id"] for e in scoped["entries"]} == {second}
    # Never another user's entries, even scoped to their feed.
    bobs = _preview(
        client, world, {"query": "zebra", "scope": "feed", "scope_id": world.bob.feeds[0]}
    )
    assert bobs == {"total": 0, "capped": False, "feeds": [], "entries": []}
    # Nothing was saved.
    assert store.rules.of_user(world.alice.id) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "query is required"),
        ({"query": "title:/(/"}, "not a valid regular expression"),
        ({"query": "x", "scope": "galaxy"}, "scope"),
        ({"query": "x", "scope": "feed"}, "choose the feed"),
        ({"query": "x", "scope": "site"}, "only administrators"),
        ({"query": "x", "actions": ["explode"]}, "unknown action"),
        ({"query": "x", "actions": "block"}, "actions must be a list"),
        ({"query": "x", "scope_id": "3"}, "scope_id must be an id"),
        ({"query": "x", "actions": ["label"]}, "name the label"),
    ],
)
def test_a_bad_rule_gets_a_400_with_the_reason(
    client: TestClient, world: World, body: dict[str, Any], message: str
) -> None:
    reply = client.post(PREVIEW, json=body, headers=world.alice.headers)
    assert reply.status_code == 400
    assert message in reply.json()["error_message"], reply.json()


def test_preview_needs_credentials(client: TestClient, world: World) -> None:
    assert client.post(PREVIEW, json={"query": "zebra"}).status_code == 401
