"""The Google Reader API as FreshRSS serves it (Reeder, NetNewsWire, Read You, FeedMe, News+…),
under /api/greader.php and at the root paths (/accounts/ClientLogin, /reader/api/0/…).

Sign-in is ClientLogin with the user's API password; requests carry `Authorization: GoogleLogin
auth=<token>` (see tidings.api.auth). Ids: an item is an entry id, shown as
`tag:google.com,2005:reader/item/<16 hex digits>` or in decimal; a feed is `feed/<id>` (a feed
URL is accepted too); a label is one of the user's categories, `user/-/label/<name>`.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.api.auth import greader_auth_header, greader_login, greader_user
from tidings.api.common import (
    MAX_ID,
    ApiError,
    JSONReply,
    form_pairs,
    from_unix,
    in_thread,
    parse_int,
)
from tidings.api.endpoint import Protocol, serve
from tidings.app.context import Services, services_of
from tidings.app.signin_limits import TooManyAttempts
from tidings.errors import UserError
from tidings.model import User
from tidings.numerals import whole_number
from tidings.reading.filters import EntryFilter
from tidings.reading.subscribing import AlreadySubscribed, subscribe
from tidings.reading_model import Cursor, Order, Status, Subscription, UserCategory, UserEntry
from tidings.store import Conflict, NotFound, Store

PREFIXES = ("/api/greader.php", "")
ITEM_PREFIX = "tag:google.com,2005:reader/item/"
STATE = "user/-/state/com.google/"
READING_LIST = STATE + "reading-list"
READ = STATE + "read"
STARRED = STATE + "starred"
KEPT_UNREAD = STATE + "kept-unread"
LABEL = "user/-/label/"
MAX_BODY = 2 * 1024 * 1024
PAGE = 500  # the most entries one query gives (store.reading.MAX_LIMIT)
MAX_ITEMS = 10_000
MAX_ITEM_IDS = 1_000


def item_id(entry_id: int) -> str:
    return f"{ITEM_PREFIX}{entry_id:016x}"


def parse_item_id(text: str) -> int:
    """An entry id from the long form, decimal, or negative decimal (a signed 64-bit view)."""
    value = text.strip()
    try:
        if value.startswith(ITEM_PREFIX):
            hex_part = value[len(ITEM_PREFIX) :]
            if not 0 < len(hex_part) <= 16:
                raise ValueError
            number = int(hex_part, 16)
        elif value.isascii() and value.startswith("-") and value[1:].isdigit() and len(value) <= 20:
            number = int(value) + 2**64
        elif value.isascii() and value.isdigit() and len(value) <= 20:
            number = int(value)
        else:
            raise ValueError
    except ValueError:
        raise ApiError(400, f"not an item id: {text[:80]!r}") from None
    if not 1 <= number <= MAX_ID:
        raise ApiError(400, f"not an item id: {text[:80]!r}")
    return number


def normalize_stream(stream: str) -> str:
    """`user/<anything>/…` as `user/-/…`: clients may put the user id in."""
    if stream.startswith("user/"):
        parts = stream.split("/", 2)
        if len(parts) == 3:
            return f"user/-/{parts[2]}"
    return stream


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def usec(moment: datetime | None) -> int:
    """Microseconds since 1970 (negative before), exactly; 0 for None."""
    if moment is None:
        return 0
    return (moment - _EPOCH) // timedelta(microseconds=1)


# --- the request of a handler ---------------------------------------------------------------


@dataclass(slots=True)
class Call:
    request: Request
    user: User
    site: Services
    params: dict[str, list[str]]
    _subs: list[Subscription] | None = field(default=None)

    @property
    def store(self) -> Store:
        return self.site.store

    @property
    def uid(self) -> int:
        return self.user.id

    def get(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        return self.params.get(name, [])

    def media_html(self, html: str) -> str:
        """Entry HTML with proxied images as absolute URLs (clients are elsewhere)."""
        return self.site.media_html(html, self.site.base_url(self.request))

    def subscriptions(self) -> list[Subscription]:
        if self._subs is None:
            # Google Reader lists no per-feed counts here (unread-count is its own call).
            self._subs = self.store.reading.subscriptions(self.uid, with_unread=False)
        return self._subs

    def feeds_of(self, found: list[UserEntry]) -> dict[int, Subscription]:
        """The user's subscriptions to the feeds of `found`, by feed id: only those, not all
        of them (a page of items comes from a few feeds), unless this request listed them all
        already."""
        feed_ids = {item.entry.feed_id for item in found}
        if self._subs is not None:
            return {s.feed_id: s for s in self._subs if s.feed_id in feed_ids}
        subs = self.store.reading.subscriptions(self.uid, with_unread=False, feed_ids=feed_ids)
        return {s.feed_id: s for s in subs}

    def feed_of(self, stream: str) -> int:
        """The user's feed of a `feed/<id>` or `feed/<url>` stream; NotFound otherwise."""
        ref = stream[len("feed/") :] if stream.startswith("feed/") else stream
        for sub in self.subscriptions():
            if sub.feed_id == whole_number(ref) or sub.url == ref:
                return sub.feed_id
        raise NotFound(f"no subscription to {stream}")

    def category_named(self, name: str) -> UserCategory:
        categories = self.store.reading.categories(self.uid)
        for category in categories:
            if category.name == name:
                return category
        for category in categories:
            if category.name.lower() == name.lower():
                return category
        raise NotFound(f"no label named {name!r}")


