"""The refresher's queries: claim due feeds with leases, read stored hashes, write checks.

Claims work the same on both databases: on PostgreSQL, `FOR UPDATE SKIP LOCKED` lets several
workers claim at once without waiting on each other; on SQLite the write transaction (BEGIN
IMMEDIATE) already serialises claimers. A lease that expires (its worker died) makes the feed
claimable again.

A check is written either alone (`apply`: one transaction) or with others (`batch`: one
transaction, one SAVEPOINT per feed, so each feed's changes are still all or nothing while the
commit, the costly part on SQLite and a round trip on PostgreSQL, is shared).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.sql.compiler import SQLCompiler

from tidings.model import EntryData, Feed, FeedUpdate, FetchLogRecord
from tidings.plaintext import html_text
from tidings.rules.engine import NewEntry, RuleBook, Subscriber
from tidings.store.database import read_transaction, write_transaction
from tidings.store.rows import FEED_COLUMNS, feed_from_row, fetch_log_from_row
from tidings.store.schema import (
    SEARCH_TEXT_COLUMNS,
    UTCDateTime,
    entries,
    entry_states,
    feeds,
    fetch_log,
    sqlite_text,
)

# The columns a check of a feed may write; the admin's (title, refresh interval) are not here.
_REFRESHER_COLUMNS = (
    "feed_title",
    "site_url",
    "description",
    "image_url",
    "etag",
    "last_modified",
    "body_hash",
    "checked_at",
    "next_check_at",
    "error_count",
    "last_error",
    "first_error_at",
    "disabled_reason",
)


@dataclasses.dataclass(frozen=True, slots=True)
class Retention:
    """What to remove after a check: entries older than `discard_before`, beyond `max_entries`."""

    discard_before: datetime | None = None
    max_entries: int = 0  # 0: no limit
    log_size: int = 50


# --- statements built once (building and cache-keying a statement per call costs more) ---------

_other = feeds.alias("other_feed")
# A permanent redirect onto a feed we already have keeps the old URL. The cheap comparison comes
# first: SQLite's and PostgreSQL's CASE stop at the first true branch, so an unchanged URL (every
# check but a moved feed's) never runs the subquery.
_URL = sa.case(
    (feeds.c.url == sa.bindparam("u_url"), feeds.c.url),
    (
        sa.exists().where(_other.c.url == sa.bindparam("u_url"), _other.c.id != feeds.c.id),
        feeds.c.url,
    ),
    else_=sa.bindparam("u_url"),
)
_FEED_VALUES: dict[str, Any] = {name: sa.bindparam(f"u_{name}") for name in _REFRESHER_COLUMNS}
_WRITE_FEED = (
    sa.update(feeds)
    .where(feeds.c.id == sa.bindparam("u_id"))
    .values(url=_URL, lease_owner=None, lease_until=None, **_FEED_VALUES)
)
# The lease check is part of the write: a feed taken over by another worker matches no row.
_WRITE_LEASED_FEED = _WRITE_FEED.where(feeds.c.lease_owner == sa.bindparam("u_owner"))

_STORED_HASHES = sa.select(entries.c.key, entries.c.content_hash).where(
    entries.c.feed_id == sa.bindparam("feed_id"),
    entries.c.key.in_(sa.bindparam("keys", expanding=True)),
)

_ENTRY_COLUMNS = (
    "title",
    "link",
    "author",
    "summary",
    "content",
    "published_at",
    "updated_at",
    "content_hash",
    "categories",
    "enclosures",
    "image",
)


def _update_entry_statement(table: sa.Table, extra: tuple[str, ...] = ()) -> sa.Update:
    return (
        sa.update(table)
        .where(table.c.feed_id == sa.bindparam("b_feed_id"), table.c.key == sa.bindparam("b_key"))
        .values(
            {name: sa.bindparam(name) for name in (*_ENTRY_COLUMNS, *extra)}
            # Read and star state live in entry_states, keyed by entry id, so they survive this.
            | {"sort_at": sa.func.coalesce(sa.bindparam("published_at"), table.c.first_seen_at)}
        )
    )


def _with_search_text(table: sa.Table) -> sa.Table:
    """A copy of `entries` with SQLite's search text columns, for the writer's statements only."""
    copy = table.to_metadata(sa.MetaData())
    for name in SEARCH_TEXT_COLUMNS:
        copy.append_column(sa.Column(name, sa.Text))
    return copy


# `entries` also holds the plain text SQLite's search index and the rules' text conditions read
# (SEARCH_TEXT_COLUMNS, see schema.py), which the metadata leaves out so that no page reads it. It
# is written in the same UPDATE as the HTML, so SQLite's index trigger takes out the old text and
# adds the new once.
_UPDATE_ENTRY = _update_entry_statement(_with_search_text(entries), SEARCH_TEXT_COLUMNS)

_LOG_COLUMNS = (
    "feed_id",
    "at",
    "status",
    "duration_ms",
    "bytes",
    "new_count",
    "updated_count",
    "error",
)
_INSERT_LOG = fetch_log.insert().values({name: sa.bindparam(name) for name in _LOG_COLUMNS})

# Retention never removes a starred entry, nor one still in the document (it would come back as
# new). An empty `seen` list matches no key, so every entry is a candidate then.
_REMOVABLE = (
    entries.c.feed_id == sa.bindparam("feed_id"),
    ~sa.exists().where(entry_states.c.entry_id == entries.c.id, entry_states.c.starred),
    entries.c.key.not_in(sa.bindparam("seen", expanding=True)),
)
_DISCARD_OLD = sa.delete(entries).where(*_REMOVABLE, entries.c.sort_at < sa.bindparam("before"))
_KEEP = (
    sa.select(entries.c.id)
    .where(entries.c.feed_id == sa.bindparam("feed_id"))
    .order_by(entries.c.sort_at.desc(), entries.c.id.desc())
    .limit(sa.bindparam("keep"))
)
_DISCARD_BEYOND = sa.delete(entries).where(*_REMOVABLE, entries.c.id.not_in(_KEEP))


# On SQLite new entries go to the driver as rows of plain values in one multi-row INSERT that
# skips a key stored meanwhile (two checks racing after a lease expired): binding through
# SQLAlchemy (a parameter dict per row, a processor call per datetime and JSON value) was about a
# fifth of writing a feed of 30 new entries, and the writer sets the pace of a large refresh.
# Values are stored as the column types store them, and the search index's plain text with them.
_SQLITE_ENTRY_COLUMNS = (
    "feed_id",
    "key",
    "first_seen_at",
    "sort_at",
    *_ENTRY_COLUMNS,
    *SEARCH_TEXT_COLUMNS,
)
_SQLITE_ROWS_PER_STATEMENT = 500  # 17 values a row: well under SQLite's 32,766 bound values


@functools.cache
def _sqlite_insert_entries(rows: int) -> str:
    row = "(" + ", ".join("?" * len(_SQLITE_ENTRY_COLUMNS)) + ")"
    return (
        f"INSERT INTO entries ({', '.join(_SQLITE_ENTRY_COLUMNS)}) VALUES {', '.join([row] * rows)}"
        " ON CONFLICT (feed_id, key) DO NOTHING"
    )


# On PostgreSQL new entries go as one array per column, unnested into rows by the server: a short
# statement that psycopg converts once and PostgreSQL prepares once, whatever the number of rows.
# A multi-row VALUES (what SQLAlchemy's executemany builds) has 17 parameters a row, too many for
# psycopg's statement cache: it re-parsed a 30-row INSERT on every feed.
_PG_ARRAY_COLUMNS = ("key", *_ENTRY_COLUMNS, *SEARCH_TEXT_COLUMNS)
_PG_ARRAY_TYPES = {"published_at": "timestamptz[]", "updated_at": "timestamptz[]"}
_PG_INSERT_ENTRIES = (
    f"INSERT INTO entries (feed_id, first_seen_at, sort_at, {', '.join(_PG_ARRAY_COLUMNS)})"
    " SELECT %(feed_id)s, %(now)s, coalesce(r.published_at, %(now)s), "
    + ", ".join(
        f"r.{name}::json" if name in ("categories", "enclosures") else f"r.{name}"
        for name in _PG_ARRAY_COLUMNS
    )
    + " FROM unnest("
    + ", ".join(f"%({name})s::{_PG_ARRAY_TYPES.get(name, 'text[]')}" for name in _PG_ARRAY_COLUMNS)
    + f") WITH ORDINALITY AS r({', '.join(_PG_ARRAY_COLUMNS)}, n)"
    # In the feed's order, as on SQLite: ids break ties between entries of the same time.
    " ORDER BY r.n ON CONFLICT (feed_id, key) DO NOTHING"
)


# What the insert gives back when rules will read the new entries: their ids by key, so that
# they need not be read again by key (a statement a feed, ~10% of the rules' time). On SQLite
# they follow from the last one instead (`UpdateBatch._sqlite_ids`).
_RETURNING_IDS: Final = " RETURNING id, key"
_KEYS_OF_IDS: Final = sa.select(entries.c.id, entries.c.key).where(
    entries.c.id.between(sa.bindparam("first"), sa.bindparam("last"))
)
_LARGEST_ENTRY_ID: Final = sa.select(sa.func.max(entries.c.id))
SQLITE_IDS_FOLLOW_BELOW = 1 << 62  # the largest entry id under which new ids are consecutive


def _postgresql_entry_row(data: EntryData, dialect: sa.Dialect) -> dict[str, Any]:
    """The values of one new entry by column, as the arrays carry them: what the column types
    would send (JSON text, datetimes checked aware and in UTC)."""
    row = _entry_values(data)
    row.update(zip(SEARCH_TEXT_COLUMNS, _search_text(data), strict=True))
    row["categories"] = json.dumps(row["categories"])  # what sa.JSON sends: json.dumps
    row["enclosures"] = json.dumps(row["enclosures"])
    for name in ("published_at", "updated_at"):
        row[name] = _BIND_DATETIME(row[name], dialect)
    return row


_BIND_DATETIME: Final = UTCDateTime().process_bind_param


def _sqlite_entry_row(feed_id: int, data: EntryData, now: str) -> tuple[Any, ...]:
    """The values of one new entry in _SQLITE_ENTRY_COLUMNS order, as SQLite stores them."""
    published = sqlite_text(data.published_at)
    return (
        feed_id,
        data.key,
        now,
        published or now,
        data.title,
        data.link,
        data.author,
        data.summary,
        data.content,
        published,
        sqlite_text(data.updated_at),
        data.content_hash,
        json.dumps(list(data.categories)),  # what sa.JSON stores on SQLite: json.dumps
        json.dumps(_enclosures(data)),
        data.image,
        *_search_text(data),
    )


def _search_text(data: EntryData) -> tuple[str | None, str | None]:
    """The entry's (summary, content) plain text (search index, rules): as given (the parse
    processes compute it), else computed here (an EntryData made without it)."""
    summary, content = data.summary_text, data.content_text
    if summary is None and data.summary is not None:
        summary = html_text(data.summary)
    if content is None and data.content is not None:
        content = html_text(data.content)
    return summary, content


def _entry_values(data: EntryData) -> dict[str, Any]:
    """The entry's columns, read field by field (dataclasses.asdict deep-copies every value)."""
    values = {name: getattr(data, name) for name in ("key", *_ENTRY_COLUMNS)}
    values["categories"] = list(data.categories)
    values["enclosures"] = _enclosures(data)
    return values


