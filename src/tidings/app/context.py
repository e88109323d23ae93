"""What every front end of one server process shares: the effective settings, the store, the
sign-in limiter, feed discovery and the network half of subscribing (`finder`). The web's Site
extends it with what pages need (templates, the session signer, the page cache); the client APIs
use it alone (`services_of`), so no front end imports another."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request

from tidings.app.signin_limits import SignInLimiter
from tidings.config import Settings
from tidings.media import ProxySigner, proxy_images
from tidings.reading.subscribing import FeedFinder
from tidings.site_settings import apply_site_settings
from tidings.store import Store

Discover = Callable[[str], Awaitable[list[str]]]
log = logging.getLogger("tidings.app")

# How long the site settings read from the database are used before they are read again. A change
# made through this process is seen at once (`changed()`); this bounds how late other worker
# processes see it.
SETTINGS_TTL = 5.0


@dataclass(slots=True)
class Services:
    """`settings` are the effective ones: the configured settings (defaults, file, environment)
    with the site settings of the database applied over them (see `tidings.site_settings`)."""

    settings: Settings
    store: Store
    limiter: SignInLimiter
    discover: Discover | None = None
    finder: FeedFinder | None = None
    configured: Settings = field(init=False)
    changes: int = field(default=0, init=False)
    _settings_read_at: float = field(default=-math.inf, init=False, repr=False)
    _settings_generation: int = field(default=-1, init=False, repr=False)

    def __post_init__(self) -> None:
        self.configured = self.settings
        self.reload_settings()

    def base_url(self, request: Request) -> str:
        """The site's public address without a trailing slash."""
        return (self.settings.base_url or str(request.base_url)).rstrip("/")

    def media_html(self, html: str, base: str = "") -> str:
        """Entry HTML through the one image rewrite (tidings.media) under the current
        media_proxy setting; `base` prefixes the proxy paths (the site's address, for APIs)."""
        mode = self.settings.media_proxy
        if mode == "off":
            return html
        return proxy_images(html, ProxySigner(self.settings.secret_key), mode, base)

    def changed(self) -> None:
        """Note a change made through this process (site settings, categories...)."""
        self.changes += 1

    def reload_settings(self) -> None:
        """Read the site settings table (one small query) and apply it over the configured ones.

        When the database cannot be read, the settings in use stay and the read is tried again
        after SETTINGS_TTL.
        """
        generation = self.changes
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
            self._settings_generation != self.changes
            or time.monotonic() - self._settings_read_at > SETTINGS_TTL
        ):
            self.reload_settings()


def services_of(request: Request) -> Services:
    """The Services of the app serving `request`, with current effective settings."""
    services: Services = request.app.state.site
    services.keep_settings_current()
    return services


def client_address(request: Request) -> str:
    """The address sign-in limits count attempts against."""
    return request.client.host if request.client else "unknown"
