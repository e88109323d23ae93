"""Who is making a request: the session cookie's token, checked against its row on every request.

`IdentityMiddleware` runs before any route. A cookie whose token names a live `user_sessions`
row becomes a signed-in Session with that row's user (name and role as the database has them
now); any other cookie is signed out, whatever it says. Handlers read the result with
`site.session(request)` and `signed_in_user(request)`, never from the cookie themselves.
"""

from __future__ import annotations

from dataclasses import replace

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from tidings.model import User
from tidings.web.sessions import SCOPE_KEY, Session, cookie_session

USER_KEY = "tidings.user"


async def resolve(request: Request) -> Session:
    """The request's session with its user filled in from the sessions table (kept in scope)."""
    site = request.app.state.site
    session = cookie_session(request, site.signer)
    user: User | None = None
    if session.token:
        user = await run_in_threadpool(site.store.sessions.user_of, session.token)
    if user is None:
        # Ended, expired or unknown: signed out, and the next cookie written drops the token.
        session = replace(session, token=None)
    else:
        session = replace(session, user_id=user.id, user_name=user.name, is_admin=user.is_admin)
    request.scope[SCOPE_KEY] = session
    request.scope[USER_KEY] = user
    return session


def signed_in_user(request: Request) -> User | None:
    """The user of the request's live session, as resolved by the middleware; None otherwise."""
    user = request.scope.get(USER_KEY)
    return user if isinstance(user, User) else None


class IdentityMiddleware:
    """Resolves every HTTP request's session before routing (static files excepted)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/static/"):
            await resolve(Request(scope))
        await self.app(scope, receive, send)
