"""A refresh holds a few large documents at once, however many feeds it fetches."""

from __future__ import annotations

import asyncio

import pytest

from support.live_server import serving_pages
from tidings.fetch import Fetcher, LargeBodies
from tidings.model import FeedToFetch

BIG = b"<rss version='2.0'><channel><title>" + b"x" * 50_000 + b"</title></channel></rss>"
SMALL = b"<rss version='2.0'><channel><title>small</title></channel></rss>"


@pytest.mark.timed
def test_a_large_body_waits_for_room_and_small_ones_do_not() -> None:
    pages = {
        "/big1": (200, "application/rss+xml", BIG),
        "/big2": (200, "application/rss+xml", BIG),
        "/small": (200, "application/rss+xml", SMALL),
    }
    with serving_pages(pages) as base:

        async def main() -> None:
            large = LargeBodies(1, threshold=10_000)
            async with Fetcher(allow_private_networks=True) as fetcher:
                first_room, second_room, small_room = large.room(), large.room(), large.room()
                first = await fetcher.fetch(FeedToFetch(1, base + "/big1"), first_room)
                assert first.body == BIG and first_room.held
                second = asyncio.create_task(
                    fetcher.fetch(FeedToFetch(2, base + "/big2"), second_room)
                )
                small = await fetcher.fetch(FeedToFetch(3, base + "/small"), small_room)
                assert small.body == SMALL and not small_room.held  # small bodies pass
                done, _ = await asyncio.wait([second], timeout=0.5)
                assert not done  # no room: the second large body waits, unread
                first_room.release()
                result = await asyncio.wait_for(second, 30)
                assert result.body == BIG and result.error is None and second_room.held
                assert result.elapsed < 0.5  # the wait is not counted as the server's time
                second_room.release()

        asyncio.run(main())


def test_release_is_safe_when_nothing_was_held() -> None:
    async def main() -> None:
        large = LargeBodies(1)
        room = large.room()
        room.release()
        await room.acquire()
        room.release()
        room.release()
        other = large.room()
        await asyncio.wait_for(other.acquire(), 1)  # the slot came back exactly once

    asyncio.run(main())
