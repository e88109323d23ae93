from __future__ import annotations

import pytest

from tidings.model import Category, Feed
from tidings.publish.opml import OPMLError, OPMLSubscription, parse_opml, write_opml

NESTED = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="News">
    <outline text="NATO" title="NATO News" type="rss" xmlUrl="https://nato.example/rss" htmlUrl="https://nato.example/"/>
    <outline text="Deep"><outline text="Inner" xmlUrl="https://inner.example/feed"/></outline>
  </outline>
  <outline text="Tech"><outline text="NATO again" xmlUrl="https://nato.example/rss"/></outline>
  <outline text="Loose" xmlURL="https://loose.example/atom"/>
  <outline text="folder without feeds"/>
</body></opml>"""


def test_nested_outlines_become_categories() -> None:
    assert parse_opml(NESTED) == [
        OPMLSubscription(
            "https://nato.example/rss", "NATO News", "https://nato.example/", ("News", "Tech")
        ),
        OPMLSubscription("https://inner.example/feed", "Inner", None, ("Deep",)),
        OPMLSubscription("https://loose.example/atom", "Loose", None, ()),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not well-formed"),
        (b"<opml><body>", "not well-formed"),
        (b"<rss/>", "not OPML"),
        (b"<opml version='2.0'><head/></opml>", "no <body>"),
        (b"\x00\xff garbage", "not well-formed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<opml><body><outline text="&e;" xmlUrl="http://a/"/></body></opml>',
            "external entity",  # never loaded: the file is refused
        ),
    ],
)
def test_bad_opml_is_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(OPMLError, match=message):
        parse_opml(data)


def test_write_then_read_round_trip() -> None:
    feeds = [
        Feed(id=1, url="https://a.example/feed", title="A & B", site_url="https://a.example/"),
        Feed(id=2, url="https://b.example/rss", feed_title="B's own"),
    ]
    cats = {1: [Category(1, "News")]}
    again = parse_opml(write_opml(feeds, cats))
    assert again == [
        OPMLSubscription("https://a.example/feed", "A & B", "https://a.example/", ("News",)),
        OPMLSubscription("https://b.example/rss", "B's own", None, ()),
    ]