def _enclosures(data: EntryData) -> list[dict[str, Any]]:
    """The entry's enclosures as the JSON column keeps them ("duration" only when known: rows
    written before there was one have none either)."""
    return [
        {"url": e.url, "type": e.type, "length": e.length}
        | ({} if e.duration is None else {"duration": e.duration})
        for e in data.enclosures
    ]


def _log_values(log: FetchLogRecord) -> dict[str, Any]:
    return {name: getattr(log, name) for name in _LOG_COLUMNS}


# The statements every check runs (the feed's UPDATE, its fetch log line) go through the driver on
# SQLite, compiled once: SQLAlchemy's execute (cache lookup, parameter processing, result setup)
# took 70-110 us of an UPDATE that costs 45 us through the driver, most of a 304's write.
_SQLITE_DIALECT: Final = sqlite.dialect()


@functools.cache
def _sqlite_compiled(statement: sa.ClauseElement) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """Return a statement's SQLite text, its parameter names in order, and the values of the
    parameters the statement fixes itself (`.values(lease_owner=None)`)."""
    compiled = statement.compile(dialect=_SQLITE_DIALECT)
    assert isinstance(compiled, SQLCompiler)
    fixed = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
    return compiled.string, tuple(compiled.positiontup or ()), fixed


def _execute(
    conn: Connection, statement: sa.Executable, values: dict[str, Any]
) -> CursorResult[Any]:
    """Run one of the hot statements with `values`; on SQLite through the driver, each datetime
    stored as `UTCDateTime` stores it (every datetime these statements bind is one)."""
    if conn.dialect.name != "sqlite":
        return conn.execute(statement, values)
    assert isinstance(statement, sa.ClauseElement)
    sql, names, fixed = _sqlite_compiled(statement)
    given = fixed | values
    row = [given[name] for name in names]
    return conn.exec_driver_sql(
        sql, tuple(sqlite_text(v) if isinstance(v, datetime) else v for v in row)
    )


