"""The one request path of the three client APIs: authenticate, limit, read the body within its
cap, run the handler off the event loop, and turn what it raises into the API's own refusal.

Each API describes itself as a `Protocol` (how it finds the user, the shape of its refusals, its
body cap); `serve` does the rest the same way for all three. Before, Miniflux, Google Reader and
Fever each had a copy of this path, and the copies had drifted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from tidings.api.common import ApiError
from tidings.app.signin_limits import TooManyAttempts
from tidings.errors import UserError
from tidings.model import User
from tidings.numerals import whole_number
from tidings.store import Conflict, NotFound

Refuse = Callable[[int, str], Response]


class BodyTooLarge(Exception):
    """The request's body is over the API's cap."""


@dataclass(frozen=True, slots=True)
class Protocol:
    """What differs between the client APIs on the way to a handler.

    `authenticate(request, body)` gives the user or None (it may raise TooManyAttempts);
    `body_first` reads the body before that (Fever's credential is in the form). `refuse`
    makes an error of the API (status, message); `refuse_sign_in` one for a refused sign-in.
    """

    authenticate: Callable[[Request, bytes], Awaitable[User | None]]
    refuse: Refuse
    refuse_sign_in: Refuse
    max_body: int
    body_first: bool = False
    unauthorized: str = "Access Unauthorized"
    forbidden: str = "Access Forbidden"
    too_many: str = "Too many failed attempts; try again later"


async def capped_body(request: Request, limit: int) -> bytes:
    """The request's body; BodyTooLarge as soon as it passes `limit` bytes (never read whole)."""
    declared = request.headers.get("content-length", "")
    announced = whole_number(declared)
    if announced is not None and announced > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # Starlette's cache: request.form() and .json() read it from there
    return body


async def serve(
    request: Request,
    protocol: Protocol,
    handle: Callable[[User, bytes], Awaitable[Response]],
    *,
    admin: bool = False,
) -> Response:
    """The response to an API request: `handle(user, body)` once the request passed, or the
    protocol's refusal (401, 403, 413, 429, and 400/404/409 for what the handler refused; an
    API whose client knows no 409, as Miniflux, turns Conflict into its own answer first)."""
    body = b""
    user: User | None = None
    try:
        if protocol.body_first:
            body = await capped_body(request, protocol.max_body)
        try:
            user = await protocol.authenticate(request, body)
        except TooManyAttempts as refused:
            reply = protocol.refuse_sign_in(429, protocol.too_many)
            reply.headers["Retry-After"] = str(refused.retry_after)
            return reply
        if user is None:
            return protocol.refuse_sign_in(401, protocol.unauthorized)
        if admin and not user.is_admin:
            return protocol.refuse(403, protocol.forbidden)
        if not protocol.body_first:
            body = await capped_body(request, protocol.max_body)
    except BodyTooLarge:
        refuse = protocol.refuse if user is not None else protocol.refuse_sign_in
        return refuse(413, "the request body is too large")
    try:
        return await handle(user, body)
    except ApiError as exc:
        return protocol.refuse(exc.status, exc.message)
    except NotFound as exc:
        return protocol.refuse(404, str(exc) or "Resource Not Found")
    except Conflict as exc:
        return protocol.refuse(409, str(exc))
    except UserError as exc:  # InvalidInput, LimitReached, AccountError, SubscriptionError…
        return protocol.refuse(400, str(exc))
