"""The one error the parser raises."""

from __future__ import annotations


class FeedParseError(ValueError):
    """Nothing feed-like was found in the bytes.

    `feed_links` holds the absolute URLs of the feeds an HTML page announces (autodiscovery), so
    that a caller given a site's address can offer its feeds instead.
    """

    def __init__(self, message: str, feed_links: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.feed_links = feed_links
