"""What every administration page shares: private responses, one-shot messages, redirects."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tidings.web.responses import PRIVATE, send
from tidings.web.sessions import Session, save_session, with_flash, without_flash
from tidings.web.site import site_of


def admin_page(
    request: Request, session: Session, template: str, *, status: int = 200, **context: Any
) -> Response:
    """A private page for the signed-in admin; shows (and so clears) pending messages."""
    site = site_of(request)
    rendered = site.render(
        request, template, session=session, status=status, flash=session.flash, **context
    )
    response = send(request, rendered, cache_control=PRIVATE)
    if session.flash:
        save_session(request, response, site.signer, without_flash(session))
    return response


def redirect_after_post(
    request: Request, session: Session, url: str, message: str | None = None
) -> Response:
    """303 to `url` (post/redirect/get), with a message for the next page."""
    site = site_of(request)
    response = RedirectResponse(url, status_code=303)
    if message:
        save_session(request, response, site.signer, with_flash(session, message))
    return response
