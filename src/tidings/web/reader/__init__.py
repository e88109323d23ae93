"""The signed-in reading experience: lists, entries, search, subscriptions, accounts.

Mounted by web/app.py with `*reader_routes()` in its routes table. Every handler reads the
signed-in user from the database and passes that id to the store, whose queries reach only that
user's rows; ids in paths and forms only ever select among them.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from tidings.web.reader import (
    account,
    apps,
    articles,
    density,
    integrations,
    listing,
    manage,
    players,
    rules,
    search,
)


def reader_routes() -> list[BaseRoute]:
    """Every route of the reading UI (/reader…) and of accounts (/account…)."""
    return [
        *articles.ROUTES,
        *integrations.ROUTES,
        *listing.ROUTES,
        *manage.ROUTES,
        *search.ROUTES,
        *rules.ROUTES,
        *account.ROUTES,
        *apps.ROUTES,
        *density.ROUTES,
        *players.ROUTES,
    ]


__all__ = ["reader_routes"]
