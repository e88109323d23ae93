"""The media proxy streams: a player's byte range goes to the media's server and its 206 comes
back (seeking works), bytes pass on before the file has all arrived, and a file that passes the
limit while streaming is cut off. Loopback servers play the media's hosts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from starlette.testclient import TestClient

from support.fixtures import live_store as live_store
from support.live_server import HOST, serving, serving_pages
from tidings.config import Settings
from tidings.media import ProxySigner
from tidings.store import Store
from tidings.web import media_proxy
from tidings.web.app import create_app
from tidings.web.media_proxy import TooLarge

SECRET = "stream test key"
AUDIO = bytes(range(256)) * 400  # 102,400 bytes
PNG = b"\x89PNG\r\n\x1a\n" + b"\7" * 5000


def path(url: str) -> str:
    return ProxySigner(SECRET).path(url)


@pytest.fixture
def app_client(live_store: Store) -> Iterator[TestClient]:
    """The site over SQLite (the proxy stores nothing), loopback allowed."""
    settings = Settings(secret_key=SECRET, allow_private_networks=True)
    with TestClient(create_app(settings, live_store)) as client:
        yield client


@pytest.fixture
def seen() -> list[dict[str, str]]:
    return []


@pytest.fixture
def host(seen: list[dict[str, str]]) -> Iterator[str]:
    pages = {"/ep.mp3": (200, "audio/mpeg", AUDIO), "/i.png": (200, "image/png", PNG)}
    with serving_pages(pages, ranges=True, requests=seen) as base:
        yield base


def test_a_range_goes_to_the_server_and_its_206_comes_back(
    app_client: TestClient, host: str, seen: list[dict[str, str]]
) -> None:
    got = app_client.get(path(host + "/ep.mp3"), headers={"Range": "bytes=1000-1999"})
    assert got.status_code == 206 and got.content == AUDIO[1000:2000]
    assert got.headers["content-range"] == f"bytes 1000-1999/{len(AUDIO)}"
    assert got.headers["accept-ranges"] == "bytes"
    assert got.headers["content-type"] == "audio/mpeg"
    assert got.headers["content-length"] == "1000"
    assert seen[-1]["range"] == "bytes=1000-1999"
    assert seen[-1]["accept-encoding"] == "identity"  # a range of the file, not of a gzip

    whole = app_client.get(path(host + "/ep.mp3"))
    assert whole.status_code == 200 and whole.content == AUDIO
    assert whole.headers["accept-ranges"] == "bytes" and "range" not in seen[-1]
    # Several ranges at once (a multipart answer) are not forwarded: the whole file comes.
    several = app_client.get(path(host + "/ep.mp3"), headers={"Range": "bytes=0-1,5-6"})
    assert several.status_code == 200 and "range" not in seen[-1]


def test_images_are_sniffed_from_their_start_only(app_client: TestClient, host: str) -> None:
    start = app_client.get(path(host + "/i.png"), headers={"Range": "bytes=0-"})
    assert start.status_code == 206 and start.content == PNG
    assert start.headers["content-type"] == "image/png"
    middle = app_client.get(path(host + "/i.png"), headers={"Range": "bytes=100-"})
    assert middle.status_code == 415


def test_a_file_announced_over_the_limit_is_refused(
    app_client: TestClient, host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media_proxy, "MAX_PROXY_BYTES", 50_000)
    # The total in Content-Range counts, not the size of the range asked for.
    ranged = app_client.get(path(host + "/ep.mp3"), headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 502
    assert app_client.get(path(host + "/ep.mp3")).status_code == 502


class _Trickle(BaseHTTPRequestHandler):
    """Sends its body in two halves, close-delimited (no Content-Length): the second only once
    `release` is set (or after 10 s), and `size` bytes in all."""

    release = threading.Event()
    second_sent = threading.Event()
    size = 2 * 30_000

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.end_headers()
        half = b"\1" * (self.size // 2)
        try:
            self.wfile.write(half)
            self.wfile.flush()
            self.release.wait(10)
            self.second_sent.set()
            self.wfile.write(half)
        except ConnectionError:
            pass  # the proxy hung up (a file past its limit)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def trickle() -> Iterator[str]:
    _Trickle.release = threading.Event()
    _Trickle.second_sent = threading.Event()
    httpd = ThreadingHTTPServer((HOST, 0), _Trickle)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{httpd.server_address[1]}"
    finally:
        _Trickle.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_bytes_pass_before_the_file_has_arrived(live_store: Store, trickle: str) -> None:
    settings = Settings(secret_key=SECRET, allow_private_networks=True)
    with serving(create_app(settings, live_store)) as live:
        url = live.url + path(trickle + "/slow.mp3")
        with httpx.stream("GET", url, timeout=20) as response:
            assert response.status_code == 200
            pieces = response.iter_bytes()
            first = next(pieces)
            # The media's server holds its second half until the first has reached us.
            assert first and not _Trickle.second_sent.is_set()
            _Trickle.release.set()
            rest = b"".join(pieces)
    assert len(first) + len(rest) == _Trickle.size


def test_a_file_that_passes_the_limit_while_streaming_is_cut_off(
    app_client: TestClient, trickle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media_proxy, "MAX_PROXY_BYTES", 40_000)
    _Trickle.release.set()
    with pytest.raises(TooLarge):
        app_client.get(path(trickle + "/big.mp3"))


class _Redirects(BaseHTTPRequestHandler):
    """/hop/N redirects to /hop/N-1 and /hop/0 to the audio; /loop redirects to itself."""

    def do_GET(self) -> None:
        if self.path.startswith("/hop/"):
            left = int(self.path.removeprefix("/hop/"))
            self.send_response(302)
            self.send_header("Location", f"/hop/{left - 1}" if left else "/ep.mp3")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(301)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(AUDIO)))
            self.end_headers()
            self.wfile.write(AUDIO)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_redirects_are_followed_within_bounds(app_client: TestClient) -> None:
    httpd = ThreadingHTTPServer((HOST, 0), _Redirects)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://{HOST}:{httpd.server_address[1]}"
    try:
        followed = app_client.get(path(base + "/hop/2"))
        assert followed.status_code == 200 and followed.content == AUDIO
        assert app_client.get(path(base + "/hop/9")).status_code == 502  # more than 5
        looped = app_client.get(path(base + "/loop"))
        assert looped.status_code == 502 and "loop" in looped.text
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class _Drip(BaseHTTPRequestHandler):
    """An "image" whose bytes come one every 0.1 s: each within the fetcher's idle timeout."""

    stop = threading.Event()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        try:
            for byte in PNG:
                if self.stop.wait(0.1):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        except ConnectionError:
            pass  # the proxy gave up

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.timed
def test_an_image_whose_start_drips_is_refused_at_the_deadline(live_store: Store) -> None:
    """The sniff read its 4 KB with only the time between chunks bounded: a byte every half
    second held a proxy request for half an hour. Now its start has `fetch_timeout`."""
    _Drip.stop = threading.Event()
    httpd = ThreadingHTTPServer((HOST, 0), _Drip)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    settings = Settings(secret_key=SECRET, allow_private_networks=True, fetch_timeout=1.0)
    try:
        with TestClient(create_app(settings, live_store)) as client:
            started = time.perf_counter()
            got = client.get(path(f"http://{HOST}:{httpd.server_address[1]}/drip.png"))
            spent = time.perf_counter() - started
    finally:
        _Drip.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
    assert got.status_code == 504
    assert "too slowly" in got.text
    assert spent < 5  # the 5,008 bytes would have taken 500 s
