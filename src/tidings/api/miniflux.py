"""The Miniflux v1 REST API under /v1/: what Miniflux clients (the official Python and Go
clients, Reeder, NetNewsWire, newsboat…) speak, over `store.reading`.

Every handler runs with the authenticated user's id and reaches only that user's rows (the
queries of `store.reading` join on the user's subscriptions); what belongs to someone else is
"not found". Handlers are synchronous and run in the thread pool: storage is blocking.
"""

from __future__ import annotations

import inspect
import json
import math
import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.accounts import AccountError, check_new_password, create_user, hash_password
from tidings.api.auth import miniflux_user
from tidings.api.common import (
    MAX_ID,
    MAX_OFFSET,
    ApiError,
    JSONReply,
    from_unix,
    icon_json,
    in_thread,
    json_id,
    parse_id,
    parse_int,
)
from tidings.api.endpoint import Protocol, serve
from tidings.api.miniflux_enclosures import enclosure_get, enclosure_update, enclosures_json
from tidings.app.context import Services, services_of
from tidings.articles import fetch_article
from tidings.discovery import DiscoveryError, discover_feeds
from tidings.errors import InvalidInput
from tidings.integrations.service import send_entry
from tidings.model import User
from tidings.publish.opml import OPMLError
from tidings.reading.filters import EntryFilter
from tidings.reading.limits import FEED_URL_RULE, feed_url_fits
from tidings.reading.subscribing import fetch_within, subscribe
from tidings.reading_model import Cursor, Order, Status, Subscription, UserCategory, UserEntry
from tidings.rules.miniflux import (
    PREFIX,
    FeedList,
    UserList,
    feed_list_draft,
    feed_list_text,
    user_list_drafts,
    user_list_text,
)
from tidings.rules.model import Rule, RuleDraft, checked_rule
from tidings.scraper import check_scraper_rules
from tidings.search_query import SearchQuery, SearchQueryError, parse_query, parse_search_query
from tidings.store import Conflict, NotFound, Store
from tidings.subscriptions import (
    SubscriptionError,
    check_feed_url,
    export_reader_opml,
    import_reader_opml,
    normalize_feed_url,
)

ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time, what Miniflux shows for "never"
MAX_BODY = 5 * 1024 * 1024
MAX_IDS = 10_000
DEFAULT_LIMIT = 100
LIMIT_MAX = 500
ORDERS = (
    "id",
    "status",
    "changed_at",
    "published_at",
    "created_at",
    "category_title",
    "category_id",
    "title",
    "author",
)

# Miniflux's own refusals, word for word, where Miniflux has one for the situation (the table in
# docs/api.md, "Errors as Miniflux words them", names the Go file of each). Clients branch on the
# status and some show the text.
UNAUTHORIZED = "access unauthorized"  # internal/http/response/json
FORBIDDEN = "access forbidden"
ON_THE_WEB = "change your own password on the web, where the current one is asked"
NOT_FOUND = "resource not found"
FEED_EXISTS = "This feed already exists."  # internal/locale/translations/en_US.json
CATEGORY_EXISTS = "This category already exists."
USER_EXISTS = "This user already exists."
TITLE_REQUIRED = "The title is mandatory."
FEED_MANDATORY = "The URL and the category are mandatory."
INVALID_FEED_URL = "Invalid feed URL."
INVALID_SITE_URL = "Invalid site URL."
FEED_URL_NOT_EMPTY = "The feed URL cannot be empty."
FEED_TITLE_NOT_EMPTY = "The feed title cannot be empty."
CATEGORY_NOT_FOUND = "This category does not exist or does not belong to this user."
USERNAME_REQUIRED = "The username is mandatory."
ENTRIES_EMPTY = "the list of entries cannot be empty"  # internal/validator/entry.go
# Reading accepts "removed" (it lists nothing), writing does not: each is a text Miniflux has had.
STATUS_READ = 'invalid entry status, valid status values are: "read", "unread" and "removed"'
STATUS_WRITE = 'invalid entry status, valid status values are: "read" and "unread"'
INVALID_ORDER = "invalid entry order, valid order values are: " + ", ".join(
    f'"{o}"' for o in ORDERS
)
INVALID_DIRECTION = 'invalid direction, valid direction values are: "asc" or "desc"'
INVALID_FEED_ID = "invalid feed ID"  # internal/api/entry.go
INVALID_CATEGORY_ID = "invalid category ID"


def iso(moment: datetime | None) -> str:
    if moment is None:
        return ZERO_TIME
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def error(status: int, message: str) -> JSONReply:
    return JSONReply({"error_message": message}, status_code=status)


def sign_in_refused(status: int, message: str) -> JSONReply:
    """A refused sign-in; a 401 carries Miniflux's Basic challenge: clients that send
    credentials only when challenged (curl --anyauth, some HTTP libraries) never got in."""
    reply = error(status, message)
    if status == 401:
        reply.headers["WWW-Authenticate"] = 'Basic realm="Restricted"'
    return reply


# --- JSON shapes (Miniflux's model package) -----------------------------------------------------


def category_json(category: UserCategory, user_id: int, *, counts: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": category.id,
        "title": category.name,
        "user_id": user_id,
        "hide_globally": False,
    }
    if counts:
        data["feed_count"] = category.feed_count
        data["total_unread"] = category.unread_count
    return data


