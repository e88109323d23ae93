"""The user's own subscriptions and categories: subscribe, rename, categorize, unsubscribe."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.errors import UserError
from tidings.numerals import whole_number
from tidings.publish.opml import OPMLError
from tidings.reading.limits import category_name, feed_url_text, subscription_title
from tidings.reading.subscribing import subscribe as subscribe_to
from tidings.reading_model import Subscription
from tidings.scraper import MAX_SCRAPER_RULES, check_scraper_rules
from tidings.store import Conflict, LimitReached, NotFound
from tidings.subscriptions import export_reader_opml, import_reader_opml
from tidings.web.admin_import import ImportProblem, uploaded_opml
from tidings.web.guards import checked_form
from tidings.web.reader.common import (
    Reader,
    back_to,
    path_number,
    private_page,
    require_user,
    sidebar,
)
from tidings.web.site import site_of

SUBSCRIPTIONS = "/reader/subscriptions"
CATEGORIES = "/reader/categories"


def _names(text: str) -> list[str]:
    """Category names typed in one field, separated by commas (each within limits)."""
    return [category_name(part) for part in text.split(",") if part.strip()]


def _title(form: FormData) -> str | None:
    return subscription_title(str(form.get("title", "")))


def _subscriptions_page(
    request: Request, reader: Reader, *, status: int = 200, error: str = "", form: object = None
) -> Response:
    side = sidebar(site_of(request).store, reader.id)
    values = form if isinstance(form, FormData) else FormData()
    return private_page(
        request,
        reader,
        "reader/subscriptions.html",
        status=status,
        title="Subscriptions",
        side=side,
        error=error,
        url=str(values.get("url", "")),
        new_title=str(values.get("title", "")),
        new_categories=str(values.get("categories", "")),
    )


async def subscriptions(request: Request) -> Response:
    reader = await require_user(request)
    return await run_in_threadpool(_subscriptions_page, request, reader)


async def subscribe(request: Request) -> Response:
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    site = site_of(request)
    try:
        raw_url = feed_url_text(str(form.get("url", "")))
        title = _title(form)
        names = _names(str(form.get("categories", "")))
        added = await subscribe_to(
            site.store,
            site.settings,
            site.finder,
            reader.id,
            raw_url,
            title=title,
            categories=names,
        )
    except Conflict:
        error = "You subscribe to that feed already."
        return await run_in_threadpool(
            lambda: _subscriptions_page(request, reader, error=error, form=form)
        )
    except UserError as exc:
        error = str(exc)
        return await run_in_threadpool(
            lambda: _subscriptions_page(request, reader, error=error, form=form)
        )
    message = subscribed_message(added)
    return back_to(request, reader, f"/reader/feeds/{added.feed_id}", message)


def subscribed_message(added: Subscription) -> str:
    """What the next page says of a new subscription: its unread entries, or why none yet."""
    if added.last_error:
        return (
            f"Subscribed to {added.display_title}, but its first check failed: {added.last_error}"
        )
    if added.checked_at is None:
        return f"Subscribed to {added.display_title}. Its entries appear after its first check."
    count = added.unread_count
    return (
        f"Subscribed to {added.display_title}: {count} unread entr{'y' if count == 1 else 'ies'}."
    )


def _subscription_page(
    request: Request, reader: Reader, feed_id: int, *, status: int = 200, error: str = ""
) -> Response:
    store = site_of(request).store
    try:
        subscription = store.reading.subscription(reader.id, feed_id)
    except NotFound:
        raise HTTPException(404, "You do not subscribe to that feed.") from None
    return private_page(
        request,
        reader,
        "reader/subscription.html",
        status=status,
        title=f"Edit {subscription.display_title}",
        side=sidebar(store, reader.id),
        subscription=subscription,
        chosen={c.id for c in subscription.categories},
        max_scraper_rules=MAX_SCRAPER_RULES,
        error=error,
    )


async def subscription(request: Request) -> Response:
    reader = await require_user(request)
    feed_id = path_number(request, "feed_id")
    return await run_in_threadpool(_subscription_page, request, reader, feed_id)


async def update_subscription(request: Request) -> Response:
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    feed_id = path_number(request, "feed_id")
    store = site_of(request).store

    def work() -> str:
        own = {c.id: c.name for c in store.reading.categories(reader.id)}
        picked = [str(v) for v in form.getlist("category")]
        chosen = [own[n] for v in picked if (n := whole_number(v)) is not None and n in own]
        names = chosen + _names(str(form.get("new_categories", "")))
        articles: dict[str, Any] = {"crawler": form.get("crawler") == "on"}
        typed = form.get("scraper_rules")
        if isinstance(typed, str):  # absent: a form of before the field, which keeps them
            articles["scraper_rules"] = check_scraper_rules(typed)
            articles["admin"] = reader.user.is_admin
        updated = store.reading.update_subscription(
            reader.id, feed_id, title=_title(form), categories=names, **articles
        )
        return updated.display_title

    try:
        name = await run_in_threadpool(work)
    except NotFound:
        raise HTTPException(404, "You do not subscribe to that feed.") from None
    except UserError as exc:
        error = str(exc)
        return await run_in_threadpool(
            lambda: _subscription_page(request, reader, feed_id, error=error)
        )
    return back_to(request, reader, SUBSCRIPTIONS, f"Saved {name}.")


async def export_subscriptions(request: Request) -> Response:
    """GET /reader/subscriptions.opml: the reader's subscriptions as an OPML file."""
    reader = await require_user(request)
    store = site_of(request).store
    body = await run_in_threadpool(
        export_reader_opml, store, reader.id, f"{reader.user.name}'s subscriptions"
    )
    return Response(
        body,
        media_type="text/x-opml; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="subscriptions.opml"',
            "Cache-Control": "private, no-store",
        },
    )


