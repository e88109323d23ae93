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
from tidings.reading.subscribing import FeedFinder
from tidings.refresh.run import refresh_now, run_refresher
from tidings.store import Store
from tidings.web.app import create_app

# Set by `tidings serve --no-refresh --workers N` for its worker processes. Not a TIDINGS_
# variable: those are settings, and an unknown one is refused.
NO_REFRESH_VARIABLE = "_TIDINGS_SERVE_NO_REFRESH"


def feed_finder(settings: Settings, store: Store) -> FeedFinder:
    """Subscribing's network half: discovery, and a feed's first check now."""
    return FeedFinder(
        find=partial(find_feed, settings), fetch_now=partial(refresh_now, store, settings)
    )


async def run_background(store: Store, settings: Settings) -> None:
    """The refresher and, beside it (never in its way), the look for site icons."""
    await asyncio.gather(run_refresher(store, settings), run_icons(store, settings))


def build_app(settings: Settings, store: Store, *, refresh: bool = True) -> Starlette:
    """The web app over `store`, refreshing feeds (and icons) in the background unless
    `refresh` is False."""
    background = partial(run_background, store, settings) if refresh else None
    return create_app(
        settings,
        store,
        background=background,
        discover=partial(discover_feeds, settings),
        finder=feed_finder(settings, store),
    )


def app_from_environment() -> Starlette:
    """The app as configured by TIDINGS_* variables (uvicorn's factory for worker processes)."""
    settings = ensure_secret_key(load_settings())
    store = Store.open(settings.effective_database_url())
    store.check_schema()  # the parent process migrated before starting workers
    return build_app(settings, store, refresh=os.environ.get(NO_REFRESH_VARIABLE) != "1")
