"""What a rule is: a query of the search language, a scope and actions; and its checks.

A rule is a saved search with actions. Its query selects entries (tidings.search_query); its
scope says which: "all" (every feed the user subscribes to), "feed" or "category" (one of the
user's, `scope_id`), "site" (an administrator's: every feed, for what the public site
publishes). Actions, applied in the rules' order to each new entry the query matches:

- block: the entry is never shown to the user (hidden and read); for the site scope, it is never
  published (public pages, output feeds);
- keep: "keep only" — the entries the query does NOT match are blocked;
- read, star: mark it so;
- label: add the rule's labels;
- send: send the entry to each of the user's enabled integrations (tidings.integrations: a
  webhook, a read-later app), queued as the entry is written, sent by the delivery worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from tidings.errors import InvalidInput
from tidings.reading.limits import label_name, one_line
from tidings.search_query import SearchQuery, parse_query

Scope = Literal["all", "feed", "category", "site"]
Action = Literal["block", "keep", "read", "star", "label", "send"]
SCOPES: tuple[str, ...] = get_args(Scope)
ACTIONS: tuple[str, ...] = get_args(Action)
SITE_ACTIONS = ("block", "keep")  # what publishing can do: publish an entry or not
MAX_NAME_LENGTH = 100
MAX_LABELS = 10
MAX_RULES_PER_USER = 500


@dataclass(frozen=True, slots=True)
class RuleDraft:
    """A rule as a person writes it, checked (`checked_rule`) before it is stored."""

    name: str
    query: str
    scope: Scope = "all"
    scope_id: int | None = None
    actions: tuple[Action, ...] = ()
    labels: tuple[str, ...] = ()
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    user_id: int
    position: int
    name: str
    query: str
    scope: Scope
    scope_id: int | None
    actions: tuple[Action, ...]
    labels: tuple[str, ...]
    enabled: bool
    created_at: datetime
    updated_at: datetime

    @property
    def parsed(self) -> SearchQuery:
        """The rule's query, parsed (it was checked when stored)."""
        return parse_query(self.query, require_terms=False)


def check_scope(draft: RuleDraft) -> None:
    """InvalidInput when the draft's scope is unknown, or is a feed or category without one
    (the rules page's preview checks this much before it previews)."""
    if draft.scope not in SCOPES:
        raise InvalidInput(f"a rule's scope is one of {', '.join(SCOPES)}")
    if draft.scope in ("feed", "category") and draft.scope_id is None:
        raise InvalidInput(f"choose the {draft.scope} the rule is for")


def checked_rule(draft: RuleDraft, *, is_admin: bool) -> RuleDraft:
    """The draft with its name and labels trimmed; InvalidInput (a message for the person) when
    the query is malformed, no action is chosen, the scope needs an id it lacks, the site scope is
    asked by a non-administrator or with an action publishing cannot do, or a limit is passed."""
    name = one_line(draft.name) or draft.query.strip()[:MAX_NAME_LENGTH]
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"a rule's name has at most {MAX_NAME_LENGTH} characters")
    parse_query(draft.query, require_terms=False)  # SearchQueryError is an InvalidInput's kin
    check_scope(draft)
    actions = tuple(dict.fromkeys(draft.actions))
    if not actions:
        raise InvalidInput("choose at least one action")
    unknown = [a for a in actions if a not in ACTIONS]
    if unknown:
        raise InvalidInput(f"unknown action {unknown[0]!r} (actions: {', '.join(ACTIONS)})")
    if "block" in actions and "keep" in actions:
        raise InvalidInput("a rule blocks what matches or keeps only what matches, not both")
    if draft.scope == "site":
        if not is_admin:
            raise InvalidInput("only administrators write rules for the public site")
        if any(a not in SITE_ACTIONS for a in actions):
            raise InvalidInput("a rule for the public site can only block or keep entries")
    labels = tuple(dict.fromkeys(label_name(label) for label in draft.labels if label.strip()))
    if "label" in actions and not labels:
        raise InvalidInput("name the label(s) the rule adds")
    if "label" not in actions:
        labels = ()
    if len(labels) > MAX_LABELS:
        raise InvalidInput(f"a rule adds at most {MAX_LABELS} labels")
    scope_id = draft.scope_id if draft.scope in ("feed", "category") else None
    return RuleDraft(
        name, draft.query.strip(), draft.scope, scope_id, actions, labels, draft.enabled
    )