def feed_json(
    sub: Subscription, user_id: int, rules: list[Rule], icons: Mapping[int, int]
) -> dict[str, Any]:
    """A feed as Miniflux gives it; `rules`: the user's, for the block and keep lists; `icons`:
    icon id by feed id (`store.icons.ids_of_feeds`). Both required: a feed built without the
    rules (an entry's, once) showed empty lists, which a client sending it back wrote."""
    icon_id = icons.get(sub.feed_id)
    category = sub.categories[0] if sub.categories else None
    return {
        "id": sub.feed_id,
        "user_id": user_id,
        "feed_url": sub.url,
        "site_url": sub.site_url or sub.url,
        "title": sub.display_title,
        "checked_at": iso(sub.checked_at),
        "next_check_at": ZERO_TIME,
        "etag_header": "",
        "last_modified_header": "",
        "parsing_error_message": sub.last_error or "",
        "parsing_error_count": 1 if sub.last_error else 0,
        "scraper_rules": sub.scraper_rules or "",
        "rewrite_rules": "",
        "crawler": sub.crawler,
        "blocklist_rules": feed_list_text(rules, "blocklist", sub.feed_id),
        "keeplist_rules": feed_list_text(rules, "keeplist", sub.feed_id),
        "urlrewrite_rules": "",
        "user_agent": "",
        "cookie": "",
        "username": "",
        "password": "",
        "disabled": False,
        "no_media_player": False,
        "ignore_http_cache": False,
        "allow_self_signed_certificates": False,
        "fetch_via_proxy": False,
        "hide_globally": False,
        "apprise_service_urls": "",
        "category": None if category is None else category_json(category, user_id),
        "icon": None if icon_id is None else {"feed_id": sub.feed_id, "icon_id": icon_id},
    }


def _reading_time(html: str) -> int:
    words = len(html.split())
    return max(1, math.ceil(words / 265)) if words else 0


def entry_json(
    item: UserEntry,
    user_id: int,
    feeds: dict[int, dict[str, Any]],
    labels: tuple[str, ...] = (),
    media: Callable[[str], str] = str,
    progressions: Mapping[int, Mapping[int, int]] | None = None,
) -> dict[str, Any]:
    """An entry as Miniflux gives it; its `tags` are the feed's categories of the entry, then the
    user's labels on it; `media` rewrites its HTML for the media proxy (`Call.media_html`);
    `progressions`: the user's place in enclosures, by entry id then position."""
    entry = item.entry
    content = media(entry.shown_content)
    return {
        "id": entry.id,
        "user_id": user_id,
        "feed_id": entry.feed_id,
        "status": "read" if item.read else "unread",
        "hash": entry.content_hash,
        "title": entry.title,
        "url": entry.link or "",
        "comments_url": "",
        "published_at": iso(entry.published_at or entry.sort_at),
        "created_at": iso(entry.first_seen_at),
        "changed_at": iso(entry.updated_at or entry.first_seen_at),
        "content": content,
        "author": entry.author or "",
        "share_code": "",
        "starred": item.starred,
        "reading_time": _reading_time(content),
        "enclosures": enclosures_json(entry, user_id, (progressions or {}).get(entry.id, {})),
        "tags": list(dict.fromkeys((*entry.categories, *labels))),
        "feed": feeds.get(entry.feed_id),
    }


def _filter_rules(store: Store, user_id: int) -> list[Rule]:
    """The user's rules that stand for Miniflux's block and keep lists (tidings.rules.miniflux),
    read once for a reply: each feed's lists are then found among these few."""
    return _filter_rules_of(store, [user_id]).get(user_id, [])


def _filter_rules_of(store: Store, user_ids: Collection[int]) -> dict[int, list[Rule]]:
    """`_filter_rules` of each of the users, by user, in one query."""
    return {
        user_id: [rule for rule in found if rule.name.startswith(PREFIX)]
        for user_id, found in store.rules.of_users(user_ids).items()
    }


def user_json(user: User, rules: list[Rule]) -> dict[str, Any]:
    """A user as Miniflux gives it; `rules`: theirs, for the filter lists (required: a user
    given without them would show empty lists, which a client sending it back would write)."""
    return {
        "id": user.id,
        "username": user.name,
        "is_admin": user.is_admin,
        "theme": "light_serif",
        "language": "en_US",
        "timezone": "UTC",
        "entry_sorting_direction": "desc",
        "entry_sorting_order": "published_at",
        "stylesheet": "",
        "google_id": "",
        "openid_connect_id": "",
        "entries_per_page": 100,
        "keyboard_shortcuts": True,
        "show_reading_time": True,
        "entry_swipe": True,
        "gesture_nav": "tap",
        "display_mode": "standalone",
        "default_reading_speed": 265,
        "cjk_reading_speed": 500,
        "default_home_page": "unread",
        "categories_sorting_order": "unread_count",
        "mark_read_on_view": True,
        "media_playback_rate": 1,
        "block_filter_entry_rules": user_list_text(rules, "block_filter"),
        "keep_filter_entry_rules": user_list_text(rules, "keep_filter"),
        "last_login_at": iso(None),
    }


# --- the request of a handler ---------------------------------------------------------------


# A surrogate escaped in JSON ("\\ud800") or written as UTF-8 bytes (which json.loads passes):
# only a body with one of these is checked whole.
_MAY_HOLD_SURROGATE = re.compile(rb"\\[uU][dD][89a-fA-F]|\xed[\xa0-\xbf]")
# NUL escaped in JSON (raw control characters are not JSON): only such a body is walked.
_MAY_HOLD_NUL = re.compile(rb"\\[uU]0000")


def _holds_nul(data: object) -> bool:
    """Return True when a string of the decoded JSON `data`, a key or a value, holds NUL."""
    stack: list[object] = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            stack += value.keys()
            stack += value.values()
        elif isinstance(value, list):
            stack += value
    return False


