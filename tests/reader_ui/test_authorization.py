"""Authorization matrix: user B can neither read nor change user A's things through any route.

Ann has a private feed with entries (one read and starred), a category and an API key. Bob, a
signed-in reader with a feed of his own, tries every /reader and /account route on Ann's ids:
each answer must be 404 or 403 (or, for routes that only ever touch the caller's own data, show
none of Ann's), and Ann's data must be exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from reader_ui.helpers import add_entries, csrf_of
from tidings.store import Store


@dataclass(frozen=True)
class Anns:
    user: int
    feed: int
    entry: int
    read_entry: int
    category: int
    key: int
    token: str


def snapshot(store: Store, ann: int) -> Any:
    """Everything of Ann's a route could read or change."""
    return (
        store.reading.subscriptions(ann),
        store.reading.categories(ann),
        [(e.id, e.read, e.starred) for e in store.reading.entries(ann, status="all", limit=500)],
        [(k.id, k.name) for k in store.api_keys.of_user(ann)],
        [(u.id, u.name, u.is_admin) for u in store.users.all()],
    )


@pytest.fixture
def anns(store: Store, ann: int) -> Anns:
    sub = store.reading.subscribe(
        ann, "https://ann.example/feed", title="Ann secret title", categories=["Ann secret cat"]
    )
    ids = add_entries(store, sub.feed_id, 3, title="Annsecret")
    store.reading.mark_read(ann, [ids[1]])
    store.reading.star(ann, [ids[1]])
    key, token = store.api_keys.create(ann, "Ann secret key")
    [category] = store.reading.categories(ann)
    return Anns(ann, sub.feed_id, ids[0], ids[1], category.id, key.id, token)


def matrix(a: Anns, now: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, form) for every route, with Ann's ids."""
    entry_posts: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", f"/reader/entries/{entry}/{action}", {})
        for entry in (a.entry, a.read_entry)
        for action in ("read", "unread", "star", "unstar")
    ]
    return [
        ("GET", f"/reader/feeds/{a.feed}", {}),
        ("GET", f"/reader/feeds/{a.feed}?show=all", {}),
        ("GET", f"/reader/categories/{a.category}", {}),
        ("GET", f"/reader/entries/{a.entry}", {}),
        ("GET", f"/reader/entries/{a.read_entry}?show=all&feed={a.feed}", {}),
        ("GET", f"/reader/subscriptions/{a.feed}", {}),
        *entry_posts,
        ("POST", f"/reader/feeds/{a.feed}/mark-read", {"as_of": now}),
        ("POST", f"/reader/categories/{a.category}/mark-read", {"as_of": now}),
        ("POST", f"/reader/subscriptions/{a.feed}", {"title": "pwned", "new_categories": "x"}),
        ("POST", f"/reader/subscriptions/{a.feed}/unsubscribe", {}),
        ("POST", f"/reader/categories/{a.category}/rename", {"name": "pwned"}),
        ("POST", f"/reader/categories/{a.category}/delete", {}),
        ("POST", f"/account/keys/{a.key}/revoke", {}),
        ("GET", "/account/users", {}),
        ("POST", "/account/users", {"name": "mallory", "password": "long enough", "role": "admin"}),
        ("POST", f"/account/users/{a.user}/password", {"password": "taken over now"}),
        ("POST", f"/account/users/{a.user}/remove", {}),
    ]


# Routes that act on the caller's own data only: they answer, but show or touch nothing of Ann's.
OWN_ONLY = [
    ("GET", "/reader", {}),
    ("GET", "/reader?show=all", {}),
    ("GET", "/reader?show=starred", {}),
    ("GET", "/reader/search?q=annsecret", {}),
    ("GET", "/reader/search?q=annsecret+is:starred", {}),
    ("GET", "/reader/search.rss?q=annsecret", {}),
    ("GET", "/reader/search.json?q=annsecret", {}),
    ("GET", "/reader/subscriptions", {}),
    ("GET", "/reader/categories", {}),
    ("GET", "/reader/help", {}),
    ("GET", "/account", {}),
    ("GET", "/account/keys", {}),
    ("POST", "/reader/mark-read", {"as_of": "NOW"}),
    ("POST", "/reader/categories", {"name": "Ann secret cat"}),
]


