"""A request whose address holds a NUL character is refused before routing (400).

No path or parameter of any front end takes one, and it broke them in more ways than one place
could catch: SQLite's full-text MATCH stops reading at a NUL ("unterminated string": the Miniflux
API's `search=` and the reader's search answered 500), and PostgreSQL compares and stores no NUL
in text (a Google Reader stream `user/-/label/a%00b` was a 500 there). Bodies are checked by
their readers: the Miniflux API's JSON (`api.miniflux.Call.json`), Google Reader's and Fever's
forms (`api.common.form_pairs`) and the web's (`web.guards.checked_form`).
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from tidings.web.errors import client_api_reply

MESSAGE = "the address holds a NUL character"


def holds_nul(scope: Scope) -> bool:
    """Return True when the request's path or query string holds NUL (raw or as %00)."""
    query = scope.get("query_string", b"")
    return "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query


class NulGuardMiddleware:
    """Answers 400 to a request whose address holds NUL, in the kind of the client API whose
    path it is (`errors.client_api_reply`), else as plain text."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not holds_nul(scope):
            await self.app(scope, receive, send)
            return
        reply = client_api_reply(scope.get("path", ""), 400, MESSAGE)
        await (reply or PlainTextResponse(f"{MESSAGE}\n", 400))(scope, receive, send)
