"""/account/apps: what to paste into a client app, and the API password those apps sign in with.

FreshRSS and Miniflux users set this up in the browser; here it was a CLI command only
(`tidings user api-password`). The page shows the three endpoints with the user's name, and
sets the API password (Google Reader and Fever clients; Miniflux apps take the login password
or an API key). A new API password ends every Google Reader token signed with the old one.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.errors import UserError
from tidings.web.guards import checked_form
from tidings.web.reader.common import Reader, back_to, private_page, require_user
from tidings.web.site import site_of

APPS = "/account/apps"
MAX_PASSWORD = 1000


async def _apps_page(
    request: Request, reader: Reader, *, status: int = 200, error: str = ""
) -> Response:
    site = site_of(request)
    secret = await run_in_threadpool(site.store.api_passwords.secret_of, reader.id)
    base = site.base_url(request)
    endpoints = (
        ("Miniflux", f"{base}/", "an API key (API keys tab) or your login password"),
        ("Google Reader", f"{base}/api/greader.php", "your user name and API password"),
        ("Fever", f"{base}/fever/", "your user name and API password"),
    )
    return private_page(
        request,
        reader,
        "account/apps.html",
        status=status,
        title="Apps",
        endpoints=endpoints,
        has_api_password=secret is not None,
        error=error,
    )


async def apps(request: Request) -> Response:
    reader = await require_user(request)
    return await _apps_page(request, reader)


async def set_api_password(request: Request) -> Response:
    """POST /account/apps/password: a new API password, typed twice."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    password = str(form.get("api_password", ""))[:MAX_PASSWORD]
    if password != str(form.get("confirm_api_password", ""))[:MAX_PASSWORD]:
        return await _apps_page(request, reader, error="The two API passwords differ.")
    store = site_of(request).store
    try:
        await run_in_threadpool(
            store.api_passwords.set_api_password, reader.id, reader.user.name, password
        )
    except UserError as exc:
        return await _apps_page(request, reader, error=f"{str(exc).capitalize()}.")
    return back_to(request, reader, APPS, "Your API password is set: sign your apps in again.")


ROUTES = [
    Route(APPS, apps, methods=["GET"], name="account_apps"),
    Route(APPS + "/password", set_api_password, methods=["POST"]),
]
