"""Refresh N loopback feeds with tidings and with `reader`, three ways, and print a Markdown table.

    .venv/bin/python benchmarks/refresh.py [--feeds 1000] [--engines tidings,reader]
    .venv/bin/python benchmarks/refresh.py --memory-feeds 10000     # tidings' peak RSS only
    .venv/bin/python benchmarks/refresh.py --feeds 300 --profile    # cProfile of tidings' phases
    .venv/bin/python benchmarks/refresh.py --server nginx           # feeds served by nginx

The feeds come from benchmarks/feedserver.py, started in a process of its own (so serving does not
steal the measured process's GIL), spread over 100 loopback addresses, 30 items each with HTML
descriptions, ETag and Last-Modified. With `--server nginx` the same documents are static files
that Debian's nginx (`apt-get install nginx-light`) serves in processes of its own, with the ETag
and Last-Modified it derives from the files (a bump rewrites a file). Each engine runs in a
fresh subprocess on a fresh SQLite file (`tidings-pg` in `--engines`: a fresh schema on the
PostgreSQL server that TIDINGS_BENCH_POSTGRES_URL names, by default the local test database), so
its CPU time (self + reaped children) and peak RSS (self, largest child) are its own:

1. first: every feed is new;
2. forced 304: every feed is checked again and answers 304 (`tidings refresh --all`; reader's
   `update_feeds(scheduled=False)`);
3. 10% new: every feed is checked again, one in ten has one new item (the others answer 304).

tidings runs as `tidings refresh` does: one Refresher per phase with the default settings
(parse_workers=0: one parse process per core), except allow_private_networks. reader (PyPI
`reader`, with `sgmllib3k`) runs `update_feeds(workers=8)`; its rows are skipped with a note when
it is not installed. It is a benchmark dependency only: `.venv/bin/pip install reader sgmllib3k`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PHASES = ("first (all new)", "forced, all 304", "10% one new item")
EVERY = 10  # phase 3: one feed in EVERY publishes an item


# --- the feed server process ------------------------------------------------------------------


@contextlib.contextmanager
def feed_server(feeds: int, items: int, hosts: int, server: str) -> Iterator[tuple[int, int]]:
    """Start the feeds' web server; give (feeds' port, control port); stop it at the end.

    "python": benchmarks/feedserver.py serves the feeds and the control paths on one port.
    "nginx": feedserver.py writes the feeds as files (and rewrites them on /_control/bump) and
    Debian's nginx, in processes of its own, serves them with its own ETag and Last-Modified.
    """
    with contextlib.ExitStack() as stack:
        docroot = None
        if server == "nginx":
            docroot = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-www-")))
            docroot.chmod(0o755)  # nginx's workers run as another user
        control_port = stack.enter_context(_feedserver(feeds, items, hosts, docroot))
        if docroot is None:
            yield control_port, control_port
        else:
            yield stack.enter_context(_nginx(docroot, hosts)), control_port


@contextlib.contextmanager
def _feedserver(feeds: int, items: int, hosts: int, docroot: Path | None) -> Iterator[int]:
    command = [
        sys.executable,
        str(HERE / "feedserver.py"),
        f"--feeds={feeds}",
        f"--items={items}",
        f"--hosts={hosts}",
    ]
    if docroot is not None:
        command.append(f"--docroot={docroot}")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("listening "):
            raise RuntimeError(f"the feed server did not start: {line!r}")
        yield int(line.split()[1])
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


NGINX_CONF = """daemon off;
worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    types {{ application/rss+xml xml; }}
    keepalive_requests 100000;
    client_body_temp_path {root}/tmp;
    proxy_temp_path {root}/tmp;
    fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp;
    scgi_temp_path {root}/tmp;
    server {{
{listen}
        root {docroot};
    }}
}}
"""


@contextlib.contextmanager
def _nginx(docroot: Path, hosts: int) -> Iterator[int]:
    """Debian's nginx (`apt-get install nginx-light`) serving docroot on `hosts` loopback
    addresses; give its port."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("--server nginx needs nginx: apt-get install -y nginx-light")
    with socket.socket() as probe:  # a port free on 127.0.0.1, most likely free on the others
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = docroot.parent / f"{docroot.name}-nginx"
    (root / "tmp").mkdir(parents=True)
    listen = "\n".join(f"        listen 127.0.0.{1 + h}:{port};" for h in range(hosts))
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(root=root, docroot=docroot, listen=listen))
    process = subprocess.Popen([nginx, "-p", str(root), "-c", str(conf)])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.{hosts}:{port}/feed/0.xml") as r:
                    r.read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"nginx did not start: {(root / 'error.log').read_text()}"
                    ) from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def control(port: int, command: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_control/{command}", timeout=30) as r:
        return json.loads(r.read())  # type: ignore[no-any-return]


def feed_urls(port: int, feeds: int, hosts: int) -> list[str]:
    return [f"http://127.0.0.{1 + i % hosts}:{port}/feed/{i}.xml" for i in range(feeds)]


# --- measuring --------------------------------------------------------------------------------


def cpu_seconds(usage: resource.struct_rusage) -> float:
    """Return the user and system CPU seconds of a `resource.getrusage` result."""
    return usage.ru_utime + usage.ru_stime


def _pss_kb(pid: int | str) -> int:
    """Proportional set size: shared pages split between the processes sharing them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as status:
            for line in status:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children() -> list[str]:
    pids: list[str] = []
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            pids += (task / "children").read_text().split()
    return pids


class RssSampler:
    """Samples the memory (PSS) of this process plus its children every 250 ms (Linux /proc).

    ru_maxrss of children is no use here: a child started by fork+exec keeps the high-water
    mark of the parent it was forked from.
    """

    def __init__(self) -> None:
        self.peak_total_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        # Every 250 ms: reading smaps_rollup walks each process's memory map, and at every 50 ms
        # the sampler took ~5% of the first refresh's wall from the process it measures (the
        # GIL, and kernel time on the two cores), more for tidings, whose parse processes it
        # reads too, than for reader. The peaks read are the same.
        while not self._stop.wait(0.25):
            total = _pss_kb("self") + sum(_pss_kb(pid) for pid in _children())
            self.peak_total_kb = max(self.peak_total_kb, total)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(name: str, work: Callable[[], tuple[int, int]]) -> dict[str, Any]:
    """Run `work` (gives feeds checked, new entries) and give its wall, CPU and peak RSS."""
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with RssSampler() as sampler:
        feeds, new = work()
    wall = time.perf_counter() - started
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "phase": name,
        "feeds": feeds,
        "new": new,
        "wall": wall,
        "cpu_self": cpu_seconds(self1) - cpu_seconds(self0),
        "cpu_children": cpu_seconds(children1) - cpu_seconds(children0),
        "rss_self_mb": self1.ru_maxrss / 1024,
        "rss_total_mb": sampler.peak_total_kb / 1024,
    }


# --- the engines (each runs in a subprocess of its own) ---------------------------------------


def run_tidings(
    urls: list[str], port: int, workdir: Path, phases: int, profile: bool
) -> list[dict[str, Any]]:
    """tidings on SQLite."""
    return _run_tidings(f"sqlite:///{workdir / 'tidings.db'}", urls, port, workdir, phases, profile)


def run_tidings_pg(
    urls: list[str], port: int, workdir: Path, phases: int, profile: bool
) -> list[dict[str, Any]]:
    """tidings on a scratch schema of the PostgreSQL server TIDINGS_BENCH_POSTGRES_URL names."""
    from scratch import POSTGRES, scratch_database

    server = os.environ.get("TIDINGS_BENCH_POSTGRES_URL", POSTGRES)
    with scratch_database(server, "bench_refresh") as url:
        return _run_tidings(url, urls, port, workdir, phases, profile)


def _run_tidings(
    url: str, urls: list[str], port: int, workdir: Path, phases: int, profile: bool
) -> list[dict[str, Any]]:
    import sqlalchemy as sa

    from tidings.config import load_settings
    from tidings.refresh.run import Refresher
    from tidings.store import Store
    from tidings.store.schema import feeds

    store = Store.open(url)
    store.migrate()
    now = datetime.now(UTC)
    with store.engine.begin() as conn:  # subscribing is not what is measured
        conn.execute(
            sa.insert(feeds), [{"url": u, "created_at": now, "next_check_at": now} for u in urls]
        )
    settings = load_settings(environ={}, allow_private_networks=True, data_dir=str(workdir))

    thread_profiles: list[tuple[str, cProfile.Profile]] = []
    if profile:
        # Profile the db and parse threads too (parse in a thread, not a process, to see it).
        from concurrent.futures import ThreadPoolExecutor

        import tidings.refresh.run as run_module

        def start_profile() -> None:
            profiler = cProfile.Profile()
            thread_profiles.append((threading.current_thread().name.split("_")[0], profiler))
            profiler.enable()

        class ProfiledPool(ThreadPoolExecutor):
            def __init__(self, max_workers: int, thread_name_prefix: str = "") -> None:
                super().__init__(max_workers, thread_name_prefix, initializer=start_profile)

        run_module.ThreadPoolExecutor = ProfiledPool  # type: ignore[misc]
        settings = load_settings(
            environ={}, allow_private_networks=True, data_dir=str(workdir), parse_workers=1
        )

    def refresh() -> tuple[int, int]:
        async def run() -> tuple[int, int]:
            async with Refresher(store, settings) as refresher:
                summary = await refresher.refresh_due()
            return summary.feeds, summary.new_entries

        if not profile:
            return asyncio.run(run())
        thread_profiles.clear()
        main_profile = cProfile.Profile()
        result = main_profile.runcall(asyncio.run, run())
        groups: dict[str, list[cProfile.Profile]] = {"main thread": [main_profile]}
        for name, profiler in thread_profiles:
            groups.setdefault(name, []).append(profiler)
        for name, profilers in groups.items():
            out = io.StringIO()
            stats = pstats.Stats(*profilers, stream=out).strip_dirs()
            print(f"===== {name}: by own time", file=out)
            stats.sort_stats("tottime").print_stats(20)
            print(f"===== {name}: by cumulative time", file=out)
            stats.sort_stats("cumulative").print_stats(30)
            print(out.getvalue(), file=sys.stderr)
        return result

    rows = [measure(PHASES[0], refresh)]
    if phases > 1:
        store.feeds.schedule_now()
        rows.append(measure(PHASES[1], refresh))
    if phases > 2:
        control(port, f"bump?every={EVERY}")
        store.feeds.schedule_now()
        rows.append(measure(PHASES[2], refresh))
    store.close()
    return rows


def run_reader(
    urls: list[str], port: int, workdir: Path, phases: int, profile: bool
) -> list[dict[str, Any]]:
    from reader import make_reader

    reader = make_reader(str(workdir / "reader.sqlite"))
    for url in urls:
        reader.add_feed(url)

    def update() -> tuple[int, int]:
        feeds = new = 0
        for result in reader.update_feeds_iter(workers=8, scheduled=False):
            feeds += 1
            if result.updated_feed is not None:
                new += result.updated_feed.new
        return feeds, new

    rows = [measure(PHASES[0], update)]
    if phases > 1:
        rows.append(measure(PHASES[1], update))
    if phases > 2:
        control(port, f"bump?every={EVERY}")
        rows.append(measure(PHASES[2], update))
    reader.close()
    return rows


ENGINES: dict[str, Callable[[list[str], int, Path, int, bool], list[dict[str, Any]]]] = {
    "tidings": run_tidings,
    "tidings-pg": run_tidings_pg,
    "reader": run_reader,
}


def run_engine_subprocess(
    engine: str,
    ports: tuple[int, int],
    feeds: int,
    hosts: int,
    phases: int,
    profile: bool,
) -> list[dict[str, Any]] | str:
    """Run one engine's phases in a fresh interpreter; its rows, or why it could not run."""
    port, control_port = ports
    control(control_port, "reset")
    with tempfile.TemporaryDirectory(prefix=f"bench-{engine}-") as workdir:
        command = [
            sys.executable,
            __file__,
            f"--run-engine={engine}",
            f"--port={port}",
            f"--control-port={control_port}",
            f"--feeds={feeds}",
            f"--hosts={hosts}",
            f"--phases={phases}",
            f"--workdir={workdir}",
        ]
        if profile:
            command.append("--profile")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.stderr and (profile or done.returncode):
        print(done.stderr, file=sys.stderr)
    if done.returncode == 3:
        return done.stdout.strip()
    if done.returncode:
        raise RuntimeError(f"{engine} failed (exit {done.returncode})")
    rows: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return rows


# --- the report -------------------------------------------------------------------------------


def table(results: dict[str, list[dict[str, Any]] | str], feeds: int) -> str:
    lines = [
        f"| phase ({feeds} feeds) | engine | wall s | feeds/s | new entries | entries/s "
        "| CPU s (self + children) | peak MB: RSS self / PSS with children | speed-up |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    by_engine = {name: rows for name, rows in results.items() if isinstance(rows, list)}
    for name, rows in results.items():
        if isinstance(rows, str):
            notes.append(f"{name} skipped: {rows}")
    for index, phase in enumerate(PHASES):
        base = by_engine.get("reader")
        for name, rows in by_engine.items():
            if index >= len(rows):
                continue
            row = rows[index]
            speedup = ""
            if name != "reader" and base and index < len(base):
                speedup = f"{base[index]['wall'] / row['wall']:.1f}x"
            lines.append(
                f"| {phase} | {name} | {row['wall']:.2f} | {row['feeds'] / row['wall']:.0f} "
                f"| {row['new']} | {row['new'] / row['wall']:.0f} "
                f"| {row['cpu_self'] + row['cpu_children']:.1f} "
                f"({row['cpu_self']:.1f} + {row['cpu_children']:.1f}) "
                f"| {row['rss_self_mb']:.0f} / {row['rss_total_mb']:.0f} | {speedup} |"
            )
    return "\n".join([*lines, "", *notes])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--hosts", type=int, default=100, help="loopback addresses (sites)")
    parser.add_argument("--engines", default="tidings,reader")
    parser.add_argument("--memory-feeds", type=int, default=0, help="tidings' peak RSS at N feeds")
    parser.add_argument("--profile", action="store_true", help="cProfile tidings' main process")
    parser.add_argument("--phases", type=int, default=3, help=argparse.SUPPRESS)
    parser.add_argument("--run-engine", help=argparse.SUPPRESS)
    parser.add_argument(
        "--server",
        choices=("python", "nginx"),
        default="python",
        help="who serves the feeds: benchmarks/feedserver.py, or Debian's nginx (static files)",
    )
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--control-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if not args.run_engine:
        # tidings' bytecode, as a user's Python caches it after a first run (where
        # PYTHONDONTWRITEBYTECODE is set, each engine process and parse process compiled the
        # modules it imports during the first refresh; reader's bytecode pip wrote at install).
        import compileall

        import tidings

        compileall.compile_dir(Path(tidings.__file__).parent, quiet=1)
    if args.run_engine:  # inside the engine's subprocess
        if args.run_engine == "reader":
            try:
                import reader  # noqa: F401
            except ImportError as exc:
                print(f"reader is not importable ({exc}); pip install reader sgmllib3k")
                sys.exit(3)
        urls = feed_urls(args.port, args.feeds, args.hosts)
        rows = ENGINES[args.run_engine](
            urls, args.control_port, Path(args.workdir), args.phases, args.profile
        )
        print(json.dumps(rows))
        return

    feeds = args.memory_feeds or args.feeds
    engines = ["tidings"] if args.memory_feeds else args.engines.split(",")
    phases = 2 if args.memory_feeds else args.phases
    print(
        f"{feeds} feeds x {args.items} items on {args.hosts} loopback hosts served by "
        f"{args.server}; "
        f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}",
        file=sys.stderr,
    )
    results: dict[str, list[dict[str, Any]] | str] = {}
    with feed_server(feeds, args.items, args.hosts, args.server) as ports:
        for engine in engines:
            results[engine] = run_engine_subprocess(
                engine, ports, feeds, args.hosts, phases, args.profile
            )
    print(table(results, feeds))
    if args.memory_feeds and isinstance(results["tidings"], list):
        peak = max(r["rss_self_mb"] for r in results["tidings"])
        total = max(r["rss_total_mb"] for r in results["tidings"])
        print(
            f"\ntidings peak RSS at {feeds} feeds: main process {peak:.0f} MB "
            f"({'meets' if peak < 200 else 'MISSES'} < 200), with its parse processes "
            f"{total:.0f} MB PSS ({'meets' if total < 200 else 'MISSES'} < 200)"
        )


if __name__ == "__main__":
    main()
