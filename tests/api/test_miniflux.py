"""The Miniflux v1 API, endpoint by endpoint, on SQLite and PostgreSQL."""

from __future__ import annotations

from api_support import API_PASSWORD, PASSWORD, World, basic, write_entries
from starlette.testclient import TestClient

from tidings.accounts import create_user
from tidings.store import Store
from tidings.store.apipasswords import fever_key


def test_me_with_token_and_with_basic(client: TestClient, world: World) -> None:
    me = client.get("/v1/me", headers=world.alice.headers)
    assert me.status_code == 200
    assert me.json()["username"] == "alice"
    assert me.json()["is_admin"] is False
    assert client.get("/v1/me", headers=basic("bob", PASSWORD)).json()["id"] == world.bob.id


BAD_CREDENTIALS: list[dict[str, str]] = [
    {},
    {"X-Auth-Token": "nope"},
    {"X-Auth-Token": ""},
    {"Authorization": "Basic !!!"},
    {"Authorization": "Bearer x"},
    basic("alice", "wrong password"),
    basic("nobody", PASSWORD),
]


def test_wrong_credentials_are_401_json(client: TestClient, world: World) -> None:
    for headers in BAD_CREDENTIALS:
        response = client.get("/v1/me", headers=headers)
        assert response.status_code == 401, headers
        assert response.json() == {"error_message": "access unauthorized"}  # Miniflux's
        # Miniflux's challenge: clients that send credentials only when asked need it.
        assert response.headers["www-authenticate"] == 'Basic realm="Restricted"'


def test_failures_are_rate_limited(client: TestClient, world: World) -> None:
    for _ in range(5):
        assert client.get("/v1/me", headers=basic("alice", "bad")).status_code == 401
    limited = client.get("/v1/me", headers=basic("alice", PASSWORD))
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "error_message" in limited.json()
    # Tokens are limited per address, not for everyone: bob's key still works elsewhere.
    assert client.get("/v1/me", headers=world.bob.headers).status_code == 200


def test_feeds_list_get_update_delete(client: TestClient, world: World, store: Store) -> None:
    h = world.alice.headers
    feeds = client.get("/v1/feeds", headers=h).json()
    assert [f["id"] for f in feeds] == world.alice.feeds
    first = feeds[0]
    assert first["category"]["id"] == world.alice.categories[0]
    assert first["feed_url"] == "https://alice.example/feed0"
    assert first["checked_at"].endswith("Z")
    one = client.get(f"/v1/feeds/{world.alice.feeds[1]}", headers=h)
    assert one.status_code == 200 and one.json()["category"] is None
    updated = client.put(
        f"/v1/feeds/{world.alice.feeds[1]}",
        headers=h,
        json={"title": "Renamed", "category_id": world.alice.categories[0]},
    )
    assert updated.status_code == 201
    assert updated.json()["title"] == "Renamed"
    assert updated.json()["category"]["title"] == "alice news"
    bad = client.put(f"/v1/feeds/{world.alice.feeds[1]}", headers=h, json={"title": 5})
    assert bad.status_code == 400
    deleted = client.delete(f"/v1/feeds/{world.alice.feeds[1]}", headers=h)
    assert deleted.status_code == 204
    assert client.get(f"/v1/feeds/{world.alice.feeds[1]}", headers=h).status_code == 404


def test_feed_create(client: TestClient, world: World) -> None:
    h = world.alice.headers
    made = client.post(
        "/v1/feeds",
        headers=h,
        json={"feed_url": "https://new.example/rss", "category_id": world.alice.categories[0]},
    )
    assert made.status_code == 201
    feed_id = made.json()["feed_id"]
    assert client.get(f"/v1/feeds/{feed_id}", headers=h).json()["category"]["title"] == (
        "alice news"
    )
    again = client.post("/v1/feeds", headers=h, json={"feed_url": "https://new.example/rss"})
    assert again.status_code == 400  # as Miniflux: no 409 anywhere
    assert again.json() == {"error_message": "This feed already exists."}
    for body in (
        {},
        {"feed_url": 3},
        {"feed_url": "ftp://x.example/"},
        {"feed_url": "http://127.0.0.1/feed"},
        {"feed_url": "https://b.example/", "category_id": world.bob.categories[0]},
        {"feed_url": "https://b.example/", "category_id": "1"},
        {"feed_url": "https://b.example/", "category_id": 2**64},
    ):
        response = client.post("/v1/feeds", headers=h, json=body)
        assert response.status_code == 400, body
        assert response.json()["error_message"]


