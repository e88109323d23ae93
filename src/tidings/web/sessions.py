"""Signed session cookies: who is signed in, their CSRF token, and one-shot messages.

The cookie holds JSON signed with HMAC-SHA256 under a key derived from settings.secret_key, so
it cannot be forged or altered; it carries nothing secret (no password, no hash).
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


@dataclass(frozen=True, slots=True)
class Session:
    """What the session cookie says about the person making the request."""

    csrf: str = ""
    user_id: int | None = None
    user_name: str | None = None
    is_admin: bool = False
    issued: int = 0
    flash: tuple[str, ...] = ()

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Session()


def new_session(
    user_id: int | None = None, name: str | None = None, admin: bool = False
) -> Session:
    """A fresh session with a new CSRF token (a sign-in always gets a new one)."""
    return Session(
        csrf=secrets.token_urlsafe(32),
        user_id=user_id,
        user_name=name,
        is_admin=admin,
        issued=int(time.time()),
    )


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
            "u": session.user_id,
            "n": session.user_name,
            "a": session.is_admin,
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
            session = Session(
                csrf=str(data["c"]),
                user_id=None if data["u"] is None else int(data["u"]),
                user_name=None if data["n"] is None else str(data["n"]),
                is_admin=bool(data["a"]),
                issued=int(data["i"]),
                flash=tuple(str(m) for m in data["f"]),
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


def load_session(request: Request, signer: SessionSigner) -> Session:
    """The request's session (read once per request), or ANONYMOUS."""
    cached = request.scope.get("tidings.session")
    if isinstance(cached, Session):
        return cached
    raw = request.cookies.get(COOKIE_NAME)
    session = (signer.loads(raw) if raw else None) or ANONYMOUS
    request.scope["tidings.session"] = session
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
    """The session with one more message to show on the next page."""
    return replace(session, flash=(*session.flash, message)[-5:])


def csrf_valid(session: Session, submitted: object) -> bool:
    """True when the form's token is this session's (constant-time comparison)."""
    if not session.csrf or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(session.csrf.encode(), submitted.encode())
