"""Reading: the unread / all / starred lists (everything, a feed, a category, a label), one
entry, state.

Lists go newest first, `page_size` at a time, with an "older" link carrying a keyset cursor
(?before=), so marking entries read while paging never skips or repeats one. Opening an entry
marks it read. "Mark all read" sweeps only entries first seen up to the time the list was
rendered (the form's hidden `as_of`): whatever arrived since stays unread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.errors import InvalidInput
from tidings.numerals import whole_number
from tidings.reading.enclosures import positions_of
from tidings.reading.limits import MAX_LABEL_LENGTH, label_name
from tidings.reading_model import Status, UserEntry
from tidings.store import NotFound
from tidings.web.guards import checked_form
from tidings.web.reader.common import (
    Reader,
    Show,
    back_to,
    format_cursor,
    json_state,
    parse_as_of,
    parse_cursor,
    path_number,
    private_page,
    require_user,
    show_of,
    sidebar,
    target,
    wants_json,
)
from tidings.web.reader.density import DENSITIES, density_of, snippet
from tidings.web.site import Site, site_of


@dataclass(frozen=True, slots=True)
class Scope:
    """What a list covers: everything, one of the user's feeds, one of their categories, or
    the entries with one of their labels."""

    feed_id: int | None = None
    category_id: int | None = None
    label: str | None = None

    @property
    def path(self) -> str:
        if self.feed_id is not None:
            return f"/reader/feeds/{self.feed_id}"
        if self.category_id is not None:
            return f"/reader/categories/{self.category_id}"
        if self.label is not None:
            return label_path(self.label)
        return "/reader"

    def params(self, show: Show) -> dict[str, str]:
        """The query that takes an entry page back into this list."""
        params: dict[str, str] = {"show": show}
        if self.feed_id is not None:
            params["feed"] = str(self.feed_id)
        if self.category_id is not None:
            params["category"] = str(self.category_id)
        if self.label is not None:
            params["label"] = self.label
        return params

    def url(self, show: Show, **extra: str) -> str:
        query: dict[str, str] = {} if show == "unread" else {"show": show}
        query.update(extra)
        return self.path + ("?" + urlencode(query) if query else "")


def label_path(label: str) -> str:
    """The address of the list of the user's entries with this label."""
    return "/reader/labels/" + quote(label, safe="")


def _filters(show: Show) -> dict[str, Any]:
    status: Status = "unread" if show == "unread" else "all"
    return {"status": status, "starred": True if show == "starred" else None}


def _list_page(request: Request, reader: Reader, scope: Scope) -> Response:
    site = site_of(request)
    show = show_of(request)
    before = parse_cursor(request.query_params.get("before"))
    rendered_at = datetime.now(UTC)
    side = sidebar(site.store, reader.id)
    if scope.feed_id is not None:
        subscription = side.subscription(scope.feed_id)
        if subscription is None:
            raise HTTPException(404, "You do not subscribe to that feed.")
        heading = subscription.display_title
        unread = subscription.unread_count
    elif scope.category_id is not None:
        category = side.category(scope.category_id)
        if category is None:
            raise HTTPException(404, "You have no such category.")
        heading = category.name
        unread = category.unread_count
    elif scope.label is not None:
        heading = f"Label: {scope.label}"
        unread = 0  # no count is kept per label here: the title says none
    else:
        heading = "All feeds"
        unread = side.total_unread
    size = site.settings.page_size
    found = site.store.reading.entries(
        reader.id,
        feed_id=scope.feed_id,
        category_id=scope.category_id,
        label=scope.label,
        before=before,
        limit=size + 1,
        **_filters(show),
    )
    if before is not None and not found:
        raise HTTPException(400, "There is nothing older in this list.")
    entries = found[:size]
    older = scope.url(show, before=format_cursor(entries[-1].cursor)) if len(found) > size else ""
    return private_page(
        request,
        reader,
        "reader/list.html",
        # The unread count leads the tab's title, so a pinned tab shows it.
        title=f"{f'({unread}) ' if unread else ''}{heading} · {show.capitalize()}",
        density=density_of(request),
        densities=DENSITIES,
        snippet=snippet,
        heading=heading,
        show=show,
        scope=scope,
        side=side,
        entries=entries,
        labels=site.store.labels.of_entries(reader.id, [item.id for item in entries]),
        feeds=side.by_feed,
        older=older,
        newest=scope.url(show) if before is not None else "",
        rendered_at=rendered_at.isoformat(),
        here=scope.url(show, **({"before": request.query_params["before"]} if before else {})),
        entry_query=urlencode(scope.params(show)),
    )


async def everything(request: Request) -> Response:
    reader = await require_user(request)
    return await run_in_threadpool(_list_page, request, reader, Scope())