def test_refresh_counters_icon_mark_read(client: TestClient, world: World) -> None:
    h = world.alice.headers
    feed_id = world.alice.feeds[0]
    assert client.put("/v1/feeds/refresh", headers=h).status_code == 204
    assert client.put(f"/v1/feeds/{feed_id}/refresh", headers=h).status_code == 204
    counters = client.get("/v1/feeds/counters", headers=h).json()
    assert counters["unreads"] == {str(feed_id): 3, str(world.alice.feeds[1]): 3}
    assert counters["reads"] == {}
    assert client.get(f"/v1/feeds/{feed_id}/icon", headers=h).status_code == 404
    assert client.put(f"/v1/feeds/{feed_id}/mark-all-as-read", headers=h).status_code == 204
    counters = client.get("/v1/feeds/counters", headers=h).json()
    assert counters["unreads"] == {str(world.alice.feeds[1]): 3}
    assert counters["reads"] == {str(feed_id): 3}
    entries = client.get(f"/v1/feeds/{feed_id}/entries?status=read", headers=h).json()
    assert entries["total"] == 3


def test_categories(client: TestClient, world: World) -> None:
    h = world.alice.headers
    listed = client.get("/v1/categories?counts=true", headers=h).json()
    assert listed == [
        {
            "id": world.alice.categories[0],
            "title": "alice news",
            "user_id": world.alice.id,
            "hide_globally": False,
            "feed_count": 1,
            "total_unread": 3,
        }
    ]
    assert "feed_count" not in client.get("/v1/categories", headers=h).json()[0]
    made = client.post("/v1/categories", headers=h, json={"title": "Science"})
    assert made.status_code == 201
    cid = made.json()["id"]
    assert client.post("/v1/categories", headers=h, json={"title": "Science"}).status_code == 400
    assert client.post("/v1/categories", headers=h, json={"title": " "}).status_code == 400
    assert client.post("/v1/categories", headers=h, json=["x"]).status_code == 400
    renamed = client.put(f"/v1/categories/{cid}", headers=h, json={"title": "Physics"})
    assert renamed.status_code == 201 and renamed.json()["title"] == "Physics"
    first = world.alice.categories[0]
    feeds = client.get(f"/v1/categories/{first}/feeds", headers=h).json()
    assert [f["id"] for f in feeds] == [world.alice.feeds[0]]
    entries = client.get(f"/v1/categories/{first}/entries", headers=h).json()
    assert entries["total"] == 3
    assert client.put(f"/v1/categories/{first}/mark-all-as-read", headers=h).status_code == 204
    assert client.get(f"/v1/categories/{first}/entries?status=unread", headers=h).json() == {
        "total": 0,
        "entries": [],
    }
    assert client.delete(f"/v1/categories/{cid}", headers=h).status_code == 204
    assert client.delete(f"/v1/categories/{cid}", headers=h).status_code == 404


def test_entries_filters_order_and_paging(client: TestClient, world: World) -> None:
    h = world.alice.headers
    everything = client.get("/v1/entries?direction=desc&limit=100", headers=h).json()
    assert everything["total"] == 6
    dates = [e["published_at"] for e in everything["entries"]]
    assert dates == sorted(dates, reverse=True)
    oldest = client.get("/v1/entries?order=published_at&direction=asc&limit=2", headers=h).json()
    assert oldest["total"] == 6 and len(oldest["entries"]) == 2
    assert oldest["entries"][0]["published_at"] == min(dates)
    page2 = client.get("/v1/entries?direction=asc&limit=2&offset=2", headers=h).json()
    assert {e["id"] for e in page2["entries"]}.isdisjoint(e["id"] for e in oldest["entries"])
    entry = everything["entries"][0]
    assert entry["feed"]["id"] == entry["feed_id"]
    assert entry["status"] == "unread" and entry["starred"] is False
    one_feed = client.get(f"/v1/entries?feed_id={world.alice.feeds[1]}", headers=h).json()
    assert one_feed["total"] == 3
    assert {e["feed_id"] for e in one_feed["entries"]} == {world.alice.feeds[1]}
    cat = client.get(f"/v1/entries?category_id={world.alice.categories[0]}", headers=h).json()
    assert cat["total"] == 3
    # before / after (unix seconds) on the published time.
    newest_ts = 1740826800  # 2025-03-01T11:00:00Z, the newest entries
    assert client.get(f"/v1/entries?before={newest_ts}", headers=h).json()["total"] == 4
    assert client.get(f"/v1/entries?after={newest_ts - 1}", headers=h).json()["total"] == 2
    pivot = everything["entries"][2]["id"]
    older = client.get(f"/v1/entries?before_entry_id={pivot}&direction=desc", headers=h).json()
    assert older["total"] == 3
    newer = client.get(f"/v1/entries?after_entry_id={pivot}", headers=h).json()
    assert newer["total"] == 2
    found = client.get("/v1/entries?search=zebra&limit=3", headers=h).json()
    assert found["total"] == 6 and len(found["entries"]) == 3
    assert client.get("/v1/entries?status=removed", headers=h).json()["total"] == 0
    both = client.get("/v1/entries?status=read&status=unread", headers=h).json()
    assert both["total"] == 6


