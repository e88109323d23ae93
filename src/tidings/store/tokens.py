"""Random credentials and their stored form, shared by API keys, sessions and feed tokens."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A fresh credential: 256 random bits, URL-safe text."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token.

    Tokens are 256 random bits, so a fast hash suffices (nothing to brute-force) and a request
    finds its row with one indexed lookup. The token itself is shown once and never kept.
    """
    return hashlib.sha256(token.encode()).hexdigest()
