"""The Fever API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from api_support import API_PASSWORD, NOW, PASSWORD, World, write_entries
from starlette.testclient import TestClient

from tidings.store import Store
from tidings.store.apipasswords import fever_key


def fever(client: TestClient, name: str, query: str = "", **data: Any) -> dict[str, Any]:
    body = {"api_key": fever_key(name, API_PASSWORD), **data}
    response = client.post(f"/fever/?api{'&' + query if query else ''}", data=body)
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    assert reply["api_version"] == 3
    return reply


def test_auth(client: TestClient, world: World, store: Store) -> None:
    reply = fever(client, "alice")
    assert reply["auth"] == 1
    assert reply["last_refreshed_on_time"] == int(NOW.timestamp())
    for key in (fever_key("alice", PASSWORD), "0" * 32, "x", ""):
        refused = client.post("/fever/?api", data={"api_key": key}).json()
        assert refused == {"api_version": 3, "auth": 0}
    # Upper-case hex works too; GET with the key in the query as well.
    upper = fever_key("bob", API_PASSWORD).upper()
    assert client.get(f"/fever/?api&api_key={upper}").json()["auth"] == 1
    assert client.post("/fever/", data={"api_key": upper}).status_code == 400


def test_rate_limit_answers_auth_0(client: TestClient, world: World) -> None:
    for _ in range(5):
        client.post("/fever/?api", data={"api_key": "f" * 32})
    assert (
        client.post("/fever/?api", data={"api_key": fever_key("alice", API_PASSWORD)}).json()[
            "auth"
        ]
        == 0
    )


def test_groups_feeds_favicons(client: TestClient, world: World) -> None:
    reply = fever(client, "alice", "groups&feeds&favicons&links")
    assert reply["groups"] == [{"id": world.alice.categories[0], "title": "alice news"}]
    assert reply["feeds_groups"] == [
        {"group_id": world.alice.categories[0], "feed_ids": str(world.alice.feeds[0])}
    ]
    assert [f["id"] for f in reply["feeds"]] == world.alice.feeds
    assert reply["feeds"][0]["url"] == "https://alice.example/feed0"
    assert reply["favicons"] == [] and reply["links"] == []


def test_items_paging(client: TestClient, world: World, store: Store) -> None:
    write_entries(store, world.alice.feeds[0], 60, start=NOW + timedelta(days=10))
    everything = sorted(
        e.id for e in store.reading.entries(world.alice.id, status="all", limit=500)
    )
    assert len(everything) == 66
    first = fever(client, "alice", "items")
    assert first["total_items"] == 66
    assert [i["id"] for i in first["items"]] == everything[:50]
    rest = fever(client, "alice", f"items&since_id={everything[49]}")
    assert [i["id"] for i in rest["items"]] == everything[50:]
    down = fever(client, "alice", f"items&max_id={everything[10]}")
    assert [i["id"] for i in down["items"]] == everything[:10][::-1]
    # max_id=0 is how a client starts ("or 0 initially"): the newest items, not none.
    newest = fever(client, "alice", "items&max_id=0")
    assert [i["id"] for i in newest["items"]] == everything[-50:][::-1]
    chosen = f"{everything[0]},{everything[5]},{world.bob.entries[0]}"
    picked = fever(client, "alice", f"items&with_ids={chosen}")
    assert [i["id"] for i in picked["items"]] == [everything[0], everything[5]]
    item = picked["items"][0]
    assert set(item) == {
        "id",
        "feed_id",
        "title",
        "author",
        "html",
        "url",
        "is_saved",
        "is_read",
        "created_on_time",
    }
    for bad in (
        "items&since_id=x",
        "items&max_id=-4",
        "items&with_ids=1,a",
        "items&since_id=" + "9" * 25,
    ):
        response = client.post(
            f"/fever/?api&{bad}", data={"api_key": fever_key("alice", API_PASSWORD)}
        )
        assert response.status_code == 400, bad
        assert response.json()["auth"] == 1


def test_marks(client: TestClient, world: World, store: Store) -> None:
    ids = sorted(world.alice.entries)
    unread = fever(client, "alice", "unread_item_ids")["unread_item_ids"]
    assert unread == ",".join(map(str, ids))
    reply = fever(client, "alice", mark="item", **{"as": "read"}, id=str(ids[0]))
    assert reply["unread_item_ids"] == ",".join(map(str, ids[1:]))
    fever(client, "alice", mark="item", **{"as": "unread"}, id=str(ids[0]))
    saved = fever(client, "alice", mark="item", **{"as": "saved"}, id=str(ids[1]))
    assert saved["saved_item_ids"] == str(ids[1])
    assert fever(client, "alice", "saved_item_ids")["saved_item_ids"] == str(ids[1])
    fever(client, "alice", mark="item", **{"as": "unsaved"}, id=str(ids[1]))
    assert fever(client, "alice", "saved_item_ids")["saved_item_ids"] == ""
    # Feed and group marks sweep only entries first seen before `before`.
    feed = world.alice.feeds[0]
    write_entries(store, feed, 4, start=NOW + timedelta(days=1))
    before = str(int(NOW.timestamp()))
    fever(client, "alice", mark="feed", **{"as": "read"}, id=str(feed), before=before)
    assert store.reading.unread_counts(world.alice.id).by_feed[feed] == 4
    group = world.alice.categories[0]
    fever(client, "alice", mark="group", **{"as": "read"}, id=str(group), before=before)
    assert store.reading.unread_counts(world.alice.id).by_feed[feed] == 4
    fever(client, "alice", mark="group", **{"as": "read"}, id="0", before=before)
    assert store.reading.unread_counts(world.alice.id).total == 4
    key = fever_key("alice", API_PASSWORD)
    for bad in (
        {"mark": "item", "as": "read"},
        {"mark": "item", "as": "burn", "id": "1"},
        {"mark": "feed", "as": "saved", "id": "1"},
        {"mark": "planet", "as": "read", "id": "1"},
        {"mark": "feed", "as": "read", "id": "1", "before": "soon"},
    ):
        response = client.post("/fever/?api", data={"api_key": key, **bad})
        assert response.status_code == 400, bad
