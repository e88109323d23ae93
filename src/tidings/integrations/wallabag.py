"""Wallabag: an OAuth password grant at /oauth/v2/token, then POST /api/entries.json."""

from __future__ import annotations

import json
from collections.abc import Mapping

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


class Wallabag:
    """Saves the entry in Wallabag."""

    kind = "wallabag"
    fields = (
        Field("url", "Wallabag address", check=web_address),
        Field("client_id", "Client ID"),
        Field("client_secret", "Client secret", secret=True),
        Field("username", "Username"),
        Field("password", "Password", secret=True),
    )

    async def send(
        self, fetcher: Fetcher, config: Mapping[str, str], entry: EntryToSend
    ) -> Delivery:
        """Return the outcome of getting a token and then creating the entry."""
        root = base_url(config)
        grant = {
            "grant_type": "password",
            "client_id": config["client_id"],
            "client_secret": config["client_secret"],
            "username": config["username"],
            "password": config["password"],
        }
        answer = await post_json(fetcher, f"{root}/oauth/v2/token", grant, {})
        if answer.error is not None:
            return outcome(answer, "Wallabag (sign-in)")
        try:
            token = json.loads(answer.body)["access_token"]
        except (ValueError, KeyError, TypeError):
            return Delivery(False, "Wallabag (sign-in): the answer held no access token.")
        if not isinstance(token, str):
            return Delivery(False, "Wallabag (sign-in): the answer held no access token.")
        result = await post_json(
            fetcher,
            f"{root}/api/entries.json",
            {"url": entry.url, "title": entry.title},
            {"Authorization": f"Bearer {token}"},
        )
        return outcome(result, "Wallabag")
