"""Full articles: the main content of an entry's page, fetched through tidings.fetch, extracted
with trafilatura (chosen by measurement: benchmarks/extraction.py, docs/articles.md), or with the
feed's scraper rules when it has some (tidings.scraper), and cleaned by the same allowlist as feed
content (tidings.clean).

`extract_article` is pure CPU work: callers run it in a parse process (refresh/pool.py), which
bounds it in time; the page is bounded in size before it is parsed.
"""

from __future__ import annotations

import threading
from typing import Any

from tidings.clean import clean_html
from tidings.config import Settings
from tidings.errors import UserError
from tidings.fetch import Fetcher
from tidings.model import FeedToFetch, FetchResult
from tidings.refresh.pool import Parser, ProcessDied, TimedOut, parse_pool, parse_workers

# Article pages past this are refused before parsing: extraction is superlinear in the worst
# case, and no article's HTML needs more (the largest fixture page is under 400 KB).
MAX_PAGE_BYTES = 4 * 1024 * 1024
# The extracted HTML past this is cut off: a page that "extracts" to more is not an article.
MAX_ARTICLE_CHARS = 1024 * 1024
# How trafilatura is asked for the main content (benchmarks/extraction.py measures the same call,
# and with `--tuning` its alternatives; docs/articles.md has the numbers). favor_recall is the one
# option that measured better on the 32 fixture pages: it keeps a how-to's step texts (worst
# recall 0.75 -> 0.84) for 0.001 of precision; favor_precision drops headlines and bylines, and
# fast=True (no fallback extractors) loses whole articles.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "output_format": "html",
    "include_links": True,
    "include_images": True,
    "include_comments": False,
    "favor_recall": True,
}


class ArticleError(UserError):
    """The full article could not be fetched or found; the message says why, for the user."""


def _decode(body: bytes, content_type: str | None) -> str:
    """The page's text, in the charset its Content-Type names, else UTF-8 (bad bytes replaced)."""
    charset = "utf-8"
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip("\"' ")
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def extract_article(
    body: bytes, url: str, content_type: str | None = None, rules: str | None = None
) -> str:
    """Return the page's main content as clean HTML, "" when no main content is found.

    With scraper `rules` (checked by tidings.scraper.check_scraper_rules), the content is what
    they match, and nothing when they match nothing: no guess replaces the reader's choice."""
    if len(body) > MAX_PAGE_BYTES:
        return ""
    if rules:
        from tidings.scraper import scrape

        matched = scrape(_decode(body, content_type), rules)
        return clean_html(matched[:MAX_ARTICLE_CHARS], base_url=url) if matched else ""
    import trafilatura  # in the parse process only: ~0.3 s to import

    found = trafilatura.extract(_decode(body, content_type), url=url, **TRAFILATURA_OPTIONS)
    if not found:
        return ""
    return clean_html(found[:MAX_ARTICLE_CHARS], base_url=url)


async def fetch_article(
    settings: Settings, url: str, fetcher: Fetcher | None = None, rules: str | None = None
) -> str:
    """Return the clean main content of the page at `url`; ArticleError when there is none.

    With `fetcher` (the refresher's), the request shares its pool and per-host limits; `rules`:
    the feed's scraper rules, if any."""
    if fetcher is None:
        async with Fetcher.from_settings(settings) as own:
            return await fetch_article(settings, url, own, rules)
    page = await fetch_page(fetcher, url)
    gate = _on_demand_gate(settings)
    if not gate.acquire(blocking=False):
        raise ArticleError("The server is reading other articles; try again in a moment.")
    try:
        return await read_article(settings, page, url, rules)
    finally:
        gate.release()


# Articles asked for by readers (not the refresher's crawler, which has its own share) take at
# most half of the parse processes, and one that finds them taken is refused at once rather
# than queued: twelve requests for pages that each took the 10 s limit held every process,
# and another reader's subscribing, which needs one, gave up after 20 s.
_gates: dict[int, threading.BoundedSemaphore] = {}
_gates_lock = threading.Lock()


def _on_demand_gate(settings: Settings) -> threading.BoundedSemaphore:
    """The process's gate for readers' article extractions (the pool's size over two)."""
    workers = parse_workers(settings)
    with _gates_lock:
        return _gates.setdefault(workers, threading.BoundedSemaphore(max(1, workers // 2)))


async def fetch_page(fetcher: Fetcher, url: str) -> FetchResult:
    """The page at `url`, fetched (with its body); ArticleError when there is none."""
    result = await fetcher.fetch(FeedToFetch(0, url))
    if result.error or result.body is None:
        raise ArticleError(result.error or f"{url} answered {result.status} with no page.")
    return result


async def read_article(
    settings: Settings,
    page: FetchResult,
    url: str,
    rules: str | None = None,
    parser: Parser | None = None,
) -> str:
    """The clean main content of a fetched page, extracted in a parse process (`parser`, else
    the shared pool); ArticleError when there is none, or when it took longer than
    `parse_timeout`."""
    assert page.body is not None
    try:
        content = await (parser or parse_pool(settings)).run(
            extract_article,
            page.body,
            page.final_url,
            page.headers.get("content-type"),
            rules,
        )
    except TimedOut:
        raise ArticleError(
            f"{url} took too long to read (over {settings.parse_timeout:g} s)."
        ) from None
    except ProcessDied:
        raise ArticleError(f"{url} could not be read.") from None
    if not content and rules:
        raise ArticleError(f"Nothing at {url} matches the scraper rules “{rules}”.")
    if not content:
        raise ArticleError(f"No article was found at {url}.")
    return content
