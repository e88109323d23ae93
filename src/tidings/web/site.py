"""The Site: everything a request handler needs, built once per app and kept in app.state."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request

from tidings.app.signin_limits import SignInLimiter
from tidings.config import Settings
from tidings.site_settings import apply_site_settings
from tidings.store import Store
from tidings.web.pagecache import PageCache
from tidings.web.rendering import Templates
from tidings.web.responses import Rendered
from tidings.web.sessions import Session, SessionSigner, load_session

Discover = Callable[[str], Awaitable[list[str]]]
log = logging.getLogger("tidings.web")

# How long the site settings read from the database are used before they are read again. A change
# made through this process is seen at once (the admin page bumps the page cache's generation);
# this bounds how late other worker processes see it.
SETTINGS_TTL = 5.0


@dataclass(slots=True)
class Site:
    """`settings` are the effective ones: the configured settings (defaults, file, environment)
    with the site settings of the database applied over them (see `tidings.site_settings`)."""

    settings: Settings
    store: Store
    templates: Templates
    signer: SessionSigner
    limiter: SignInLimiter
    cache: PageCache
    discover: Discover | None = None
    configured: Settings = field(init=False)
    _settings_read_at: float = field(default=-math.inf, init=False, repr=False)
    _settings_generation: int = field(default=-1, init=False, repr=False)

    def __post_init__(self) -> None:
        self.configured = self.settings
        self.reload_settings()

    def reload_settings(self) -> None:
        """Read the site settings table (one small query) and apply it over the configured ones.

        When the database cannot be read, the settings in use stay and the read is tried again
        after SETTINGS_TTL.
        """
        generation = self.cache.generation
        try:
            stored = self.store.site_settings.get_all()
        except SQLAlchemyError as exc:
            log.warning("cannot read the site settings: %s", exc)
        else:
            self.settings = apply_site_settings(self.configured, stored)
        self._settings_read_at = time.monotonic()
        self._settings_generation = generation

    def keep_settings_current(self) -> None:
        """Reload the site settings after a change in this process or when SETTINGS_TTL is over."""
        if (
            self._settings_generation != self.cache.generation
            or time.monotonic() - self._settings_read_at > SETTINGS_TTL
        ):
            self.reload_settings()

    def session(self, request: Request) -> Session:
        """The request's session, or the anonymous one."""
        return load_session(request, self.signer)

    def base_url(self, request: Request) -> str:
        """The site's public address without a trailing slash."""
        return (self.settings.base_url or str(request.base_url)).rstrip("/")

    def render(
        self,
        request: Request,
        template: str,
        *,
        session: Session,
        status: int = 200,
        **context: Any,
    ) -> Rendered:
        """An HTML page from `template` with the context every page shares."""
        context.setdefault("now", datetime.now(UTC))
        context.setdefault("alternates", ())
        context.setdefault("flash", ())
        context.update(
            site_name=self.settings.site_name,
            session=session,
            path=request.url.path,
        )
        return Rendered(self.templates.render(template, context), status=status)


def site_of(request: Request) -> Site:
    """The Site of the app serving `request`, with current effective settings."""
    site: Site = request.app.state.site
    site.keep_settings_current()
    return site