async def feed(request: Request) -> Response:
    reader = await require_user(request)
    scope = Scope(feed_id=path_number(request, "feed_id"))
    return await run_in_threadpool(_list_page, request, reader, scope)


async def category(request: Request) -> Response:
    reader = await require_user(request)
    scope = Scope(category_id=path_number(request, "category_id"))
    return await run_in_threadpool(_list_page, request, reader, scope)


async def labelled(request: Request) -> Response:
    reader = await require_user(request)
    scope = Scope(label=label_of(request.path_params["label"]))
    return await run_in_threadpool(_list_page, request, reader, scope)


def label_of(text: str) -> str:
    """The label named in an address; 400 when it cannot be a label's name."""
    try:
        return label_name(text)
    except InvalidInput as exc:
        raise HTTPException(400, str(exc)) from None


def _context_of(request: Request) -> tuple[Scope, Show]:
    """The list an entry was opened from (?show=&feed=&category=&label=), for its neighbours."""
    show = show_of(request)

    def number(name: str) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        number = whole_number(raw)
        if not number:
            raise HTTPException(400, f"{name}= takes an id.")
        return number

    label = request.query_params.get("label")
    scope = Scope(number("feed"), number("category"), None if label is None else label_of(label))
    return scope, show


def _neighbours(
    site: Site, reader: Reader, entry: UserEntry, scope: Scope, show: Show
) -> tuple[UserEntry | None, UserEntry | None]:
    """The next (older) and previous (newer) entries of the list the entry was opened from.

    In the unread list "next" is the next unread entry; "previous" is the newer entry whatever
    its state, since the one just read would be skipped otherwise.
    """
    common: dict[str, Any] = {
        "feed_id": scope.feed_id,
        "category_id": scope.category_id,
        "label": scope.label,
    }
    filters = _filters(show)
    older = site.store.reading.entries(reader.id, before=entry.cursor, limit=1, **common, **filters)
    if show == "unread":
        filters = {"status": "all", "starred": None}
    newer = site.store.reading.entries(
        reader.id, after=entry.cursor, limit=1, order="oldest", **common, **filters
    )
    return (older[0] if older else None), (newer[0] if newer else None)


def _entry_page(request: Request, reader: Reader) -> Response:
    site = site_of(request)
    entry_id = path_number(request, "entry_id")
    scope, show = _context_of(request)
    try:
        entry = site.store.reading.entry(reader.id, entry_id)
    except NotFound:
        raise HTTPException(404, "There is no such entry in your feeds.") from None
    if not entry.read:
        site.store.reading.mark_read(reader.id, [entry.id])
        entry = site.store.reading.entry(reader.id, entry.id)
    side = sidebar(site.store, reader.id)
    older, newer = _neighbours(site, reader, entry, scope, show)
    return private_page(
        request,
        reader,
        "reader/entry.html",
        title=entry.entry.title or "(untitled)",
        item=entry,
        labels=site.store.labels.of_entries(reader.id, [entry.id]),
        progress=positions_of(site.store, reader.id, entry.entry),
        max_label_length=MAX_LABEL_LENGTH,
        subscription=side.subscription(entry.entry.feed_id),
        side=side,
        show=show,
        scope=scope,
        back=scope.url(show),
        older=older,
        newer=newer,
        entry_query=urlencode(scope.params(show)),
        here=request.url.path + ("?" + request.url.query if request.url.query else ""),
        # The full article is shown when there is one, unless ?view=feed asks for the feed's own.
        feed_view=request.query_params.get("view") == "feed",
        can_send=site.store.integrations.any_enabled(reader.id),
    )


async def entry_page(request: Request) -> Response:
    reader = await require_user(request)
    return await run_in_threadpool(_entry_page, request, reader)


_ACTIONS = {"read", "unread", "star", "unstar"}


