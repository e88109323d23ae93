"""Administration of categories: add, rename, delete."""

from __future__ import annotations

import contextlib

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.store import Conflict, NotFound
from tidings.web.adminkit import admin_page, redirect_after_post
from tidings.web.guards import checked_form, require_admin
from tidings.web.pages import path_id
from tidings.web.site import site_of

MAX_NAME = 100
HERE = "/admin/categories"


async def categories(request: Request) -> Response:
    session = await require_admin(request)
    found = await run_in_threadpool(site_of(request).store.categories.all)
    return admin_page(
        request,
        session,
        "admin/categories.html",
        title="Categories",
        categories=found,
        name="",
        error="",
    )


def _name(value: object) -> str:
    name = str(value or "").strip()
    if not name:
        raise ValueError("A category needs a name.")
    if len(name) > MAX_NAME:
        raise ValueError(f"A category name has at most {MAX_NAME} characters.")
    return name


async def add(request: Request) -> Response:
    session = await require_admin(request)
    form = await checked_form(request, session)
    site = site_of(request)
    try:
        name = _name(form.get("name"))
        await run_in_threadpool(site.store.categories.add, name)
    except (ValueError, Conflict) as exc:
        found = await run_in_threadpool(site.store.categories.all)
        return admin_page(
            request,
            session,
            "admin/categories.html",
            title="Categories",
            categories=found,
            name=str(form.get("name", "")),
            error=str(exc),
        )
    site.changed()
    return redirect_after_post(request, session, HERE, f"Added the category {name}.")


async def rename(request: Request) -> Response:
    session = await require_admin(request)
    form = await checked_form(request, session)
    site = site_of(request)
    category_id = path_id(request, "category_id")
    try:
        name = _name(form.get("name"))
        await run_in_threadpool(site.store.categories.rename, category_id, name)
    except (ValueError, Conflict) as exc:
        return redirect_after_post(request, session, HERE, f"Not renamed: {exc}")
    except NotFound:
        return redirect_after_post(request, session, HERE, "That category was deleted.")
    site.changed()
    return redirect_after_post(request, session, HERE, f"Renamed the category to {name}.")


async def delete(request: Request) -> Response:
    session = await require_admin(request)
    await checked_form(request, session)
    site = site_of(request)
    with contextlib.suppress(NotFound):  # already gone
        await run_in_threadpool(site.store.categories.remove, path_id(request, "category_id"))
    site.changed()
    return redirect_after_post(request, session, HERE, "Deleted the category; its sources stay.")


ROUTES = [
    Route(HERE, categories, methods=["GET"], name="admin_categories"),
    Route(HERE, add, methods=["POST"]),
    Route(HERE + "/{category_id:id}/rename", rename, methods=["POST"]),
    Route(HERE + "/{category_id:id}/delete", delete, methods=["POST"]),
]
