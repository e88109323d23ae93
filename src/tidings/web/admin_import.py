"""Importing an OPML subscription list, from an uploaded file or from a URL."""

from __future__ import annotations

import contextlib
import dataclasses
import logging

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.discovery import fetch_url
from tidings.intervals import parse_refresh
from tidings.publish.opml import MAX_OPML_BYTES, OPMLError
from tidings.store import NotFound
from tidings.subscriptions import ImportReport, SubscriptionError, check_feed_url, import_opml
from tidings.web.adminkit import admin_page
from tidings.web.guards import checked_form, require_admin
from tidings.web.sessions import Session
from tidings.web.site import Site, site_of

log = logging.getLogger("tidings.web")


class ImportProblem(Exception):
    """The list cannot be imported; the message is a sentence for the admin."""


def _show_form(
    request: Request, session: Session, *, error: str = "", url_error: str = "", url: str = ""
) -> Response:
    return admin_page(
        request,
        session,
        "admin/import.html",
        title="Import OPML",
        error=error,
        url_error=url_error,
        url=url,
    )


async def import_form(request: Request) -> Response:
    session = await require_admin(request)
    return _show_form(request, session)


async def uploaded_opml(form: FormData) -> bytes:
    """Return the OPML file of the form's `opml` field (at most MAX_OPML_BYTES + 1 read);
    ImportProblem when none was chosen."""
    upload = form.get("opml")
    data = b""
    if isinstance(upload, UploadFile):
        data = await upload.read(MAX_OPML_BYTES + 1)
    if not data:
        raise ImportProblem("Choose an OPML file to import.")
    return data


async def _fetched(site: Site, typed: str) -> bytes:
    """The document at `typed`, fetched with the site's network guard and at most MAX_OPML_BYTES."""
    if not typed:
        raise ImportProblem("Enter the address of an OPML file.")
    try:
        url = check_feed_url(typed, allow_private_networks=site.settings.allow_private_networks)
    except SubscriptionError as exc:
        raise ImportProblem(f"This address cannot be used: {exc}") from None
    limits = dataclasses.replace(
        site.settings, max_body_bytes=min(site.settings.max_body_bytes, MAX_OPML_BYTES)
    )
    try:
        result = await fetch_url(limits, url)
    except Exception as exc:  # the fetcher reports failures in the result; this is a last guard
        log.exception("fetching the OPML list at %s failed", url)
        raise ImportProblem(f"The list could not be fetched ({exc}).") from None
    if result.error:
        raise ImportProblem(f"The list could not be fetched: {result.error}")
    if result.status != 200 or not result.body:
        raise ImportProblem(f"The server answered {result.status} without a list to import.")
    return result.body


def _import(site: Site, data: bytes) -> ImportReport:
    """Subscribe to the list's feeds, with the site's default refresh interval."""
    report = import_opml(
        site.store, data, allow_private_networks=site.settings.allow_private_networks
    )
    interval = parse_refresh(site.settings.default_refresh)
    if interval is None:  # import_opml adds feeds as "auto"
        return report
    added = []
    for feed in report.added:
        with contextlib.suppress(NotFound):  # deleted meanwhile: nothing to set
            added.append(site.store.feeds.update(feed.id, refresh_interval=interval))
    return dataclasses.replace(report, added=tuple(added))


async def import_file(request: Request) -> Response:
    session = await require_admin(request)
    form = await checked_form(request, session)
    site = site_of(request)
    from_url = "url" in form
    typed = str(form.get("url", "")).strip()
    try:
        data = await (_fetched(site, typed) if from_url else uploaded_opml(form))
        try:
            report = await run_in_threadpool(_import, site, data)
        except OPMLError as exc:
            what = "The document at this address" if from_url else "This file"
            raise ImportProblem(f"{what} cannot be imported: {exc}.") from None
    except ImportProblem as exc:
        if from_url:
            return _show_form(request, session, url_error=str(exc), url=typed)
        return _show_form(request, session, error=str(exc))
    site.changed()
    return admin_page(
        request,
        session,
        "admin/import_report.html",
        title="Import OPML",
        report=report,
        source=typed if from_url else "",
    )


ROUTES = [
    Route("/admin/import", import_form, methods=["GET"], name="admin_import"),
    Route("/admin/import", import_file, methods=["POST"]),
]