async def entry_state(request: Request) -> Response:
    """POST /reader/entries/{id}/(read|unread|star|unstar): change one entry's state."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    action = request.path_params["action"]
    if action not in _ACTIONS:
        raise HTTPException(404, "There is no such action.")
    site = site_of(request)
    entry_id = path_number(request, "entry_id")
    reading = site.store.reading

    def work() -> UserEntry:
        reading.entry(reader.id, entry_id)  # NotFound unless it is in the user's feeds
        change = {
            "read": reading.mark_read,
            "star": reading.star,
        }.get(action)
        if change is not None:
            change(reader.id, [entry_id])
        elif action == "unread":
            reading.mark_unread(reader.id, [entry_id])
        else:
            reading.unstar(reader.id, [entry_id])
        return reading.entry(reader.id, entry_id)

    try:
        entry = await run_in_threadpool(work)
    except NotFound:
        raise HTTPException(404, "There is no such entry in your feeds.") from None
    if wants_json(request):
        return json_state({"id": entry.id, "read": entry.read, "starred": entry.starred})
    return back_to(request, reader, target(form.get("next"), f"/reader/entries/{entry_id}"))


async def _entry_label(request: Request, *, add: bool) -> Response:
    """Put a label (form field `name`) on one entry or take it off; back to the entry (or the
    form's `next`), saying what was done."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    entry_id = path_number(request, "entry_id")
    store = site_of(request).store
    name = str(form.get("name", ""))

    def work() -> str:
        store.reading.entry(reader.id, entry_id)  # NotFound unless it is in the user's feeds
        if add:
            store.labels.add(reader.id, [entry_id], name)
            return f"Labelled {label_name(name)}."
        store.labels.remove(reader.id, [entry_id], name)
        return f"Took off the label {name}."

    try:
        message = await run_in_threadpool(work)
    except NotFound:
        raise HTTPException(404, "There is no such entry in your feeds.") from None
    except InvalidInput as exc:
        message = f"Not labelled: {exc}"
    return back_to(
        request, reader, target(form.get("next"), f"/reader/entries/{entry_id}"), message
    )


async def label_entry(request: Request) -> Response:
    """POST /reader/entries/{id}/label (name): put the label on the entry."""
    return await _entry_label(request, add=True)


async def unlabel_entry(request: Request) -> Response:
    """POST /reader/entries/{id}/unlabel (name): take the label off the entry."""
    return await _entry_label(request, add=False)


async def _mark_read(request: Request, scope: Scope) -> Response:
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    as_of = parse_as_of(form.get("as_of"))
    reading = site_of(request).store.reading

    def work() -> int:
        if scope.feed_id is not None:
            return reading.mark_feed_read(reader.id, scope.feed_id, as_of=as_of)
        if scope.category_id is not None:
            return reading.mark_category_read(reader.id, scope.category_id, as_of=as_of)
        return reading.mark_all_read(reader.id, as_of=as_of)

    try:
        count = await run_in_threadpool(work)
    except NotFound:
        raise HTTPException(404, "That list is not yours.") from None
    message = f"Marked {count} entr{'y' if count == 1 else 'ies'} read."
    return back_to(request, reader, target(form.get("next"), scope.path), message)


async def refresh_feed(request: Request) -> Response:
    """POST: check one of the user's feeds soon (the `R` key and the feed list's button).

    The rule is the one of Miniflux's PUT /v1/feeds/{id}/refresh and the admin's "update now": a
    subscriber may ask, and a disabled feed is not scheduled."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    feed_id = path_number(request, "feed_id")
    store = site_of(request).store

    def work() -> tuple[str, int]:
        sub = store.reading.subscription(reader.id, feed_id)  # NotFound unless the user's
        return sub.display_title, store.feeds.schedule_now([feed_id])

    try:
        title, scheduled = await run_in_threadpool(work)
    except NotFound:
        raise HTTPException(404, "You do not subscribe to that feed.") from None
    message = (
        f"{title} will be updated shortly."
        if scheduled
        else f"{title} is disabled and was not scheduled."
    )
    return back_to(request, reader, target(form.get("next"), f"/reader/feeds/{feed_id}"), message)


async def mark_all_read(request: Request) -> Response:
    return await _mark_read(request, Scope())


async def mark_feed_read(request: Request) -> Response:
    return await _mark_read(request, Scope(feed_id=path_number(request, "feed_id")))


async def mark_category_read(request: Request) -> Response:
    return await _mark_read(request, Scope(category_id=path_number(request, "category_id")))


ROUTES = [
    Route("/reader", everything, methods=["GET"], name="reader"),
    Route("/reader/mark-read", mark_all_read, methods=["POST"]),
    Route("/reader/feeds/{feed_id:id}", feed, methods=["GET"], name="reader_feed"),
    Route("/reader/feeds/{feed_id:id}/mark-read", mark_feed_read, methods=["POST"]),
    Route("/reader/feeds/{feed_id:id}/refresh", refresh_feed, methods=["POST"]),
    Route("/reader/categories/{category_id:id}", category, methods=["GET"]),
    Route("/reader/categories/{category_id:id}/mark-read", mark_category_read, methods=["POST"]),
    Route("/reader/labels/{label:path}", labelled, methods=["GET"], name="reader_label"),
    Route("/reader/entries/{entry_id:id}", entry_page, methods=["GET"], name="reader_entry"),
    Route("/reader/entries/{entry_id:id}/label", label_entry, methods=["POST"]),
    Route("/reader/entries/{entry_id:id}/unlabel", unlabel_entry, methods=["POST"]),
    Route("/reader/entries/{entry_id:id}/{action}", entry_state, methods=["POST"]),
]