def execute_many(
    conn: Connection,
    statement: sa.Executable,
    columns: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """Run a hot statement on SQLite once per row of `rows`, in one executemany of the driver:
    each row a tuple of the values of `columns`, in that order, as the driver takes them
    (datetimes as `sqlite_text` gives them). SQLAlchemy's own executemany processed each row's
    parameters in Python (34 us a row of the rules' outcomes), and a dict a row read back in the
    statement's order still an eighth of writing them. The driver's own connection runs it (in
    the connection's transaction, as every statement of it): `exec_driver_sql` cost 20 us a call,
    as much as writing a feed's few outcomes, twice a feed."""
    assert conn.dialect.name == "sqlite" and isinstance(statement, sa.ClauseElement)
    sql, names, fixed = _sqlite_compiled(statement)
    if names != columns or fixed:
        raise ValueError(f"the statement binds {names}, not the rows' {columns}")
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.executemany(sql, rows)


class UpdateBatch:
    """Checks written in one transaction, each feed in a SAVEPOINT of its own.

    `write` and `apply` raise when a feed's write fails; that feed's changes are rolled back to its
    savepoint and the batch may go on. Fetch logs are trimmed once for the whole batch, before the
    commit.
    """

    def __init__(self, conn: Connection, rules: RuleBook | None = None) -> None:
        self._conn = conn
        self._update_entry = _UPDATE_ENTRY
        self._logged: dict[int, set[int]] = {}  # log size -> feeds given a log line
        self._rules = rules if rules else None
        self._ids_follow: bool | None = None  # see _sqlite_ids_follow
        self._readers: dict[int, list[Subscriber]] = {}  # see read_rule_readers

    def write(
        self,
        feed_id: int,
        keys: Collection[str],
        plan: Callable[[dict[str, str]], FeedUpdate],
        *,
        owner: str | None,
        now: datetime,
        retention: Retention,
    ) -> tuple[FeedUpdate, int]:
        """Write one check of one feed, all or nothing; gives the update and the new entries.

        `plan` is given the stored content hashes of the entries whose key is in `keys` and gives
        back what to write; reading and writing happen under the same savepoint, so a failure of
        either (or of `plan`) leaves no trace of this feed and the batch goes on. A feed whose
        lease was taken over by another worker meanwhile is left alone (0 new entries).
        """
        with self._savepoint():
            update = plan(self._stored_hashes(feed_id, keys))
            new = self._apply(update, owner, now, retention)
        if update.log is not None and new >= 0:
            self._logged.setdefault(retention.log_size, set()).add(update.feed.id)
        return update, max(new, 0)

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        """A SAVEPOINT around one feed's statements, released on success, rolled back on error.

        Plain SQL on both databases: SQLAlchemy's `begin_nested` (a transaction object, a
        generated name, its bookkeeping) cost about a fifth of writing a 304 in a batch.
        """
        execute = self._conn.exec_driver_sql
        execute("SAVEPOINT tidings_feed")
        try:
            yield
        except BaseException:
            execute("ROLLBACK TO SAVEPOINT tidings_feed")
            execute("RELEASE SAVEPOINT tidings_feed")
            raise
        execute("RELEASE SAVEPOINT tidings_feed")

    def apply(
        self, update: FeedUpdate, *, owner: str | None, now: datetime, retention: Retention
    ) -> int:
        """Write one planned check of one feed, all or nothing; gives back the new entries."""
        return self.write(
            update.feed.id, (), lambda _: update, owner=owner, now=now, retention=retention
        )[1]

    def _stored_hashes(self, feed_id: int, keys: Collection[str]) -> dict[str, str]:
        if not keys:
            return {}
        rows = self._conn.execute(_STORED_HASHES, {"feed_id": feed_id, "keys": list(keys)})
        return {row.key: row.content_hash for row in rows}

    def _apply(
        self, update: FeedUpdate, owner: str | None, now: datetime, retention: Retention
    ) -> int:
        """-1 when the feed is gone or its lease was taken, else the number of new entries."""
        feed = update.feed
        if not self._write_feed(feed, owner):
            return -1
        # Only new entries meet the rules: a 304 or an unchanged document reads nothing for them.
        readers = self._rule_readers(feed) if update.new_entries else None
        # For the rules, the new entries' ids come back from the insert.
        new, ids = self._insert(feed.id, update.new_entries, now, returning=readers is not None)
        if ids and readers is not None:
            self._apply_rules(feed, update.new_entries, ids, readers, now)
        self._update(feed.id, update.changed_entries)
        self._retain(feed.id, update.seen_keys, retention)
        if update.log is not None:
            _execute(self._conn, _INSERT_LOG, _log_values(update.log))
        return new

    def _rule_readers(self, feed: Feed) -> list[Subscriber] | None:
        """The readers of `feed` with rules, with their view of it; None when no rule can touch
        its new entries (no reader with rules, no site rule): then nothing is read back."""
        book = self._rules
        if book is None:
            return None
        readers: list[Subscriber] = []
        if book.users:
            if feed.id not in self._readers:
                self.read_rule_readers([feed.id])
            readers = self._readers[feed.id]
        return readers if readers or book.has_site_rules else None

    def read_rule_readers(self, feed_ids: Collection[int]) -> None:
        """Read which readers with rules each of the feeds has, as each sees it, in one go (two
        queries): the refresher does for a batch's feeds with a document, which may have new
        entries. Else each feed with new entries reads its own."""
        book = self._rules
        wanted = [f for f in feed_ids if f not in self._readers]
        if book is None or not book.users or not wanted:
            return
        from tidings.store.rules import RuleQueries

        found = RuleQueries.subscribers(self._conn, wanted, sorted(book.users))
        self._readers.update((f, found.get(f, [])) for f in wanted)

    def _apply_rules(
        self,
        feed: Feed,
        new: Sequence[EntryData],
        ids: dict[str, int],
        readers: list[Subscriber],
        now: datetime,
    ) -> None:
        """Apply the rules to the entries just inserted (`ids`: their ids by key, as the insert
        gave them back), in the same savepoint: the outcomes in two writes."""
        from tidings.store.rules import RuleQueries

        book = self._rules
        assert book is not None
        written = []
        for d in new:
            entry_id = ids.get(d.key)
            if entry_id is None:
                continue  # stored already: not new
            summary_text, content_text = _search_text(d)
            written.append(
                NewEntry(
                    entry_id=entry_id,
                    title=d.title,
                    summary_text=summary_text or "",
                    content_text=content_text or "",
                    author=d.author or "",
                    url=d.link or "",
                    sort_at=d.published_at or now,  # as the insert computes sort_at
                )
            )
        if readers:
            outcomes = book.outcomes(feed.id, readers, written)
            RuleQueries.write_outcomes(self._conn, feed.id, outcomes, now)
        if book.has_site_rules:
            titles = tuple(t for t in (feed.title, feed.feed_title) if t)
            RuleQueries.withhold(self._conn, book.withheld(feed.id, titles, written))

    def _write_feed(self, feed: Feed, owner: str | None) -> bool:
        values: dict[str, Any] = {f"u_{name}": getattr(feed, name) for name in _REFRESHER_COLUMNS}
        values["u_id"] = feed.id
        values["u_url"] = feed.url
        if owner is None:
            return _execute(self._conn, _WRITE_FEED, values).rowcount == 1
        values["u_owner"] = owner
        return _execute(self._conn, _WRITE_LEASED_FEED, values).rowcount == 1

    def _insert(
        self, feed_id: int, new: Sequence[EntryData], now: datetime, *, returning: bool
    ) -> tuple[int, dict[str, int]]:
        """Insert the entries whose keys are not stored yet; gives back how many were inserted
        and, when `returning`, their ids by key (else no row is fetched back: {})."""
        if not new:
            return 0, {}
        if self._conn.dialect.name == "sqlite":
            return self._insert_sqlite(feed_id, new, now, returning)
        return self._insert_postgresql(feed_id, new, now, returning)

    def _insert_postgresql(
        self, feed_id: int, new: Sequence[EntryData], now: datetime, returning: bool
    ) -> tuple[int, dict[str, int]]:
        dialect = self._conn.dialect
        rows = [_postgresql_entry_row(data, dialect) for data in new]
        columns = {name: [row[name] for row in rows] for name in _PG_ARRAY_COLUMNS}
        values = {"feed_id": feed_id, "now": _BIND_DATETIME(now, dialect), **columns}
        if returning:
            result = self._conn.exec_driver_sql(_PG_INSERT_ENTRIES + _RETURNING_IDS, values)
            ids = {key: entry_id for entry_id, key in result}
            return len(ids), ids
        # The statement's row count is the rows inserted, skipped keys not counted.
        return self._conn.exec_driver_sql(_PG_INSERT_ENTRIES, values).rowcount, {}

    def _insert_sqlite(
        self, feed_id: int, new: Sequence[EntryData], now: datetime, returning: bool
    ) -> tuple[int, dict[str, int]]:
        stamp = sqlite_text(now)
        ids: dict[str, int] = {}
        count = 0
        for start in range(0, len(new), _SQLITE_ROWS_PER_STATEMENT):
            part = new[start : start + _SQLITE_ROWS_PER_STATEMENT]
            values = [value for data in part for value in _sqlite_entry_row(feed_id, data, stamp)]
            sql = _sqlite_insert_entries(len(part))
            if returning and not self._sqlite_ids_follow():
                result = self._conn.exec_driver_sql(sql + _RETURNING_IDS, tuple(values))
                rows = result.fetchall()  # only the rows inserted come back, skipped keys not
                ids.update((key, entry_id) for entry_id, key in rows)
                count += len(rows)
                continue
            # SQLite's change count is the rows inserted, skipped keys not counted (nor the FTS
            # trigger's rows), so no rows to fetch back.
            result = self._conn.exec_driver_sql(sql, tuple(values))
            inserted = result.rowcount
            count += inserted
            if returning and inserted > 0:
                ids.update(self._sqlite_ids(part, inserted, result.lastrowid))
        return count, ids

    def _sqlite_ids_follow(self) -> bool:
        """Whether the ids SQLite gives new entries follow one another (read once a batch).

        SQLite gives a row inserted without an id the table's largest id plus one, unless that
        largest is the largest possible: then it picks ids at random. tidings never chooses an
        id, so that bound (2^63 - 1) is never near; only an entries table someone filled with
        such ids by hand is, and there the ids are given back by RETURNING instead."""
        if self._ids_follow is None:
            top = self._conn.execute(_LARGEST_ENTRY_ID).scalar()
            self._ids_follow = (top or 0) < SQLITE_IDS_FOLLOW_BELOW
        return self._ids_follow

    def _sqlite_ids(
        self, part: Sequence[EntryData], inserted: int, last: int
    ) -> Iterable[tuple[str, int]]:
        """The (key, id) of the rows one insert statement of `part` stored: `inserted` rows, the
        last with id `last`, when the ids follow one another (`_sqlite_ids_follow`).

        Then the rows of one statement have consecutive ids, in the statement's order. When all
        were stored (the plan asked only for keys not stored: always, but for a race) the ids
        follow from `last` with nothing read back: RETURNING the 30,000 rows of a large refresh
        cost the writer 0.13 s of CPU. Else the range of ids is read back."""
        first = last - inserted + 1
        if inserted == len(part):
            return zip([data.key for data in part], range(first, last + 1), strict=True)
        rows = self._conn.execute(_KEYS_OF_IDS, {"first": first, "last": last})
        return [(key, entry_id) for entry_id, key in rows]

    def _update(self, feed_id: int, changed: Sequence[EntryData]) -> None:
        if not changed:
            return
        rows = []
        for data in changed:
            row = _entry_values(data)
            row["b_key"] = row.pop("key")
            row["b_feed_id"] = feed_id
            row.update(zip(SEARCH_TEXT_COLUMNS, _search_text(data), strict=True))
            rows.append(row)
        self._conn.execute(self._update_entry, rows)

    def _retain(self, feed_id: int, seen_keys: Collection[str], retention: Retention) -> None:
        params: dict[str, Any] = {"feed_id": feed_id, "seen": list(seen_keys)}
        if retention.discard_before is not None:
            self._conn.execute(_DISCARD_OLD, {**params, "before": retention.discard_before})
        if retention.max_entries > 0:
            self._conn.execute(_DISCARD_BEYOND, {**params, "keep": retention.max_entries})

    def trim_logs(self) -> None:
        """Cut the fetch log of every feed written to its size: one executemany per size.

        Each feed's cut is an index seek to its size-th newest line ((feed_id, at) index), so
        it costs the same however many lines there are; before, one window-function statement
        per batch cost about 2 ms, a sixth of the writer's time in the first refresh of 1,000
        feeds.
        """
        for size, feed_ids in self._logged.items():
            self._conn.execute(
                _TRIM_LOG, [{"feed_id": f, "keep": max(size, 1)} for f in sorted(feed_ids)]
            )
        self._logged.clear()


# The lines of a feed older than its `keep` newest (by time, then id).
_TRIM_LOG = sa.delete(fetch_log).where(
    fetch_log.c.feed_id == sa.bindparam("feed_id"),
    fetch_log.c.id.in_(
        sa.select(fetch_log.c.id)
        .where(fetch_log.c.feed_id == sa.bindparam("feed_id"))
        .order_by(fetch_log.c.at.desc(), fetch_log.c.id.desc())
        .offset(sa.bindparam("keep"))
    ),
)


class UpdateQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim_due(
        self,
        owner: str,
        now: datetime,
        limit: int,
        lease_seconds: int,
        feed_ids: Collection[int] | None = None,
    ) -> list[Feed]:
        """Up to `limit` due feeds (of `feed_ids` if given), earliest first, leased to `owner`."""
        due = (
            sa.select(feeds.c.id)
            .where(
                feeds.c.disabled_reason.is_(None),
                feeds.c.next_check_at <= now,
                sa.or_(feeds.c.lease_until.is_(None), feeds.c.lease_until < now),
            )
            .order_by(feeds.c.next_check_at, feeds.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if feed_ids is not None:
            due = due.where(feeds.c.id.in_(list(feed_ids)))
        with write_transaction(self._engine) as conn:
            ids = list(conn.execute(due).scalars())
            if not ids:
                return []
            rows = conn.execute(
                sa.update(feeds)
                .where(feeds.c.id.in_(ids))
                .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds))
                .returning(*FEED_COLUMNS)
            ).all()
        order = {feed_id: position for position, feed_id in enumerate(ids)}
        return sorted((feed_from_row(row) for row in rows), key=lambda f: order[f.id])

    def count_due(self, now: datetime, feed_ids: Collection[int] | None = None) -> int:
        """How many feeds are due and unclaimed (of `feed_ids` if given)."""
        query = sa.select(sa.func.count()).where(
            feeds.c.disabled_reason.is_(None),
            feeds.c.next_check_at <= now,
            sa.or_(feeds.c.lease_until.is_(None), feeds.c.lease_until < now),
        )
        if feed_ids is not None:
            query = query.where(feeds.c.id.in_(list(feed_ids)))
        with read_transaction(self._engine) as conn:
            return int(conn.execute(query).scalar_one())

    def release(self, owner: str) -> int:
        """Give back every lease `owner` holds (a worker stopping cleanly); gives back how many."""
        with write_transaction(self._engine) as conn:
            return conn.execute(
                sa.update(feeds)
                .where(feeds.c.lease_owner == owner)
                .values(lease_owner=None, lease_until=None)
            ).rowcount

    def stored_hashes(self, feed_id: int, keys: Collection[str]) -> dict[str, str]:
        """The content hash of each stored entry of the feed whose key is in `keys`."""
        if not keys:
            return {}
        with read_transaction(self._engine) as conn:
            rows = conn.execute(_STORED_HASHES, {"feed_id": feed_id, "keys": list(keys)})
            return {row.key: row.content_hash for row in rows}

    @contextmanager
    def batch(self, rules: RuleBook | None = None) -> Iterator[UpdateBatch]:
        """One write transaction for several checks (see UpdateBatch), `rules` applied to new
        entries; committed at the end."""
        with write_transaction(self._engine) as conn:
            batch = UpdateBatch(conn, rules)
            yield batch
            batch.trim_logs()

    def apply(
        self, update: FeedUpdate, *, owner: str | None, now: datetime, retention: Retention
    ) -> int:
        """Write one check of one feed in one transaction; gives back how many entries were new.

        A feed whose lease was taken over by another worker meanwhile is left alone (0).
        """
        with self.batch() as batch:
            return batch.apply(update, owner=owner, now=now, retention=retention)

    def log(self, feed_id: int, limit: int = 50) -> list[FetchLogRecord]:
        """The feed's fetch log, newest first."""
        query = (
            sa.select(fetch_log)
            .where(fetch_log.c.feed_id == feed_id)
            .order_by(fetch_log.c.at.desc(), fetch_log.c.id.desc())
            .limit(limit)
        )
        with read_transaction(self._engine) as conn:
            return [fetch_log_from_row(row) for row in conn.execute(query)]
