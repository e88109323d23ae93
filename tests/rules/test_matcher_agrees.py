"""The query language's two compilers agree: for generated entries and generated queries, the
SQL conditions (store.search.match_conditions, through the reading service's EntryFilter) select
exactly the entries the in-memory matcher (tidings.rules.matcher) accepts, on both databases.

The text is ASCII words of a small vocabulary with spaces and punctuation: the range where the
full-text engines and the matcher's tokenizer are meant to agree (docs/rules.md says where they
differ: diacritics and hyphenated words on PostgreSQL).
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from reading.world import NOW, World
from tidings.model import EntryData
from tidings.reading.filters import EntryFilter
from tidings.rules.matcher import (
    EntryFacts,
    compile_matcher,
    needle_part,
    needle_text,
    needles,
)
from tidings.search_query import SearchQueryError, parse_query
from tidings.store.schema import (
    entries,
    entry_labels,
    entry_states,
    feeds,
    subscription_categories,
    subscriptions,
    user_categories,
)

VOCABULARY = ["rust", "python", "sale", "Release", "news", "sale2", "Memory", "x86", "go", "on"]
PATTERNS = [
    r"^r",
    r"sa+le",
    r"\bnews\b",
    r"[0-9]+",
    r"(rust|python)",
    r"e$",
    r"\w+\s\w+",
    r"R[a-z]{2,4}e",
    r"[^a-z ]",
    r"\.",
    r"^$",
    r"go.on",
    r"Rele?ase",
    r"news+",
    r"sale2*",
]
AUTHORS = ["Ann Lee", "bob", "", "Release Bot"]
LABELS = ["later", "work", "Later"]


def sentence(rng: random.Random, most: int) -> str:
    """Words of the vocabulary, then "zz": PostgreSQL indexes title, summary and content as one
    text, so a phrase can run from the end of one into the next there (not on SQLite, nor in the
    matcher); a word outside the vocabulary at each end keeps generated phrases from it."""
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(0, most))]
    return ("".join(w + rng.choice([" ", ", ", ". ", "!\n"]) for w in words) + "zz").strip()


def build(world: World, rng: random.Random) -> list[int]:
    """Two subscribed feeds (one in a category, one renamed) of 40 generated entries each, some
    read, starred or labelled; the ids of the user's entries."""
    store, ann = world.store, world.ann
    first = world.feed(ann, "https://one.example/feed", categories=["Tech"])
    second = world.feed(ann, "https://two.example/feed", title="Rust weekly")
    ids: list[int] = []
    for feed_id in (first, second):
        items = []
        for n in range(40):
            summary = f"<p>{sentence(rng, 8)}</p>" if rng.random() < 0.7 else None
            content = (
                f"<div><b>{sentence(rng, 12)}</b> &amp; more</div>" if rng.random() < 0.5 else None
            )
            items.append(
                EntryData(
                    key=f"{feed_id}-{n}",
                    title=sentence(rng, 5),
                    link=f"https://site.example/{rng.choice(VOCABULARY)}/{n}",
                    author=rng.choice(AUTHORS) or None,
                    summary=summary,
                    content=content,
                    published_at=NOW - timedelta(days=rng.randint(0, 30)),
                    content_hash=f"h{n}",
                )
            )
        ids += world.refresh(feed_id, items)
    store.reading.mark_read(ann, [i for i in ids if rng.random() < 0.3])
    store.reading.star(ann, [i for i in ids if rng.random() < 0.2])
    with store.engine.begin() as conn:
        rows = [
            {"user_id": ann, "entry_id": i, "label": label}
            for i in ids
            for label in LABELS
            if rng.random() < 0.2
        ]
        conn.execute(entry_labels.insert(), rows)
    return ids


