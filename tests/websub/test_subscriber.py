"""The WebSub subscriber against a hub written for the tests (tests/support/websub_hub.py), on
both databases: the full flow through a running server, and the protocol's cases."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from starlette.types import Receive, Scope, Send

from support.decoys import make_decoys
from support.fixtures import TestClient
from support.live_server import LiveServer
from support.recording_service import Service
from support.recording_service import service as service
from support.websub_hub import TestHub, atom
from tidings.accounts import create_user
from tidings.config import Settings, load_settings
from tidings.fetch import Fetcher
from tidings.integrations.service import stored_config
from tidings.rules.model import RuleDraft, checked_rule
from tidings.server import build_app, feed_finder
from tidings.store import Store
from tidings.store.websub import (
    DENIED,
    PENDING_SUBSCRIBE,
    PENDING_UNSUBSCRIBE,
    SUBSCRIBED,
    WebSubSubscription,
)
from tidings.web.app import create_app
from tidings.websub.service import WebSub

T = TypeVar("T")
NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def settings_for(base_url: str, **values: object) -> Settings:
    return load_settings(
        environ={},
        allow_private_networks=True,
        parse_workers=1,
        base_url=base_url,
        secret_key="k" * 32,
        **values,
    )


def until(check: Callable[[], T | None], seconds: float = 10.0) -> T:
    """Poll `check` until it gives something (not None, not False), with a deadline."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value is not None and value is not False:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)  # a poll interval, not a wait for something to happen


@pytest.fixture
def hub() -> Iterator[TestHub]:
    with TestHub() as running:
        yield running


def subscribed_feed(store: Store, hub: TestHub) -> tuple[int, str]:
    """A feed whose document announces the hub: (feed id, topic)."""
    make_decoys(store)
    topic = hub.url + "/feed"
    hub.serve("/feed", atom(topic, hub.url + "/hub", [("a", "First")]))
    return store.feeds.add(topic).id, topic


# --- the full flow, through a running server --------------------------------------------------


@contextlib.contextmanager
def running_server(store: Store) -> Iterator[LiveServer]:
    """The whole server (web app and background: refresher, WebSub, deliveries) on loopback,
    its base_url its own address (known only once the socket is bound)."""
    app_holder: dict[str, object] = {}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await app_holder["app"](scope, receive, send)  # type: ignore[operator]

    server = LiveServer(app, probe="/login")
    app_holder["app"] = build_app(settings_for(server.url), store)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.timed
@pytest.mark.slow
def test_push_reaches_the_reader_within_a_second_without_a_poll(store: Store, hub: TestHub) -> None:
    feed_id, topic = subscribed_feed(store, hub)
    with running_server(store) as server:
        # The refresher checks the new feed, sees the hub and subscribes; the hub verifies.
        hub.wait_for(1, "verified", timeout=20)
        verified = hub.state.verified[0]
        assert (verified.mode, verified.topic, verified.status, verified.echoed) == (
            "subscribe",
            topic,
            200,
            True,
        )
        request = hub.state.requests[0]
        assert request["hub.callback"].startswith(server.url + "/websub/")
        assert request["hub.topic"] == topic
        sub = until(lambda: _live(store, feed_id))
        assert sub.lease_until is not None and sub.lease_until > datetime.now(UTC)
        assert store.entries.count(feed_id=feed_id) == 1
        polls = hub.gets("/feed")

        pushed = atom(topic, hub.url + "/hub", [("b", "Pushed at once"), ("a", "First")])
        started = time.monotonic()
        answer = hub.push(request["hub.callback"], request["hub.secret"], pushed)
        assert answer.status_code == 202
        until(lambda: store.entries.count(feed_id=feed_id) == 2, seconds=1.0)
        assert time.monotonic() - started < 1.0
        assert hub.gets("/feed") == polls  # no poll in between: the push brought it
        titles = {e.title for e in store.entries.newest(feed_id=feed_id, limit=10)}
        assert titles == {"First", "Pushed at once"}
        assert until(lambda: store.websub.for_feed(feed_id)).last_push_at is not None


