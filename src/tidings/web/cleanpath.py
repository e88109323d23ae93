"""Paths with repeated slashes are served as their clean form (`//v1/feeds` is `/v1/feeds`).

Client apps build URLs as base URL + path, and a base URL configured with a trailing slash (as
several apps' docs show it) gives `https://site//v1/feeds`. Miniflux's router cleans such paths,
so those apps work there; without this they got 404s here and reported "no feeds". The path is
rewritten in place rather than redirected: a redirect would turn a client's POST into a GET.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

_SLASHES = re.compile(r"//+")
_RAW_SLASHES = re.compile(rb"//+")


def clean_path(path: str) -> str:
    """The path with every run of slashes made one."""
    return _SLASHES.sub("/", path)


class CleanPathMiddleware:
    """Rewrites `raw_path` to its clean form, and `path` from it, before routing.

    Only slashes that are literal in the request's path count: a percent-encoded one belongs
    to a path parameter (Google Reader's `stream/contents/feed/https%3A%2F%2F…`), and
    collapsing the decoded path would make that URL `https:/…`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            raw = scope.get("raw_path")
            if isinstance(raw, bytes):
                if b"//" in raw:
                    scope = dict(scope)
                    scope["raw_path"] = _RAW_SLASHES.sub(b"/", raw)
                    scope["path"] = unquote(scope["raw_path"].decode("ascii", "replace"))
            elif "//" in scope["path"]:
                scope = dict(scope, path=clean_path(scope["path"]))
        await self.app(scope, receive, send)
