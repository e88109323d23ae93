"""Google Reader replies mapped the way strict clients map them: onto fixed records that reject
an unknown key, a missing one, or a value of another JSON type (Swift `Codable`, Kotlin
serialization). The shapes are FreshRSS's (docs/api.md, "Reply shapes"); every endpoint is
driven through the app and its reply mapped, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from api_support import API_PASSWORD, NOW, World
from starlette.testclient import TestClient

from support.entries import apply_check
from tidings.model import Enclosure, EntryData
from tidings.store import Store

# --- the strict mapper ----------------------------------------------------------------------


@dataclass(frozen=True)
class Opt:
    """A key that may be absent (but is never null when present)."""

    shape: Any


@dataclass(frozen=True)
class ListOf:
    item: Any


@dataclass(frozen=True)
class OneOf:
    """A value that is exactly one of these shapes (a tagged union, as a client decodes it)."""

    options: tuple[Any, ...]


@dataclass(frozen=True)
class Const:
    """This exact value, of this exact type."""

    value: object


# A shape: a JSON type (str, int, bool, float), a dict of key -> shape or Opt(shape), a
# ListOf, a OneOf, or a Const.


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def problems(value: object, shape: Any, path: str = "$") -> list[str]:
    """What keeps `value` (parsed JSON) from mapping onto `shape`; empty when it maps."""
    if isinstance(shape, type):
        # Exact: a bool is not an int, an int is not a float, "1" is not 1.
        if type(value) is not shape:
            return [f"{path}: {_kind(value)}, expected {shape.__name__}"]
        return []
    if isinstance(shape, Const):
        if type(value) is not type(shape.value) or value != shape.value:
            return [f"{path}: {value!r}, expected {shape.value!r}"]
        return []
    if isinstance(shape, ListOf):
        if type(value) is not list:
            return [f"{path}: {_kind(value)}, expected a list"]
        found: list[str] = []
        for index, each in enumerate(value):
            found += problems(each, shape.item, f"{path}[{index}]")
        return found
    if isinstance(shape, OneOf):
        tried = [problems(value, option, path) for option in shape.options]
        if any(not each for each in tried):
            return []
        reasons = "; ".join(each[0] for each in tried)
        return [f"{path}: none of {len(tried)} shapes ({reasons})"]
    if isinstance(shape, dict):
        if type(value) is not dict:
            return [f"{path}: {_kind(value)}, expected an object"]
        found = [f"{path}.{key}: unknown key" for key in value if key not in shape]
        for key, field in shape.items():
            optional = isinstance(field, Opt)
            inner = field.shape if optional else field
            if key in value:
                found += problems(value[key], inner, f"{path}.{key}")
            elif not optional:
                found.append(f"{path}.{key}: missing")
        return found
    raise TypeError(f"not a shape: {shape!r}")


def conform(value: object, shape: Any) -> None:
    found = problems(value, shape)
    assert not found, "\n".join(found)


# --- FreshRSS's shapes (docs/api.md) --------------------------------------------------------

LINK = {"href": str}
ITEM = {
    "id": str,
    "crawlTimeMsec": str,
    "timestampUsec": str,
    "published": int,
    "title": str,
    "canonical": ListOf(LINK),
    "alternate": ListOf(LINK),
    "categories": ListOf(str),
    "origin": {"streamId": str, "htmlUrl": str, "title": str},
    "summary": {"content": str},
    "enclosure": Opt(ListOf({"href": str, "type": str, "length": Opt(int)})),
    "author": Opt(str),
}
STREAM_CONTENTS = {"id": str, "updated": int, "items": ListOf(ITEM), "continuation": Opt(str)}
ITEMS_CONTENTS = {"id": str, "updated": int, "items": ListOf(ITEM)}
ITEM_IDS = {"itemRefs": ListOf({"id": str}), "continuation": Opt(str)}
USER_INFO = {"userId": str, "userName": str, "userProfileId": str, "userEmail": str}
SUBSCRIPTION_LIST = {
    "subscriptions": ListOf(
        {
            "id": str,
            "title": str,
            "categories": ListOf({"id": str, "label": str}),
            "url": str,
            "htmlUrl": str,
            "iconUrl": str,
        }
    )
}
TAG = OneOf(
    (
        {"id": str},
        {"id": str, "type": Const("folder")},
        {"id": str, "type": Const("tag"), "unread_count": int},
    )
)
TAG_LIST = {"tags": ListOf(TAG)}
UNREAD_COUNT = {
    "max": int,
    "unreadcounts": ListOf({"id": str, "count": int, "newestItemTimestampUsec": str}),
}
QUICKADD = {"numResults": int, "query": str, "streamId": str, "streamName": str}
QUICKADD_REFUSED = {"numResults": int, "error": str}
CLIENT_LOGIN_JSON = {"SID": str, "LSID": str, "Auth": str}  # tidings only: FreshRSS has text


# --- the mapper's own tests -----------------------------------------------------------------

ENCLOSURES = ITEM["enclosure"].shape
FOLDER_WITH_COUNT = {"id": "user/-/label/x", "type": "folder", "unread_count": 3}

CASES: list[tuple[str, object, Any, str | None]] = [
    ("exact", {"a": "x"}, {"a": str}, None),
    ("unknown key", {"a": "x", "b": 1}, {"a": str}, "$.b: unknown key"),
    ("missing key", {}, {"a": str}, "$.a: missing"),
    ("optional absent", {}, {"a": Opt(str)}, None),
    ("optional present", {"a": "x"}, {"a": Opt(str)}, None),
    ("optional is not nullable", {"a": None}, {"a": Opt(str)}, "$.a: null, expected str"),
    ("null for a string", {"a": None}, {"a": str}, "$.a: null, expected str"),
    ("number for a string", {"a": 1}, {"a": str}, "$.a: int, expected str"),
    ("string for a number", {"a": "1"}, {"a": int}, "$.a: str, expected int"),
    ("bool is not int", {"a": True}, {"a": int}, "$.a: bool, expected int"),
    ("int is not bool", {"a": 1}, {"a": bool}, "$.a: int, expected bool"),
    ("float is not int", {"a": 1.0}, {"a": int}, "$.a: float, expected int"),
    ("list of ints", [1, 2], ListOf(int), None),
    ("empty list", [], ListOf(int), None),
    ("list item of another type", [1, "2"], ListOf(int), "$[1]: str, expected int"),
    ("not a list", "x", ListOf(str), "$: str, expected a list"),
    ("not an object", ["a"], {"a": str}, "$: list, expected an object"),
    ("nested unknown key", {"o": {"a": "x", "z": 1}}, {"o": {"a": str}}, "$.o.z: unknown key"),
    ("nested in a list", {"l": [{"a": 1}]}, {"l": ListOf({"a": str})}, "$.l[0].a: int"),
    ("const", "folder", Const("folder"), None),
    ("other const", "tag", Const("folder"), "$: 'tag', expected 'folder'"),
    ("one of: starred", {"id": "x"}, TAG, None),
    ("one of: folder", {"id": "x", "type": "folder"}, TAG, None),
    ("one of: label", {"id": "x", "type": "tag", "unread_count": 1}, TAG, None),
    ("one of: none", FOLDER_WITH_COUNT, TAG, "none of 3 shapes"),
    ("enclosure length optional", [{"href": "h", "type": "t"}], ENCLOSURES, None),
    # What tidings sent before issue 14:
    ("a link with a type", {"href": "h", "type": "text/html"}, LINK, "$.type: unknown key"),
    ("a folder with a count", {"tags": [FOLDER_WITH_COUNT]}, TAG_LIST, "$.tags[0]: none"),
    ("an itemRef with more", {"itemRefs": [{"id": "1", "timestampUsec": "1"}]}, ITEM_IDS, "key"),
    ("enclosure length as text", [{"href": "h", "type": "t", "length": "5"}], ENCLOSURES, "str"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "shape", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_strict_mapper(value: object, shape: Any, expected: str | None) -> None:
    found = problems(value, shape)
    if expected is None:
        assert found == []
    else:
        assert found and expected in found[0], found


def test_strict_mapper_reports_every_problem() -> None:
    found = problems({"b": 1, "c": 2}, {"a": str, "c": str})
    assert sorted(found) == ["$.a: missing", "$.b: unknown key", "$.c: int, expected str"]
    with pytest.raises(AssertionError, match="unknown key"):
        conform({"a": "x", "b": 1}, {"a": str})
    with pytest.raises(TypeError):
        problems("x", "not a shape")


# --- every endpoint, mapped -----------------------------------------------------------------

R = "/reader/api/0"
STATE = "user/-/state/com.google/"
READING_LIST = STATE + "reading-list"
READ = STATE + "read"
STARRED = STATE + "starred"
LABEL = "user/-/label/"


def login(client: TestClient, name: str) -> dict[str, str]:
    response = client.post("/accounts/ClientLogin", data={"Email": name, "Passwd": API_PASSWORD})
    assert response.status_code == 200, response.text
    lines = dict(line.split("=", 1) for line in response.text.strip().splitlines())
    return {"Authorization": f"GoogleLogin auth={lines['Auth']}"}


def get_json(client: TestClient, path: str, h: dict[str, str], shape: Any, **params: Any) -> Any:
    response = client.get(R + path, params=params, headers=h)
    assert response.status_code == 200, (path, params, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    conform(body, shape)
    return body


def post_ok(client: TestClient, path: str, h: dict[str, str], data: dict[str, Any]) -> None:
    response = client.post(R + path, data=data, headers=h)
    assert response.status_code == 200, (path, data, response.text)
    assert response.text == "OK"
    assert response.headers["content-type"].startswith("text/plain")


@dataclass
class Extra:
    """The entries added to alice's second feed (which has no category)."""

    enclosures: int
    no_link: int


