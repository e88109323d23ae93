"""Rules and their effects: the rules table, what the refresher reads to apply them, and the
writes of their outcomes (entry states, labels, withheld entries). Decisions are
tidings.rules.engine's; this module only reads and writes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, cast

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, Engine

from tidings.errors import InvalidInput
from tidings.reading_model import UserEntry
from tidings.rules.engine import Outcome, Subscriber
from tidings.rules.model import MAX_RULES_PER_USER, Action, Rule, RuleDraft, Scope
from tidings.search_query import SearchQuery
from tidings.store.database import plan_for_values, read_transaction, write_transaction
from tidings.store.errors import LimitReached, NotFound
from tidings.store.reading.visibility import (
    STATE_COLUMNS,
    category_feed_ids,
    entries_with_state,
    subscribed_feed_ids,
    user_entries_from,
    user_entry_from_row,
)
from tidings.store.rows import Row
from tidings.store.schema import (
    UTCDateTime,
    entries,
    entry_labels,
    entry_states,
    feeds,
    integration_deliveries,
    integrations,
    rules,
    sqlite_text,
    subscription_categories,
    subscriptions,
    user_categories,
    users,
)
from tidings.store.search import match_conditions, pg_bitmap_scans_over_feeds
from tidings.store.updates import execute_many

PREVIEW_TITLES = 20
_PLUS_FEED_ID: sa.ColumnClause[int] = sa.literal_column("+entries.feed_id")
# Newest first, in expressions no index serves: the rows are read in the table's order and the
# matches sorted.
_UNINDEXED_NEWEST_FIRST: Final[dict[str, tuple[sa.UnaryExpression[Any], ...]]] = {
    "sqlite": (
        sa.literal_column("+entries.sort_at").desc(),
        sa.literal_column("+entries.id").desc(),
    ),
    "postgresql": (
        sa.literal_column("entries.sort_at + interval '0 s'").desc(),
        sa.literal_column("entries.id + 0").desc(),
    ),
}
PREVIEW_COUNT = 1000  # matches counted at most: past it, "1,000 or more"
# A preview looks among the user's newest entries first (see `preview`).
PREVIEW_WINDOW = 5000


@dataclass(frozen=True, slots=True)
class FeedCount:
    feed_id: int
    title: str
    count: int


@dataclass(frozen=True, slots=True)
class RulePreview:
    """The user's stored entries a rule's query selects in its scope: how many (counted up to
    PREVIEW_COUNT), per feed, and the newest PREVIEW_TITLES of them."""

    total: int
    per_feed: tuple[FeedCount, ...]
    newest: tuple[UserEntry, ...]
    capped: bool = False  # more than `total` match: counting stopped at PREVIEW_COUNT


RuleSignature = tuple[tuple[Any, ...], ...]  # RuleQueries.enabled_signature's rows

# The rules table's columns a RuleBook is made of (see RuleQueries.enabled_signature).
_SIGNED_COLUMNS: Final = (
    "id",
    "user_id",
    "position",
    "query",
    "scope",
    "scope_id",
    "actions",
    "labels",
)


def _enabled_rules(*columns: Any) -> sa.Select[Any]:
    """The columns of every enabled rule the refresher applies: every user's own, and the
    site's only of users who are administrators."""
    return (
        sa.select(*columns)
        .join(users, users.c.id == rules.c.user_id)
        .where(rules.c.enabled, sa.or_(rules.c.scope != "site", users.c.is_admin))
    )


