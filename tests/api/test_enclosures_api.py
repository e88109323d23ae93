"""Miniflux's enclosures: ids in entry replies, GET and PUT /v1/enclosures/{id} and
`media_progression` per user (SQLite and PostgreSQL; decoys first, so enclosure, entry, feed and
user ids never line up)."""

from __future__ import annotations

from api_support import NOW, World
from starlette.testclient import TestClient

from support.entries import apply_check
from tidings.model import Enclosure, EntryData
from tidings.reading.enclosures import ENCLOSURE_SLOTS, enclosure_id
from tidings.store import Store

MP3 = Enclosure("https://pod.example/ep.mp3", "audio/mpeg", 12_500_000, 2537)
COVER = Enclosure("https://pod.example/ep.jpg", "image/jpeg")


def episode(store: Store, feed_id: int, key: str) -> int:
    """An entry with two enclosures in the feed; gives its id."""
    data = EntryData(
        key=key, title=key, published_at=NOW, content_hash=key, enclosures=(MP3, COVER)
    )
    apply_check(store, feed_id, (data,), now=NOW)
    found = store.entries.newest(feed_id=feed_id, limit=100, include_private=True)
    (entry,) = [e for e in found if e.key == key]
    return entry.id


def test_entries_carry_enclosure_ids_and_the_users_place(
    client: TestClient, world: World, store: Store
) -> None:
    alice, bob = world.alice, world.bob
    entry_id = episode(store, alice.feeds[0], "ep1")
    mp3_id, cover_id = enclosure_id(entry_id, 0), enclosure_id(entry_id, 1)
    assert len({mp3_id, cover_id, entry_id, alice.id, alice.feeds[0]}) == 5
    reply = client.get(f"/v1/entries/{entry_id}", headers=alice.headers).json()
    assert [e["id"] for e in reply["enclosures"]] == [mp3_id, cover_id]
    assert reply["enclosures"][0] == {
        "id": mp3_id,
        "user_id": alice.id,
        "entry_id": entry_id,
        "url": MP3.url,
        "mime_type": "audio/mpeg",
        "size": 12_500_000,
        "media_progression": 0,
    }

    put = client.put(
        f"/v1/enclosures/{mp3_id}", json={"media_progression": 42}, headers=alice.headers
    )
    assert put.status_code == 204 and put.content == b""
    got = client.get(f"/v1/enclosures/{mp3_id}", headers=alice.headers)
    assert got.status_code == 200 and got.json()["media_progression"] == 42
    assert (
        client.get(f"/v1/enclosures/{cover_id}", headers=alice.headers).json()["media_progression"]
        == 0
    )
    listed = client.get("/v1/entries?limit=100", headers=alice.headers).json()
    (mine,) = [e for e in listed["entries"] if e["id"] == entry_id]
    assert [e["media_progression"] for e in mine["enclosures"]] == [42, 0]
    # Saved again: the newer place wins.
    client.put(f"/v1/enclosures/{mp3_id}", json={"media_progression": 300}, headers=alice.headers)
    assert (
        client.get(f"/v1/enclosures/{mp3_id}", headers=alice.headers).json()["media_progression"]
        == 300
    )

    # bob reads the same feed: his place is his own.
    store.reading.subscribe(bob.id, store.feeds.get(alice.feeds[0]).url)
    assert (
        client.get(f"/v1/enclosures/{mp3_id}", headers=bob.headers).json()["media_progression"] == 0
    )
    client.put(f"/v1/enclosures/{mp3_id}", json={"media_progression": 7}, headers=bob.headers)
    assert (
        client.get(f"/v1/enclosures/{mp3_id}", headers=alice.headers).json()["media_progression"]
        == 300
    )


def test_other_readers_enclosures_are_not_found(
    client: TestClient, world: World, store: Store
) -> None:
    alice, bob = world.alice, world.bob
    bobs = episode(store, bob.feeds[0], "bob-ep")
    alices = episode(store, alice.feeds[0], "alice-ep")
    h = alice.headers
    theirs = enclosure_id(bobs, 0)
    assert client.get(f"/v1/enclosures/{theirs}", headers=h).status_code == 404
    put = client.put(f"/v1/enclosures/{theirs}", json={"media_progression": 5}, headers=h)
    assert put.status_code == 404
    assert (
        client.get(f"/v1/enclosures/{theirs}", headers=bob.headers).json()["media_progression"] == 0
    )
    # An entry id, a position past the list, an entry without enclosures, nonsense: 404.
    plain = alice.entries[0]
    for missing in (
        alices,
        enclosure_id(alices, 2),
        enclosure_id(plain, 0),
        0,
        ENCLOSURE_SLOTS - 1,
    ):
        assert client.get(f"/v1/enclosures/{missing}", headers=h).status_code == 404, missing
    assert client.get("/v1/enclosures/x", headers=h).status_code == 404


def test_bad_progressions_are_refused(client: TestClient, world: World, store: Store) -> None:
    mine = enclosure_id(episode(store, world.alice.feeds[0], "ep"), 0)
    h = world.alice.headers
    for body in ({"media_progression": -1}, {"media_progression": "12"}, {"media_progression": 1.5},
                 {"media_progression": 10**12}):  # fmt: skip
        assert client.put(f"/v1/enclosures/{mine}", json=body, headers=h).status_code == 400, body
    assert client.put(f"/v1/enclosures/{mine}", content=b"[", headers=h).status_code == 400
    assert client.get(f"/v1/enclosures/{mine}", headers=h).json()["media_progression"] == 0


def test_places_go_with_the_entry_and_the_user(
    client: TestClient, world: World, store: Store
) -> None:
    alice = world.alice
    entry_id = episode(store, alice.feeds[0], "ep")
    client.put(
        f"/v1/enclosures/{enclosure_id(entry_id, 0)}",
        json={"media_progression": 9},
        headers=alice.headers,
    )
    assert store.media_progressions.of_entries(alice.id, [entry_id]) == {entry_id: {0: 9}}
    store.users.remove(alice.id)
    assert store.media_progressions.of_entries(alice.id, [entry_id]) == {}
