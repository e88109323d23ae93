"""Search of the user's entries: the results page, the help page, and results as feeds.

A search's feeds (/reader/search.rss|atom|json?q=…) are for feed readers, which cannot sign
in: they authenticate with a *feed token* as `&token=TOKEN`, or else with the session cookie (a
browser). A feed token is made for one search from the results page ("Get a link for feed
readers"); it reads that search's feed and nothing else, and is revocable on /account/keys. (An
API key is no longer taken here: it can change everything, and a URL lands in access logs.)

A search can be saved under a name (/reader/search/save): the sidebar lists saved searches with
their unread counts, and a saved search's feeds are its query's search feeds.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.errors import UserError
from tidings.model import Feed
from tidings.publish.channel import Channel, authority_of
from tidings.reading_model import SearchHit
from tidings.search_query import MAX_QUERY_LENGTH, SearchQueryError, parse_search_query
from tidings.store import NotFound
from tidings.web.guards import checked_form
from tidings.web.identity import signed_in_user
from tidings.web.outputs import FORMATS
from tidings.web.pages import Alternate
from tidings.web.paging import page_number
from tidings.web.reader.common import (
    Reader,
    back_to,
    path_number,
    private_page,
    require_user,
    sidebar,
)
from tidings.web.responses import Rendered, send
from tidings.web.site import site_of

SEARCH = "/reader/search"
FEED_SIZE = 50
# Feeds are personal: a shared cache must not keep them; the reader revalidates with the ETag.
FEED_CACHE_CONTROL = "private, no-cache"


def _alternates(text: str) -> tuple[Alternate, ...]:
    """The search's output feeds (for the signed-in browser; feed readers get a feed link)."""
    query = urlencode({"q": text})
    return tuple(
        Alternate(media_type.split(";")[0], f"Search: {text} ({label})", f"{SEARCH}.{ext}?{query}")
        for ext, label, media_type in (
            ("rss", "RSS", FORMATS["rss"][1]),
            ("atom", "Atom", FORMATS["atom"][1]),
            ("json", "JSON Feed", FORMATS["json"][1]),
        )
    )


def _search_page(request: Request, reader: Reader) -> Response:
    site = site_of(request)
    text = request.query_params.get("q", "").strip()
    page = page_number(request)
    size = site.settings.page_size
    hits: list[SearchHit] = []
    error = ""
    more = False
    if text:
        try:
            found = site.store.search.search(
                reader.id, parse_search_query(text), limit=size + 1, offset=(page - 1) * size
            )
        except SearchQueryError as exc:
            error = str(exc)
        else:
            hits, more = found[:size], len(found) > size
    side = sidebar(site.store, reader.id)
    query = urlencode({"q": text})
    return private_page(
        request,
        reader,
        "reader/search.html",
        title=f"Search: {text}" if text else "Search",
        side=side,
        q=text,
        max_length=MAX_QUERY_LENGTH,
        error=error,
        hits=hits,
        labels=site.store.labels.of_entries(reader.id, [hit.entry.id for hit in hits]),
        feeds=side.by_feed,
        page=page,
        previous=f"{SEARCH}?{urlencode({'q': text, 'page': page - 1})}" if page > 1 else "",
        next=f"{SEARCH}?{urlencode({'q': text, 'page': page + 1})}" if more else "",
        alternates=_alternates(text) if text and not error else (),
        feed_query=query,
        saved_as=next((saved for saved in side.saved if saved.query == text), None),
    )


async def search(request: Request) -> Response:
    reader = await require_user(request)
    return await run_in_threadpool(_search_page, request, reader)


async def help_page(request: Request) -> Response:
    reader = await require_user(request)
    side = await run_in_threadpool(sidebar, site_of(request).store, reader.id)
    return private_page(
        request, reader, "reader/help.html", title="Help: search and keys", side=side
    )


async def _feed_user_id(request: Request, text: str) -> int:
    """Whose search feed this is: the owner of a feed token made for this search, else the
    signed-in user; 403 otherwise."""
    site = site_of(request)
    token = request.query_params.get("token")
    if token is not None:
        user_id = await run_in_threadpool(site.store.feed_tokens.user_for, token[:200], text)
        if user_id is None:
            raise HTTPException(
                403, "That feed link is not valid for this search (it may have been revoked)."
            )
        return user_id
    user = signed_in_user(request)
    if user is not None:
        return user.id
    raise HTTPException(
        403, "This feed is personal: use the link for feed readers from the search page."
    )


