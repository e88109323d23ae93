"""The Fever API under /fever/ (Reeder, Unread, Fiery Feeds, ReadKit, Fluent Reader…).

A client POSTs `api_key` = md5("name:API password") to `/fever/?api&<what>`; every reply is a JSON
object with `api_version` 3, `auth` (1 or 0) and `last_refreshed_on_time`. Groups are the user's
categories, feeds their subscriptions, items their entries (ids are entry ids: they grow with
insertion, which is what `since_id` / `max_id` paging needs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.api.auth import fever_user
from tidings.api.common import (
    MAX_ID,
    ApiError,
    JSONReply,
    form_pairs,
    from_unix,
    icon_data,
    in_thread,
    refuse_nul,
    unix,
)
from tidings.api.endpoint import Protocol, serve
from tidings.app.context import services_of
from tidings.model import User
from tidings.reading_model import Subscription, UserEntry
from tidings.store import NotFound, Store

API_VERSION = 3
PAGE = 50
MAX_BODY = 1024 * 1024


@dataclass(slots=True)
class Call:
    user: User
    store: Store
    params: dict[str, str]
    media_html: Callable[[str], str] = str  # the media proxy's rewrite of entry HTML

    @property
    def uid(self) -> int:
        return self.user.id

    def number(self, name: str, *, minimum: int = 0) -> int | None:
        value = self.params.get(name, "").strip()
        if not value:
            return None
        body = value[1:] if value.startswith("-") else value
        if not body.isascii() or not body.isdigit() or len(body) > 19:
            raise ApiError(400, f"{name} must be an integer")
        number = int(value)
        if not minimum <= number <= MAX_ID:
            raise ApiError(400, f"{name} is out of range")
        return number


def _ids(values: list[int]) -> str:
    return ",".join(str(v) for v in values)


def _feeds_groups(subs: list[Subscription]) -> list[dict[str, Any]]:
    groups: dict[int, list[int]] = {}
    for sub in subs:
        for category in sub.categories:
            groups.setdefault(category.id, []).append(sub.feed_id)
    return [{"group_id": gid, "feed_ids": _ids(fids)} for gid, fids in sorted(groups.items())]


def _item(item: UserEntry, media: Callable[[str], str] = str) -> dict[str, Any]:
    entry = item.entry
    return {
        "id": entry.id,
        "feed_id": entry.feed_id,
        "title": entry.title,
        "author": entry.author or "",
        "html": media(entry.content or entry.summary or ""),
        "url": entry.link or "",
        "is_saved": int(item.starred),
        "is_read": int(item.read),
        "created_on_time": unix(entry.published_at or entry.sort_at),
    }


def _mark(call: Call, reply: dict[str, Any]) -> None:
    kind = call.params.get("mark", "")
    action = call.params.get("as", "")
    target = call.number("id", minimum=-1)
    if target is None:
        raise ApiError(400, "id is required")
    reading = call.store.reading
    if kind == "item":
        if target < 1:
            raise ApiError(400, "id must be an item id")
        actions = {
            "read": reading.mark_read,
            "unread": reading.mark_unread,
            "saved": reading.star,
            "unsaved": reading.unstar,
        }
        if action not in actions:
            raise ApiError(400, "as must be read, unread, saved or unsaved")
        actions[action](call.uid, [target])
        if action in ("saved", "unsaved"):
            reply["saved_item_ids"] = _ids(reading.entry_ids(call.uid, starred=True))
        else:
            reply["unread_item_ids"] = _ids(reading.entry_ids(call.uid, status="unread"))
        return
    if kind not in ("feed", "group") or action != "read":
        raise ApiError(400, "mark must be item, feed or group (feeds and groups: as=read)")
    before = call.number("before", minimum=0)
    as_of = datetime.now(UTC) if before is None else from_unix(before, "before")
    try:
        if kind == "feed":
            reading.mark_feed_read(call.uid, target, as_of=as_of)
        elif target in (0, -1):  # Kindling (everything) and Sparks (none here)
            if target == 0:
                reading.mark_all_read(call.uid, as_of=as_of)
        else:
            reading.mark_category_read(call.uid, target, as_of=as_of)
    except NotFound:
        pass  # as Fever does: marking something unknown changes nothing
    reply["unread_item_ids"] = _ids(reading.entry_ids(call.uid, status="unread"))


def answer(call: Call) -> dict[str, Any]:
    """The reply to an authenticated request: every part the parameters ask for."""
    reading = call.store.reading
    params = call.params
    # Fever replies carry no per-feed unread counts: skip counting them (most of the cost).
    subs = reading.subscriptions(call.uid, with_unread=False)
    checked = [s.checked_at for s in subs if s.checked_at is not None]
    reply: dict[str, Any] = {
        "api_version": API_VERSION,
        "auth": 1,
        "last_refreshed_on_time": unix(max(checked)) if checked else 0,
    }
    if "mark" in params:
        _mark(call, reply)
        subs = reading.subscriptions(call.uid, with_unread=False)
    if "groups" in params:
        reply["groups"] = [{"id": c.id, "title": c.name} for c in reading.categories(call.uid)]
        reply["feeds_groups"] = _feeds_groups(subs)
    icons = (
        call.store.icons.ids_of_feeds(s.feed_id for s in subs)
        if "feeds" in params or "favicons" in params
        else {}
    )
    if "feeds" in params:
        reply["feeds"] = [
            {
                "id": s.feed_id,
                "favicon_id": icons.get(s.feed_id, 0),
                "title": s.display_title,
                "url": s.url,
                "site_url": s.site_url or s.url,
                "is_spark": 0,
                "last_updated_on_time": unix(s.checked_at),
            }
            for s in subs
        ]
        reply["feeds_groups"] = _feeds_groups(subs)
    if "favicons" in params:
        found = call.store.icons.many(icons.values())
        reply["favicons"] = [{"id": icon.id, "data": icon_data(icon)} for icon in found]
    if "links" in params:
        reply["links"] = []
    if "items" in params:
        with_ids = params.get("with_ids", "").strip()
        if with_ids:
            parts = [p.strip() for p in with_ids.split(",") if p.strip()]
            if len(parts) > PAGE:
                raise ApiError(400, f"with_ids: at most {PAGE} ids")
            ids = []
            for part in parts:
                if not part.isascii() or not part.isdigit() or not 1 <= int(part) <= MAX_ID:
                    raise ApiError(400, "with_ids must be comma-separated item ids")
                ids.append(int(part))
            items = reading.entries_by_id(call.uid, ids=ids, limit=PAGE)
        elif params.get("max_id", "").strip():
            # "the lowest id of locally cached items (or 0 initially)": 0 is no bound, the
            # newest items (as Miniflux reads it), not "ids below 0".
            max_id = call.number("max_id") or None
            items = reading.entries_by_id(call.uid, max_id=max_id, limit=PAGE, descending=True)
        else:
            since_id = call.number("since_id") or 0
            items = reading.entries_by_id(call.uid, since_id=since_id, limit=PAGE)
        reply["items"] = [_item(i, call.media_html) for i in items]
        reply["total_items"] = reading.count_entries(call.uid)
    if "unread_item_ids" in params:
        reply["unread_item_ids"] = _ids(reading.entry_ids(call.uid, status="unread"))
    if "saved_item_ids" in params:
        reply["saved_item_ids"] = _ids(reading.entry_ids(call.uid, starred=True))
    return reply


def _params(request: Request, body: bytes) -> dict[str, str]:
    """The query's and the form's parameters (Fever clients send either)."""
    return dict(form_pairs(request, body))


async def _user(request: Request, body: bytes) -> User | None:
    params = _params(request, body)
    if body and "multipart/" in request.headers.get("content-type", ""):
        form = await request.form()
        refuse_nul(form.multi_items())
        params.update({k: v for k, v in form.multi_items() if isinstance(v, str)})
    request.state.fever_params = params
    if "api" not in params:
        raise ApiError(400, "not the Fever API")
    key = params.get("api_key", "")
    return await fever_user(request, key) if key else None


def _refuse(status: int, message: str) -> Response:
    return JSONReply({"api_version": API_VERSION, "auth": 1, "error": message}, status_code=status)


def _refuse_sign_in(status: int, message: str) -> Response:
    # Fever clients know one refusal: auth 0 (a 200), for a wrong key and a limited one alike.
    if status in (401, 429):
        return JSONReply({"api_version": API_VERSION, "auth": 0})
    return JSONReply({"api_version": API_VERSION, "auth": 0, "error": message}, status_code=status)


PROTOCOL = Protocol(
    authenticate=_user,
    refuse=_refuse,
    refuse_sign_in=_refuse_sign_in,
    max_body=MAX_BODY,
    body_first=True,
)


async def fever(request: Request) -> Response:
    """Every Fever call: the APIs' one request path (api.endpoint.serve), Fever's replies."""

    async def handle(user: User, body: bytes) -> Response:
        services = services_of(request)
        base = services.base_url(request)
        call = Call(
            user,
            services.store,
            request.state.fever_params,
            lambda html: services.media_html(html, base),
        )
        return JSONReply(await in_thread(answer, call))

    try:
        return await serve(request, PROTOCOL, handle)
    except ApiError as exc:  # raised before sign-in: not a Fever request at all
        error = {"api_version": API_VERSION, "auth": 0, "error": exc.message}
        return JSONReply(error, status_code=exc.status)


def routes() -> list[BaseRoute]:
    return [
        Route("/fever/", fever, methods=["GET", "POST"]),
        Route("/fever", fever, methods=["GET", "POST"]),
    ]
