"""Miniflux's refusals, status and `error_message` word for word, situation by situation (the
table "Errors as Miniflux words them" in docs/api.md), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from api_support import PASSWORD, World, basic
from starlette.testclient import TestClient

from tidings.accounts import create_user
from tidings.reading.limits import MAX_CATEGORY_NAME
from tidings.store import Store

NOT_FOUND = "resource not found"
FORBIDDEN = "access forbidden"
UNKNOWN = 9_000_000  # an id nobody has

Body = dict[str, Any] | list[Any] | bytes | None


@dataclass(frozen=True)
class Case:
    situation: str
    method: str
    path: Callable[[World], str]
    body: Callable[[World], Body]
    status: int
    message: str


def case(
    situation: str,
    method: str,
    path: str | Callable[[World], str],
    status: int,
    message: str,
    body: Body | Callable[[World], Body] = None,
) -> Case:
    return Case(
        situation,
        method,
        path if callable(path) else (lambda w, p=path: p),
        body if callable(body) else (lambda w, b=body: b),
        status,
        message,
    )


def alice_feed(w: World) -> int:
    return w.alice.feeds[0]


def alice_category(w: World) -> int:
    return w.alice.categories[0]


CASES = [
    # Feeds (internal/validator/feed.go, internal/locale/translations/en_US.json)
    case(
        "duplicate feed",
        "POST",
        "/v1/feeds",
        400,
        "This feed already exists.",
        {"feed_url": "https://alice.example/feed0"},
    ),
    case(
        "feed URL missing",
        "POST",
        "/v1/feeds",
        400,
        "The URL and the category are mandatory.",
        {},
    ),
    case(
        "feed URL empty",
        "POST",
        "/v1/feeds",
        400,
        "The URL and the category are mandatory.",
        {"feed_url": ""},
    ),
    case(
        "invalid feed URL",
        "POST",
        "/v1/feeds",
        400,
        "Invalid feed URL.",
        {"feed_url": "http://exa mple.org/feed"},
    ),
    case(
        "unknown category on feed create",
        "POST",
        "/v1/feeds",
        400,
        "This category does not exist or does not belong to this user.",
        {"feed_url": "https://new.example/feed", "category_id": UNKNOWN},
    ),
    case(
        "another user's category on feed create",
        "POST",
        "/v1/feeds",
        400,
        "This category does not exist or does not belong to this user.",
        lambda w: {"feed_url": "https://new.example/feed", "category_id": w.bob.categories[0]},
    ),
    case(
        "unknown category on feed update",
        "PUT",
        lambda w: f"/v1/feeds/{alice_feed(w)}",
        400,
        "This category does not exist or does not belong to this user.",
        {"category_id": UNKNOWN},
    ),
    case(
        "empty feed URL on feed update",
        "PUT",
        lambda w: f"/v1/feeds/{alice_feed(w)}",
        400,
        "The feed URL cannot be empty.",
        {"feed_url": ""},
    ),
    case(
        "invalid feed URL on feed update",
        "PUT",
        lambda w: f"/v1/feeds/{alice_feed(w)}",
        400,
        "Invalid feed URL.",
        {"feed_url": "http://exa mple.org/"},
    ),
    case(
        "empty feed title on feed update",
        "PUT",
        lambda w: f"/v1/feeds/{alice_feed(w)}",
        400,
        "The feed title cannot be empty.",
        {"title": ""},
    ),
    case("feed not found", "GET", f"/v1/feeds/{UNKNOWN}", 404, NOT_FOUND),
    case("another user's feed", "GET", lambda w: f"/v1/feeds/{w.bob.feeds[0]}", 404, NOT_FOUND),
    case("feed id that is no id", "GET", "/v1/feeds/abc", 404, NOT_FOUND),
    case(  # Miniflux's router takes digits only; " 1" was id 1 (a DELETE too)
        "a path id with a space",
        "DELETE",
        lambda w: f"/v1/categories/%20{alice_category(w)}",
        404,
        NOT_FOUND,
    ),
    case("a path id after a plus", "GET", lambda w: f"/v1/feeds/+{alice_feed(w)}", 404, NOT_FOUND),
    case("feed update, not found", "PUT", f"/v1/feeds/{UNKNOWN}", 404, NOT_FOUND, {"title": "x"}),
    case("feed delete, not found", "DELETE", f"/v1/feeds/{UNKNOWN}", 404, NOT_FOUND),
    case("feed refresh, not found", "PUT", f"/v1/feeds/{UNKNOWN}/refresh", 404, NOT_FOUND),
    case(
        "feed mark read, not found", "PUT", f"/v1/feeds/{UNKNOWN}/mark-all-as-read", 404, NOT_FOUND
    ),
    case(
        "feed icon, none kept", "GET", lambda w: f"/v1/feeds/{alice_feed(w)}/icon", 404, NOT_FOUND
    ),
    case(
        "feed entries, unknown feed", "GET", f"/v1/feeds/{UNKNOWN}/entries", 400, "invalid feed ID"
    ),
    # Categories (internal/validator/category.go)
    case(
        "duplicate category title",
        "POST",
        "/v1/categories",
        400,
        "This category already exists.",
        {"title": "alice news"},
    ),
    case("category title missing", "POST", "/v1/categories", 400, "The title is mandatory.", {}),
    case(
        "category title empty",
        "POST",
        "/v1/categories",
        400,
        "The title is mandatory.",
        {"title": ""},
    ),
    case(
        "category title blank",
        "POST",
        "/v1/categories",
        400,
        "The title is mandatory.",
        {"title": "   "},
    ),
    case(
        "category title too long (tidings' limit; Miniflux has none)",
        "POST",
        "/v1/categories",
        400,
        f"A category name has at most {MAX_CATEGORY_NAME} characters.",
        {"title": "x" * (MAX_CATEGORY_NAME + 1)},
    ),
    case(
        "duplicate category title on rename",
        "PUT",
        lambda w: f"/v1/categories/{alice_category(w)}",
        400,
        "This category already exists.",
        {"title": "second"},  # created by the test first
    ),
    case(
        "empty title on rename",
        "PUT",
        lambda w: f"/v1/categories/{alice_category(w)}",
        400,
        "The title is mandatory.",
        {"title": ""},
    ),
    case(
        "category rename, not found (before the body)",
        "PUT",
        f"/v1/categories/{UNKNOWN}",
        404,
        NOT_FOUND,
        b"not json",
    ),
    case("category delete, not found", "DELETE", f"/v1/categories/{UNKNOWN}", 404, NOT_FOUND),
    case("category feeds, not found", "GET", f"/v1/categories/{UNKNOWN}/feeds", 404, NOT_FOUND),
    case(
        "category mark read, not found",
        "PUT",
        f"/v1/categories/{UNKNOWN}/mark-all-as-read",
        404,
        NOT_FOUND,
    ),
    case(
        "category entries, unknown category",
        "GET",
        f"/v1/categories/{UNKNOWN}/entries",
        400,
        "invalid category ID",
    ),
    # Entries (internal/api/entry.go, internal/validator/entry.go, validator.go)
    case("entry not found", "GET", f"/v1/entries/{UNKNOWN}", 404, NOT_FOUND),
    case(
        "another user's entry",
        "GET",
        lambda w: f"/v1/entries/{w.bob.entries[0]}",
        404,
        NOT_FOUND,
    ),
    case(
        "entry of another feed",
        "GET",
        lambda w: f"/v1/feeds/{w.alice.feeds[1]}/entries/{w.alice.entries[0]}",
        404,
        NOT_FOUND,
    ),
    case("bookmark, entry not found", "PUT", f"/v1/entries/{UNKNOWN}/bookmark", 404, NOT_FOUND),
    case(
        "invalid status filter",
        "GET",
        "/v1/entries?status=gone",
        400,
        'invalid entry status, valid status values are: "read", "unread" and "removed"',
    ),
    case(
        "invalid order",
        "GET",
        "/v1/entries?order=nope",
        400,
        'invalid entry order, valid order values are: "id", "status", "changed_at", '
        '"published_at", "created_at", "category_title", "category_id", "title", "author"',
    ),
    case(
        "invalid direction",
        "GET",
        "/v1/entries?direction=up",
        400,
        'invalid direction, valid direction values are: "asc" or "desc"',
    ),
    case("unknown feed_id filter", "GET", f"/v1/entries?feed_id={UNKNOWN}", 400, "invalid feed ID"),
    case(
        "unknown category_id filter",
        "GET",
        f"/v1/entries?category_id={UNKNOWN}",
        400,
        "invalid category ID",
    ),
    case(
        "PUT /v1/entries, entry_ids missing",
        "PUT",
        "/v1/entries",
        400,
        "the list of entries cannot be empty",
        {"status": "read"},
    ),
    case(
        "PUT /v1/entries, empty list",
        "PUT",
        "/v1/entries",
        400,
        "the list of entries cannot be empty",
        {"entry_ids": [], "status": "read"},
    ),
    case(
        "PUT /v1/entries, invalid status",
        "PUT",
        "/v1/entries",
        400,
        'invalid entry status, valid status values are: "read" and "unread"',
        lambda w: {"entry_ids": w.alice.entries[:1], "status": "gone"},
    ),
    case(
        "PUT /v1/entries, status missing",
        "PUT",
        "/v1/entries",
        400,
        'invalid entry status, valid status values are: "read" and "unread"',
        lambda w: {"entry_ids": w.alice.entries[:1]},
    ),
    case(
        "PUT /v1/entries, status removed (not kept here)",
        "PUT",
        "/v1/entries",
        400,
        'invalid entry status, valid status values are: "read" and "unread"',
        lambda w: {"entry_ids": w.alice.entries[:1], "status": "removed"},
    ),
    # Bodies: Miniflux's status; the text is tidings' own (Miniflux shows Go's decoder error)
    case(
        "bad JSON body",
        "POST",
        "/v1/categories",
        400,
        "the request body is not valid JSON",
        b"{not json",
    ),
    case(
        "a lone surrogate in the body",  # JSON can escape one; no database can store it
        "POST",
        "/v1/categories",
        400,
        "the request body is not valid JSON",
        b'{"title": "a\\ud800b"}',
    ),
    case(
        "a surrogate as UTF-8 bytes in the body",  # json.loads would pass it on
        "POST",
        "/v1/categories",
        400,
        "the request body is not valid JSON",
        b'{"title": "a\xed\xa0\x80b"}',
    ),
    case(
        "body not an object",
        "POST",
        "/v1/categories",
        400,
        "the request body must be a JSON object",
        ["x"],
    ),
    # Users (internal/api/user.go, internal/http/response/json)
    case("a user lists users", "GET", "/v1/users", 403, FORBIDDEN),
    case("a user creates a user", "POST", "/v1/users", 403, FORBIDDEN, {"username": "x"}),
    case("a user reads a user", "GET", lambda w: f"/v1/users/{w.bob.id}", 403, FORBIDDEN),
    case(
        "a user changes another user",
        "PUT",
        lambda w: f"/v1/users/{w.bob.id}",
        403,
        FORBIDDEN,
        {"password": "taken over!"},
    ),
    case("a user deletes a user", "DELETE", lambda w: f"/v1/users/{w.bob.id}", 403, FORBIDDEN),
    case(
        "a user marks another user's entries read",
        "PUT",
        lambda w: f"/v1/users/{w.bob.id}/mark-all-as-read",
        403,
        FORBIDDEN,
    ),
    # Discovery (internal/api/subscription.go, internal/validator/subscription.go)
    case("discover, invalid URL", "POST", "/v1/discover", 400, "Invalid site URL.", {"url": ""}),
]


def _send(client: TestClient, method: str, path: str, body: Body, headers: dict[str, str]) -> Any:
    if isinstance(body, bytes):
        return client.request(method, path, content=body, headers=headers)
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("row", CASES, ids=[c.situation for c in CASES])
def test_miniflux_status_and_message(client: TestClient, world: World, row: Case) -> None:
    h = world.alice.headers
    if "rename" in row.situation and "duplicate" in row.situation:
        assert client.post("/v1/categories", headers=h, json={"title": "second"}).status_code == 201
    reply = _send(client, row.method, row.path(world), row.body(world), h)
    assert (reply.status_code, reply.json()) == (row.status, {"error_message": row.message})


ADMIN_CASES = [
    case("admin: user not found", "GET", f"/v1/users/{UNKNOWN}", 404, NOT_FOUND),
    case("admin: user name not found", "GET", "/v1/users/nobody", 404, NOT_FOUND),
    case(
        "admin: username missing",
        "POST",
        "/v1/users",
        400,
        "The username is mandatory.",
        {"password": "long enough password"},
    ),
    case(
        "admin: duplicate user",
        "POST",
        "/v1/users",
        400,
        "This user already exists.",
        {"username": "alice", "password": "long enough password"},
    ),
    case(
        "admin: removes themselves",
        "DELETE",
        lambda w: "/v1/users/{admin}",
        400,
        "you cannot remove yourself",
    ),
]


@pytest.mark.parametrize("row", ADMIN_CASES, ids=[c.situation for c in ADMIN_CASES])
def test_miniflux_admin_status_and_message(
    client: TestClient, world: World, store: Store, row: Case
) -> None:
    admin = create_user(store, "root", PASSWORD, is_admin=True)
    path = row.path(world).replace("{admin}", str(admin.id))
    reply = _send(client, row.method, path, row.body(world), basic("root", PASSWORD))
    assert (reply.status_code, reply.json()) == (row.status, {"error_message": row.message})


def test_wrong_credentials_are_miniflux_401(client: TestClient, world: World) -> None:
    reply = client.get("/v1/me", headers={"X-Auth-Token": "nope"})
    assert (reply.status_code, reply.json()) == (401, {"error_message": "access unauthorized"})


def test_an_escaped_surrogate_pair_is_one_character(client: TestClient, world: World) -> None:
    """The check for lone surrogates lets a pair through: JSON escapes an emoji as two."""
    reply = client.post(
        "/v1/categories", headers=world.alice.headers, content=b'{"title": "news \\ud83d\\ude00"}'
    )
    assert reply.status_code == 201
    assert reply.json()["title"] == "news \U0001f600"