BAD_QUERIES = [
    "order=nope",
    "direction=up",
    "status=gone",
    "starred=maybe",
    "before=1e10",
    "before=99999999999999999",
    "after_entry_id=0",
    "before_entry_id=9223372036854775808",
    "feed_id=-1",
    "category_id=18446744073709551616",
]


def test_entries_bad_parameters_are_400(client: TestClient, world: World) -> None:
    for query in BAD_QUERIES:
        response = client.get(f"/v1/entries?{query}", headers=world.alice.headers)
        assert response.status_code == 400, (query, response.text)
        assert response.json()["error_message"]


def test_entries_odd_limit_and_offset_are_the_defaults(client: TestClient, world: World) -> None:
    """As Miniflux (QueryIntParam): a limit or offset that is not a whole number, or is negative,
    is the default; limit 0 is no limit (here, the 500 cap)."""
    h = world.alice.headers
    for query in ("limit=-1", "limit=abc", "offset=-5", "offset=99999999999999999999999"):
        response = client.get(f"/v1/entries?{query}", headers=h)
        assert response.status_code == 200, query
        assert len(response.json()["entries"]) == 6, query
    assert len(client.get("/v1/entries?limit=0", headers=h).json()["entries"]) == 6
    assert client.get("/v1/entries?offset=1000000000000", headers=h).json()["entries"] == []
    assert client.get("/v1/entries?order=title", headers=h).status_code == 200


def test_entry_state_changes(client: TestClient, world: World) -> None:
    h = world.alice.headers
    ids = world.alice.entries[:2]
    assert (
        client.put("/v1/entries", headers=h, json={"entry_ids": ids, "status": "read"}).status_code
        == 204
    )
    read = client.get("/v1/entries?status=read", headers=h).json()
    assert sorted(e["id"] for e in read["entries"]) == sorted(ids)
    client.put("/v1/entries", headers=h, json={"entry_ids": ids[:1], "status": "unread"})
    assert client.get("/v1/entries?status=read", headers=h).json()["total"] == 1
    assert client.put(f"/v1/entries/{ids[0]}/bookmark", headers=h).status_code == 204
    assert client.get(f"/v1/entries/{ids[0]}", headers=h).json()["starred"] is True
    assert client.get("/v1/entries?starred=true", headers=h).json()["total"] == 1
    assert client.put(f"/v1/entries/{ids[0]}/bookmark", headers=h).status_code == 204
    assert client.get(f"/v1/entries/{ids[0]}", headers=h).json()["starred"] is False
    feed_id = client.get(f"/v1/entries/{ids[0]}", headers=h).json()["feed_id"]
    assert client.get(f"/v1/feeds/{feed_id}/entries/{ids[0]}", headers=h).status_code == 200
    other_feed = next(f for f in world.alice.feeds if f != feed_id)
    assert client.get(f"/v1/feeds/{other_feed}/entries/{ids[0]}", headers=h).status_code == 404


BAD_BODIES = [
    b"not json",
    b"[1, 2]",
    b'{"entry_ids": [], "status": "read"}',
    b'{"entry_ids": "1", "status": "read"}',
    b'{"entry_ids": [true], "status": "read"}',
    b'{"entry_ids": [1.5], "status": "read"}',
    b'{"entry_ids": [9223372036854775808], "status": "read"}',
    b'{"entry_ids": [1], "status": "removed"}',
    b'{"entry_ids": [1], "status": 1}',
    b'{"entry_ids": [1]}',
    b"[" * 100_000,
]