@dataclass(slots=True)
class Call:
    """One authenticated API request, as handlers see it."""

    request: Request
    user: User
    site: Services
    body: bytes

    @property
    def store(self) -> Store:
        return self.site.store

    @property
    def uid(self) -> int:
        return self.user.id

    def path_id(self, name: str) -> int:
        """The id in the path; an id that cannot be one is a 404, as Miniflux (its zero id finds
        nothing)."""
        text = self.request.path_params.get(name)
        try:
            if text is None or text != text.strip():  # digits only, as Miniflux's router
                raise ApiError(404, NOT_FOUND)
            return parse_id(text, name)
        except ApiError:
            raise ApiError(404, NOT_FOUND) from None

    def json(self) -> dict[str, Any]:
        """The body as a JSON object; ApiError 400 otherwise."""
        try:
            data = json.loads(self.body or b"null")
            if _MAY_HOLD_SURROGATE.search(self.body or b""):
                # JSON can escape a lone surrogate ("\ud800"), which no database stores
                # (the insert raised): refused here, with the rest of what is not JSON text.
                json.dumps(data, ensure_ascii=False).encode("utf-8")
        except (ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
            raise ApiError(400, "the request body is not valid JSON") from None
        if _MAY_HOLD_NUL.search(self.body or b"") and _holds_nul(data):
            # No field takes one, and PostgreSQL stores none in text (the insert raised).
            raise ApiError(400, "the request body holds a NUL character (\\u0000)")
        if not isinstance(data, dict):
            raise ApiError(400, "the request body must be a JSON object")
        return data

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name)

    def media_html(self, html: str) -> str:
        """Entry HTML with proxied images as absolute URLs (clients are elsewhere)."""
        return self.site.media_html(html, self.site.base_url(self.request))

    def feeds_by_id(self, feed_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        """The JSON of the user's feeds among `feed_ids` (those a reply's entries embed), by id."""
        subs = self.store.reading.subscriptions(self.uid, with_unread=False, feed_ids=feed_ids)
        if not subs:
            return {}
        icons = self.store.icons.ids_of_feeds(s.feed_id for s in subs)
        # With the block and keep lists as GET /v1/feeds/{id} gives them: a client that sends
        # an entry's feed back (PUT /v1/feeds/{id}) would otherwise empty them.
        rules = _filter_rules(self.store, self.uid)
        return {s.feed_id: feed_json(s, self.uid, rules, icons) for s in subs}

    def progressions_of(self, items: Iterable[UserEntry]) -> dict[int, dict[int, int]]:
        """The user's place in the enclosures of `items`, by entry id then position (read only
        for entries that have enclosures)."""
        ids = [item.id for item in items if item.entry.enclosures]
        return self.store.media_progressions.of_entries(self.uid, ids)

    def category(self, category_id: int) -> UserCategory:
        for category in self.store.reading.categories(self.uid):
            if category.id == category_id:
                return category
        raise NotFound(f"no category with id {category_id}")

    def has_feed(self, feed_id: int) -> bool:
        return bool(
            self.store.reading.subscriptions(self.uid, with_unread=False, feed_ids=[feed_id])
        )


Handler = Callable[[Call], Response] | Callable[[Call], Awaitable[Response]]


async def _user(request: Request, body: bytes) -> User | None:
    return await miniflux_user(request)


PROTOCOL = Protocol(
    authenticate=_user,
    refuse=error,
    refuse_sign_in=sign_in_refused,
    max_body=MAX_BODY,
    unauthorized=UNAUTHORIZED,
    forbidden=FORBIDDEN,
)


def endpoint(handler: Handler, *, admin: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint of a handler: the APIs' one request path (api.endpoint.serve),
    with Miniflux's refusals."""
    is_async = inspect.iscoroutinefunction(handler)

    async def run(request: Request) -> Response:
        async def handle(user: User, body: bytes) -> Response:
            call = Call(request, user, services_of(request), body)
            try:
                if is_async:
                    return await handler(call)  # type: ignore[no-any-return,misc]
                return await in_thread(handler, call)  # type: ignore[arg-type]
            except NotFound:  # Miniflux says the same whatever is missing
                raise ApiError(404, NOT_FOUND) from None
            except Conflict as exc:  # Miniflux has no 409: what exists already is a 400
                raise ApiError(400, str(exc)) from None

        return await serve(request, PROTOCOL, handle, admin=admin)

    return run


def no_content() -> Response:
    return Response(status_code=204)


# --- me, users ------------------------------------------------------------------------------


def me(call: Call) -> Response:
    return JSONReply(user_json(call.user, _filter_rules(call.store, call.uid)))


def users_list(call: Call) -> Response:
    everyone = call.store.users.all()
    filters = _filter_rules_of(call.store, [u.id for u in everyone])
    return JSONReply([user_json(u, filters.get(u.id, [])) for u in everyone])


def _user_by_ref(call: Call) -> User:
    ref = call.request.path_params.get("user_ref", "")
    if ref.isascii() and ref.isdigit():
        return call.store.users.get(call.path_id("user_ref"))
    for user in call.store.users.all():
        if user.name == ref:
            return user
    raise NotFound(f"no user named {ref!r}")


def user_get(call: Call) -> Response:
    user = _user_by_ref(call)
    return JSONReply(user_json(user, _filter_rules(call.store, user.id)))


def _text(data: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise ApiError(400, f"{name} is required")
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"{name} must be a string")
    return value


def _flag(data: dict[str, Any], name: str) -> bool | None:
    value = data.get(name)
    if value is not None and not isinstance(value, bool):
        raise ApiError(400, f"{name} must be true or false")
    return value


def user_create(call: Call) -> Response:
    """POST /v1/users: Miniflux's checks in its order (a name, not taken, then tidings' rules
    for names and passwords, whose sentences are tidings' own)."""
    data = call.json()
    name = _text(data, "username") or ""
    password = _text(data, "password") or ""
    is_admin = bool(_flag(data, "is_admin"))
    if not name.strip():
        raise ApiError(400, USERNAME_REQUIRED)
    if call.store.users.credentials(name.strip()) is not None:
        raise ApiError(400, USER_EXISTS)
    try:
        user = create_user(call.store, name, password, is_admin=is_admin)
    except AccountError as exc:
        raise ApiError(400, str(exc)) from None
    return JSONReply(user_json(user, []), status_code=201)  # a new user has no rules


def user_update(call: Call) -> Response:
    user = call.store.users.get(call.path_id("user_id"))
    data = call.json()
    name = _text(data, "username")
    if name is not None and name != user.name:
        raise ApiError(400, "changing a user name is not supported")
    is_admin = _flag(data, "is_admin")
    if is_admin is not None and is_admin != user.is_admin:
        raise ApiError(400, "changing the admin flag is not supported")
    password = _text(data, "password")
    if password is not None and user.id == call.uid:
        # An API key (handed to an app) must not become the web password: the web asks for
        # the current one first. An admin sets other users' passwords here, not their own.
        raise ApiError(403, ON_THE_WEB)
    filters: dict[UserList, list[RuleDraft]] = {}
    for kind in ("block_filter", "keep_filter"):
        text = _text(data, f"{kind}_entry_rules")
        if text is not None:
            try:
                filters[kind] = user_list_drafts(kind, text)
            except InvalidInput as exc:
                raise ApiError(400, str(exc)) from None
    if password is not None:
        check_new_password(password)
    for kind, drafts in filters.items():  # LimitReached: a 400, the password left as it was
        call.store.rules.replace_named(user.id, PREFIX + kind, None, drafts)
    if password is not None:
        call.store.users.set_password_hash(user.id, hash_password(password))
    return JSONReply(user_json(user, _filter_rules(call.store, user.id)), status_code=201)


def user_delete(call: Call) -> Response:
    user_id = call.path_id("user_id")
    if user_id == call.uid:
        raise ApiError(400, "you cannot remove yourself")
    call.store.users.remove(user_id)
    return no_content()


def user_mark_all_read(call: Call) -> Response:
    if call.path_id("user_id") != call.uid:
        raise ApiError(403, FORBIDDEN)
    call.store.reading.mark_all_read(call.uid, as_of=datetime.now(UTC))
    return no_content()


# --- categories -----------------------------------------------------------------------------


def categories_list(call: Call) -> Response:
    counts = (call.query("counts") or "").lower() in ("true", "1")
    found = call.store.reading.categories(call.uid)
    return JSONReply([category_json(c, call.uid, counts=counts) for c in found])


def _title(call: Call) -> str:
    title = _text(call.json(), "title") or ""
    if not title.strip():
        raise ApiError(400, TITLE_REQUIRED)
    return title


def category_create(call: Call) -> Response:
    try:
        category = call.store.reading.add_category(call.uid, _title(call))
    except Conflict:
        raise ApiError(400, CATEGORY_EXISTS) from None
    return JSONReply(category_json(category, call.uid), status_code=201)


def category_update(call: Call) -> Response:
    category_id = call.category(call.path_id("category_id")).id  # 404 before the body, as Miniflux
    try:
        category = call.store.reading.rename_category(call.uid, category_id, _title(call))
    except Conflict:
        raise ApiError(400, CATEGORY_EXISTS) from None
    return JSONReply(category_json(category, call.uid), status_code=201)


def category_delete(call: Call) -> Response:
    call.store.reading.remove_category(call.uid, call.path_id("category_id"))
    return no_content()


def category_feeds(call: Call) -> Response:
    category_id = call.category(call.path_id("category_id")).id
    subs = call.store.reading.subscriptions(call.uid)
    found = [s for s in subs if any(c.id == category_id for c in s.categories)]
    rules = _filter_rules(call.store, call.uid)
    icons = call.store.icons.ids_of_feeds(s.feed_id for s in found)
    return JSONReply([feed_json(s, call.uid, rules, icons) for s in found])


def category_mark_read(call: Call) -> Response:
    category_id = call.path_id("category_id")
    call.store.reading.mark_category_read(call.uid, category_id, as_of=datetime.now(UTC))
    return no_content()


def category_refresh(call: Call) -> Response:
    category_id = call.category(call.path_id("category_id")).id
    subs = call.store.reading.subscriptions(call.uid)
    ids = [s.feed_id for s in subs if any(c.id == category_id for c in s.categories)]
    if ids:
        call.store.feeds.schedule_now(ids)
    return no_content()


# --- feeds ----------------------------------------------------------------------------------


def feeds_list(call: Call) -> Response:
    rules = _filter_rules(call.store, call.uid)
    subs = call.store.reading.subscriptions(call.uid)
    icons = call.store.icons.ids_of_feeds(s.feed_id for s in subs)
    return JSONReply([feed_json(s, call.uid, rules, icons) for s in subs])


def feed_get(call: Call) -> Response:
    sub = call.store.reading.subscription(call.uid, call.path_id("feed_id"))
    icons = call.store.icons.ids_of_feeds([sub.feed_id])
    return JSONReply(feed_json(sub, call.uid, _filter_rules(call.store, call.uid), icons))


def _category_names(call: Call, data: dict[str, Any], *, zero_is_none: bool) -> list[str] | None:
    """The name of the category `category_id` names (None when absent; 0 too on create, where
    Miniflux takes its default); a number that is not one of the user's categories is
    Miniflux's 400."""
    value = data.get("category_id")
    if value is None or (zero_is_none and value == 0 and not isinstance(value, bool)):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return [call.category(json_id(value, "category_id")).name]
        except (ApiError, NotFound):
            raise ApiError(400, CATEGORY_NOT_FOUND) from None
    raise ApiError(400, "category_id must be a positive integer")


def _scraper_rules(data: dict[str, Any]) -> str | None:
    """The body's `scraper_rules` as stored ("" for none), None when absent; a bad selector is
    a 400 with a sentence."""
    text = _text(data, "scraper_rules")
    if text is None:
        return None
    try:
        return check_scraper_rules(text) or ""
    except InvalidInput as exc:
        raise ApiError(400, str(exc)) from None


def _is_other_scheme(url: str) -> bool:
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return False
    return bool(scheme) and scheme not in ("http", "https")


def _check_feed_url(url: str) -> None:
    """Miniflux's "Invalid feed URL." for what is not a URL. A URL of another scheme (ftp:) and
    a private address get tidings' own sentences later: Miniflux lets them through to the fetch,
    which fails with a 500. So does one too long to store (the rule every front end gives)."""
    if not feed_url_fits(url.strip()):
        raise ApiError(400, FEED_URL_RULE)
    try:
        normalize_feed_url(url)
    except SubscriptionError:
        if not _is_other_scheme(url):
            raise ApiError(400, INVALID_FEED_URL) from None


async def feed_create(call: Call) -> Response:
    """POST /v1/feeds: as Miniflux, the feed is found, fetched and stored before the answer
    (reading.subscribing), so a client can list its entries at once; no feed there is a 400."""
    data = call.json()
    url = _text(data, "feed_url") or ""
    if not url:
        raise ApiError(400, FEED_MANDATORY)
    _check_feed_url(url)
    crawler = bool(_flag(data, "crawler"))
    rules = _scraper_rules(data) or None  # none given: the feed's (if it exists) stay
    names = await in_thread(_category_names, call, data, zero_is_none=True)
    try:
        sub = await subscribe(
            call.store,
            call.site.settings,
            call.site.finder,
            call.uid,
            url,
            categories=names or (),
            crawler=crawler,
            scraper_rules=rules,
            admin=call.user.is_admin,
        )
    except Conflict:
        raise ApiError(400, FEED_EXISTS) from None
    return JSONReply({"feed_id": sub.feed_id}, status_code=201)


def feed_update(call: Call) -> Response:
    feed_id = call.path_id("feed_id")
    data = call.json()  # the body first, then the feed, as Miniflux
    sub = call.store.reading.subscription(call.uid, feed_id)
    title = _text(data, "title")
    url = _text(data, "feed_url")
    if url is not None and url != sub.url:
        if not url:
            raise ApiError(400, FEED_URL_NOT_EMPTY)
        _check_feed_url(url)
        raise ApiError(400, "changing a feed's URL is not supported: subscribe to the new one")
    if title == "":
        raise ApiError(400, FEED_TITLE_NOT_EMPTY)
    names = _category_names(call, data, zero_is_none=False)
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = title.strip() or None
    if names is not None:
        changes["categories"] = names
    crawler = _flag(data, "crawler")
    if crawler is not None:
        changes["crawler"] = crawler
    scraper_rules = _scraper_rules(data)
    if scraper_rules is not None:
        changes["scraper_rules"] = scraper_rules or None
        changes["admin"] = call.user.is_admin
    lists: dict[FeedList, RuleDraft | None] = {}
    for kind in ("blocklist", "keeplist"):
        pattern = _text(data, f"{kind}_rules")
        if pattern is not None:
            try:
                lists[kind] = feed_list_draft(kind, feed_id, pattern)
            except InvalidInput as exc:
                raise ApiError(400, str(exc)) from None
    if changes:
        sub = call.store.reading.update_subscription(call.uid, feed_id, **changes)
    for kind, draft in lists.items():
        drafts = [draft] if draft is not None else []
        call.store.rules.replace_named(call.uid, PREFIX + kind, feed_id, drafts)
    icons = call.store.icons.ids_of_feeds([sub.feed_id])
    rules = _filter_rules(call.store, call.uid)
    return JSONReply(feed_json(sub, call.uid, rules, icons), status_code=201)


def feed_delete(call: Call) -> Response:
    call.store.reading.unsubscribe(call.uid, call.path_id("feed_id"))
    return no_content()


def feeds_refresh(call: Call) -> Response:
    ids = [s.feed_id for s in call.store.reading.subscriptions(call.uid)]
    if ids:
        call.store.feeds.schedule_now(ids)
    return no_content()


async def feed_refresh(call: Call) -> Response:
    """PUT /v1/feeds/{id}/refresh: as Miniflux, the feed is checked before the answer (within
    subscribe_timeout; past it the check goes on and the answer is given)."""
    mine = await in_thread(call.store.reading.subscription, call.uid, call.path_id("feed_id"))
    finder = call.site.finder
    if finder is None:
        await in_thread(call.store.feeds.schedule_now, [mine.feed_id])
    else:
        await fetch_within(finder, mine.feed_id, call.site.settings.subscribe_timeout)
    return no_content()


def feeds_counters(call: Call) -> Response:
    counts = call.store.reading.unread_counts(call.uid)
    unreads = {str(k): v for k, v in counts.by_feed.items() if v}
    reads = {str(k): v for k, v in call.store.reading.read_counts(call.uid).items()}
    return JSONReply({"reads": reads, "unreads": unreads})


def feed_icon(call: Call) -> Response:
    """GET /v1/feeds/{id}/icon: the icon of one of the user's feeds, 404 when it has none."""
    sub = call.store.reading.subscription(call.uid, call.path_id("feed_id"))
    icon = call.store.icons.of_feed(sub.feed_id)
    if icon is None:
        raise ApiError(404, NOT_FOUND)
    return JSONReply(icon_json(icon))


def icon_get(call: Call) -> Response:
    """GET /v1/icons/{id}: an icon by its id (icons are the sites' public images)."""
    icon = call.store.icons.get(call.path_id("icon_id"))
    if icon is None:
        raise ApiError(404, NOT_FOUND)
    return JSONReply(icon_json(icon))


def feed_mark_read(call: Call) -> Response:
    call.store.reading.mark_feed_read(call.uid, call.path_id("feed_id"), as_of=datetime.now(UTC))
    return no_content()


# --- entries --------------------------------------------------------------------------------


def _bool_param(text: str, what: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "t", "true"):
        return True
    if value in ("0", "f", "false"):
        return False
    raise ApiError(400, f"{what} must be true or false")


def _status(call: Call) -> Status | None:
    """The status filter; None when only "removed" entries are asked for (there are none)."""
    # As Miniflux: each value trimmed, empty ones skipped.
    asked = {s.strip() for s in call.request.query_params.getlist("status")} - {""}
    if asked - {"read", "unread", "removed"}:
        raise ApiError(400, STATUS_READ)
    if not asked:
        return "all"
    if asked == {"removed"}:
        return None
    asked.discard("removed")
    if len(asked) == 1:
        return "read" if "read" in asked else "unread"
    return "all"


def _cursor_of(call: Call, name: str) -> Cursor | None:
    text = call.query(name)
    if text is None or text == "":
        return None
    entry_id = parse_id(text, name, status=400)
    try:
        return call.store.reading.entry(call.uid, entry_id).cursor
    except NotFound:
        raise ApiError(400, f"{name}: no entry with id {entry_id}") from None


def _time_cursor(call: Call, name: str, before: bool) -> Cursor | None:
    text = call.query(name)
    if text is None or text == "":
        return None
    moment = from_unix(parse_int(text, name, minimum=-(2**62), maximum=2**62), name)
    # Strictly before / after that second: an id beyond any real one sits at the edge.
    return Cursor(moment, 0) if before else Cursor(moment, 2**62)


def _tighter(a: Cursor | None, b: Cursor | None, *, smaller: bool) -> Cursor | None:
    if a is None or b is None:
        return a or b
    ka, kb = (a.sort_at, a.id), (b.sort_at, b.id)
    return a if (ka <= kb) == smaller else b


def _lenient_int(text: str | None, default: int) -> int:
    """`limit` and `offset` as Miniflux reads them: a value that is not a whole number of 64
    bits, or is negative, is the default (no refusal)."""
    value = (text or "").strip()
    body = value[1:] if value[:1] in "+-" else value
    if not body.isascii() or not body.isdigit():
        return default
    number = int(value)
    if number < 0 or number > MAX_ID:
        return default
    return number


def _known_id(call: Call, name: str, message: str, exists: Callable[[int], bool]) -> int | None:
    """The feed or category id of the query, or None; Miniflux's 400 `message` for an id that
    is not the user's (and, here, for one that is not an id)."""
    text = call.query(name)
    if text is None or text == "":
        return None
    try:
        found = parse_id(text, name, status=400)
    except ApiError:
        raise ApiError(400, message) from None
    if not exists(found):
        raise ApiError(400, message)
    return found


def _has_category(call: Call, category_id: int) -> bool:
    return any(c.id == category_id for c in call.store.reading.categories(call.uid))


def list_entries(
    call: Call, *, feed_id: int | None = None, category_id: int | None = None
) -> Response:
    """GET …/entries with Miniflux's checks in its order: status, order, direction, then the
    category and the feed (an id not the user's is a 400)."""
    params = call.request.query_params
    status = _status(call)
    order_by = params.get("order") or "published_at"
    if order_by not in ORDERS:
        raise ApiError(400, INVALID_ORDER)
    direction = params.get("direction") or "asc"
    if direction not in ("asc", "desc"):
        raise ApiError(400, INVALID_DIRECTION)
    order: Order = "oldest" if direction == "asc" else "newest"
    limit = _lenient_int(params.get("limit"), DEFAULT_LIMIT)
    limit = LIMIT_MAX if limit == 0 else min(limit, LIMIT_MAX)  # Miniflux: 0 is no limit
    offset = min(_lenient_int(params.get("offset"), 0), MAX_OFFSET)
    if category_id is None:
        category_id = _known_id(
            call, "category_id", INVALID_CATEGORY_ID, lambda i: _has_category(call, i)
        )
    if feed_id is None:
        feed_id = _known_id(call, "feed_id", INVALID_FEED_ID, call.has_feed)
    starred = (
        None if params.get("starred") in (None, "") else _bool_param(params["starred"], "starred")
    )
    before = _tighter(
        _time_cursor(call, "before", True), _cursor_of(call, "before_entry_id"), smaller=True
    )
    after = _tighter(
        _time_cursor(call, "after", False), _cursor_of(call, "after_entry_id"), smaller=False
    )
    search = (params.get("search") or "").strip()
    if status is None:
        return JSONReply({"total": 0, "entries": []})
    where = EntryFilter(
        status,
        starred,
        feed_id,
        category_id,
        search=_search_query(search) if search else None,
        before=before,
        after=after,
    )
    reading = call.store.reading
    items = reading.entries(call.uid, where, limit=limit, offset=offset, order=order)
    total = reading.count_entries(call.uid, where)
    feeds = call.feeds_by_id({i.entry.feed_id for i in items})  # only those the page embeds
    labels = call.store.labels.of_entries(call.uid, [i.id for i in items])
    progressions = call.progressions_of(items)
    replies = [
        entry_json(i, call.uid, feeds, labels.get(i.id, ()), call.media_html, progressions)
        for i in items
    ]
    return JSONReply({"total": total, "entries": replies})


def _search_query(text: str) -> SearchQuery:
    """Miniflux's `search`: every word must match, as typed (quoted, so "a:b" is a word, not a
    filter of tidings' search language)."""
    words = ['"' + w.replace('"', " ") + '"' for w in text.split()]
    try:
        return parse_search_query(" ".join(words))
    except SearchQueryError as exc:
        raise ApiError(400, str(exc)) from None


def entries_list(call: Call) -> Response:
    return list_entries(call)


def feed_entries(call: Call) -> Response:
    """GET /v1/feeds/{id}/entries: a feed that is not the user's is Miniflux's 400."""
    feed_id = call.path_id("feed_id")
    if not call.has_feed(feed_id):
        raise ApiError(400, INVALID_FEED_ID)
    return list_entries(call, feed_id=feed_id)


def category_entries(call: Call) -> Response:
    """GET /v1/categories/{id}/entries: a category not the user's is Miniflux's 400."""
    category_id = call.path_id("category_id")
    if not _has_category(call, category_id):
        raise ApiError(400, INVALID_CATEGORY_ID)
    return list_entries(call, category_id=category_id)


def entry_get(call: Call) -> Response:
    item = call.store.reading.entry(call.uid, call.path_id("entry_id"))
    if "feed_id" in call.request.path_params and item.entry.feed_id != call.path_id("feed_id"):
        raise NotFound("no such entry in this feed")
    labels = call.store.labels.of_entries(call.uid, [item.id]).get(item.id, ())
    feeds = call.feeds_by_id([item.entry.feed_id])
    progressions = call.progressions_of([item])
    return JSONReply(entry_json(item, call.uid, feeds, labels, call.media_html, progressions))


def entries_update(call: Call) -> Response:
    data = call.json()
    ids = data.get("entry_ids")
    if ids is None or ids == []:
        raise ApiError(400, ENTRIES_EMPTY)
    if not isinstance(ids, list):
        raise ApiError(400, "entry_ids must be a list of entry ids")
    if len(ids) > MAX_IDS:
        raise ApiError(400, f"at most {MAX_IDS} entry ids at once")
    entry_ids = [json_id(i, "entry_ids") for i in ids]
    status = data.get("status")
    reading = call.store.reading
    if status == "read":
        reading.mark_read(call.uid, entry_ids)
    elif status == "unread":
        reading.mark_unread(call.uid, entry_ids)
    else:  # "removed" too: entries are not removed here
        raise ApiError(400, STATUS_WRITE)
    return no_content()


async def entry_fetch_content(call: Call) -> Response:
    """Miniflux's fetch-content: the entry's full article as {"content": ...}; with
    `update_content=true` it is also stored (beside the feed's own content, never over it)."""
    entry_id = call.path_id("entry_id")
    item = await in_thread(call.store.reading.entry, call.uid, entry_id)
    if not item.entry.link:
        raise ApiError(400, "this entry has no link to fetch")
    feed = await in_thread(call.store.feeds.get, item.entry.feed_id)
    content = await fetch_article(call.site.settings, item.entry.link, rules=feed.scraper_rules)
    if call.request.query_params.get("update_content") == "true":
        await in_thread(call.store.entries.set_full_content, item.entry.id, content)
    return JSONReply({"content": content})


def entry_bookmark(call: Call) -> Response:
    item = call.store.reading.entry(call.uid, call.path_id("entry_id"))
    if item.starred:
        call.store.reading.unstar(call.uid, [item.id])
    else:
        call.store.reading.star(call.uid, [item.id])
    return no_content()


def entry_save(call: Call) -> Response:
    """Queue the entry to every enabled integration of the caller (docs/integrations.md);
    202 as Miniflux, even with none."""
    send_entry(call.store, call.uid, call.path_id("entry_id"))
    return Response(status_code=202)


# --- OPML, discovery ------------------------------------------------------------------------


def export(call: Call) -> Response:
    body = export_reader_opml(call.store, call.uid, f"{call.user.name}'s subscriptions")
    return Response(body, media_type="text/xml; charset=utf-8")


def import_opml(call: Call) -> Response:
    try:
        import_reader_opml(call.store, call.site.settings, call.uid, call.body)
    except OPMLError as exc:
        raise ApiError(400, str(exc)) from None
    # LimitReached ends the import: a 400 saying so (the feeds before stay).
    return JSONReply({"message": "Feeds imported successfully"}, status_code=201)


def _feed_type(url: str) -> str:
    lowered = url.lower()
    if "atom" in lowered:
        return "atom"
    if lowered.endswith(".json") or "json" in lowered:
        return "json"
    return "rss"


async def discover(call: Call) -> Response:
    data = call.json()
    url = _text(data, "url") or ""
    try:
        normalize_feed_url(url)
    except SubscriptionError:
        if not _is_other_scheme(url):  # as in feed_create: ftp: gets tidings' sentence
            raise ApiError(400, INVALID_SITE_URL) from None
    try:
        clean = check_feed_url(
            url, allow_private_networks=call.site.settings.allow_private_networks
        )
        if call.site.discover is not None:
            found = await call.site.discover(clean)
        else:
            found = await discover_feeds(call.site.settings, clean)
    except (SubscriptionError, DiscoveryError) as exc:
        raise ApiError(404, str(exc)) from None
    if not found:
        raise ApiError(404, NOT_FOUND)
    return JSONReply([{"url": u, "title": u, "type": _feed_type(u)} for u in found])


def version(call: Call) -> Response:
    from tidings import __version__

    return JSONReply(
        {
            "version": f"2.0.50 (tidings {__version__})",
            "commit": "",
            "build_date": "",
            "go_version": "",
            "compiler": "",
            "arch": "",
            "os": "",
        }
    )


# --- rules (tidings' own) ------------------------------------------------------------------


def rule_preview(call: Call) -> Response:
    """POST /v1/rules/preview {"query", "scope", "scope_id", "actions"}: what the rule would
    select among the user's stored entries (for keep-only: what it would block) — how many, per
    feed, and the newest 20 — without saving it. The same checks and preview as /reader/rules."""
    data = call.json()
    scope = _text(data, "scope") or "all"
    raw_id = data.get("scope_id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, int)):
        raise ApiError(400, "scope_id must be an id")
    actions = data.get("actions", ["block"])
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise ApiError(400, "actions must be a list of strings")
    labels = data.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ApiError(400, "labels must be a list of strings")
    draft = RuleDraft(
        name="preview",
        query=_text(data, "query", required=True) or "",
        scope=scope,  # type: ignore[arg-type]  # checked_rule refuses an unknown scope
        scope_id=parse_id(str(raw_id), "scope_id", status=400) if raw_id is not None else None,
        actions=tuple(actions),  # checked_rule refuses unknown actions
        labels=tuple(labels),
    )
    try:
        rule = checked_rule(draft, is_admin=call.user.is_admin)
    except InvalidInput as exc:
        raise ApiError(400, str(exc)) from None
    found = call.store.rules.preview(
        call.uid,
        parse_query(rule.query, require_terms=False),
        rule.scope,
        rule.scope_id,
        negate="keep" in rule.actions,
    )
    feeds = call.feeds_by_id({item.entry.feed_id for item in found.newest})
    return JSONReply(
        {
            "total": found.total,
            "capped": found.capped,
            "feeds": [
                {"feed_id": c.feed_id, "title": c.title, "count": c.count} for c in found.per_feed
            ],
            "entries": [entry_json(item, call.uid, feeds) for item in found.newest],
        }
    )


# --- routes ---------------------------------------------------------------------------------


def _route(path: str, handler: Handler, method: str, *, admin: bool = False) -> Route:
    return Route(path, endpoint(handler, admin=admin), methods=[method], name=f"v1:{method}:{path}")


def routes() -> list[BaseRoute]:
    table: Iterable[tuple[str, str, Handler, bool]] = [
        ("GET", "/v1/me", me, False),
        ("GET", "/v1/version", version, False),
        ("GET", "/v1/users", users_list, True),
        ("POST", "/v1/users", user_create, True),
        ("PUT", "/v1/users/{user_id}/mark-all-as-read", user_mark_all_read, False),
        ("GET", "/v1/users/{user_ref}", user_get, True),
        ("PUT", "/v1/users/{user_id}", user_update, True),
        ("DELETE", "/v1/users/{user_id}", user_delete, True),
        ("GET", "/v1/categories", categories_list, False),
        ("POST", "/v1/categories", category_create, False),
        ("PUT", "/v1/categories/{category_id}", category_update, False),
        ("DELETE", "/v1/categories/{category_id}", category_delete, False),
        ("GET", "/v1/categories/{category_id}/feeds", category_feeds, False),
        ("GET", "/v1/categories/{category_id}/entries", category_entries, False),
        ("PUT", "/v1/categories/{category_id}/mark-all-as-read", category_mark_read, False),
        ("PUT", "/v1/categories/{category_id}/refresh", category_refresh, False),
        ("GET", "/v1/feeds", feeds_list, False),
        ("POST", "/v1/feeds", feed_create, False),
        ("GET", "/v1/feeds/counters", feeds_counters, False),
        ("PUT", "/v1/feeds/refresh", feeds_refresh, False),
        ("GET", "/v1/feeds/{feed_id}", feed_get, False),
        ("PUT", "/v1/feeds/{feed_id}", feed_update, False),
        ("DELETE", "/v1/feeds/{feed_id}", feed_delete, False),
        ("PUT", "/v1/feeds/{feed_id}/refresh", feed_refresh, False),
        ("GET", "/v1/feeds/{feed_id}/icon", feed_icon, False),
        ("GET", "/v1/feeds/{feed_id}/entries", feed_entries, False),
        ("GET", "/v1/feeds/{feed_id}/entries/{entry_id}", entry_get, False),
        ("PUT", "/v1/feeds/{feed_id}/mark-all-as-read", feed_mark_read, False),
        ("GET", "/v1/icons/{icon_id}", icon_get, False),
        ("GET", "/v1/entries", entries_list, False),
        ("PUT", "/v1/entries", entries_update, False),
        ("GET", "/v1/entries/{entry_id}", entry_get, False),
        ("GET", "/v1/entries/{entry_id}/fetch-content", entry_fetch_content, False),
        ("PUT", "/v1/entries/{entry_id}/bookmark", entry_bookmark, False),
        ("PUT", "/v1/entries/{entry_id}/star", entry_bookmark, False),
        ("POST", "/v1/entries/{entry_id}/save", entry_save, False),
        ("GET", "/v1/export", export, False),
        ("POST", "/v1/import", import_opml, False),
        ("POST", "/v1/discover", discover, False),
        ("POST", "/v1/rules/preview", rule_preview, False),
        ("GET", "/v1/enclosures/{enclosure_id}", enclosure_get, False),
        ("PUT", "/v1/enclosures/{enclosure_id}", enclosure_update, False),
    ]
    return [_route(path, handler, method, admin=admin) for method, path, handler, admin in table]