def facts_of(world: World) -> list[EntryFacts]:
    """What the matcher knows of each of Ann's entries, read back from the database."""
    ann = world.ann
    summary_text = sa.literal_column("entries.summary_text", sa.Text)
    content_text = sa.literal_column("entries.content_text", sa.Text)
    query = (
        sa.select(
            entries.c.id,
            entries.c.feed_id,
            entries.c.title,
            entries.c.author,
            entries.c.link,
            entries.c.sort_at,
            summary_text.label("summary_text"),
            content_text.label("content_text"),
            subscriptions.c.title.label("own_title"),
            feeds.c.title.label("feed_title"),
            feeds.c.feed_title.label("document_title"),
            entry_states.c.read,
            entry_states.c.starred,
        )
        .join(subscriptions, sa.and_(subscriptions.c.feed_id == entries.c.feed_id))
        .join(feeds, feeds.c.id == entries.c.feed_id)
        .outerjoin(
            entry_states,
            sa.and_(entry_states.c.entry_id == entries.c.id, entry_states.c.user_id == ann),
        )
        .where(subscriptions.c.user_id == ann)
    )
    with world.store.engine.connect() as conn:
        rows = conn.execute(query).all()
        labels: dict[int, set[str]] = {}
        for entry_id, label in conn.execute(
            sa.select(entry_labels.c.entry_id, entry_labels.c.label).where(
                entry_labels.c.user_id == ann
            )
        ):
            labels.setdefault(entry_id, set()).add(label)
        categories: dict[int, set[str]] = {}
        for feed_id, name in conn.execute(
            sa.select(subscription_categories.c.feed_id, user_categories.c.name)
            .join(user_categories, user_categories.c.id == subscription_categories.c.category_id)
            .where(subscription_categories.c.user_id == ann)
        ):
            categories.setdefault(feed_id, set()).add(name)
    return [
        EntryFacts(
            entry_id=row.id,
            feed_id=row.feed_id,
            feed_titles=tuple(t for t in (row.own_title, row.feed_title, row.document_title) if t),
            categories=frozenset(categories.get(row.feed_id, ())),
            labels=frozenset(labels.get(row.id, ())),
            title=row.title,
            summary_text=row.summary_text or "",
            content_text=row.content_text or "",
            author=row.author or "",
            url=row.link or "",
            sort_at=row.sort_at,
            read=bool(row.read),
            starred=bool(row.starred),
        )
        for row in rows
    ]


def term(rng: random.Random, feed_ids: list[int]) -> str:
    word = rng.choice(VOCABULARY)
    neg = "-" if rng.random() < 0.3 else ""
    pattern = rng.choice(PATTERNS)
    flag = "i" if rng.random() < 0.5 else ""
    field = rng.choice(["title", "content", "author", "url", "any"])
    choices = [
        word,
        f'"{word} {rng.choice(VOCABULARY)}"',
        f"-{word}",
        f"{neg}{field}:{word[: rng.randint(2, len(word))]}",
        f'{neg}{field}:"{word} {rng.choice(VOCABULARY)}"',
        f"{neg}/{pattern}/{flag}",
        f"{neg}{field}:/{pattern}/{flag}",
        f"{neg}label:{rng.choice(LABELS)}",
        f"feed:{rng.choice(feed_ids)}",
        'feed:"rust week"',
        "category:tech",
        rng.choice(["is:unread", "is:read", "is:starred"]),
        f"after:2026-02-{rng.randint(10, 27)}",
        f"before:2026-02-{rng.randint(10, 27)}",
    ]
    return rng.choice(choices)


def test_sql_and_memory_select_the_same_entries(world: World) -> None:
    rng = random.Random(20261204)
    ids = build(world, rng)
    facts = facts_of(world)
    assert sorted(f.entry_id for f in facts) == sorted(ids)
    feed_ids = sorted({f.feed_id for f in facts})
    checked = 0
    nonempty = 0
    for _ in range(300):
        text = " ".join(term(rng, feed_ids) for _ in range(rng.randint(1, 3)))
        try:
            query = parse_query(text, require_terms=False)
        except SearchQueryError:
            continue  # e.g. is:read with is:unread, or after: later than before:
        matcher = compile_matcher(query)
        expected = sorted(f.entry_id for f in facts if matcher(f))
        # The engine's prefilter: an entry the query matches has every one of its needles, each
        # in the text its place is scanned in.
        required = [key.partition("\x00")[::2] for key in needles(query)]
        for f in facts:
            if f.entry_id in expected:
                fields = (f.title, f.summary_text, f.content_text, f.author, f.url)
                texts = {p: needle_text(needle_part(p), *fields).decode() for p, _ in required}
                assert all(n in texts[place] for place, n in required), (texts, required)
        found = world.store.reading.entry_ids(world.ann, EntryFilter(search=query))
        assert found == expected, text
        checked += 1
        nonempty += bool(expected) and len(expected) < len(ids)
    assert checked > 250
    assert nonempty > 100  # the queries discriminate: neither all nor nothing, mostly


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title:/council budget/i", {("title", "council budget")}),
        ("content:harbour", {("all", "harbour")}),
        ("author:/^Author 5$/", {("author", "author 5")}),
        ("url:example.org", {("url", "example.org")}),
        ('budget "city plan"', {("all", "budget"), ("all", "city"), ("all", "plan")}),
        ("any:harbour", {("all", "harbour")}),
        ("/zebra crossing/i", {("all", "zebra crossing")}),
        ("-title:river", set()),  # a negation needs nothing
        ("title:/river|sea/", set()),  # alternation: nothing certain
        ("title:Zürich", {("title", "zurich")}),  # folded as the texts are
    ],
)
def test_needles_are_filed_under_their_place(text: str, expected: set[tuple[str, str]]) -> None:
    query = parse_query(text, require_terms=False)
    assert {tuple(key.split("\x00")) for key in needles(query)} == expected
