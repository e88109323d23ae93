"""Every limit on what a reader names lives in tidings.reading.limits, applied by the store, so
every front end refuses the same input with the same sentence (the Miniflux API once took a
5,000-character category title that the web refused)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from api_support import PASSWORD, World, greader_headers
from starlette.testclient import TestClient

from support.forms import csrf_of, sign_in
from tidings.errors import InvalidInput
from tidings.reading.limits import MAX_CATEGORY_NAME, MAX_SUBSCRIPTION_TITLE
from tidings.store import Store

LONG_NAME = "c" * (MAX_CATEGORY_NAME + 1)
LONG_TITLE = "t" * (MAX_SUBSCRIPTION_TITLE + 1)
NAME_RULE = f"A category name has at most {MAX_CATEGORY_NAME} characters."
TITLE_RULE = f"A title has at most {MAX_SUBSCRIPTION_TITLE} characters."


def _web(client: TestClient, path: str, data: dict[str, str]) -> str:
    sign_in(client, "alice", PASSWORD)
    token = csrf_of(client.get("/reader/categories").text)
    page = client.post(path, data={**data, "csrf_token": token})
    return page.text


Attempt = Callable[[TestClient, World], str]
ATTEMPTS: list[tuple[str, Attempt, str]] = [
    (
        "web: add a category",
        lambda c, w: _web(c, "/reader/categories", {"name": LONG_NAME}),
        NAME_RULE,
    ),
    (
        "Miniflux: create a category",
        lambda c, w: (
            c.post("/v1/categories", json={"title": LONG_NAME}, headers=w.alice.headers).text
        ),
        NAME_RULE,
    ),
    (
        "Miniflux: rename a category",
        lambda c, w: (
            c.put(
                f"/v1/categories/{w.alice.categories[0]}",
                json={"title": LONG_NAME},
                headers=w.alice.headers,
            ).text
        ),
        NAME_RULE,
    ),
    (
        "Miniflux: retitle a feed",
        lambda c, w: (
            c.put(
                f"/v1/feeds/{w.alice.feeds[0]}", json={"title": LONG_TITLE}, headers=w.alice.headers
            ).text
        ),
        TITLE_RULE,
    ),
    (
        "Google Reader: rename a label",
        lambda c, w: (
            c.post(
                "/reader/api/0/rename-tag",
                data={"s": "user/-/label/alice news", "dest": f"user/-/label/{LONG_NAME}"},
                headers=greader_headers(c, "alice"),
            ).text
        ),
        NAME_RULE,
    ),
    (
        "Google Reader: retitle a subscription",
        lambda c, w: (
            c.post(
                "/reader/api/0/subscription/edit",
                data={"ac": "edit", "s": f"feed/{w.alice.feeds[0]}", "t": LONG_TITLE},
                headers=greader_headers(c, "alice"),
            ).text
        ),
        TITLE_RULE,
    ),
]


@pytest.mark.parametrize(
    ("attempt", "rule"), [a[1:] for a in ATTEMPTS], ids=[a[0] for a in ATTEMPTS]
)
def test_every_front_end_refuses_with_the_same_sentence(
    client: TestClient, world: World, store: Store, attempt: Attempt, rule: str
) -> None:
    before = (store.reading.categories(world.alice.id), store.reading.subscriptions(world.alice.id))
    assert rule in attempt(client, world)
    after = (store.reading.categories(world.alice.id), store.reading.subscriptions(world.alice.id))
    assert after == before


def test_the_store_applies_the_limits(store: Store, world: World) -> None:
    alice = world.alice.id
    with pytest.raises(InvalidInput, match="at most"):
        store.reading.add_category(alice, LONG_NAME)
    with pytest.raises(InvalidInput, match="at most"):
        store.reading.subscribe(alice, "https://x.example/feed", title=LONG_TITLE)
    with pytest.raises(InvalidInput, match="at most"):
        store.reading.subscribe(alice, "https://x.example/feed", categories=[LONG_NAME])
    exact = store.reading.add_category(alice, "c" * MAX_CATEGORY_NAME)
    assert len(exact.name) == MAX_CATEGORY_NAME
