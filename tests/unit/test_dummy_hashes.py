"""The dummy hashes checked for unknown users are constants: they must stay true argon2 hashes
made with the hashers' own parameters, or checking one would cost a different time than checking
a real user's hash (and tell which names exist)."""

from __future__ import annotations

from types import ModuleType

import pytest

from tidings import accounts
from tidings.store import apipasswords


@pytest.mark.parametrize(
    ("module", "plaintext"),
    [(accounts, "tidings-no-such-user"), (apipasswords, "tidings-no-such-api-user")],
)
def test_dummy_hash_has_the_hashers_parameters(module: ModuleType, plaintext: str) -> None:
    hasher = module._hasher
    assert not hasher.check_needs_rehash(module._DUMMY_HASH)
    assert hasher.verify(module._DUMMY_HASH, plaintext)
