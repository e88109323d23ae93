"""The media proxy route: signed URLs only, the network guard, media types only, size limits;
and the rewrite of entry images on the public pages under the media_proxy setting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import lxml.html
import pytest
from starlette.testclient import TestClient

from support.entries import apply_check
from support.live_server import Page, serving_pages
from tidings.config import Settings
from tidings.media import ProxySigner
from tidings.model import Enclosure, EntryData
from tidings.store import Store
from tidings.web.media_proxy import MAX_PROXY_BYTES

SECRET = "test secret key"
PNG = b"\x89PNG\r\n\x1a\n" + b"\6" * 30
PAGES: dict[str, Page] = {
    "/i.png": (200, "image/png", PNG),
    "/page.html": (200, "text/html", b"<html>not media</html>"),
    "/fake.png": (200, "image/png", b"<html>a page calling itself an image</html>"),
    "/a.wav": (200, "audio/wav", b"RIFF\0\0\0\0WAVEfmt "),
    "/huge.png": (200, "image/png", PNG + b"\0" * MAX_PROXY_BYTES),
}


@pytest.fixture
def media_server() -> Iterator[str]:
    with serving_pages(PAGES) as base:
        yield base


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Settings:
    """Loopback allowed (the media server is one), unless parametrized with False."""
    allow: bool = getattr(request, "param", True)
    return Settings(secret_key=SECRET, site_name="Test News", allow_private_networks=allow)


def path(url: str) -> str:
    return ProxySigner(SECRET).path(url)


def test_a_signed_image_is_served_with_cache_headers(client: TestClient, media_server: str) -> None:
    response = client.get(path(media_server + "/i.png"))
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "max-age" in response.headers["cache-control"]
    audio = client.get(path(media_server + "/a.wav"))
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"


def test_forged_and_replayed_signatures_are_refused(client: TestClient, media_server: str) -> None:
    good = path(media_server + "/i.png")
    signature = good.split("/")[2]
    other = path(media_server + "/page.html").split("/")[3]
    assert client.get(f"/proxy/{signature}/{other}").status_code == 403
    assert client.get(f"/proxy/AAAA/{good.split('/')[3]}").status_code == 403
    forged = ProxySigner("another key").path(media_server + "/i.png")
    assert client.get(forged).status_code == 403


def test_non_media_and_huge_bodies_are_refused(client: TestClient, media_server: str) -> None:
    assert client.get(path(media_server + "/page.html")).status_code == 415
    assert client.get(path(media_server + "/fake.png")).status_code == 415
    assert client.get(path(media_server + "/huge.png")).status_code == 502


@pytest.mark.parametrize("settings", [False], indirect=True)
def test_ssrf_through_the_proxy_is_refused(client: TestClient, media_server: str) -> None:
    response = client.get(path(media_server + "/i.png"))
    assert response.status_code == 502 and PNG not in response.content


def test_public_pages_proxy_insecure_images_by_default(client: TestClient, store: Store) -> None:
    now = datetime.now(UTC)
    feed = store.feeds.add("https://img.example/feed", now=now)
    content = '<p>x</p><img src="http://img.example/a.png"><img src="https://img.example/b.png">'
    apply_check(
        store,
        feed.id,
        (EntryData(key="k", title="T", content=content, published_at=now, content_hash="h"),),
        now=now,
    )
    sources = lxml.html.fromstring(client.get(f"/sources/{feed.id}").text)
    srcs = sources.xpath("//div[@class='entry-body']//img/@src")
    assert srcs == [path("http://img.example/a.png"), "https://img.example/b.png"]


def test_public_pages_play_enclosures(client: TestClient, store: Store) -> None:
    now = datetime.now(UTC)
    feed = store.feeds.add("https://pod.example/feed", now=now)
    episode = EntryData(
        key="ep",
        title="Episode",
        summary="<p>Show notes</p>",
        published_at=now,
        content_hash="e",
        enclosures=(
            Enclosure("https://pod.example/ep.mp3", "audio/mpeg", 12_500_000, 2537),
            Enclosure("https://pod.example/ep.mp4", "video/mp4"),
            Enclosure("https://pod.example/ep.pdf", "application/pdf"),
            Enclosure("javascript:alert(1)", "audio/mpeg"),
        ),
    )
    apply_check(store, feed.id, (episode,), now=now)
    for page in ("/", f"/sources/{feed.id}"):
        tree = lxml.html.fromstring(client.get(page).text)
        assert tree.xpath("//audio/@src") == ["https://pod.example/ep.mp3"]
        assert tree.xpath("//video/@src") == ["https://pod.example/ep.mp4"]
        captions = [c.text_content() for c in tree.xpath("//figure[@class='enclosure']")]
        assert len(captions) == 3
        assert " ".join(captions[0].split()) == "Attachment: audio/mpeg · 12.5 MB · 42:17"
        # The public pages save no place: the players name no enclosure.
        assert not tree.xpath("//audio/@data-enclosure")
        assert "application/pdf" in captions[2] and "javascript" not in client.get(page).text
