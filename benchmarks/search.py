"""Search and personal reading at 100,000 entries, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/search.py [--entries 100000] [--repeat 30] [--only sqlite]

For each database: entries go in through `store.updates.apply` (the refresher's path: one
transaction per feed check), with the search index kept by the database (FTS5 triggers /
generated tsvector column), and, for comparison, 20,000 entries into a database whose search
index was removed. Then, for a reader with 200 feeds and 6,000 entries and for a user who follows
every feed, search latency over a set of queries and the reading queries (unread listing, counts,
subscriptions). PostgreSQL comes from TIDINGS_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test); the run works in a schema of its own and drops it.
Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta

from scratch import scratch_database

from tidings.model import EntryData, FeedUpdate
from tidings.plaintext import html_text
from tidings.store import Store
from tidings.store.updates import Retention

POSTGRES_URL = os.environ.get(
    "TIDINGS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
READER_FEEDS, READER_PER_FEED = 200, 30  # 6,000 entries
OTHER_PER_FEED = 200
COMPARE_ENTRIES = 20_000
NOW = datetime(2026, 3, 1, tzinfo=UTC)

SYLLABLES = [c + v for c in "bcdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


VOCABULARY = 40_000  # distinct words; Zipf weights 1/rank: a few very common, most rare


def vocabulary(rng: random.Random, size: int = VOCABULARY) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class Text:
    """Generated prose: words drawn with a Zipf skew (weight 1/rank over 40,000 words), as in
    natural text: the commonest word is in nearly every entry (like "the"), words past rank
    ~1,000 are in under 1% of entries, most are in a handful."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng)
        weights = [1.0 / (rank + 1) for rank in range(len(self.words))]
        self.cumulative = list(itertools.accumulate(weights))

    def words_(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=n)

    def title(self) -> str:
        return " ".join(self.words_(self.rng.randint(5, 10))).capitalize()

    def html(self) -> str:
        paragraphs = []
        for _ in range(self.rng.randint(2, 4)):
            words = self.words_(self.rng.randint(30, 60))
            words[3] = f"<strong>{words[3]}</strong>"
            words[10] = f'<a href="https://example.org/{words[10]}">{words[10]}</a>'
            paragraphs.append("<p>" + " ".join(words) + ".</p>")
        return "".join(paragraphs)


def entry_data(text: Text, key: str, age_hours: float) -> EntryData:
    content = text.html()
    return EntryData(
        key=key,
        title=text.title(),
        link=f"https://example.org/{key}",
        summary=None,
        content=content,
        published_at=NOW - timedelta(hours=age_hours),
        content_hash=key,
        content_text=html_text(content),  # as the parse processes give it, off the writer
    )


def apply_entries(store: Store, feed_id: int, batch: tuple[EntryData, ...]) -> float:
    """Write one check of the feed with these new entries; the seconds it took."""
    feed = dataclasses.replace(store.feeds.get(feed_id), checked_at=NOW)
    update = FeedUpdate(feed=feed, new_entries=batch)
    started = time.perf_counter()
    store.updates.apply(update, owner=None, now=NOW, retention=Retention())
    return time.perf_counter() - started


def drop_search_index(store: Store) -> None:
    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            for trigger in ("entries_fts_ai", "entries_fts_ad", "entries_fts_au"):
                conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
        else:
            conn.exec_driver_sql("ALTER TABLE entries DROP COLUMN search_vector")


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm the caches once
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextmanager
def database(kind: str) -> Iterator[Callable[[], str]]:
    """Gives a function that makes a new empty database URL (dropped afterwards)."""
    with ExitStack() as made:
        server = None if kind == "sqlite" else POSTGRES_URL
        yield lambda: made.enter_context(scratch_database(server, "tidings_bench"))


