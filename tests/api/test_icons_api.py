"""Icons through the client APIs: Miniflux's icon endpoints and feed JSON, Fever's favicons and
favicon_id, Google Reader's iconUrl (SQLite and PostgreSQL; icon ids never equal feed ids)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from api_support import NOW, World
from starlette.testclient import TestClient
from test_fever import fever
from test_greader import R, login

from support.entries import apply_check
from tidings.media import ProxySigner
from tidings.model import EntryData
from tidings.store import Store

PNG = b"\x89PNG\r\n\x1a\n" + b"\4" * 30
GIF = b"GIF89a" + b"\5" * 30


def give_icons(store: Store, world: World) -> tuple[int, int]:
    """Decoy icons first, then one for alice's first feed; gives (feed id, icon id)."""
    now = datetime.now(UTC)
    for n in range(7):
        store.icons.save(world.bob.feeds[0], None, ("image/gif", GIF + bytes([n])), now)
    feed_id = world.alice.feeds[0]
    icon_id = store.icons.save(feed_id, "https://alice.example/", ("image/png", PNG), now)
    assert icon_id is not None and icon_id != feed_id
    return feed_id, icon_id


def test_miniflux_icons(client: TestClient, world: World, store: Store) -> None:
    feed_id, icon_id = give_icons(store, world)
    h = world.alice.headers
    expected = {
        "id": icon_id,
        "data": "image/png;base64," + base64.b64encode(PNG).decode(),
        "mime_type": "image/png",
    }
    assert client.get(f"/v1/feeds/{feed_id}/icon", headers=h).json() == expected
    assert client.get(f"/v1/icons/{icon_id}", headers=h).json() == expected
    assert client.get(f"/v1/icons/{icon_id + 100}", headers=h).status_code == 404
    # Without an icon, and for a feed alice does not read: 404.
    assert client.get(f"/v1/feeds/{world.alice.feeds[1]}/icon", headers=h).status_code == 404
    assert client.get(f"/v1/feeds/{world.bob.feeds[0]}/icon", headers=h).status_code == 404
    feeds = {f["id"]: f for f in client.get("/v1/feeds", headers=h).json()}
    assert feeds[feed_id]["icon"] == {"feed_id": feed_id, "icon_id": icon_id}
    assert feeds[world.alice.feeds[1]]["icon"] is None
    one = client.get(f"/v1/feeds/{feed_id}", headers=h).json()
    assert one["icon"] == {"feed_id": feed_id, "icon_id": icon_id}


def test_fever_favicons(client: TestClient, world: World, store: Store) -> None:
    feed_id, icon_id = give_icons(store, world)
    reply = fever(client, "alice", "feeds&favicons")
    ids = {f["id"]: f["favicon_id"] for f in reply["feeds"]}
    assert ids == {feed_id: icon_id, world.alice.feeds[1]: 0}
    data = "image/png;base64," + base64.b64encode(PNG).decode()
    assert reply["favicons"] == [{"id": icon_id, "data": data}]  # only alice's, no decoys


def test_greader_icon_url(client: TestClient, world: World, store: Store) -> None:
    feed_id, icon_id = give_icons(store, world)
    h = login(client, "alice")
    subs = client.get(f"{R}/subscription/list?output=json", headers=h).json()["subscriptions"]
    urls = {s["id"]: s["iconUrl"] for s in subs}
    assert urls[f"feed/{feed_id}"].endswith(f"/icons/{icon_id}")
    assert urls[f"feed/{world.alice.feeds[1]}"] == ""
    assert client.get(urls[f"feed/{feed_id}"]).content == PNG


def test_api_entry_content_has_absolute_proxy_urls(
    client: TestClient, world: World, store: Store
) -> None:
    now = NOW + timedelta(hours=1)
    feed_id = world.alice.feeds[0]
    content = '<p>x</p><img src="http://img.example/a.png">'
    entry = EntryData(key="img", title="Img", content=content, published_at=now, content_hash="i")
    apply_check(store, feed_id, (entry,), now=now)
    h = world.alice.headers
    listed = client.get(f"/v1/feeds/{feed_id}/entries", headers=h).json()["entries"]
    entries = [e for e in listed if e["title"] == "Img"]
    proxied = "http://testserver" + ProxySigner("test secret key").path("http://img.example/a.png")
    assert f'src="{proxied}"' in entries[0]["content"]
    one = client.get(f"/v1/entries/{entries[0]['id']}", headers=h).json()
    assert one["content"] == entries[0]["content"]
    items = fever(client, "alice", "items")["items"]
    assert any(f'src="{proxied}"' in item["html"] for item in items)
    g = login(client, "alice")
    stream = client.get(f"{R}/stream/contents/feed/{feed_id}?n=50", headers=g).json()
    assert any(f'src="{proxied}"' in item["summary"]["content"] for item in stream["items"])
