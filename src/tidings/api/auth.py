"""Credentials of the client APIs and the limit on failed attempts.

- Miniflux: `X-Auth-Token` (an API key, `store.api_keys`) or HTTP Basic with the login password.
- Google Reader: ClientLogin with the user's *API password*; the `Auth` token it hands out is
  signed, not stored: "<user id>/<HMAC-SHA256(secret_key, user id, API password hash)>". It
  needs no table and no clean-up, and setting a new API password revokes every token at once.
- Fever: `api_key` = md5("name:API password"), looked up in `users.fever_key`.

Failures are counted per client address and per user name in a LoginLimiter of the API's own
(one per app, in `app.state`), so guessing through an API is limited like the login form.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from starlette.requests import Request

from tidings.accounts import authenticate
from tidings.api.common import in_thread
from tidings.model import User
from tidings.web.ratelimit import LoginLimiter
from tidings.web.site import site_of


def limiter(request: Request) -> LoginLimiter:
    """The app's limiter of failed API sign-ins (made on first use)."""
    state = request.app.state
    found: LoginLimiter | None = getattr(state, "api_limiter", None)
    if found is None:
        found = LoginLimiter()
        state.api_limiter = found
    return found


def address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class Refused(Exception):
    """Too many failures: `retry_after` seconds to wait."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("too many failed attempts")
        self.retry_after = max(1, int(retry_after + 0.999))


def token_key(request: Request) -> str:
    """The limiter's "name" for failures that carry no user name (a token, a Fever key): per
    address, so that nobody can lock every token out by failing on purpose."""
    return f"token@{address(request)}"


def check_limit(request: Request, name: str) -> None:
    wait = limiter(request).retry_after(address(request), name)
    if wait > 0:
        raise Refused(wait)


def note(request: Request, name: str, user: User | None) -> User | None:
    if user is None:
        limiter(request).failed(address(request), name)
    else:
        limiter(request).succeeded(address(request), name)
    return user


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(name, password) of an `Authorization: Basic …` header, or None when malformed."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, sep, password = decoded.partition(":")
    return (name, password) if sep else None


async def miniflux_user(request: Request) -> User | None:
    """The user of a Miniflux request (API key or Basic), None when refused; may raise Refused."""
    store = site_of(request).store
    token = request.headers.get("x-auth-token")
    if token is not None:
        check_limit(request, token_key(request))
        found = await in_thread(store.api_keys.authenticate, token) if token else None
        return note(request, token_key(request), found)
    credentials = basic_credentials(request.headers.get("authorization", ""))
    if credentials is None:
        return None
    name, password = credentials
    check_limit(request, name)
    return note(request, name, await in_thread(authenticate, store, name, password))


# --- Google Reader ----------------------------------------------------------------------------


def _signature(secret_key: str, user_id: int, api_password_hash: str) -> str:
    message = f"greader:{user_id}:{api_password_hash}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def greader_token(secret_key: str, user_id: int, api_password_hash: str) -> str:
    """The `Auth` token of ClientLogin for this user and API password."""
    return f"{user_id}/{_signature(secret_key, user_id, api_password_hash)}"


async def greader_login(request: Request, name: str, password: str) -> str | None:
    """The Auth token when name and API password match, else None; may raise Refused."""
    site = site_of(request)
    check_limit(request, name)
    user = note(
        request, name, await in_thread(site.store.api_passwords.check_greader, name, password)
    )
    if user is None:
        return None
    secret = await in_thread(site.store.api_passwords.secret_of, user.id)
    if secret is None:
        return None
    return greader_token(site.settings.secret_key, user.id, secret[1])


def greader_auth_header(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, rest = header.partition(" ")
    if scheme == "GoogleLogin" and rest.startswith("auth="):
        return rest[len("auth=") :].strip()
    return None


async def greader_user(request: Request) -> User | None:
    """The user of a Google Reader request (`Authorization: GoogleLogin auth=…`), or None."""
    token = greader_auth_header(request)
    if token is None:
        return None
    check_limit(request, token_key(request))
    user_part, _, signature = token.partition("/")
    user: User | None = None
    if user_part.isascii() and user_part.isdigit() and len(user_part) <= 18 and signature:
        site = site_of(request)
        secret = await in_thread(site.store.api_passwords.secret_of, int(user_part))
        if secret is not None:
            expected = _signature(site.settings.secret_key, secret[0].id, secret[1])
            if hmac.compare_digest(expected, signature):
                user = secret[0]
    return note(request, token_key(request), user)


async def fever_user(request: Request, api_key: str) -> User | None:
    """The user whose Fever key this is, or None; may raise Refused."""
    check_limit(request, token_key(request))
    store = site_of(request).store
    return note(
        request, token_key(request), await in_thread(store.api_passwords.user_by_fever_key, api_key)
    )
