"""Several `tidings worker` processes on one PostgreSQL: each feed checked once, none lost.

The workers are real subprocesses (`python -m tidings worker`); the feeds come from a threaded
loopback server in this process that counts the requests per feed. The second test kills a
worker with SIGKILL while it is fetching and proves that its feeds are taken over by the others
once the lease expires, with nothing lost and nothing stored twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from pipeline_support import Doc, FeedServer, Item, RequestHandler, rss

from tidings.store import Store
from tidings.store.schema import entries, feeds, fetch_log

pytestmark = pytest.mark.slow

ITEMS_PER_FEED = 5
NOW = datetime.now(UTC).replace(microsecond=0)


def feed_document(n: int) -> Doc:
    items = [
        Item(f"feed{n}-item{i}", f"Item {i} of feed {n}", NOW - timedelta(hours=i + 1))
        for i in range(ITEMS_PER_FEED)
    ]
    return Doc(rss(items, title=f"Feed {n}"), etag=f'"{n}"')


@pytest.fixture
def pg_store(postgresql_url_clean: str) -> Iterator[Store]:
    """A Store on the run's PostgreSQL schema, every table emptied."""
    with Store.open(postgresql_url_clean) as store:
        yield store


class Workers:
    """`tidings worker` subprocesses; every one is stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, database_url: str, tmp_path: Path, lease_seconds: int) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
        self.env.update(
            TIDINGS_DATABASE_URL=database_url,
            TIDINGS_ALLOW_PRIVATE_NETWORKS="true",
            TIDINGS_PARSE_WORKERS="1",
            TIDINGS_DATA_DIR=str(tmp_path),
            TIDINGS_LEASE_SECONDS=str(lease_seconds),
            TIDINGS_PER_HOST_CONCURRENCY="2",
        )
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []
        self._logs: list[object] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"worker-{len(self.processes)}.log").open("wb")
        self._logs.append(log)
        process = subprocess.Popen(
            [sys.executable, "-m", "tidings", "worker"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def output(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.tmp_path.glob("worker-*.log"))
        )

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self._logs:
            log.close()  # type: ignore[attr-defined]


def wait_for(condition: Callable[[], bool], seconds: float, what: str, workers: Workers) -> None:
    """Poll `condition` until it holds; fail with the workers' logs after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}\n{workers.output()}")
        for process in workers.processes:
            exited = process.returncode is None and process.poll() is not None
            if exited and process.returncode != -signal.SIGKILL:
                pytest.fail(f"a worker exited with {process.returncode}\n{workers.output()}")
        time.sleep(0.1)  # a polling interval, not a wait for something to happen


def scalar(store: Store, query: sa.Select[tuple[int]]) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def unchecked(store: Store) -> int:
    return scalar(
        store, sa.select(sa.func.count()).select_from(feeds).where(feeds.c.checked_at.is_(None))
    )


def entry_counts(store: Store) -> tuple[int, int]:
    """(entries, distinct (feed_id, key) pairs)."""
    with store.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(entries)).scalar_one()
        pairs = sa.select(entries.c.feed_id, entries.c.key).distinct().subquery()
        distinct = conn.execute(sa.select(sa.func.count()).select_from(pairs)).scalar_one()
    return int(total), int(distinct)


def fetch_log_lines(store: Store) -> dict[int, int]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(fetch_log.c.feed_id, sa.func.count()).group_by(fetch_log.c.feed_id)
        ).all()
    return {row[0]: row[1] for row in rows}


