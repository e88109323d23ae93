"""Accounts: password, sessions, API keys and feed links; users administration for admins."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tidings.accounts import (
    AccountError,
    authenticate,
    check_new_password,
    create_user,
    hash_password,
)
from tidings.app.signin_limits import TooManyAttempts
from tidings.errors import InvalidInput
from tidings.reading.limits import key_name
from tidings.store import NotFound
from tidings.web.guards import checked_form, client_address
from tidings.web.reader.common import Reader, back_to, path_number, private_page, require_user
from tidings.web.sessions import save_session
from tidings.web.site import site_of

MAX_PASSWORD = 1000
ACCOUNT = "/account"
KEYS = "/account/keys"
USERS = "/account/users"


async def _account_page(
    request: Request, reader: Reader, *, status: int = 200, errors: dict[str, str] | None = None
) -> Response:
    site = site_of(request)
    sessions = await run_in_threadpool(
        lambda: site.store.sessions.of_user(reader.id, current=reader.session.token)
    )
    return private_page(
        request,
        reader,
        "account/index.html",
        status=status,
        title="Account",
        errors=errors or {},
        sessions=sessions,
    )


async def account(request: Request) -> Response:
    reader = await require_user(request)
    return await _account_page(request, reader)


def _new_password(form: FormData, field: str = "new_password") -> str:
    password = str(form.get(field, ""))[:MAX_PASSWORD]
    check_new_password(password)
    if password != str(form.get("confirm_password", ""))[:MAX_PASSWORD]:
        raise AccountError("the two new passwords differ")
    return password


async def change_password(request: Request) -> Response:
    """POST /account/password: the current password, then the new one twice."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    site = site_of(request)
    old = str(form.get("old_password", ""))[:MAX_PASSWORD]
    try:
        async with site.limiter.attempt(client_address(request), reader.user.name) as attempt:
            user = await run_in_threadpool(authenticate, site.store, reader.user.name, old)
            attempt.result(user is not None and user.id == reader.id)
    except TooManyAttempts as refused:
        minutes = refused.minutes
        error = f"Too many wrong passwords. Try again in {minutes} minute{'s' * (minutes != 1)}."
        return await _account_page(request, reader, status=429, errors={"old_password": error})
    if not attempt.succeeded:
        errors = {"old_password": "That is not your current password."}
        return await _account_page(request, reader, errors=errors)
    try:
        password = _new_password(form)
    except AccountError as exc:
        return await _account_page(request, reader, errors={"new_password": str(exc)})
    password_hash = await run_in_threadpool(hash_password, password)
    # Every other session ends with the old password; this one goes on.
    await run_in_threadpool(
        lambda: site.store.users.set_password_hash(
            reader.id, password_hash, keep_session=reader.session.token
        )
    )
    return back_to(
        request, reader, ACCOUNT, "Your password is changed; your other sessions are signed out."
    )


async def sign_out_everywhere(request: Request) -> Response:
    """POST /account/sessions/end: end every session of the user, this one included."""
    reader = await require_user(request)
    await checked_form(request, reader.session)
    site = site_of(request)
    await run_in_threadpool(site.store.sessions.end_all, reader.id)
    response = RedirectResponse("/login", status_code=303)
    save_session(request, response, site.signer, None)
    return response


# --- API keys -----------------------------------------------------------------------------------


def _keys_page(
    request: Request,
    reader: Reader,
    *,
    status: int = 200,
    error: str = "",
    token: str = "",
    token_name: str = "",
) -> Response:
    site = site_of(request)
    return private_page(
        request,
        reader,
        "account/keys.html",
        status=status,
        title="API keys and feed links",
        keys=site.store.api_keys.of_user(reader.id),
        feed_tokens=site.store.feed_tokens.of_user(reader.id),
        error=error,
        token=token,
        token_name=token_name,
        base_url=site.base_url(request),
    )


async def keys(request: Request) -> Response:
    reader = await require_user(request)
    return await run_in_threadpool(_keys_page, request, reader)


