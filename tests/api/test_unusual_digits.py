"""Numbers typed where an id or a count goes, in characters `str.isdigit()` takes and `int()`
refuses or reads otherwise: a 4xx or a title, never a server error. "²" (U+00B2) is a digit to
`isdigit()` and a ValueError to `int()`; an id past 2^63-1 is a PostgreSQL "bigint out of
range". Both databases, every front end the probe reached."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from api_support import PASSWORD, World, greader_headers
from starlette.testclient import TestClient

from support.forms import csrf_of, sign_in
from tidings.numerals import whole_number
from tidings.refresh.schedule import cache_hint, retry_after

SUPERSCRIPT = "\u00b2"
HUGE = "99999999999999999999"


@pytest.mark.parametrize("query", [f"feed:{SUPERSCRIPT}", f"feed:{HUGE}", f"feed:1 feed:{HUGE}"])
def test_a_feed_word_no_id_can_be_is_a_title(client: TestClient, world: World, query: str) -> None:
    preview = client.post("/v1/rules/preview", json={"query": query}, headers=world.alice.headers)
    assert (preview.status_code, preview.json()["total"]) == (200, 0)
    sign_in(client, "alice", PASSWORD)
    for path in ("/reader/search", "/reader/search.rss"):  # a search needs a word too
        assert client.get(path, params={"q": query}).status_code in (200, 400)


@pytest.mark.parametrize(
    "scope", [f"feed:{SUPERSCRIPT}", f"category:{SUPERSCRIPT}", f"feed:{HUGE}"]
)
@pytest.mark.parametrize("do", ["preview", "save"])
def test_a_rule_scope_no_id_can_be_says_so(
    client: TestClient, world: World, scope: str, do: str
) -> None:
    sign_in(client, "alice", PASSWORD)
    token = csrf_of(client.get("/reader/rules").text)
    form = {"csrf_token": token, "name": "r", "query": "alpha", "scope": scope, "do": do}
    page = client.post("/reader/rules", data={**form, "action": "read"})
    assert page.status_code < 500
    assert "choose the" in page.text


def test_google_reader_streams_of_no_id_are_empty(client: TestClient, world: World) -> None:
    headers = greader_headers(client, "alice")
    contents = client.get("/reader/api/0/stream/contents/feed/%C2%B2", headers=headers)
    ids = client.get("/reader/api/0/stream/items/ids", params={"s": "feed/²"}, headers=headers)
    edit = client.post(
        "/reader/api/0/subscription/edit",
        data={"ac": "edit", "s": "feed/²", "t": "x"},
        headers=headers,
    )
    # A stream of a feed one does not follow is empty, as another user's is; editing it is not.
    assert [contents.status_code, ids.status_code, edit.status_code] == [200, 200, 404]
    assert contents.json()["items"] == [] and ids.json()["itemRefs"] == []
    odd = client.get(
        "/reader/api/0/stream/contents/reading-list", params={"c": "²-1"}, headers=headers
    )
    assert odd.status_code == 400


def test_a_subscriptions_category_no_id_can_be_is_ignored(client: TestClient, world: World) -> None:
    sign_in(client, "alice", PASSWORD)
    feed = world.alice.feeds[0]
    token = csrf_of(client.get(f"/reader/subscriptions/{feed}").text)
    form = {"csrf_token": token, "title": "T", "category": SUPERSCRIPT}
    assert client.post(f"/reader/subscriptions/{feed}", data=form).status_code < 500


@pytest.mark.parametrize(
    ("text", "maximum", "number"),
    [
        ("0", 10, 0),
        ("42", 100, 42),
        ("100", 100, 100),
        ("101", 100, None),
        (SUPERSCRIPT, 100, None),  # a digit to isdigit(), a ValueError to int()
        ("\u0663", 100, None),  # ARABIC-INDIC DIGIT THREE: int() reads 3
        ("\uff11", 100, None),  # FULLWIDTH DIGIT ONE
        ("+1", 100, None),
        ("-1", 100, None),
        (" 1", 100, None),
        ("1" * 5000, 2**63 - 1, None),  # int() refuses past 4,300 digits
        (HUGE, 2**63 - 1, None),
        (str(2**63 - 1), 2**63 - 1, 2**63 - 1),
        ("", 100, None),
        (None, 100, None),
    ],
)
def test_whole_number(text: str | None, maximum: int, number: int | None) -> None:
    assert whole_number(text, maximum) == number


def test_a_feed_servers_odd_digits_are_no_hint() -> None:
    now = datetime(2026, 12, 5, tzinfo=UTC)
    assert retry_after({"retry-after": SUPERSCRIPT}, now) is None
    assert retry_after({"retry-after": "120"}, now) == 120
    assert cache_hint({"cache-control": f"max-age={SUPERSCRIPT}"}, None, now) is None
