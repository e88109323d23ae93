"""Fixtures for the web tests: an app over the `store` fixture (SQLite and PostgreSQL), clients."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from starlette.applications import Starlette

from support.fixtures import client as client
from support.fixtures import settings as settings
from support.forms import sign_in
from tidings.accounts import create_user
from tidings.config import Settings
from tidings.store import Store
from tidings.web.app import create_app
from web.helpers import ADMIN_PASSWORD, FakeDiscover

if TYPE_CHECKING:
    from starlette.testclient import TestClient


@pytest.fixture
def discover() -> FakeDiscover:
    return FakeDiscover()


@pytest.fixture
def app(store: Store, settings: Settings, discover: FakeDiscover) -> Starlette:
    return create_app(settings, store, discover=discover)


@pytest.fixture
def admin_client(client: TestClient, store: Store) -> TestClient:
    """The client, signed in as an administrator."""
    create_user(store, "admin", ADMIN_PASSWORD, is_admin=True)
    sign_in(client, "admin", ADMIN_PASSWORD)
    return client
