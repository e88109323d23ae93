"""Fixtures for the client-API tests: the app with the API routes over the `store` fixture
(SQLite and PostgreSQL), two users with API keys and API passwords, and a few feeds."""

from __future__ import annotations

import pytest
from api_support import World, make_world

from support.fixtures import app as app
from support.fixtures import cheap_password_hashing as cheap_password_hashing
from support.fixtures import client as client
from support.fixtures import settings as settings
from tidings.store import Store


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)
