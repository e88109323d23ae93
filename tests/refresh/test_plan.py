"""plan_update as tables of cases: hand-made records in, one FeedUpdate out; no I/O anywhere."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tidings.model import (
    Enclosure,
    Feed,
    FetchResult,
    ParsedEntry,
    ParsedFeed,
)
from tidings.refresh.plan import (
    GONE_REASON,
    PlanSettings,
    body_hash,
    content_hash,
    jitter_value,
    plan_update,
    retention_cutoff,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HOUR = 3600
NO_JITTER = PlanSettings(jitter=0.0)
URL = "https://example.com/feed.xml"
BODY = b"<rss>version 2</rss>"


def entry(key: str, **fields: Any) -> ParsedEntry:
    fields.setdefault("title", f"Title {key}")
    fields.setdefault("published", NOW - timedelta(hours=int(key[-1]) if key[-1].isdigit() else 1))
    return ParsedEntry(id=key, **fields)


ENTRIES = (entry("a1"), entry("b2"), entry("c3"))
PARSED = ParsedFeed(
    version="rss20",
    title="Example News",
    link="https://example.com/",
    description="What is new",
    image="https://example.com/logo.png",
    entries=ENTRIES,
)
FEED = Feed(id=7, url=URL, etag='"old"', last_modified="Fri, 27 Nov 2026 10:00:00 GMT")


def ok(**fields: Any) -> FetchResult:
    values: dict[str, Any] = {
        "url": URL,
        "final_url": URL,
        "status": 200,
        "headers": {"etag": '"new"', "last-modified": "Sat, 28 Nov 2026 11:00:00 GMT"},
        "body": BODY,
        "elapsed": 0.25,
    }
    values.update(fields)
    return FetchResult(**values)


def failed(status: int | None, error: str, **fields: Any) -> FetchResult:
    return ok(status=status, error=error, body=None, headers=fields.pop("headers", {}), **fields)


FAILING = dataclasses.replace(
    FEED, error_count=3, last_error="Boom.", first_error_at=NOW - timedelta(days=2)
)


def plan(
    feed: Feed = FEED,
    result: FetchResult | None = None,
    parsed: ParsedFeed | None = PARSED,
    parse_error: str | None = None,
    existing: dict[str, str] | None = None,
    **options: Any,
) -> Any:
    options.setdefault("settings", NO_JITTER)
    return plan_update(feed, result or ok(), parsed, parse_error, existing or {}, NOW, **options)


# --- entries: new, changed, unchanged ---------------------------------------------------------

ENTRY_CASES = [
    ("first fetch: all new", {}, ["a1", "b2", "c3"], []),
    ("all stored and equal: no writes", {e.id: content_hash(e) for e in ENTRIES}, [], []),
    (
        "one changed, one new",
        {"a1": content_hash(ENTRIES[0]), "b2": "stale-hash"},
        ["c3"],
        ["b2"],
    ),
]


@pytest.mark.parametrize(
    ("existing", "new", "changed"),
    [case[1:] for case in ENTRY_CASES],
    ids=[case[0] for case in ENTRY_CASES],
)
def test_entries_are_sorted_into_new_and_changed(
    existing: dict[str, str], new: list[str], changed: list[str]
) -> None:
    update = plan(existing=existing)
    assert [e.key for e in update.new_entries] == new
    assert [e.key for e in update.changed_entries] == changed
    assert update.seen_keys == ("a1", "b2", "c3")
    assert update.log.new_count == len(new)
    assert update.log.updated_count == len(changed)


def test_entry_data_carries_the_parsed_fields_and_hash() -> None:
    parsed_entry = ParsedEntry(
        id="urn:x",
        link="https://example.com/x",
        title="X",
        author="Ann",
        summary="<p>s</p>",
        content="<p>c</p>",
        published=NOW - timedelta(days=1),
        updated=NOW,
        categories=("news",),
        enclosures=(Enclosure("https://example.com/x.mp3", "audio/mpeg", 123),),
        image="https://example.com/x.png",
    )
    update = plan(parsed=dataclasses.replace(PARSED, entries=(parsed_entry,)))
    (data,) = update.new_entries
    assert data.key == "urn:x"
    assert (data.title, data.link, data.author) == ("X", "https://example.com/x", "Ann")
    assert (data.summary, data.content) == ("<p>s</p>", "<p>c</p>")
    assert (data.published_at, data.updated_at) == (NOW - timedelta(days=1), NOW)
    assert data.categories == ("news",)
    assert data.enclosures == parsed_entry.enclosures
    assert data.image == "https://example.com/x.png"
    assert data.content_hash == content_hash(parsed_entry)
    assert (data.summary_text, data.content_text) == (None, None)  # not given: storage computes


def test_entry_data_carries_the_text_the_parse_step_gave() -> None:
    texts = [("s1", "c1"), ("s2", None), (None, "c3")]
    update = plan(existing={"a1": content_hash(ENTRIES[0]), "b2": "stale"}, texts=texts)
    ((new,), (changed,)) = update.new_entries, update.changed_entries
    assert (new.key, new.summary_text, new.content_text) == ("c3", None, "c3")
    assert (changed.key, changed.summary_text, changed.content_text) == ("b2", "s2", None)
    with pytest.raises(ValueError, match="one text per parsed entry"):
        plan(texts=texts[:2])


def test_entry_without_a_date_has_no_published_at() -> None:
    undated = ParsedEntry(id="u", title="Undated")
    update = plan(parsed=dataclasses.replace(PARSED, entries=(undated,)))
    assert update.new_entries[0].published_at is None


def test_duplicate_keys_count_once_first_wins() -> None:
    twice = (entry("a1", title="First"), entry("b2"), entry("a1", title="Second"))
    update = plan(parsed=dataclasses.replace(PARSED, entries=twice))
    assert [(e.key, e.title) for e in update.new_entries] == [("a1", "First"), ("b2", "Title b2")]
    assert update.seen_keys == ("a1", "b2")


def test_empty_document_deletes_nothing() -> None:
    update = plan(parsed=dataclasses.replace(PARSED, entries=()), existing={})
    assert update.new_entries == ()
    assert update.changed_entries == ()
    assert update.seen_keys == ()
    assert update.feed.error_count == 0


BASE = ENTRIES[0]
HASH_CHANGES = [
    ("title", {"title": "Other"}),
    ("link", {"link": "https://example.com/other"}),
    ("author", {"author": "Bob"}),
    ("summary", {"summary": "<p>other</p>"}),
    ("content", {"content": "<p>other</p>"}),
    ("published", {"published": NOW}),
    ("categories", {"categories": ("x",)}),
    ("enclosures", {"enclosures": (Enclosure("https://example.com/a.mp3"),)}),
    ("enclosure length", {"enclosures": (Enclosure("https://example.com/a.mp3", length=1),)}),
    ("image", {"image": "https://example.com/i.png"}),
]


@pytest.mark.parametrize("changes", [c[1] for c in HASH_CHANGES], ids=[c[0] for c in HASH_CHANGES])
def test_content_hash_changes_with_what_readers_see(changes: dict[str, Any]) -> None:
    assert content_hash(dataclasses.replace(BASE, **changes)) != content_hash(BASE)


@pytest.mark.parametrize("changes", [{"updated": NOW}, {"id": "other-key"}], ids=["updated", "id"])
def test_content_hash_ignores_update_stamps_and_the_key(changes: dict[str, Any]) -> None:
    assert content_hash(dataclasses.replace(BASE, **changes)) == content_hash(BASE)


def test_content_hash_is_stable() -> None:
    # A changed recipe would mark every stored entry as changed once: keep this value fixed.
    assert content_hash(ParsedEntry(id="k", title="T")) == content_hash(
        ParsedEntry(id="other", title="T")
    )
    assert len(content_hash(BASE)) == 64


# --- the feed record after a check ------------------------------------------------------------

FEED_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "200: metadata, validators and body hash",
        {},
        {
            "feed_title": "Example News",
            "site_url": "https://example.com/",
            "description": "What is new",
            "image_url": "https://example.com/logo.png",
            "etag": '"new"',
            "last_modified": "Sat, 28 Nov 2026 11:00:00 GMT",
            "body_hash": body_hash(BODY),
            "checked_at": NOW,
            "error_count": 0,
            "url": URL,
        },
    ),
    (
        "200 without validators forgets the old ones",
        {"result": ok(headers={})},
        {"etag": None, "last_modified": None},
    ),
    (
        "304 keeps validators and body hash",
        {
            "feed": dataclasses.replace(FEED, body_hash="h"),
            "result": ok(status=304, body=None, headers={}),
            "parsed": None,
        },
        {"etag": '"old"', "last_modified": "Fri, 27 Nov 2026 10:00:00 GMT", "body_hash": "h"},
    ),
    (
        "304 with a fresh ETag takes it",
        {"result": ok(status=304, body=None, headers={"etag": '"v2"'}), "parsed": None},
        {"etag": '"v2"', "last_modified": "Fri, 27 Nov 2026 10:00:00 GMT"},
    ),
    (
        "an empty feed title keeps the known one",
        {
            "feed": dataclasses.replace(FEED, feed_title="Known", site_url="https://k/"),
            "parsed": dataclasses.replace(PARSED, title="", link=None),
        },
        {"feed_title": "Known", "site_url": "https://k/"},
    ),
    (
        "the admin's title is never touched",
        {"feed": dataclasses.replace(FEED, title="My name")},
        {"title": "My name", "feed_title": "Example News"},
    ),
    (
        "success resets the errors",
        {"feed": FAILING},
        {"error_count": 0, "last_error": None, "first_error_at": None},
    ),
    (
        "304 resets the errors too",
        {"feed": FAILING, "result": ok(status=304, body=None), "parsed": None},
        {"error_count": 0, "last_error": None, "first_error_at": None},
    ),
    (
        "success re-enables a disabled feed",
        {"feed": dataclasses.replace(FEED, disabled_reason="Gone.")},
        {"disabled_reason": None},
    ),
    (
        "permanent redirect moves the feed",
        {"result": ok(final_url="https://new.example.com/feed", permanent_redirect=True)},
        {"url": "https://new.example.com/feed"},
    ),
    (
        "permanent redirect to an address with a format character does not",
        {"result": ok(final_url="https://exa\u202eelpm.org/feed", permanent_redirect=True)},
        {"url": URL},
    ),
    (
        "permanent redirect to an address too long to store does not",
        {"result": ok(final_url="https://new.example.com/" + "x" * 2000, permanent_redirect=True)},
        {"url": URL},
    ),
    (
        "temporary redirect does not",
        {"result": ok(final_url="https://new.example.com/feed", permanent_redirect=False)},
        {"url": URL},
    ),
    (
        "permanent redirect to an error does not",
        {
            "result": failed(
                404,
                "The server answered 404 Not Found.",
                final_url="https://x/",
                permanent_redirect=True,
            )
        },
        {"url": URL, "error_count": 1},
    ),
    (
        "network error: counted, first error time set",
        {"result": failed(None, "Connection refused by example.com.")},
        {
            "error_count": 1,
            "last_error": "Connection refused by example.com.",
            "first_error_at": NOW,
            "checked_at": NOW,
            "disabled_reason": None,
            "etag": '"old"',
            "body_hash": None,
        },
    ),
    (
        "500 on a failing feed: count grows, first error time kept",
        {"feed": FAILING, "result": failed(500, "The server answered 500 Internal Server Error.")},
        {"error_count": 4, "first_error_at": NOW - timedelta(days=2)},
    ),
    (
        "parse error: counted, validators and hash not taken",
        {
            "feed": dataclasses.replace(FEED, body_hash="old-hash"),
            "parsed": None,
            "parse_error": "The document is not a feed (it is an HTML page).",
        },
        {
            "error_count": 1,
            "last_error": "The document is not a feed (it is an HTML page).",
            "etag": '"old"',
            "last_modified": "Fri, 27 Nov 2026 10:00:00 GMT",
            "body_hash": "old-hash",
        },
    ),
    (
        "429 with Retry-After: not counted, but remembered",
        {
            "result": failed(
                429, "The server answered 429 Too Many Requests.", headers={"retry-after": "600"}
            )
        },
        {
            "error_count": 0,
            "last_error": "The server answered 429 Too Many Requests.",
            "first_error_at": NOW,
        },
    ),
    (
        "503 without Retry-After is an ordinary error",
        {"result": failed(503, "The server answered 503 Service Unavailable.")},
        {"error_count": 1},
    ),
    (
        "410 disables the feed",
        {"result": failed(410, "The server answered 410 Gone.")},
        {"disabled_reason": GONE_REASON, "next_check_at": None, "error_count": 1},
    ),
    (
        "failing for 30 days disables the feed",
        {
            "feed": dataclasses.replace(FAILING, first_error_at=NOW - timedelta(days=30)),
            "result": failed(500, "The server answered 500 Internal Server Error."),
        },
        {
            "disabled_reason": "Disabled after 30 days of errors. "
            "Last error: The server answered 500 Internal Server Error.",
            "next_check_at": None,
        },
    ),
    (
        "failing for 29 days is not yet",
        {
            "feed": dataclasses.replace(FAILING, first_error_at=NOW - timedelta(days=29)),
            "result": failed(500, "The server answered 500 Internal Server Error."),
        },
        {"disabled_reason": None},
    ),
]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [case[1:] for case in FEED_CASES],
    ids=[case[0] for case in FEED_CASES],
)
def test_feed_after_check(arguments: dict[str, Any], expected: dict[str, Any]) -> None:
    feed = plan(**arguments).feed
    assert {name: getattr(feed, name) for name in expected} == expected


def test_failures_write_no_entries_and_log_the_error() -> None:
    update = plan(result=failed(500, "The server answered 500 Internal Server Error."))
    assert update.new_entries == update.changed_entries == update.seen_keys == ()
    assert update.log.error == "The server answered 500 Internal Server Error."
    assert update.log.status == 500


def test_unchanged_body_writes_nothing_but_keeps_seen_keys() -> None:
    feed = dataclasses.replace(FEED, body_hash=body_hash(BODY))
    update = plan(feed=feed)
    assert update.new_entries == update.changed_entries == ()
    assert update.seen_keys == ("a1", "b2", "c3")
    assert update.feed.etag == '"new"'
    assert update.feed.checked_at == NOW


def test_unchanged_body_even_without_parsing() -> None:
    feed = dataclasses.replace(FEED, body_hash=body_hash(BODY))
    update = plan(feed=feed, parsed=None)
    assert update.new_entries == ()
    assert update.feed.error_count == 0


def test_log_line() -> None:
    log = plan().log
    assert (log.feed_id, log.at, log.status) == (7, NOW, 200)
    assert (log.duration_ms, log.bytes, log.new_count, log.error) == (250, len(BODY), 3, None)


# --- next check times -------------------------------------------------------------------------

HOURLY = tuple(entry(f"h{n}", published=NOW - timedelta(hours=n)) for n in range(10))

NEXT_CASES: list[tuple[str, dict[str, Any], float | None]] = [
    ("auto learns from the entries", {"parsed": dataclasses.replace(PARSED, entries=HOURLY)}, 1800),
    (
        "auto honours the feed's TTL",
        {"parsed": dataclasses.replace(PARSED, entries=HOURLY, ttl=120)},
        2 * HOUR,
    ),
    (
        "auto learns from stored dates on a 304",
        {
            "result": ok(status=304, body=None),
            "parsed": None,
            "recent_entry_dates": [NOW - timedelta(days=n) for n in range(8)],
        },
        12 * HOUR,
    ),
    (
        "auto without any dates: the default",
        {"result": ok(status=304, body=None), "parsed": None},
        HOUR,
    ),
    ("fixed interval", {"feed": dataclasses.replace(FEED, refresh_interval=3 * HOUR)}, 3 * HOUR),
    ("never", {"feed": dataclasses.replace(FEED, refresh_interval=0)}, None),
    (
        "first error doubles",
        {"feed": dataclasses.replace(FEED, refresh_interval=HOUR), "result": failed(None, "x")},
        2 * HOUR,
    ),
    (
        "fourth error: 16 times",
        {"feed": dataclasses.replace(FAILING, refresh_interval=HOUR), "result": failed(None, "x")},
        16 * HOUR,
    ),
    (
        "429 waits as asked",
        {
            "feed": dataclasses.replace(FEED, refresh_interval=HOUR),
            "result": failed(429, "x", headers={"retry-after": "10800"}),
        },
        3 * HOUR,
    ),
    (
        "429 on a failing feed: no backoff on top of Retry-After",
        {
            "feed": dataclasses.replace(FAILING, refresh_interval=HOUR),
            "result": failed(429, "x", headers={"retry-after": "7200"}),
        },
        2 * HOUR,
    ),
    (
        "503 with an HTTP date",
        {
            "feed": dataclasses.replace(FEED, refresh_interval=HOUR),
            "result": failed(503, "x", headers={"retry-after": "Sat, 28 Nov 2026 16:00:00 GMT"}),
        },
        4 * HOUR,
    ),
]


@pytest.mark.parametrize(
    ("arguments", "seconds"),
    [case[1:] for case in NEXT_CASES],
    ids=[case[0] for case in NEXT_CASES],
)
def test_next_check(arguments: dict[str, Any], seconds: float | None) -> None:
    when = plan(**arguments).feed.next_check_at
    assert (None if when is None else (when - NOW).total_seconds()) == seconds


def test_jitter_is_deterministic_and_spreads_feeds() -> None:
    settings = PlanSettings()
    fixed = dataclasses.replace(FEED, refresh_interval=HOUR)
    first = plan(feed=fixed, settings=settings).feed.next_check_at
    again = plan(feed=fixed, settings=settings).feed.next_check_at
    assert first == again
    others = {
        plan(feed=dataclasses.replace(fixed, id=n), settings=settings).feed.next_check_at
        for n in range(20)
    }
    assert len(others) > 10
    for when in others:
        assert when is not None
        assert 54 * 60 <= (when - NOW).total_seconds() <= 66 * 60


def test_injected_random_value_places_the_jitter() -> None:
    fixed = dataclasses.replace(FEED, refresh_interval=HOUR)
    update = plan(feed=fixed, settings=PlanSettings(), random_value=0.0)
    assert update.feed.next_check_at == NOW + timedelta(minutes=54)


@pytest.mark.parametrize(("feed_id", "moment"), [(1, NOW), (2, NOW), (1, NOW + timedelta(1))])
def test_jitter_value_is_in_range(feed_id: int, moment: datetime) -> None:
    assert 0.0 <= jitter_value(feed_id, moment) < 1.0


@pytest.mark.parametrize(
    ("seconds", "cutoff"),
    [
        (None, None),
        (0, None),
        (-5, None),
        (86400, NOW - timedelta(days=1)),
        (90 * 86400, NOW - timedelta(days=90)),
    ],
)
def test_retention_cutoff(seconds: int | None, cutoff: datetime | None) -> None:
    assert retention_cutoff(NOW, seconds) == cutoff
