"""Credentials sealed at rest: Fernet (AES-128-CBC + HMAC) under a key derived by HKDF from the
site's secret key, so a copy of the database alone does not give away anyone's passwords."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tidings.errors import UserError

_INFO = b"tidings integrations credentials v1"
MASK = "••••••"


class CannotUnseal(UserError):
    """A sealed value that this secret key did not seal (the key changed, or the data)."""


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, value: str) -> str:
    """Return `value` encrypted and authenticated under a key derived from `secret_key`."""
    return _fernet(secret_key).encrypt(value.encode()).decode()


def unseal(secret_key: str, sealed: str) -> str:
    """Return the value `seal` sealed; CannotUnseal if it was not sealed with this key."""
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise CannotUnseal(
            "A stored credential cannot be read (was the secret key changed?). Enter it again."
        ) from None


def mask(value: str) -> str:
    """Return what the UI shows of a secret: a fixed mask, its last two characters at most."""
    if len(value) < 8:
        return MASK
    return MASK + value[-2:]
