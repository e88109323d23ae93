"""The Site: everything a request handler needs, built once per app and kept in app.state."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from starlette.requests import Request

from tidings.app.context import Discover, Services
from tidings.web.pagecache import PageCache
from tidings.web.rendering import Templates
from tidings.web.responses import Rendered
from tidings.web.sessions import Session, SessionSigner, load_session

# A <pre> start tag of cleaned entry HTML (text never holds a raw "<": the cleaner escapes it).
_PRE: Final = re.compile(r"<pre(?=[\s>])")


def keyboard_scrollable(html: str) -> str:
    """Return entry HTML whose <pre> blocks take keyboard focus, so a keyboard user can scroll
    a long code line sideways (WCAG 2.1.1; axe: scrollable-region-focusable)."""
    return _PRE.sub('<pre tabindex="0"', html)


@dataclass(slots=True, kw_only=True)
class Site(Services):
    """The Services every front end shares, with what the web's pages need besides."""

    templates: Templates
    signer: SessionSigner
    cache: PageCache

    def __post_init__(self) -> None:
        Services.__post_init__(self)
        # A global, so macros imported without the page's context (macros.html) have it too.
        self.templates.env.globals["media_html"] = self.page_html

    def page_html(self, html: str) -> str:
        """Return entry HTML as a web page shows it: images under the media proxy setting and
        <pre> blocks focusable (the APIs take `media_html` alone)."""
        return keyboard_scrollable(self.media_html(html))

    def changed(self) -> None:
        """Note a change made through this process: settings are read again, pages rendered
        again (the page cache is emptied)."""
        Services.changed(self)
        self.cache.bump()

    def session(self, request: Request) -> Session:
        """The request's session, or the anonymous one."""
        return load_session(request, self.signer)

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
        # A signed-in person's pending messages show on any page (public ones too: "Following").
        context.setdefault("flash", session.flash if session.signed_in else ())
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


__all__ = ["Discover", "Site", "site_of"]
