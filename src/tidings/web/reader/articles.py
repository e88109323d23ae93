"""The reader's "full article" action: POST /reader/entries/{id}/full-article fetches the
entry's page (tidings.articles), stores its main content beside the feed's own, and goes back to
the entry, which then shows the article. A plain form POST, so it works without JavaScript; the
key `d` (reader.js) submits the same form."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.articles import ArticleError, fetch_article
from tidings.store import NotFound
from tidings.web.reader.common import back_to, entry_action
from tidings.web.site import site_of


async def full_article(request: Request) -> Response:
    """Fetch and store the entry's full article; back to the entry with a message on failure."""
    action = await entry_action(request)
    reader, entry_id, back = action.reader, action.entry_id, action.back
    site = site_of(request)
    try:
        item = await run_in_threadpool(site.store.reading.entry, reader.id, entry_id)
    except NotFound:
        raise HTTPException(404, "There is no such entry in your feeds.") from None
    if not item.entry.link:
        return back_to(request, reader, back, "This entry has no page to fetch.")
    feed = await run_in_threadpool(site.store.feeds.get, item.entry.feed_id)
    try:
        content = await fetch_article(site.settings, item.entry.link, rules=feed.scraper_rules)
    except ArticleError as error:
        return back_to(request, reader, back, f"The full article could not be fetched: {error}")
    await run_in_threadpool(site.store.entries.set_full_content, item.entry.id, content)
    return back_to(request, reader, back)


# Before listing's /reader/entries/{id}/{action}, which would take "full-article" as an action.
ROUTES = [Route("/reader/entries/{entry_id:id}/full-article", full_article, methods=["POST"])]
