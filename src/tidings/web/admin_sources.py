"""Adding and editing a source: the form, website feed discovery, and saving."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.model import Category
from tidings.reading.subscribing import fetch_within
from tidings.store import Conflict, NotFound
from tidings.subscriptions import SubscriptionError, normalize_feed_url, subscribe
from tidings.web.admin_settings import refresh_value
from tidings.web.adminkit import admin_page, redirect_after_post
from tidings.web.guards import checked_form, require_admin
from tidings.web.pages import feed_or_404, path_id
from tidings.web.sessions import Session
from tidings.web.site import site_of
from tidings.web.sourceform import REFRESH_OPTIONS, SourceForm

MAX_DISCOVERED = 20


def _show(
    request: Request,
    session: Session,
    form: SourceForm,
    categories: list[Category],
    *,
    feed_id: int | None = None,
    discovered: list[str] | None = None,
    notice: str = "",
) -> Response:
    return admin_page(
        request,
        session,
        "admin/source_form.html",
        title="Edit source" if feed_id else "Add source",
        form=form,
        feed_id=feed_id,
        categories=categories,
        refresh_options=REFRESH_OPTIONS,
        discovered=discovered or [],
        notice=notice,
    )


async def add_form(request: Request) -> Response:
    session = await require_admin(request)
    site = site_of(request)
    categories = await run_in_threadpool(site.store.categories.all)
    form = SourceForm(refresh=refresh_value(site.settings.default_refresh))
    return _show(request, session, form, categories)


async def _discovered(request: Request, url: str) -> tuple[list[str], str]:
    """The feeds the page at `url` announces (none when it is a feed), and a notice."""
    discover = site_of(request).discover
    if discover is None:
        return [], ""
    try:
        found = await discover(url)
    except Exception as exc:
        return [], f"The address could not be checked ({exc}); it was added as given."
    feeds: list[str] = []
    for candidate in found[:MAX_DISCOVERED]:
        try:
            feeds.append(normalize_feed_url(candidate))
        except SubscriptionError:
            continue
    feeds = list(dict.fromkeys(feeds))
    return ([] if feeds in ([], [url]) else feeds), ""


async def add(request: Request) -> Response:
    session = await require_admin(request)
    form_data = await checked_form(request, session)
    site = site_of(request)
    form = SourceForm.posted(form_data)
    categories = await run_in_threadpool(site.store.categories.all)
    if form.errors:
        return _show(request, session, form, categories)
    notice = ""
    if not form_data.get("chosen"):
        feeds, notice = await _discovered(request, form.url)
        if feeds:
            # A website: let the admin pick one of the feeds it announces.
            form.url = feeds[0]
            return _show(request, session, form, categories, discovered=feeds)
    try:
        feed = await run_in_threadpool(
            lambda: subscribe(
                site.store,
                form.url,
                title=form.title or None,
                refresh_interval=form.refresh_interval,
                categories=form.category_names,
                allow_private_networks=site.settings.allow_private_networks,
            )
        )
    except SubscriptionError as exc:
        form.errors["url"] = str(exc)
        return _show(request, session, form, categories)
    # As a reader's subscription does, the first check runs before the answer (within
    # subscribe_timeout), so the source's page has its entries when the admin opens it.
    checked = site.finder is not None and await fetch_within(
        site.finder, feed.id, site.settings.subscribe_timeout
    )
    site.changed()
    when = "checked it" if checked else "it will be checked shortly"
    message = f"Added {feed.display_title}; {when}. {notice}".strip()
    return redirect_after_post(request, session, "/admin", message)


async def edit_form(request: Request) -> Response:
    session = await require_admin(request)
    site = site_of(request)
    feed_id = path_id(request, "feed_id")

    def load() -> tuple[SourceForm, list[Category]]:
        feed = feed_or_404(site, feed_id)
        mine = [c.name for c in site.store.categories.of_feed(feed.id)]
        return SourceForm.of_feed(feed, mine), site.store.categories.all()

    form, categories = await run_in_threadpool(load)
    return _show(request, session, form, categories, feed_id=feed_id)


async def edit(request: Request) -> Response:
    session = await require_admin(request)
    form_data = await checked_form(request, session)
    site = site_of(request)
    feed_id = path_id(request, "feed_id")
    await run_in_threadpool(feed_or_404, site, feed_id)
    form = SourceForm.posted(form_data)
    categories = await run_in_threadpool(site.store.categories.all)
    if form.errors:
        return _show(request, session, form, categories, feed_id=feed_id)

    def save() -> str:
        feed = site.store.feeds.update(
            feed_id, url=form.url, title=form.title or None, refresh_interval=form.refresh_interval
        )
        site.store.categories.set_for_feed(feed_id, form.category_names)
        return feed.display_title

    try:
        title = await run_in_threadpool(save)
    except Conflict as exc:
        form.errors["url"] = str(exc)
        return _show(request, session, form, categories, feed_id=feed_id)
    except NotFound:
        return redirect_after_post(request, session, "/admin", "That source was deleted.")
    site.changed()
    return redirect_after_post(request, session, "/admin", f"Saved {title}.")


ROUTES = [
    Route("/admin/sources/add", add_form, methods=["GET"], name="admin_add"),
    Route("/admin/sources/add", add, methods=["POST"]),
    Route("/admin/sources/{feed_id:id}/edit", edit_form, methods=["GET"], name="admin_edit"),
    Route("/admin/sources/{feed_id:id}/edit", edit, methods=["POST"]),
]
