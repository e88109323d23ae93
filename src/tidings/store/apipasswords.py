"""Queries on API passwords: the second password Google Reader and Fever clients sign in with.

As FreshRSS does, a user's API password is distinct from their login password: it is typed into
phone apps, and Fever's protocol exposes it to a weak hash. Two forms are kept on `users`:
`api_password_hash` (argon2, checked by Google Reader's ClientLogin) and `fever_key`, the md5 hex
of "name:api password" that Fever clients send as their credential (so it is a password
equivalent: a leaked database leaks Fever access, never the login password).
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from tidings.errors import InvalidInput
from tidings.model import User
from tidings.store.database import read_transaction, write_transaction
from tidings.store.errors import NotFound
from tidings.store.rows import user_from_row
from tidings.store.schema import users

MIN_API_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()
# Checked when the user has no API password, so that the check costs the same either way: the
# hash of "tidings-no-such-api-user", a constant rather than a hash computed at import (~0.2 s
# for every process importing the store). tests/unit/test_dummy_hashes.py holds it to
# `_hasher`'s parameters, on which the check's cost depends.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$/nqLPo47VEAFVnnxlIjuwg$"
    "cfHQT00QSC8jD/5F7qfrXzMWbP4MgR4/NTTNg0Rq/MQ"
)
_USER_COLUMNS = (users.c.id, users.c.name, users.c.is_admin, users.c.created_at)


def fever_key(name: str, password: str) -> str:
    """The Fever `api_key` of a user: md5 hex of "name:password" (the protocol's definition)."""
    return hashlib.md5(f"{name}:{password}".encode(), usedforsecurity=False).hexdigest()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class ApiPasswordQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def set_api_password(self, user_id: int, name: str, password: str) -> None:
        """Give the user `name` (id `user_id`) a new API password, replacing the old one.

        ValueError when the password is too short; NotFound when no such user.
        """
        if len(password) < MIN_API_PASSWORD_LENGTH:
            raise InvalidInput(
                f"an API password needs at least {MIN_API_PASSWORD_LENGTH} characters"
            )
        values = {
            "api_password_hash": _hasher.hash(password),
            # A name with ":" (made before names refused it) gets no Fever key: its key could
            # be another user's ("x:y" with "P" and "x" with "y:P" are both md5("x:y:P")), and
            # setting one would then fail on the unique index, telling "x" the other's password.
            "fever_key": None if ":" in name else fever_key(name, password),
        }
        with write_transaction(self._engine) as conn:
            result = conn.execute(
                sa.update(users).where(users.c.id == user_id, users.c.name == name).values(values)
            )
            if result.rowcount == 0:
                raise NotFound(f"no user {name!r} with id {user_id}")

    def clear(self, user_id: int) -> None:
        """Remove the user's API password: Google Reader and Fever clients are refused."""
        with write_transaction(self._engine) as conn:
            conn.execute(
                sa.update(users)
                .where(users.c.id == user_id)
                .values(api_password_hash=None, fever_key=None)
            )

    def check_greader(self, name: str, password: str) -> User | None:
        """The user when `password` is their API password, else None (same cost either way)."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(
                sa.select(*_USER_COLUMNS, users.c.api_password_hash).where(users.c.name == name)
            ).first()
        if row is None or row.api_password_hash is None:
            _verify(_DUMMY_HASH, password)
            return None
        return user_from_row(row) if _verify(row.api_password_hash, password) else None

    def secret_of(self, user_id: int) -> tuple[User, str] | None:
        """The user and their API password hash (to sign and check tokens), or None."""
        with read_transaction(self._engine) as conn:
            row = conn.execute(
                sa.select(*_USER_COLUMNS, users.c.api_password_hash).where(users.c.id == user_id)
            ).first()
        if row is None or row.api_password_hash is None:
            return None
        return user_from_row(row), str(row.api_password_hash)

    def user_by_fever_key(self, key: str) -> User | None:
        """The user whose Fever key this is (md5 hex, any case), or None."""
        key = key.strip().lower()
        if len(key) != 32:
            return None
        with read_transaction(self._engine) as conn:
            row = conn.execute(sa.select(*_USER_COLUMNS).where(users.c.fever_key == key)).first()
        return None if row is None else user_from_row(row)
