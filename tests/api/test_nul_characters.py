"""A NUL character sent to any front end is a clear 400 and changes nothing: never a server
error. SQLite's full-text MATCH stopped reading at one ("unterminated string": the Miniflux
API's `search=`, the reader's search and the rules preview answered 500), and PostgreSQL
compares and stores no NUL in text (a Google Reader stream of the label `a%00b` was a 500).
Both databases; the address, JSON bodies and forms of every front end."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import API_PASSWORD, PASSWORD, World, greader_headers
from starlette.testclient import TestClient

from support.forms import csrf_of, sign_in
from tidings.reading.limits import one_line
from tidings.search_query import SearchQueryError, parse_query
from tidings.store import Store
from tidings.store.apipasswords import fever_key

ADDRESS = "the address holds a NUL character"
PARAMETER = "a parameter holds a NUL character"


def _state(store: Store, world: World) -> Any:
    alice = world.alice.id
    return (
        store.reading.categories(alice),
        store.reading.subscriptions(alice),
        store.labels.of_user(alice),
    )


@pytest.mark.parametrize(
    "query", ["a\x00b", "\x00a", '"a\x00b"', "-a\x00b", "feed:a\x00b", "title:/a\x00/"]
)
def test_a_miniflux_search_with_nul_is_a_400(client: TestClient, world: World, query: str) -> None:
    reply = client.get("/v1/entries", params={"search": query}, headers=world.alice.headers)
    assert (reply.status_code, reply.json()) == (400, {"error_message": ADDRESS})


def test_a_nul_in_a_path_is_a_400(client: TestClient, world: World) -> None:
    reply = client.get("/v1/feeds/1%00", headers=world.alice.headers)
    assert (reply.status_code, reply.json()) == (400, {"error_message": ADDRESS})
    stream = client.get(
        "/reader/api/0/stream/contents/user/-/label/a%00b", headers=greader_headers(client, "alice")
    )
    assert (stream.status_code, stream.text) == (400, ADDRESS + "\n")


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "a\\u0000b"}',
        b'{"title": "news", "extra": ["x", {"k\\u0000": 1}]}',  # anywhere, a key included
        b'{"query": "title:/a\\u0000/"}',
    ],
)
def test_a_miniflux_body_with_nul_is_a_400_and_changes_nothing(
    client: TestClient, world: World, store: Store, body: bytes
) -> None:
    before = _state(store, world)
    for path in ("/v1/categories", "/v1/rules/preview"):
        reply = client.post(path, content=body, headers=world.alice.headers)
        assert reply.status_code == 400
        assert reply.json() == {"error_message": "the request body holds a NUL character (\\u0000)"}
    assert _state(store, world) == before


def test_an_escaped_backslash_before_u0000_is_no_nul(client: TestClient, world: World) -> None:
    reply = client.post(
        "/v1/categories", content=b'{"title": "a\\\\u0000b"}', headers=world.alice.headers
    )
    assert (reply.status_code, reply.json()["title"]) == (201, "a\\u0000b")


def test_the_readers_search_with_nul_is_a_400(client: TestClient, world: World) -> None:
    sign_in(client, "alice", PASSWORD)
    page = client.get("/reader/search", params={"q": "a\x00b"})
    assert (page.status_code, page.text) == (400, ADDRESS + "\n")


def test_a_web_form_with_nul_is_a_400_and_changes_nothing(
    client: TestClient, world: World, store: Store
) -> None:
    sign_in(client, "alice", PASSWORD)
    token = csrf_of(client.get("/reader/categories").text)
    before = _state(store, world)
    page = client.post("/reader/categories", data={"name": "town\x00news", "csrf_token": token})
    assert page.status_code == 400
    assert "NUL" in page.text
    assert _state(store, world) == before


def test_google_reader_forms_with_nul_are_a_400(
    client: TestClient, world: World, store: Store
) -> None:
    before = _state(store, world)
    renamed = client.post(
        "/reader/api/0/rename-tag",
        data={"s": "user/-/label/alice news", "dest": "user/-/label/local\x00news"},
        headers=greader_headers(client, "alice"),
    )
    assert renamed.status_code == 400
    login = client.post("/accounts/ClientLogin", data={"Email": "ali\x00ce", "Passwd": "x"})
    assert login.status_code == 400
    assert PARAMETER in login.text
    assert _state(store, world) == before


@pytest.mark.parametrize("multipart", [False, True])
def test_fever_forms_with_nul_are_refused(
    client: TestClient, world: World, multipart: bool
) -> None:
    data = {"api_key": fever_key("alice", API_PASSWORD), "mark": "group", "as": "read"}
    data["id"] = "1\x00"
    files = {"unused": ("f.txt", b"x")} if multipart else None
    reply = client.post("/fever/?api", data=data, files=files)
    assert reply.status_code == 400


def test_the_query_language_refuses_nul() -> None:
    # Every front end's search, rule and preview reads its query through parse_query.
    with pytest.raises(SearchQueryError, match="NUL"):
        parse_query("budget\x00", require_terms=False)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("a\x01b", "ab"),
        ("\x02a\x1bb\x7f", "ab"),  # ESC: an escape sequence is no name
        ("a\x1fb", "a b"),  # a separator Python counts as white space
        ("one\u0085two", "one two"),  # C1 NEL, white space too
        ("x\u0090y", "xy"),  # C1 DCS
        ("  Town\t news \n", "Town news"),
        ("café ✓", "café ✓"),
    ],
)
def test_names_are_one_line_without_control_characters(typed: str, stored: str) -> None:
    assert one_line(typed) == stored