@pytest.mark.timed
@pytest.mark.slow
def test_a_pushed_entry_goes_through_a_rule_to_a_signed_webhook(
    store: Store, hub: TestHub, service: Service
) -> None:
    """The chain in one: hub push → the refresher's write path → Ann's rule (send) → the
    delivery worker → her webhook, whose signature is checked; Bob, on the same feed without
    the rule, gets nothing sent."""
    feed_id, topic = subscribed_feed(store, hub)
    ann = create_user(store, "ann", "correct horse")
    bob = create_user(store, "bob", "correct horse")
    for user in (ann, bob):
        store.reading.subscribe(user.id, topic)
    config = stored_config("k" * 32, "webhook", {"url": f"{service.url}/hook", "secret": "whsec"})
    hook = store.integrations.create(ann.id, "webhook", "hook", config)
    store.integrations.create(bob.id, "webhook", "bob's", config)
    service.answers["/hook"] = [(200, {})]
    rule = RuleDraft("pushed to the hook", "title:/breaking/i", actions=("send",))
    store.rules.add(ann.id, checked_rule(rule, is_admin=False))
    with running_server(store):
        hub.wait_for(1, "verified", timeout=20)
        request = hub.state.requests[0]
        until(lambda: _live(store, feed_id))
        polls = hub.gets("/feed")
        pushed = atom(topic, hub.url + "/hub", [("b", "Breaking: pushed"), ("a", "First")])
        started = time.monotonic()
        assert hub.push(request["hub.callback"], request["hub.secret"], pushed).status_code == 202
        until(lambda: store.entries.count(feed_id=feed_id) == 2, seconds=1.0)
        assert time.monotonic() - started < 1.0  # in the reader within a second
        (sent,) = until(lambda: service.requests or None, seconds=15)
        assert hub.gets("/feed") == polls  # the push brought it, not a poll
    expected = hmac.new(b"whsec", sent.body, hashlib.sha256).hexdigest()
    assert sent.headers["x-tidings-signature"] == expected
    document = json.loads(sent.body)["entry"]
    assert document["title"] == "Breaking: pushed"
    (delivery,) = store.integrations.log(ann.id)
    assert (delivery.integration_id, delivery.entry_id) == (hook.id, document["id"])
    assert until(lambda: store.integrations.log(ann.id)[0].state == "sent")
    assert store.integrations.log(bob.id) == []


def _live(store: Store, feed_id: int) -> WebSubSubscription | None:
    sub = store.websub.for_feed(feed_id)
    return sub if sub is not None and sub.state == SUBSCRIBED else None


# --- the callback route -----------------------------------------------------------------------


def pending(store: Store, topic: str, feed_id: int) -> WebSubSubscription:
    return store.websub.request(feed_id, "http://hub.invalid/", topic, "tok" + "x" * 29, "sec", NOW)


@pytest.fixture
def client_and_push(store: Store) -> Iterator[tuple[TestClient, WebSub]]:
    settings = settings_for("http://testserver")
    push = WebSub(store, settings)
    with TestClient(create_app(settings, store, push=push)) as client:
        yield client, push


def test_verification_echoes_only_a_pending_subscription(
    store: Store, client_and_push: tuple[TestClient, WebSub]
) -> None:
    client, _ = client_and_push
    make_decoys(store)
    feed_id = store.feeds.add("https://example.com/feed").id
    sub = pending(store, "https://example.com/feed", feed_id)
    url = f"/websub/{sub.token}"
    ok = {"hub.mode": "subscribe", "hub.topic": sub.topic, "hub.challenge": "xyz"}
    assert (
        client.get(url, params={**ok, "hub.topic": "https://example.com/other"}).status_code == 404
    )
    assert client.get(url, params={**ok, "hub.mode": "unsubscribe"}).status_code == 404
    assert client.get("/websub/unknown", params=ok).status_code == 404
    assert store.websub.for_feed(feed_id).state == PENDING_SUBSCRIBE  # type: ignore[union-attr]
    answer = client.get(url, params={**ok, "hub.lease_seconds": "600"})
    assert (answer.status_code, answer.text) == (200, "xyz")
    live = store.websub.for_feed(feed_id)
    assert live is not None and live.state == SUBSCRIBED and live.lease_until is not None


def test_hub_denial_is_recorded(store: Store, client_and_push: tuple[TestClient, WebSub]) -> None:
    client, _ = client_and_push
    feed_id = store.feeds.add("https://example.com/feed").id
    sub = pending(store, "https://example.com/feed", feed_id)
    params = {"hub.mode": "denied", "hub.topic": sub.topic, "hub.reason": "not allowed"}
    assert client.get(f"/websub/{sub.token}", params=params).status_code == 200
    denied = store.websub.for_feed(feed_id)
    assert denied is not None and denied.state == DENIED
    assert denied.last_error == "The hub denied the subscription (not allowed)."


