"""What saved searches cost the reader's sidebar: its unread counts with 0, 10 and 50 saved
searches over 100,000 stored entries, on both databases.

    .venv/bin/python benchmarks/saved_searches.py [--entries 100000] [--runs 20]
        [--databases sqlite,postgresql]

The entries are those of benchmarks/rules.py's preview (1,000 feeds, one user subscribed to all,
titles and texts drawn from ten words). The sidebar is `store.reading.sidebar` (feeds and
categories with unread counts) plus `store.saved_searches.of_user` (each saved search's unread
count, read up to 1,000 rows), after ANALYZE. Half the saved searches are words that match a
tenth or more of the entries (counts at the cap), half phrases and filters that match few.
Prints a Markdown table: p50 and p95 of the sidebar without and with saved searches.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scratch import POSTGRES, scratch_database  # noqa: E402

from rules import WORDS, fill_for_preview  # noqa: E402
from tidings.store import Store  # noqa: E402
from tidings.store.schema import saved_searches  # noqa: E402

QUERIES = [
    *WORDS,  # each in about half the entries' texts: the count stops at the cap
    *(f'"{a} {b}" -{c}' for a, b, c in zip(WORDS, WORDS[1:], WORDS[2:], strict=False)),
    '"city plan" is:unread',
    "festival after:2020-01-01",
]


def timed(work: Callable[[], object], runs: int) -> list[float]:
    """The sorted times of `runs` calls of `work`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return sorted(times)


def sidebar_times(store: Store, user_id: int, runs: int) -> tuple[list[float], list[float]]:
    """The times of the sidebar's feeds and categories, and of its saved searches."""
    side = timed(lambda: store.reading.sidebar(user_id), runs)
    saved = timed(lambda: store.saved_searches.of_user(user_id), runs)
    return side, saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    server = os.environ.get("TIDINGS_BENCH_POSTGRES_URL", POSTGRES)
    print(
        f"{args.entries:,} stored entries in 1,000 feeds, one user; {args.runs} runs; "
        f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}",
        file=sys.stderr,
    )
    print(
        "| database | saved searches | sidebar p50 ms | p95 ms | of which saved searches p50 ms |"
    )
    print("|---|---:|---:|---:|---:|")
    for database in args.databases.split(","):
        with scratch_database(server if database == "postgresql" else None, "bench_saved") as url:
            store = Store.open(url)
            store.migrate()
            user_id = fill_for_preview(store, 1000, args.entries // 1000)
            # Statistics as a running site has them (autovacuum; SQLite's optimize): without
            # them PostgreSQL reads the whole GIN bitmap of a common word once per feed.
            with store.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
            for count in (0, 10, 50):
                with store.engine.begin() as conn:
                    conn.execute(saved_searches.delete())
                for n in range(count):
                    # Alternate broad and narrow searches, so 10 has five of each.
                    query = (
                        QUERIES[(n // 2) % len(WORDS)]
                        if n % 2 == 0
                        else QUERIES[len(WORDS) + (n // 2) % (len(QUERIES) - len(WORDS))]
                    )
                    store.saved_searches.create(user_id, f"search {n}", query)
                side, saved = sidebar_times(store, user_id, args.runs)
                total = [a + b for a, b in zip(side, saved, strict=True)]
                print(
                    f"| {database} | {count} | {statistics.median(total) * 1000:.0f} "
                    f"| {total[int(0.95 * (len(total) - 1))] * 1000:.0f} "
                    f"| {statistics.median(saved) * 1000:.0f} |",
                    flush=True,
                )
            store.close()


if __name__ == "__main__":
    main()
