"""Administration of sources: the overview table, a source's log, and its operations."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.model import Feed, FetchLogRecord
from tidings.store import NotFound
from tidings.store.websub import (
    DENIED,
    PENDING_SUBSCRIBE,
    PENDING_UNSUBSCRIBE,
    SUBSCRIBED,
    WebSubSubscription,
)
from tidings.web import admin_settings
from tidings.web.adminkit import admin_page, redirect_after_post
from tidings.web.charts import DayChart, DurationChart, entries_per_day, fetch_durations
from tidings.web.guards import checked_form, require_admin
from tidings.web.pages import feed_or_404, path_id
from tidings.web.paging import page_number, slice_page
from tidings.web.site import site_of

CHART_DAYS = 30
OVERVIEW_PAGE = 100  # sources on a page of the overview


async def overview(request: Request) -> Response:
    session = await require_admin(request)
    site = site_of(request)
    page = page_number(request)
    # A page at a time: with 50,000 sources the whole list was 65 MB of HTML.
    listed = await run_in_threadpool(
        lambda: site.store.feeds.all(limit=OVERVIEW_PAGE + 1, offset=(page - 1) * OVERVIEW_PAGE)
    )
    feeds, pager = slice_page(listed, page, OVERVIEW_PAGE, "/admin")
    return admin_page(
        request, session, "admin/overview.html", title="Sources", feeds=feeds, pager=pager
    )


async def source_log(request: Request) -> Response:
    session = await require_admin(request)
    site = site_of(request)
    feed_id = path_id(request, "feed_id")
    now = datetime.now(UTC)

    def load() -> tuple[Feed, list[FetchLogRecord], DayChart, WebSubSubscription | None]:
        feed = feed_or_404(site, feed_id)
        log = site.store.updates.log(feed.id, site.settings.fetch_log_size)
        since = datetime.combine(now.date() - timedelta(days=CHART_DAYS - 1), datetime.min.time())
        times = site.store.entries.sort_times(feed.id, since.replace(tzinfo=UTC))
        push = site.store.websub.for_feed(feed.id)
        return feed, log, entries_per_day(times, now.date(), CHART_DAYS), push

    feed, log, chart, push = await run_in_threadpool(load)
    durations: DurationChart = fetch_durations(log)
    return admin_page(
        request,
        session,
        "admin/source.html",
        title=feed.display_title,
        feed=feed,
        log=log,
        chart=chart,
        durations=durations,
        push=push,
        push_states=PUSH_STATES,
        now=now,
    )


# How the source page names a WebSub subscription's state.
PUSH_STATES = {
    PENDING_SUBSCRIBE: "waiting for the hub to verify",
    SUBSCRIBED: "subscribed",
    PENDING_UNSUBSCRIBE: "unsubscribing",
    DENIED: "denied by the hub",
}


# Confirmations: (question, button, what happens, the store call, the message after).
_CONFIRMATIONS = {
    "delete": (
        "Delete the source {title}?",
        "Delete",
        "The source and all its items will be removed. This cannot be undone.",
    ),
    "delete-items": (
        "Delete the items of {title}?",
        "Delete items",
        "Every item of this source will be removed; they come back at the next update while "
        "they are still in the feed.",
    ),
}


async def confirm(request: Request) -> Response:
    session = await require_admin(request)
    site = site_of(request)
    action = request.url.path.rsplit("/", 1)[1]
    feed = await run_in_threadpool(feed_or_404, site, path_id(request, "feed_id"))
    question, button, consequence = _CONFIRMATIONS[action]
    return admin_page(
        request,
        session,
        "admin/confirm.html",
        title=question.format(title=feed.display_title),
        feed=feed,
        button=button,
        consequence=consequence,
        action=request.url.path,
    )


async def delete(request: Request) -> Response:
    session = await require_admin(request)
    await checked_form(request, session)
    site = site_of(request)
    feed = await run_in_threadpool(feed_or_404, site, path_id(request, "feed_id"))
    with contextlib.suppress(NotFound):  # removed meanwhile: the admin's wish is fulfilled
        await run_in_threadpool(site.store.feeds.remove, feed.id)
    site.changed()
    return redirect_after_post(request, session, "/admin", f"Deleted {feed.display_title}.")


async def delete_items(request: Request) -> Response:
    session = await require_admin(request)
    await checked_form(request, session)
    site = site_of(request)
    feed = await run_in_threadpool(feed_or_404, site, path_id(request, "feed_id"))
    count = await run_in_threadpool(site.store.entries.delete_for_feed, feed.id)
    site.changed()
    message = f"Deleted {count} item{'s' * (count != 1)} of {feed.display_title}."
    return redirect_after_post(request, session, "/admin", message)


async def update_now(request: Request) -> Response:
    session = await require_admin(request)
    await checked_form(request, session)
    site = site_of(request)
    feed = await run_in_threadpool(feed_or_404, site, path_id(request, "feed_id"))
    scheduled = await run_in_threadpool(site.store.feeds.schedule_now, [feed.id])
    message = (
        f"{feed.display_title} will be updated shortly."
        if scheduled
        else f"{feed.display_title} is disabled and was not scheduled."
    )
    return redirect_after_post(request, session, "/admin", message)


ROUTES = [
    Route("/admin", overview, name="admin"),
    Route("/admin/sources/{feed_id:id}", source_log, name="admin_source"),
    Route("/admin/sources/{feed_id:id}/delete", confirm, methods=["GET"]),
    Route("/admin/sources/{feed_id:id}/delete", delete, methods=["POST"]),
    Route("/admin/sources/{feed_id:id}/delete-items", confirm, methods=["GET"]),
    Route("/admin/sources/{feed_id:id}/delete-items", delete_items, methods=["POST"]),
    Route("/admin/sources/{feed_id:id}/update", update_now, methods=["POST"]),
    *admin_settings.ROUTES,
]
