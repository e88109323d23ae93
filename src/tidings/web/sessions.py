"""Signed session cookies: the CSRF token, the sign-in's token, and one-shot messages.

The cookie holds JSON signed with HMAC-SHA256 under a key derived from settings.secret_key, so
it cannot be forged or altered. A signed-in cookie carries a random session token, never a user
id: who the person is comes from the `user_sessions` row of that token, read on every request
(`tidings.web.identity`), so deleting the row ends the session wherever the cookie is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, replace

from starlette.requests import Request
from starlette.responses import Response

COOKIE_NAME = "tidings_session"
MAX_AGE = 14 * 24 * 3600  # seconds a sign-in lasts
CSRF_FIELD = "csrf_token"


MAX_FLASH = 200  # characters of one message: titles go into them, and cookies are small


@dataclass(frozen=True, slots=True)
class Session:
    """The person making the request: the cookie's fields, and the user its token names.

    `user_id`, `user_name` and `is_admin` are never read from the cookie: they are the live
    session row's user, filled in by `tidings.web.identity` (and empty when the row is gone).
    """

    csrf: str = ""
    token: str | None = None
    user_id: int | None = None
    user_name: str | None = None
    is_admin: bool = False
    issued: int = 0
    flash: tuple[str, ...] = ()

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Session()


def new_session(token: str | None = None) -> Session:
    """A fresh session with a new CSRF token (a sign-in always gets a new one); `token` is the
    sign-in's session token, None for an anonymous visitor's."""
    return Session(csrf=secrets.token_urlsafe(32), token=token, issued=int(time.time()))


class SessionSigner:
    """Writes and reads signed session cookie values."""

    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ValueError("the web needs settings.secret_key to sign sessions")
        # A key of its own, so a value signed for another purpose never passes as a session.
        self._key = hashlib.sha256(b"tidings session v1\0" + secret_key.encode()).digest()

    def dumps(self, session: Session) -> str:
        """The cookie value for `session`: base64 JSON, a dot, base64 signature."""
        payload = {
            "c": session.csrf,
            "t": session.token,
            "i": session.issued,
            "f": list(session.flash),
        }
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        return f"{body}.{_b64(self._sign(body))}"

    def loads(self, value: str, now: float | None = None) -> Session | None:
        """The session in a cookie value, or None when it is forged, malformed or expired."""
        body, _, signature = value.partition(".")
        try:
            given = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
            if not hmac.compare_digest(given, self._sign(body)):
                return None
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            # A cookie of the old format (a user id, no token) reads as anonymous: sign in again.
            token = data.get("t")
            session = Session(
                csrf=str(data["c"]),
                token=token if isinstance(token, str) and token else None,
                issued=int(data["i"]),
                flash=tuple(str(m)[:MAX_FLASH] for m in data["f"]),
            )
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None
        if (now if now is not None else time.time()) - session.issued > MAX_AGE:
            return None
        return session

    def _sign(self, body: str) -> bytes:
        return hmac.new(self._key, body.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


SCOPE_KEY = "tidings.session"


def cookie_session(request: Request, signer: SessionSigner) -> Session:
    """The session the request's cookie holds, its user not yet known; ANONYMOUS without one."""
    raw = request.cookies.get(COOKIE_NAME)
    return (signer.loads(raw) if raw else None) or ANONYMOUS


def load_session(request: Request, signer: SessionSigner) -> Session:
    """The request's session as `tidings.web.identity` resolved it.

    Without that resolution (a request that did not pass the middleware) the cookie's session
    is given back without a user: signed out, never signed in as somebody unchecked.
    """
    cached = request.scope.get(SCOPE_KEY)
    if isinstance(cached, Session):
        return cached
    session = cookie_session(request, signer)
    request.scope[SCOPE_KEY] = session
    return session


def save_session(
    request: Request, response: Response, signer: SessionSigner, session: Session | None
) -> None:
    """Set (or, for None, clear) the session cookie on `response`."""
    secure = request.url.scheme == "https"
    if session is None:
        response.delete_cookie(COOKIE_NAME, path="/", secure=secure, httponly=True, samesite="lax")
        return
    response.set_cookie(
        COOKIE_NAME,
        signer.dumps(session),
        max_age=MAX_AGE,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def with_flash(session: Session, message: str) -> Session:
    """The session with one more message to show on the next page (cut to MAX_FLASH)."""
    if len(message) > MAX_FLASH:
        message = message[: MAX_FLASH - 1] + "…"
    return replace(session, flash=(*session.flash, message)[-5:])


def without_flash(session: Session) -> Session:
    """The session with its messages shown (gone)."""
    return replace(session, flash=())


def csrf_valid(session: Session, submitted: object) -> bool:
    """True when the form's token is this session's (constant-time comparison)."""
    if not session.csrf or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(session.csrf.encode(), submitted.encode())
