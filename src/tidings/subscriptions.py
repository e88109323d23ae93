"""Subscribing: validating a feed URL, adding feeds one by one or from OPML, exporting OPML.

The CLI and the web call these same functions. `subscribe`/`import_opml` publish feeds for the
site (admins); `subscribe_reader` is how every front end subscribes a reader (web, Miniflux,
Google Reader), with the site's checks and limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from tidings.addresses import check_url
from tidings.config import Settings
from tidings.errors import InvalidInput, UserError
from tidings.model import Category, Feed
from tidings.reading.limits import FEED_URL_RULE, category_name, feed_url_fits
from tidings.store import Conflict

if TYPE_CHECKING:
    from tidings.reading_model import Subscription
    from tidings.store import Store


class SubscriptionError(UserError, ValueError):
    """A subscription that cannot be made; the message is for the user."""


def normalize_feed_url(url: str) -> str:
    """The URL as stored: http(s) only, scheme and host lower-cased, no fragment.

    Raises SubscriptionError naming what is wrong.
    """
    text = url.strip()
    if not feed_url_fits(text):  # first: the messages below quote the address
        raise SubscriptionError(FEED_URL_RULE)
    if "://" not in text and text and not text.startswith("/"):
        text = "https://" + text  # people paste "example.org/feed"
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError on a port that is not a number
    except ValueError:
        raise SubscriptionError(f"{url!r} is not a valid URL") from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise SubscriptionError(f"{url!r} is not an http or https URL")
    if not parts.hostname:
        raise SubscriptionError(f"{url!r} has no host name")
    if any(c.isspace() for c in text):
        raise SubscriptionError(f"{url!r} contains spaces")
    if not text.isprintable():
        # Control and format characters (U+202E turns "exa\u202eelpm.org" into what reads as
        # another host) have no place in an address a reader is shown.
        raise SubscriptionError(f"{url!r} contains invisible or control characters")
    netloc = parts.hostname.lower() if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password:
            userinfo += f":{parts.password}"
        netloc = f"{userinfo}@{netloc}"
    if port is not None:
        netloc += f":{port}"
    normalized = urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))
    if not feed_url_fits(normalized):  # "https://" or a "/" added
        raise SubscriptionError(FEED_URL_RULE)
    return normalized


def check_feed_url(url: str, *, allow_private_networks: bool = False) -> str:
    """The normalized URL, once it passes the network guard's pre-check; else SubscriptionError.

    Literal private addresses and "localhost" are refused here, at once; names that resolve to
    private addresses are refused by the fetcher when it connects.
    """
    clean_url = normalize_feed_url(url)
    refusal = check_url(clean_url, allow_private_networks=allow_private_networks)
    if refusal:
        raise SubscriptionError(refusal)
    return clean_url


def subscribe(
    store: Store,
    url: str,
    *,
    title: str | None = None,
    refresh_interval: int | None = None,
    categories: Sequence[str] = (),
    allow_private_networks: bool = False,
) -> Feed:
    """The new feed, due for its first check at once; SubscriptionError when it cannot be added."""
    clean_url = check_feed_url(url, allow_private_networks=allow_private_networks)
    for name in categories:  # before the feed is added: a name refused leaves nothing behind
        if name.strip():  # blank ones are skipped, as the store skips them
            category_name(name)
    try:
        feed = store.feeds.add(clean_url, title=title, refresh_interval=refresh_interval)
    except Conflict as exc:
        raise SubscriptionError(str(exc)) from None
    if categories:
        store.categories.set_for_feed(feed.id, categories)
    return feed


def subscribe_reader(
    store: Store,
    settings: Settings,
    user_id: int,
    url: str,
    *,
    title: str | None = None,
    categories: Sequence[str] = (),
    crawler: bool = False,
    scraper_rules: str | None = None,
    admin: bool = False,
) -> Subscription:
    """The reader's new subscription to the feed at `url`.

    The one way a front end subscribes a reader: the URL passes check_feed_url (SubscriptionError
    otherwise) and the store refuses, in the same transaction as the insert, a subscription past
    `max_subscriptions_per_user` (LimitReached, a sentence for the reader) or one the reader has
    (Conflict). `crawler` and `scraper_rules` (checked by tidings.scraper; None: the feed's stay)
    are stored with it, as the store allows (`admin`: the reader is an administrator).
    """
    clean_url = check_feed_url(url, allow_private_networks=settings.allow_private_networks)
    return store.reading.subscribe(
        user_id,
        clean_url,
        title=title,
        categories=categories,
        max_subscriptions=settings.max_subscriptions_per_user,
        crawler=crawler,
        scraper_rules=scraper_rules,
        admin=admin,
    )


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an OPML import did: feeds added, URLs skipped as duplicates, and invalid entries."""

    added: tuple[Feed, ...]
    duplicates: tuple[str, ...]
    invalid: tuple[str, ...]  # "URL: reason"


def import_opml(store: Store, data: bytes, *, allow_private_networks: bool = False) -> ImportReport:
    """Subscribe to every feed of an OPML document; raises OPMLError when the file is unusable."""
    # OPML needs lxml: imported by the two functions that read or write it, not by `tidings add`.
    from tidings.publish.opml import parse_opml

    added: list[Feed] = []
    duplicates: list[str] = []
    invalid: list[str] = []
    for item in parse_opml(data):
        try:
            url = check_feed_url(item.url, allow_private_networks=allow_private_networks)
        except SubscriptionError as exc:
            invalid.append(f"{item.url}: {exc}")
            continue
        known = store.feeds.find_by_url(url)
        if known is not None and known.is_public:
            duplicates.append(url)
            continue
        try:
            # A feed only readers follow so far is published (store.feeds.add), as `tidings
            # add` and the sources page do; it was reported as a duplicate and left private.
            feed = subscribe(
                store,
                url,
                title=item.title,
                categories=item.categories,
                allow_private_networks=allow_private_networks,
            )
        except (SubscriptionError, InvalidInput) as exc:
            invalid.append(f"{item.url}: {exc}")
            continue
        added.append(feed)
    return ImportReport(tuple(added), tuple(duplicates), tuple(invalid))


def export_opml(store: Store, *, title: str = "tidings subscriptions") -> bytes:
    """An OPML document of every feed, grouped by category."""
    from tidings.publish.opml import write_opml

    return write_opml(store.feeds.all(), store.categories.by_feed(), title=title)


@dataclass(frozen=True, slots=True)
class ReaderImport:
    """What importing an OPML list did for a reader: how many feeds they now follow from it,
    and the addresses skipped with why (followed already, not usable)."""

    subscribed: int
    skipped: tuple[str, ...]


def import_reader_opml(store: Store, settings: Settings, user_id: int, data: bytes) -> ReaderImport:
    """Subscribe the reader to every feed of an OPML document, as `subscribe_reader` does (so
    the same checks and the same per-reader limit: LimitReached stops the import, the feeds
    before it stay). OPMLError when the file is unusable. Every front end imports with it."""
    from tidings.publish.opml import parse_opml  # lxml: not for `tidings add`

    subscribed = 0
    skipped: list[str] = []
    for item in parse_opml(data):
        try:
            subscribe_reader(
                store, settings, user_id, item.url, title=item.title, categories=item.categories
            )
        except (SubscriptionError, Conflict, InvalidInput) as exc:
            # One odd outline (a 300-character title, a folder past the categories' limit) is
            # skipped with its reason; it ended the import, a 500 on the web. LimitReached (the
            # subscriptions' limit) is none of these: it stops the import.
            skipped.append(f"{item.url}: {exc}")
        else:
            subscribed += 1
    return ReaderImport(subscribed, tuple(skipped))


def export_reader_opml(store: Store, user_id: int, title: str) -> bytes:
    """The reader's subscriptions as an OPML document (their titles and categories)."""
    from tidings.publish.opml import write_opml

    subs = store.reading.subscriptions(user_id, with_unread=False)
    feeds = [
        Feed(id=s.feed_id, url=s.url, title=s.display_title, site_url=s.site_url) for s in subs
    ]
    categories = {s.feed_id: [Category(id=c.id, name=c.name) for c in s.categories] for s in subs}
    return write_opml(feeds, categories, title=title)
