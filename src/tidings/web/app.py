"""The ASGI application: routes table, middleware, lifespan with the background refresher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute, Route

from tidings.api import api_routes
from tidings.app.signin_limits import SignInLimiter
from tidings.config import Settings
from tidings.reading.subscribing import FeedFinder
from tidings.store import Store
from tidings.web import (
    admin,
    admin_categories,
    admin_import,
    admin_sources,
    follow,
    icons,
    login,
    media_proxy,
    outputs,
    pages,
    websub,
)
from tidings.web.assets import StaticAssets
from tidings.web.cleanpath import CleanPathMiddleware
from tidings.web.errors import http_error, server_error, sign_in_required
from tidings.web.guards import SignInRequired
from tidings.web.identity import IdentityMiddleware
from tidings.web.nulguard import NulGuardMiddleware
from tidings.web.pagecache import PageCache
from tidings.web.reader import reader_routes
from tidings.web.rendering import Templates
from tidings.web.security import SecurityHeadersMiddleware
from tidings.web.sessions import SessionSigner
from tidings.web.site import Discover, Site
from tidings.websub.service import WebSub

Background = Callable[[], Awaitable[None]]
log = logging.getLogger("tidings.web")


def routes(assets: StaticAssets) -> list[BaseRoute]:
    """Every route of the site, in matching order."""
    return [
        # Public pages first: they are the hot path, and Starlette tries routes in order.
        *pages.ROUTES,
        *outputs.ROUTES,
        *websub.ROUTES,
        *icons.ROUTES,
        *media_proxy.ROUTES,
        *login.ROUTES,
        *follow.ROUTES,
        # The fixed admin paths come before those with an id so "add" is never read as an id.
        *admin_sources.ROUTES,
        *admin.ROUTES,
        *admin_import.ROUTES,
        *admin_categories.ROUTES,
        *reader_routes(),
        # The client-app APIs' paths (/v1/, /api/greader.php, /reader/api/0/, /accounts/
        # ClientLogin, /fever/) match none of the site's routes above, so their place is free.
        *api_routes(),
        Route("/static/{name}", assets.serve, name="static"),
    ]


async def _run(background: Background) -> None:
    """Run the background work; a crash is logged (the site keeps serving what it has)."""
    try:
        await background()
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("the background task stopped with an error")


def create_app(
    settings: Settings,
    store: Store,
    *,
    background: Background | None = None,
    discover: Discover | None = None,
    finder: FeedFinder | None = None,
    push: WebSub | None = None,
) -> Starlette:
    """The web application over `store`; `background` runs for as long as the app does, and
    `push` (the WebSub subscriber) takes the deliveries of the callback route."""
    assets = StaticAssets()
    site = Site(
        settings=settings,
        store=store,
        templates=Templates(assets),
        signer=SessionSigner(settings.secret_key),
        limiter=SignInLimiter(),
        cache=PageCache(),
        discover=discover,
        finder=finder,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = (
            asyncio.create_task(_run(background), name="tidings-background") if background else None
        )
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = Starlette(
        routes=routes(assets),
        middleware=[
            Middleware(CleanPathMiddleware),
            Middleware(SecurityHeadersMiddleware),
            Middleware(NulGuardMiddleware),
            Middleware(GZipMiddleware, minimum_size=1000),
            Middleware(IdentityMiddleware),
        ],
        exception_handlers={
            HTTPException: http_error,
            SignInRequired: sign_in_required,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.site = site
    app.state.websub = push
    return app
