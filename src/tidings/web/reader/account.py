"""Accounts: a user's password and API keys; users administration for admins."""

from __future__ import annotations

import math

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.accounts import (
    AccountError,
    authenticate,
    check_new_password,
    create_user,
    hash_password,
)
from tidings.store import NotFound
from tidings.web.guards import checked_form
from tidings.web.reader.common import Reader, back_to, path_number, private_page, require_user
from tidings.web.site import site_of

MAX_PASSWORD = 1000
MAX_KEY_NAME = 100
ACCOUNT = "/account"
KEYS = "/account/keys"
USERS = "/account/users"


def _password_page(
    request: Request, reader: Reader, *, status: int = 200, errors: dict[str, str] | None = None
) -> Response:
    return private_page(
        request, reader, "account/index.html", status=status, title="Account", errors=errors or {}
    )


async def account(request: Request) -> Response:
    reader = await require_user(request)
    return _password_page(request, reader)


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
    address = request.client.host if request.client else "unknown"
    wait = site.limiter.retry_after(address, reader.user.name)
    if wait > 0:
        minutes = max(1, math.ceil(wait / 60))
        error = f"Too many wrong passwords. Try again in {minutes} minute{'s' * (minutes != 1)}."
        return _password_page(request, reader, status=429, errors={"old_password": error})
    old = str(form.get("old_password", ""))[:MAX_PASSWORD]
    user = await run_in_threadpool(authenticate, site.store, reader.user.name, old)
    if user is None or user.id != reader.id:
        site.limiter.failed(address, reader.user.name)
        errors = {"old_password": "That is not your current password."}
        return _password_page(request, reader, errors=errors)
    try:
        password = _new_password(form)
    except AccountError as exc:
        return _password_page(request, reader, errors={"new_password": str(exc)})
    password_hash = await run_in_threadpool(hash_password, password)
    await run_in_threadpool(site.store.users.set_password_hash, reader.id, password_hash)
    return back_to(request, reader, ACCOUNT, "Your password is changed.")


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
        title="API keys",
        keys=site.store.api_keys.of_user(reader.id),
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
    name = " ".join(str(form.get("name", "")).split())
    if not name or len(name) > MAX_KEY_NAME:
        error = f"A key needs a name of 1 to {MAX_KEY_NAME} characters."
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
    await run_in_threadpool(store.users.set_password_hash, user_id, password_hash)
    return back_to(request, reader, USERS, f"Set a new password for {user.name}.")


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
    Route(KEYS, keys, methods=["GET"], name="account_keys"),
    Route(KEYS, create_key, methods=["POST"]),
    Route(KEYS + "/{key_id:int}/revoke", revoke_key, methods=["POST"]),
    Route(USERS, users, methods=["GET"], name="account_users"),
    Route(USERS, add_user, methods=["POST"]),
    Route(USERS + "/{user_id:int}/password", reset_password, methods=["POST"]),
    Route(USERS + "/{user_id:int}/remove", remove_user, methods=["POST"]),
]
