"""Webhook: POST the entry as JSON, signed with HMAC-SHA256 over the body.

The signature goes in `X-Tidings-Signature` as lower-case hex (as Miniflux's
`X-Miniflux-Signature`), so the receiver can check that the body came from this reader.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Final

from tidings.fetch import Fetcher, post
from tidings.integrations.base import Delivery, EntryToSend, Field, outcome, web_address

SIGNATURE_HEADER: Final = "X-Tidings-Signature"


def sign(secret: str, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of `body` under `secret`."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(entry: EntryToSend) -> bytes:
    """Return the JSON body sent for `entry`."""
    document = {
        "event_type": "save_entry",
        "entry": {
            "id": entry.id,
            "url": entry.url,
            "title": entry.title,
            "content": entry.content,
            "author": entry.author,
            "feed_title": entry.feed_title,
            "published_at": entry.published,
        },
    }
    return json.dumps(document, ensure_ascii=False).encode()


class Webhook:
    """POSTs the entry to any URL."""

    kind = "webhook"
    fields = (
        Field("url", "Webhook URL", check=web_address),
        Field("secret", "Signing secret", secret=True),
    )

    async def send(
        self, fetcher: Fetcher, config: Mapping[str, str], entry: EntryToSend
    ) -> Delivery:
        """Return the outcome of POSTing the signed entry to the webhook."""
        body = payload(entry)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(config["secret"], body),
        }
        return outcome(await post(fetcher, config["url"], body, headers), "the webhook")
