"""Readeck: POST /api/bookmarks with a Bearer token (answers 202 Accepted)."""

from __future__ import annotations

from collections.abc import Mapping

from tidings.fetch import Fetcher
from tidings.integrations.base import (
    Delivery,
    EntryToSend,
    Field,
    base_url,
    outcome,
    post_json,
)


class Readeck:
    """Saves the entry as a Readeck bookmark."""

    kind = "readeck"
    fields = (Field("url", "Readeck address"), Field("token", "API token", secret=True))

    async def send(
        self, fetcher: Fetcher, config: Mapping[str, str], entry: EntryToSend
    ) -> Delivery:
        """Return the outcome of creating the bookmark."""
        result = await post_json(
            fetcher,
            f"{base_url(config)}/api/bookmarks",
            {"url": entry.url, "title": entry.title},
            {"Authorization": f"Bearer {config['token']}"},
        )
        return outcome(result, "Readeck")
