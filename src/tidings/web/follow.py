"""Following one of the site's sources: the public pages joined to the reader's own list.

"Follow" on `/sources` and on a source page is a POST form (CSRF, no script needed) that
subscribes the signed-in person to that public feed through `subscribe_reader`, which applies
the subscription limit. The feed exists already, so nothing is fetched.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.errors import UserError
from tidings.store import Conflict
from tidings.subscriptions import subscribe_reader
from tidings.web.guards import checked_form
from tidings.web.pages import path_id, public_feed_or_404
from tidings.web.reader.common import back_to, require_user, target
from tidings.web.site import site_of


async def follow(request: Request) -> Response:
    """POST /sources/{id}/follow: subscribe the signed-in person to the site's source."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    site = site_of(request)
    feed_id = path_id(request, "feed_id")
    feed = await run_in_threadpool(public_feed_or_404, site, feed_id)
    back = target(form.get("next"), f"/sources/{feed.id}")
    try:
        await run_in_threadpool(subscribe_reader, site.store, site.settings, reader.id, feed.url)
    except Conflict:
        return back_to(request, reader, back, f"You follow {feed.display_title} already.")
    except UserError as exc:
        return back_to(request, reader, back, str(exc))
    message = f"Following {feed.display_title}: its entries are in your reading list."
    return back_to(request, reader, back, message)


ROUTES = [Route("/sources/{feed_id:id}/follow", follow, methods=["POST"], name="follow")]
