"""What every integration kind is, and the frozen values passed to and from it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from tidings.errors import InvalidInput
from tidings.fetch import Fetcher, PostResult, post


@dataclass(frozen=True, slots=True)
class EntryToSend:
    """The parts of an entry an integration sends."""

    id: int
    url: str
    title: str
    content: str = ""
    author: str = ""
    feed_title: str = ""
    published: str = ""  # ISO 8601, or empty


def web_address(value: str) -> object:
    """Check that `value` is an http(s) address with a host; InvalidInput otherwise."""
    try:
        parts = urlsplit(value.strip())
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "http://[x": an IPv6 literal that is none
        ok = False
    if not ok:
        raise InvalidInput(f"{value!r} is not an http:// or https:// address")
    return value


@dataclass(frozen=True, slots=True)
class Field:
    """One setting of a kind; a `secret` one is stored sealed and shown masked. `check`
    raises InvalidInput (a sentence) for a value the kind cannot use; it runs when the
    setting is saved, so a mistake is told at once rather than at the first delivery."""

    name: str
    label: str
    secret: bool = False
    required: bool = True
    check: Callable[[str], object] | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of one attempt: `retryable` failures are tried again later."""

    ok: bool
    message: str
    retryable: bool = False


class Integration(Protocol):
    """A kind of integration: its name, its settings, and how it sends one entry."""

    @property
    def kind(self) -> str:
        """Return the kind's name, as stored."""
        ...

    @property
    def fields(self) -> tuple[Field, ...]:
        """Return the kind's settings, in the order the form shows them."""
        ...

    async def send(
        self, fetcher: Fetcher, config: Mapping[str, str], entry: EntryToSend
    ) -> Delivery:
        """Return the outcome of sending `entry` with the (unsealed) `config`."""
        ...


def base_url(config: Mapping[str, str]) -> str:
    """Return the service's address from `config`, without a trailing slash."""
    return config["url"].rstrip("/")


def outcome(result: PostResult, what: str) -> Delivery:
    """Return the Delivery a POST's result means: no answer, 429 and 5xx are worth a retry."""
    if result.error is None:
        return Delivery(True, f"Sent to {what}.")
    retryable = result.status is None or result.status == 429 or result.status >= 500
    return Delivery(False, f"{what}: {result.error}", retryable)


async def post_json(
    fetcher: Fetcher, url: str, payload: object, headers: Mapping[str, str]
) -> PostResult:
    """Return the answer to POSTing `payload` as JSON to `url` with `headers`."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    return await post(fetcher, url, body, {"Content-Type": "application/json", **headers})