def add_entries(store: Store, world: World) -> Extra:
    feed = world.alice.feeds[1]
    start = NOW + timedelta(days=1)
    items = (
        EntryData(
            key="with-enclosures",
            title="Episode 1",
            link="https://alice.example/episode-1",
            author="Ann Author",
            content="<p>Listen</p>",
            published_at=start - timedelta(hours=1),
            content_hash="e1",
            enclosures=(
                Enclosure("https://alice.example/e1.mp3", "audio/mpeg", 12345),
                Enclosure("https://alice.example/e1.jpg"),
            ),
        ),
        EntryData(
            key="no-link",
            title="No link here",
            summary="<p>Only words</p>",
            published_at=start - timedelta(hours=2),
            content_hash="e2",
        ),
    )
    apply_check(store, feed, items, now=start, fetched=None)
    found = store.reading.entries(world.alice.id, feed_id=feed, status="all", limit=50)
    by_title = {item.entry.title: item.id for item in found}
    return Extra(enclosures=by_title["Episode 1"], no_link=by_title["No link here"])


def item_of(client: TestClient, h: dict[str, str], entry_id: int) -> dict[str, Any]:
    body = get_json(client, "/stream/items/contents", h, ITEMS_CONTENTS, i=str(entry_id))
    assert len(body["items"]) == 1
    item: dict[str, Any] = body["items"][0]
    return item


