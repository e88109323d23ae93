"""Passwords: argon2 hashes, and the checks a new password must pass."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tidings.errors import UserError
from tidings.model import User
from tidings.store import Conflict, Store

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8


class AccountError(UserError, ValueError):
    """A user name or password that cannot be used; the message is for the user."""


def hash_password(password: str) -> str:
    """The argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str) -> None:
    """Raise AccountError when the password is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def create_user(store: Store, name: str, password: str, *, is_admin: bool = False) -> User:
    """The new user, password hashed; AccountError for a bad or taken name or a weak password."""
    name = name.strip()
    # No ":": HTTP Basic credentials are "name:password" split at the first colon (RFC 7617),
    # and a Fever key is the md5 of "name:password", so "x" with password "y:P" would have the
    # key of "x:y" with password "P".
    if not name or len(name) > 100 or any(c.isspace() or c == ":" for c in name):
        raise AccountError("a user name is 1 to 100 characters without spaces or ':'")
    check_new_password(password)
    try:
        return store.users.add(name, hash_password(password), is_admin=is_admin)
    except Conflict as exc:
        raise AccountError(str(exc)) from None


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user when name and password match, else None (same cost either way)."""
    found = store.users.credentials(name)
    if found is None:
        # Hash anyway so that response time does not tell which user names exist.
        verify_password(_DUMMY_HASH, password)
        return None
    user, password_hash = found
    return user if verify_password(password_hash, password) else None


# The hash checked when no such user exists, so that the check costs the same either way. A
# constant (the hash of "tidings-no-such-user"), not computed at import: hashing at import cost
# every process that imports this module ~0.2 s. It must carry `_hasher`'s parameters, or its
# check would cost a different time: tests/unit/test_dummy_hashes.py holds it to them.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$s2WP5n3j2n6dhPfv/lrwaA$"
    "DChI23sZYCSfhIH5FWk/zA5hekkbvngObWfaZbSm7r4"
)
