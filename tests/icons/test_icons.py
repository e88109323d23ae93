"""Icons: discovery over link tags (pure, table-driven) and fetching from loopback servers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

import tidings.icons.refresher as refresher_module
from support.entries import apply_check
from support.live_server import Page, serving_pages
from tidings.config import Settings
from tidings.fetch import Fetcher
from tidings.icons import MAX_ICON_BYTES, Icon, find_icon, icon_candidates
from tidings.icons.refresher import refresh_icons
from tidings.store import Store

BASE = "https://site.example/blog/"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("", ["https://site.example/favicon.ico"]),
        (
            '<link rel="icon" href="/i.png">',
            ["https://site.example/i.png", "https://site.example/favicon.ico"],
        ),
        (
            '<link rel="apple-touch-icon" href="t.png"><link rel="Shortcut Icon" href="s.ico">',
            [
                "https://site.example/blog/s.ico",
                "https://site.example/blog/t.png",
                "https://site.example/favicon.ico",
            ],
        ),
        (
            '<link rel="stylesheet" href="a.css"><link rel="icon" href="javascript:x()">'
            '<link rel="icon" href="data:image/png;base64,AA">'
            '<link rel="icon" href="/favicon.ico">',
            ["https://site.example/favicon.ico"],
        ),
        (
            "".join(f'<link rel="icon" href="/{i}.png">' for i in range(9)),
            [f"https://site.example/{i}.png" for i in range(4)],
        ),
    ],
)
def test_icon_candidates(head: str, expected: list[str]) -> None:
    page = f"<html><head>{head}</head><body>x</body></html>".encode()
    assert icon_candidates(page, BASE) == expected


def test_candidates_without_a_page() -> None:
    assert icon_candidates(None, BASE) == ["https://site.example/favicon.ico"]
    assert icon_candidates(b"\x00\xff garbage", BASE) == ["https://site.example/favicon.ico"]


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40
ICO = b"\x00\x00\x01\x00\x01\x00" + b"\0" * 40


def fetch_icon(pages: dict[str, Page]) -> tuple[Icon | None, str]:
    with serving_pages(pages) as base:

        async def main() -> Icon | None:
            async with Fetcher(allow_private_networks=True) as fetcher:
                return await find_icon(fetcher, base + "/")

        return asyncio.run(main()), base


def page(head: str) -> Page:
    return (200, "text/html", f"<html><head>{head}</head></html>".encode())


def test_the_link_tag_icon_is_fetched_and_sniffed() -> None:
    icon, base = fetch_icon(
        {"/": page('<link rel="icon" href="/i.png">'), "/i.png": (200, "image/x-icon", PNG)}
    )
    assert icon == Icon(url=base + "/i.png", mime_type="image/png", data=PNG)


def test_favicon_ico_when_the_page_names_none() -> None:
    icon, _ = fetch_icon({"/": page(""), "/favicon.ico": (200, "image/x-icon", ICO)})
    assert icon is not None and icon.mime_type == "image/x-icon"


def test_no_icon_anywhere_is_none() -> None:
    assert fetch_icon({"/": page('<link rel="icon" href="/gone.png">')})[0] is None
    assert fetch_icon({})[0] is None  # not even the page


def test_wrong_types_are_skipped_for_the_next_candidate() -> None:
    icon, base = fetch_icon(
        {
            "/": page('<link rel="icon" href="/fake.png"><link rel="icon" href="/real.png">'),
            "/fake.png": (200, "image/png", b"<!DOCTYPE html><html>login page</html>"),
            "/real.png": (200, "image/png", PNG),
        }
    )
    assert icon is not None and icon.url == base + "/real.png"


def test_huge_icons_are_refused() -> None:
    huge = PNG + b"\0" * MAX_ICON_BYTES
    icon, base = fetch_icon(
        {
            "/": page('<link rel="icon" href="/huge.png">'),
            "/huge.png": (200, "image/png", huge),
            "/favicon.ico": (200, "image/x-icon", ICO),
        }
    )
    assert icon is not None and icon.url == base + "/favicon.ico"


def test_a_round_stores_icons_and_nones_for_due_feeds(store: Store) -> None:
    now = datetime.now(UTC)
    pages: dict[str, Page] = {
        "/with/": page('<link rel="icon" href="/with/i.png">'),
        "/with/i.png": (200, "image/png", PNG),
    }
    with serving_pages(pages) as base:
        found = store.feeds.add(base + "/with/feed", now=now)
        apply_check(store, found.id, (), now=now, site_url=base + "/with/")
        missing = store.feeds.add(base + "/without/feed", now=now)
        apply_check(store, missing.id, (), now=now, site_url=base + "/without/")

        async def main() -> int:
            async with Fetcher(allow_private_networks=True) as fetcher:
                return await refresh_icons(store, fetcher, now=now)

        assert asyncio.run(main()) == 2
    icon = store.icons.of_feed(found.id)
    assert icon is not None and icon.data == PNG
    assert store.icons.of_feed(missing.id) is None
    assert store.icons.due(now, timedelta(days=30)) == []  # both looked at: none due


def test_a_failing_round_does_not_end_the_icon_loop(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database error in one round (the pool exhausted, say) is logged and the loop goes on:
    it runs in the server's background task group, and an error ending it ended the refresher."""
    rounds: list[int] = []

    async def flaky(*args: object, **kwargs: object) -> int:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("QueuePool limit of size 10 overflow 10 reached")
        return 0

    monkeypatch.setattr(refresher_module, "refresh_icons", flaky)
    monkeypatch.setattr(refresher_module, "PAUSE", 0.01)

    async def run() -> None:
        task = asyncio.create_task(refresher_module.run_icons(store, Settings()))
        deadline = asyncio.get_running_loop().time() + 10
        while len(rounds) < 3 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert len(rounds) >= 3
