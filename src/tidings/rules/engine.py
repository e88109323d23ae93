"""What the rules do to new entries: pure decisions, no database.

The refresher loads a RuleBook (every enabled rule, compiled once) and, in the transaction that
writes a feed's new entries, asks it for the outcome of each entry for each subscriber that has
rules, and for the entries site rules withhold from publishing; store.rules writes those in bulk.

Cost: a rule scoped to a feed or a category is looked at only for entries of that feed or
category, and a query that does not depend on the user (no label:, is:, category: or feed: by
name) is evaluated once per entry however many rules of however many users have it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import groupby
from typing import Any, Final

import re2

from tidings.errors import UserError
from tidings.model import direct_init
from tidings.rules.matcher import (
    EntryFacts,
    Matcher,
    compile_matcher,
    needle_part,
    needle_text,
    needles,
)
from tidings.rules.model import Rule
from tidings.search_query import SearchQuery, parse_query


@direct_init
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


@direct_init
@dataclass(frozen=True, slots=True)
class Subscriber:
    """One user's view of the feed whose entries are new."""

    user_id: int
    feed_titles: tuple[str, ...]
    categories: frozenset[str] = frozenset()
    category_ids: frozenset[int] = frozenset()


@direct_init
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
    needles: frozenset[int]  # all in the entry's texts (matcher.needles), or it cannot match
    anchor: int | None  # the longest needle: where the index files the rule


@dataclass(slots=True)
class _UserRules:
    """One user's rules looked at for every entry of a feed: over all their feeds, `always`
    (no needle, or "keep only", whose non-match blocks); of one feed; of one category. Their
    other rules are in the RuleBook's index by anchor."""

    always: list[_Compiled] = field(default_factory=list)
    by_feed: dict[int, list[_Compiled]] = field(default_factory=dict)
    by_category: dict[int, list[_Compiled]] = field(default_factory=dict)

    def add(self, compiled: _Compiled) -> bool:
        """File the rule here; False when it belongs in the book's index by anchor instead (a
        rule over all the user's feeds that a missing needle rules out)."""
        rule = compiled.rule
        if rule.scope == "feed" and rule.scope_id is not None:
            self.by_feed.setdefault(rule.scope_id, []).append(compiled)
        elif rule.scope == "category" and rule.scope_id is not None:
            self.by_category.setdefault(rule.scope_id, []).append(compiled)
        elif compiled.anchor is None or "keep" in rule.actions:
            self.always.append(compiled)
        else:
            return False
        return True

    def for_feed(self, feed_id: int, subscriber: Subscriber) -> list[_Compiled]:
        """The rules to look at for every entry of `feed_id` whatever its text: those with no
        needle or keeping only, and those scoped to the feed or one of its categories."""
        found = list(self.always)
        found += self.by_feed.get(feed_id, ())
        for category_id in subscriber.category_ids:
            found += self.by_category.get(category_id, ())
        return found


@lru_cache(maxsize=8192)
def compiled_query(query: str) -> tuple[Matcher, bool, frozenset[str], str | None]:
    """Return a stored query's matcher, whether it is shared (`_is_shared`), its needles and its
    anchor (the longest needle); UserError when it cannot be read. Cached: the refresher builds
    a RuleBook every round from the same rules, and parsing and compiling were two thirds of
    building one (0.1 s of CPU for 2,000 rules); a matcher is a pure function, so one serves
    every rule with that query."""
    parsed = parse_query(query, require_terms=False)
    found = needles(parsed)
    anchor = max(sorted(found), key=len) if found else None
    return compile_matcher(parsed), _is_shared(parsed), found, anchor


def _part_first(key: str) -> tuple[str, str]:
    """Sort key of a needle's key: the part it is scanned in (`needle_part`), then the key."""
    return needle_part(key.partition("\x00")[0]), key


def query_problem(rule: Rule) -> str | None:
    """Return why the refresher leaves the stored rule out (its query cannot be compiled now:
    checked when saved, a later version may read it otherwise), or None when it can."""
    try:
        compiled_query(rule.query)
    except UserError as error:
        return str(error)
    return None


def _in_order(rules: list[_Compiled]) -> list[_Compiled]:
    return sorted(rules, key=lambda c: (c.rule.position, c.rule.id))


def _is_shared(query: SearchQuery) -> bool:
    return not (
        query.labels
        or query.without_labels
        or query.unread is not None
        or query.starred
        or query.categories
        or any(isinstance(f, str) for f in query.feeds)
    )


def rule_book(signature: object, read: Callable[[], Iterable[Rule]]) -> RuleBook:
    """Return the RuleBook of the rules `read()` gives back, made once a `signature`: all that
    the book is made of, as the store gives it (`RuleQueries.enabled_signature`). While the
    signature is the last one's, `read` is not called and the last book is given back, its
    needle sets compiled and their automata warm.

    A server looks at its rules every round and most rounds they have not changed: reading
    2,000 rules cost 22 ms of CPU, filing them and compiling their sets 15-25 ms. The last book
    is the process's, shared by its refreshers (the background one, and those `refresh_now`
    makes for one feed): equal signatures make equal books, whichever store they came from."""
    global _last_book
    last = _last_book
    if last is not None and last[0] == signature:
        return last[1]
    book = RuleBook(read())
    _last_book = (signature, book)
    return book


