"""Assembling the web server: the app over a store, with the refresher and feed discovery.

`tidings serve` calls `build_app` for one process; with `--workers N` uvicorn imports
`app_from_environment` in each worker process. Every worker then runs a refresher too: leases on
feeds keep them from checking a feed twice.
"""

from __future__ import annotations

import asyncio
import os
from functools import partial

from starlette.applications import Starlette

from tidings.config import Settings, ensure_secret_key, load_settings
from tidings.discovery import discover_feeds, find_feed
from tidings.icons.refresher import run_icons
from tidings.integrations.worker import run_deliveries
from tidings.reading.subscribing import FeedFinder
from tidings.refresh.run import OnDocument, Refresher, refresh_now
from tidings.store import Store
from tidings.web.app import create_app
from tidings.websub.service import WebSub

# Set by `tidings serve --no-refresh --workers N` for its worker processes. Not a TIDINGS_
# variable: those are settings, and an unknown one is refused.
NO_REFRESH_VARIABLE = "_TIDINGS_SERVE_NO_REFRESH"


def feed_finder(
    settings: Settings, store: Store, on_document: OnDocument | None = None
) -> FeedFinder:
    """Subscribing's network half: discovery, and a feed's first check now (its document shown
    to `on_document`, as the background refresher's are)."""
    return FeedFinder(
        find=partial(find_feed, settings),
        fetch_now=partial(refresh_now, store, settings, on_document=on_document),
    )


async def run_background(store: Store, settings: Settings, push: WebSub) -> None:
    """The refresher and the WebSub subscriber, sharing one refresher (its parse processes and
    its writer), and beside them (never in their way) the look for site icons, until cancelled."""
    refresher = Refresher(store, settings, on_document=push.announce, on_new_entries=push.published)
    async with refresher, asyncio.TaskGroup() as group:
        group.create_task(refresher.run_forever())
        group.create_task(push.run(refresher))
        group.create_task(run_icons(store, settings))


def build_app(settings: Settings, store: Store, *, refresh: bool = True) -> Starlette:
    """The web app over `store`, sending entries to integrations in the background and
    refreshing feeds (and icons) unless `refresh` is False (then pushes are not taken either:
    the callback answers 202 and drops them)."""
    push = WebSub(store, settings)

    async def background() -> None:
        # Deliveries to integrations run beside the refresher (docs/integrations.md).
        work = [run_deliveries(store, settings)]
        if refresh:
            work.append(run_background(store, settings, push))
        await asyncio.gather(*work)

    return create_app(
        settings,
        store,
        background=background,
        discover=partial(discover_feeds, settings),
        finder=feed_finder(settings, store, push.announce if refresh else None),
        push=push if refresh else None,
    )


def app_from_environment() -> Starlette:
    """The app as configured by TIDINGS_* variables (uvicorn's factory for worker processes)."""
    settings = ensure_secret_key(load_settings())
    store = Store.open(settings.effective_database_url())
    store.check_schema()  # the parent process migrated before starting workers
    return build_app(settings, store, refresh=os.environ.get(NO_REFRESH_VARIABLE) != "1")