def request(client: TestClient, method: str, path: str, form: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(path, follow_redirects=False)
    token = csrf_of(client.get("/account").text)
    return client.post(path, data={**form, "csrf_token": token}, follow_redirects=False)


def test_bob_cannot_touch_anns_things(
    bob_client: TestClient, store: Store, anns: Anns, bob: int
) -> None:
    mine = store.reading.subscribe(bob, "https://bob.example/feed")
    add_entries(store, mine.feed_id, 2, title="Bobstuff")
    before = snapshot(store, anns.user)
    now = datetime.now(UTC).isoformat()
    wrong: list[str] = []
    for method, path, form in matrix(anns, now):
        response = request(bob_client, method, path, form)
        if response.status_code not in (403, 404):
            wrong.append(f"{method} {path}: {response.status_code}")
        elif "Annsecret" in response.text or "Ann secret" in response.text:
            wrong.append(f"{method} {path}: shows Ann's data")
    for method, path, form in OWN_ONLY:
        form = {k: now if v == "NOW" else v for k, v in form.items()}
        response = request(bob_client, method, path, form)
        if response.status_code not in (200, 303):
            wrong.append(f"{method} {path}: {response.status_code}")
        page = response.text if response.status_code == 200 else ""
        if "Annsecret" in page or "Ann secret title" in page or "Ann secret key" in page:
            wrong.append(f"{method} {path}: shows Ann's data")
    assert wrong == []
    assert snapshot(store, anns.user) == before
    # Bob's own category of the same name is his, not Ann's.
    assert [c.name for c in store.reading.categories(bob)] == ["Ann secret cat"]
    assert [c.id for c in store.reading.categories(bob)] != [anns.category]


def test_form_ids_select_only_among_the_users_own(
    bob_client: TestClient, store: Store, anns: Anns, bob: int
) -> None:
    """A category id of Ann's ticked on Bob's subscription form is ignored."""
    mine = store.reading.subscribe(bob, "https://bob.example/feed")
    before = snapshot(store, anns.user)
    response = request(
        bob_client,
        "POST",
        f"/reader/subscriptions/{mine.feed_id}",
        {"title": "Mine", "category": [str(anns.category)]},
    )
    assert response.status_code == 303
    assert store.reading.subscription(bob, mine.feed_id).categories == ()
    assert snapshot(store, anns.user) == before


def test_same_feed_shows_entries_but_never_anns_title_or_state(
    bob_client: TestClient, store: Store, anns: Anns, bob: int
) -> None:
    before = snapshot(store, anns.user)
    response = request(bob_client, "POST", "/reader/subscriptions", {"url": "ann.example/feed"})
    assert response.status_code == 303
    page = bob_client.get(response.headers["location"]).text
    assert "Annsecret 0" in page  # the feed's content is the feed's
    assert "Ann secret title" not in page and "Ann secret cat" not in page
    assert "is-read" not in page and "is-starred" not in page
    request(bob_client, "POST", f"/reader/entries/{anns.read_entry}/unstar", {})
    request(bob_client, "POST", f"/reader/entries/{anns.entry}/read", {})
    assert snapshot(store, anns.user)[2] == before[2]


def test_anns_feed_link_does_not_open_bobs_search_feed(
    client_without_session: TestClient, store: Store, anns: Anns, bob: int
) -> None:
    mine = store.reading.subscribe(bob, "https://bob.example/feed")
    add_entries(store, mine.feed_id, 2, title="Bobstuff")
    _, token = store.feed_tokens.create(anns.user, "gardens")
    feed = client_without_session.get("/reader/search.rss", params={"q": "gardens", "token": token})
    assert feed.status_code == 200
    assert "Annsecret" in feed.text and "Bobstuff" not in feed.text


def test_the_matrix_routes_work_for_their_owner(
    ann_client: TestClient, store: Store, anns: Anns
) -> None:
    """So that a 404 in the matrix means "not yours", not "no such route"."""
    now = datetime.now(UTC).isoformat()
    answers = {}
    for method, path, form in matrix(anns, now):
        if path.startswith("/account/users"):
            continue  # Ann is no admin
        answers[f"{method} {path}"] = request(ann_client, method, path, form).status_code
    expected = {k: 200 if k.startswith("GET") else 303 for k in answers}
    assert answers == expected