def _params(request: Request, body: bytes) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in form_pairs(request, body):
        params.setdefault(key, []).append(value)
    return params


def text(body: str, status: int = 200) -> PlainTextResponse:
    return PlainTextResponse(body, status_code=status)


Handler = Callable[[Call], Response] | Callable[[Call], Awaitable[Response]]


async def _user(request: Request, body: bytes) -> User | None:
    return await greader_user(request)


def _refuse(status: int, message: str) -> Response:
    return text(message + "\n", status)


PROTOCOL = Protocol(
    authenticate=_user,
    refuse=_refuse,
    refuse_sign_in=_refuse,
    max_body=MAX_BODY,
    unauthorized="Unauthorized",
    too_many="Too many failed attempts",
)


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint of a handler: the APIs' one request path (api.endpoint.serve),
    with Google Reader's plain-text refusals."""

    is_async = inspect.iscoroutinefunction(handler)

    async def run(request: Request) -> Response:
        async def handle(user: User, body: bytes) -> Response:
            call = Call(request, user, services_of(request), _params(request, body))
            if is_async:
                return await handler(call)  # type: ignore[no-any-return,misc]
            return await in_thread(handler, call)  # type: ignore[arg-type]

        return await serve(request, PROTOCOL, handle)

    return run


# --- sign-in --------------------------------------------------------------------------------


