"""A fast loopback feed server for benchmarks: asyncio, raw HTTP/1.1 with keep-alive.

    .venv/bin/python benchmarks/feedserver.py --feeds 1000 [--items 30] [--hosts 100]

Run it in its own process (the refresh benchmark does) so that serving does not steal the GIL of
the process being measured. It prints one line, `listening <port>`, then serves until killed.

Feed `i` is at http://127.0.0.<h>:<port>/feed/<i>.xml with h = 1 + i % hosts, so the feeds spread
over `hosts` loopback addresses the way real subscriptions spread over sites (clients limit
their concurrency per host). Each is an RSS 2.0 document of `items` items with realistic HTML
descriptions, an ETag and a Last-Modified; If-None-Match / If-Modified-Since give 304.

With `--docroot DIR` it also writes every feed to DIR/feed/<i>.xml (modified time = its
Last-Modified) and rewrites the files the control paths change, so that another web server
(benchmarks/refresh.py --server nginx) can serve them as static files with its own ETag and
Last-Modified; the control paths stay on this server's port.

Control paths (GET):
  /_control/bump?every=10   feeds 0, 10, 20 ... publish one new item (new ETag, new body)
  /_control/reset           every feed back to its first version
  /_control/stats           JSON: requests, 200s, 304s, bytes sent
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
from email.utils import formatdate
from html import escape
from pathlib import Path

WORDS = (  # noqa: SIM905
    "council budget harbour festival library transport housing school river market science "
    "report election museum bridge climate energy station garden season research hospital "
    "the of and to in on for with at by from as a new city plan year week"
).split()
BASE_TIME = 1_700_000_000  # item n is published BASE_TIME + n hours


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _description(rng: random.Random) -> str:
    """About 900 bytes of the HTML a CMS puts in a description (escaped into the XML later)."""
    parts = []
    for p in range(3):
        story = rng.randrange(10**6)
        link = f'<a href="https://news.example.org/story/{story}">{_sentence(rng, 4)}</a>'
        image = (
            f'<img src="https://cdn.example.org/img/{rng.randrange(10**6)}.jpg" alt="" '
            'width="640" height="360" style="max-width:100%">'
            if p == 0
            else ""
        )
        parts.append(
            f'<p class="lead">{image}{_sentence(rng, 18)} {link} <em>{_sentence(rng, 5)}</em> '
            f"<strong>{_sentence(rng, 3)}</strong></p>"
        )
    parts.append('<script>track("x")</script><div class="share"><a href="#">Share</a></div>')
    return "".join(parts)


class Feeds:
    """The documents: feed i at version v lists items v .. v+items-1, newest first."""

    def __init__(self, count: int, items: int, hosts: int) -> None:
        self.count = count
        self.items = items
        self.hosts = hosts
        self.versions = [0] * count
        rng = random.Random(42)
        # A pool of descriptions shared by all feeds: bodies are assembled per request, so even
        # 10,000 feeds cost the server little memory.
        self._descriptions = [escape(_description(rng)) for _ in range(257)]
        self._titles = [escape(_sentence(rng, 8)) for _ in range(251)]

    def etag(self, i: int) -> str:
        return f'"{i}-{self.versions[i]}"'

    def last_modified(self, i: int) -> str:
        return formatdate(BASE_TIME + self.versions[i] * 3600, usegmt=True)

    def body(self, i: int) -> bytes:
        v = self.versions[i]
        parts = [
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>Feed {i}</title><link>https://site{i}.example.org/</link>"
            f"<description>News of site {i}</description><language>en</language>"
        ]
        for n in range(v + self.items - 1, v - 1, -1):
            parts.append(
                f"<item><title>{self._titles[(i * 7 + n) % len(self._titles)]} ({n})</title>"
                f"<link>https://site{i}.example.org/{n}.html</link>"
                f'<guid isPermaLink="false">site{i}-item{n}</guid>'
                f"<pubDate>{formatdate(BASE_TIME + n * 3600, usegmt=True)}</pubDate>"
                f"<dc:creator>Author {n % 5}</dc:creator><category>news</category>"
                f"<description>{self._descriptions[(i * 31 + n) % len(self._descriptions)]}"
                "</description></item>"
            )
        parts.append("</channel></rss>")
        return "".join(parts).encode()


class Server:
    def __init__(self, feeds: Feeds, docroot: Path | None = None) -> None:
        self.feeds = feeds
        self.docroot = docroot
        if docroot is not None:
            (docroot / "feed").mkdir(parents=True, exist_ok=True)
            for i in range(feeds.count):
                self.write(i)
        self.stats = {"requests": 0, "ok": 0, "not_modified": 0, "bytes": 0}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                target = lines[0].split(" ")[1] if lines[0].count(" ") >= 2 else "/"
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                status, extra, body = self.answer(target, headers)
                reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
                out = [f"HTTP/1.1 {status} {reason}"]
                out += [f"{k}: {v}" for k, v in extra.items()]
                if status != 304:
                    out.append(f"Content-Length: {len(body)}")
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
                self.stats["bytes"] += len(body)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except ConnectionError:
            return
        finally:
            writer.close()

    def answer(self, target: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        path, _, query = target.partition("?")
        if path.startswith("/_control/"):
            return 200, {"Content-Type": "application/json"}, self.control(path, query)
        self.stats["requests"] += 1
        if not (path.startswith("/feed/") and path.endswith(".xml")):
            return 404, {"Content-Type": "text/plain"}, b"not found"
        try:
            i = int(path[len("/feed/") : -len(".xml")])
        except ValueError:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        if not 0 <= i < self.feeds.count:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        validators = {"ETag": self.feeds.etag(i), "Last-Modified": self.feeds.last_modified(i)}
        if headers.get("if-none-match") == validators["ETag"] or (
            "if-none-match" not in headers
            and headers.get("if-modified-since") == validators["Last-Modified"]
        ):
            self.stats["not_modified"] += 1
            return 304, validators, b""
        self.stats["ok"] += 1
        return 200, {"Content-Type": "application/rss+xml", **validators}, self.feeds.body(i)

    def write(self, i: int) -> None:
        """Feed i's current version as a static file whose mtime is its Last-Modified."""
        if self.docroot is None:
            return
        path = self.docroot / "feed" / f"{i}.xml"
        path.write_bytes(self.feeds.body(i))
        stamp = BASE_TIME + self.feeds.versions[i] * 3600
        os.utime(path, (stamp, stamp))

    def control(self, path: str, query: str) -> bytes:
        if path == "/_control/bump":
            every = int(dict(p.split("=", 1) for p in query.split("&") if "=" in p)["every"])
            bumped = 0
            for i in range(0, self.feeds.count, every):
                self.feeds.versions[i] += 1
                self.write(i)
                bumped += 1
            return json.dumps({"bumped": bumped}).encode()
        if path == "/_control/reset":
            changed = [i for i, v in enumerate(self.feeds.versions) if v]
            self.feeds.versions = [0] * self.feeds.count
            for i in changed:
                self.write(i)
            for key in self.stats:
                self.stats[key] = 0
            return b"{}"
        return json.dumps(self.stats).encode()


def host_of(i: int, hosts: int) -> str:
    return f"127.0.0.{1 + i % hosts}"


def _listen(hosts: int) -> list[socket.socket]:
    """One listening socket per loopback address, all on the same port."""
    for _attempt in range(20):
        sockets: list[socket.socket] = []
        try:
            for h in range(hosts):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                port = sockets[0].getsockname()[1] if sockets else 0
                sock.bind((f"127.0.0.{1 + h}", port))
                sock.listen(1024)
                sockets.append(sock)
            return sockets
        except OSError:
            for sock in sockets:
                sock.close()
    raise OSError("no port free on every loopback address")


async def serve(feeds: Feeds, docroot: Path | None) -> None:
    server = Server(feeds, docroot)
    sockets = _listen(feeds.hosts)
    servers = [await asyncio.start_server(server.handle, sock=sock) for sock in sockets]
    print(f"listening {sockets[0].getsockname()[1]}", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--docroot", type=Path, help="also write the feeds as files here")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(Feeds(args.feeds, args.items, min(args.hosts, 254)), args.docroot))


if __name__ == "__main__":
    main()
