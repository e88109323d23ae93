"""The OpenAPI 3 document of the Miniflux v1 API as tidings serves it (GET /v1/openapi.json).

Built from data here; `docs/api-openapi.json` is this document written out, and a test keeps the
two in step (`python -m tidings.api.openapi > docs/api-openapi.json` regenerates it).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings import __version__
from tidings.api.common import JSONReply
from tidings.api.miniflux import ORDERS
from tidings.rules.model import ACTIONS, SCOPES

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    return {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **(optional or {})},
    }


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
ID: Schema = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
TIME: Schema = {"type": "string", "format": "date-time"}

CATEGORY = obj(
    {"id": ID, "title": STR, "user_id": ID, "hide_globally": BOOL},
    {"feed_count": INT, "total_unread": INT},
)
FEED = obj(
    {
        "id": ID,
        "user_id": ID,
        "feed_url": STR,
        "site_url": STR,
        "title": STR,
        "checked_at": STR,
        "next_check_at": STR,
        "parsing_error_message": STR,
        "parsing_error_count": INT,
        "disabled": BOOL,
        "crawler": BOOL,
        "hide_globally": BOOL,
        "category": {**ref("Category"), "nullable": True},
        "icon": {"type": "object", "nullable": True},
    },
    dict.fromkeys(
        (
            "etag_header",
            "last_modified_header",
            "scraper_rules",
            "rewrite_rules",
            "blocklist_rules",
            "keeplist_rules",
            "urlrewrite_rules",
            "user_agent",
            "cookie",
            "username",
            "password",
            "apprise_service_urls",
        ),
        STR,
    )
    | dict.fromkeys(
        (
            "no_media_player",
            "ignore_http_cache",
            "allow_self_signed_certificates",
            "fetch_via_proxy",
        ),
        BOOL,
    ),
)
ENCLOSURE = obj(
    {"id": INT, "user_id": ID, "entry_id": ID, "url": STR, "mime_type": STR, "size": INT},
    {"media_progression": INT},
)
# The reader's place in an enclosure, in seconds: 0 to a week (tidings.durations).
ENCLOSURE_UPDATE = obj({"media_progression": {"type": "integer", "minimum": 0}})
ENTRY = obj(
    {
        "id": ID,
        "user_id": ID,
        "feed_id": ID,
        "status": {"type": "string", "enum": ["read", "unread", "removed"]},
        "hash": STR,
        "title": STR,
        "url": STR,
        "comments_url": STR,
        "published_at": STR,
        "created_at": STR,
        "changed_at": STR,
        "content": STR,
        "author": STR,
        "share_code": STR,
        "starred": BOOL,
        "reading_time": INT,
        "enclosures": {"type": "array", "items": ref("Enclosure")},
        "tags": {"type": "array", "items": STR},
        "feed": {**ref("Feed"), "nullable": True},
    }
)
USER = obj(
    {"id": ID, "username": STR, "is_admin": BOOL},
    {
        "theme": STR,
        "language": STR,
        "timezone": STR,
        "entry_sorting_direction": STR,
        "entry_sorting_order": STR,
        "stylesheet": STR,
        "google_id": STR,
        "openid_connect_id": STR,
        "entries_per_page": INT,
        "keyboard_shortcuts": BOOL,
        "show_reading_time": BOOL,
        "entry_swipe": BOOL,
        "gesture_nav": STR,
        "display_mode": STR,
        "default_reading_speed": INT,
        "cjk_reading_speed": INT,
        "default_home_page": STR,
        "categories_sorting_order": STR,
        "mark_read_on_view": BOOL,
        "media_playback_rate": {"type": "number"},
        "block_filter_entry_rules": STR,
        "keep_filter_entry_rules": STR,
        "last_login_at": STR,
    },
)
SCHEMAS: dict[str, Schema] = {
    "Error": obj({"error_message": STR}),
    "Category": CATEGORY,
    "Feed": FEED,
    "Enclosure": ENCLOSURE,
    "Entry": ENTRY,
    "EntriesPage": obj({"total": INT, "entries": {"type": "array", "items": ref("Entry")}}),
    "User": USER,
    "Counters": obj(
        {
            "reads": {"type": "object", "additionalProperties": INT},
            "unreads": {"type": "object", "additionalProperties": INT},
        }
    ),
    "FeedCreated": obj({"feed_id": ID}),
    "Discovered": obj({"url": STR, "title": STR, "type": STR}),
    "RulePreview": obj(
        {
            "total": INT,
            "capped": BOOL,
            "feeds": {
                "type": "array",
                "items": obj({"feed_id": ID, "title": STR, "count": INT}),
            },
            "entries": {"type": "array", "items": ref("Entry")},
        }
    ),
    "Message": obj({"message": STR}),
    "Version": obj({"version": STR}),
}

ERRORS = {
    "400": "Malformed request, or refused (Miniflux's texts: docs/api.md)",
    "401": "Missing or wrong credentials",
    "404": "No such resource (or not yours)",
    "413": "Body too large",
    "429": "Too many failed sign-ins",
}


def _json(schema: Schema, description: str = "OK") -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> Schema:
    return _json(ref("Error"), description)


def _path_param(name: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": ID, "example": 1}


def _query(name: str, schema: Schema, description: str = "") -> Schema:
    param: Schema = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


ENTRY_FILTERS = [
    _query("status", {"type": "string", "enum": ["read", "unread", "removed"]}),
    _query("starred", {"type": "boolean"}),
    _query("limit", {"type": "integer", "minimum": 0}, "at most 500 are given"),
    _query("offset", {"type": "integer", "minimum": 0}),
    _query(
        "order",
        {
            "type": "string",
            "enum": list(ORDERS),
        },
        "entries are always ordered by publication time, then id",
    ),
    _query("direction", {"type": "string", "enum": ["asc", "desc"]}),
    _query("before", INT, "unix time"),
    _query("after", INT, "unix time"),
    _query("before_entry_id", ID),
    _query("after_entry_id", ID),
    _query("search", STR),
]


def _op(
    summary: str,
    ok: tuple[str, Schema],
    *,
    path: tuple[str, ...] = (),
    query: list[Schema] | None = None,
    body: Schema | None = None,
    body_type: str = "application/json",
    extra: tuple[str, ...] = (),
) -> Schema:
    status, response = ok
    responses: dict[str, Schema] = {status: response}
    for code, text in ERRORS.items():
        responses[code] = _error(text)
    for code in extra:
        responses[code] = _error({"403": "Administrators only"}[code])
    operation: Schema = {"summary": summary, "responses": responses}
    params = [_path_param(p) for p in path] + (query or [])
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {body_type: {"schema": body}}}
    return operation


NO_CONTENT = ("204", {"description": "Done"})


def _ok(schema: Schema) -> tuple[str, Schema]:
    return "200", _json(schema)


def _created(schema: Schema) -> tuple[str, Schema]:
    return "201", _json(schema, "Created or updated")


def _array(name: str) -> Schema:
    return {"type": "array", "items": ref(name)}


TITLE_BODY = obj({"title": STR})
FEED_BODY = obj({"feed_url": STR}, {"category_id": ID, "crawler": BOOL, "scraper_rules": STR})
FEED_UPDATE = {
    "type": "object",
    "properties": {
        "title": STR,
        "category_id": ID,
        "feed_url": STR,
        "blocklist_rules": STR,
        "keeplist_rules": STR,
        "crawler": BOOL,
        "scraper_rules": STR,
    },
}
USER_BODY = obj({"username": STR, "password": STR}, {"is_admin": BOOL})
USER_UPDATE = {
    "type": "object",
    "properties": {
        "username": STR,
        "password": STR,
        "is_admin": BOOL,
        "block_filter_entry_rules": STR,
        "keep_filter_entry_rules": STR,
    },
}
RULE_BODY = obj(
    {"query": STR},
    {
        "scope": {"type": "string", "enum": list(SCOPES)},
        "scope_id": ID,
        "actions": {
            "type": "array",
            "items": {"type": "string", "enum": list(ACTIONS)},
        },
        "labels": {"type": "array", "items": STR},
    },
)
ENTRIES_UPDATE = obj(
    {
        "entry_ids": {"type": "array", "items": ID, "minItems": 1},
        "status": {"type": "string", "enum": ["read", "unread"]},
    }
)


def document() -> Schema:
    """The OpenAPI document."""
    paths: dict[str, dict[str, Schema]] = {
        "/v1/me": {"get": _op("The signed-in user", _ok(ref("User")))},
        "/v1/version": {"get": _op("Version", _ok(ref("Version")))},
        "/v1/users": {
            "get": _op("Every user", _ok(_array("User")), extra=("403",)),
            "post": _op("Create a user", _created(ref("User")), body=USER_BODY, extra=("403",)),
        },
        "/v1/users/{user_id}": {
            "get": _op("A user", _ok(ref("User")), path=("user_id",), extra=("403",)),
            "put": _op(
                "Change a user's password",
                _created(ref("User")),
                path=("user_id",),
                body=USER_UPDATE,
                extra=("403",),
            ),
            "delete": _op("Delete a user", NO_CONTENT, path=("user_id",), extra=("403",)),
        },
        "/v1/users/{user_id}/mark-all-as-read": {
            "put": _op("Mark everything read", NO_CONTENT, path=("user_id",), extra=("403",))
        },
        "/v1/categories": {
            "get": _op(
                "The user's categories",
                _ok(_array("Category")),
                query=[_query("counts", {"type": "boolean"})],
            ),
            "post": _op("Create a category", _created(ref("Category")), body=TITLE_BODY),
        },
        "/v1/categories/{category_id}": {
            "put": _op(
                "Rename a category",
                _created(ref("Category")),
                path=("category_id",),
                body=TITLE_BODY,
            ),
            "delete": _op("Delete a category", NO_CONTENT, path=("category_id",)),
        },
        "/v1/categories/{category_id}/feeds": {
            "get": _op("A category's feeds", _ok(_array("Feed")), path=("category_id",))
        },
        "/v1/categories/{category_id}/entries": {
            "get": _op(
                "A category's entries",
                _ok(ref("EntriesPage")),
                path=("category_id",),
                query=ENTRY_FILTERS,
            )
        },
        "/v1/categories/{category_id}/mark-all-as-read": {
            "put": _op("Mark a category read", NO_CONTENT, path=("category_id",))
        },
        "/v1/categories/{category_id}/refresh": {
            "put": _op("Refresh a category's feeds", NO_CONTENT, path=("category_id",))
        },
        "/v1/feeds": {
            "get": _op("The user's feeds", _ok(_array("Feed"))),
            "post": _op("Subscribe", _created(ref("FeedCreated")), body=FEED_BODY),
        },
        "/v1/feeds/counters": {"get": _op("Unread counts per feed", _ok(ref("Counters")))},
        "/v1/feeds/refresh": {"put": _op("Refresh every feed", NO_CONTENT)},
        "/v1/feeds/{feed_id}": {
            "get": _op("A feed", _ok(ref("Feed")), path=("feed_id",)),
            "put": _op(
                "Change a feed's title, category, lists, crawler or scraper rules",
                _created(ref("Feed")),
                path=("feed_id",),
                body=FEED_UPDATE,
            ),
            "delete": _op("Unsubscribe", NO_CONTENT, path=("feed_id",)),
        },
        "/v1/feeds/{feed_id}/refresh": {
            "put": _op("Refresh a feed", NO_CONTENT, path=("feed_id",))
        },
        "/v1/feeds/{feed_id}/icon": {
            "get": _op("A feed's icon (none are kept: 404)", _ok(STR), path=("feed_id",))
        },
        "/v1/feeds/{feed_id}/entries": {
            "get": _op(
                "A feed's entries",
                _ok(ref("EntriesPage")),
                path=("feed_id",),
                query=ENTRY_FILTERS,
            )
        },
        "/v1/feeds/{feed_id}/entries/{entry_id}": {
            "get": _op("An entry of a feed", _ok(ref("Entry")), path=("feed_id", "entry_id"))
        },
        "/v1/feeds/{feed_id}/mark-all-as-read": {
            "put": _op("Mark a feed read", NO_CONTENT, path=("feed_id",))
        },
        "/v1/entries": {
            "get": _op(
                "The user's entries",
                _ok(ref("EntriesPage")),
                query=[
                    *ENTRY_FILTERS,
                    _query("feed_id", ID),
                    _query("category_id", ID),
                ],
            ),
            "put": _op("Mark entries read or unread", NO_CONTENT, body=ENTRIES_UPDATE),
        },
        "/v1/entries/{entry_id}": {"get": _op("An entry", _ok(ref("Entry")), path=("entry_id",))},
        "/v1/entries/{entry_id}/bookmark": {
            "put": _op("Toggle the star", NO_CONTENT, path=("entry_id",))
        },
        "/v1/entries/{entry_id}/save": {
            "post": _op(
                "Queue the entry to the user's enabled integrations",
                ("202", {"description": "Queued"}),
                path=("entry_id",),
            )
        },
        "/v1/enclosures/{enclosure_id}": {
            "get": _op(
                "An enclosure of an entry of the user's feeds, with the user's place in it",
                _ok(ref("Enclosure")),
                path=("enclosure_id",),
            ),
            "put": _op(
                "Save the user's place in an enclosure (media_progression, seconds)",
                NO_CONTENT,
                path=("enclosure_id",),
                body=ENCLOSURE_UPDATE,
            ),
        },
        "/v1/export": {
            "get": _op(
                "OPML of the user's subscriptions",
                ("200", {"description": "OPML", "content": {"text/xml": {"schema": STR}}}),
            )
        },
        "/v1/import": {
            "post": _op(
                "Subscribe to the feeds of an OPML document",
                _created(ref("Message")),
                body=STR,
                body_type="text/xml",
            )
        },
        "/v1/discover": {
            "post": _op(
                "Find the feeds at a URL", _ok(_array("Discovered")), body=obj({"url": STR})
            )
        },
        "/v1/rules/preview": {
            "post": _op(
                "What a rule would select among your stored entries (tidings' own)",
                _ok(ref("RulePreview")),
                body=RULE_BODY,
            )
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "tidings: Miniflux-compatible API",
            "version": __version__,
            "description": "The Miniflux v1 API as tidings serves it; see docs/api.md.",
        },
        "security": [{"token": []}, {"basic": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"},
                "basic": {"type": "http", "scheme": "basic"},
            },
        },
    }


def rendered() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


async def serve(request: Request) -> Response:
    return JSONReply(document())


def routes() -> list[Route]:
    return [Route("/v1/openapi.json", serve, methods=["GET"])]


if __name__ == "__main__":
    print(rendered(), end="")
