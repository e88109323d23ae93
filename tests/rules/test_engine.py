"""The rules engine (rules/engine.py) as tables: which subscriber's rules act on which new
entry, in which order, with which outcome. Pure: no database. Ids never line up (users 7, 8, 9;
feeds 40, 41; entries from 500; rules from 90)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import count

import pytest

from tidings.rules.engine import (
    NewEntry,
    Outcome,
    RuleBook,
    Subscriber,
    forget_rule_book,
    needle_chunks,
    rule_book,
)
from tidings.rules.matcher import EntryFacts, compile_matcher
from tidings.rules.model import Rule

NOW = datetime(2026, 12, 4, tzinfo=UTC)
ANN, BOB, CAT = 7, 8, 9
FEED, OTHER_FEED = 40, 41
_ids = count(90)


def rule(
    user_id: int,
    query: str,
    *actions: str,
    position: int = 0,
    scope: str = "all",
    scope_id: int | None = None,
    labels: tuple[str, ...] = (),
) -> Rule:
    return Rule(
        id=next(_ids),
        user_id=user_id,
        position=position,
        name=query,
        query=query,
        scope=scope,  # type: ignore[arg-type]
        scope_id=scope_id,
        actions=actions,  # type: ignore[arg-type]
        labels=labels,
        enabled=True,
        created_at=NOW,
        updated_at=NOW,
    )


def entry(entry_id: int, title: str, content: str = "", author: str = "") -> NewEntry:
    return NewEntry(entry_id, title, "", content, author, f"https://e.org/{entry_id}", NOW)


ENTRIES = [
    entry(500, "Council budget approved", "The harbour festival moves to May."),
    entry(501, "Weekly garden notes", "Tomatoes and council gossip."),
    entry(502, "Big sale today", "Everything must go", author="Shop"),
]
SUBSCRIBERS = [
    Subscriber(ANN, ("Town news",), frozenset({"Local"}), frozenset({3})),
    Subscriber(BOB, ("Town news",)),
]


def outcomes(rules: list[Rule], feed_id: int = FEED) -> set[Outcome]:
    return set(RuleBook(rules).outcomes(feed_id, SUBSCRIBERS, ENTRIES))


def test_a_title_rule_blocks_only_its_users_matching_entry() -> None:
    assert outcomes([rule(ANN, "title:/council budget/i", "block")]) == {
        Outcome(ANN, 500, read=True, hidden=True)
    }


def test_a_title_needle_in_the_content_only_is_no_match() -> None:
    """ "council" is in entry 501's content, not its title: title:council does not match it."""
    assert outcomes([rule(BOB, "title:council", "star")]) == {Outcome(BOB, 500, starred=True)}


# An entry's fields, for the table below: title, author, address, content.
_FIELDS = ("Alpha", "Beta", "https://e.org/gamma", "Delta")


@pytest.mark.parametrize(
    ("query", "fields", "matched"),
    [
        ("title:alpha", _FIELDS, True),
        ("author:beta", _FIELDS, True),
        ("url:gamma", _FIELDS, True),
        ("content:delta", _FIELDS, True),
        ("title:beta", _FIELDS, False),  # found in the author, scanned with the title
        ("author:alpha", _FIELDS, False),  # and the other way round
        ("title:delta", _FIELDS, False),  # found in the content only
        ("author:gamma", _FIELDS, False),
        ("url:alpha", _FIELDS, False),
        ("url:delta", _FIELDS, False),
        ("any:beta", _FIELDS, True),  # a needle of "all" is found in any field
        ("any:gamma", _FIELDS, True),
        ('"alpha delta"', _FIELDS, False),  # not across two fields
        ("title:straße", ("Die Straße", "x", "https://e.org/1", ""), True),
        ("title:strasse", ("Die Straße", "x", "https://e.org/1", ""), False),
        ("title:/STRASSE/i", ("Die Strasse", "x", "https://e.org/1", ""), True),
        ("title:2024", ("Plans", "x", "https://e.org/1", "due in 2024"), False),
        ("title:2024", ("Plans for 2024", "x", "https://e.org/1", ""), True),
        ("title:Zürich", ("Zürich: news", "x", "https://e.org/1", ""), True),  # folded
        ("budget", ("Notes", "x", "https://e.org/1", "BUDGET"), True),
    ],
)
def test_each_places_needle_is_scanned_for_and_decided_in_its_field(
    query: str, fields: tuple[str, str, str, str], matched: bool
) -> None:
    """The needles of the title and the author are looked for in those two fields together, the
    address's in the address, the others in all the text: a needle found in another field is a
    false alarm the rule's query settles, and none is missed where the query matches."""
    title, author, url, content = fields
    new = [NewEntry(600, title, "", content, author, url, NOW)]
    found = RuleBook([rule(ANN, query, "block")]).outcomes(FEED, SUBSCRIBERS, new)
    assert found == ([Outcome(ANN, 600, read=True, hidden=True)] if matched else [])


