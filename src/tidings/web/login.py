"""Signing in and out, with a limit on failed attempts."""

from __future__ import annotations

from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tidings.accounts import authenticate
from tidings.app.signin_limits import TooManyAttempts
from tidings.web.guards import checked_form, client_address, local_path
from tidings.web.responses import PRIVATE, send
from tidings.web.sessions import MAX_AGE, Session, new_session, save_session
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
    if not name:
        return _form(request, session, error="Unknown user name or wrong password.")
    try:
        async with site.limiter.attempt(client_address(request), name) as attempt:
            user = await run_in_threadpool(authenticate, site.store, name, password)
            attempt.result(user is not None)
    except TooManyAttempts as refused:
        minutes = refused.minutes
        error = f"Too many failed sign-ins. Try again in {minutes} minute{'s' * (minutes != 1)}."
        return _form(request, session, name=name, error=error, status=429)
    if user is None:
        return _form(request, session, name=name, error="Unknown user name or wrong password.")
    token = await run_in_threadpool(
        site.store.sessions.start,
        user.id,
        timedelta(seconds=MAX_AGE),
        user_agent=request.headers.get("user-agent", ""),
    )
    # Everyone lands on their reading page; admins reach /admin from the header.
    target = local_path(str(form.get("next", "")), "/reader")
    response = RedirectResponse(target, status_code=303)
    # A new session (and CSRF token) at sign-in: a token planted before cannot be reused.
    save_session(request, response, site.signer, new_session(token))
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
    if session.token:
        # Ends the session itself, not only this browser's copy of the cookie.
        await run_in_threadpool(site.store.sessions.end, session.token)
    response = RedirectResponse("/", status_code=303)
    save_session(request, response, site.signer, None)
    return response


ROUTES = [
    Route("/login", login_form, methods=["GET"], name="login_form"),
    Route("/login", login, methods=["POST"], name="login"),
    Route("/logout", logout_form, methods=["GET"], name="logout_form"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
