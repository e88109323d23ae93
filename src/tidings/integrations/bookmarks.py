"""Bookmark services that take one POST with a token header: Linkding (`POST /api/bookmarks/`,
`Authorization: Token …`) and Readeck (`POST /api/bookmarks`, a Bearer token; answers 202)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tidings.fetch import Fetcher
from tidings.integrations.base import (
    Delivery,
    EntryToSend,
    Field,
    base_url,
    outcome,
    post_json,
    web_address,
)


@dataclass(frozen=True)
class TokenBookmarks:
    """Saves the entry as a bookmark of the service at the config's `url`."""

    kind: str
    name: str
    path: str  # the bookmarks endpoint, below the service's address
    scheme: str  # of the Authorization header
    extra: Mapping[str, object] = field(default_factory=dict)  # more of the JSON body

    @property
    def fields(self) -> tuple[Field, ...]:
        return (
            Field("url", f"{self.name} address", check=web_address),
            Field("token", "API token", secret=True),
        )

    async def send(
        self, fetcher: Fetcher, config: Mapping[str, str], entry: EntryToSend
    ) -> Delivery:
        """Return the outcome of creating the bookmark."""
        result = await post_json(
            fetcher,
            f"{base_url(config)}{self.path}",
            {"url": entry.url, "title": entry.title, **self.extra},
            {"Authorization": f"{self.scheme} {config['token']}"},
        )
        return outcome(result, self.name)


LINKDING = TokenBookmarks("linkding", "Linkding", "/api/bookmarks/", "Token", {"tag_names": []})
READECK = TokenBookmarks("readeck", "Readeck", "/api/bookmarks", "Bearer")