async def import_subscriptions(request: Request) -> Response:
    """POST /reader/subscriptions/import: follow every feed of an uploaded OPML file."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    site = site_of(request)
    try:
        data = await uploaded_opml(form)  # parse_opml refuses a file over MAX_OPML_BYTES
        done = await run_in_threadpool(
            import_reader_opml, site.store, site.settings, reader.id, data
        )
    except (ImportProblem, OPMLError) as exc:
        return back_to(request, reader, SUBSCRIPTIONS, f"Nothing imported: {exc}")
    except LimitReached as exc:
        return back_to(request, reader, SUBSCRIPTIONS, f"The import stopped: {exc}.")
    skipped = f"; {len(done.skipped)} skipped ({done.skipped[0]}…)" if done.skipped else ""
    return back_to(
        request, reader, SUBSCRIPTIONS, f"Imported: {done.subscribed} new subscriptions{skipped}."
    )


async def unsubscribe(request: Request) -> Response:
    reader = await require_user(request)
    await checked_form(request, reader.session)
    feed_id = path_number(request, "feed_id")
    store = site_of(request).store
    try:
        await run_in_threadpool(store.reading.unsubscribe, reader.id, feed_id)
    except NotFound:
        raise HTTPException(404, "You do not subscribe to that feed.") from None
    return back_to(request, reader, SUBSCRIPTIONS, "Unsubscribed.")


def _categories_page(
    request: Request, reader: Reader, *, status: int = 200, error: str = "", name: str = ""
) -> Response:
    return private_page(
        request,
        reader,
        "reader/categories.html",
        status=status,
        title="Your categories",
        side=sidebar(site_of(request).store, reader.id),
        error=error,
        name=name,
    )


async def categories(request: Request) -> Response:
    reader = await require_user(request)
    return await run_in_threadpool(_categories_page, request, reader)


async def add_category(request: Request) -> Response:
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    store = site_of(request).store
    try:
        name = category_name(str(form.get("name") or ""))
        await run_in_threadpool(store.reading.add_category, reader.id, name)
    except UserError as exc:
        error, typed = str(exc), str(form.get("name", ""))
        return await run_in_threadpool(
            lambda: _categories_page(request, reader, error=error, name=typed)
        )
    return back_to(request, reader, CATEGORIES, f"Added the category {name}.")


async def rename_category(request: Request) -> Response:
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    category_id = path_number(request, "category_id")
    store = site_of(request).store
    try:
        name = category_name(str(form.get("name") or ""))
        await run_in_threadpool(store.reading.rename_category, reader.id, category_id, name)
    except NotFound:
        raise HTTPException(404, "You have no such category.") from None
    except UserError as exc:
        return back_to(request, reader, CATEGORIES, f"Not renamed: {exc}")
    return back_to(request, reader, CATEGORIES, f"Renamed the category to {name}.")


async def remove_category(request: Request) -> Response:
    reader = await require_user(request)
    await checked_form(request, reader.session)
    category_id = path_number(request, "category_id")
    store = site_of(request).store
    try:
        await run_in_threadpool(store.reading.remove_category, reader.id, category_id)
    except NotFound:
        raise HTTPException(404, "You have no such category.") from None
    return back_to(request, reader, CATEGORIES, "Deleted the category; its feeds stay.")


ROUTES = [
    Route(SUBSCRIPTIONS, subscriptions, methods=["GET"], name="reader_subscriptions"),
    Route(SUBSCRIPTIONS + ".opml", export_subscriptions, methods=["GET"]),
    Route(SUBSCRIPTIONS + "/import", import_subscriptions, methods=["POST"]),
    Route(SUBSCRIPTIONS, subscribe, methods=["POST"]),
    Route(SUBSCRIPTIONS + "/{feed_id:id}", subscription, methods=["GET"]),
    Route(SUBSCRIPTIONS + "/{feed_id:id}", update_subscription, methods=["POST"]),
    Route(SUBSCRIPTIONS + "/{feed_id:id}/unsubscribe", unsubscribe, methods=["POST"]),
    Route(CATEGORIES, categories, methods=["GET"], name="reader_categories"),
    Route(CATEGORIES, add_category, methods=["POST"]),
    Route(CATEGORIES + "/{category_id:id}/rename", rename_category, methods=["POST"]),
    Route(CATEGORIES + "/{category_id:id}/delete", remove_category, methods=["POST"]),
]
