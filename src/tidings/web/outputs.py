"""Output feeds (RSS, Atom, JSON Feed) of the river, each source and each category; OPML."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.publish.atom import write_atom
from tidings.publish.channel import Channel, authority_of
from tidings.publish.jsonfeed import write_jsonfeed
from tidings.publish.rss import write_rss
from tidings.subscriptions import export_opml
from tidings.web.pages import category_or_404, path_id, public_feed_or_404
from tidings.web.responses import Rendered
from tidings.web.serving import serve_public
from tidings.web.sessions import Session
from tidings.web.site import Site

Writer = Callable[[Channel], bytes]

FORMATS: dict[str, tuple[Writer, str]] = {
    "rss": (write_rss, "application/rss+xml; charset=utf-8"),
    "atom": (write_atom, "application/atom+xml; charset=utf-8"),
    "json": (write_jsonfeed, "application/feed+json; charset=utf-8"),
}


def _format(request: Request) -> tuple[Writer, str]:
    found = FORMATS.get(request.path_params["format"])
    if found is None:
        raise HTTPException(404, "There is no feed in that format.")
    return found


def _channel(
    site: Site, request: Request, *, key: str, title: str, description: str, page_path: str
) -> Channel:
    base = site.base_url(request)
    feed_id = request.path_params.get("feed_id")
    category_id = request.path_params.get("category_id")
    entries = site.store.entries.newest(
        limit=site.settings.page_size,
        feed_id=None if feed_id is None else int(feed_id),
        category_id=None if category_id is None else int(category_id),
    )
    return Channel(
        key=key,
        title=title,
        description=description,
        page_url=base + page_path,
        self_url=base + request.url.path,
        authority=authority_of(base),
        entries=entries,
        sources=site.store.feeds.by_ids({e.feed_id for e in entries}),
        hub=site.settings.websub_hub or None,
    )


def _river_feed(site: Site, request: Request, session: Session) -> Rendered:
    writer, media_type = _format(request)
    name = site.settings.site_name
    channel = _channel(
        site, request, key="river", title=name, description=f"News from {name}", page_path="/"
    )
    return Rendered(writer(channel), media_type)


def _source_feed(site: Site, request: Request, session: Session) -> Rendered:
    writer, media_type = _format(request)
    feed = public_feed_or_404(site, path_id(request, "feed_id"))
    channel = _channel(
        site,
        request,
        key=f"source/{feed.id}",
        title=feed.display_title,
        description=feed.description or "",
        page_path=f"/sources/{feed.id}",
    )
    return Rendered(writer(channel), media_type)


def _category_feed(site: Site, request: Request, session: Session) -> Rendered:
    writer, media_type = _format(request)
    category = category_or_404(site, path_id(request, "category_id"))
    channel = _channel(
        site,
        request,
        key=f"category/{category.id}",
        title=f"{site.settings.site_name}: {category.name}",
        description=f"News in {category.name}",
        page_path=f"/categories/{category.id}",
    )
    return Rendered(writer(channel), media_type)


def _opml(site: Site, request: Request, session: Session) -> Rendered:
    body = export_opml(site.store, title=f"{site.settings.site_name} sources")
    return Rendered(body, "text/x-opml; charset=utf-8")


def _announce_hub(request: Request, response: Response) -> Response:
    """The response with WebSub's Link headers (hub and self) when a hub is configured."""
    site: Site = request.app.state.site
    hub = site.settings.websub_hub
    if hub and response.status_code == 200:
        self_url = site.base_url(request) + request.url.path
        response.headers["Link"] = f'<{hub}>; rel="hub", <{self_url}>; rel="self"'
    return response


async def river_feed(request: Request) -> Response:
    return _announce_hub(request, await serve_public(request, _river_feed, personal=False))


async def source_feed(request: Request) -> Response:
    return _announce_hub(request, await serve_public(request, _source_feed, personal=False))


async def category_feed(request: Request) -> Response:
    return _announce_hub(request, await serve_public(request, _category_feed, personal=False))


async def opml(request: Request) -> Response:
    response = await serve_public(request, _opml, personal=False)
    if response.status_code == 200:
        response.headers["Content-Disposition"] = 'inline; filename="sources.opml"'
    return response


ROUTES = [
    Route("/feed.{format}", river_feed, name="river_feed"),
    Route("/sources/{feed_id:id}/feed.{format}", source_feed, name="source_feed"),
    Route("/categories/{category_id:id}/feed.{format}", category_feed, name="category_feed"),
    Route("/opml", opml, name="opml"),
]
