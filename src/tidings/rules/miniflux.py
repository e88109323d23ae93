"""Miniflux's filter settings as tidings rules, and back.

Miniflux has a feed's `blocklist_rules` and `keeplist_rules` (one regular expression, RE2 syntax,
matched against the entry's title, URL, author and tags) and a user's
`block_filter_entry_rules` / `keep_filter_entry_rules` (lines of `Field=regex`, Field one of
EntryTitle, EntryURL, EntryContent, EntryAuthor, ...). tidings stores each as a rule of the user,
named so it can be found and echoed back:

- a feed's block list: a rule "miniflux:blocklist" scoped to the feed, query `any:/regex/`,
  action block; its keep list: "miniflux:keeplist", action keep. `any:` is the title, the text,
  the author and the link: the text stands in for Miniflux's tags, which tidings does not match.
- each line of the user's filter rules: a rule "miniflux:block_filter" (or keep_filter) over all
  the user's feeds, query `title:/regex/` (url:, content:, author: by the field).

A leading `(?i)` (Miniflux's way of ignoring case) becomes the language's `/…/i`; other inline
flags are refused, as any pattern outside the language's part of RE2 (tidings.rules.regex).
"""

from __future__ import annotations

from typing import Literal

from tidings.errors import InvalidInput
from tidings.rules.model import Action, Rule, RuleDraft, checked_rule

FeedList = Literal["blocklist", "keeplist"]
UserList = Literal["block_filter", "keep_filter"]
PREFIX = "miniflux:"
_FIELDS = {
    "EntryTitle": "title",
    "EntryURL": "url",
    "EntryContent": "content",
    "EntryAuthor": "author",
}
_NAMES = {field: name for name, field in _FIELDS.items()}
_ACTION: dict[str, Action] = {
    "blocklist": "block",
    "keeplist": "keep",
    "block_filter": "block",
    "keep_filter": "keep",
}


def _pattern_query(field: str, pattern: str) -> str:
    ignore_case = pattern.startswith("(?i)")
    body = pattern[4:] if ignore_case else pattern
    return f"{field}:/{body.replace('/', chr(92) + '/')}/" + ("i" if ignore_case else "")


def _query_pattern(query: str) -> tuple[str, str]:
    """(field, Miniflux pattern) of a query this module wrote."""
    field, _, rest = query.partition(":/")
    ignore_case = rest.endswith("/i")
    body = rest[: -2 if ignore_case else -1].replace(chr(92) + "/", "/")
    return field, ("(?i)" if ignore_case else "") + body


def feed_list_draft(kind: FeedList, feed_id: int, pattern: str) -> RuleDraft | None:
    """The rule for a feed's block or keep list (None: the list is emptied); InvalidInput when
    the pattern is not one tidings can run."""
    pattern = pattern.strip()
    if not pattern:
        return None
    draft = RuleDraft(
        name=PREFIX + kind,
        query=_pattern_query("any", pattern),
        scope="feed",
        scope_id=feed_id,
        actions=(_ACTION[kind],),
    )
    try:
        return checked_rule(draft, is_admin=False)
    except InvalidInput as exc:
        raise InvalidInput(f"{kind}_rules: {exc}") from None


def feed_list_text(rules: list[Rule], kind: FeedList, feed_id: int) -> str:
    """The feed's block or keep list as Miniflux writes it ("" when there is none)."""
    for rule in rules:
        if rule.name == PREFIX + kind and rule.scope == "feed" and rule.scope_id == feed_id:
            return _query_pattern(rule.query)[1]
    return ""


def user_list_drafts(kind: UserList, text: str) -> list[RuleDraft]:
    """The rules of the user's block or keep filter, a line each; InvalidInput for a line that
    is not `Field=regex` with a field tidings matches."""
    drafts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, separator, pattern = line.strip().partition("=")
        field = _FIELDS.get(name)
        if not separator or field is None:
            known = ", ".join(_FIELDS)
            raise InvalidInput(f"{kind}_entry_rules line {number}: write Field=regex ({known})")
        draft = RuleDraft(
            name=PREFIX + kind, query=_pattern_query(field, pattern), actions=(_ACTION[kind],)
        )
        try:
            drafts.append(checked_rule(draft, is_admin=False))
        except InvalidInput as exc:
            raise InvalidInput(f"{kind}_entry_rules line {number}: {exc}") from None
    return drafts


def user_list_text(rules: list[Rule], kind: UserList) -> str:
    """The user's block or keep filter as Miniflux writes it."""
    lines = []
    for rule in rules:
        if rule.name == PREFIX + kind and rule.scope == "all":
            field, pattern = _query_pattern(rule.query)
            lines.append(f"{_NAMES[field]}={pattern}")
    return "\n".join(lines)
