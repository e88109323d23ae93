"""The rules engine (rules/engine.py) as tables: which subscriber's rules act on which new
entry, in which order, with which outcome. Pure: no database. Ids never line up (users 7, 8, 9;
feeds 40, 41; entries from 500; rules from 90)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

import pytest

from tidings.rules.engine import NewEntry, Outcome, RuleBook, Subscriber
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
