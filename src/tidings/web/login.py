"""Signing in and out, with a limit on failed attempts."""

from __future__ import annotations

import math

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tidings.accounts import authenticate
from tidings.web.guards import checked_form, local_path
from tidings.web.responses import PRIVATE, send
from tidings.web.sessions import Session, new_session, save_session
from tidings.web.site import site_of

MAX_NAME = 100
MAX_PASSWORD = 1000  # argon2 would hash a megabyte happily; nobody's password is that long


def _form(
    request: Request, session: Session, *, name: str = "", error: str = "", status: int = 200
) -> Response:
    site = site_of(request)
    fresh = not session.csrf
    if fresh:
        # An anonymous session exists only to carry the sign-in form's CSRF token.
        session = new_session()
    page = site.render(
        request,
        "login.html",
        session=session,
        title="Sign in",
        name=name,
        error=error,
        next=local_path(request.query_params.get("next"), ""),
        status=status,
    )
    response = send(request, page, cache_control=PRIVATE)
    if fresh:
        save_session(request, response, site.signer, session)
    return response


async def login_form(request: Request) -> Response:
    session = site_of(request).session(request)
    return _form(request, session)


async def login(request: Request) -> Response:
    site = site_of(request)
    session = site.session(request)
    form = await checked_form(request, session)
    name = str(form.get("name", "")).strip()[:MAX_NAME]
    password = str(form.get("password", ""))[:MAX_PASSWORD]
    address = request.client.host if request.client else "unknown"
    wait = site.limiter.retry_after(address, name)
    if wait > 0:
        minutes = max(1, math.ceil(wait / 60))
        error = f"Too many failed sign-ins. Try again in {minutes} minute{'s' * (minutes != 1)}."
        return _form(request, session, name=name, error=error, status=429)
    user = await run_in_threadpool(authenticate, site.store, name, password) if name else None
    if user is None:
        site.limiter.failed(address, name)
        return _form(request, session, name=name, error="Unknown user name or wrong password.")
    site.limiter.succeeded(address, name)
    default = "/admin" if user.is_admin else "/"
    target = local_path(str(form.get("next", "")), default)
    response = RedirectResponse(target, status_code=303)
    # A new session (and CSRF token) at sign-in: a token planted before cannot be reused.
    save_session(request, response, site.signer, new_session(user.id, user.name, user.is_admin))
    return response


async def logout_form(request: Request) -> Response:
    site = site_of(request)
    session = site.session(request)
    if not session.signed_in:
        return RedirectResponse("/", status_code=303)
    page = site.render(request, "logout.html", session=session, title="Sign out")
    return send(request, page, cache_control=PRIVATE)


async def logout(request: Request) -> Response:
    site = site_of(request)
    session = site.session(request)
    await checked_form(request, session)
    response = RedirectResponse("/", status_code=303)
    save_session(request, response, site.signer, None)
    return response


ROUTES = [
    Route("/login", login_form, methods=["GET"], name="login_form"),
    Route("/login", login, methods=["POST"], name="login"),
    Route("/logout", logout_form, methods=["GET"], name="logout_form"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
