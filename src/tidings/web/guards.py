"""Who may do what: sign-in and admin checks, CSRF and origin checks on every form."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from tidings.app.context import client_address as client_address  # the pages' too
from tidings.web.identity import signed_in_user
from tidings.web.sessions import CSRF_FIELD, Session, csrf_valid
from tidings.web.site import site_of

# Form limits: an OPML upload is the largest thing anyone posts.
MAX_FORM_FIELDS = 200
MAX_FILES = 1
MAX_PART_BYTES = 1_000_000


class SignInRequired(Exception):
    """The page needs a signed-in user; the app answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.login_url = "/login?next=" + quote(next_path, safe="/")


def next_of(request: Request) -> str:
    path = request.url.path
    return path + ("?" + request.url.query if request.url.query else "")


def require_reader(request: Request) -> Session:
    """The session, when the site's pages may be read by it; SignInRequired otherwise."""
    site = site_of(request)
    session = site.session(request)
    if site.settings.require_sign_in and not session.signed_in:
        raise SignInRequired(next_of(request))
    return session


async def require_admin(request: Request) -> Session:
    """The session of a signed-in administrator; SignInRequired or 403 otherwise.

    The user and role are the live session row's (tidings.web.identity), read on this request:
    a removed or demoted admin, or an ended session, loses access at once.
    """
    session = site_of(request).session(request)
    user = signed_in_user(request)
    if user is None:
        raise SignInRequired(next_of(request))
    if not user.is_admin:
        raise HTTPException(403, "This page is for administrators.")
    return session


async def checked_form(request: Request, session: Session) -> FormData:
    """The posted form once its CSRF token and origin are verified; 403 otherwise."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        own = urlsplit(str(request.base_url)).netloc
        try:
            foreign = urlsplit(origin).netloc != own
        except ValueError:  # "http://[x" is no origin at all (it was a 500)
            foreign = True
        if foreign:
            raise HTTPException(403, "The form was sent from another site.")
    form = await request.form(
        max_files=MAX_FILES, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_PART_BYTES
    )
    if not csrf_valid(session, form.get(CSRF_FIELD)):
        raise HTTPException(
            403, "The form has expired or did not come from this site. Reload it and try again."
        )
    if any("\x00" in k or (isinstance(v, str) and "\x00" in v) for k, v in form.multi_items()):
        # No field takes one, and PostgreSQL stores none in text (the write raised).
        raise HTTPException(400, "The form holds a NUL character; remove it and send it again.")
    return form


def local_path(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this site, else `default` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
