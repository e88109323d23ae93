"""Signed media-proxy paths: `/proxy/<signature>/<URL in base64url>`.

The signature is HMAC-SHA256 over the exact URL under a key derived from the secret key for this
one purpose, so a signature made for one URL never opens another, and a session key never signs a
proxy URL (nor the reverse).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

PREFIX = "/proxy/"


class ProxySigner:
    """Makes and checks proxy paths under one secret key."""

    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ValueError("the media proxy needs settings.secret_key to sign URLs")
        self._key = hashlib.sha256(b"tidings media proxy v1\0" + secret_key.encode()).digest()

    def path(self, url: str) -> str:
        """The proxy path that serves `url`."""
        encoded = _b64(url.encode())
        return f"{PREFIX}{self._sign(url)}/{encoded}"

    def url_of(self, signature: str, encoded: str) -> str | None:
        """The URL a path's two parts name when the signature is right for it; None otherwise."""
        if len(encoded) > 8_000:
            return None
        try:
            url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(signature.encode(), self._sign(url).encode()):
            return None
        return url

    def _sign(self, url: str) -> str:
        return _b64(hmac.new(self._key, url.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
