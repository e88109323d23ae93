"""The WebSub callback, `/websub/{token}`: a hub's verification of intent (GET) and its
deliveries (POST). The decisions are `tidings.websub.protocol`'s; deliveries are only queued."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tidings.api.endpoint import BodyTooLarge, capped_body
from tidings.store.websub import DENIED, PENDING_SUBSCRIBE, SUBSCRIBED
from tidings.web.site import Site
from tidings.websub.protocol import signature_valid, verify_intent
from tidings.websub.service import Delivery, WebSub

log = logging.getLogger(__name__)

MAX_TOKEN = 100  # ours are 32 characters; anything far longer is not one


def _service(request: Request) -> WebSub | None:
    service: WebSub | None = getattr(request.app.state, "websub", None)
    return service


def _not_found() -> Response:
    return PlainTextResponse("No such subscription.", status_code=404)


async def verify(request: Request) -> Response:
    """The hub's GET: the challenge echoed for a subscription we asked for, else 404."""
    site: Site = request.app.state.site
    token = request.path_params["token"]
    if len(token) > MAX_TOKEN:
        return _not_found()
    sub = await run_in_threadpool(site.store.websub.by_token, token)
    answer = verify_intent(sub, dict(request.query_params))
    if answer.body is None or sub is None:
        log.info("websub: refused a verification for %s", request.query_params.get("hub.topic"))
        return _not_found()
    queries = site.store.websub
    if answer.outcome == "confirmed":
        await run_in_threadpool(queries.confirm, sub.id, answer.lease_seconds, _now(request))
        log.info("websub: %s confirmed for %d s", sub.topic, answer.lease_seconds)
    elif answer.outcome == "unsubscribed":
        await run_in_threadpool(queries.delete, sub.id)
        log.info("websub: unsubscribed from %s", sub.topic)
    elif answer.outcome == "denied":
        reason = (answer.reason or "no reason given")[:300]
        error = f"The hub denied the subscription ({reason})."
        await run_in_threadpool(queries.set_state, sub.id, DENIED, error)
        log.warning("websub: the hub denied %s: %s", sub.topic, reason)
    return PlainTextResponse(answer.body)


async def deliver(request: Request) -> Response:
    """The hub's POST: 202 for any delivery to a known subscription; only a correctly signed one
    is queued (the spec has the subscriber acknowledge and ignore a bad signature)."""
    site: Site = request.app.state.site
    token = request.path_params["token"]
    if len(token) > MAX_TOKEN:
        return _not_found()
    sub = await run_in_threadpool(site.store.websub.by_token, token)
    if sub is None:
        return _not_found()
    try:
        body = await capped_body(request, site.settings.max_body_bytes)
    except BodyTooLarge:
        log.warning("websub: a push for %s was larger than max_body_bytes; refused", sub.topic)
        return PlainTextResponse("The document is too large.", status_code=413)
    accepted = PlainTextResponse("Accepted.", status_code=202)
    if not signature_valid(sub.secret, request.headers.get("x-hub-signature"), body):
        log.warning("websub: a push for %s had no valid signature; dropped", sub.topic)
        return accepted
    service = _service(request)
    if sub.feed_id is None or sub.state not in (SUBSCRIBED, PENDING_SUBSCRIBE) or service is None:
        return accepted
    if service.accept(Delivery(sub.feed_id, body, request.headers.get("content-type"))):
        await run_in_threadpool(site.store.websub.pushed, sub.id, _now(request))
    return accepted


def _now(request: Request) -> datetime:
    service = _service(request)
    return service.now() if service is not None else datetime.now(UTC)


ROUTES = [
    Route("/websub/{token}", verify, methods=["GET"]),
    Route("/websub/{token}", deliver, methods=["POST"]),
]
