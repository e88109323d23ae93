"""API passwords: storage (argon2 hash and Fever key) and `tidings user api-password`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tidings.accounts import AccountError, create_user
from tidings.cli import cli
from tidings.store import NotFound, Store
from tidings.store.apipasswords import fever_key


def test_set_and_check(store: Store) -> None:
    alice = create_user(store, "alice", "login password")
    bob = create_user(store, "bob", "login password")
    assert store.api_passwords.check_greader("alice", "api password") is None
    assert store.api_passwords.secret_of(alice.id) is None
    store.api_passwords.set_api_password(alice.id, "alice", "api password")
    assert store.api_passwords.check_greader("alice", "api password") == alice
    assert store.api_passwords.check_greader("alice", "login password") is None
    assert store.api_passwords.check_greader("nobody", "api password") is None
    key = fever_key("alice", "api password")
    assert store.api_passwords.user_by_fever_key(key) == alice
    assert store.api_passwords.user_by_fever_key(key.upper()) == alice
    assert store.api_passwords.user_by_fever_key(fever_key("bob", "api password")) is None
    assert store.api_passwords.user_by_fever_key("short") is None
    with pytest.raises(ValueError, match="at least"):
        store.api_passwords.set_api_password(bob.id, "bob", "short")
    with pytest.raises(NotFound):
        store.api_passwords.set_api_password(bob.id, "alice", "long enough")
    store.api_passwords.clear(alice.id)
    assert store.api_passwords.user_by_fever_key(key) is None
    assert store.api_passwords.check_greader("alice", "api password") is None


def test_cli_sets_the_api_password(database_url: str, tmp_path: Path, store: Store) -> None:
    alice = create_user(store, "alice", "login password")
    env = {"TIDINGS_DATABASE_URL": database_url, "TIDINGS_DATA_DIR": str(tmp_path / "data")}
    runner = CliRunner()
    done = runner.invoke(
        cli, ["user", "api-password", "alice", "--password", "phone app pass"], env=env
    )
    assert done.exit_code == 0, done.output
    assert "API password set for alice" in done.output
    assert store.api_passwords.check_greader("alice", "phone app pass") == alice
    prompted = runner.invoke(
        cli, ["user", "api-password", "alice"], env=env, input="second pass\nsecond pass\n"
    )
    assert prompted.exit_code == 0, prompted.output
    assert store.api_passwords.check_greader("alice", "second pass") == alice
    missing = runner.invoke(cli, ["user", "api-password", "zed", "--password", "x" * 9], env=env)
    assert missing.exit_code == 1 and "no user named" in missing.output
    weak = runner.invoke(cli, ["user", "api-password", "alice", "--password", "x"], env=env)
    assert weak.exit_code == 1 and "at least" in weak.output


def test_a_fever_key_never_tells_another_users_api_password(store: Store) -> None:
    # Decoys first, so that no user's id is another's by chance.
    for n in range(3):
        create_user(store, f"decoy{n}", "login password")
    # "x:y" with API password "P" and "x" with "y:P" would share md5("x:y:P"): names with ":"
    # are refused now, but one made before (here through the store) keeps its name.
    legacy = store.users.add("x:y", "unused hash")
    store.api_passwords.set_api_password(legacy.id, "x:y", "secret123")
    x = create_user(store, "x", "login password")
    # Setting "y:secret123" failed on the unique index (a 500) where a wrong guess did not:
    # an oracle for the other user's API password. Both are now accepted alike.
    for guess in ("y:wrongguess", "y:secret123"):
        store.api_passwords.set_api_password(x.id, "x", guess)
        assert store.api_passwords.user_by_fever_key(fever_key("x", guess)) == x
    # The name with ":" has no Fever key (Google Reader's login still works for it): the md5
    # its key would be is x's, and it gives x.
    assert store.api_passwords.check_greader("x:y", "secret123") == legacy
    assert store.api_passwords.user_by_fever_key(fever_key("x:y", "secret123")) == x


def test_a_user_name_holds_no_colon(store: Store) -> None:
    with pytest.raises(AccountError, match="without spaces or ':'"):
        create_user(store, "x:y", "login password")
    assert [u.name for u in store.users.all()] == []