async def client_login(request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_BODY:
        return text("Request body too large\n", 413)
    try:
        params = _params(request, body)
    except ApiError as refused:
        return text(f"Error=BadRequest\n{refused.message}\n", refused.status)
    name = (params.get("Email") or [""])[0]
    password = (params.get("Passwd") or [""])[0]
    if not name or not password:
        return text("Error=BadAuthentication\n", 401)
    try:
        token = await greader_login(request, name, password)
    except TooManyAttempts as refused:
        reply = text("Error=BadAuthentication\n", 429)
        reply.headers["Retry-After"] = str(refused.retry_after)
        return reply
    if token is None:
        return text("Error=BadAuthentication\n", 401)
    if (params.get("output") or [""])[0] == "json":
        return JSONReply({"SID": token, "LSID": "null", "Auth": token})
    return text(f"SID={token}\nLSID=null\nAuth={token}\n")


def token(call: Call) -> Response:
    """A write token (T=…). Requests are authenticated by a header, not a cookie, so there is
    no cross-site forgery to stop: writes accept any T, or none."""
    auth = greader_auth_header(call.request) or ""
    digest = hmac.new(call.site.settings.secret_key.encode(), auth.encode(), hashlib.sha256)
    return text(digest.hexdigest()[:57] + "\n")


def user_info(call: Call) -> Response:
    return JSONReply(
        {
            "userId": str(call.uid),
            "userName": call.user.name,
            "userProfileId": str(call.uid),
            "userEmail": "",
        }
    )


# --- subscriptions and labels ---------------------------------------------------------------


def subscription_list(call: Call) -> Response:
    subs = call.subscriptions()
    icons = call.store.icons.ids_of_feeds(s.feed_id for s in subs)
    base = call.site.base_url(call.request)
    return JSONReply(
        {
            "subscriptions": [
                {
                    "id": f"feed/{s.feed_id}",
                    "title": s.display_title,
                    "categories": [{"id": LABEL + c.name, "label": c.name} for c in s.categories],
                    "url": s.url,
                    "htmlUrl": s.site_url or s.url,
                    "iconUrl": f"{base}/icons/{icons[s.feed_id]}" if s.feed_id in icons else "",
                }
                for s in subs
            ]
        }
    )


def _label_names(values: list[str]) -> list[str]:
    names = []
    for value in values:
        stream = normalize_stream(value)
        if stream.startswith(LABEL):
            names.append(stream[len(LABEL) :])
    return names


async def _subscribe(
    call: Call, url_text: str, title: str | None, labels: list[str]
) -> Subscription:
    """The reader's new subscription, found and fetched before the answer (reading.subscribing)."""
    site = call.site
    return await subscribe(
        site.store, site.settings, site.finder, call.uid, url_text, title=title, categories=labels
    )


async def subscription_edit(call: Call) -> Response:
    """subscription/edit: subscribing waits for the feed (the database in worker threads);
    unsubscribe and edit run in a worker thread."""
    if (call.get("ac") or "edit") == "subscribe":
        return await _subscribe_all(call)
    return await in_thread(_edit_subscriptions, call)


async def _subscribe_all(call: Call) -> Response:
    streams = call.all("s")
    if not streams:
        raise ApiError(400, "s (a feed stream) is required")
    title = call.get("t")
    added = _label_names(call.all("a"))
    for stream in streams:
        url = stream[len("feed/") :] if stream.startswith("feed/") else stream
        try:
            await _subscribe(call, url, title, added)
        except Conflict:
            continue
    return text("OK")


def _edit_subscriptions(call: Call) -> Response:
    action = call.get("ac") or "edit"
    streams = call.all("s")
    if not streams:
        raise ApiError(400, "s (a feed stream) is required")
    title = call.get("t")
    added = _label_names(call.all("a"))
    removed = set(_label_names(call.all("r")))
    reading = call.store.reading
    if action == "unsubscribe":
        for stream in streams:
            reading.unsubscribe(call.uid, call.feed_of(stream))
    elif action == "edit":
        for stream in streams:
            feed_id = call.feed_of(stream)
            changes: dict[str, Any] = {}
            if title is not None:
                changes["title"] = title.strip() or None
            if added or removed:
                current = [c.name for c in reading.subscription(call.uid, feed_id).categories]
                names = [n for n in current if n not in removed]
                changes["categories"] = names + [n for n in added if n not in names]
            if changes:
                reading.update_subscription(call.uid, feed_id, **changes)
    else:
        raise ApiError(400, "ac must be subscribe, unsubscribe or edit")
    return text("OK")


async def quickadd(call: Call) -> Response:
    url = call.get("quickadd") or ""
    if url.startswith("feed/"):
        url = url[len("feed/") :]
    if not url:
        raise ApiError(400, "quickadd (a feed URL) is required")
    try:
        sub = await _subscribe(call, url, None, [])
    except AlreadySubscribed as exc:  # the feed found may be another address than the one typed
        found = exc.url
        sub = await in_thread(
            lambda: call.store.reading.subscription(call.uid, call.feed_of(found))
        )
    except UserError as exc:  # no feed there, a bad address, the limit: quickadd's own shape
        # FreshRSS's failure reply is exactly {numResults: 0, error} (no `query`).
        return JSONReply({"numResults": 0, "error": str(exc)}, status_code=400)
    return JSONReply(
        {
            "numResults": 1,
            "query": sub.url,  # the feed's URL, as FreshRSS gives it
            "streamId": f"feed/{sub.feed_id}",
            "streamName": sub.display_title,
        }
    )


def tag_list(call: Call) -> Response:
    """Starred, the user's categories as folders ({id, type}), then the user's entry labels as
    tags with their unread count, as FreshRSS lists them (a label named as a category is that
    category's: FreshRSS's streams read a name as a category first)."""
    tags: list[dict[str, Any]] = [{"id": STARRED}]
    folders = {category.name for category in call.store.reading.categories(call.uid)}
    tags += [{"id": LABEL + name, "type": "folder"} for name in sorted(folders)]
    for label in call.store.labels.of_user(call.uid):
        if label.name not in folders:
            tags.append({"id": LABEL + label.name, "type": "tag", "unread_count": label.unread})
    return JSONReply({"tags": tags})


def rename_tag(call: Call) -> Response:
    source = normalize_stream(call.get("s") or call.get("t") or "")
    dest = normalize_stream(call.get("dest") or "")
    if not source.startswith(LABEL) or not dest.startswith(LABEL):
        raise ApiError(400, "s and dest must be labels (user/-/label/…)")
    try:
        category = call.category_named(source[len(LABEL) :])
    except NotFound:  # not a category: an entry label, as FreshRSS
        if not call.store.labels.rename(call.uid, source[len(LABEL) :], dest[len(LABEL) :]):
            raise
        return text("OK")
    call.store.reading.rename_category(call.uid, category.id, dest[len(LABEL) :])
    return text("OK")


def disable_tag(call: Call) -> Response:
    source = normalize_stream(call.get("s") or call.get("t") or "")
    if not source.startswith(LABEL):
        raise ApiError(400, "s must be a label (user/-/label/…)")
    try:
        category = call.category_named(source[len(LABEL) :])
    except NotFound:  # not a category: an entry label, as FreshRSS
        if not call.store.labels.delete(call.uid, source[len(LABEL) :]):
            raise
        return text("OK")
    call.store.reading.remove_category(call.uid, category.id)
    return text("OK")


def unread_count(call: Call) -> Response:
    counts = call.store.reading.unread_counts(call.uid)
    now = str(usec(datetime.now(UTC)))
    rows: list[dict[str, Any]] = [
        {"id": f"feed/{feed_id}", "count": n, "newestItemTimestampUsec": now}
        for feed_id, n in counts.by_feed.items()
    ]
    names = {c.id: c.name for c in call.store.reading.categories(call.uid)}
    rows += [
        {"id": LABEL + names[cid], "count": n, "newestItemTimestampUsec": now}
        for cid, n in counts.by_category.items()
        if cid in names
    ]
    rows.append({"id": READING_LIST, "count": counts.total, "newestItemTimestampUsec": now})
    return JSONReply({"max": counts.total, "unreadcounts": rows})


# --- streams --------------------------------------------------------------------------------


@dataclass(slots=True)
class Query:
    """What a stream and its filters ask of store.reading.entries."""

    status: Status = "all"
    starred: bool | None = None
    feed_id: int | None = None
    category_id: int | None = None
    label: str | None = None  # an entry label (a name that is no category of the user's)
    empty: bool = False  # a label or feed the user does not have: no items

    def restrict(self, target: str, include: bool) -> None:
        target = normalize_stream(target)
        if target in (READ,):
            wanted: Status = "read" if include else "unread"
            if self.status not in ("all", wanted):
                self.empty = True
            self.status = wanted
        elif target == KEPT_UNREAD and include:
            self.status = "unread"
        elif target == STARRED:
            self.starred = include


def stream_query(call: Call, stream: str) -> Query:
    stream = normalize_stream(stream)
    query = Query()
    if stream in (READING_LIST, ""):
        pass
    elif stream == READ:
        query.status = "read"
    elif stream == STARRED:
        query.starred = True
    elif stream == KEPT_UNREAD:
        query.status = "unread"
    elif stream.startswith(LABEL):
        try:
            query.category_id = call.category_named(stream[len(LABEL) :]).id
        except NotFound:
            query.label = stream[len(LABEL) :]  # as FreshRSS: a category first, else a label
    elif stream.startswith("feed/"):
        try:
            query.feed_id = call.feed_of(stream)
        except NotFound:
            query.empty = True
    elif stream.startswith("user/-/state/"):
        query.empty = True  # a state tidings does not keep (broadcast, like…): nothing in it
    else:
        raise ApiError(400, f"unknown stream {stream[:100]!r}")
    for target in call.all("xt"):
        query.restrict(target, include=False)
    for target in call.all("it"):
        query.restrict(target, include=True)
    return query


def _continuation(text_value: str) -> Cursor:
    """The cursor of a continuation "<usec>-<entry id>" (usec negative before 1970)."""
    before_1970 = text_value.startswith("-")
    stamp, sep, entry = text_value[before_1970:].partition("-")
    micros, entry_id = whole_number(stamp, 10**17 - 1), whole_number(entry)
    if not sep or micros is None or entry_id is None:
        raise ApiError(400, "c is not a continuation this server gave")
    if before_1970:
        micros = -micros
    moment = from_unix(micros // 1_000_000, "c").replace(microsecond=micros % 1_000_000)
    return Cursor(moment, entry_id)


def _time(call: Call, name: str) -> datetime | None:
    value = call.get(name)
    if value in (None, ""):
        return None
    return from_unix(parse_int(value, name, minimum=-(2**62), maximum=2**62), name)


def stream_entries(call: Call, stream: str, *, default_n: int) -> tuple[list[UserEntry], str]:
    """The page of the stream the parameters ask for, and the continuation of the next one."""
    query = stream_query(call, stream)
    wanted = parse_int(call.get("n") or str(default_n), "n", minimum=0, maximum=10**9)
    wanted = min(wanted, MAX_ITEMS)
    order: Order = "oldest" if call.get("r") == "o" else "newest"
    # ot and nt are about when the reader got the items ("crawl time", as FreshRSS compares
    # them with its ids), not the feed's dates: an item published last year and fetched since a
    # client's last sync is one it must get.
    seen_from, seen_until = _time(call, "ot"), _time(call, "nt")
    after: Cursor | None = None
    before: Cursor | None = None
    continuation = call.get("c")
    if continuation:
        cursor = _continuation(continuation)
        if order == "newest":
            before = cursor
        else:
            after = cursor
    if query.empty or wanted == 0:
        return [], ""
    found: list[UserEntry] = []
    need = wanted + 1  # one more than asked: is there a next page?
    while len(found) < need:
        size = min(PAGE, need - len(found))
        where = EntryFilter(
            status=query.status,
            starred=query.starred,
            feed_id=query.feed_id,
            category_id=query.category_id,
            before=before,
            after=after,
            label=query.label,
            seen_from=seen_from,
            seen_until=seen_until,
        )
        page = call.store.reading.entries(call.uid, where, limit=size, order=order)
        found += page
        if len(page) < size:
            break
        if order == "newest":
            before = page[-1].cursor
        else:
            after = page[-1].cursor
    if len(found) > wanted:
        found = found[:wanted]
        last = found[-1].cursor
        return found, f"{usec(last.sort_at)}-{last.id}"
    return found, ""


def item_json(
    item: UserEntry,
    feeds: dict[int, Subscription],
    labels: dict[int, tuple[str, ...]] | None = None,
    media: Callable[[str], str] = str,
) -> dict[str, Any]:
    """The Google Reader item of `item` (its HTML through `media`, the media proxy's rewrite),
    with exactly the keys of FreshRSS's items (its `toGReader('compat')`; docs/api.md has the
    table): no `updated`, links as `{href}` only,
    `author` and `enclosure` only when there is one. `feeds` holds the user's subscription to
    the entry's feed (its origin, and its categories as labels); `labels` the user's labels of
    entries, which FreshRSS lists beside them."""
    entry = item.entry
    sub = feeds.get(entry.feed_id)
    categories = [READING_LIST]
    if sub is not None:
        categories += [LABEL + category.name for category in sub.categories]
    for label in (labels or {}).get(entry.id, ()):
        if LABEL + label not in categories:
            categories.append(LABEL + label)
    if item.read:
        categories.append(READ)
    if item.starred:
        categories.append(STARRED)
    # FreshRSS always gives one link, its href empty when the entry has none.
    link = entry.link or ""
    data: dict[str, Any] = {
        "id": item_id(entry.id),
        "crawlTimeMsec": str(usec(entry.first_seen_at) // 1000),
        "timestampUsec": str(usec(entry.sort_at)),
        "published": int((entry.published_at or entry.sort_at or datetime.now(UTC)).timestamp()),
        "title": entry.title,
        "canonical": [{"href": link}],
        "alternate": [{"href": link}],
        "categories": categories,
        "origin": {
            "streamId": f"feed/{entry.feed_id}",
            "htmlUrl": (sub.site_url or sub.url) if sub else "",
            "title": sub.display_title if sub else "",
        },
        "summary": {"content": media(entry.content or entry.summary or "")},
    }
    enclosures = [
        {"href": e.url, "type": e.type or "", **({"length": e.length} if e.length else {})}
        for e in entry.enclosures
        if e.url
    ]
    if enclosures:
        data["enclosure"] = enclosures
    author = (entry.author or "").strip()
    if author:
        data["author"] = author
    return data


def _stream_name(call: Call) -> str:
    stream = call.request.path_params.get("stream") or call.get("s") or READING_LIST
    return str(stream)


def stream_contents(call: Call) -> Response:
    stream = _stream_name(call)
    found, continuation = stream_entries(call, stream, default_n=20)
    feeds = call.feeds_of(found)
    labels = call.store.labels.of_entries(call.uid, [item.id for item in found])
    reply: dict[str, Any] = {
        "id": stream,
        "updated": int(datetime.now(UTC).timestamp()),
        "items": [item_json(item, feeds, labels, call.media_html) for item in found],
    }
    if continuation:
        reply["continuation"] = continuation
    return JSONReply(reply)


def stream_item_ids(call: Call) -> Response:
    stream = call.get("s")
    if not stream:
        raise ApiError(400, "s (a stream) is required")
    found, continuation = stream_entries(call, stream, default_n=20)
    reply: dict[str, Any] = {
        "itemRefs": [{"id": str(i.id)} for i in found]  # FreshRSS: the decimal id only
    }
    if continuation:
        reply["continuation"] = continuation
    return JSONReply(reply)


def _item_ids(call: Call) -> list[int]:
    values = call.all("i")
    if len(values) > MAX_ITEM_IDS:
        raise ApiError(400, f"at most {MAX_ITEM_IDS} items at once")
    return list(dict.fromkeys(parse_item_id(v) for v in values))


def stream_items_contents(call: Call) -> Response:
    ids = _item_ids(call)
    found: list[UserEntry] = []
    for start in range(0, len(ids), PAGE):
        chunk = ids[start : start + PAGE]
        found += call.store.reading.entries_by_id(call.uid, ids=chunk, limit=PAGE)
    found.sort(key=lambda i: (i.entry.sort_at or datetime.min.replace(tzinfo=UTC), i.id))
    if call.get("r") != "o":
        found.reverse()
    feeds = call.feeds_of(found)
    labels = call.store.labels.of_entries(call.uid, [item.id for item in found])
    return JSONReply(
        {
            "id": READING_LIST,
            "updated": int(datetime.now(UTC).timestamp()),
            "items": [item_json(item, feeds, labels, call.media_html) for item in found],
        }
    )


def edit_tag(call: Call) -> Response:
    ids = _item_ids(call)
    if not ids:
        raise ApiError(400, "i (an item id) is required")
    reading = call.store.reading
    for tag in map(normalize_stream, call.all("a")):
        if tag == READ:
            reading.mark_read(call.uid, ids)
        elif tag == STARRED:
            reading.star(call.uid, ids)
        elif tag == KEPT_UNREAD:
            reading.mark_unread(call.uid, ids)
        elif tag.startswith(LABEL):  # a label on the items, as FreshRSS (feeds have categories)
            call.store.labels.add(call.uid, ids, tag[len(LABEL) :])
    for tag in map(normalize_stream, call.all("r")):
        if tag == READ:
            reading.mark_unread(call.uid, ids)
        elif tag == STARRED:
            reading.unstar(call.uid, ids)
        elif tag.startswith(LABEL):
            call.store.labels.remove(call.uid, ids, tag[len(LABEL) :])
    return text("OK")


def mark_all_as_read(call: Call) -> Response:
    stream = normalize_stream(call.get("s") or "")
    ts = call.get("ts")
    micros = parse_int(ts, "ts", minimum=0, maximum=253402300799 * 1_000_000) if ts else 0
    if micros:
        as_of = from_unix(micros // 1_000_000, "ts").replace(microsecond=micros % 1_000_000)
    else:  # no ts, or ts=0: everything up to now, as FreshRSS reads it (not "before 1970")
        as_of = datetime.now(UTC)
    reading = call.store.reading
    if stream == READING_LIST:
        reading.mark_all_read(call.uid, as_of=as_of)
    elif stream.startswith(LABEL):
        category = call.category_named(stream[len(LABEL) :])
        reading.mark_category_read(call.uid, category.id, as_of=as_of)
    elif stream.startswith("feed/"):
        reading.mark_feed_read(call.uid, call.feed_of(stream), as_of=as_of)
    else:
        raise ApiError(400, "s must be the reading list, a label or a feed")
    return text("OK")


# --- routes ---------------------------------------------------------------------------------

API = "/reader/api/0"
TABLE: list[tuple[str, Handler, list[str]]] = [
    ("/token", token, ["GET", "POST"]),
    ("/user-info", user_info, ["GET"]),
    ("/subscription/list", subscription_list, ["GET"]),
    ("/subscription/edit", subscription_edit, ["POST"]),
    ("/subscription/quickadd", quickadd, ["POST"]),
    ("/tag/list", tag_list, ["GET"]),
    ("/rename-tag", rename_tag, ["POST"]),
    ("/disable-tag", disable_tag, ["POST"]),
    ("/unread-count", unread_count, ["GET"]),
    ("/stream/contents", stream_contents, ["GET", "POST"]),
    ("/stream/contents/{stream:path}", stream_contents, ["GET", "POST"]),
    ("/stream/items/ids", stream_item_ids, ["GET", "POST"]),
    ("/stream/items/contents", stream_items_contents, ["GET", "POST"]),
    ("/edit-tag", edit_tag, ["POST"]),
    ("/mark-all-as-read", mark_all_as_read, ["POST"]),
]


def routes() -> list[BaseRoute]:
    found: list[BaseRoute] = []
    for prefix in PREFIXES:
        found.append(Route(f"{prefix}/accounts/ClientLogin", client_login, methods=["GET", "POST"]))
        for path, handler, methods in TABLE:
            found.append(Route(f"{prefix}{API}{path}", endpoint(handler), methods=methods))
    return found