def test_three_workers_check_each_of_300_feeds_exactly_once(
    pg_store: Store, postgresql_url_clean: str, tmp_path: Path
) -> None:
    count = 300
    with FeedServer() as server, Workers(postgresql_url_clean, tmp_path, 300) as workers:
        paths = [f"/w/{n}" for n in range(count)]
        for n, path in enumerate(paths):
            server.routes[path] = feed_document(n)
            pg_store.feeds.add(server.url(path))
        for _ in range(3):
            workers.start()

        wait_for(lambda: unchecked(pg_store) == 0, 60, "every feed to be checked", workers)

        assert sorted(server.counts.items()) == sorted((path, 1) for path in paths)
        assert sum(server.served.values()) == count
        total, distinct = entry_counts(pg_store)
        assert total == distinct == count * ITEMS_PER_FEED
        assert total == sum(server.served.values()) * ITEMS_PER_FEED
        assert sorted(fetch_log_lines(pg_store).values()) == [1] * count
        errors = scalar(
            pg_store,
            sa.select(sa.func.count()).select_from(feeds).where(feeds.c.last_error.is_not(None)),
        )
        assert errors == 0
        assert all(process.poll() is None for process in workers.processes)


def test_a_killed_workers_feeds_are_taken_over_after_its_lease_expires(
    pg_store: Store, postgresql_url_clean: str, tmp_path: Path
) -> None:
    count, lease = 40, 3
    slow = {"/k/10", "/k/11"}  # block until released: the victim is stuck mid-fetch on them
    release = threading.Event()
    entered: list[str] = []
    try:
        with FeedServer() as server, Workers(postgresql_url_clean, tmp_path, lease) as workers:
            paths = [f"/k/{n}" for n in range(count)]
            for n, path in enumerate(paths):
                server.routes[path] = feed_document(n)
            for path in slow:
                doc = server.routes[path]
                assert isinstance(doc, Doc)

                def blocking(request: RequestHandler, doc: Doc = doc, path: str = path) -> None:
                    entered.append(path)
                    release.wait(timeout=30)
                    request.serve_doc(doc)

                server.routes[path] = blocking
            ids = {path: pg_store.feeds.add(server.url(path)).id for path in paths}

            victim = workers.start()
            # The victim holds both of its per-host slots on the slow feeds, and everything it
            # fetched before them is stored: nothing moves until it dies.
            wait_for(
                lambda: (
                    len(entered) == len(slow)
                    and count - unchecked(pg_store) == sum(server.served.values())
                ),
                30,
                "the victim to be stuck on the slow feeds",
                workers,
            )
            stored_by_victim = {path for path in paths if server.counts[path] and path not in slow}
            with pg_store.engine.connect() as conn:
                leases = conn.execute(
                    sa.select(feeds.c.id, feeds.c.lease_until).where(
                        feeds.c.lease_owner.is_not(None)
                    )
                ).all()
            leased_ids = {row.id for row in leases}
            assert {ids[path] for path in slow} <= leased_ids
            assert stored_by_victim and len(leased_ids) > len(slow)  # some done, some pending
            lease_end = max(row.lease_until for row in leases).timestamp()

            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
            release.set()  # the slow feeds answer at once from now on
            workers.start()
            workers.start()

            wait_for(lambda: unchecked(pg_store) == 0, 40, "the survivors to take over", workers)
            # The survivors release nothing half-done: wait until no lease is left.
            wait_for(
                lambda: (
                    scalar(
                        pg_store,
                        sa.select(sa.func.count())
                        .select_from(feeds)
                        .where(feeds.c.lease_owner.is_not(None)),
                    )
                    == 0
                ),
                10,
                "every lease to be given back",
                workers,
            )

            for path in paths:
                expected = 2 if path in slow else 1  # a slow feed: the victim's try and the retry
                assert server.counts[path] == expected, path
            if path not in slow:  # the victim's slow answers may or may not have gone out
                assert server.served[path] == 1, path
                if ids[path] in leased_ids:
                    # taken over only once the dead worker's lease had expired
                    assert server.times[path][-1] >= lease_end - 0.05, path
            assert stored_by_victim.isdisjoint({p for p in paths if ids[p] in leased_ids})
            total, distinct = entry_counts(pg_store)
            assert total == distinct == count * ITEMS_PER_FEED
            assert sorted(fetch_log_lines(pg_store).values()) == [1] * count
    finally:
        release.set()  # no handler thread of the server may stay blocked
