"""The WebSub subscriber's decisions, without I/O: signatures, verification of intent, leases.

Every function here is pure and table-tested (tests/websub/test_protocol.py); the service
(websub/service.py) and the callback route (web/websub.py) only carry their answers out.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from tidings.numerals import whole_number
from tidings.store.websub import (
    PENDING_SUBSCRIBE,
    PENDING_UNSUBSCRIBE,
    SUBSCRIBED,
    WebSubSubscription,
)

# The algorithms WebSub allows in X-Hub-Signature; anything else (md5...) is no signature.
ALGORITHMS = ("sha1", "sha256", "sha384", "sha512")
DEFAULT_LEASE_SECONDS = 86_400  # when the hub gives none (the spec leaves it to the hub)
MAX_LEASE_SECONDS = 30 * 86_400  # a hub's "forever" is renewed monthly all the same


def signature_valid(secret: str, header: str | None, body: bytes) -> bool:
    """True when `header` ("sha256=<hex>") is the HMAC of `body` keyed with `secret`.

    The comparison takes constant time; an unknown algorithm or a malformed header is False.
    """
    if not header or "=" not in header:
        return False
    method, _, given = header.strip().partition("=")
    method = method.strip().lower()
    if method not in ALGORITHMS:
        return False
    expected = hmac.new(secret.encode(), body, method).hexdigest()
    # As bytes: compare_digest refuses str with non-ASCII characters ("sha256=zzé" was a 500).
    given_bytes = given.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected.encode("ascii"), given_bytes)


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer to a hub's GET on the callback, and what it changes.

    `body` is the challenge to echo (status 200), or None for a 404. `outcome` is "confirmed"
    (a subscribe verified, lease `lease_seconds`), "unsubscribed", "denied", or None.
    """

    body: str | None
    outcome: str | None = None
    lease_seconds: int = 0
    reason: str | None = None


NOT_FOUND = Verification(None)


def verify_intent(subscription: WebSubSubscription | None, params: dict[str, str]) -> Verification:
    """How to answer the hub's verification request `params` (hub.mode, hub.topic, ...).

    A challenge is echoed only for the subscription's own topic and a mode we asked for: a
    subscribe while one is pending or live (renewal), an unsubscribe while one is pending.
    Everything else is 404, so nobody can make us confirm what we did not ask for.
    """
    mode = params.get("hub.mode", "")
    if subscription is None:
        return NOT_FOUND
    if params.get("hub.topic") != subscription.topic:
        return NOT_FOUND
    if mode == "denied":
        return Verification("", "denied", reason=params.get("hub.reason") or None)
    challenge = params.get("hub.challenge")
    if not challenge:
        return NOT_FOUND
    if mode == "subscribe" and subscription.state in (PENDING_SUBSCRIBE, SUBSCRIBED):
        return Verification(challenge, "confirmed", lease_seconds(params.get("hub.lease_seconds")))
    if mode == "unsubscribe" and subscription.state == PENDING_UNSUBSCRIBE:
        return Verification(challenge, "unsubscribed")
    return NOT_FOUND


def lease_seconds(value: str | None) -> int:
    """The hub's lease in seconds, bounded; the default when absent or not a positive number
    in ASCII digits (int() read "١٢" as 12)."""
    text = (value or "").strip()
    seconds = whole_number(text)
    if seconds is None and text.isascii() and text.isdigit():
        return MAX_LEASE_SECONDS  # more digits than a number holds: "forever"
    if not seconds:
        return DEFAULT_LEASE_SECONDS
    return min(seconds, MAX_LEASE_SECONDS)


def renew_by(now: datetime, margin_seconds: int) -> datetime:
    """Leases ending before this moment are renewed now (see `renewal_due`)."""
    return now + timedelta(seconds=margin_seconds)


def renewal_due(sub: WebSubSubscription, now: datetime, margin_seconds: int) -> bool:
    """Whether a confirmed subscription is renewed now: in the last `margin_seconds` of its
    lease, but not before half of it has passed since it was asked for. A hub may grant an hour
    or less (the spec allows it), and with only the margin such a lease was asked for again at
    every maintenance round, once a minute."""
    if sub.lease_until is None:
        return True
    halfway = sub.requested_at + (sub.lease_until - sub.requested_at) / 2
    return now >= max(sub.lease_until - timedelta(seconds=margin_seconds), halfway)


_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)


def header_links(value: str | None) -> tuple[str | None, str | None]:
    """The (hub, self) URLs of a Link header, the first of each, or None."""
    hub = self_url = None
    for match in _LINK.finditer((value or "")[:8192]):
        rel = _REL.search(match.group(2))
        if rel is None:
            continue
        rels = (rel.group(1) or rel.group(2) or "").lower().split()
        if "hub" in rels and hub is None:
            hub = match.group(1).strip()
        if "self" in rels and self_url is None:
            self_url = match.group(1).strip()
    return hub, self_url


def hub_and_topic(
    link_header: str | None, document_hub: str | None, document_self: str | None, url: str
) -> tuple[str, str] | None:
    """The hub to subscribe to and the topic, or None: HTTP Link headers first (the spec's
    preference), then the document's links; the topic is rel=self, else the feed's URL."""
    hub, self_url = header_links(link_header)
    hub = hub or document_hub
    if not hub or not hub.startswith(("http://", "https://")):
        return None
    topic = self_url or document_self or url
    return hub, topic


def subscribe_form(
    mode: str, topic: str, callback: str, secret: str | None, lease: int | None
) -> dict[str, str]:
    """The form fields of a subscribe or unsubscribe request to a hub."""
    form = {"hub.mode": mode, "hub.topic": topic, "hub.callback": callback}
    if secret is not None:
        form["hub.secret"] = secret
    if lease:
        form["hub.lease_seconds"] = str(lease)
    return form


def encode_form(fields: dict[str, str]) -> bytes:
    """`fields` as an application/x-www-form-urlencoded body."""
    return urlencode(fields).encode()