def forget_rule_book() -> None:
    """Forget the last RuleBook: the next `rule_book` reads and compiles, as a new process's."""
    global _last_book
    _last_book = None


_last_book: tuple[object, RuleBook] | None = None


class RuleBook:
    """Every enabled rule, compiled, by user and scope; not changed once made, so that one book
    serves every round with the same rules (`rule_book`)."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._by_user: dict[int, _UserRules] = {}
        # The rules over all of a user's feeds with an anchor, of every user, by anchor: one
        # lookup per needle an entry has finds them, however many users there are.
        self._by_anchor: dict[int, list[_Compiled]] = {}
        self._site: list[_Compiled] = []
        # Rules whose query no longer compiles, and why: left out (see below).
        self.broken: list[tuple[Rule, str]] = []
        readable: list[tuple[Rule, tuple[Matcher, bool, frozenset[str], str | None]]] = []
        for rule in sorted(rules, key=lambda r: (r.user_id, r.position, r.id)):
            if not rule.enabled:
                continue
            try:
                readable.append((rule, compiled_query(rule.query)))
            except UserError as error:
                # Queries are checked when stored; one that a later version reads otherwise, or
                # a row written around the checks, must not stop every user's refresh (the
                # round stops when the book cannot be made): that rule alone is left out.
                self.broken.append((rule, str(error)))
        # Needles are numbered (their keys sorted), the number of each its index in the RE2
        # sets: a scan's hits are the entry's needles as they are, no look-up.
        keys = sorted({key for _, (_, _, found, _) in readable for key in found}, key=_part_first)
        number = {key: n for n, key in enumerate(keys)}
        for rule, (matcher, shared, found, anchor) in readable:
            compiled = _Compiled(
                rule,
                matcher,
                shared,
                frozenset(map(number.__getitem__, found)),
                None if anchor is None else number[anchor],
            )
            if rule.scope == "site":
                self._site.append(compiled)
            elif not self._by_user.setdefault(rule.user_id, _UserRules()).add(compiled):
                assert compiled.anchor is not None  # `add` files every rule without one
                self._by_anchor.setdefault(compiled.anchor, []).append(compiled)
        self._anchors = frozenset(self._by_anchor)
        # Every needle in RE2 sets, those of each part (`needle_part`: "all", "names", "url")
        # over that part's text of an entry: a set's hits, from the number its first
        # needle has, are the entry's needles, however many rules there are. The keys are
        # sorted by part, so the needles of a part are consecutive numbers.
        self._parts: list[tuple[str, list[tuple[int, Any]]]] = []
        first = 0
        for part, group in groupby(keys, lambda key: _part_first(key)[0]):
            literals = [re2.escape(key.partition("\x00")[2]) for key in group]
            sets = []
            for chunk in needle_chunks(literals):
                sets.append((first, needle_set(chunk).Match))
                first += len(chunk)
            self._parts.append((part, sets))

    def _present(self, entry: NewEntry) -> set[int]:
        """The numbers of the rules' needles found in the entry's texts."""
        present: set[int] = set()
        for part, sets in self._parts:
            text = needle_text(
                part,
                entry.title,
                entry.summary_text,
                entry.content_text,
                entry.author,
                entry.url,
            )
            for first, match in sets:
                hits = match(text)
                if hits:  # most scans find none of the needles
                    present.update(hits if first == 0 else [first + hit for hit in hits])
        return present

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
        """The outcome of each new entry for each subscriber whose rules did something to it.

        The work follows the rules an entry can match, not users × entries: per entry, the
        anchors of its needles give the users' anchored rules at once (a dict lookup each), and
        only the subscribers with such a rule are decided, or with rules looked at for every
        entry of this feed: always when one of those has no needle or keeps only, else when
        the entry has one of their anchors."""
        cache: dict[tuple[str, int], bool] = {}  # (query, entry id) -> matched
        results: list[Outcome] = []
        mine = {s.user_id: s for s in subscribers if s.user_id in self._by_user}
        every_entry = {  # in order once for the feed, not for each entry
            user_id: _in_order(rules)
            for user_id, subscriber in mine.items()
            if (rules := self._by_user[user_id].for_feed(feed_id, subscriber))
        }
        # A user whose every-entry rules all need a needle, and none keeps only, has nothing
        # done to an entry without one of their anchors: they are found by anchor, as `hits`.
        ungated: set[int] = set()
        gated: dict[int, set[int]] = {}
        for user_id, rules in every_entry.items():
            if any(c.anchor is None or "keep" in c.rule.actions for c in rules):
                ungated.add(user_id)
            else:
                for compiled in rules:
                    assert compiled.anchor is not None  # as `any` above found
                    gated.setdefault(compiled.anchor, set()).add(user_id)
        # The anchors that can make anyone be decided: an entry with none of them, and no
        # ungated user, is passed by with one test (most entries are).
        watched = (self._anchors | gated.keys()) if gated else self._anchors
        for entry in new:
            found = self._present(entry)
            if not ungated and found.isdisjoint(watched):
                continue
            hits: dict[int, list[_Compiled]] = {}
            for anchor in found & self._anchors:  # an intersection in C
                for compiled in self._by_anchor[anchor]:
                    if compiled.rule.user_id in mine:
                        hits.setdefault(compiled.rule.user_id, []).append(compiled)
            deciding = hits.keys() | ungated
            for anchor in found & gated.keys():
                deciding |= gated[anchor]
            shared: list[EntryFacts] = []  # what a shared query reads, made when one does
            for user_id in deciding:
                always, hit = every_entry.get(user_id, []), hits.get(user_id, [])
                # The usual case, one rule or only the feed's, needs no sorting.
                if not hit:
                    rules = always
                elif not always and len(hit) == 1:
                    rules = hit
                else:
                    rules = _in_order(always + hit)
                outcome = _decide(mine[user_id], feed_id, rules, entry, shared, cache, found)
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
                    site,
                    feed_id,
                    self._site,
                    entry,
                    [_facts(feed_id, site, entry)],
                    {},
                    self._present(entry),
                )
            )
            is not None
            and outcome.hidden
        ]


# RE2 refuses to compile a set past a size its memory budget sets: with the default 8 MB,
# about 90,000 characters of patterns (8,000 needles of 10 characters compile, 10,000 do not), so
# two users' 600 rules of long phrases stopped every refresh. And on real text a set's automaton,
# built as it scans, outgrows a small budget: for 2,000 needles drawn from the real-world corpus
# one set scanned an entry in 40 µs with 8 MB, 6 µs with 16 MB or more (benchmarks/rules.py's
# fourth table). So each set gets 32 MB (taken as the automaton grows: 15,000 needles added
# 40 MB to the process) and holds at most a third of what compiles with it (310,000 characters).
_SET_MEMORY: Final = 32 << 20
_SET_CHARACTERS: Final = 100_000
_SET_NEEDLES: Final = 3_000


def needle_chunks(patterns: Sequence[str]) -> list[list[str]]:
    """Return `patterns` in consecutive groups small enough for one `needle_set` each."""
    chunks: list[list[str]] = []
    size = 0
    for pattern in patterns:
        if not chunks or size + len(pattern) > _SET_CHARACTERS or len(chunks[-1]) >= _SET_NEEDLES:
            chunks.append([])
            size = 0
        chunks[-1].append(pattern)
        size += len(pattern)
    return chunks


def needle_set(patterns: Sequence[str]) -> Any:
    """A compiled RE2 set of the patterns (None for none); a match's hits are their indexes.
    Case matters: needles and the texts they are looked for in are both folded, and a
    case-sensitive set scans about 20% faster."""
    if not patterns:
        return None
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _SET_MEMORY
    found = re2.Set.SearchSet(options)
    for pattern in patterns:
        found.Add(pattern)
    found.Compile()
    return found


# A shared query reads nothing of the user: one EntryFacts an entry serves every user.
_NOBODY = Subscriber(user_id=0, feed_titles=())


def _facts(
    feed_id: int,
    subscriber: Subscriber,
    entry: NewEntry,
    read: bool = False,
    starred: bool = False,
    labels: Iterable[str] = (),
) -> EntryFacts:
    return EntryFacts(
        entry_id=entry.entry_id,
        feed_id=feed_id,
        feed_titles=subscriber.feed_titles,
        categories=subscriber.categories,
        labels=frozenset(labels),
        title=entry.title,
        summary_text=entry.summary_text,
        content_text=entry.content_text,
        author=entry.author,
        url=entry.url,
        sort_at=entry.sort_at,
        read=read,
        starred=starred,
    )


def _decide(
    subscriber: Subscriber,
    feed_id: int,
    rules: Sequence[_Compiled],
    entry: NewEntry,
    shared: list[EntryFacts],
    cache: dict[tuple[str, int], bool],
    present: set[int],
) -> Outcome | None:
    """Apply `rules` in order to one entry for `subscriber`; None when none of them did
    anything. A later rule sees what earlier ones did (labels added, read, starred): the user's
    facts are made only for a rule whose query reads them; a shared one reads `shared`, the
    entry's facts for every user, made by the first rule that reads them (most entries reach
    no rule past its needles)."""
    read = starred = hidden = send = False
    labels: list[str] = []
    for compiled in rules:
        if not compiled.needles <= present:
            matched = False  # a string it needs is not in the entry
        elif compiled.shared:
            key = (compiled.rule.query, entry.entry_id)
            known = cache.get(key)
            if known is None:
                if not shared:
                    shared.append(_facts(feed_id, _NOBODY, entry))
                known = cache[key] = compiled.matcher(shared[0])
            matched = known
        else:
            facts = _facts(feed_id, subscriber, entry, read, starred, labels)
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
    if not (read or starred or hidden or labels or send):
        return None
    return Outcome(
        subscriber.user_id, entry.entry_id, read, starred, hidden, tuple(labels), send=send
    )
