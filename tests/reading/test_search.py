"""Full-text search on both databases: ranking, snippets, the query syntax, the refresh path."""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import timedelta

import pytest

from reading.world import NOW, World, data
from tidings.model import FeedUpdate
from tidings.search_query import SearchQuery, SearchQueryError, parse_search_query
from tidings.store import search as search_module
from tidings.store.search import fts5_match, marked_html
from tidings.store.updates import Retention


def keys(world: World, query: str, user_id: int | None = None) -> list[str]:
    hits = world.store.search.search(world.ann if user_id is None else user_id, query)
    return [h.entry.entry.key for h in hits]


@pytest.fixture
def library(world: World) -> World:
    """Ann's two feeds, one in her category Tech; Bob follows the second one too."""
    rust = world.feed(world.ann, "https://e.org/rust", title="Rust Blog", categories=["Tech"])
    misc = world.feed(world.ann, "https://e.org/misc")
    world.feed(world.bob, "https://e.org/misc")
    world.refresh(
        rust,
        [
            data("title-hit", "Memory safety in Rust", content="<p>A long essay.</p>", days_ago=5),
            data(
                "body-hit",
                "Weekly notes",
                content="<p>Some words about <strong>memory</strong> and safety and rust.</p>",
                days_ago=1,
            ),
            data("unsafe", "Unsafe Rust", summary="Rust without memory safety.", days_ago=40),
        ],
    )
    world.refresh(
        misc,
        [
            data("gardening", "Tomatoes", content="<p>Grow tomatoes &amp; basil.</p>"),
            data("phrase", "Phrase test", content="<p>safety memory rust</p>", days_ago=2),
        ],
    )
    return world


def test_a_title_match_ranks_above_a_body_only_match(library: World) -> None:
    hits = library.store.search.search(library.ann, "memory safety")
    ranked = [h.entry.entry.key for h in hits]
    assert ranked[0] == "title-hit"
    assert ranked.index("title-hit") < ranked.index("body-hit")
    assert hits[0].rank >= hits[-1].rank
    assert set(ranked) == {"title-hit", "body-hit", "unsafe", "phrase"}


def test_snippets_highlight_matches_as_escaped_html(library: World) -> None:
    (hit,) = library.store.search.search(library.ann, "basil")
    assert hit.title_html == "Tomatoes"
    assert "<mark>basil</mark>" in hit.snippet_html
    assert "&amp;" in hit.snippet_html  # the text's "&", escaped once; no tags from the HTML
    assert "<p>" not in hit.snippet_html and "strong" not in hit.snippet_html
    (essay,) = library.store.search.search(library.ann, "essay")
    assert "long <mark>essay</mark>" in essay.snippet_html
    best = library.store.search.search(library.ann, "memory")[0]
    assert "<mark>Memory</mark>" in best.title_html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rust", ["body-hit", "phrase", "title-hit", "unsafe"]),
        ('"memory safety"', ["title-hit", "unsafe"]),
        ('"safety memory"', ["phrase"]),
        ("rust -unsafe", ["body-hit", "phrase", "title-hit"]),
        ('rust -"memory safety"', ["body-hit", "phrase"]),
        ("rust feed:blog", ["body-hit", "title-hit", "unsafe"]),  # Ann's own title, any case
        ("rust category:tech", ["body-hit", "title-hit", "unsafe"]),
        ("rust category:nope", []),
        ("rust feed:nothing", []),
        ("rust after:2026-02-27", ["body-hit", "phrase"]),
        ("rust before:2026-02-01", ["unsafe"]),
        ("rust after:2026-02-01 before:2026-02-27", ["title-hit"]),
        ("tomatoes is:unread", ["gardening"]),
        ("tomatoes is:read", []),
        ("tomatoes is:starred", []),
        ("TOMATOES", ["gardening"]),
        ("nowhere", []),
        ('"rust" "', None),  # malformed
    ],
)
def test_query_syntax(library: World, query: str, expected: list[str] | None) -> None:
    if expected is None:
        with pytest.raises(SearchQueryError):
            keys(library, query)
    else:
        assert sorted(keys(library, query)) == expected


def test_feed_filter_by_id_and_state_filters(library: World) -> None:
    store = library.store
    misc = next(s.feed_id for s in store.reading.subscriptions(library.ann) if s.title is None)
    assert sorted(keys(library, f"rust feed:{misc}")) == ["phrase"]
    (tomatoes,) = store.search.search(library.ann, "tomatoes")
    store.reading.mark_read(library.ann, [tomatoes.entry.id])
    store.reading.star(library.ann, [tomatoes.entry.id])
    assert keys(library, "tomatoes is:read is:starred") == ["gardening"]
    assert keys(library, "tomatoes is:unread") == []
    (hit,) = store.search.search(library.ann, "tomatoes")
    assert hit.entry.read and hit.entry.starred
    assert keys(library, "tomatoes is:unread", library.bob) == ["gardening"]  # Bob's own state


