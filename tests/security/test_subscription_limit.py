"""A reader's subscriptions are bounded (max_subscriptions_per_user), whichever way they subscribe.

Every front end goes through tidings.subscriptions.subscribe_reader, and the store counts and
inserts in one transaction; each front end answers the refusal in its own shape.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from starlette.testclient import TestClient

from reader_ui.helpers import post, sign_in, user
from tidings.config import Settings
from tidings.store import Conflict, LimitReached, Store
from tidings.subscriptions import subscribe

LIMIT = 3
SENTENCE = f"You have reached the limit of {LIMIT} subscriptions."
API_PASSWORD = "api password 1"
GR = "/reader/api/0"


@pytest.fixture
def settings() -> Settings:
    return Settings(
        secret_key="test secret key", site_name="Test News", max_subscriptions_per_user=LIMIT
    )


@dataclass(frozen=True)
class Reader:
    id: int
    name: str
    token: str  # Miniflux API key


def _reader(store: Store, name: str) -> Reader:
    uid = user(store, name)
    _, token = store.api_keys.create(uid, "test")
    store.api_passwords.set_api_password(uid, name, API_PASSWORD)
    return Reader(uid, name, token)


@pytest.fixture
def reader(store: Store) -> Reader:
    """A reader one subscription short of the limit, made after a decoy reader who is at the
    limit and an admin-published feed: neither counts for the reader, and ids do not line up."""
    decoy = _reader(store, "decoy")
    for i in range(LIMIT):
        store.reading.subscribe(decoy.id, f"https://decoy.example/{i}", max_subscriptions=LIMIT)
    store.feeds.add("https://published.example/feed")
    person = _reader(store, "reader")
    for i in range(LIMIT - 1):
        store.reading.subscribe(person.id, f"https://had.example/{i}", max_subscriptions=LIMIT)
    return person


def _feed_id(store: Store, url: str) -> int:
    feed = store.feeds.find_by_url(url)
    assert feed is not None
    return feed.id


def _gr_auth(client: TestClient, reader: Reader) -> dict[str, str]:
    response = client.post(
        "/accounts/ClientLogin", data={"Email": reader.name, "Passwd": API_PASSWORD}
    )
    assert response.status_code == 200, response.text
    auth = dict(line.split("=", 1) for line in response.text.split())["Auth"]
    return {"Authorization": f"GoogleLogin auth={auth}"}


def web_form(client: TestClient, reader: Reader, url: str) -> httpx.Response:
    sign_in(client, reader.name)
    return post(client, "/reader/subscriptions", {"url": url, "title": "", "categories": ""})


def miniflux_create(client: TestClient, reader: Reader, url: str) -> httpx.Response:
    headers = {"X-Auth-Token": reader.token}
    response: httpx.Response = client.post("/v1/feeds", json={"feed_url": url}, headers=headers)
    return response


def miniflux_import(client: TestClient, reader: Reader, url: str) -> httpx.Response:
    opml = f'<opml version="2.0"><body><outline text="x" xmlUrl="{url}"/></body></opml>'
    headers = {"X-Auth-Token": reader.token}
    response: httpx.Response = client.post("/v1/import", content=opml.encode(), headers=headers)
    return response


def greader_quickadd(client: TestClient, reader: Reader, url: str) -> httpx.Response:
    auth = _gr_auth(client, reader)
    path = f"{GR}/subscription/quickadd"
    response: httpx.Response = client.post(path, data={"quickadd": url}, headers=auth)
    return response


def greader_edit(client: TestClient, reader: Reader, url: str) -> httpx.Response:
    auth = _gr_auth(client, reader)
    data = {"ac": "subscribe", "s": f"feed/{url}"}
    response: httpx.Response = client.post(f"{GR}/subscription/edit", data=data, headers=auth)
    return response


def refused_in_page(response: httpx.Response) -> None:
    assert response.status_code == 200
    assert SENTENCE in response.text


def refused_in_json(response: httpx.Response) -> None:
    assert response.status_code == 400
    assert response.json() == {"error_message": SENTENCE}


def refused_in_quickadd(response: httpx.Response) -> None:
    assert response.status_code == 400
    assert response.json()["numResults"] == 0 and response.json()["error"] == SENTENCE


def refused_in_text(response: httpx.Response) -> None:
    assert response.status_code == 400
    assert response.text.strip() == SENTENCE


Subscribe = Callable[[TestClient, Reader, str], httpx.Response]
Refused = Callable[[httpx.Response], None]


@pytest.mark.parametrize(
    ("front_end", "accepted", "refused"),
    [
        (web_form, 303, refused_in_page),
        (miniflux_create, 201, refused_in_json),
        (miniflux_import, 201, refused_in_json),
        (greader_quickadd, 200, refused_in_quickadd),
        (greader_edit, 200, refused_in_text),
    ],
    ids=["web form", "Miniflux POST /v1/feeds", "Miniflux /v1/import", "GR quickadd", "GR edit"],
)
def test_every_front_end_stops_at_the_limit(
    client: TestClient,
    store: Store,
    reader: Reader,
    front_end: Subscribe,
    accepted: int,
    refused: Refused,
) -> None:
    first = front_end(client, reader, "https://new.example/last-one")
    assert first.status_code == accepted, first.text
    assert len(store.reading.subscriptions(reader.id)) == LIMIT
    refused(front_end(client, reader, "https://new.example/one-too-many"))
    urls = {s.url for s in store.reading.subscriptions(reader.id)}
    assert len(urls) == LIMIT and "https://new.example/one-too-many" not in urls
    assert store.feeds.find_by_url("https://new.example/one-too-many") is None  # rolled back
    # The decoy at the limit is untouched; an unsubscribe frees a place.
    decoy = next(u for u in store.users.all() if u.name == "decoy")
    assert len(store.reading.subscriptions(decoy.id)) == LIMIT
    store.reading.unsubscribe(reader.id, _feed_id(store, "https://had.example/0"))
    again = front_end(client, reader, "https://new.example/one-too-many")
    assert again.status_code == accepted, again.text


def test_the_store_refuses_past_the_limit_and_says_so(store: Store, reader: Reader) -> None:
    store.reading.subscribe(reader.id, "https://new.example/a", max_subscriptions=LIMIT)
    # Already subscribed wins over the limit: it is the truer answer.
    with pytest.raises(Conflict):
        store.reading.subscribe(reader.id, "https://new.example/a", max_subscriptions=LIMIT)
    with pytest.raises(LimitReached, match=f"^{SENTENCE}$"):
        store.reading.subscribe(reader.id, "https://new.example/b", max_subscriptions=LIMIT)
    # A feed someone else follows is no exception; 0 means no limit.
    with pytest.raises(LimitReached):
        store.reading.subscribe(reader.id, "https://decoy.example/0", max_subscriptions=LIMIT)
    store.reading.subscribe(reader.id, "https://new.example/b", max_subscriptions=0)
    assert len(store.reading.subscriptions(reader.id)) == LIMIT + 1


def test_admin_published_feeds_are_not_limited(store: Store, settings: Settings) -> None:
    for i in range(LIMIT + 2):
        subscribe(store, f"https://published.example/{i}")
    assert len(store.feeds.all()) == LIMIT + 2


@pytest.mark.parametrize("callers", [8])
def test_concurrent_subscribes_end_at_exactly_the_limit(
    store: Store, reader: Reader, callers: int
) -> None:
    store.reading.unsubscribe(reader.id, _feed_id(store, "https://had.example/0"))
    free = LIMIT - len(store.reading.subscriptions(reader.id))
    assert free == 2
    start = threading.Barrier(callers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def subscribe_one(i: int) -> None:
        start.wait()
        try:
            store.reading.subscribe(reader.id, f"https://race.example/{i}", max_subscriptions=LIMIT)
            outcome = "added"
        except LimitReached:
            outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=subscribe_one, args=(i,)) for i in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["added"] * free + ["refused"] * (callers - free)
    assert len(store.reading.subscriptions(reader.id)) == LIMIT
