"""What the rules do to new entries: pure decisions, no database.

The refresher loads a RuleBook (every enabled rule, compiled once) and, in the transaction that
writes a feed's new entries, asks it for the outcome of each entry for each subscriber that has
rules, and for the entries site rules withhold from publishing; store.rules writes those in bulk.

Cost: a rule scoped to a feed or a category is looked at only for entries of that feed or
category, and a query that does not depend on the user (no label:, is:, category: or feed: by
name) is evaluated once per entry however many rules of however many users have it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from tidings.rules.matcher import EntryFacts, Matcher, compile_matcher
from tidings.rules.model import Rule
from tidings.search_query import SearchQuery


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A new entry as the refresher wrote it: its id and the text the rules read."""

    entry_id: int
    title: str
    summary_text: str
    content_text: str
    author: str
    url: str
    sort_at: datetime | None


@dataclass(frozen=True, slots=True)
class Subscriber:
    """One user's view of the feed whose entries are new."""

    user_id: int
    feed_titles: tuple[str, ...]
    categories: frozenset[str] = frozenset()
    category_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the user's rules did to one entry."""

    user_id: int
    entry_id: int
    read: bool = False
    starred: bool = False
    hidden: bool = False
    labels: tuple[str, ...] = ()
    feed_id: int | None = None  # the entry's, when the outcomes are of several feeds


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    matcher: Matcher
    shared: bool  # the query's answer is the same for every user: cache it per entry


def _is_shared(query: SearchQuery) -> bool:
    return not (
        query.labels
        or query.without_labels
        or query.unread is not None
        or query.starred
        or query.categories
        or any(isinstance(f, str) for f in query.feeds)
    )


class RuleBook:
    """Every enabled rule, compiled, by user and scope."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._by_user: dict[int, list[_Compiled]] = {}
        self._site: list[_Compiled] = []
        for rule in sorted(rules, key=lambda r: (r.user_id, r.position, r.id)):
            if not rule.enabled:
                continue
            parsed = rule.parsed
            compiled = _Compiled(rule, compile_matcher(parsed), _is_shared(parsed))
            if rule.scope == "site":
                self._site.append(compiled)
            else:
                self._by_user.setdefault(rule.user_id, []).append(compiled)

    @property
    def users(self) -> frozenset[int]:
        """The users with at least one enabled rule of their own feeds."""
        return frozenset(self._by_user)

    @property
    def has_site_rules(self) -> bool:
        return bool(self._site)

    def __bool__(self) -> bool:
        return bool(self._by_user or self._site)

    def outcomes(
        self, feed_id: int, subscribers: Sequence[Subscriber], new: Sequence[NewEntry]
    ) -> list[Outcome]:
        """The outcome of each new entry for each subscriber whose rules did something to it."""
        cache: dict[tuple[str, int], bool] = {}  # (query, entry id) -> matched
        results: list[Outcome] = []
        for subscriber in subscribers:
            rules = [
                c
                for c in self._by_user.get(subscriber.user_id, ())
                if _in_scope(c.rule, feed_id, subscriber)
            ]
            if not rules:
                continue
            for entry in new:
                facts = _facts(feed_id, subscriber, entry)
                outcome = _decide(subscriber.user_id, rules, facts, cache)
                if outcome is not None:
                    results.append(outcome)
        return results

    def withheld(
        self, feed_id: int, feed_titles: tuple[str, ...], new: Sequence[NewEntry]
    ) -> list[int]:
        """The ids of the new entries the site's rules keep off the public site."""
        if not self._site:
            return []
        site = Subscriber(user_id=0, feed_titles=feed_titles)
        return [
            entry.entry_id
            for entry in new
            if (outcome := _decide(0, self._site, _facts(feed_id, site, entry), {})) is not None
            and outcome.hidden
        ]


def _in_scope(rule: Rule, feed_id: int, subscriber: Subscriber) -> bool:
    if rule.scope == "feed":
        return rule.scope_id == feed_id
    if rule.scope == "category":
        return rule.scope_id in subscriber.category_ids
    return True


def _facts(feed_id: int, subscriber: Subscriber, entry: NewEntry) -> EntryFacts:
    return EntryFacts(
        entry_id=entry.entry_id,
        feed_id=feed_id,
        feed_titles=subscriber.feed_titles,
        categories=subscriber.categories,
        title=entry.title,
        summary_text=entry.summary_text,
        content_text=entry.content_text,
        author=entry.author,
        url=entry.url,
        sort_at=entry.sort_at,
    )


def _decide(
    user_id: int,
    rules: Sequence[_Compiled],
    facts: EntryFacts,
    cache: dict[tuple[str, int], bool],
) -> Outcome | None:
    """Apply `rules` in order to one entry; None when none of them did anything. A later rule
    sees what earlier ones did (labels added, read, starred)."""
    read = starred = hidden = False
    labels: list[str] = []
    for compiled in rules:
        if compiled.shared:
            key = (compiled.rule.query, facts.entry_id)
            matched = cache.get(key)
            if matched is None:
                matched = cache[key] = compiled.matcher(facts)
        else:
            matched = compiled.matcher(facts)
        actions = compiled.rule.actions
        if "keep" in actions:
            if not matched:
                hidden = read = True
            continue
        if not matched:
            continue
        if "block" in actions:
            hidden = read = True
        if "read" in actions:
            read = True
        if "star" in actions:
            starred = True
        if "label" in actions:
            labels += [label for label in compiled.rule.labels if label not in labels]
        facts = dataclasses.replace(facts, read=read, starred=starred, labels=frozenset(labels))
    if not (read or starred or hidden or labels):
        return None
    return Outcome(user_id, facts.entry_id, read, starred, hidden, tuple(labels))
