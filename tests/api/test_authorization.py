"""The authorization matrix: alice, through each of the three APIs, can neither see nor change
bob's feeds, categories or entries. Each row names what is tried and what must come back; after
all of them, bob's data is exactly as it was."""

from __future__ import annotations

from typing import Any

import httpx
from api_support import API_PASSWORD, World, greader_headers
from starlette.testclient import TestClient

from tidings.store import Store
from tidings.store.apipasswords import fever_key

R = "/reader/api/0"


def bob_snapshot(store: Store, world: World) -> tuple[Any, ...]:
    bob = world.bob.id
    return (
        store.reading.subscriptions(bob),
        store.reading.categories(bob),
        [(e.id, e.read, e.starred) for e in store.reading.entries(bob, status="all")],
    )


def miniflux_rows(world: World) -> list[tuple[str, str, Any, int]]:
    feed, cat, entry = world.bob.feeds[0], world.bob.categories[0], world.bob.entries[0]
    return [
        ("GET", f"/v1/feeds/{feed}", None, 404),
        ("PUT", f"/v1/feeds/{feed}", {"title": "mine"}, 404),
        ("DELETE", f"/v1/feeds/{feed}", None, 404),
        ("PUT", f"/v1/feeds/{feed}/refresh", None, 404),
        ("GET", f"/v1/feeds/{feed}/icon", None, 404),
        ("GET", f"/v1/feeds/{feed}/entries", None, 400),  # Miniflux: "invalid feed ID"
        ("GET", f"/v1/feeds/{feed}/entries/{entry}", None, 404),
        ("PUT", f"/v1/feeds/{feed}/mark-all-as-read", None, 404),
        ("PUT", f"/v1/categories/{cat}", {"title": "mine"}, 404),
        ("DELETE", f"/v1/categories/{cat}", None, 404),
        ("GET", f"/v1/categories/{cat}/feeds", None, 404),
        ("GET", f"/v1/categories/{cat}/entries", None, 400),  # "invalid category ID"
        ("PUT", f"/v1/categories/{cat}/mark-all-as-read", None, 404),
        ("PUT", f"/v1/categories/{cat}/refresh", None, 404),
        ("GET", f"/v1/entries/{entry}", None, 404),
        ("PUT", f"/v1/entries/{entry}/bookmark", None, 404),
        ("PUT", "/v1/entries", {"entry_ids": [entry], "status": "read"}, 204),
        ("GET", f"/v1/entries?feed_id={feed}", None, 400),
        ("GET", f"/v1/entries?category_id={cat}", None, 400),
        ("POST", "/v1/feeds", {"feed_url": "https://x.example/", "category_id": cat}, 400),
        ("PUT", f"/v1/users/{world.bob.id}/mark-all-as-read", None, 403),
        ("GET", f"/v1/users/{world.bob.id}", None, 403),
        ("PUT", f"/v1/users/{world.bob.id}", {"password": "taken over!"}, 403),
        ("DELETE", f"/v1/users/{world.bob.id}", None, 403),
    ]


def test_miniflux_matrix(client: TestClient, world: World, store: Store) -> None:
    before = bob_snapshot(store, world)
    for method, path, body, status in miniflux_rows(world):
        response = client.request(method, path, json=body, headers=world.alice.headers)
        assert response.status_code == status, (method, path, response.text)
    # Listings show only alice's own.
    lists = client.get("/v1/entries?limit=500", headers=world.alice.headers).json()
    assert {e["id"] for e in lists["entries"]} == set(world.alice.entries)
    # Filtering by bob's feed or category is Miniflux's 400 (in the rows above), never his entries.
    feeds = client.get(f"/v1/entries?feed_id={world.bob.feeds[0]}", headers=world.alice.headers)
    assert feeds.json() == {"error_message": "invalid feed ID"}
    cats = client.get(
        f"/v1/entries?category_id={world.bob.categories[0]}", headers=world.alice.headers
    )
    assert cats.json() == {"error_message": "invalid category ID"}
    assert bob_snapshot(store, world) == before


def test_greader_matrix(client: TestClient, world: World, store: Store) -> None:
    before = bob_snapshot(store, world)
    h = greader_headers(client, "alice")
    feed, entry = world.bob.feeds[0], world.bob.entries[0]
    label = "user/-/label/bob news"
    rows: list[tuple[str, str, dict[str, Any], int]] = [
        ("GET", "/stream/contents/feed/" + str(feed), {}, 200),
        ("GET", "/stream/contents/" + label, {}, 200),
        ("GET", "/stream/items/ids", {"s": f"feed/{feed}"}, 200),
        ("GET", "/stream/items/contents", {"i": str(entry)}, 200),
        ("POST", "/edit-tag", {"i": str(entry), "a": "user/-/state/com.google/read"}, 200),
        ("POST", "/edit-tag", {"i": str(entry), "a": "user/-/state/com.google/starred"}, 200),
        ("POST", "/mark-all-as-read", {"s": f"feed/{feed}"}, 404),
        ("POST", "/mark-all-as-read", {"s": label}, 404),
        ("POST", "/subscription/edit", {"ac": "unsubscribe", "s": f"feed/{feed}"}, 404),
        ("POST", "/subscription/edit", {"ac": "edit", "s": f"feed/{feed}", "t": "x"}, 404),
        ("POST", "/rename-tag", {"s": label, "dest": "user/-/label/mine"}, 404),
        ("POST", "/disable-tag", {"s": label}, 404),
    ]
    for method, path, params, status in rows:
        if method == "GET":
            response = client.get(R + path, params=params, headers=h)
        else:
            response = client.post(R + path, data=params, headers=h)
        assert response.status_code == status, (path, params, response.text)
        if method == "GET":
            body = response.json()
            assert body.get("items", body.get("itemRefs")) == [], (path, params)
    assert bob_snapshot(store, world) == before


def test_fever_matrix(client: TestClient, world: World, store: Store) -> None:
    before = bob_snapshot(store, world)
    key = fever_key("alice", API_PASSWORD)
    entry, feed, group = world.bob.entries[0], world.bob.feeds[0], world.bob.categories[0]

    def post(query: str, **data: str) -> dict[str, Any]:
        response = client.post(f"/fever/?api&{query}", data={"api_key": key, **data})
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        return body

    assert post(f"items&with_ids={entry}")["items"] == []
    assert post("items")["total_items"] == len(world.alice.entries)
    assert str(entry) not in post("unread_item_ids")["unread_item_ids"].split(",")
    assert feed not in [f["id"] for f in post("feeds")["feeds"]]
    assert group not in [g["id"] for g in post("groups")["groups"]]
    for mark, action, target in (
        ("item", "read", entry),
        ("item", "saved", entry),
        ("feed", "read", feed),
        ("group", "read", group),
    ):
        post("", mark=mark, **{"as": action}, id=str(target))
    assert bob_snapshot(store, world) == before


def test_a_token_is_one_api_only(client: TestClient, world: World) -> None:
    """A Miniflux API key is not a Google Reader token nor a Fever key, and back."""
    greader = greader_headers(client, "alice")
    token = greader["Authorization"].split("auth=")[1]
    assert client.get("/v1/me", headers={"X-Auth-Token": token}).status_code == 401
    miniflux_auth = f"GoogleLogin auth={world.alice.token}"
    assert client.get(f"{R}/user-info", headers={"Authorization": miniflux_auth}).status_code == 401
    assert client.post("/fever/?api", data={"api_key": world.alice.token}).json()["auth"] == 0
    assert isinstance(client, httpx.Client)
