"""The reader's players: the entry page's audio resumes where the reader stopped, the place is
saved by POST /reader/enclosures/{id}/progression (SQLite and PostgreSQL; another reader's
enclosure is 404), and in Chromium: key d shows the full article, the audio (a WAV from a
loopback server) plays, the place is saved and a reload resumes there."""

from __future__ import annotations

import io
import math
import time
import wave
from collections.abc import Iterator
from datetime import UTC, datetime

import lxml.html
import pytest
from starlette.testclient import TestClient

from reader_ui.helpers import PASSWORD, post, user
from support.browser import chromium, keys_ready, new_page, require_chromium, sign_in, wait_until
from support.decoys import make_decoys
from support.entries import apply_check
from support.fixtures import live_store as live_store
from support.live_server import LiveServer, serving, serving_pages
from tidings.config import Settings
from tidings.model import Enclosure, EntryData
from tidings.reading.enclosures import enclosure_id
from tidings.store import Store
from tidings.web.app import create_app

HTML = "text/html; charset=utf-8"
ARTICLE = (
    b"<html><head><title>Owls</title></head><body><article>"
    + b"<p>Tawny owls call at night to keep their territory through the winter.</p>" * 6
    + b"</article></body></html>"
)


def tone_wav(seconds: int = 30, rate: int = 8000) -> bytes:
    """A quiet 440 Hz tone, 8-bit mono: a small valid WAV any browser plays."""
    frames = bytes(
        128 + int(20 * math.sin(2 * math.pi * 440 * n / rate)) for n in range(seconds * rate)
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(1)
        file.setframerate(rate)
        file.writeframes(frames)
    return out.getvalue()


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    pages = {"/owls": (200, HTML, ARTICLE), "/owls.wav": (200, "audio/wav", tone_wav())}
    with serving_pages(pages, ranges=True) as base:
        yield base


@pytest.fixture
def settings() -> Settings:
    """Loopback allowed: the article's server is on 127.0.0.1."""
    return Settings(secret_key="k", site_name="Test News", allow_private_networks=True)


def _episode(store: Store, user_id: int, origin: str) -> int:
    """An entry of the user's with the WAV as its enclosure (and a picture); gives its id."""
    sub = store.reading.subscribe(user_id, "https://owls.example/feed")
    now = datetime.now(UTC)
    data = EntryData(
        key="ep",
        title="Owls at night",
        link=f"{origin}/owls",
        content="<p>Teaser</p>",
        content_hash="h",
        enclosures=(
            Enclosure(f"{origin}/owls.wav", "audio/wav", 240_044, 30),
            Enclosure(f"{origin}/owls.jpg", "image/jpeg"),
        ),
    )
    apply_check(store, sub.feed_id, (data,), now=now, checked_at=now, fetched=None)
    [entry] = store.entries.newest(feed_id=sub.feed_id, include_private=True)
    return entry.id


def test_the_entry_page_names_the_place_and_saves_it(
    ann_client: TestClient, ann: int, store: Store, origin: str
) -> None:
    entry_id = _episode(store, ann, origin)
    the_id = enclosure_id(entry_id, 0)
    tree = lxml.html.fromstring(ann_client.get(f"/reader/entries/{entry_id}").text)
    [player] = tree.xpath("//audio")
    assert player.get("data-enclosure") == str(the_id) and player.get("data-position") == "0"
    caption = " ".join(tree.xpath("//figure[@class='enclosure']")[0].text_content().split())
    assert caption == "Attachment: audio/wav · 0.2 MB · 0:30"

    done = post(ann_client, f"/reader/enclosures/{the_id}/progression", {"seconds": "12.7"})
    assert done.status_code == 200 and done.json() == {"id": the_id, "media_progression": 12}
    assert store.media_progressions.of_entries(ann, [entry_id]) == {entry_id: {0: 12}}
    tree = lxml.html.fromstring(ann_client.get(f"/reader/entries/{entry_id}").text)
    assert tree.xpath("//audio/@data-position") == ["12"]


def test_bad_places_and_forms_are_refused(
    ann_client: TestClient, ann: int, store: Store, origin: str
) -> None:
    the_id = enclosure_id(_episode(store, ann, origin), 0)
    path = f"/reader/enclosures/{the_id}/progression"
    for seconds in ("-1", "soon", "nan", "1e30", ""):
        assert post(ann_client, path, {"seconds": seconds}).status_code == 400, seconds
    no_token = ann_client.post(path, data={"seconds": "5"}, follow_redirects=False)
    assert no_token.status_code == 403
    assert store.media_progressions.of_entries(ann, [the_id // 64]) == {}


def test_another_readers_enclosure_is_404_and_untouched(
    ann_client: TestClient, ann: int, bob: int, store: Store, origin: str
) -> None:
    entry_id = _episode(store, bob, origin)
    assert len({entry_id, enclosure_id(entry_id, 0), ann, bob}) == 4
    for position in (0, 1, 2):
        path = f"/reader/enclosures/{enclosure_id(entry_id, position)}/progression"
        assert post(ann_client, path, {"seconds": "5"}).status_code == 404
    by_entry_id = f"/reader/enclosures/{entry_id}/progression"
    assert post(ann_client, by_entry_id, {"seconds": "5"}).status_code == 404
    assert store.media_progressions.of_entries(bob, [entry_id]) == {}


def _poll(check: object, what: str, seconds: float = 15.0) -> None:
    """Wait until `check()` is true; fail naming `what` past the deadline."""
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)  # a poll interval, not a wait for something to happen


@pytest.mark.browser
def test_the_player_plays_saves_and_resumes(live_store: Store, origin: str) -> None:
    from playwright.sync_api import expect

    require_chromium()
    settings = Settings(secret_key="browser test", allow_private_networks=True)
    make_decoys(live_store)
    ann = user(live_store, "ann")
    entry_id = _episode(live_store, ann, origin)
    problems: list[str] = []
    with (
        serving(create_app(settings, live_store)) as live,
        chromium("--autoplay-policy=no-user-gesture-required") as browser,
    ):
        assert isinstance(live, LiveServer)
        page = new_page(browser, problems, viewport={"width": 1200, "height": 900})
        sign_in(page, live.url + f"/login?next=/reader/entries/{entry_id}", "ann", PASSWORD)
        expect(page.locator(".entry-body")).to_contain_text("Teaser")
        keys_ready(page)
        page.keyboard.press("d")
        # The article is fetched and extracted in a parse process, which may be starting.
        expect(page.locator(".entry-body")).to_contain_text(
            "Tawny owls call at night", timeout=15_000
        )

        audio = page.locator("audio[data-enclosure]")
        expect(audio).to_have_attribute("data-position", "0")
        audio.evaluate("a => { a.muted = true; return a.play(); }")
        playing = "() => { const a = document.querySelector('audio'); return a.currentTime > 2; }"
        wait_until(page, playing, timeout=15)
        audio.evaluate("a => a.pause()")  # a pause saves the place
        saved = live_store.media_progressions.of_entries
        _poll(lambda: saved(ann, [entry_id]).get(entry_id, {}).get(0, 0) >= 2, "the saved place")
        place = saved(ann, [entry_id])[entry_id][0]

        page.reload()
        expect(audio).to_have_attribute("data-position", str(place))
        started = audio.evaluate(
            """a => new Promise(done => {
                a.addEventListener("playing", () => done(a.currentTime), { once: true });
                a.muted = true;
                a.play();
            })"""
        )
        assert started >= place - 0.5, (started, place)  # resumed, not from the start
    assert problems == []
