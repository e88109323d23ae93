"""Serving public pages and output feeds: access check, page cache, ETag."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tidings.web.guards import require_reader
from tidings.web.responses import Rendered, send
from tidings.web.sessions import Session, save_session, without_flash
from tidings.web.site import Site, site_of

Producer = Callable[[Site, Request, Session], Rendered]


async def serve_public(request: Request, produce: Producer, *, personal: bool = True) -> Response:
    """The page `produce` makes, reused from the page cache while the data is unchanged.

    Pages for a signed-in person carry their CSRF token and name (`personal`), so only the pages
    anonymous readers see are cached; output feeds are the same for everyone.
    """
    site = site_of(request)
    session = require_reader(request)
    cacheable = not (personal and session.signed_in)

    def work() -> Rendered:
        if not cacheable:
            return produce(site, request, session)
        # The base URL is part of the key: output feeds and links carry absolute addresses.
        key = f"{site.base_url(request)}{request.url.path}?{request.url.query}"
        version = (*site.store.data_version(), site.cache.generation)
        page = site.cache.get(key, version)
        if page is None:
            page = produce(site, request, session)
            site.cache.put(key, version, page)
        return page

    response = send(request, await run_in_threadpool(work))
    if not cacheable and session.flash:
        # The page showed the pending messages (Site.render): they are done.
        save_session(request, response, site.signer, without_flash(session))
    return response
