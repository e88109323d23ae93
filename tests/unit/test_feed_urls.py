"""`subscriptions.normalize_feed_url`: the one check every stored feed address passes."""

from __future__ import annotations

import re

import pytest

from tidings.reading.limits import FEED_URL_RULE, MAX_FEED_URL
from tidings.subscriptions import SubscriptionError, normalize_feed_url


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("example.org/feed", "https://example.org/feed"),
        ("HTTP://Example.ORG/Feed#top", "http://example.org/Feed"),
        ("https://café.example/feed", "https://café.example/feed"),
        ("https://e.example/" + "x" * (MAX_FEED_URL - 18), "https://e.example/" + "x" * 1982),
    ],
)
def test_kept(typed: str, stored: str) -> None:
    assert normalize_feed_url(typed) == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("https://exa\u202eelpm.org/feed", "invisible or control characters"),
        ("https://e.example/\u200bfeed", "invisible or control characters"),
        ("https://e.example/\x07", "invisible or control characters"),
        ("https://e.example/a b", "contains spaces"),
        ("ftp://e.example/feed", "not an http or https URL"),
        ("https://e.example/" + "x" * (MAX_FEED_URL - 17), FEED_URL_RULE),
        ("https://e.example/" + "é" * (MAX_FEED_URL // 2), FEED_URL_RULE),  # bytes, not characters
    ],
)
def test_refused(typed: str, says: str) -> None:
    with pytest.raises(SubscriptionError, match=re.escape(says)):
        normalize_feed_url(typed)