def test_entries_update_malformed_is_400(client: TestClient, world: World) -> None:
    for body in BAD_BODIES:
        response = client.put("/v1/entries", headers=world.alice.headers, content=body)
        assert response.status_code == 400, body[:40]
        assert response.json()["error_message"]


ODD_PATHS = [
    "/v1/feeds/0",
    "/v1/feeds/-3",
    "/v1/feeds/abc",
    "/v1/feeds/9223372036854775808",
    "/v1/feeds/99999999999999999999999999",
    "/v1/entries/9223372036854775807",
    "/v1/categories/18446744073709551617/entries",
]


def test_odd_ids_are_404(client: TestClient, world: World) -> None:
    for path in ODD_PATHS:
        response = client.get(path, headers=world.alice.headers)
        assert response.status_code == 404, path
        assert response.json()["error_message"]


def test_export_and_import(client: TestClient, world: World, store: Store) -> None:
    h = world.alice.headers
    exported = client.get("/v1/export", headers=h)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/xml")
    assert b"https://alice.example/feed0" in exported.content
    assert b"bob.example" not in exported.content
    imported = client.post("/v1/import", headers=world.bob.headers, content=exported.content)
    assert imported.status_code == 201
    urls = {s.url for s in store.reading.subscriptions(world.bob.id)}
    assert {"https://alice.example/feed0", "https://alice.example/feed1"} <= urls
    assert "alice news" in {c.name for c in store.reading.categories(world.bob.id)}
    assert client.post("/v1/import", headers=h, content=b"<html>").status_code == 400


def test_discover(client: TestClient, world: World, app: object) -> None:
    async def fake(url: str) -> list[str]:
        return [url + "feed.xml", url + "atom.xml"] if "site" in url else []

    client.app.state.site.discover = fake  # type: ignore[attr-defined]
    h = world.alice.headers
    found = client.post("/v1/discover", headers=h, json={"url": "https://site.example/"})
    assert found.status_code == 200
    assert found.json() == [
        {
            "url": "https://site.example/feed.xml",
            "title": "https://site.example/feed.xml",
            "type": "rss",
        },
        {
            "url": "https://site.example/atom.xml",
            "title": "https://site.example/atom.xml",
            "type": "atom",
        },
    ]
    assert (
        client.post("/v1/discover", headers=h, json={"url": "https://x.example/"}).status_code
        == 404
    )
    assert client.post("/v1/discover", headers=h, json={"url": 1}).status_code == 400
    assert client.post("/v1/discover", headers=h, json={}).status_code == 400


def test_users_admin_only(client: TestClient, world: World, store: Store) -> None:
    assert client.get("/v1/users", headers=world.alice.headers).status_code == 403
    admin = create_user(store, "root", PASSWORD, is_admin=True)
    h = basic("root", PASSWORD)
    names = [u["username"] for u in client.get("/v1/users", headers=h).json()]
    assert [n for n in names if not n.startswith("decoy")] == ["alice", "bob", "root"]
    made = client.post(
        "/v1/users", headers=h, json={"username": "carol", "password": "carol password"}
    )
    assert made.status_code == 201 and made.json()["username"] == "carol"
    carol = made.json()["id"]
    dup = client.post("/v1/users", headers=h, json={"username": "carol", "password": "x" * 9})
    assert dup.status_code == 400 and dup.json() == {"error_message": "This user already exists."}
    weak = client.post("/v1/users", headers=h, json={"username": "dave", "password": "x"})
    assert weak.status_code == 400
    assert client.get(f"/v1/users/{carol}", headers=h).json()["username"] == "carol"
    assert client.get("/v1/users/carol", headers=h).json()["id"] == carol
    changed = client.put(f"/v1/users/{carol}", headers=h, json={"password": "new carol pass"})
    assert changed.status_code == 201
    assert client.get("/v1/me", headers=basic("carol", "new carol pass")).status_code == 200
    assert (
        client.put(f"/v1/users/{carol}", headers=h, json={"username": "caroline"}).status_code
        == 400
    )
    assert client.delete(f"/v1/users/{admin.id}", headers=h).status_code == 400
    assert client.delete(f"/v1/users/{carol}", headers=h).status_code == 204
    assert client.get(f"/v1/users/{carol}", headers=h).status_code == 404


