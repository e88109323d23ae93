"""What every personal page shares: the signed-in user, private pages, ids, cursors, redirects.

Every handler starts with `require_user`, which reads the user from the database (a removed user
is signed out at once) and gives the id all store queries are then called with: nothing a form
or a path says about whose data it is counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tidings.model import User
from tidings.reading_model import Cursor, Subscription, UserCategory
from tidings.store import Store
from tidings.web.adminkit import admin_page, redirect_after_post
from tidings.web.guards import SignInRequired, checked_form, local_path, next_of
from tidings.web.identity import signed_in_user
from tidings.web.pages import MAX_ID
from tidings.web.sessions import Session
from tidings.web.site import site_of

if TYPE_CHECKING:
    from tidings.store.savedsearches import SavedSearch

Show = Literal["unread", "all", "starred"]
SHOWS: tuple[Show, ...] = ("unread", "all", "starred")
_CURSOR = re.compile(r"(-?[0-9]{1,19})\.([0-9]{1,19})")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Reader:
    """The signed-in person making the request, as the database knows them now."""

    session: Session
    user: User

    @property
    def id(self) -> int:
        return self.user.id


async def require_user(request: Request) -> Reader:
    """The signed-in user (role admin or reader); SignInRequired otherwise.

    The user is the live session row's, read on this request (tidings.web.identity): an account
    removed or a session ended meanwhile no longer gets in.
    A POST that needs a sign-in sends the person back to the reading page, not to the POST URL.
    """
    session = site_of(request).session(request)
    user = signed_in_user(request)
    if user is None:
        back = next_of(request) if request.method == "GET" else "/reader"
        raise SignInRequired(back)
    return Reader(session, user)


def private_page(
    request: Request, reader: Reader, template: str, *, status: int = 200, **context: Any
) -> Response:
    """A page for the signed-in user alone: never cached, shows pending messages."""
    return admin_page(request, reader.session, template, status=status, **context)


def back_to(request: Request, reader: Reader, url: str, message: str | None = None) -> Response:
    """303 to `url` after a form, with a one-shot message."""
    return redirect_after_post(request, reader.session, url, message)


@dataclass(frozen=True, slots=True)
class EntryAction:
    """A form posted from an entry page: who, the form (CSRF checked), which entry, and where
    to go back (the form's `next`, else the entry)."""

    reader: Reader
    form: FormData
    entry_id: int
    back: str


async def entry_action(request: Request) -> EntryAction:
    """Return the EntryAction of a POST to /reader/entries/{entry_id}/…; SignInRequired without
    a session, 403 on a bad CSRF token."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    entry_id = path_number(request, "entry_id")
    return EntryAction(
        reader, form, entry_id, target(form.get("next"), f"/reader/entries/{entry_id}")
    )


def wants_json(request: Request) -> bool:
    """True when the page's script sent the form and wants the new state instead of a page."""
    return request.headers.get("accept", "").startswith("application/json")


def json_state(data: dict[str, Any]) -> Response:
    return JSONResponse(data, headers={"Cache-Control": "private, no-store"})


def target(form_value: object, default: str) -> str:
    """Where a form sends the person back: a local path, else `default`."""
    return local_path(str(form_value or ""), default)


def path_number(request: Request, name: str) -> int:
    """The id in the path; 404 when it cannot be one."""
    value = int(request.path_params[name])
    if not 0 < value <= MAX_ID:
        raise HTTPException(404, "There is no such page.")
    return value


def show_of(request: Request) -> Show:
    """Which entries a list shows (?show=unread|all|starred; unread by default); 400 otherwise."""
    raw = request.query_params.get("show", "unread")
    for show in SHOWS:
        if raw == show:
            return show
    raise HTTPException(400, "show= takes unread, all or starred.")


def format_cursor(cursor: Cursor) -> str:
    """A cursor for a URL: microseconds since the epoch, a dot, the entry id."""
    delta = cursor.sort_at - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}.{cursor.id}"


def parse_cursor(raw: str | None) -> Cursor | None:
    """The cursor in ?before=; None when absent, 400 when malformed."""
    if raw is None:
        return None
    match = _CURSOR.fullmatch(raw)
    if match is None:
        raise HTTPException(400, "That is not a place in a list.")
    micros, entry_id = int(match.group(1)), int(match.group(2))
    try:
        moment = datetime.fromtimestamp(micros / 1_000_000, UTC)
    except (OverflowError, OSError, ValueError):
        raise HTTPException(400, "That is not a place in a list.") from None
    if entry_id > MAX_ID:
        raise HTTPException(400, "That is not a place in a list.")
    return Cursor(moment, entry_id)


def parse_as_of(raw: object) -> datetime:
    """The time a list was shown (a form's hidden `as_of`), never later than now; 400 if bad."""
    try:
        moment = datetime.fromisoformat(str(raw or ""))
    except ValueError:
        raise HTTPException(400, "The list's time is missing; reload the list.") from None
    if moment.tzinfo is None:
        raise HTTPException(400, "The list's time is missing its time zone; reload the list.")
    return min(moment.astimezone(UTC), datetime.now(UTC))


# Saved searches' unread counts in the sidebar may be this many seconds old: counting them costs
# 10-20 ms a search on every page (docs/rules.md, "Saved searches"), and reading goes page by page.
SAVED_COUNTS_MAX_AGE = 15.0


@dataclass(frozen=True, slots=True)
class Sidebar:
    """The user's feeds, categories and saved searches with unread counts."""

    subscriptions: list[Subscription]
    categories: list[UserCategory]
    saved: list[SavedSearch] = field(default_factory=list)

    @property
    def total_unread(self) -> int:
        return sum(s.unread_count for s in self.subscriptions)

    def subscription(self, feed_id: int) -> Subscription | None:
        return next((s for s in self.subscriptions if s.feed_id == feed_id), None)

    def category(self, category_id: int) -> UserCategory | None:
        return next((c for c in self.categories if c.id == category_id), None)

    @property
    def problems(self) -> list[Subscription]:
        """The subscriptions whose feed failed at its last check, longest failing first."""
        failing = [s for s in self.subscriptions if s.last_error]
        return sorted(failing, key=lambda s: s.first_error_at or _EPOCH)

    @property
    def by_feed(self) -> dict[int, Subscription]:
        return {s.feed_id: s for s in self.subscriptions}


def sidebar(store: Store, user_id: int) -> Sidebar:
    saved = store.saved_searches.of_user(user_id, max_age=SAVED_COUNTS_MAX_AGE)
    return Sidebar(*store.reading.sidebar(user_id), saved)
