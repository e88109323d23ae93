"""Credentials of the client APIs, each checked through the site's one sign-in limiter.

- Miniflux: `X-Auth-Token` (an API key, `store.api_keys`) or HTTP Basic with the login password.
- Google Reader: ClientLogin with the user's *API password*; the `Auth` token it hands out is
  signed, not stored: "<user id>/<HMAC-SHA256(secret_key, user id, API password hash)>". It
  needs no table and no clean-up, and setting a new API password revokes every token at once.
- Fever: `api_key` = md5("name:API password"), looked up in `users.fever_key`.

Every check goes through `site.limiter.attempt` (tidings.app.signin_limits), the limiter of the
web sign-in form too: a password (and a Fever key, made of one) is limited per name and
address, counted before it is checked, and a refused attempt costs no hash; a wrong API key or
Google Reader token counts against its address, a valid one is never refused (`checked_token`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Awaitable, Callable

from starlette.requests import Request

from tidings.accounts import authenticate
from tidings.api.common import in_thread
from tidings.app.context import client_address, services_of
from tidings.model import User


async def checked(
    request: Request, name: str | None, check: Callable[[], Awaitable[User | None]]
) -> User | None:
    """The user `check` finds, counted by the sign-in limiter; TooManyAttempts when refused.

    `name` is the user name a password is for, None for a token (limited per address).
    """
    limiter = services_of(request).limiter
    async with limiter.attempt(client_address(request), name) as attempt:
        user = await check()
        attempt.result(user is not None)
    return user


async def checked_token(
    request: Request, check: Callable[[], Awaitable[User | None]]
) -> User | None:
    """The user an unguessable token names (an API key: 256 random bits; a Google Reader token:
    an HMAC-SHA256), or None; TooManyAttempts for a wrong one from a limited address.

    A valid token is never refused: nobody guesses one, so refusing it only locked its owner's
    apps out for 15 minutes when something else behind the same address (a household's NAT, a
    misconfigured app) had sent five wrong ones. A wrong token still counts as a failure of its
    address and, while the address is limited, is answered 429; it is checked first, which is
    one hash lookup, not argon2. The Fever key is no such token (md5 of a name and a password,
    so a guessed password is a guessed key): it stays behind `checked`, refused unchecked while
    its address is limited."""
    user = await check()
    if user is None:
        limiter = services_of(request).limiter
        async with limiter.attempt(client_address(request), None) as attempt:
            attempt.result(False)
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
    """The user of a Miniflux request (API key or Basic), None when refused.

    May raise TooManyAttempts."""
    store = services_of(request).store
    token = request.headers.get("x-auth-token")
    if token is not None:
        if not token:
            return None
        return await checked_token(request, lambda: in_thread(store.api_keys.authenticate, token))
    credentials = basic_credentials(request.headers.get("authorization", ""))
    if credentials is None:
        return None
    name, password = credentials
    return await checked(request, name, lambda: in_thread(authenticate, store, name, password))


# --- Google Reader ----------------------------------------------------------------------------


def _signature(secret_key: str, user_id: int, api_password_hash: str) -> str:
    message = f"greader:{user_id}:{api_password_hash}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def greader_token(secret_key: str, user_id: int, api_password_hash: str) -> str:
    """The `Auth` token of ClientLogin for this user and API password."""
    return f"{user_id}/{_signature(secret_key, user_id, api_password_hash)}"


async def greader_login(request: Request, name: str, password: str) -> str | None:
    """The Auth token when name and API password match, else None; may raise TooManyAttempts."""
    site = services_of(request)
    user = await checked(
        request, name, lambda: in_thread(site.store.api_passwords.check_greader, name, password)
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
    user_part, _, signature = token.partition("/")

    async def check() -> User | None:
        if not (user_part.isascii() and user_part.isdigit() and len(user_part) <= 18):
            return None
        site = services_of(request)
        secret = await in_thread(site.store.api_passwords.secret_of, int(user_part))
        if secret is None or not signature:
            return None
        expected = _signature(site.settings.secret_key, secret[0].id, secret[1])
        return secret[0] if hmac.compare_digest(expected, signature) else None

    return await checked_token(request, check)


async def fever_user(request: Request, api_key: str) -> User | None:
    """The user whose Fever key this is, or None; may raise TooManyAttempts."""
    store = services_of(request).store
    return await checked(
        request, None, lambda: in_thread(store.api_passwords.user_by_fever_key, api_key)
    )