async def feed_link(request: Request) -> Response:
    """POST /reader/search/link: a feed token for the search `q`; the page shows its feeds."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    text = str(form.get("q", "")).strip()
    site = site_of(request)
    try:
        parse_search_query(text)
        _, token = await run_in_threadpool(site.store.feed_tokens.create, reader.id, text)
    except (SearchQueryError, ValueError) as exc:
        raise HTTPException(400, f"No feed link for that search: {exc}.") from None
    base = site.base_url(request)
    query = urlencode({"q": text, "token": token})
    links = tuple(
        (label, f"{base}{SEARCH}.{ext}?{query}")
        for ext, label in (("atom", "Atom"), ("rss", "RSS"), ("json", "JSON Feed"))
    )
    side = await run_in_threadpool(sidebar, site.store, reader.id)
    return private_page(
        request,
        reader,
        "reader/feed_link.html",
        title=f"Feed link: {text}",
        side=side,
        q=text,
        links=links,
    )


async def search_feed(request: Request) -> Response:
    """GET /reader/search.{rss,atom,json}?q=…[&key=…]: the best matches as an output feed."""
    found = FORMATS.get(request.path_params["format"])
    if found is None:
        raise HTTPException(404, "There is no feed in that format.")
    writer, media_type = found
    text = request.query_params.get("q", "").strip()
    user_id = await _feed_user_id(request, text)
    site = site_of(request)
    try:
        parsed = parse_search_query(text)
    except SearchQueryError as exc:
        raise HTTPException(400, f"The search cannot be understood: {exc}.") from None

    def work() -> Rendered:
        hits = site.store.search.search(user_id, parsed, limit=FEED_SIZE)
        sources = {
            s.feed_id: Feed(id=s.feed_id, url=s.url, title=s.display_title, site_url=s.site_url)
            for s in site.store.reading.subscriptions(user_id)
        }
        base = site.base_url(request)
        query = urlencode({"q": text})
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        channel = Channel(
            key=f"user/{user_id}/search/{digest}",
            title=f"{site.settings.site_name}: search for {text}",
            description=f"Your entries matching {text}",
            page_url=f"{base}{SEARCH}?{query}",
            self_url=f"{base}{request.url.path}?{query}",
            authority=authority_of(base),
            entries=[hit.entry.entry for hit in hits],
            sources=sources,
        )
        return Rendered(writer(channel), media_type)

    return send(request, await run_in_threadpool(work), cache_control=FEED_CACHE_CONTROL)


def _search_url(text: str) -> str:
    """The search's results page; the empty search's for a search too long to be one (a form
    sent 100 KB of it, and came back as a 100 KB Location)."""
    if len(text) > MAX_QUERY_LENGTH:
        return SEARCH
    return f"{SEARCH}?{urlencode({'q': text})}"


async def save_search(request: Request) -> Response:
    """POST /reader/search/save (name, q): save the search; back to its results."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    text, name = str(form.get("q", "")).strip(), str(form.get("name", ""))
    store = site_of(request).store
    try:
        saved = await run_in_threadpool(store.saved_searches.create, reader.id, name, text)
    except (UserError, ValueError) as exc:
        return back_to(request, reader, _search_url(text), f"Not saved: {exc}.")
    return back_to(request, reader, _search_url(text), f"Saved the search as {saved.name}.")


async def delete_saved_search(request: Request) -> Response:
    """POST /reader/search/saved/{id}/delete: forget a saved search; back to its results."""
    reader = await require_user(request)
    await checked_form(request, reader.session)
    search_id = path_number(request, "search_id")
    store = site_of(request).store
    try:
        saved = await run_in_threadpool(store.saved_searches.get, reader.id, search_id)
        await run_in_threadpool(store.saved_searches.delete, reader.id, search_id)
    except NotFound:
        raise HTTPException(404, "You have no such saved search.") from None
    return back_to(
        request, reader, _search_url(saved.query), f"Deleted the saved search {saved.name}."
    )


ROUTES = [
    Route(SEARCH, search, methods=["GET"], name="reader_search"),
    Route(SEARCH + ".{format}", search_feed, methods=["GET"], name="reader_search_feed"),
    Route(SEARCH + "/link", feed_link, methods=["POST"], name="reader_search_link"),
    Route(SEARCH + "/save", save_search, methods=["POST"], name="reader_search_save"),
    Route(SEARCH + "/saved/{search_id:id}/delete", delete_saved_search, methods=["POST"]),
    Route("/reader/help", help_page, methods=["GET"], name="reader_help"),
]
