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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import re2

from tidings.rules.matcher import EntryFacts, Matcher, compile_matcher, fold, needles
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
    send: bool = False  # to the user's enabled integrations


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    matcher: Matcher
    shared: bool  # the query's answer is the same for every user: cache it per entry
    needles: frozenset[str]  # all in the entry's folded text, or it cannot match
    anchor: str | None  # the longest needle: where the index files the rule


@dataclass(slots=True)
class _UserRules:
    """One user's rules over all their feeds, by what an entry must contain to need a look:
    `always` (no needle, or "keep only", whose non-match blocks) and by anchor needle; and their
    rules of one feed or one category."""

    always: list[_Compiled] = field(default_factory=list)
    by_anchor: dict[str, list[_Compiled]] = field(default_factory=dict)
    by_feed: dict[int, list[_Compiled]] = field(default_factory=dict)
    by_category: dict[int, list[_Compiled]] = field(default_factory=dict)

    def add(self, compiled: _Compiled) -> None:
        rule = compiled.rule
        if rule.scope == "feed" and rule.scope_id is not None:
            self.by_feed.setdefault(rule.scope_id, []).append(compiled)
        elif rule.scope == "category" and rule.scope_id is not None:
            self.by_category.setdefault(rule.scope_id, []).append(compiled)
        elif compiled.anchor is None or "keep" in rule.actions:
            self.always.append(compiled)
        else:
            self.by_anchor.setdefault(compiled.anchor, []).append(compiled)

    def candidates(
        self, feed_id: int, subscriber: Subscriber, present: set[str]
    ) -> list[_Compiled]:
        """The rules to look at for an entry of `feed_id` whose text has the needles `present`,
        in the user's order."""
        found = list(self.always)
        found += self.by_feed.get(feed_id, ())
        for category_id in subscriber.category_ids:
            found += self.by_category.get(category_id, ())
        for anchor in present & self.by_anchor.keys():  # an intersection in C
            found += self.by_anchor[anchor]
        found.sort(key=lambda c: (c.rule.position, c.rule.id))
        return found


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

    def __init__(
        self, rules: Iterable[Rule], views: dict[int, list[Subscriber]] | None = None
    ) -> None:
        """`views`: the subscribers with rules of each feed, read once for a round (None: the
        store reads them feed by feed)."""
        self.views = views
        self._by_user: dict[int, _UserRules] = {}
        self._site: list[_Compiled] = []
        all_needles: set[str] = set()
        for rule in sorted(rules, key=lambda r: (r.user_id, r.position, r.id)):
            if not rule.enabled:
                continue
            parsed = rule.parsed
            found = needles(parsed)
            anchor = max(sorted(found), key=len) if found else None
            compiled = _Compiled(rule, compile_matcher(parsed), _is_shared(parsed), found, anchor)
            all_needles |= found
            if rule.scope == "site":
                self._site.append(compiled)
            else:
                self._by_user.setdefault(rule.user_id, _UserRules()).add(compiled)
        # Every needle of every rule in one RE2 set: one scan of an entry's text says which it
        # has, however many rules there are.
        self._needles = sorted(all_needles)
        self._set = needle_set(self._needles)

    def _present(self, entry: NewEntry) -> set[str]:
        """The rules' needles found in the entry's folded text."""
        if self._set is None:
            return set()
        text = fold(
            "\n".join(
                (entry.title, entry.summary_text, entry.content_text, entry.author, entry.url)
            )
        )
        return {self._needles[i] for i in self._set.Match(text) or ()}  # None: none found

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
        present = {entry.entry_id: self._present(entry) for entry in new}
        for subscriber in subscribers:
            mine = self._by_user.get(subscriber.user_id)
            if mine is None:
                continue
            for entry in new:
                found = present[entry.entry_id]
                rules = mine.candidates(feed_id, subscriber, found)
                if not rules:
                    continue
                facts = _facts(feed_id, subscriber, entry)
                outcome = _decide(subscriber.user_id, rules, facts, cache, found)
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
            if (
                outcome := _decide(
                    0, self._site, _facts(feed_id, site, entry), {}, self._present(entry)
                )
            )
            is not None
            and outcome.hidden
        ]


def needle_set(strings: Sequence[str]) -> Any:
    """A compiled RE2 set of the strings as literals, ignoring case (None for none)."""
    if not strings:
        return None
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    found = re2.Set.SearchSet(options)
    for string in strings:
        found.Add(re2.escape(string))
    found.Compile()
    return found


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
    present: set[str],
) -> Outcome | None:
    """Apply `rules` in order to one entry; None when none of them did anything. A later rule
    sees what earlier ones did (labels added, read, starred)."""
    read = starred = hidden = send = False
    labels: list[str] = []
    for compiled in rules:
        if not compiled.needles <= present:
            matched = False  # a string it needs is not in the entry
        elif compiled.shared:
            key = (compiled.rule.query, facts.entry_id)
            known = cache.get(key)
            matched = cache[key] = compiled.matcher(facts) if known is None else known
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
        if "send" in actions:
            send = True
        facts = dataclasses.replace(facts, read=read, starred=starred, labels=frozenset(labels))
    if not (read or starred or hidden or labels or send):
        return None
    return Outcome(user_id, facts.entry_id, read, starred, hidden, tuple(labels), send=send)
