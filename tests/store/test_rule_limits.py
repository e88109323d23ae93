"""A reader's number of rules is bounded in the store, whichever front end writes them: `add`
(the rules page) and `replace_named` (the Miniflux API's block and keep filters, a rule a line),
on SQLite and PostgreSQL. The limit is made small here; ids never line up (decoys first)."""

from __future__ import annotations

import pytest

from support.decoys import make_decoys
from tidings.rules.model import RuleDraft, checked_rule
from tidings.store import LimitReached, Store
from tidings.store import rules as store_rules

LIMIT = 5


def draft(query: str, name: str = "") -> RuleDraft:
    return checked_rule(RuleDraft(name or query, query, actions=("block",)), is_admin=False)


@pytest.fixture
def ann(store: Store, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(store_rules, "MAX_RULES_PER_USER", LIMIT)
    make_decoys(store)
    ann = store.users.add("ann", "x").id
    store.rules.add(store.users.add("bob", "x").id, draft("bob's"))  # not Ann's count
    return ann


def test_add_stops_at_the_limit(store: Store, ann: int) -> None:
    for n in range(LIMIT):
        store.rules.add(ann, draft(f"word{n}"))
    with pytest.raises(LimitReached, match=f"at most {LIMIT} rules"):
        store.rules.add(ann, draft("one more"))
    assert len(store.rules.of_user(ann)) == LIMIT


def test_a_filter_past_the_limit_replaces_nothing(store: Store, ann: int) -> None:
    store.rules.add(ann, draft("mine"))
    named = [draft(f"title:/w{n}/", "miniflux:block_filter") for n in range(3)]
    store.rules.replace_named(ann, "miniflux:block_filter", None, named)
    assert len(store.rules.of_user(ann)) == 4

    # The three named rules are replaced: 1 + 4 fits, 1 + 5 does not.
    bigger = [draft(f"title:/v{n}/", "miniflux:block_filter") for n in range(LIMIT)]
    with pytest.raises(LimitReached, match=f"at most {LIMIT} rules"):
        store.rules.replace_named(ann, "miniflux:block_filter", None, bigger)
    kept = [r.query for r in store.rules.of_user(ann)]
    assert kept == ["mine", "title:/w0/", "title:/w1/", "title:/w2/"]  # rolled back

    store.rules.replace_named(ann, "miniflux:block_filter", None, bigger[:4])
    assert len(store.rules.of_user(ann)) == LIMIT
