"""While a running server parses hostile documents, its web pages keep answering quickly.

The first parses after a start used to run in a thread of `tidings serve`, holding the GIL: a
180 KB feed froze every page for 17 seconds. Now every parse runs in a parse process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from support.live_server import free_port, serving_pages, wait_for
from tidings.store import Store

RSS = "application/rss+xml"
HEAD = "<rss version='2.0'><channel><title>hostile</title>"


def item(guid: str, description: str) -> str:
    return (
        f"<item><guid>{guid}</guid><title>t</title><description>{description}</description></item>"
    )


def hostile_documents() -> dict[str, tuple[int, str, bytes]]:
    paragraph = "<p>Some <b>bold</b> text and <a href='/x'>a link</a>.</p>"
    big = paragraph * (9_800_000 // len(paragraph))
    documents = {
        "/big": HEAD + item("big", f"<![CDATA[{big}]]>"),
        "/cdata": HEAD + item("c", "<![CDATA[x" * 20_000),
        "/comments": HEAD + item("c", "<!--x" * 20_000),
        "/deep": HEAD + item("d", "<![CDATA[" + "<li><blockquote>" * 16_000 + "]]>"),
    }
    return {path: (200, RSS, body.encode()) for path, body in documents.items()}


@pytest.fixture
def serve_process(
    database_url: str, tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    env.update(
        TIDINGS_DATABASE_URL=database_url,
        TIDINGS_DATA_DIR=str(tmp_path / "data"),
        TIDINGS_ALLOW_PRIVATE_NETWORKS="true",
    )
    port = free_port()
    command = [sys.executable, "-m", "tidings", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def server(serve_process: tuple[str, subprocess.Popen[bytes]]) -> str:
    return serve_process[0]


def children(pid: int) -> list[int]:
    """Return the pids of the processes `pid` started (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def gone(pid: int) -> bool:
    """Return True when no process `pid` runs (a zombie awaiting its reaper counts)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status or "\nState:\tX" in status


def poll(condition: Callable[[], bool], seconds: float) -> bool:
    """Return True once `condition()` holds, False when `seconds` pass first."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)  # a poll interval, not a wait for work
    return True


@pytest.mark.slow
def test_the_parse_processes_of_a_killed_server_exit(
    serve_process: tuple[str, subprocess.Popen[bytes]], store: Store
) -> None:
    base_url, process = serve_process
    assert wait_for(base_url + "/", time.monotonic() + 60).status_code == 200
    pages = {"/feed": (200, RSS, (HEAD + item("a", "x") + "</channel></rss>").encode())}
    with serving_pages(pages) as base:
        feed = store.feeds.add(base + "/feed")  # its parse starts the parse processes
        assert poll(lambda: store.feeds.get(feed.id).checked_at is not None, 60)
    parsers = children(process.pid)
    assert parsers, "serve started no parse process"
    process.kill()  # SIGKILL: nothing of serve's clean-up runs
    process.wait(timeout=10)
    assert poll(lambda: all(gone(pid) for pid in parsers), 30), "parse processes outlived serve"


@pytest.mark.slow
@pytest.mark.timed
def test_pages_answer_quickly_while_hostile_feeds_are_parsed(server: str, store: Store) -> None:
    assert wait_for(server + "/", time.monotonic() + 60).status_code == 200
    with httpx.Client(base_url=server, timeout=10) as client:
        for _ in range(5):  # templates compiled, connections open
            client.get("/")
        with serving_pages(hostile_documents()) as base:
            feeds = [store.feeds.add(base + path) for path in hostile_documents()]
            times: list[float] = []
            deadline = time.monotonic() + 120
            while True:
                checked = [store.feeds.get(feed.id).checked_at for feed in feeds]
                if all(checked) or time.monotonic() > deadline:
                    break
                started = time.perf_counter()
                assert client.get("/").status_code == 200
                times.append(time.perf_counter() - started)
    assert all(checked), "the refresher did not check every hostile feed in time"
    assert len(times) >= 10, "the feeds were checked before anything could be measured"
    times.sort()
    slowest, p99 = times[-1], times[len(times) * 99 // 100]
    summary = f"{len(times)} pages: p99 {p99 * 1000:.0f} ms, slowest {slowest * 1000:.0f} ms"
    # One page in a hundred may lose the CPU to the parse processes, this test's own threads
    # and other test runs on a small machine (a slowest page of 324 ms was seen with two suites
    # running at once); a parse inside the server held pages for seconds (over 10 s before the
    # parse processes). So: p99 under 100 ms, and no page anywhere near a parse's length.
    assert p99 < 0.1, summary
    assert slowest < 1.0, summary
    for feed in feeds:
        assert not store.feeds.get(feed.id).last_error