def test_search_counts_and_pages_every_match(
    client: TestClient, world: World, store: Store
) -> None:
    """250 matches: `total` is 250 and every page is there (the store's search used to stop at
    100 hits, which the handler then filtered: total 100, nothing past offset 100)."""
    h = world.alice.headers
    big = store.reading.subscribe(world.alice.id, "https://alice.example/big")
    write_entries(store, big.feed_id, 250)  # each says "zebra"
    store.reading.mark_read(world.alice.id, world.alice.entries[:2])
    found = client.get("/v1/entries?search=zebra&limit=500", headers=h).json()
    assert found["total"] == 256 and len(found["entries"]) == 256
    page = client.get("/v1/entries?search=zebra&limit=100&offset=150", headers=h).json()
    assert page["total"] == 256 and len(page["entries"]) == 100
    ids = [e["id"] for e in found["entries"]]
    assert [e["id"] for e in page["entries"]] == ids[150:250]  # same order, no gap, no repeat
    # Search is one filter among the others, and counts with them.
    feed = client.get(f"/v1/entries?search=zebra&feed_id={big.feed_id}&limit=1", headers=h)
    assert feed.json()["total"] == 250
    read = client.get("/v1/entries?search=zebra&status=read", headers=h).json()
    assert read["total"] == 2
    unread = client.get("/v1/entries?search=zebra&status=unread&direction=desc", headers=h)
    assert unread.json()["total"] == 254
    assert client.get("/v1/entries?search=nothing-matches", headers=h).json()["total"] == 0
    # bob's entries say zebra too, and are never counted.
    assert world.bob.entries and all(i not in ids for i in world.bob.entries)


def test_a_body_over_the_cap_is_refused_before_it_is_read_whole(
    client: TestClient, world: World
) -> None:
    big = b"x" * (5 * 1024 * 1024 + 1)
    for headers in (world.alice.headers, {}):
        reply = client.post("/v1/categories", content=big, headers=headers)
        assert reply.status_code == (413 if headers else 401)


def test_a_valid_token_gets_in_from_an_address_limited_by_wrong_ones(
    client: TestClient, world: World, store: Store
) -> None:
    # Something behind the same address (a household's NAT, a misconfigured app) sent wrong
    # tokens; nobody guesses a 256-bit key or an HMAC, so the owner's valid ones still work.
    for _ in range(5):
        assert client.get("/v1/me", headers={"X-Auth-Token": "wrong"}).status_code == 401
    assert client.get("/v1/me", headers={"X-Auth-Token": "wrong"}).status_code == 429
    assert client.get("/v1/me", headers=world.alice.headers).json()["username"] == "alice"
    login = client.post("/accounts/ClientLogin", data={"Email": "bob", "Passwd": API_PASSWORD})
    auth = next(line[5:] for line in login.text.splitlines() if line.startswith("Auth="))
    greader = {"Authorization": f"GoogleLogin auth={auth}"}
    assert client.get("/reader/api/0/user-info", headers=greader).json()["userName"] == "bob"
    forged = {"Authorization": f"GoogleLogin auth={auth[:-1]}{'1' if auth[-1] == '0' else '0'}"}
    assert client.get("/reader/api/0/user-info", headers=forged).status_code == 429
    # A Fever key is md5 of a name and a password: refused unchecked while the address is limited.
    key = fever_key("alice", API_PASSWORD)
    assert client.post("/fever/?api", data={"api_key": key}).json()["auth"] == 0


def test_an_admins_key_cannot_set_the_admins_own_password(
    client: TestClient, world: World, store: Store
) -> None:
    admin = create_user(store, "root", "root password", is_admin=True)
    key = store.api_keys.create(admin.id, "an app")[1]
    h = {"X-Auth-Token": key}
    refused = client.put(f"/v1/users/{admin.id}", headers=h, json={"password": "taken over!"})
    assert refused.status_code == 403
    assert refused.json() == {
        "error_message": "change your own password on the web, where the current one is asked"
    }
    assert client.get("/v1/me", headers=basic("root", "root password")).status_code == 200
    assert client.get("/v1/me", headers=basic("root", "taken over!")).status_code == 401
    # Their own filters they may set; another user's password they may (an admin's power).
    own = client.put(
        f"/v1/users/{admin.id}", headers=h, json={"block_filter_entry_rules": "EntryTitle=casino"}
    )
    assert own.status_code == 201
    other = client.put(f"/v1/users/{world.bob.id}", headers=h, json={"password": "new bob pass"})
    assert other.status_code == 201