def test_deliveries_need_a_known_token_a_signature_and_a_bounded_size(
    store: Store, hub: TestHub
) -> None:
    settings = settings_for("http://testserver", max_body_bytes=2000)
    push = WebSub(store, settings)
    feed_id = store.feeds.add("https://example.com/feed").id
    sub = pending(store, "https://example.com/feed", feed_id)
    store.websub.confirm(sub.id, 600, datetime.now(UTC))
    body = atom(sub.topic, "http://hub.invalid/", [("a", "A")])
    with TestClient(create_app(settings, store, push=push)) as client:
        url = f"/websub/{sub.token}"

        def post(content: bytes, signature: str | None) -> int:
            headers = {"X-Hub-Signature": signature} if signature else {}
            return client.post(url, content=content, headers=headers).status_code

        import hashlib
        import hmac

        def sign(algorithm: str, secret: str = sub.secret, content: bytes = body) -> str:
            digest = hmac.new(secret.encode(), content, getattr(hashlib, algorithm)).hexdigest()
            return f"{algorithm}={digest}"

        # Acknowledged per the spec, but dropped: no signature, a wrong one, a wrong secret.
        assert post(body, None) == 202
        assert post(body, "sha256=" + "0" * 64) == 202
        assert post(body, sign("sha256", secret="guess")) == 202
        assert push._deliveries.qsize() == 0
        assert store.websub.for_feed(feed_id).last_push_at is None  # type: ignore[union-attr]
        # Unknown callback.
        assert client.post("/websub/nobody", content=body).status_code == 404
        # Too large, signed or not.
        big = body + b" " * 3000
        assert post(big, sign("sha256", content=big)) == 413
        assert push._deliveries.qsize() == 0
        # Every algorithm WebSub allows.
        for algorithm in ("sha1", "sha256", "sha384", "sha512"):
            assert post(body, sign(algorithm)) == 202
        assert push._deliveries.qsize() == 4
        assert push._deliveries.get_nowait().feed_id == feed_id
        assert store.websub.for_feed(feed_id).last_push_at is not None  # type: ignore[union-attr]


# --- the service: subscribe, renew, unsubscribe -----------------------------------------------


def maintain(push: WebSub, settings: Settings) -> None:
    async def run() -> None:
        async with Fetcher.from_settings(settings) as fetcher:
            await push.maintain(fetcher)

    asyncio.run(run())


def test_an_expired_lease_is_renewed_with_the_same_callback(store: Store, hub: TestHub) -> None:
    hub.state.verify = "none"
    settings = settings_for("https://tidings.example")
    push = WebSub(store, settings)
    make_decoys(store)
    feed_id = store.feeds.add(hub.url + "/feed").id
    sub = store.websub.request(feed_id, hub.url + "/hub", hub.url + "/feed", "t" * 32, "s", NOW)
    store.websub.confirm(sub.id, 600, NOW - timedelta(days=1))  # ran out yesterday
    maintain(push, settings)
    hub.wait_for(1)
    request = hub.state.requests[0]
    assert request["hub.mode"] == "subscribe"
    assert request["hub.callback"] == "https://tidings.example/websub/" + "t" * 32
    assert request["hub.secret"] == "s"
    assert request["hub.lease_seconds"] == str(settings.websub_lease_seconds)
    # Still usable while the hub confirms the renewal.
    assert store.websub.for_feed(feed_id).state == SUBSCRIBED  # type: ignore[union-attr]
    # A lease far from its end is left alone.
    store.websub.confirm(sub.id, 86_400, datetime.now(UTC))
    maintain(push, settings)
    assert len(hub.state.requests) == 1


def test_the_hub_is_told_when_the_last_subscriber_leaves(store: Store, hub: TestHub) -> None:
    hub.state.verify = "none"
    settings = settings_for("https://tidings.example")
    push = WebSub(store, settings)
    feed_id = store.feeds.add(hub.url + "/feed").id
    sub = store.websub.request(feed_id, hub.url + "/hub", hub.url + "/feed", "u" * 32, "s", NOW)
    store.websub.confirm(sub.id, 600, datetime.now(UTC))
    store.feeds.remove(feed_id)
    orphan = store.websub.by_token("u" * 32)
    assert orphan is not None and orphan.feed_id is None
    maintain(push, settings)
    hub.wait_for(1)
    assert hub.state.requests[0]["hub.mode"] == "unsubscribe"
    assert hub.state.requests[0]["hub.topic"] == hub.url + "/feed"
    assert store.websub.by_token("u" * 32).state == PENDING_UNSUBSCRIBE  # type: ignore[union-attr]
    # The hub's verification of the unsubscribe removes the row.
    with TestClient(create_app(settings, store, push=push)) as client:
        params = {"hub.mode": "unsubscribe", "hub.topic": orphan.topic, "hub.challenge": "bye"}
        answer = client.get("/websub/" + "u" * 32, params=params)
    assert (answer.status_code, answer.text) == (200, "bye")
    assert store.websub.by_token("u" * 32) is None


