"""Full-text search over a user's entries: ranked, with highlighted snippets.

SQLite: the external-content FTS5 table `entries_fts` (title, summary, content), ranked by bm25
with the title weighing most; `highlight()`/`snippet()` mark the matches. PostgreSQL: the
generated column `entries.search_vector` (title weight A, text weight B; GIN index), ranked by
ts_rank; `ts_headline` marks the matches. Both are kept in step with `entries` by the database
itself (triggers / a generated column), so what the refresher writes is searchable at once.

The user's words reach SQL only as bound parameters: for FTS5 every term is a quoted string
built here (a quote inside doubled), for PostgreSQL each goes through plainto_/phraseto_tsquery.
Only entries of feeds the user subscribes to are searched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tidings.reading_model import SearchHit
from tidings.search_query import SearchQuery, parse_search_query
from tidings.store.database import read_transaction
from tidings.store.reading import (
    STATE_COLUMNS,
    is_read,
    is_starred,
    is_unread,
    user_entries_from,
    user_entry_from_row,
)
from tidings.store.rows import Row
from tidings.store.schema import (
    entries,
    feeds,
    subscription_categories,
    subscriptions,
    user_categories,
)

MAX_LIMIT = 100
_START, _STOP = "\x02", "\x03"  # match markers: control characters no text contains
_ELLIPSIS = "…"
_SNIPPET_TOKENS = 24

# The FTS5 table is not in the metadata (see schema.py); this clause names it for queries.
_fts = sa.table("entries_fts", sa.column("rowid", sa.Integer))
_FTS: sa.ColumnClause[Any] = sa.literal_column("entries_fts")
_TITLE_WEIGHT, _SUMMARY_WEIGHT, _CONTENT_WEIGHT = 10.0, 2.0, 1.0

_SEARCH_VECTOR: sa.ColumnClause[Any] = sa.literal_column("entries.search_vector")
_PG_CONFIG: sa.ColumnClause[Any] = sa.literal_column("'simple'::regconfig")
_PG_TITLE_OPTIONS = f"HighlightAll=true, StartSel={_START}, StopSel={_STOP}"
_PG_BODY_OPTIONS = (
    f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, "
    f'FragmentDelimiter=" {_ELLIPSIS} "'
)

_TAG = re.compile(r"<[^<>]*>")
_LEADING_PARTIAL_TAG = re.compile(r"^[^<>]*>")
_TRAILING_PARTIAL_TAG = re.compile(r"<[^<>]*$")
_SPACES = re.compile(r"\s+")


def fts5_match(query: SearchQuery) -> str:
    """The FTS5 MATCH expression for the query: every term quoted, so no user text is syntax."""

    def quoted(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    expression = " AND ".join(quoted(t) for t in query.positive_terms)
    if query.excluded:
        expression = f"({expression})" + "".join(f" NOT {quoted(t)}" for t in query.excluded)
    return expression


def marked_html(fragment: str, *, markup: bool) -> str:
    """Escaped HTML of a highlighted fragment, matches in <mark>. With `markup`, the fragment
    is cut from HTML: tags (and tags cut in half at either end) go, entities are decoded."""
    if markup:
        fragment = _TAG.sub(" ", fragment)
        fragment = _LEADING_PARTIAL_TAG.sub(" ", fragment)
        fragment = _TRAILING_PARTIAL_TAG.sub(" ", fragment)
        fragment = html.unescape(fragment)
    fragment = _SPACES.sub(" ", html.escape(fragment, quote=False)).strip()
    fragment = fragment.replace(_START, "<mark>").replace(_STOP, "</mark>")
    # A match cut off by a removed tag leaves a lone marker: balance it.
    if fragment.count("<mark>") != fragment.count("</mark>"):
        fragment = fragment.replace("<mark>", "").replace("</mark>", "")
    return fragment


class SearchQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def search(
        self, user_id: int, query: str | SearchQuery, *, limit: int = 20, offset: int = 0
    ) -> list[SearchHit]:
        """The user's entries matching the query, best first (then newest).

        SearchQueryError (a ValueError) when a query text is malformed.
        """
        parsed = parse_search_query(query) if isinstance(query, str) else query
        limit = max(0, min(limit, MAX_LIMIT))
        offset = max(0, offset)
        base = sa.select(entries, *STATE_COLUMNS).select_from(user_entries_from(user_id))
        base = base.where(*_filters(user_id, parsed))
        with read_transaction(self._engine) as conn:
            if conn.dialect.name == "sqlite":
                return self._sqlite(conn, base, parsed, limit, offset)
            return self._postgresql(conn, base, parsed, limit, offset)

    @staticmethod
    def _sqlite(
        conn: Connection, base: sa.Select[Any], parsed: SearchQuery, limit: int, offset: int
    ) -> list[SearchHit]:
        match = fts5_match(parsed)
        score = sa.func.bm25(_FTS, _TITLE_WEIGHT, _SUMMARY_WEIGHT, _CONTENT_WEIGHT)
        matched = (
            sa.select(_fts.c.rowid.label("id"), score.label("score"))
            .where(_FTS.op("MATCH")(match))
            .subquery("matched")
        )
        ranked = (
            base.with_only_columns(entries.c.id, matched.c.score)
            .join(matched, matched.c.id == entries.c.id)
            .order_by(matched.c.score, entries.c.sort_at.desc(), entries.c.id.desc())
        )
        rows = _page(conn, base, ranked, limit, offset)
        if not rows:
            return []
        # Snippets only for the page of hits, not for every match.
        marks = (
            sa.select(
                _fts.c.rowid,
                sa.func.highlight(_FTS, 0, _START, _STOP).label("title"),
                sa.func.snippet(_FTS, 1, _START, _STOP, _ELLIPSIS, _SNIPPET_TOKENS).label("summ"),
                sa.func.snippet(_FTS, 2, _START, _STOP, _ELLIPSIS, _SNIPPET_TOKENS).label("cont"),
            )
            .where(_FTS.op("MATCH")(match))
            .where(_fts.c.rowid.in_([row.id for row, _ in rows]))
        )
        snippets = {row.rowid: row for row in conn.execute(marks)}
        hits = []
        for row, bm25 in rows:
            found = snippets.get(row.id)
            title = found.title if found is not None and found.title else row.title
            bodies = [] if found is None else [b for b in (found.cont, found.summ) if b]
            body = next((b for b in bodies if _START in b), bodies[0] if bodies else "")
            hits.append(
                SearchHit(
                    entry=user_entry_from_row(row),
                    rank=-bm25,
                    title_html=marked_html(title, markup=False),
                    snippet_html=marked_html(body, markup=True),
                )
            )
        return hits

    @staticmethod
    def _postgresql(
        conn: Connection, base: sa.Select[Any], parsed: SearchQuery, limit: int, offset: int
    ) -> list[SearchHit]:
        tsquery = _pg_tsquery(parsed)
        score = sa.func.ts_rank(_SEARCH_VECTOR, tsquery)
        ranked = (
            base.with_only_columns(entries.c.id, score.label("score"))
            .where(_SEARCH_VECTOR.op("@@")(tsquery))
            .order_by(score.desc(), entries.c.sort_at.desc(), entries.c.id.desc())
        )
        rows = _page(conn, base, ranked, limit, offset)
        if not rows:
            return []
        text = sa.func.regexp_replace(
            sa.func.coalesce(entries.c.summary, "") + " " + sa.func.coalesce(entries.c.content, ""),
            "<[^>]*>",
            " ",
            "g",
        )
        marks = sa.select(
            entries.c.id,
            sa.func.ts_headline(_PG_CONFIG, entries.c.title, tsquery, _PG_TITLE_OPTIONS).label(
                "title"
            ),
            sa.func.ts_headline(_PG_CONFIG, text, tsquery, _PG_BODY_OPTIONS).label("body"),
        ).where(entries.c.id.in_([row.id for row, _ in rows]))
        headlines = {row.id: row for row in conn.execute(marks)}
        return [
            SearchHit(
                entry=user_entry_from_row(row),
                rank=rank,
                title_html=marked_html(headlines[row.id].title or row.title, markup=False),
                snippet_html=marked_html(headlines[row.id].body or "", markup=True),
            )
            for row, rank in rows
        ]


def _page(
    conn: Connection, base: sa.Select[Any], ranked: sa.Select[Any], limit: int, offset: int
) -> list[tuple[Row, float]]:
    """The page of hits with their scores: `ranked` (ids and scores, in order) is sorted on ids
    and scores alone, then `base` gives the full rows of the page only; sorting every match
    with its content would carry megabytes through the sort."""
    order = conn.execute(ranked.limit(limit).offset(offset)).all()
    if not order:
        return []
    full = base.where(entries.c.id.in_([row.id for row in order]))
    by_id = {row.id: row for row in conn.execute(full)}
    return [(by_id[row.id], float(row.score)) for row in order]


def _pg_tsquery(parsed: SearchQuery) -> sa.ColumnElement[Any]:
    parts: list[sa.ColumnElement[Any]] = [
        sa.func.plainto_tsquery(_PG_CONFIG, sa.literal(w, sa.Text)) for w in parsed.words
    ]
    parts += [sa.func.phraseto_tsquery(_PG_CONFIG, sa.literal(p, sa.Text)) for p in parsed.phrases]
    parts += [
        sa.func.tsquery_not(sa.func.phraseto_tsquery(_PG_CONFIG, sa.literal(x, sa.Text)))
        for x in parsed.excluded
    ]
    combined = parts[0]
    for part in parts[1:]:
        combined = sa.func.tsquery_and(combined, part)
    return combined


def _day_start(day: Any) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _filters(user_id: int, parsed: SearchQuery) -> Sequence[sa.ColumnElement[bool]]:
    """The query's filters as conditions on user_entries_from(user_id)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if parsed.feeds:
        ids = [f for f in parsed.feeds if isinstance(f, int)]
        named: list[sa.ColumnElement[bool]] = [feeds.c.id.in_(ids)] if ids else []
        for name in (f.lower() for f in parsed.feeds if isinstance(f, str)):
            for column in (subscriptions.c.title, feeds.c.title, feeds.c.feed_title):
                named.append(sa.func.lower(column).contains(name, autoescape=True))
        chosen = (
            sa.select(subscriptions.c.feed_id)
            .join(feeds, feeds.c.id == subscriptions.c.feed_id)
            .where(subscriptions.c.user_id == user_id, sa.or_(*named))
        )
        conditions.append(entries.c.feed_id.in_(chosen))
    if parsed.categories:
        in_categories = (
            sa.select(subscription_categories.c.feed_id)
            .join(user_categories, user_categories.c.id == subscription_categories.c.category_id)
            .where(
                subscription_categories.c.user_id == user_id,
                user_categories.c.user_id == user_id,
                sa.func.lower(user_categories.c.name).in_([c.lower() for c in parsed.categories]),
            )
        )
        conditions.append(entries.c.feed_id.in_(in_categories))
    if parsed.unread is True:
        conditions.append(is_unread())
    elif parsed.unread is False:
        conditions.append(is_read())
    if parsed.starred:
        conditions.append(is_starred())
    if parsed.after is not None:
        conditions.append(entries.c.sort_at >= _day_start(parsed.after))
    if parsed.before is not None:
        conditions.append(entries.c.sort_at < _day_start(parsed.before))
    return conditions