def test_sign_in_and_user_replies(client: TestClient, world: World) -> None:
    response = client.post("/accounts/ClientLogin", data={"Email": "alice", "Passwd": API_PASSWORD})
    lines = [line.split("=", 1) for line in response.text.splitlines()]
    assert [key for key, _ in lines] == ["SID", "LSID", "Auth"] and response.text.endswith("\n")
    as_json = client.post(
        "/accounts/ClientLogin",
        data={"Email": "alice", "Passwd": API_PASSWORD, "output": "json"},
    )
    conform(as_json.json(), CLIENT_LOGIN_JSON)
    h = login(client, "alice")
    token = client.get(f"{R}/token", headers=h)
    assert token.status_code == 200 and token.text.endswith("\n")
    assert len(token.text) == 58 and "\n" not in token.text[:-1]
    info = get_json(client, "/user-info", h, USER_INFO)
    assert info["userName"] == "alice"


def test_lists_and_counts(client: TestClient, world: World, store: Store) -> None:
    h = login(client, "alice")
    subs = get_json(client, "/subscription/list", h, SUBSCRIPTION_LIST, output="json")
    categories = [s["categories"] for s in subs["subscriptions"]]
    assert categories == [[{"id": LABEL + "alice news", "label": "alice news"}], []]
    tags = get_json(client, "/tag/list", h, TAG_LIST, output="json")["tags"]
    assert tags == [{"id": STARRED}, {"id": LABEL + "alice news", "type": "folder"}]
    counts = get_json(client, "/unread-count", h, UNREAD_COUNT, output="json")
    assert counts["max"] == 6 and counts["unreadcounts"][-1]["id"] == READING_LIST
    # No folders at all: only starred; no labels on bob's subscription.
    hb = login(client, "bob")
    post_ok(client, "/disable-tag", hb, {"s": LABEL + "bob news"})
    assert get_json(client, "/tag/list", hb, TAG_LIST)["tags"] == [{"id": STARRED}]
    bob_subs = get_json(client, "/subscription/list", hb, SUBSCRIPTION_LIST)["subscriptions"]
    assert [s["categories"] for s in bob_subs] == [[]]
    get_json(client, "/unread-count", hb, UNREAD_COUNT)


