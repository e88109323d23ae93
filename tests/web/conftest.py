"""Fixtures for the web tests: an app over the `store` fixture (SQLite and PostgreSQL), clients."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette

with warnings.catch_warnings():
    # Starlette 1.x asks for `httpx2` in its TestClient (a warning at import time only); httpx is
    # what this project installs and it works.
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from tidings.accounts import create_user
from tidings.config import Settings
from tidings.store import Store
from tidings.web.app import create_app
from web.helpers import ADMIN_PASSWORD, FakeDiscover, sign_in


@pytest.fixture
def settings() -> Settings:
    return Settings(secret_key="test secret key", site_name="Test News")


@pytest.fixture
def discover() -> FakeDiscover:
    return FakeDiscover()


@pytest.fixture
def app(store: Store, settings: Settings, discover: FakeDiscover) -> Starlette:
    return create_app(settings, store, discover=discover)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def admin_client(client: TestClient, store: Store) -> TestClient:
    """The client, signed in as an administrator."""
    create_user(store, "admin", ADMIN_PASSWORD, is_admin=True)
    sign_in(client, "admin", ADMIN_PASSWORD)
    return client
