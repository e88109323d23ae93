"""The public news pages: the river, the sources, one source (the seed page), categories."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.model import Category, Feed
from tidings.store import NotFound, Store
from tidings.web.paging import page_number, slice_page
from tidings.web.responses import Rendered
from tidings.web.serving import serve_public
from tidings.web.sessions import Session
from tidings.web.site import Site

MAX_ID = 2**63 - 1  # larger ids cannot exist, and would overflow the database's integers


@dataclass(frozen=True, slots=True)
class Alternate:
    """An output feed announced with <link rel="alternate">."""

    media_type: str
    label: str
    href: str


def feed_links(stem: str, title: str) -> tuple[Alternate, ...]:
    """The RSS, Atom and JSON Feed versions of a page whose feeds live at `stem`.rss etc."""
    return (
        Alternate("application/rss+xml", f"{title} (RSS)", f"{stem}.rss"),
        Alternate("application/atom+xml", f"{title} (Atom)", f"{stem}.atom"),
        Alternate("application/feed+json", f"{title} (JSON Feed)", f"{stem}.json"),
    )


def path_id(request: Request, name: str) -> int:
    """The numeric id in the path; 404 when it is out of any id's range."""
    value = int(request.path_params[name])
    if not 0 < value <= MAX_ID:
        raise HTTPException(404, "There is no such page.")
    return value


def feed_or_404(site: Site, feed_id: int) -> Feed:
    try:
        return site.store.feeds.get(feed_id)
    except NotFound:
        raise HTTPException(404, "There is no such source.") from None


def public_feed_or_404(site: Site, feed_id: int) -> Feed:
    """The feed if the site publishes it: a reader's private subscription is no public page."""
    feed = feed_or_404(site, feed_id)
    if not feed.is_public:
        raise HTTPException(404, "There is no such source.")
    return feed


def category_or_404(site: Site, category_id: int) -> Category:
    try:
        return site.store.categories.get(category_id)
    except NotFound:
        raise HTTPException(404, "There is no such category.") from None


def followed(store: Store, session: Session, feed_ids: Iterable[int]) -> frozenset[int]:
    """Which of `feed_ids` the signed-in person subscribes to (none for a visitor)."""
    ids = list(feed_ids)
    if session.user_id is None or not ids:
        return frozenset()
    found = store.reading.subscriptions(session.user_id, with_unread=False, feed_ids=ids)
    return frozenset(s.feed_id for s in found)


def _river(site: Site, request: Request, session: Session) -> Rendered:
    page = page_number(request)
    size = site.settings.page_size
    fetched = site.store.entries.newest(limit=size + 1, offset=(page - 1) * size)
    entries, pager = slice_page(fetched, page, size, "/")
    sources = site.store.feeds.by_ids({e.feed_id for e in entries})
    return site.render(
        request,
        "river.html",
        session=session,
        title=site.settings.site_name,
        entries=entries,
        sources=sources,
        pager=pager,
        alternates=feed_links("/feed", site.settings.site_name),
    )


def _sources(site: Site, request: Request, session: Session) -> Rendered:
    page = page_number(request)
    size = site.settings.page_size
    listed = site.store.feeds.all(limit=size + 1, offset=(page - 1) * size)
    feeds, pager = slice_page(listed, page, size, "/sources")
    newest = site.store.entries.newest_per_feed(
        [f.id for f in feeds], site.settings.items_in_source_listing
    )
    return site.render(
        request,
        "sources.html",
        session=session,
        title="Sources",
        feeds=feeds,
        newest=newest,
        pager=pager,
        following=followed(site.store, session, (f.id for f in feeds)),
    )


def _source(site: Site, request: Request, session: Session) -> Rendered:
    feed = public_feed_or_404(site, path_id(request, "feed_id"))
    page = page_number(request)
    size = site.settings.page_size
    fetched = site.store.entries.newest(limit=size + 1, offset=(page - 1) * size, feed_id=feed.id)
    entries, pager = slice_page(fetched, page, size, f"/sources/{feed.id}")
    return site.render(
        request,
        "source.html",
        session=session,
        title=feed.display_title,
        feed=feed,
        entries=entries,
        pager=pager,
        following=followed(site.store, session, (feed.id,)),
        alternates=feed_links(f"/sources/{feed.id}/feed", feed.display_title),
    )


def _categories(site: Site, request: Request, session: Session) -> Rendered:
    return site.render(
        request,
        "categories.html",
        session=session,
        title="Categories",
        categories=site.store.categories.all(),
    )


def _category(site: Site, request: Request, session: Session) -> Rendered:
    category = category_or_404(site, path_id(request, "category_id"))
    page = page_number(request)
    size = site.settings.page_size
    fetched = site.store.entries.newest(
        limit=size + 1, offset=(page - 1) * size, category_id=category.id
    )
    entries, pager = slice_page(fetched, page, size, f"/categories/{category.id}")
    sources = site.store.feeds.by_ids({e.feed_id for e in entries})
    return site.render(
        request,
        "category.html",
        session=session,
        title=category.name,
        category=category,
        entries=entries,
        sources=sources,
        pager=pager,
        alternates=feed_links(f"/categories/{category.id}/feed", category.name),
    )


async def river(request: Request) -> Response:
    return await serve_public(request, _river)


async def sources(request: Request) -> Response:
    return await serve_public(request, _sources)


async def source(request: Request) -> Response:
    return await serve_public(request, _source)


async def categories(request: Request) -> Response:
    return await serve_public(request, _categories)


async def category(request: Request) -> Response:
    return await serve_public(request, _category)


ROUTES = [
    Route("/", river, name="river"),
    Route("/sources", sources, name="sources"),
    Route("/sources/{feed_id:id}", source, name="source"),
    Route("/categories", categories, name="categories"),
    Route("/categories/{category_id:id}", category, name="category"),
]