def test_the_same_query_of_two_users_acts_for_each() -> None:
    rules = [rule(ANN, "sale", "read"), rule(BOB, "sale", "star")]
    assert outcomes(rules) == {Outcome(ANN, 502, read=True), Outcome(BOB, 502, starred=True)}


def test_a_user_who_does_not_subscribe_is_not_decided() -> None:
    assert outcomes([rule(CAT, "sale", "block")]) == set()


def test_keep_only_blocks_what_does_not_match() -> None:
    assert outcomes([rule(BOB, "council", "keep")]) == {Outcome(BOB, 502, read=True, hidden=True)}


@pytest.mark.parametrize(
    ("scope", "scope_id", "feed_id", "expected"),
    [
        ("feed", FEED, FEED, {Outcome(ANN, 502, starred=True)}),
        ("feed", OTHER_FEED, FEED, set()),
        ("category", 3, FEED, {Outcome(ANN, 502, starred=True)}),  # Ann's category 3
        ("category", 4, FEED, set()),
    ],
)
def test_scoped_rules(scope: str, scope_id: int, feed_id: int, expected: set[Outcome]) -> None:
    assert (
        outcomes([rule(ANN, "sale", "star", scope=scope, scope_id=scope_id)], feed_id) == expected
    )


def test_a_later_rule_sees_an_earlier_rules_label_and_state() -> None:
    rules = [
        rule(ANN, "label:town is:starred", "read", position=3),
        rule(ANN, "council", "label", position=1, labels=("town",)),
        rule(ANN, "budget", "star", position=2),
    ]
    assert outcomes(rules) == {
        Outcome(ANN, 500, read=True, starred=True, labels=("town",)),
        Outcome(ANN, 501, labels=("town",)),
    }


def test_user_dependent_queries_read_each_users_view() -> None:
    rules = [rule(ANN, "category:Local sale", "read"), rule(BOB, "category:Local sale", "read")]
    assert outcomes(rules) == {Outcome(ANN, 502, read=True)}


def test_site_rules_withhold() -> None:
    book = RuleBook([rule(ANN, "title:sale", "block", scope="site")])
    assert book.withheld(FEED, ("Town news",), ENTRIES) == [502]
    assert book.outcomes(FEED, SUBSCRIBERS, ENTRIES) == []


def reference(
    rules: list[Rule], feed_id: int, subscribers: list[Subscriber], new: list[NewEntry]
) -> set[Outcome]:
    """What the rules do, the plain way: every subscriber's every rule of the feed, in order, on
    every entry, with no needles, anchors or caches."""
    found = set()
    for s in subscribers:
        theirs = sorted(
            (
                r
                for r in rules
                if r.user_id == s.user_id
                and (
                    r.scope == "all"
                    or (r.scope == "feed" and r.scope_id == feed_id)
                    or (r.scope == "category" and r.scope_id in s.category_ids)
                )
            ),
            key=lambda r: (r.position, r.id),
        )
        for e in new:
            read = starred = hidden = False
            labels: list[str] = []
            for r in theirs:
                facts = EntryFacts(
                    e.entry_id, feed_id, s.feed_titles, s.categories, frozenset(labels),
                    e.title, e.summary_text, e.content_text, e.author, e.url, e.sort_at,
                    read, starred,
                )  # fmt: skip
                matched = compile_matcher(r.parsed)(facts)
                if "keep" in r.actions:
                    if not matched:
                        hidden = read = True
                    continue
                if matched:
                    hidden = hidden or "block" in r.actions
                    read = read or "block" in r.actions or "read" in r.actions
                    starred = starred or "star" in r.actions
                    if "label" in r.actions:
                        labels += [label for label in r.labels if label not in labels]
            if read or starred or hidden or labels:
                found.add(Outcome(s.user_id, e.entry_id, read, starred, hidden, tuple(labels)))
    return found


def test_random_rules_do_what_the_plain_way_does() -> None:
    """The engine's indexes (needles, anchors, the feed's every-entry rules, the shared cache)
    change which rules it looks at, never what they do."""
    rng = random.Random(11)
    words = ["council", "budget", "harbour", "sale", "river", "go"]
    queries = [
        "{w}", "title:{w}", '"{w} {v}"', "{w} -{v}", "title:/{w} {v}/i", "content:{w}",
        "author:/^{w}/", "label:x {w}", "is:starred", "-title:{w}", "/{w}|{v}/", "any:{v}",
    ]  # fmt: skip
    subscribers = [
        Subscriber(ANN, ("Town news",), frozenset({"Local"}), frozenset({3})),
        Subscriber(BOB, ("Town news",)),
        Subscriber(CAT, ("Town news",), frozenset(), frozenset({4})),
    ]
    checked = 0
    for _ in range(60):
        rules = []
        for position in range(rng.randint(1, 12)):
            w, v = rng.choice(words), rng.choice(words)
            scope, scope_id = rng.choice(
                [("all", None)] * 3 + [("feed", FEED), ("feed", OTHER_FEED), ("category", 3)]
            )
            action = rng.choice(["block", "keep", "read", "star", "label", "label"])
            rules.append(
                rule(
                    rng.choice([ANN, BOB, CAT]),
                    rng.choice(queries).format(w=w, v=v),
                    action,
                    position=position,
                    scope=scope,
                    scope_id=scope_id,
                    labels=(rng.choice(["x", "y"]),) if action == "label" else (),
                )
            )
        new = [
            NewEntry(
                600 + n,
                " ".join(rng.choice(words) for _ in range(rng.randint(0, 4))),
                "",
                " ".join(rng.choice(words) for _ in range(rng.randint(0, 12))),
                rng.choice(["", "Budget office", "river"]),
                f"https://e.org/{n}",
                NOW,
            )
            for n in range(20)
        ]
        got = set(RuleBook(rules).outcomes(FEED, subscribers, new))
        assert got == reference(rules, FEED, subscribers, new), [r.query for r in rules]
        checked += bool(got)
    assert checked > 50