def test_quotes_and_fts_syntax_in_user_input_are_only_text(library: World) -> None:
    for query in ['rust" OR "x', "NEAR(rust memory)", "rust*", "title:rust", "^rust", "rust AND"]:
        with contextlib.suppress(SearchQueryError):  # a clear refusal is fine, not a DB error
            library.store.search.search(library.ann, query)
    assert fts5_match(parse_search_query('x -"c d"')) == '("x") NOT "c d"'
    assert fts5_match(SearchQuery(words=('a"b', "OR"))) == '"a""b" AND "OR"'


def test_entries_from_the_refresh_path_are_searchable_at_once(world: World) -> None:
    feed = world.feed(world.ann, "https://e.org/f")
    world.refresh(feed, [data("k", "Quarterly report", content="<p>zebras everywhere</p>")])
    assert keys(world, "zebras") == ["k"]
    world.refresh(
        feed,
        changed=[data("k", "Quarterly report", content="<p>giraffes now</p>")],
        now=NOW + timedelta(hours=1),
    )
    assert keys(world, "giraffes") == ["k"]
    assert keys(world, "zebras") == []
    world.store.feeds.remove(feed)
    assert keys(world, "giraffes") == []
    assert keys(world, "quarterly") == []


MARKUP = (
    '<p><img src="https://cdn.imgpile.example/photo/1.jpg" alt="" width="640" loading="lazy">'
    'Harbour council <a href="https://news.example.org/story/7" rel="noopener noreferrer">'
    "approves</a> the <strong>budget</strong>.</p><ul><li>alpha</li><li>omega</li></ul>"
)


@pytest.mark.parametrize(
    "word",
    ["noopener", "noreferrer", "lazy", "loading", "href", "src", "img", "imgpile", "story", "640"],
)
def test_words_of_the_markup_match_nothing(world: World, word: str) -> None:
    feed = world.feed(world.ann, "https://e.org/markup")
    world.refresh(
        feed,
        [
            data("linked", "Harbour news", content=MARKUP),
            data("summary", "Summary only", summary=MARKUP.replace("Harbour", "Market")),
        ],
    )
    assert keys(world, word) == []
    # The text around the markup still matches, in content and in summary.
    assert sorted(keys(world, "approves budget")) == ["linked", "summary"]
    assert sorted(keys(world, "omega")) == ["linked", "summary"]  # not "alphaomega"
    assert keys(world, "market") == ["summary"]


def test_updated_and_discarded_entries_follow_the_index(world: World) -> None:
    feed = world.feed(world.ann, "https://e.org/changes")
    old = '<p>zebras <a href="https://oldhost.example/" rel="noopener noreferrer">here</a></p>'
    new = '<p>giraffes <img src="https://newhost.example/g.jpg" alt="" loading="lazy"> now</p>'
    world.refresh(feed, [data("k", "Report", content=old), data("other", "Other", days_ago=0)])
    assert keys(world, "zebras") == ["k"]
    world.refresh(feed, changed=[data("k", "Report", content=new)], now=NOW + timedelta(hours=1))
    assert keys(world, "giraffes") == ["k"]
    assert keys(world, "zebras") == keys(world, "oldhost") == keys(world, "newhost") == []
    # Retention removes the entry (older than the cut, no longer in the document).
    checked = dataclasses.replace(world.store.feeds.get(feed), checked_at=NOW)
    world.store.updates.apply(
        FeedUpdate(feed=checked, seen_keys=("other",)),
        owner=None,
        now=NOW + timedelta(hours=2),
        retention=Retention(discard_before=NOW - timedelta(hours=12)),
    )
    assert [e.key for e in world.store.entries.newest(feed_id=feed, include_private=True)] == [
        "other"
    ]
    assert keys(world, "giraffes") == keys(world, "report") == []
    assert keys(world, "other") == ["other"]


def test_text_that_looks_like_markup_is_shown_escaped_once(world: World) -> None:
    feed = world.feed(world.ann, "https://e.org/xss")
    world.refresh(
        feed,
        [
            data(
                "x",
                "<b>Bold</b> claims",  # a title is text already
                content="<p>The xylophonist wrote &lt;script&gt;alert(1)&lt;/script&gt; "
                "and Tom &amp;amp; Jerry.</p>",
            )
        ],
    )
    (hit,) = world.store.search.search(world.ann, "xylophonist")
    assert "<mark>xylophonist</mark>" in hit.snippet_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hit.snippet_html
    assert "<script" not in hit.snippet_html and "&amp;lt;" not in hit.snippet_html
    assert "Tom &amp;amp; Jerry" in hit.snippet_html  # the text "&amp;", escaped once
    (titled,) = world.store.search.search(world.ann, "claims")
    assert titled.title_html == "&lt;b&gt;Bold&lt;/b&gt; <mark>claims</mark>"


