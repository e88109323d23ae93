"""The Google Reader API (FreshRSS's dialect), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api_support import API_PASSWORD, NOW, PASSWORD, World, write_entries
from starlette.testclient import TestClient

from support.entries import apply_check
from tidings.model import EntryData
from tidings.store import Store

R = "/reader/api/0"
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"


def login(client: TestClient, name: str, prefix: str = "") -> dict[str, str]:
    response = client.post(
        f"{prefix}/accounts/ClientLogin", data={"Email": name, "Passwd": API_PASSWORD}
    )
    assert response.status_code == 200, response.text
    lines = dict(line.split("=", 1) for line in response.text.strip().splitlines())
    assert lines["SID"] == lines["Auth"]
    return {"Authorization": f"GoogleLogin auth={lines['Auth']}"}


def long_id(entry_id: int) -> str:
    return f"tag:google.com,2005:reader/item/{entry_id:016x}"


def test_client_login_and_refusals(client: TestClient, world: World, store: Store) -> None:
    h = login(client, "alice")
    assert client.get(f"{R}/user-info", headers=h).json()["userName"] == "alice"
    h2 = login(client, "alice", prefix="/api/greader.php")
    assert client.get(f"/api/greader.php{R}/user-info", headers=h2).status_code == 200
    # The login password is not the API password.
    wrong = client.post("/accounts/ClientLogin", data={"Email": "alice", "Passwd": PASSWORD})
    assert wrong.status_code == 401 and "BadAuthentication" in wrong.text
    assert client.post("/accounts/ClientLogin", data={}).status_code == 401
    for header in ("GoogleLogin auth=1/abc", "GoogleLogin auth=junk", "Bearer x", ""):
        response = client.get(f"{R}/user-info", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.text.strip() == "Unauthorized"
    # A new API password revokes the tokens given before.
    store.api_passwords.set_api_password(world.alice.id, "alice", "another api pass")
    assert client.get(f"{R}/user-info", headers=h).status_code == 401


def test_client_login_rate_limit(client: TestClient, world: World) -> None:
    for _ in range(5):
        bad = {"Email": "bob", "Passwd": "wrong one"}
        assert client.post("/accounts/ClientLogin", data=bad).status_code == 401
    good = {"Email": "bob", "Passwd": API_PASSWORD}
    assert client.post("/accounts/ClientLogin", data=good).status_code == 429


def test_token_subscriptions_tags_counts(client: TestClient, world: World) -> None:
    h = login(client, "alice")
    assert len(client.get(f"{R}/token", headers=h).text.strip()) == 57
    subs = client.get(f"{R}/subscription/list?output=json", headers=h).json()["subscriptions"]
    assert [s["id"] for s in subs] == [f"feed/{f}" for f in world.alice.feeds]
    assert subs[0]["categories"] == [{"id": "user/-/label/alice news", "label": "alice news"}]
    tags = client.get(f"{R}/tag/list", headers=h).json()["tags"]
    assert {"id": STARRED} in tags
    # A folder is {id, type} as in FreshRSS: its unread count is unread-count's.
    assert {"id": "user/-/label/alice news", "type": "folder"} in tags
    counts = client.get(f"{R}/unread-count", headers=h).json()
    assert counts["max"] == 6
    by_id = {row["id"]: row["count"] for row in counts["unreadcounts"]}
    assert by_id[READING_LIST] == 6
    assert by_id[f"feed/{world.alice.feeds[0]}"] == 3
    assert by_id["user/-/label/alice news"] == 3


def test_stream_contents_paging_both_orders(client: TestClient, world: World) -> None:
    h = login(client, "alice")
    for order in ("", "o"):
        seen: list[str] = []
        continuation = ""
        for _ in range(10):
            query = f"n=4&r={order}" + (f"&c={continuation}" if continuation else "")
            page = client.get(f"{R}/stream/contents/{READING_LIST}?{query}", headers=h).json()
            seen += [item["id"] for item in page["items"]]
            continuation = page.get("continuation", "")
            if not continuation:
                break
        assert len(seen) == 6 and len(set(seen)) == 6
        stamps = [
            client.get(f"{R}/stream/items/contents?i={i}", headers=h).json()["items"][0][
                "timestampUsec"
            ]
            for i in seen
        ]
        ordered = sorted(stamps, key=int, reverse=order != "o")
        assert [int(s) for s in stamps] == [int(s) for s in ordered]
    # The same stream as a path or as s=, with the prefix or without.
    page = client.get(f"/api/greader.php{R}/stream/contents?s={READING_LIST}&n=2", headers=h)
    item = page.json()["items"][0]
    assert item["origin"]["streamId"].startswith("feed/")
    assert READING_LIST in item["categories"]
    # Each item's origin and labels are its subscription's, as the subscription list has them.
    listed = client.get(f"{R}/subscription/list?output=json", headers=h).json()["subscriptions"]
    subs = {s["id"]: s for s in listed}
    items = client.get(f"{R}/stream/contents?s={READING_LIST}&n=50", headers=h).json()["items"]
    for each in items:
        sub = subs[each["origin"]["streamId"]]
        assert each["origin"]["title"] == sub["title"] and sub["title"]
        labels = [c for c in each["categories"] if "/label/" in c]
        assert labels == [c["id"] for c in sub["categories"]]
    assert any("/label/" in c for each in items for c in each["categories"])
    assert item["id"].startswith("tag:google.com,2005:reader/item/")


def test_streams_and_filters(client: TestClient, world: World) -> None:
    h = login(client, "alice")
    feed = world.alice.feeds[1]

    def ids(stream: str, extra: str = "") -> list[int]:
        response = client.get(f"{R}/stream/items/ids?s={stream}&n=100{extra}", headers=h)
        assert response.status_code == 200, response.text
        return sorted(int(r["id"]) for r in response.json()["itemRefs"])

    assert ids(READING_LIST) == sorted(world.alice.entries)
    assert len(ids(f"feed/{feed}")) == 3
    assert ids("feed/https://alice.example/feed1") == ids(f"feed/{feed}")
    assert len(ids("user/-/label/alice news")) == 3
    assert ids("user/-/label/nothing") == []
    assert ids(f"feed/{world.bob.feeds[0]}") == []  # bob's feed: nothing, not bob's items
    first = world.alice.entries[0]
    edit = {"i": [long_id(first), str(world.alice.entries[1])], "a": READ}
    assert client.post(f"{R}/edit-tag", headers=h, data=edit).text == "OK"
    assert ids(READ) == sorted(world.alice.entries[:2])
    assert len(ids(READING_LIST, f"&xt={READ}")) == 4
    client.post(f"{R}/edit-tag", headers=h, data={"i": str(first), "a": STARRED})
    assert ids(STARRED) == [first]
    assert ids(READING_LIST, f"&it={STARRED}") == [first]
    client.post(f"{R}/edit-tag", headers=h, data={"i": long_id(first), "r": [READ, STARRED]})
    assert ids(STARRED) == [] and ids(READ) == [world.alice.entries[1]]
    # ot / nt in seconds: at or after ot, before nt (test_ot_and_nt_… says of what).
    now = int(datetime.now(UTC).timestamp())
    assert ids(READING_LIST, f"&ot={now - 3600}") == sorted(world.alice.entries)
    assert ids(READING_LIST, f"&nt={now - 3600}") == []
    assert client.get(f"{R}/stream/items/ids?s=weird/stream", headers=h).status_code == 400
    assert client.get(f"{R}/stream/items/ids", headers=h).status_code == 400


def test_item_id_forms(client: TestClient, world: World) -> None:
    h = login(client, "alice")
    entry = world.alice.entries[2]
    forms = [long_id(entry), str(entry), f"tag:google.com,2005:reader/item/{entry:x}"]
    for form in forms:
        items = client.get(f"{R}/stream/items/contents", params={"i": form}, headers=h).json()
        assert [i["id"] for i in items["items"]] == [long_id(entry)], form
    both = client.post(
        f"{R}/stream/items/contents", data={"i": [str(e) for e in world.alice.entries]}, headers=h
    ).json()
    assert len(both["items"]) == 6
    # A negative decimal is the signed view of an id of 2^63 or more: never one of ours.
    negative = str(entry - 2**64)
    assert client.get(f"{R}/stream/items/contents?i={negative}", headers=h).status_code == 400
    for bad in ("tag:google.com,2005:reader/item/zz", "1.5", "-", "9" * 30, "0"):
        response = client.get(f"{R}/stream/items/contents", params={"i": bad}, headers=h)
        assert response.status_code == 400, bad
    bob_item = world.bob.entries[0]
    assert client.get(f"{R}/stream/items/contents?i={bob_item}", headers=h).json()["items"] == []


def test_mark_all_as_read_honours_ts(client: TestClient, world: World, store: Store) -> None:
    h = login(client, "alice")
    feed = world.alice.feeds[0]
    # Entries written after the client's ts stay unread.
    write_entries(store, feed, 5, start=NOW + timedelta(days=1))
    ts = int(NOW.timestamp() * 1_000_000)
    data = {"s": f"feed/{feed}", "ts": str(ts)}
    assert client.post(f"{R}/mark-all-as-read", headers=h, data=data).text == "OK"
    assert store.reading.unread_counts(world.alice.id).by_feed[feed] == 5
    data = {"s": "user/-/label/alice news"}
    assert client.post(f"{R}/mark-all-as-read", headers=h, data=data).text == "OK"
    assert store.reading.unread_counts(world.alice.id).by_feed[feed] == 0
    data = {"s": READING_LIST, "ts": str(ts)}
    client.post(f"{R}/mark-all-as-read", headers=h, data=data)
    assert store.reading.unread_counts(world.alice.id).total == 0
    for bad in ({"s": "nope"}, {"s": READING_LIST, "ts": "-1"}, {"s": READING_LIST, "ts": "x"}):
        assert client.post(f"{R}/mark-all-as-read", headers=h, data=bad).status_code == 400
    # ts=0 is "up to now", as FreshRSS reads it (it marked nothing: "before 1970").
    write_entries(store, feed, 3, start=NOW - timedelta(days=3))
    assert store.reading.unread_counts(world.alice.id).by_feed[feed] == 3
    data = {"s": f"feed/{feed}", "ts": "0"}
    assert client.post(f"{R}/mark-all-as-read", headers=h, data=data).text == "OK"
    assert store.reading.unread_counts(world.alice.id).total == 0
    missing = {"s": "user/-/label/none"}
    assert client.post(f"{R}/mark-all-as-read", headers=h, data=missing).status_code == 404


def test_subscription_edit_quickadd_and_tags(
    client: TestClient, world: World, store: Store
) -> None:
    h = login(client, "alice")
    added = client.post(
        f"{R}/subscription/edit",
        headers=h,
        data={
            "ac": "subscribe",
            "s": "feed/https://new.example/rss",
            "t": "New",
            "a": "user/-/label/Tech",
        },
    )
    assert added.text == "OK"
    sub = next(s for s in store.reading.subscriptions(world.alice.id) if s.title == "New")
    assert [c.name for c in sub.categories] == ["Tech"]
    edit = {
        "ac": "edit",
        "s": f"feed/{sub.feed_id}",
        "t": "Renamed",
        "r": "user/-/label/Tech",
        "a": "user/-/label/Other",
    }
    assert client.post(f"{R}/subscription/edit", headers=h, data=edit).text == "OK"
    sub = store.reading.subscription(world.alice.id, sub.feed_id)
    assert sub.title == "Renamed" and [c.name for c in sub.categories] == ["Other"]
    quick = client.post(
        f"{R}/subscription/quickadd", headers=h, data={"quickadd": "https://q.example/feed"}
    )
    assert quick.json()["numResults"] == 1 and quick.json()["streamId"].startswith("feed/")
    bad = client.post(f"{R}/subscription/quickadd", headers=h, data={"quickadd": "ftp://x"})
    assert bad.status_code == 400 and bad.json()["numResults"] == 0
    rename = {"s": "user/-/label/Other", "dest": "user/-/label/Third"}
    assert client.post(f"{R}/rename-tag", headers=h, data=rename).text == "OK"
    assert "Third" in {c.name for c in store.reading.categories(world.alice.id)}
    assert client.post(f"{R}/disable-tag", headers=h, data={"s": "user/-/label/Third"}).text == "OK"
    assert "Third" not in {c.name for c in store.reading.categories(world.alice.id)}
    gone = {"ac": "unsubscribe", "s": f"feed/{sub.feed_id}"}
    assert client.post(f"{R}/subscription/edit", headers=h, data=gone).text == "OK"
    assert client.post(f"{R}/subscription/edit", headers=h, data=gone).status_code == 404
    assert (
        client.post(
            f"{R}/subscription/edit", headers=h, data={"ac": "x", "s": "feed/1"}
        ).status_code
        == 400
    )
    assert client.post(f"{R}/edit-tag", headers=h, data={"a": READ}).status_code == 400
    assert client.get(f"{R}/stream/contents?n=-1", headers=h).status_code == 400
    assert client.get(f"{R}/stream/contents?c=garbage", headers=h).status_code == 400
    assert client.get(f"{R}/stream/contents?ot=1e9", headers=h).status_code == 400


def _late_items(prefix: str, published: datetime, count: int) -> tuple[EntryData, ...]:
    return tuple(
        EntryData(
            key=f"{prefix}-{i}",
            title=f"{prefix} {i}",
            link=f"https://example.org/{prefix}/{i}",
            published_at=published + timedelta(seconds=i),
            content_hash=f"{prefix}{i}",
        )
        for i in range(count)
    )


def test_ot_and_nt_ask_when_the_reader_got_the_items(
    client: TestClient, world: World, store: Store
) -> None:
    # "Crawl time", as FreshRSS compares ot with its ids: when tidings first saw an item, or
    # when the reader subscribed to its feed if later; not the date the feed gives. With the
    # feed's date, an item published long ago and fetched after a client's last sync (ot) was
    # never listed to that client.
    h = login(client, "alice")

    def ids(extra: str, stream: str = READING_LIST) -> set[int]:
        response = client.get(f"{R}/stream/items/ids?s={stream}&n=100{extra}", headers=h)
        assert response.status_code == 200, response.text
        return {int(r["id"]) for r in response.json()["itemRefs"]}

    cut = datetime.now(UTC) + timedelta(days=1)  # after every sighting and subscription so far
    seen = cut + timedelta(hours=1)
    old = datetime(2001, 1, 1, tzinfo=UTC)
    apply_check(store, world.alice.feeds[1], _late_items("late", old, 2), now=seen, checked_at=seen)
    late = ids(f"&ot={int(cut.timestamp())}")
    assert len(late) == 2 and not late & set(world.alice.entries)
    assert ids(f"&nt={int(cut.timestamp())}") == set(world.alice.entries)
    # A feed bob had long before: its entries are new to alice, who subscribes after ot.
    bobs = store.reading.subscribe(
        world.alice.id, "https://bob.example/feed0", now=cut + timedelta(hours=2)
    )
    of_bobs = ids("", f"feed/{bobs.feed_id}")
    assert of_bobs and not of_bobs & late
    assert ids(f"&ot={int((cut + timedelta(minutes=90)).timestamp())}") == of_bobs
    assert ids(f"&nt={int((cut + timedelta(minutes=90)).timestamp())}") == (
        set(world.alice.entries) | late
    )


def test_paging_through_items_dated_before_1970(
    client: TestClient, world: World, store: Store
) -> None:
    # A continuation of an item dated before 1970 is negative ("-1500000-158"): it was refused,
    # and the client could never get the next page.
    h = login(client, "alice")
    feed = world.alice.feeds[0]
    early = datetime(1969, 12, 31, 23, 59, 58, 500_000, tzinfo=UTC)
    apply_check(store, feed, _late_items("early", early, 3), now=NOW, checked_at=NOW)
    wanted = {e for e in store.reading.entry_ids(world.alice.id) if e not in world.alice.entries}
    assert len(wanted) == 3
    got: list[int] = []
    url = f"{R}/stream/items/ids?s=feed/{feed}&n=1&r=o"
    reply = client.get(url, headers=h).json()
    while True:
        got += [int(r["id"]) for r in reply["itemRefs"]]
        if "continuation" not in reply:
            break
        if len(got) < 3:  # after 23:59:58.5 and 23:59:59.5 on 31 December 1969
            assert reply["continuation"].startswith("-"), reply["continuation"]
        reply = client.get(f"{url}&c={reply['continuation']}", headers=h).json()
    assert got[:3] == sorted(wanted) and len(got) == len(set(got))
