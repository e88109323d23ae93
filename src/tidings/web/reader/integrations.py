"""/account/integrations: the services a user sends entries to, and the reader's "Send" action.

Every rule (settings a kind has, which are required, secrets sealed and never shown back, the
cap per user) lives in `tidings.integrations.service`; this module turns forms into its calls.
Plain form posts, so everything works without JavaScript; the key `S` (reader.js) submits the
entry page's Send form.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.errors import UserError
from tidings.integrations import KINDS, integration_for
from tidings.integrations.service import (
    create_integration,
    send_entry,
    shown_config,
    update_integration,
)
from tidings.store import NotFound
from tidings.web.guards import checked_form
from tidings.web.reader.common import (
    Reader,
    back_to,
    entry_action,
    path_number,
    private_page,
    require_user,
)
from tidings.web.site import site_of

PAGE = "/account/integrations"
MAX_VALUE = 4000
SHOWN_DELIVERIES = 20

# What each kind is, for the person choosing one.
KIND_TITLES = {
    "webhook": "Webhook (JSON, signed)",
    "linkding": "Linkding",
    "readeck": "Readeck",
    "wallabag": "Wallabag",
    "shaarli": "Shaarli",
    "apprise": "Notifications (Apprise: ntfy, Gotify, Matrix, Telegram…)",
}


@dataclass(frozen=True, slots=True)
class Shown:
    """One integration as the page lists it: settings with secrets masked."""

    id: int
    kind: str
    name: str
    enabled: bool
    settings: dict[str, str]


def _values(form: FormData) -> dict[str, str]:
    """The form's text fields, trimmed and bounded: the kind's settings are picked from them by
    the service (`create_integration` refuses others; `update_integration` reads its kind's)."""
    return {k: v.strip()[:MAX_VALUE] for k, v in form.items() if isinstance(v, str)}


async def _page(
    request: Request, reader: Reader, *, status: int = 200, error: str = "", kind: str = ""
) -> Response:
    site = site_of(request)
    key = site.settings.secret_key

    def load() -> tuple[list[Shown], list[tuple[str, object]]]:
        mine = site.store.integrations.of_user(reader.id)
        names = {i.id: i.name for i in mine}
        shown = [
            Shown(i.id, i.kind, i.name, i.enabled, shown_config(key, i))
            for i in mine
            if i.kind in KINDS
        ]
        log = site.store.integrations.log(reader.id, SHOWN_DELIVERIES)
        return shown, [(names.get(d.integration_id, "?"), d) for d in log]

    shown, deliveries = await run_in_threadpool(load)
    return private_page(
        request,
        reader,
        "account/integrations.html",
        status=status,
        title="Integrations",
        integrations=shown,
        deliveries=deliveries,
        kinds=[(name, KIND_TITLES.get(name, name), k.fields) for name, k in KINDS.items()],
        kind_titles=KIND_TITLES,
        error=error,
        error_kind=kind,
    )


async def integrations_page(request: Request) -> Response:
    reader = await require_user(request)
    return await _page(request, reader)


async def add_integration(request: Request) -> Response:
    """POST /account/integrations: a new integration of the form's kind."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    site = site_of(request)
    kind_name = str(form.get("kind", ""))
    try:
        fields = {f.name for f in integration_for(kind_name).fields}
        values = {k: v for k, v in _values(form).items() if k in fields}
        name = str(form.get("name", ""))[:MAX_VALUE]
        made = await run_in_threadpool(
            create_integration,
            site.store,
            site.settings.secret_key,
            reader.id,
            kind_name,
            name,
            values,
        )
    except UserError as error:
        return await _page(request, reader, status=400, error=_sentence(error), kind=kind_name)
    return back_to(request, reader, PAGE, f"The integration {made.name} is ready.")


async def change_integration(request: Request) -> Response:
    """POST /account/integrations/{id}: save its settings (do=save) or delete it (do=delete)."""
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    site = site_of(request)
    integration_id = path_number(request, "integration_id")
    try:
        if form.get("do") == "delete":
            await run_in_threadpool(site.store.integrations.delete, reader.id, integration_id)
            return back_to(request, reader, PAGE, "The integration is deleted.")
        saved = await run_in_threadpool(
            lambda: update_integration(
                site.store,
                site.settings.secret_key,
                reader.id,
                integration_id,
                enabled=form.get("enabled") == "on",
                values=_values(form),
            )
        )
    except NotFound:
        raise HTTPException(404, "You have no such integration.") from None
    except UserError as error:
        return await _page(request, reader, status=400, error=_sentence(error))
    return back_to(request, reader, PAGE, f"The integration {saved.name} is saved.")


async def send(request: Request) -> Response:
    """POST /reader/entries/{id}/send: queue the entry for every enabled integration."""
    action = await entry_action(request)
    reader, entry_id, back = action.reader, action.entry_id, action.back
    site = site_of(request)
    try:
        queued = await run_in_threadpool(send_entry, site.store, reader.id, entry_id)
    except NotFound:
        raise HTTPException(404, "There is no such entry in your feeds.") from None
    if not queued:
        return back_to(request, reader, back, "You have no enabled integration to send to.")
    names = await run_in_threadpool(
        lambda: {i.id: i.name for i in site.store.integrations.of_user(reader.id)}
    )
    to = ", ".join(sorted(names.get(d.integration_id, "?") for d in queued))
    return back_to(request, reader, back, f"Sending to {to}: see {PAGE} for how it went.")


def _sentence(error: UserError) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# The send route comes before listing's /reader/entries/{id}/{action}, which would take it.
ROUTES = [
    Route(PAGE, integrations_page, methods=["GET"], name="account_integrations"),
    Route(PAGE, add_integration, methods=["POST"]),
    Route(PAGE + "/{integration_id:id}", change_integration, methods=["POST"]),
    Route("/reader/entries/{entry_id:id}/send", send, methods=["POST"]),
]
