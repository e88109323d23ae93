"""Shaarli: API v1 POST /api/v1/links, authorized by a JWT (HS512) signed with the API secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_hs512(secret: str, issued_at: int) -> str:
    """Return the token Shaarli accepts: HS512 over a header and an `iat` claim."""
    header = _b64(json.dumps({"typ": "JWT", "alg": "HS512"}, separators=(",", ":")).encode())
    claims = _b64(json.dumps({"iat": issued_at}, separators=(",", ":")).encode())
    signed = f"{header}.{claims}".encode()
    signature = _b64(hmac.new(secret.encode(), signed, hashlib.sha512).digest())
    return f"{header}.{claims}.{signature}"


class Shaarli:
    """Saves the entry as a Shaarli link."""

    kind = "shaarli"
    fields = (
        Field("url", "Shaarli address", check=web_address),
        Field("secret", "API secret", secret=True),
    )

    async def send(
        self, fetcher: Fetcher, config: Mapping[str, str], entry: EntryToSend
    ) -> Delivery:
        """Return the outcome of creating the link."""
        token = jwt_hs512(config["secret"], int(time.time()))
        result = await post_json(
            fetcher,
            f"{base_url(config)}/api/v1/links",
            {"url": entry.url, "title": entry.title, "tags": [], "private": False},
            {"Authorization": f"Bearer {token}"},
        )
        return outcome(result, "Shaarli")