def _rule(row: Row) -> Rule:
    return Rule(
        id=row.id,
        user_id=row.user_id,
        position=row.position,
        name=row.name,
        query=row.query,
        scope=cast(Scope, row.scope),
        scope_id=row.scope_id,
        actions=cast(tuple[Action, ...], tuple(row.actions.split())),
        labels=tuple(label for label in row.labels.split("\n") if label),
        enabled=bool(row.enabled),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def rule_values(draft: RuleDraft) -> dict[str, Any]:
    """The rules table's columns of a checked draft (as stored: actions and labels joined)."""
    return {
        "name": draft.name,
        "query": draft.query,
        "scope": draft.scope,
        "scope_id": draft.scope_id,
        "actions": " ".join(draft.actions),
        "labels": "\n".join(draft.labels),
        "enabled": draft.enabled,
    }


def scope_conditions(
    user_id: int, scope: Scope, scope_id: int | None
) -> list[sa.ColumnElement[bool]]:
    """The rule's scope as conditions on user_entries_from(user_id)."""
    if scope == "feed":
        return [entries.c.feed_id == scope_id]
    if scope == "category" and scope_id is not None:
        return [entries.c.feed_id.in_(category_feed_ids(user_id, scope_id))]
    return []


class RuleQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # --- the rules themselves ----------------------------------------------------------------

    def of_user(self, user_id: int) -> list[Rule]:
        """The user's rules, in the order they apply."""
        return self.of_users([user_id]).get(user_id, [])

    def of_users(self, user_ids: Collection[int]) -> dict[int, list[Rule]]:
        """Each of the users' rules, in the order they apply, by user (one with none is not
        there): one query for a list of users."""
        query = (
            sa.select(rules)
            .where(rules.c.user_id.in_(list(user_ids)))
            .order_by(rules.c.user_id, rules.c.position, rules.c.id)
        )
        found: dict[int, list[Rule]] = {}
        with read_transaction(self._engine) as conn:
            for row in conn.execute(query):
                rule = _rule(row)
                found.setdefault(rule.user_id, []).append(rule)
        return found

    def get(self, user_id: int, rule_id: int) -> Rule:
        """The user's rule; NotFound when it is not theirs (or does not exist)."""
        query = sa.select(rules).where(rules.c.id == rule_id, rules.c.user_id == user_id)
        with read_transaction(self._engine) as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFound("no such rule")
        return _rule(row)

    def add(self, user_id: int, draft: RuleDraft, *, now: datetime | None = None) -> Rule:
        """Store a checked draft (tidings.rules.model.checked_rule) as the user's last rule.

        NotFound when its feed or category is not the user's; LimitReached at
        MAX_RULES_PER_USER."""
        now = now or datetime.now(UTC)
        with write_transaction(self._engine) as conn:
            self._check_scope(conn, user_id, draft)
            count, last = conn.execute(
                sa.select(sa.func.count(), sa.func.max(rules.c.position)).where(
                    rules.c.user_id == user_id
                )
            ).one()
            if count >= MAX_RULES_PER_USER:
                raise LimitReached(f"a reader has at most {MAX_RULES_PER_USER} rules")
            row = conn.execute(
                rules.insert()
                .values(
                    user_id=user_id,
                    position=(last or 0) + 1,
                    created_at=now,
                    updated_at=now,
                    **rule_values(draft),
                )
                .returning(*rules.c)
            ).one()
        return _rule(row)

    def update(
        self, user_id: int, rule_id: int, draft: RuleDraft, *, now: datetime | None = None
    ) -> Rule:
        """Replace the user's rule with a checked draft; NotFound when it is not theirs."""
        with write_transaction(self._engine) as conn:
            self._check_scope(conn, user_id, draft)
            row = conn.execute(
                rules.update()
                .where(rules.c.id == rule_id, rules.c.user_id == user_id)
                .values(updated_at=now or datetime.now(UTC), **rule_values(draft))
                .returning(*rules.c)
            ).first()
        if row is None:
            raise NotFound("no such rule")
        return _rule(row)

    def remove(self, user_id: int, rule_id: int) -> None:
        """Delete the user's rule; NotFound when it is not theirs."""
        query = rules.delete().where(rules.c.id == rule_id, rules.c.user_id == user_id)
        with write_transaction(self._engine) as conn:
            if conn.execute(query).rowcount != 1:
                raise NotFound("no such rule")

    def replace_named(
        self,
        user_id: int,
        name: str,
        scope_id: int | None,
        drafts: Sequence[RuleDraft],
        *,
        now: datetime | None = None,
    ) -> None:
        """Replace the user's rules called `name` (of the feed `scope_id`, or over all feeds when
        None) with `drafts`, checked and put last: how the Miniflux API's filter settings are
        kept (tidings.rules.miniflux). NotFound when the feed is not the user's; LimitReached,
        and nothing replaced, when the user would have more than MAX_RULES_PER_USER rules (a
        filter of thousands of lines once went past the limit `add` keeps)."""
        now = now or datetime.now(UTC)
        scope = rules.c.scope_id == scope_id if scope_id is not None else rules.c.scope == "all"
        with write_transaction(self._engine) as conn:
            conn.execute(
                rules.delete().where(rules.c.user_id == user_id, rules.c.name == name, scope)
            )
            count, last = conn.execute(
                sa.select(sa.func.count(), sa.func.max(rules.c.position)).where(
                    rules.c.user_id == user_id
                )
            ).one()
            if count + len(drafts) > MAX_RULES_PER_USER:
                raise LimitReached(f"a reader has at most {MAX_RULES_PER_USER} rules")
            for n, draft in enumerate(drafts, start=1):
                self._check_scope(conn, user_id, draft)
                conn.execute(
                    rules.insert().values(
                        user_id=user_id,
                        position=(last or 0) + n,
                        created_at=now,
                        updated_at=now,
                        **rule_values(draft),
                    )
                )

    def set_enabled(self, user_id: int, rule_id: int, enabled: bool) -> Rule:
        with write_transaction(self._engine) as conn:
            row = conn.execute(
                rules.update()
                .where(rules.c.id == rule_id, rules.c.user_id == user_id)
                .values(enabled=enabled)
                .returning(*rules.c)
            ).first()
        if row is None:
            raise NotFound("no such rule")
        return _rule(row)

    def move(self, user_id: int, rule_id: int, offset: int) -> None:
        """Move the user's rule `offset` places (-1: one earlier); at an end it stays."""
        with write_transaction(self._engine) as conn:
            order = [
                row.id
                for row in conn.execute(
                    sa.select(rules.c.id)
                    .where(rules.c.user_id == user_id)
                    .order_by(rules.c.position, rules.c.id)
                )
            ]
            if rule_id not in order:
                raise NotFound("no such rule")
            at = order.index(rule_id)
            to = max(0, min(len(order) - 1, at + offset))
            order.insert(to, order.pop(at))
            conn.execute(
                rules.update()
                .where(rules.c.id == sa.bindparam("b_id"))
                .values(position=sa.bindparam("b_position")),
                [{"b_id": rid, "b_position": n + 1} for n, rid in enumerate(order)],
            )

    @staticmethod
    def _check_scope(conn: Connection, user_id: int, draft: RuleDraft) -> None:
        if draft.scope == "feed":
            found = conn.execute(
                sa.select(subscriptions.c.feed_id).where(
                    subscriptions.c.user_id == user_id,
                    subscriptions.c.feed_id == draft.scope_id,
                )
            ).first()
            if found is None:
                raise NotFound("no such feed among your subscriptions")
        elif draft.scope == "category":
            found = conn.execute(
                sa.select(user_categories.c.id).where(
                    user_categories.c.user_id == user_id, user_categories.c.id == draft.scope_id
                )
            ).first()
            if found is None:
                raise NotFound("no such category of yours")
        elif draft.scope == "site":
            admin = conn.execute(sa.select(users.c.is_admin).where(users.c.id == user_id)).first()
            if admin is None or not admin.is_admin:
                raise InvalidInput("only administrators write rules for the public site")

    # --- what the refresher reads and writes -------------------------------------------------

    def enabled(self) -> list[Rule]:
        """Every enabled rule of every user (site rules only of administrators)."""
        with read_transaction(self._engine) as conn:
            return [_rule(row) for row in conn.execute(_enabled_rules(rules))]

    def enabled_signature(self) -> RuleSignature:
        """The enabled rules (as `enabled` selects them) as plain rows, in id order, with every
        column the rules engine reads and none it does not (names, times): equal signatures,
        equal RuleBooks. The refresher reads this every round and the rules themselves only
        when it changed: 3 ms for 2,000 rules against 22 ms, most of a later round's cost of
        the rules."""
        query = _enabled_rules(*(rules.c[name] for name in _SIGNED_COLUMNS)).order_by(rules.c.id)
        with read_transaction(self._engine) as conn:
            return tuple(tuple(row) for row in conn.execute(query))

    @staticmethod
    def subscribers(
        conn: Connection, feed_ids: Sequence[int], user_ids: Sequence[int]
    ) -> dict[int, list[Subscriber]]:
        """The users among `user_ids` who subscribe to each of the feeds, with their view of it,
        by feed (a feed none of them reads is not there): two queries."""
        return _views(conn, user_ids, feed_ids)

    @staticmethod
    def write_outcomes(
        conn: Connection, feed_id: int | None, outcomes: Sequence[Outcome], now: datetime
    ) -> None:
        """Write what rules did to entries of one feed: state rows (merged with any there, a
        flag only ever set) and labels, each in one statement."""
        if not outcomes:
            return
        if conn.dialect.name == "postgresql":
            _write_outcomes_postgresql(conn, feed_id, outcomes, now)
        else:
            _write_outcomes_sqlite(conn, feed_id, outcomes, now)
        _queue_sends(conn, [o for o in outcomes if o.send], now)

    @staticmethod
    def withhold(conn: Connection, entry_ids: Sequence[int]) -> None:
        """Keep these entries off the public site (a site rule blocked them)."""
        if entry_ids:
            conn.execute(
                entries.update().where(entries.c.id.in_(list(entry_ids))).values(withheld=True)
            )

    # --- preview and applying to stored entries ----------------------------------------------

    def preview(
        self,
        user_id: int,
        query: SearchQuery,
        scope: Scope,
        scope_id: int | None,
        *,
        negate: bool = False,
    ) -> RulePreview:
        """The user's stored entries the query selects in the scope (with `negate`: the ones it
        does not select, what "keep only" blocks)."""
        dialect = self._engine.dialect.name

        def selected(fts_lookup: bool) -> list[sa.ColumnElement[bool]]:
            matched = sa.and_(*match_conditions(user_id, query, dialect, fts_lookup=fts_lookup))
            return [*scope_conditions(user_id, scope, scope_id), ~matched if negate else matched]

        # The newest PREVIEW_COUNT + 1 matches, newest first: counting stops there (the page
        # says "1,000 or more"), so a query that matches most of 100,000 entries is read as far
        # as its 1,001st match, not to the end. Entries are walked newest first by the time
        # index, each checked, without the subscription join (joined first, SQLite tested and
        # sorted every entry, and PostgreSQL, which guesses a regular expression or a phrase
        # rare, did too: 0.2-8 s). `+` keeps SQLite from reading by feed and sorting instead.
        feed_id = _PLUS_FEED_ID if dialect == "sqlite" else entries.c.feed_id
        mine = feed_id.in_(subscribed_feed_ids(user_id))
        newest_first = (entries.c.sort_at.desc(), entries.c.id.desc())

        def newest_matches(
            where: list[sa.ColumnElement[bool]], order: Sequence[Any] = newest_first
        ) -> sa.Select[Any]:
            return (
                sa.select(entries.c.id, entries.c.feed_id)
                .select_from(entries_with_state(user_id))
                .where(*where)
                .order_by(*order)
                .limit(PREVIEW_COUNT + 1)
            )

        with read_transaction(self._engine) as conn:
            plan_for_values(conn)
            rows: Sequence[Row] = []
            # First the user's newest PREVIEW_WINDOW entries: when more than PREVIEW_COUNT of
            # them match, those are the newest matches of all. Else the whole query runs.
            # PostgreSQL needs the bound (its plans for the whole query walk badly); on SQLite
            # it lets words be looked up entry by entry (`fts_lookup`): a common word then
            # costs what its first 1,001 matches do, not what collecting 50,000 does.
            window: sa.ColumnElement[bool] | None = None
            if dialect == "postgresql":
                # The window's ids: PostgreSQL planned `feed_id IN (subscriptions)` on the
                # window's rows as a nested loop over the subscriptions (240 ms).
                window = entries.c.id.in_(
                    sa.select(entries.c.id)
                    .where(mine)
                    .order_by(*newest_first)
                    .limit(PREVIEW_WINDOW)
                )
            else:
                # The window as a range of the time index, so that the walk stops at its edge.
                edge = conn.execute(
                    sa.select(entries.c.sort_at, entries.c.id)
                    .where(mine)
                    .order_by(*newest_first)
                    .offset(PREVIEW_WINDOW - 1)
                    .limit(1)
                ).first()
                if edge is not None:
                    window = sa.and_(
                        mine, sa.tuple_(entries.c.sort_at, entries.c.id) >= sa.tuple_(*edge)
                    )
            if window is not None:
                rows = conn.execute(newest_matches([*selected(True), window])).all()
            if len(rows) <= PREVIEW_COUNT:
                # Few matches among the newest: the table is read in its own order and the
                # matches sorted, since walking the time index to the end reads every row at
                # random (a pattern matching nothing, 100,000 entries: SQLite 685 -> 103 ms,
                # PostgreSQL 493 -> 217 ms).
                order = _UNINDEXED_NEWEST_FIRST.get(dialect, newest_first)
                found = newest_matches([*selected(False), mine], order)
                if dialect == "postgresql" and query.has_full_text:
                    # As the search does: over the index's matches only.
                    found = found.where(pg_bitmap_scans_over_feeds(conn, user_id, query))
                elif dialect == "postgresql":
                    # Every row's text is matched: let PostgreSQL share the scan among its
                    # parallel workers (as many as max_parallel_workers_per_gather allows). Its
                    # cost model prices a pattern match as a comparison, so it judged the
                    # workers not worth starting: 100,000 titles, 100 -> 70 ms on two cores.
                    conn.exec_driver_sql("SET LOCAL parallel_setup_cost = 0")
                    conn.exec_driver_sql("SET LOCAL parallel_tuple_cost = 0")
                rows = conn.execute(found).all()
            capped = len(rows) > PREVIEW_COUNT
            rows = rows[:PREVIEW_COUNT]
            counts: dict[int, int] = {}
            for row in rows:
                counts[row.feed_id] = counts.get(row.feed_id, 0) + 1
            names = dict(
                conn.execute(
                    sa.select(
                        subscriptions.c.feed_id,
                        sa.func.coalesce(
                            subscriptions.c.title, feeds.c.title, feeds.c.feed_title, feeds.c.url
                        ),
                    )
                    .join(feeds, feeds.c.id == subscriptions.c.feed_id)
                    .where(
                        subscriptions.c.user_id == user_id,
                        subscriptions.c.feed_id.in_(list(counts)),
                    )
                ).all()
            )
            newest_ids = [row.id for row in rows[:PREVIEW_TITLES]]
            newest = conn.execute(
                sa.select(entries, *STATE_COLUMNS)
                .select_from(entries_with_state(user_id))
                .where(entries.c.id.in_(newest_ids))
                .order_by(entries.c.sort_at.desc(), entries.c.id.desc())
            ).all()
        per_feed = sorted(
            (FeedCount(f, names.get(f, ""), n) for f, n in counts.items()),
            key=lambda c: (-c.count, c.feed_id),
        )
        return RulePreview(
            total=len(rows),
            per_feed=tuple(per_feed),
            newest=tuple(user_entry_from_row(row) for row in newest),
            capped=capped,
        )

    def apply(self, user_id: int, rule: Rule, *, now: datetime | None = None) -> int:
        """Apply the user's rule to the stored entries it selects now (for "keep only": those it
        does not select) in its scope; gives back how many entries it touched."""
        if rule.user_id != user_id:
            raise NotFound("no such rule")
        dialect = self._engine.dialect.name
        matched = sa.and_(*match_conditions(user_id, rule.parsed, dialect))
        keep = "keep" in rule.actions
        where = [
            *scope_conditions(user_id, rule.scope, rule.scope_id),
            ~matched if keep else matched,
        ]
        if rule.scope == "site":
            query = sa.select(entries.c.id, entries.c.feed_id).where(
                ~sa.and_(*match_conditions(user_id, rule.parsed, dialect)) if keep else matched
            )
        else:
            query = (
                sa.select(entries.c.id, entries.c.feed_id)
                .select_from(user_entries_from(user_id))
                .where(*where)
            )
        blocks = keep or "block" in rule.actions
        now = now or datetime.now(UTC)
        with write_transaction(self._engine) as conn:
            plan_for_values(conn)
            found = conn.execute(query).all()
            if rule.scope == "site":
                self.withhold(conn, [row.id for row in found])
                return len(found)
            outcomes = [
                Outcome(
                    user_id=user_id,
                    entry_id=row.id,
                    read=blocks or "read" in rule.actions,
                    starred="star" in rule.actions,
                    hidden=blocks,
                    labels=rule.labels,
                    feed_id=row.feed_id,
                )
                for row in found
            ]
            self.write_outcomes(conn, None, outcomes, now)
        return len(found)


def _queue_sends(conn: Connection, outcomes: Sequence[Outcome], now: datetime) -> None:
    """Queue each entry a rule sends to its user's enabled integrations, in the transaction that
    writes the entry (the delivery worker sends them): one read of the users' integrations, one
    insert."""
    if not outcomes:
        return
    owners = sorted({o.user_id for o in outcomes})
    targets: dict[int, list[int]] = {}
    for user_id, integration_id in conn.execute(
        sa.select(integrations.c.user_id, integrations.c.id).where(
            integrations.c.user_id.in_(owners), integrations.c.enabled
        )
    ):
        targets.setdefault(user_id, []).append(integration_id)
    rows = [
        {
            "user_id": o.user_id,
            "integration_id": integration_id,
            "entry_id": o.entry_id,
            "state": "queued",
            "attempts": 0,
            "message": "Waiting to be sent (a rule sent it).",
            "due_at": now,
            "created_at": now,
        }
        for o in outcomes
        for integration_id in targets.get(o.user_id, ())
    ]
    if rows:
        conn.execute(integration_deliveries.insert(), rows)


# PostgreSQL takes the outcomes as arrays, one statement for the states and one for the
# labels: the executemany of a row each cost about as much as deciding them (1.5 s of the
# writer's time for 43,000 outcomes in benchmarks/rules.py). A flag is only ever set.
_PG_WRITE_STATES: Final = (
    "INSERT INTO entry_states"
    " (user_id, entry_id, feed_id, read, starred, hidden, read_at, starred_at)"
    " SELECT r.user_id, r.entry_id, r.feed_id, r.read, r.starred, r.hidden,"
    " CASE WHEN r.read THEN %(now)s::timestamptz END,"
    " CASE WHEN r.starred THEN %(now)s::timestamptz END"
    " FROM unnest(%(user_id)s::bigint[], %(entry_id)s::bigint[], %(feed_id)s::bigint[],"
    " %(read)s::boolean[], %(starred)s::boolean[], %(hidden)s::boolean[])"
    " AS r(user_id, entry_id, feed_id, read, starred, hidden)"
    " ON CONFLICT (user_id, entry_id) DO UPDATE SET"
    " read = entry_states.read OR excluded.read,"
    " starred = entry_states.starred OR excluded.starred,"
    " hidden = entry_states.hidden OR excluded.hidden,"
    " read_at = coalesce(entry_states.read_at, excluded.read_at),"
    " starred_at = coalesce(entry_states.starred_at, excluded.starred_at)"
)
_PG_WRITE_LABELS: Final = (
    "INSERT INTO entry_labels (user_id, entry_id, label)"
    " SELECT * FROM unnest(%(user_id)s::bigint[], %(entry_id)s::bigint[], %(label)s::text[])"
    " ON CONFLICT DO NOTHING"
)


def _write_outcomes_postgresql(
    conn: Connection, feed_id: int | None, outcomes: Sequence[Outcome], now: datetime
) -> None:
    """write_outcomes on PostgreSQL: the outcomes of one (user, entry) merged (one statement
    cannot update a row twice), then the states and labels as arrays."""
    flags: dict[tuple[int, int], list[Any]] = {}
    for o in outcomes:
        if not (o.read or o.starred or o.hidden):
            continue
        known = flags.get((o.user_id, o.entry_id))
        if known is None:
            row_feed = o.feed_id if o.feed_id is not None else feed_id
            flags[o.user_id, o.entry_id] = [row_feed, o.read, o.starred, o.hidden]
        else:
            known[1:] = [known[1] or o.read, known[2] or o.starred, known[3] or o.hidden]
    if flags:
        rows = list(flags.values())
        conn.exec_driver_sql(
            _PG_WRITE_STATES,
            {
                "now": UTCDateTime().process_bind_param(now, conn.dialect),  # aware, UTC
                "user_id": [user_id for user_id, _ in flags],
                "entry_id": [entry_id for _, entry_id in flags],
                "feed_id": [row[0] for row in rows],
                "read": [row[1] for row in rows],
                "starred": [row[2] for row in rows],
                "hidden": [row[3] for row in rows],
            },
        )
    labels = [(o.user_id, o.entry_id, label) for o in outcomes for label in o.labels]
    if labels:
        conn.exec_driver_sql(
            _PG_WRITE_LABELS,
            {
                "user_id": [row[0] for row in labels],
                "entry_id": [row[1] for row in labels],
                "label": [row[2] for row in labels],
            },
        )


# SQLite takes the outcomes through the driver's executemany (`execute_many`), a row each.
_SQLITE_INSERT_STATES: Final = sqlite.insert(entry_states)
_SQLITE_UPSERT_STATES: Final = _SQLITE_INSERT_STATES.on_conflict_do_update(
    index_elements=["user_id", "entry_id"],
    set_={
        "read": sa.or_(entry_states.c.read, _SQLITE_INSERT_STATES.excluded.read),
        "starred": sa.or_(entry_states.c.starred, _SQLITE_INSERT_STATES.excluded.starred),
        "hidden": sa.or_(entry_states.c.hidden, _SQLITE_INSERT_STATES.excluded.hidden),
        "read_at": sa.func.coalesce(entry_states.c.read_at, _SQLITE_INSERT_STATES.excluded.read_at),
        "starred_at": sa.func.coalesce(
            entry_states.c.starred_at, _SQLITE_INSERT_STATES.excluded.starred_at
        ),
    },
)
_SQLITE_ADD_LABELS: Final = sqlite.insert(entry_labels).on_conflict_do_nothing()
# The order the upsert binds its values in (execute_many checks it).
_SQLITE_STATE_COLUMNS: Final = (
    "user_id",
    "entry_id",
    "read",
    "starred",
    "read_at",
    "starred_at",
    "feed_id",
    "hidden",
)


def _write_outcomes_sqlite(
    conn: Connection, feed_id: int | None, outcomes: Sequence[Outcome], now: datetime
) -> None:
    """write_outcomes on SQLite: the state rows upserted (a flag only ever set), the labels
    added, each table in one executemany of rows built as the driver takes them."""
    stamp = sqlite_text(now)
    states = [
        (
            o.user_id,
            o.entry_id,
            o.read,
            o.starred,
            stamp if o.read else None,
            stamp if o.starred else None,
            o.feed_id if o.feed_id is not None else feed_id,
            o.hidden,
        )
        for o in outcomes
        if o.read or o.starred or o.hidden
    ]
    if states:
        execute_many(conn, _SQLITE_UPSERT_STATES, _SQLITE_STATE_COLUMNS, states)
    labels = [(o.user_id, o.entry_id, label) for o in outcomes for label in o.labels]
    if labels:
        execute_many(conn, _SQLITE_ADD_LABELS, ("user_id", "entry_id", "label"), labels)


# Users a query of `_views` names at most: SQLite binds at most 32,766 values a statement and
# PostgreSQL's protocol 65,535, and every user with rules is named.
VIEWS_USERS_A_QUERY = 5_000


def _views(
    conn: Connection, user_ids: Sequence[int], feed_ids: Sequence[int]
) -> dict[int, list[Subscriber]]:
    """The subscriptions of the users among `user_ids` to the feeds, by feed."""
    views: dict[int, list[Subscriber]] = {}
    for start in range(0, len(user_ids), VIEWS_USERS_A_QUERY):
        some = user_ids[start : start + VIEWS_USERS_A_QUERY]
        for feed, found in _views_of(conn, some, feed_ids).items():
            views.setdefault(feed, []).extend(found)
    return views


# The two statements a write batch reads its readers' views with, built once: building a
# select and its cache key for every batch cost more than running it (a batch has ten feeds or
# so, and a first refresh has a hundred batches). The lists are bound as expanding parameters.
_VIEW_ROWS: Final = (
    sa.select(
        subscriptions.c.feed_id,
        subscriptions.c.user_id,
        subscriptions.c.title,
        feeds.c.title.label("feed_title"),
        feeds.c.feed_title.label("document_title"),
    )
    .join(feeds, feeds.c.id == subscriptions.c.feed_id)
    .where(
        subscriptions.c.user_id.in_(sa.bindparam("users", expanding=True)),
        subscriptions.c.feed_id.in_(sa.bindparam("feeds", expanding=True)),
    )
)
_VIEW_CATEGORIES: Final = (
    sa.select(
        subscription_categories.c.user_id,
        subscription_categories.c.feed_id,
        user_categories.c.id,
        user_categories.c.name,
    )
    .join(user_categories, user_categories.c.id == subscription_categories.c.category_id)
    .where(
        subscription_categories.c.user_id.in_(sa.bindparam("users", expanding=True)),
        subscription_categories.c.feed_id.in_(sa.bindparam("feeds", expanding=True)),
    )
)


def _views_of(
    conn: Connection, user_ids: Sequence[int], feed_ids: Sequence[int]
) -> dict[int, list[Subscriber]]:
    if not user_ids or not feed_ids:
        return {}
    chosen = {"users": list(user_ids), "feeds": list(feed_ids)}
    rows = conn.execute(_VIEW_ROWS, chosen).all()
    if not rows:
        return {}
    categories: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for user_id, feed, category_id, name in conn.execute(_VIEW_CATEGORIES, chosen):
        categories.setdefault((user_id, feed), []).append((category_id, name))
    # Plain tuples, and one empty set for the many subscriptions in no category.
    nothing: frozenset[Any] = frozenset()
    views: dict[int, list[Subscriber]] = {}
    for feed, user_id, title, feed_title, document_title in rows:
        mine = categories.get((user_id, feed))
        views.setdefault(feed, []).append(
            Subscriber(
                user_id,
                tuple(t for t in (title, feed_title, document_title) if t),
                frozenset(name for _, name in mine) if mine else nothing,
                frozenset(category_id for category_id, _ in mine) if mine else nothing,
            )
        )
    return views
