"""Entry ids past MAX_KEY_BYTES become the digest of their bytes (parse/entries.bounded_key)."""

from __future__ import annotations

import hashlib
import json

import pytest

from tidings.parse import parse_feed
from tidings.parse.entries import MAX_KEY_BYTES, bounded_key


def digest(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@pytest.mark.parametrize(
    ("key", "kept"),
    [
        ("https://example.org/post/1", True),
        ("x" * MAX_KEY_BYTES, True),
        ("x" * (MAX_KEY_BYTES + 1), False),
        ("é" * (MAX_KEY_BYTES // 2), True),  # 1,024 bytes
        ("é" * (MAX_KEY_BYTES // 2 + 1), False),  # 513 characters, 1,026 bytes
        ("😀" * (MAX_KEY_BYTES // 4), True),
        ("😀" * (MAX_KEY_BYTES // 4 + 1), False),
    ],
    ids=["url", "ascii-at-bound", "ascii-past", "2-byte-at", "2-byte-past", "4-byte-at", "4-past"],
)
def test_bounded_key(key: str, kept: bool) -> None:
    assert bounded_key(key) == (key if kept else digest(key))


def test_long_guids_and_links_give_distinct_stable_ids() -> None:
    one, two = "a" * 5000, "a" * 4999 + "b"
    link = "https://example.org/" + "c" * 5000
    document = (
        "<rss version='2.0'><channel><title>t</title>"
        f"<item><guid isPermaLink='false'>{one}</guid><title>1</title></item>"
        f"<item><guid isPermaLink='false'>{two}</guid><title>2</title></item>"
        f"<item><link>{link}</link><title>3</title></item>"
        "</channel></rss>"
    ).encode()
    ids = [entry.id for entry in parse_feed(document, "https://example.org/feed").entries]
    assert ids == [digest(one), digest(two), digest(link)]
    assert [e.link for e in parse_feed(document).entries][2] == link  # the link itself is kept


def test_a_long_json_feed_link_with_a_lone_surrogate_is_no_crash() -> None:
    link = "https://example.org/" + "\ud800" * 600
    document = json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"url": link}]}
    ).encode()
    (entry,) = parse_feed(document, "https://example.org/feed.json").entries
    assert entry.id == digest(link)