def test_items_of_every_kind(client: TestClient, world: World, store: Store) -> None:
    extra = add_entries(store, world)
    h = login(client, "alice")
    labelled, plain = world.alice.entries[0], world.alice.entries[3]
    assert labelled != plain
    post_ok(client, "/edit-tag", h, {"i": str(labelled), "a": READ})
    post_ok(client, "/edit-tag", h, {"i": str(plain), "a": STARRED})

    with_enclosures = item_of(client, h, extra.enclosures)
    assert with_enclosures["enclosure"] == [
        {"href": "https://alice.example/e1.mp3", "type": "audio/mpeg", "length": 12345},
        {"href": "https://alice.example/e1.jpg", "type": ""},
    ]
    assert with_enclosures["author"] == "Ann Author"
    assert with_enclosures["canonical"] == [{"href": "https://alice.example/episode-1"}]
    assert with_enclosures["alternate"] == with_enclosures["canonical"]
    assert with_enclosures["summary"] == {"content": "<p>Listen</p>"}

    no_link = item_of(client, h, extra.no_link)
    assert no_link["canonical"] == no_link["alternate"] == [{"href": ""}]
    assert "author" not in no_link and "enclosure" not in no_link
    assert no_link["categories"] == [READING_LIST]  # unread, unstarred, no folder

    read = item_of(client, h, labelled)
    assert read["categories"] == [READING_LIST, LABEL + "alice news", READ]
    starred = item_of(client, h, plain)
    assert starred["categories"] == [READING_LIST, STARRED]
    for item in (read, starred):
        assert item["crawlTimeMsec"].isdigit() and len(item["crawlTimeMsec"]) == 13
        assert item["timestampUsec"].isdigit() and len(item["timestampUsec"]) == 16
        assert item["origin"]["streamId"].startswith("feed/") and item["origin"]["title"]

    everything = [str(e) for e in [*world.alice.entries, extra.enclosures, extra.no_link]]
    body = client.post(f"{R}/stream/items/contents", data={"i": everything}, headers=h).json()
    conform(body, ITEMS_CONTENTS)
    assert len(body["items"]) == 8


STREAMS = [
    READING_LIST,
    READ,
    STARRED,
    STATE + "kept-unread",
    STATE + "broadcast",
    LABEL + "alice news",
    LABEL + "no such label",
    "user/12345/state/com.google/reading-list",
]