def insert_compare(url: str, with_index: bool) -> float:
    """Milliseconds per entry for COMPARE_ENTRIES entries, 200 per check."""
    text = Text(7)
    with Store.open(url) as store:
        store.migrate()
        if not with_index:
            drop_search_index(store)
        spent = 0.0
        for f in range(COMPARE_ENTRIES // OTHER_PER_FEED):
            feed = store.feeds.add(f"https://cmp{f}.example/feed")
            batch = tuple(entry_data(text, f"c{f}-{i}", i * 0.5) for i in range(OTHER_PER_FEED))
            spent += apply_entries(store, feed.id, batch)
    return spent * 1000 / COMPARE_ENTRIES


def search_queries(
    text: Text, titles: list[str], rng: random.Random
) -> tuple[list[str], list[str]]:
    """Queries drawn like real searches (mostly specific words and remembered phrases, a few
    common words, some filters), and the worst case: the very commonest words."""
    words = text.words

    def specific() -> str:  # rank 300..20,000, log-uniform: in ~0.5% .. 0.01% of entries
        return words[int(300 * (20_000 / 300) ** rng.random())]

    def phrase() -> str:
        title = rng.choice(titles).lower().split()
        i = rng.randrange(len(title) - 1)
        return f'"{title[i]} {title[i + 1]}"'

    realistic = [specific() for _ in range(8)]
    realistic += [phrase() for _ in range(3)]
    realistic += [f"{specific()} {words[rng.randrange(50, 300)]}" for _ in range(2)]
    realistic += [words[rng.randrange(5, 50)] for _ in range(2)]
    realistic += [
        f"{specific()} is:unread",
        f"{words[100]} feed:r1",
        f"{specific()} after:2026-02-20",
        f"{words[10]} is:starred",
        f"{specific()} -{words[3]}",
    ]
    worst = [
        words[0],
        f'"{words[0]} {words[1]}"',
        f"{words[0]} {words[1]}",
        f"{words[0]} -{words[1]}",
        f"{words[0]} is:unread",
    ]
    return realistic, worst


def search_row(
    store: Store, user: int, name: str, queries: list[str], repeat: int
) -> tuple[str, str, str]:
    everything: list[float] = []
    worst = ("", 0.0)
    for query in queries:
        samples = timed(lambda q=query: store.search.search(user, q), repeat)
        everything += samples
        if pct(samples, 0.5) > worst[1]:
            worst = (query, pct(samples, 0.5))
    return (
        f"search, {name}, {len(queries)} queries",
        f"p50 {pct(everything, 0.5):.1f} ms, p99 {pct(everything, 0.99):.1f} ms",
        f"slowest p50: {worst[1]:.1f} ms ({worst[0]!r})",
    )


def run(kind: str, total: int, repeat: int) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    with database(kind) as new_url:
        plain = insert_compare(new_url(), with_index=False)
        indexed = insert_compare(new_url(), with_index=True)
        rows.append(
            (
                "insert, per entry (20k, no index → with index)",
                f"{plain:.3f} → {indexed:.3f} ms",
                f"index cost {indexed - plain:+.3f} ms/entry",
            )
        )
        text = Text(42)
        with Store.open(new_url()) as store:
            store.migrate()
            reader = store.users.add("reader", "x").id
            omnivore = store.users.add("omnivore", "x").id
            feed_ids: list[tuple[int, int]] = []  # (feed id, entries per check)
            for f in range(READER_FEEDS):
                sub = store.reading.subscribe(reader, f"https://r{f}.example/feed")
                feed_ids.append((sub.feed_id, READER_PER_FEED))
            others = (total - READER_FEEDS * READER_PER_FEED) // OTHER_PER_FEED
            for f in range(others):
                feed_ids.append((store.feeds.add(f"https://o{f}.example/feed").id, OTHER_PER_FEED))
            for feed_id, _ in feed_ids:
                store.reading.subscribe(omnivore, store.feeds.get(feed_id).url)
            spent, count = 0.0, 0
            titles: list[str] = []  # a sample, for phrases people remember
            for feed_id, n in feed_ids:
                batch = tuple(entry_data(text, f"{feed_id}-{i}", i * 3.0) for i in range(n))
                titles += [e.title for e in batch[::97]]
                spent += apply_entries(store, feed_id, batch)
                count += n
            rows.append(
                (
                    f"insert {count:,} entries via updates.apply",
                    f"{spent:.1f} s",
                    f"{spent * 1000 / count:.3f} ms/entry",
                )
            )
            # Mark a third of the reader's entries read, star a few.
            listed = store.reading.entries(reader, limit=500)
            store.reading.mark_read(reader, [e.id for e in listed[::3]])
            store.reading.star(reader, [e.id for e in listed[::50]])
            if kind == "postgresql":
                # Planner statistics, as autovacuum gathers them soon after such changes; taken
                # before the marks, they said the state rows were none, and the unread counts
                # compared every entry with every state row (26 ms instead of 3).
                with store.engine.begin() as conn:
                    conn.exec_driver_sql("ANALYZE")

            realistic, worst = search_queries(text, titles, random.Random(5))
            for name, user in (("reader (6k entries)", reader), ("omnivore (100k)", omnivore)):
                for kind_, queries in (("realistic", realistic), ("very common words", worst)):
                    rows.append(search_row(store, user, f"{name}, {kind_}", queries, repeat))
            for label, fn in (
                ("unread listing, 50 newest", lambda: store.reading.entries(reader, limit=50)),
                (
                    "unread listing, page 10",
                    lambda: store.reading.entries(reader, limit=50, offset=450),
                ),
                ("unread counts (sidebar)", lambda: store.reading.unread_counts(reader)),
                ("subscriptions with counts", lambda: store.reading.subscriptions(reader)),
                ("categories with counts", lambda: store.reading.categories(reader)),
            ):
                samples = timed(fn, repeat)
                rows.append(
                    (
                        f"{label}, reader 200 feeds/6k entries",
                        f"p50 {pct(samples, 0.5):.1f} ms",
                        f"p99 {pct(samples, 0.99):.1f} ms",
                    )
                )
            started = time.perf_counter()
            marked = store.reading.mark_all_read(reader, as_of=NOW)
            rows.append(
                (
                    "mark all read (reader)",
                    f"{(time.perf_counter() - started) * 1000:.0f} ms",
                    f"{marked:,} entries",
                )
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    for kind in ("sqlite", "postgresql"):
        if args.only and kind != args.only:
            continue
        rows = run(kind, args.entries, args.repeat)
        print(f"\n### {kind}\n")
        print("| measure | result | note |")
        print("|---|---|---|")
        for row in rows:
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