async def create_key(request: Request) -> Response:
    """POST /account/keys: a new key; its token is on this response only (never stored)."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    store = site_of(request).store
    try:
        name = key_name(str(form.get("name", "")))
    except InvalidInput as refused:
        error = str(refused)
        return await run_in_threadpool(lambda: _keys_page(request, reader, error=error))
    key, token = await run_in_threadpool(store.api_keys.create, reader.id, name)
    return await run_in_threadpool(
        lambda: _keys_page(request, reader, token=token, token_name=key.name)
    )


async def revoke_key(request: Request) -> Response:
    reader = await require_user(request)
    await checked_form(request, reader.session)
    key_id = path_number(request, "key_id")
    try:
        await run_in_threadpool(site_of(request).store.api_keys.revoke, reader.id, key_id)
    except NotFound:
        raise HTTPException(404, "You have no such API key.") from None
    return back_to(request, reader, KEYS, "Revoked the key: it no longer works.")


async def revoke_feed_link(request: Request) -> Response:
    reader = await require_user(request)
    await checked_form(request, reader.session)
    token_id = path_number(request, "token_id")
    try:
        await run_in_threadpool(site_of(request).store.feed_tokens.revoke, reader.id, token_id)
    except NotFound:
        raise HTTPException(404, "You have no such feed link.") from None
    return back_to(request, reader, KEYS, "Revoked the feed link: it no longer works.")


# --- users (admins only) --------------------------------------------------------------------------


async def require_admin_user(request: Request) -> Reader:
    """The signed-in user when the database says they are an admin; 403 otherwise."""
    reader = await require_user(request)
    if not reader.user.is_admin:
        raise HTTPException(403, "This page is for administrators.")
    return reader


def _users_page(
    request: Request, reader: Reader, *, status: int = 200, error: str = "", name: str = ""
) -> Response:
    return private_page(
        request,
        reader,
        "account/users.html",
        status=status,
        title="Users",
        users=site_of(request).store.users.all(),
        error=error,
        name=name,
    )


async def users(request: Request) -> Response:
    reader = await require_admin_user(request)
    return await run_in_threadpool(_users_page, request, reader)


async def add_user(request: Request) -> Response:
    reader = await require_admin_user(request)
    form = await checked_form(request, reader.session)
    store = site_of(request).store
    name = str(form.get("name", "")).strip()
    role = str(form.get("role", "reader"))
    if role not in ("reader", "admin"):
        raise HTTPException(400, "A role is reader or admin.")
    password = str(form.get("password", ""))[:MAX_PASSWORD]
    try:
        created = await run_in_threadpool(
            lambda: create_user(store, name, password, is_admin=role == "admin")
        )
    except AccountError as exc:
        error = str(exc)
        return await run_in_threadpool(lambda: _users_page(request, reader, error=error, name=name))
    return back_to(request, reader, USERS, f"Added the {role} {created.name}.")


async def reset_password(request: Request) -> Response:
    reader = await require_admin_user(request)
    form = await checked_form(request, reader.session)
    store = site_of(request).store
    user_id = path_number(request, "user_id")
    password = str(form.get("password", ""))[:MAX_PASSWORD]
    try:
        user = await run_in_threadpool(store.users.get, user_id)
        check_new_password(password)
    except NotFound:
        raise HTTPException(404, "There is no such user.") from None
    except AccountError as exc:
        return back_to(request, reader, USERS, f"Password not changed: {exc}.")
    password_hash = await run_in_threadpool(hash_password, password)
    # A reset ends all of the user's sessions (store.users.set_password_hash).
    await run_in_threadpool(store.users.set_password_hash, user_id, password_hash)
    return back_to(
        request, reader, USERS, f"Set a new password for {user.name}; their sessions are ended."
    )


async def remove_user(request: Request) -> Response:
    reader = await require_admin_user(request)
    await checked_form(request, reader.session)
    store = site_of(request).store
    user_id = path_number(request, "user_id")
    if user_id == reader.id:
        raise HTTPException(403, "You cannot remove yourself; another administrator can.")
    try:
        user = await run_in_threadpool(store.users.get, user_id)
        await run_in_threadpool(store.users.remove, user_id)
    except NotFound:
        raise HTTPException(404, "There is no such user.") from None
    return back_to(request, reader, USERS, f"Removed {user.name} and their reading state.")


ROUTES = [
    Route(ACCOUNT, account, methods=["GET"], name="account"),
    Route(ACCOUNT + "/password", change_password, methods=["POST"]),
    Route(ACCOUNT + "/sessions/end", sign_out_everywhere, methods=["POST"]),
    Route(KEYS, keys, methods=["GET"], name="account_keys"),
    Route(KEYS, create_key, methods=["POST"]),
    Route(KEYS + "/{key_id:id}/revoke", revoke_key, methods=["POST"]),
    Route(ACCOUNT + "/feed-links/{token_id:id}/revoke", revoke_feed_link, methods=["POST"]),
    Route(USERS, users, methods=["GET"], name="account_users"),
    Route(USERS, add_user, methods=["POST"]),
    Route(USERS + "/{user_id:id}/password", reset_password, methods=["POST"]),
    Route(USERS + "/{user_id:id}/remove", remove_user, methods=["POST"]),
]