def test_a_hub_that_refuses_leaves_a_sentence(store: Store, hub: TestHub) -> None:
    settings = settings_for("https://tidings.example")
    push = WebSub(store, settings)
    feed_id = store.feeds.add(hub.url + "/feed").id

    async def run() -> None:
        async with Fetcher.from_settings(settings) as fetcher:
            await push.subscribe(fetcher, feed_id, hub.url + "/missing", hub.url + "/feed")

    asyncio.run(run())
    sub = store.websub.for_feed(feed_id)
    assert sub is not None and sub.state == PENDING_SUBSCRIBE
    assert sub.last_error is not None and "404" in sub.last_error


def test_a_pushed_feed_is_polled_more_slowly(store: Store, hub: TestHub) -> None:
    from tidings.refresh.run import Refresher

    settings = settings_for("https://tidings.example")
    hub.serve("/pushed", atom(hub.url + "/pushed", hub.url + "/hub", [("a", "A")]))
    hub.serve("/polled", atom(hub.url + "/polled", hub.url + "/hub", [("a", "A")]))
    pushed = store.feeds.add(hub.url + "/pushed", refresh_interval=3600).id
    polled = store.feeds.add(hub.url + "/polled", refresh_interval=3600).id
    sub = store.websub.request(pushed, hub.url + "/hub", hub.url + "/pushed", "p" * 32, "s", NOW)
    store.websub.confirm(sub.id, 86_400, datetime.now(UTC))

    async def run() -> None:
        async with Refresher(store, settings) as refresher:
            await refresher.refresh_due()

    asyncio.run(run())
    now = datetime.now(UTC)
    waits = {}
    for feed_id in (pushed, polled):
        next_check = store.feeds.get(feed_id).next_check_at
        assert next_check is not None
        waits[feed_id] = (next_check - now).total_seconds()
    assert waits[pushed] > 5 * 3600  # push_interval (6 h) less the jitter
    assert waits[polled] < 2 * 3600


# --- our own outputs --------------------------------------------------------------------------


def test_our_hub_is_pinged_for_public_feeds_with_new_entries(store: Store, hub: TestHub) -> None:
    from tidings.refresh.run import Refresher

    hub.state.verify = "none"
    settings = settings_for("https://news.example", websub_hub=hub.url + "/hub")
    push = WebSub(store, settings)
    make_decoys(store)
    hub.serve("/a", atom(hub.url + "/a", hub.url + "/elsewhere", [("1", "One")]))
    public = store.feeds.add(hub.url + "/a").id
    # A reader's private feed is on no published list: no ping for it.
    push.published(dataclasses.replace(store.feeds.get(public), is_public=False))
    assert push.changed_urls() == []

    async def run() -> None:
        refresher = Refresher(store, settings, on_new_entries=push.published)
        async with refresher, Fetcher.from_settings(settings) as fetcher:
            await refresher.refresh_due([public])
            await refresher.refresh_due([public])  # nothing new: no second change
            await push.ping(fetcher)
            await push.ping(fetcher)  # nothing changed since: no request

    asyncio.run(run())
    urls = [r["hub.url"] for r in hub.state.requests if r["hub.mode"] == "publish"]
    assert urls == [
        "https://news.example/feed.rss",
        "https://news.example/feed.atom",
        "https://news.example/feed.json",
        f"https://news.example/sources/{public}/feed.rss",
        f"https://news.example/sources/{public}/feed.atom",
        f"https://news.example/sources/{public}/feed.json",
    ]


def test_a_subscription_s_first_check_tells_of_its_hub(store: Store, hub: TestHub) -> None:
    """The first check a subscribe waits for ran in a refresher of its own that told nobody of
    the document: a feed whose document did not change afterwards (so was not parsed again)
    was never subscribed at its hub. `serve` gives that check WebSub's `announce`."""
    feed_id, topic = subscribed_feed(store, hub)
    told: list[tuple[int, str | None]] = []
    finder = feed_finder(
        settings_for("http://127.0.0.1:9"),
        store,
        on_document=lambda feed, result, parsed: told.append((feed.id, parsed.hub)),
    )
    asyncio.run(asyncio.wait_for(finder.fetch_now(feed_id), 20))
    assert told == [(feed_id, hub.url + "/hub")]
    assert store.feeds.get(feed_id).url == topic
