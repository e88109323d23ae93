from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings.store import NotFound, Store

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def test_create_list_authenticate_revoke(store: Store) -> None:
    ada = store.users.add("ada", "x")
    bob = store.users.add("bob", "x")
    key, token = store.api_keys.create(ada.id, "  Reeder on the phone ")
    assert key.name == "Reeder on the phone"
    assert len(token) >= 40
    assert [k.id for k in store.api_keys.of_user(ada.id)] == [key.id]
    assert store.api_keys.of_user(bob.id) == []
    assert store.api_keys.authenticate(token, NOW) == ada
    assert store.api_keys.authenticate(token + "x", NOW) is None
    assert store.api_keys.of_user(ada.id)[0].last_used_at == NOW
    # Used again within a minute: no write, the time stays.
    store.api_keys.authenticate(token, NOW + timedelta(seconds=30))
    assert store.api_keys.of_user(ada.id)[0].last_used_at == NOW
    store.api_keys.authenticate(token, NOW + timedelta(minutes=2))
    assert store.api_keys.of_user(ada.id)[0].last_used_at == NOW + timedelta(minutes=2)
    with pytest.raises(NotFound):
        store.api_keys.revoke(bob.id, key.id)  # not bob's key
    store.api_keys.revoke(ada.id, key.id)
    assert store.api_keys.authenticate(token, NOW) is None


def test_the_token_is_not_stored(store: Store) -> None:
    user = store.users.add("ada", "x")
    _key, token = store.api_keys.create(user.id, "cli")
    with store.engine.connect() as conn:
        dump = "".join(str(row) for row in conn.exec_driver_sql("SELECT * FROM api_keys"))
    assert token not in dump


def test_a_name_is_required(store: Store) -> None:
    user = store.users.add("ada", "x")
    with pytest.raises(ValueError, match="needs a name"):
        store.api_keys.create(user.id, "  ")
