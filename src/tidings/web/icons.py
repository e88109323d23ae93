"""Site icons as images: `/icons/{id}` (an icon's bytes, never changing) and
`/icons/feed/{feed_id}` (a feed's current icon, or a neutral placeholder so a page never shows a
broken image). Templates use the `feed_icon` macro (`_icons.html`), which points at the latter."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.store import NotFound
from tidings.store.icons import StoredIcon
from tidings.web.identity import signed_in_user
from tidings.web.pages import path_id
from tidings.web.site import site_of

# An icon's bytes never change under its id (rows are keyed by their hash).
IMMUTABLE = "public, max-age=31536000, immutable"
# A feed's icon changes rarely (looked for again monthly): a day, then revalidate by ETag.
DAILY = "public, max-age=86400"
# An SVG is served as an image document that can run nothing and load nothing.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

PLACEHOLDER = StoredIcon(
    id=0,
    mime_type="image/svg+xml",
    data=(
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
        b'<circle cx="8" cy="8" r="6" fill="#9aa0a6"/></svg>'
    ),
    hash="placeholder-1",
)


def icon_response(request: Request, icon: StoredIcon, cache_control: str) -> Response:
    """The icon's bytes with its sniffed type, ETag and cache headers; 304 when current."""
    etag = f'"{icon.hash}"'
    headers = {"Cache-Control": cache_control, "ETag": etag, "X-Content-Type-Options": "nosniff"}
    if icon.mime_type == "image/svg+xml":
        headers["Content-Security-Policy"] = SVG_POLICY
    wanted = request.headers.get("if-none-match", "")
    if etag in (tag.strip().removeprefix("W/") for tag in wanted.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(icon.data, media_type=icon.mime_type, headers=headers)


async def icon(request: Request) -> Response:
    site = site_of(request)
    found = await run_in_threadpool(site.store.icons.get, path_id(request, "icon_id"))
    if found is None:
        return Response("There is no such icon.", status_code=404, media_type="text/plain")
    return icon_response(request, found, IMMUTABLE)


async def feed_icon(request: Request) -> Response:
    site = site_of(request)
    feed_id = path_id(request, "feed_id")

    def lookup() -> StoredIcon | None:
        try:
            feed = site.store.feeds.get(feed_id)
        except NotFound:
            return None
        # A reader's private subscription shows its icon to signed-in people only.
        if not feed.is_public and signed_in_user(request) is None:
            return None
        return site.store.icons.of_feed(feed_id)

    found = await run_in_threadpool(lookup)
    return icon_response(request, found or PLACEHOLDER, DAILY)


ROUTES = [
    Route("/icons/{icon_id:id}", icon, name="icon"),
    Route("/icons/feed/{feed_id:id}", feed_icon, name="feed_icon"),
]
