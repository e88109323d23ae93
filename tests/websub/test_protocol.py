"""The subscriber's pure decisions: signatures, verification of intent, Link headers, leases."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tidings.store.websub import (
    DENIED,
    PENDING_SUBSCRIBE,
    PENDING_UNSUBSCRIBE,
    SUBSCRIBED,
    WebSubSubscription,
)
from tidings.websub.protocol import (
    DEFAULT_LEASE_SECONDS,
    MAX_LEASE_SECONDS,
    header_links,
    hub_and_topic,
    lease_seconds,
    renewal_due,
    signature_valid,
    verify_intent,
)

NOW = datetime(2026, 12, 4, tzinfo=UTC)
BODY = b"<feed/>"


def sign(algorithm: str, secret: str = "s3cret", body: bytes = BODY) -> str:
    return f"{algorithm}=" + hmac.new(secret.encode(), body, algorithm).hexdigest()


@pytest.mark.parametrize(
    ("header", "valid"),
    [
        (sign("sha1"), True),
        (sign("sha256"), True),
        (sign("sha384"), True),
        (sign("sha512"), True),
        (sign("sha256").upper().replace("SHA256", "sha256"), True),  # hex case does not matter
        (sign("md5"), False),  # not a WebSub algorithm
        (sign("sha256", secret="other"), False),
        (sign("sha256", body=b"<feed>changed</feed>"), False),
        ("sha256=" + "0" * 64, False),
        ("sha256", False),
        ("", False),
        (None, False),
        ("sha256=" + hashlib.sha256(BODY).hexdigest(), False),  # a hash, not an HMAC
        ("sha256=zzé", False),  # compare_digest refused the str: a 500
        ("sha256=" + "é" * 64, False),
    ],
)
def test_signature(header: str | None, valid: bool) -> None:
    assert signature_valid("s3cret", header, BODY) is valid


def sub(state: str) -> WebSubSubscription:
    return WebSubSubscription(
        id=1,
        feed_id=2,
        hub="https://hub.example/",
        topic="https://example.com/feed",
        token="t",
        secret="s",
        state=state,
        requested_at=NOW,
    )


TOPIC = "https://example.com/feed"


@pytest.mark.parametrize(
    ("state", "params", "body", "outcome"),
    [
        (
            PENDING_SUBSCRIBE,
            {
                "hub.mode": "subscribe",
                "hub.topic": TOPIC,
                "hub.challenge": "c1",
                "hub.lease_seconds": "600",
            },
            "c1",
            "confirmed",
        ),
        (
            SUBSCRIBED,
            {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "c2"},
            "c2",
            "confirmed",
        ),  # a renewal
        (
            PENDING_SUBSCRIBE,
            {"hub.mode": "subscribe", "hub.topic": TOPIC + "x", "hub.challenge": "c"},
            None,
            None,
        ),  # wrong topic
        (
            PENDING_SUBSCRIBE,
            {"hub.mode": "unsubscribe", "hub.topic": TOPIC, "hub.challenge": "c"},
            None,
            None,
        ),  # a mode we did not ask for
        (
            SUBSCRIBED,
            {"hub.mode": "unsubscribe", "hub.topic": TOPIC, "hub.challenge": "c"},
            None,
            None,
        ),
        (
            PENDING_UNSUBSCRIBE,
            {"hub.mode": "unsubscribe", "hub.topic": TOPIC, "hub.challenge": "c3"},
            "c3",
            "unsubscribed",
        ),
        (
            PENDING_UNSUBSCRIBE,
            {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "c"},
            None,
            None,
        ),
        (DENIED, {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "c"}, None, None),
        (PENDING_SUBSCRIBE, {"hub.mode": "subscribe", "hub.topic": TOPIC}, None, None),
        (
            PENDING_SUBSCRIBE,
            {"hub.mode": "bogus", "hub.topic": TOPIC, "hub.challenge": "c"},
            None,
            None,
        ),
        (
            PENDING_SUBSCRIBE,
            {"hub.mode": "denied", "hub.topic": TOPIC, "hub.reason": "spam"},
            "",
            "denied",
        ),
        (PENDING_SUBSCRIBE, {"hub.mode": "denied", "hub.topic": "https://other/"}, None, None),
    ],
)
def test_verification(
    state: str, params: dict[str, str], body: str | None, outcome: str | None
) -> None:
    answer = verify_intent(sub(state), params)
    assert (answer.body, answer.outcome) == (body, outcome)


def test_verification_of_an_unknown_token_is_refused() -> None:
    params = {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "c"}
    assert verify_intent(None, params).body is None


def test_confirmed_lease_is_the_hubs() -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.topic": TOPIC,
        "hub.challenge": "c",
        "hub.lease_seconds": "600",
    }
    assert verify_intent(sub(PENDING_SUBSCRIBE), params).lease_seconds == 600


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("600", 600),
        (None, DEFAULT_LEASE_SECONDS),
        ("", DEFAULT_LEASE_SECONDS),
        ("-5", DEFAULT_LEASE_SECONDS),
        ("soon", DEFAULT_LEASE_SECONDS),
        ("99999999999", MAX_LEASE_SECONDS),
        ("9" * 40, MAX_LEASE_SECONDS),
        ("١٢", DEFAULT_LEASE_SECONDS),  # int() read these as 12
        ("+600", DEFAULT_LEASE_SECONDS),
    ],
)
def test_lease_seconds(value: str | None, seconds: int) -> None:
    assert lease_seconds(value) == seconds


@pytest.mark.parametrize(
    ("header", "links"),
    [
        (
            '<https://hub.example/>; rel="hub", <https://ex.com/feed>; rel="self"',
            ("https://hub.example/", "https://ex.com/feed"),
        ),
        ("<https://hub.example/>; rel=hub", ("https://hub.example/", None)),
        ('<https://a/>; rel="hub", <https://b/>; rel="hub"', ("https://a/", None)),
        ('<https://ex.com/feed>; rel="self alternate"', (None, "https://ex.com/feed")),
        ('<https://ex.com/>; rel="alternate"', (None, None)),
        ("garbage", (None, None)),
        (None, (None, None)),
    ],
)
def test_header_links(header: str | None, links: tuple[str | None, str | None]) -> None:
    assert header_links(header) == links


@pytest.mark.parametrize(
    ("header", "doc_hub", "doc_self", "found"),
    [
        (None, "https://hub/", "https://ex.com/self", ("https://hub/", "https://ex.com/self")),
        (None, "https://hub/", None, ("https://hub/", "https://ex.com/feed")),
        ('<https://h2/>; rel="hub"', "https://hub/", None, ("https://h2/", "https://ex.com/feed")),
        (None, None, "https://ex.com/self", None),
        (None, "ftp://hub/", None, None),  # only http(s) hubs
    ],
)
def test_hub_and_topic(
    header: str | None, doc_hub: str | None, doc_self: str | None, found: object
) -> None:
    assert hub_and_topic(header, doc_hub, doc_self, "https://ex.com/feed") == found


HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("lease", "since_request", "due"),
    [
        (10 * 24 * HOUR, 9 * 24 * HOUR, False),  # a long lease: in its last hour only
        (10 * 24 * HOUR, 10 * 24 * HOUR - HOUR / 2, True),
        (HOUR, timedelta(minutes=1), False),  # an hour's lease: not every round
        (HOUR, timedelta(minutes=29), False),
        (HOUR, timedelta(minutes=31), True),  # past half of it
        (timedelta(minutes=10), timedelta(minutes=6), True),
        (HOUR, 2 * HOUR, True),  # run out
    ],
)
def test_renewal_due(lease: timedelta, since_request: timedelta, due: bool) -> None:
    requested = NOW - since_request
    subscription = replace(sub(SUBSCRIBED), requested_at=requested, lease_until=requested + lease)
    assert renewal_due(subscription, NOW, 3600) is due
