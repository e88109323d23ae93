from __future__ import annotations

import pytest

from tidings.accounts import AccountError, authenticate, create_user
from tidings.store import Conflict, NotFound, Store


def test_users_and_passwords(store: Store) -> None:
    admin = create_user(store, "ada", "correct horse", is_admin=True)
    assert admin.is_admin
    assert authenticate(store, "ada", "correct horse") == admin
    assert authenticate(store, "ada", "wrong password") is None
    assert authenticate(store, "nobody", "correct horse") is None
    with pytest.raises(AccountError, match="exists already"):
        create_user(store, "ada", "another pass")
    with pytest.raises(AccountError, match="at least 8"):
        create_user(store, "bob", "short")
    with pytest.raises(AccountError, match="without spaces"):
        create_user(store, "b o b", "long enough")
    assert [u.name for u in store.users.all()] == ["ada"]
    store.users.remove(admin.id)
    with pytest.raises(NotFound):
        store.users.get(admin.id)


def test_categories(store: Store) -> None:
    feed = store.feeds.add("https://example.org/a")
    cats = store.categories.set_for_feed(feed.id, ["World", "News", "World", " "])
    assert [c.name for c in cats] == ["News", "World"]
    assert [c.name for c in store.categories.set_for_feed(feed.id, ["News"])] == ["News"]
    # "World" stays as an empty category; links are replaced, categories kept.
    assert [(c.name, c.feed_count) for c in store.categories.all()] == [("News", 1), ("World", 0)]
    extra = store.categories.add("Sport")
    with pytest.raises(Conflict):
        store.categories.add("Sport")
    with pytest.raises(Conflict):
        store.categories.rename(extra.id, "News")
    assert store.categories.rename(extra.id, "Sports").name == "Sports"
    store.categories.remove(extra.id)
    with pytest.raises(NotFound):
        store.categories.get(extra.id)
    store.feeds.remove(feed.id)
    assert store.categories.by_feed() == {}
