"""Linkding: POST /api/bookmarks/ with `Authorization: Token …`."""

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


class Linkding:
    """Saves the entry as a Linkding bookmark."""

    kind = "linkding"
    fields = (Field("url", "Linkding address"), Field("token", "API token", secret=True))

    async def send(
        self, fetcher: Fetcher, config: Mapping[str, str], entry: EntryToSend
    ) -> Delivery:
        """Return the outcome of creating the bookmark."""
        result = await post_json(
            fetcher,
            f"{base_url(config)}/api/bookmarks/",
            {"url": entry.url, "title": entry.title, "tag_names": []},
            {"Authorization": f"Token {config['token']}"},
        )
        return outcome(result, "Linkding")
