"""Full-text search over a user's entries: ranked, with highlighted snippets.

Only the user's CANDIDATES newest matches are scored (a very common word ranks among those;
see docs/reading.md), so the cost of a search is bounded however common its words are.

SQLite: the external-content FTS5 table `entries_fts` over the title and the plain text of the
summary and content (`entries.summary_text`, `content_text`: revision 0005) and of the full
article (`full_text`: revision 0010), ranked by bm25 with
the title weighing most; `highlight()`/`snippet()` mark the matches in that text. PostgreSQL: the
generated column `entries.search_vector` (title weight A, tag-stripped text weight B; GIN index),
ranked by ts_rank; `ts_headline` marks the matches in the tag-stripped HTML. Both are kept in step
with `entries` by the database itself (triggers / a generated column), so what the refresher
writes is searchable at once. Neither indexes markup: a word of a tag or an attribute (`href`,
`noopener`, an image's host) matches nothing.

The user's words reach SQL only as bound parameters: for FTS5 every term is a quoted string
built here (a quote inside doubled), for PostgreSQL each goes through plainto_/phraseto_tsquery.
Only entries of feeds the user subscribes to are searched.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine

from tidings.reading_model import SearchHit
from tidings.rules.matcher import literal_alternatives
from tidings.search_query import SearchQuery, TextTerm, parse_search_query
from tidings.store.database import plan_for_values, read_transaction
from tidings.store.reading.visibility import (
    STATE_COLUMNS,
    entries_with_state,
    is_read,
    is_starred,
    not_hidden,
    unread_in,
    user_entries_from,
    user_entry_from_row,
)
from tidings.store.rows import Row
from tidings.store.schema import (
    entries,
    entry_labels,
    feeds,
    subscription_categories,
    subscriptions,
    user_categories,
)

MAX_LIMIT = 100
# At most this many matches are ranked: the user's newest (most recently added) matching
# entries. A specific word or phrase has fewer matches and is ranked in full; a very common word
# ranks among its newest CANDIDATES matches, so scoring stays bounded (docs/reading.md).
CANDIDATES = 2000
_START, _STOP = "\x02", "\x03"  # match markers: control characters no text contains
_ELLIPSIS = "…"
_SNIPPET_TOKENS = 24

# The FTS5 table is not in the metadata (see schema.py); this clause names it for queries.
_fts = sa.table("entries_fts", sa.column("rowid", sa.Integer))
_FTS: sa.ColumnClause[Any] = sa.literal_column("entries_fts")
_PLUS_ROWID: sa.ColumnClause[Any] = sa.literal_column("+entries_fts.rowid")
_TITLE_WEIGHT, _SUMMARY_WEIGHT, _CONTENT_WEIGHT = 10.0, 2.0, 1.0
# A user with under this share of the newest SAMPLE entries has matches checked against the set
# of the user's entry ids (SQLite) / by feed (PostgreSQL) rather than joined one by one.
NARROW_SHARE, SAMPLE = 0.25, 1000

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


def _fts5_quoted(term: str) -> str:
    """An FTS5 string of the term (a quote inside doubled): no user text is syntax."""
    return '"' + term.replace('"', '""') + '"'


def fts5_match(query: SearchQuery) -> str:
    """The FTS5 MATCH expression for the query: every term quoted, so no user text is syntax."""
    quoted = _fts5_quoted
    expression = " AND ".join(quoted(t) for t in query.positive_terms)
    if query.excluded:
        expression = f"({expression})" + "".join(f" NOT {quoted(t)}" for t in query.excluded)
    return expression


def marked_html(fragment: str, *, markup: bool) -> str:
    """Escaped HTML of a highlighted fragment, matches in <mark>. Without `markup` the fragment is
    text (a title; SQLite's snippets of the plain-text columns): every character shows as it is,
    a "<" included. With `markup` it is cut from HTML (PostgreSQL's headlines): tags (and tags
    cut in half at either end) go, entities are decoded."""
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
        base = base.where(not_hidden(), *_filters(user_id, parsed, self._engine.dialect.name))
        with read_transaction(self._engine) as conn:
            if conn.dialect.name == "sqlite":
                return self._sqlite(conn, user_id, base, parsed, limit, offset)
            return self._postgresql(conn, user_id, base, parsed, limit, offset)

    @staticmethod
    def _sqlite(
        conn: Connection,
        user_id: int,
        base: sa.Select[Any],
        parsed: SearchQuery,
        limit: int,
        offset: int,
    ) -> list[SearchHit]:
        match = fts5_match(parsed)
        score = sa.func.bm25(_FTS, _TITLE_WEIGHT, _SUMMARY_WEIGHT, _CONTENT_WEIGHT, _CONTENT_WEIGHT)
        # Only the user's newest CANDIDATES matches are scored: the FTS doclist is read
        # backwards by rowid (FTS5 does this itself: no sort) and stops at the limit.
        if _narrow(conn, user_id, parsed):
            # The user's entries passing the filters are few next to the whole index (a small
            # share of the newest entries, or feed:/category:/is:starred): collect their ids (an
            # in-memory index) and check each match against it. `+` keeps SQLite from turning
            # the IN into one FTS lookup per id, which is far slower (and re-runs bm25's setup).
            visible = base.with_only_columns(entries.c.id)
            candidates = (
                sa.select(_fts.c.rowid.label("id"), score.label("score"))
                .where(_FTS.op("MATCH")(match), _PLUS_ROWID.in_(visible))
                .order_by(_fts.c.rowid.desc())
                .limit(CANDIDATES)
                .subquery("candidates")
            )
        else:
            # Most matches are the user's: join each match to its entry and subscription.
            candidates = (
                base.with_only_columns(entries.c.id, score.label("score"))
                .join(_fts, _fts.c.rowid == entries.c.id)
                .where(_FTS.op("MATCH")(match))
                .order_by(_fts.c.rowid.desc())
                .limit(CANDIDATES)
                .subquery("candidates")
            )
        ranked = (
            sa.select(candidates.c.id, candidates.c.score)
            .join(entries, entries.c.id == candidates.c.id)
            .order_by(candidates.c.score, entries.c.sort_at.desc(), entries.c.id.desc())
        )
        rows = _page(conn, user_id, ranked, limit, offset)
        if not rows:
            return []
        # Snippets only for the page of hits, not for every match. Columns 1 to 3 are plain text
        # (summary_text, content_text, full_text), so a snippet is text, escaped once by
        # marked_html.
        marks = (
            sa.select(
                _fts.c.rowid,
                sa.func.highlight(_FTS, 0, _START, _STOP).label("title"),
                sa.func.snippet(_FTS, 1, _START, _STOP, _ELLIPSIS, _SNIPPET_TOKENS).label("summ"),
                sa.func.snippet(_FTS, 2, _START, _STOP, _ELLIPSIS, _SNIPPET_TOKENS).label("cont"),
                sa.func.snippet(_FTS, 3, _START, _STOP, _ELLIPSIS, _SNIPPET_TOKENS).label("full"),
            )
            .where(_FTS.op("MATCH")(match))
            .where(_fts.c.rowid.in_([row.id for row, _ in rows]))
        )
        snippets = {row.rowid: row for row in conn.execute(marks)}
        hits = []
        for row, bm25 in rows:
            found = snippets.get(row.id)
            title = found.title if found is not None and found.title else row.title
            bodies = [] if found is None else [b for b in (found.cont, found.summ, found.full) if b]
            body = next((b for b in bodies if _START in b), bodies[0] if bodies else "")
            hits.append(
                SearchHit(
                    entry=user_entry_from_row(row),
                    rank=-bm25,
                    title_html=marked_html(title, markup=False),
                    snippet_html=marked_html(body, markup=False),
                )
            )
        return hits

    @staticmethod
    def _postgresql(
        conn: Connection,
        user_id: int,
        base: sa.Select[Any],
        parsed: SearchQuery,
        limit: int,
        offset: int,
    ) -> list[SearchHit]:
        tsquery = _pg_tsquery(parsed)
        plan_for_values(conn)  # every one-word search has the same SQL
        # The user's newest CANDIDATES matches (GIN index for specific terms; for very common
        # ones PostgreSQL walks entries by id, newest first, and stops at the limit), then
        # ts_rank for those only: it is computed outside the subquery, after the LIMIT.
        narrowed = base
        if _narrow(conn, user_id, parsed):
            # The user's entries are few: their feed ids as a value, bitmap scans only.
            narrowed = base.where(pg_bitmap_scans_over_feeds(conn, user_id, parsed))
        candidates = (
            narrowed.with_only_columns(entries.c.id)
            .where(_SEARCH_VECTOR.op("@@")(tsquery))
            .order_by(entries.c.id.desc())
            .limit(CANDIDATES)
            .subquery("candidates")
        )
        scored = entries.alias("scored")
        score = sa.func.ts_rank(sa.literal_column("scored.search_vector"), tsquery)
        ranked = (
            sa.select(candidates.c.id, score.label("score"))
            .join(scored, scored.c.id == candidates.c.id)
            .order_by(score.desc(), scored.c.sort_at.desc(), scored.c.id.desc())
        )
        rows = _page(conn, user_id, ranked, limit, offset)
        if not rows:
            return []
        text = sa.func.regexp_replace(
            sa.func.coalesce(entries.c.summary, "")
            + " "
            + sa.func.coalesce(entries.c.content, "")
            + " "
            + sa.func.coalesce(entries.c.full_content, ""),
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
    conn: Connection, user_id: int, ranked: sa.Select[Any], limit: int, offset: int
) -> list[tuple[Row, float]]:
    """The page of hits with their scores: `ranked` (ids and scores of the user's matching
    entries, in order) is sorted on ids and scores alone, then the full rows of the page only
    are read; sorting every match with its content would carry megabytes through the sort.

    The page's ids come from `ranked`, which joins the user's subscriptions, in the same read
    transaction, so the rows are read by primary key with the user's state only (with the
    subscription join SQLite would start from the subscriptions and scan the user's entries)."""
    order = conn.execute(ranked.limit(limit).offset(offset)).all()
    if not order:
        return []
    full = (
        sa.select(entries, *STATE_COLUMNS)
        .select_from(entries_with_state(user_id))
        .where(entries.c.id.in_([row.id for row in order]))
    )
    by_id = {row.id: row for row in conn.execute(full)}
    return [(by_id[row.id], float(row.score)) for row in order]


def pg_bitmap_scans_over_feeds(
    conn: Connection, user_id: int, parsed: SearchQuery
) -> sa.ColumnElement[bool]:
    """On PostgreSQL: the condition "of the user's feeds the query's feed:/category: filters
    allow", with those feed ids as a value, and only bitmap scans for the rest of the read
    transaction. PostgreSQL then ANDs the feed index with the GIN index, or reads those feeds'
    entries and checks their tsvectors, bounded by the user's entry count. Otherwise it tends to
    walk all entries backwards by id testing each tsvector before the (estimated dearer) feed
    list — every other user's entries detoasted: hundreds of ms, seconds over 100,000."""
    mine = sa.select(subscriptions.c.feed_id).where(
        subscriptions.c.user_id == user_id,
        *_feed_conditions(user_id, parsed, subscriptions.c.feed_id),
    )
    feed_ids = list(conn.execute(mine).scalars())
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
    return entries.c.feed_id == sa.any_(sa.literal(feed_ids, postgresql.ARRAY(sa.BigInteger)))


def _narrow(conn: Connection, user_id: int, parsed: SearchQuery) -> bool:
    """Whether the entries the search may return are few among the index's newest (where a
    search reads first): a filter by feed, category or star, or a user whose feeds hold under
    NARROW_SHARE of the newest SAMPLE entries (read by primary key: cheap)."""
    if parsed.feeds or parsed.categories or parsed.starred:
        return True
    newest = sa.select(entries.c.feed_id).order_by(entries.c.id.desc()).limit(SAMPLE).subquery()
    counts = sa.select(sa.func.count(), sa.func.count(subscriptions.c.feed_id)).select_from(
        newest.outerjoin(
            subscriptions,
            sa.and_(
                subscriptions.c.feed_id == newest.c.feed_id, subscriptions.c.user_id == user_id
            ),
        )
    )
    everyone, mine = conn.execute(counts).one()
    return bool(mine < NARROW_SHARE * everyone)


def _pg_tsquery(parsed: SearchQuery) -> sa.ColumnElement[Any]:
    parts: list[sa.ColumnElement[Any]] = [
        sa.func.plainto_tsquery(_PG_CONFIG, sa.literal(w, sa.Text)) for w in parsed.words
    ]
    parts += [sa.func.phraseto_tsquery(_PG_CONFIG, sa.literal(p, sa.Text)) for p in parsed.phrases]
    parts += [
        sa.func.tsquery_not(sa.func.phraseto_tsquery(_PG_CONFIG, sa.literal(x, sa.Text)))
        for x in parsed.excluded
    ]
    return functools.reduce(sa.func.tsquery_and, parts)


def _any_excluded(parsed: SearchQuery, dialect: str) -> sa.ColumnElement[bool]:
    """The entry's text has one of the query's excluded words or phrases."""
    if dialect == "sqlite":
        match = " OR ".join(_fts5_quoted(term) for term in parsed.excluded)
        return entries.c.id.in_(sa.select(_fts.c.rowid).where(_FTS.op("MATCH")(match)))
    parts = [sa.func.phraseto_tsquery(_PG_CONFIG, sa.literal(x, sa.Text)) for x in parsed.excluded]
    return _SEARCH_VECTOR.op("@@")(functools.reduce(sa.func.tsquery_or, parts))


def _day_start(day: Any) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _feed_conditions(
    user_id: int, parsed: SearchQuery, feed_id: sa.ColumnElement[Any]
) -> list[sa.ColumnElement[bool]]:
    """The query's feed: and category: filters as conditions on a feed id column."""
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
        conditions.append(feed_id.in_(chosen))
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
        conditions.append(feed_id.in_(in_categories))
    return conditions


# The plain text of summary and content (revision 0005 on SQLite, 0008 on PostgreSQL), left out
# of the metadata (schema.py says why): named here for the conditions of title:/content:/… terms.
_TEXT_COLUMNS: dict[str, tuple[sa.ColumnElement[Any], ...]] = {
    "title": (entries.c.title,),
    "content": (
        sa.literal_column("entries.summary_text", sa.Text),
        sa.literal_column("entries.content_text", sa.Text),
    ),
    "author": (entries.c.author,),
    "url": (entries.c.link,),
}
_TEXT_COLUMNS["text"] = _TEXT_COLUMNS["title"] + _TEXT_COLUMNS["content"]
_TEXT_COLUMNS["any"] = _TEXT_COLUMNS["text"] + _TEXT_COLUMNS["author"] + _TEXT_COLUMNS["url"]


# ASCII letters that a non-ASCII character also matches, ignoring case: KELVIN SIGN is a "k"
# and LONG S an "s" to RE2, and Python lowers "İ" to "i" and a combining dot. In a LIKE
# prefilter they become "_" (any one character), so it never refuses a row the match takes.
_LIKE_WILDCARDS: Final = str.maketrans(dict.fromkeys("ikIKsS", "_"))


def _like_prefilter(
    text: sa.ColumnElement[Any], piece: str, dialect: str, ignore_case: bool
) -> sa.ColumnElement[bool] | None:
    """A LIKE that every row containing the ASCII `piece` passes (in any case when
    `ignore_case`), or None for a piece with other characters. SQLite's LIKE ignores ASCII case
    and runs in C, before a Python function is called; on PostgreSQL a LIKE or ILIKE costs less
    than a pattern's ARE (100,000 titles, beyond reading them: 20, 60 and 80 ms)."""
    if not piece.isascii():
        return None
    escaped = piece.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if dialect == "postgresql" and not ignore_case:
        return text.like(f"%{escaped}%", escape="\\")
    wildcarded = f"%{escaped.translate(_LIKE_WILDCARDS)}%"
    if dialect == "postgresql":
        return text.ilike(wildcarded, escape="\\")
    return text.like(wildcarded, escape="\\")


def _prefilter(
    text: sa.ColumnElement[Any], branches: list[list[str]], dialect: str, ignore_case: bool
) -> list[sa.ColumnElement[bool]]:
    """The LIKEs a row's `text` must pass to match a term whose matches all contain every
    string of one of `branches` (literal_alternatives): the branch's LIKEs, or for several an
    OR of each one's; none when a branch has no ASCII string to look for (it would let every
    row through)."""
    likes = []
    for branch in branches:
        made = [_like_prefilter(text, piece, dialect, ignore_case) for piece in branch]
        likes.append([like for like in made if like is not None])
    if not likes or not all(likes):
        return []
    if len(likes) == 1:
        return likes[0]
    return [sa.or_(*(sa.and_(*branch) for branch in likes))]


def _text_condition(term: TextTerm, dialect: str) -> sa.ColumnElement[bool]:
    """A title:/content:/author:/url:/regex term as SQL, matching what
    tidings.rules.matcher matches: on SQLite through the same Python functions
    (store.database registers them), each behind LIKEs of the strings any match contains (a
    regular expression's literal pieces, the word itself) when the term is positive: 100,000
    titles cost 0.5 s through Python, a few ms through LIKE; on PostgreSQL with strpos/lower
    and the pattern's ARE, the latter behind the same LIKEs (ILIKE when it ignores case).
    PostgreSQL tests a row's conditions of equal cost in the order written: the LIKE first."""
    found: list[sa.ColumnElement[bool]] = []
    # A negated term has no prefilter: a row its LIKE refuses is one the term takes. On
    # PostgreSQL a word's strpos(lower()) is already as cheap as a LIKE.
    branches: list[list[str]] = []
    if not term.negated and term.regex is not None:
        branches = literal_alternatives(term.regex.pattern)
    elif not term.negated and dialect == "sqlite":
        branches = [[term.value]]
    if dialect == "postgresql" and len(branches) > 1:
        # PostgreSQL tests the cheapest condition first, and prices an OR of LIKEs above a
        # pattern: there the LIKEs would only add work.
        branches = []
    ignore_case = term.regex is None or term.regex.ignore_case
    # A missing field is "" to the matcher. On PostgreSQL a positive term reads the column
    # itself when "" cannot match it (NULL and "" then both fail): its statistics tell the
    # planner how many rows a pattern keeps. Through coalesce() it guessed 10 of 100,000 for
    # one that kept 73,692 and joined the subscriptions to each: 13.5 s for a page of 100.
    bare = dialect == "postgresql" and not term.negated
    bare = bare and not (term.regex.search("") if term.regex else term.value == "")
    for column in _TEXT_COLUMNS[term.field]:
        text = column if bare else sa.func.coalesce(column, "")
        likes = _prefilter(text, branches, dialect, ignore_case)
        if term.regex is not None and dialect == "sqlite":
            found.append(
                sa.and_(
                    *likes,
                    sa.func.tidings_regexp(term.regex.pattern, int(term.regex.ignore_case), text)
                    == 1,
                )
            )
        elif term.regex is not None:
            operator = "~*" if term.regex.ignore_case else "~"
            matches = text.op(operator, is_comparison=True)(
                sa.literal(term.regex.postgres, sa.Text)
            )
            found.append(sa.and_(*likes, matches))
        elif dialect == "sqlite":
            found.append(sa.and_(*likes, sa.func.tidings_contains(text, term.value) == 1))
        else:
            found.append(sa.func.strpos(sa.func.lower(text), term.value.lower()) > 0)
    either = sa.or_(*found)
    return ~either if term.negated else either


def label_condition(user_id: int, label: str) -> sa.ColumnElement[bool]:
    """The entry carries the user's label."""
    return sa.exists().where(
        entry_labels.c.user_id == user_id,
        entry_labels.c.entry_id == entries.c.id,
        entry_labels.c.label == label,
    )


def _filters(user_id: int, parsed: SearchQuery, dialect: str) -> Sequence[sa.ColumnElement[bool]]:
    """The query's filters as conditions on user_entries_from(user_id), for `dialect`."""
    conditions = list(_feed_conditions(user_id, parsed, entries.c.feed_id))
    conditions += [_text_condition(term, dialect) for term in parsed.texts]
    conditions += [label_condition(user_id, label) for label in parsed.labels]
    conditions += [~label_condition(user_id, label) for label in parsed.without_labels]
    if parsed.unread is True:
        conditions.append(unread_in(user_id, dialect))
    elif parsed.unread is False:
        conditions.append(is_read())
    if parsed.starred:
        conditions.append(is_starred())
    if parsed.after is not None:
        conditions.append(entries.c.sort_at >= _day_start(parsed.after))
    if parsed.before is not None:
        conditions.append(entries.c.sort_at < _day_start(parsed.before))
    return conditions


def match_conditions(
    user_id: int, parsed: SearchQuery, dialect: str, *, fts_lookup: bool = False
) -> list[sa.ColumnElement[bool]]:
    """The search as conditions on user_entries_from(user_id): its terms matched by the
    full-text index (FTS5 / the tsvector's GIN index), and its filters. For lists in time order
    (`EntryFilter.search`): nothing is ranked, and every match counts.

    On SQLite, words are `id IN (the index's matches)`, which collects every match first: one
    pass, whatever the list. With `fts_lookup` each entry looks itself up in the matches
    instead (FTS5 seeks its match list to the rowid): for a walk over a bounded number of
    entries, where a common word's 50,000 matches would cost more to collect than to seek."""
    conditions = list(_filters(user_id, parsed, dialect))
    if not parsed.has_full_text:
        if parsed.excluded:  # only exclusions (a rule's "-word"): none of them may match
            conditions.append(~_any_excluded(parsed, dialect))
        return conditions
    if dialect == "sqlite" and fts_lookup:
        conditions.append(
            sa.exists().where(_fts.c.rowid == entries.c.id, _FTS.op("MATCH")(fts5_match(parsed)))
        )
    elif dialect == "sqlite":
        matching = sa.select(_fts.c.rowid).where(_FTS.op("MATCH")(fts5_match(parsed)))
        conditions.append(entries.c.id.in_(matching))
    else:
        conditions.append(_SEARCH_VECTOR.op("@@")(_pg_tsquery(parsed)))
    return conditions


def count_unread_matches(conn: Connection, user_id: int, parsed: SearchQuery, cap: int) -> int:
    """How many of the user's unread, not-blocked entries the search matches, counting no
    further than `cap` (a saved search's count in the sidebar).

    On SQLite the FTS5 matches are joined to the entries (streamed, so a common word stops at
    the cap) rather than tested by `IN (matches)`, which first collects every match: 1 ms
    instead of 25 for a word in half of 100,000 entries."""
    dialect = conn.dialect.name
    source = user_entries_from(user_id)
    conditions = [not_hidden(), unread_in(user_id, dialect)]
    if dialect == "sqlite" and parsed.has_full_text:
        source = source.join(_fts, _fts.c.rowid == entries.c.id)
        conditions += [_FTS.op("MATCH")(fts5_match(parsed)), *_filters(user_id, parsed, dialect)]
    else:
        plan_for_values(conn)
        conditions += match_conditions(user_id, parsed, dialect)
    capped = sa.select(entries.c.id).select_from(source).where(*conditions).limit(cap).subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(capped)).scalar_one())
