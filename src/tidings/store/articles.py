"""Queries of the refresher's full articles (docs/articles.md): which new entries of a feed want
theirs, the feed's last crawl failure, and who may change a feed's scraper rules."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tidings.errors import InvalidInput
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import NotFound
from tidings.store.schema import entries, feeds, subscriptions

SHARED_RULES = (
    "Only an administrator can change the scraper rules of a feed other readers follow "
    "or the site publishes: its articles are shared by all of them."
)


@dataclass(frozen=True, slots=True)
class ArticleCandidate:
    """A new entry whose page may be fetched as its full article."""

    entry_id: int
    link: str | None
    sort_at: datetime


@dataclass(frozen=True, slots=True)
class CrawlRequest:
    """A feed some subscriber wants full articles of: its scraper rules, and its entries first
    seen at the check's moment that have no article yet."""

    feed_id: int
    rules: str | None
    candidates: tuple[ArticleCandidate, ...]


class ArticleQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def wanted(self, feed_ids: Collection[int]) -> set[int]:
        """Those of the feeds that a subscriber wants full articles of (`crawler` on)."""
        if not feed_ids:
            return set()
        query = (
            sa.select(subscriptions.c.feed_id)
            .where(subscriptions.c.feed_id.in_(list(feed_ids)), subscriptions.c.crawler.is_(True))
            .distinct()
        )
        with read_transaction(self._engine) as conn:
            return set(conn.execute(query).scalars())

    def to_crawl(self, feed_id: int, first_seen_at: datetime) -> CrawlRequest | None:
        """The feed's entries first seen at `first_seen_at` (one check's new entries) without
        an article, when a subscriber has `crawler` on; None when nobody has."""
        wanted = sa.exists().where(
            subscriptions.c.feed_id == feed_id, subscriptions.c.crawler.is_(True)
        )
        with read_transaction(self._engine) as conn:
            rules = conn.execute(
                sa.select(feeds.c.scraper_rules).where(feeds.c.id == feed_id, wanted)
            ).first()
            if rules is None:
                return None
            rows = conn.execute(
                sa.select(entries.c.id, entries.c.link, entries.c.sort_at).where(
                    entries.c.feed_id == feed_id,
                    entries.c.first_seen_at == first_seen_at,
                    entries.c.full_content.is_(None),
                )
            ).all()
        found = tuple(ArticleCandidate(r.id, r.link, r.sort_at) for r in rows)
        return CrawlRequest(feed_id, rules.scraper_rules, found)

    def record_error(self, feed_id: int, error: str | None) -> None:
        """Store why the feed's last crawled articles were not all got (None: they were)."""
        with write_transaction(self._engine) as conn:
            conn.execute(sa.update(feeds).where(feeds.c.id == feed_id).values(article_error=error))


def set_scraper_rules(
    conn: Connection, user_id: int, feed_id: int, rules: str | None, *, admin: bool
) -> None:
    """Give the feed these scraper rules (checked by tidings.scraper), in the caller's
    transaction; InvalidInput when the user may not.

    The rules decide the article every subscriber sees, so a reader may change them only on a
    private feed nobody else follows; an administrator on any feed. The same rules again are no
    change, and allowed to everyone (a client sends back the whole feed it was given)."""
    current = conn.execute(
        sa.select(feeds.c.scraper_rules, feeds.c.is_public).where(feeds.c.id == feed_id)
    ).first()
    if current is None:
        raise NotFound(f"no feed with id {feed_id}")
    if current.scraper_rules == rules:
        return
    if not admin:
        others = conn.execute(
            sa.select(subscriptions.c.user_id)
            .where(subscriptions.c.feed_id == feed_id, subscriptions.c.user_id != user_id)
            .limit(1)
        ).first()
        if current.is_public or others is not None:
            raise InvalidInput(SHARED_RULES)
    conn.execute(sa.update(feeds).where(feeds.c.id == feed_id).values(scraper_rules=rules))
