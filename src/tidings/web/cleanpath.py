"""Paths with repeated slashes are served as their clean form (`//v1/feeds` is `/v1/feeds`).

Client apps build URLs as base URL + path, and a base URL configured with a trailing slash (as
several apps' docs show it) gives `https://site//v1/feeds`. Miniflux's router cleans such paths,
so those apps work there; without this they got 404s here and reported "no feeds". The path is
rewritten in place rather than redirected: a redirect would turn a client's POST into a GET.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

_SLASHES = re.compile(r"//+")
_RAW_SLASHES = re.compile(rb"//+")


def clean_path(path: str) -> str:
    """The path with every run of slashes made one."""
    return _SLASHES.sub("/", path)


class CleanPathMiddleware:
    """Rewrites `scope["path"]` (and `raw_path`) to its clean form before routing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and "//" in scope["path"]:
            scope = dict(scope)
            scope["path"] = clean_path(scope["path"])
            raw = scope.get("raw_path")
            if isinstance(raw, bytes):
                scope["raw_path"] = _RAW_SLASHES.sub(b"/", raw)
        await self.app(scope, receive, send)