def test_paging_and_limits(library: World) -> None:
    first = keys(library, "rust")
    page = library.store.search.search(library.ann, "rust", limit=2, offset=2)
    assert [h.entry.entry.key for h in page] == first[2:4]
    assert library.store.search.search(library.ann, "rust", limit=0) == []


def test_marked_html_drops_tags_and_balances_marks() -> None:
    assert marked_html("…ref='x'>a \x02b\x03 <em>c</em> <a hr", markup=True) == "a <mark>b</mark> c"
    assert marked_html("<b>\x02x</b>", markup=False) == "&lt;b&gt;x&lt;/b&gt;"
    assert marked_html('<a href="\x02x\x03">y</a>', markup=True) == "y"
    assert marked_html("\x02x", markup=True) == "x"


@pytest.fixture(params=["join", "id-set"])
def capped(world: World, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> World:
    """At most 3 candidates ranked; on SQLite both ways of restricting to the user's entries
    (join each match, or check it against the set of the user's ids)."""
    monkeypatch.setattr(search_module, "CANDIDATES", 3)
    monkeypatch.setattr(search_module, "NARROW_SHARE", 0.0 if request.param == "join" else 2.0)
    news = world.feed(world.ann, "https://e.org/news", title="News")
    other = world.feed(world.bob, "https://e.org/bob-only")
    for key, title, content, days_ago in [  # oldest first: the order the index sees them
        ("old-title", "Common ground", "<p>the common case</p>", 9.0),
        ("a", "Alpha", "<p>common words</p>", 3.0),
        ("b", "Beta", "<p>common ground rules</p>", 2.0),
        ("c", "Gamma", "<p>nothing common</p>", 1.0),
        ("d", "Common sense", "<p>common sense, common</p>", 0.5),
    ]:
        world.refresh(news, [data(key, title, content=content, days_ago=days_ago)])
    # Newer matches in a feed Ann does not follow: not hers, so they take no candidate place.
    world.refresh(
        other, [data(f"bob{i}", "Common", content="<p>common</p>", days_ago=0.1) for i in range(4)]
    )
    return world


def test_a_very_common_word_ranks_its_newest_matches(capped: World) -> None:
    hits = capped.store.search.search(capped.ann, "common")
    assert hits[0].entry.entry.key == "d"  # the title match among the newest 3
    assert sorted(h.entry.entry.key for h in hits) == ["b", "c", "d"]  # not "old-title"
    assert hits[0].rank >= hits[1].rank >= hits[2].rank
    assert "<mark>Common</mark>" in hits[0].title_html
    assert sorted(keys(capped, "common feed:news")) == ["b", "c", "d"]
    assert sorted(keys(capped, "common", capped.bob)) == ["bob1", "bob2", "bob3"]
    page = capped.store.search.search(capped.ann, "common", limit=2, offset=1)
    assert [h.entry.entry.key for h in page] == [h.entry.entry.key for h in hits][1:3]


def test_capped_phrases_and_exclusions_rank_fewer_matches_in_full(capped: World) -> None:
    assert sorted(keys(capped, '"common ground"')) == ["b", "old-title"]  # 2 matches: all
    assert sorted(keys(capped, "common -ground")) == ["a", "c", "d"]
    assert keys(capped, '"common ground" -rules') == ["old-title"]
    assert keys(capped, "alpha") == ["a"]  # a specific word finds old entries
    assert keys(capped, "common is:starred") == []


def test_the_full_article_is_searchable_and_forgotten_with_it(library: World) -> None:
    store = library.store
    [garden] = [
        e for e in store.entries.newest(limit=50, include_private=True) if e.key == "gardening"
    ]
    assert keys(library, "zucchini") == []
    store.entries.set_full_content(garden.id, "<p>Plant <b>zucchini</b> after the frosts.</p>")
    [hit] = store.search.search(library.ann, "zucchini")
    assert hit.entry.entry.key == "gardening"
    assert "<mark>zucchini</mark>" in hit.snippet_html
    assert store.entries.get(garden.id).content == "<p>Grow tomatoes &amp; basil.</p>"
    store.entries.set_full_content(garden.id, None)
    assert keys(library, "zucchini") == []