def test_streams_of_every_kind(client: TestClient, world: World, store: Store) -> None:
    extra = add_entries(store, world)
    h = login(client, "alice")
    post_ok(client, "/edit-tag", h, {"i": [str(e) for e in world.alice.entries[:2]], "a": READ})
    post_ok(client, "/edit-tag", h, {"i": str(extra.enclosures), "a": STARRED})
    feed = world.alice.feeds[1]
    # A feed named by its URL goes as s= only: see test_feed_url_in_the_path.
    streams = [*STREAMS, f"feed/{feed}", "feed/https://alice.example/feed1"]
    continued = 0
    for stream in streams:
        for params in ({}, {"n": "2"}, {"n": "2", "r": "o"}, {"xt": READ}, {"it": STARRED}):
            body = get_json(client, "/stream/contents", h, STREAM_CONTENTS, s=stream, **params)
            if "://" not in stream:
                as_path = get_json(
                    client, "/stream/contents/" + stream, h, STREAM_CONTENTS, **params
                )
                assert [i["id"] for i in as_path["items"]] == [i["id"] for i in body["items"]]
            ids = get_json(client, "/stream/items/ids", h, ITEM_IDS, s=stream, **params)
            assert len(ids["itemRefs"]) == len(body["items"]), (stream, params)
            if "continuation" in body:
                continued += 1
                assert "continuation" in ids
                more = {"s": stream, "c": body["continuation"], **params}
                get_json(client, "/stream/contents", h, STREAM_CONTENTS, **more)
                get_json(client, "/stream/items/ids", h, ITEM_IDS, **more)
    assert continued >= 3  # the continuation key was there to be mapped
    get_json(client, "/stream/contents", h, STREAM_CONTENTS)  # no stream: the reading list
    assert get_json(client, "/stream/items/contents", h, ITEMS_CONTENTS)["items"] == []


def test_writes_answer_ok(client: TestClient, world: World, store: Store) -> None:
    h = login(client, "alice")
    entry, feed = world.alice.entries[0], world.alice.feeds[0]
    post_ok(client, "/edit-tag", h, {"i": str(entry), "a": [READ, STARRED]})
    post_ok(client, "/edit-tag", h, {"i": str(entry), "r": [READ, STARRED]})
    post_ok(client, "/mark-all-as-read", h, {"s": f"feed/{feed}"})
    post_ok(client, "/mark-all-as-read", h, {"s": LABEL + "alice news", "ts": "1"})
    post_ok(client, "/mark-all-as-read", h, {"s": READING_LIST})
    new = "https://new.example/rss"
    edit = "/subscription/edit"
    post_ok(client, edit, h, {"ac": "subscribe", "s": f"feed/{new}", "a": LABEL + "Tech"})
    sub = next(s for s in store.reading.subscriptions(world.alice.id) if s.url == new)
    post_ok(client, edit, h, {"ac": "edit", "s": f"feed/{sub.feed_id}", "t": "Renamed"})
    post_ok(client, "/rename-tag", h, {"s": LABEL + "Tech", "dest": LABEL + "Science"})
    post_ok(client, "/disable-tag", h, {"s": LABEL + "Science"})
    post_ok(client, edit, h, {"ac": "unsubscribe", "s": f"feed/{sub.feed_id}"})


def test_quickadd_replies(client: TestClient, world: World) -> None:
    h = login(client, "alice")
    path = f"{R}/subscription/quickadd"
    for _ in range(2):  # new, then already there
        added = client.post(path, data={"quickadd": "https://q.example/feed"}, headers=h)
        assert added.status_code == 200
        conform(added.json(), QUICKADD)
        assert added.json()["numResults"] == 1
        assert added.json()["query"] == "https://q.example/feed"
    refused = client.post(path, data={"quickadd": "ftp://x"}, headers=h)
    assert refused.status_code == 400
    conform(refused.json(), QUICKADD_REFUSED)
    assert refused.json()["numResults"] == 0


def test_feed_url_in_the_path(client: TestClient, world: World) -> None:
    h = login(client, "alice")
    encoded = "feed/https%3A%2F%2Falice.example%2Ffeed1"
    body = get_json(client, f"/stream/contents/{encoded}", h, STREAM_CONTENTS)
    assert len(body["items"]) == 3
