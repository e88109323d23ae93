"""The Site: everything a request handler needs, built once per app and kept in app.state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from tidings.config import Settings
from tidings.store import Store
from tidings.web.pagecache import PageCache
from tidings.web.ratelimit import LoginLimiter
from tidings.web.rendering import Templates
from tidings.web.responses import Rendered
from tidings.web.sessions import Session, SessionSigner, load_session

Discover = Callable[[str], Awaitable[list[str]]]


@dataclass(slots=True)
class Site:
    settings: Settings
    store: Store
    templates: Templates
    signer: SessionSigner
    limiter: LoginLimiter
    cache: PageCache
    discover: Discover | None = None

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
    """The Site of the app serving `request`."""
    site: Site = request.app.state.site
    return site