def test_needles_past_what_one_re2_set_holds_are_all_found() -> None:
    """RE2 compiles no set past a size (about 90,000 characters with its default memory): 600
    rules of 200-character phrases once stopped every refresh. 1,200 (240,000 characters, three
    of the engine's sets) build, and each needle is still found."""
    rng = random.Random(3)
    phrases = [
        " ".join("".join(rng.choices("abcdefghij", k=9)) for _ in range(20))[:200]
        for _ in range(1_200)
    ]
    rules = [rule(ANN, f'title:"{p}"', "star", position=n) for n, p in enumerate(phrases)]
    book = RuleBook(rules)
    assert [len(sets) for _, sets in book._parts] == [3]
    for n in (0, 599, 1_199):
        assert book.outcomes(FEED, SUBSCRIBERS, [entry(700 + n, phrases[n].upper())]) == [
            Outcome(ANN, 700 + n, starred=True)
        ]


@pytest.mark.parametrize(
    ("lengths", "expected"),
    [
        ([], []),
        ([5], [1]),
        ([50_000, 50_000, 1], [2, 1]),  # 100,000 characters fill a set
        ([50_000, 49_999, 1], [3]),
        ([3] * 7_000, [3_000, 3_000, 1_000]),  # and so do 3,000 needles
        ([60_000, 60_000, 60_000], [1, 1, 1]),
    ],
)
def test_needles_are_chunked_by_characters_and_count(
    lengths: list[int], expected: list[int]
) -> None:
    strings = ["x" * length for length in lengths]
    chunks = needle_chunks(strings)
    assert [len(chunk) for chunk in chunks] == expected
    assert [s for chunk in chunks for s in chunk] == strings  # all of them, in order


def test_a_rule_whose_query_no_longer_compiles_is_left_out() -> None:
    broken = rule(ANN, "title:/(/", "block")  # stored around the checks, or read otherwise now
    book = RuleBook([broken, rule(BOB, "sale", "star")])
    assert [(r.id, "/(/" in why) for r, why in book.broken] == [(broken.id, True)]
    assert book.outcomes(FEED, SUBSCRIBERS, ENTRIES) == [Outcome(BOB, 502, starred=True)]


def test_a_query_is_compiled_once_for_every_rule_and_round_that_has_it() -> None:
    # The refresher makes a RuleBook every round: the same stored query, of one user or of two,
    # in this round or the next, gets the same compiled matcher; each rule keeps its own actions.
    first = RuleBook([rule(ANN, "sale", "star"), rule(BOB, "sale", "read")])
    again = RuleBook([rule(ANN, "sale", "star")])
    filed = [c for book in (first, again) for rules in book._by_anchor.values() for c in rules]
    assert len(filed) == 3
    assert len({id(c.matcher) for c in filed}) == 1
    assert set(first.outcomes(FEED, SUBSCRIBERS, ENTRIES)) == {
        Outcome(ANN, 502, starred=True),
        Outcome(BOB, 502, read=True),
    }
    # A query that cannot be read is not remembered as one: it is reported every round.
    for _ in range(2):
        assert len(RuleBook([rule(ANN, "title:/(/", "block")]).broken) == 1


def test_a_signature_seen_last_gives_the_last_book_without_reading_the_rules() -> None:
    """A server looks at its rules every round: while their signature is the last one's, the
    book compiled last serves and the rules are not read; another signature reads them and
    compiles a new book, and going back to an older one compiles again (only the last is kept)."""
    forget_rule_book()
    rules = [rule(ANN, "title:sale", "read"), rule(BOB, "council", "star")]
    reads: list[str] = []

    def read(which: str, given: list[Rule]) -> Callable[[], list[Rule]]:
        return lambda: reads.append(which) or given

    first = rule_book(("a",), read("a", rules))
    assert rule_book(("a",), read("a again", rules)) is first
    changed = rule_book(("b",), read("b", [rules[0]]))
    assert changed is not first and changed.users == {ANN}
    assert rule_book(("a",), read("a once more", rules)) is not first  # compiled again
    assert reads == ["a", "b", "a once more"]
