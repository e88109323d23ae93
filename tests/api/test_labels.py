"""Entry labels through the APIs, on SQLite and PostgreSQL: Google Reader's edit-tag, streams,
tag/list, rename-tag and disable-tag as FreshRSS speaks them (a name is a category first, else a
label), Miniflux's entry `tags`, and the search's `label:`; another reader's entries and labels
out of reach (decoys first: no id lines up)."""

from __future__ import annotations

from api_support import World
from starlette.testclient import TestClient
from test_greader import R, login

from tidings.reading.filters import EntryFilter
from tidings.search_query import parse_query
from tidings.store import Store

LATER = "user/-/label/later"


def test_labels_through_google_reader(client: TestClient, world: World, store: Store) -> None:
    h = login(client, "alice")
    first, second, *_ = world.alice.entries

    def stream(name: str) -> list[int]:
        found = client.get(f"{R}/stream/contents/{name}", headers=h).json()["items"]
        return sorted(int(item["id"].rsplit("/", 1)[1], 16) for item in found)

    assert stream(LATER) == []
    edit = {"i": [str(first), str(second)], "a": LATER}
    assert client.post(f"{R}/edit-tag", headers=h, data=edit).text == "OK"
    assert stream(LATER) == sorted([first, second])
    items = client.get(f"{R}/stream/contents/{LATER}", headers=h).json()["items"]
    assert all(LATER in item["categories"] for item in items)
    tags = client.get(f"{R}/tag/list", headers=h, params={"output": "json"}).json()["tags"]
    assert {"id": LATER, "type": "tag", "unread_count": 2} in tags
    assert {"id": "user/-/label/alice news", "type": "folder"} in tags  # a category stays one

    client.post(f"{R}/edit-tag", headers=h, data={"i": str(second), "r": LATER})
    assert stream(LATER) == [first]
    renamed = {"s": LATER, "dest": "user/-/label/soon"}
    assert client.post(f"{R}/rename-tag", headers=h, data=renamed).text == "OK"
    assert stream(LATER) == [] and stream("user/-/label/soon") == [first]
    found = store.reading.entry_ids(
        world.alice.id, EntryFilter(search=parse_query("label:soon", require_terms=False))
    )
    assert found == [first]
    assert client.post(f"{R}/disable-tag", headers=h, data={"s": "user/-/label/soon"}).text == "OK"
    assert stream("user/-/label/soon") == []
    missing = client.post(f"{R}/disable-tag", headers=h, data={"s": "user/-/label/nothing"})
    assert missing.status_code == 404


def test_another_readers_entries_cannot_be_labelled(
    client: TestClient, world: World, store: Store
) -> None:
    h = login(client, "bob")
    alices = world.alice.entries[0]
    client.post(f"{R}/edit-tag", headers=h, data={"i": str(alices), "a": LATER})
    assert store.labels.of_entries(world.bob.id, [alices]) == {}
    assert store.labels.of_user(world.bob.id) == []
    store.labels.add(world.alice.id, [alices], "later")
    tags = client.get(f"{R}/tag/list", headers=h, params={"output": "json"}).json()["tags"]
    assert all(tag["id"] != LATER for tag in tags)  # Alice's label is not Bob's


def test_labels_are_miniflux_tags(client: TestClient, world: World, store: Store) -> None:
    entry = world.alice.entries[0]
    store.labels.add(world.alice.id, [entry], "later")
    one = client.get(f"/v1/entries/{entry}", headers=world.alice.headers).json()
    assert one["tags"] == ["later"]
    listed = client.get("/v1/entries", headers=world.alice.headers).json()["entries"]
    assert [e["tags"] for e in listed if e["id"] == entry] == [["later"]]
