"""Notifications through Apprise: one library that speaks to ntfy, Gotify, Matrix, Telegram,
Discord, Slack and many more, configured by URLs (`ntfys://ntfy.sh/my-topic`).

Apprise makes its own HTTP requests (with requests/urllib3), not through `tidings.fetch`, so:
- only schemes of services reached over HTTP(S) are accepted (`SCHEMES`); local ones (desktop
  notifications, syslog) and mail (SMTP sockets the guard does not see) are refused;
- the send runs under `fetch.sockets.guarded_urllib3`, so each connection Apprise opens
  obeys the same address policy as the fetcher, and is bounded by the fetcher's total timeout;
- Apprise is imported on first use (it costs ~0.3 s), never at startup.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit

from tidings.errors import InvalidInput
from tidings.fetch import Fetcher
from tidings.fetch.sockets import guarded_urllib3
from tidings.integrations.base import Delivery, EntryToSend, Field

# Apprise schemes of services reached over HTTP(S) only (the `s` forms use TLS).
SCHEMES: Final = frozenset(
    {
        "apprise", "apprises", "discord", "form", "forms", "gotify", "gotifys", "ifttt",
        "json", "jsons", "matrix", "matrixs", "mmost", "mmosts", "msteams", "ntfy", "ntfys",
        "pbul", "pover", "rocket", "rockets", "signal", "signals", "slack", "tgram", "xml",
        "xmls",
    }
)  # fmt: skip
MAX_URLS: Final = 10


def notification_urls(text: str) -> list[str]:
    """Return the Apprise URLs of `text` (one per line or space-separated); InvalidInput with
    a sentence for a scheme tidings does not allow or too many URLs."""
    urls = text.split()
    if not urls:
        raise InvalidInput("give at least one Apprise URL, such as ntfys://ntfy.sh/my-topic")
    if len(urls) > MAX_URLS:
        raise InvalidInput(f"at most {MAX_URLS} Apprise URLs")
    for url in urls:
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError:  # "ntfys://[x": an IPv6 literal that is none
            raise InvalidInput(f"{url!r} is not a URL") from None
        if scheme not in SCHEMES:
            raise InvalidInput(
                f"{scheme or url!r} is not an Apprise service tidings sends to; "
                f"it accepts: {', '.join(sorted(SCHEMES))}"
            )
    return urls


def message(entry: EntryToSend) -> tuple[str, str]:
    """Return the notification's title and body for `entry`."""
    title = entry.title or "(untitled)"
    lines = [entry.feed_title, entry.url]
    return title, "\n".join(line for line in lines if line)


def _notify(urls: list[str], title: str, body: str, allow_private_networks: bool) -> Delivery:
    """Return the outcome of notifying every URL through Apprise; runs in a worker thread."""
    import apprise

    # Apprise sends from its own pool threads, each with a copy of this context, which
    # carries the guard (a context variable).
    notifier = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))
    for url in urls:
        if not notifier.add(url):
            return Delivery(False, f"Apprise: {urlsplit(url).scheme}:// URL not understood.")
    with guarded_urllib3(allow_private_networks) as refusals:
        delivered = bool(notifier.notify(body=body, title=title, body_format="text"))
    if delivered:
        return Delivery(True, "Sent through Apprise.")
    if refusals:
        return Delivery(False, f"Apprise: {refusals[0]}")
    # Apprise does not say why: a service down and a wrong token look alike, so retry.
    return Delivery(False, "Apprise: not every service took the notification.", True)


class Notifications:
    """Sends a short notification (title, feed, link) of the entry through Apprise."""

    kind = "apprise"
    fields = (Field("urls", "Apprise URLs (one per line)", secret=True, check=notification_urls),)

    async def send(
        self, fetcher: Fetcher, config: Mapping[str, str], entry: EntryToSend
    ) -> Delivery:
        """Return the outcome of notifying every URL of `config`."""
        try:
            urls = notification_urls(config["urls"])
        except InvalidInput as error:
            return Delivery(False, f"Apprise: {error}.")
        title, body = message(entry)
        try:
            async with asyncio.timeout(fetcher.timeout_total):
                return await asyncio.to_thread(
                    _notify, urls, title, body, fetcher.allow_private_networks
                )
        except TimeoutError:
            return Delivery(False, "Apprise: no answer in time.", retryable=True)
