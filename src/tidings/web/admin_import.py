"""Importing an OPML subscription list from an uploaded file."""

from __future__ import annotations

from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.publish.opml import MAX_OPML_BYTES, OPMLError
from tidings.subscriptions import import_opml
from tidings.web.adminkit import admin_page
from tidings.web.guards import checked_form, require_admin
from tidings.web.site import site_of


async def import_form(request: Request) -> Response:
    session = await require_admin(request)
    return admin_page(request, session, "admin/import.html", title="Import OPML", error="")


async def import_file(request: Request) -> Response:
    session = await require_admin(request)
    form = await checked_form(request, session)
    site = site_of(request)
    upload = form.get("opml")
    data = b""
    if isinstance(upload, UploadFile):
        data = await upload.read(MAX_OPML_BYTES + 1)
    if not data:
        error = "Choose an OPML file to import."
    else:
        try:
            report = await run_in_threadpool(
                partial(
                    import_opml,
                    site.store,
                    data,
                    allow_private_networks=site.settings.allow_private_networks,
                )
            )
        except OPMLError as exc:
            error = f"This file cannot be imported: {exc}."
        else:
            site.cache.bump()
            return admin_page(
                request, session, "admin/import_report.html", title="Import OPML", report=report
            )
    return admin_page(request, session, "admin/import.html", title="Import OPML", error=error)


ROUTES = [
    Route("/admin/import", import_form, methods=["GET"], name="admin_import"),
    Route("/admin/import", import_file, methods=["POST"]),
]
