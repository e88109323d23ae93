"""Fixtures for the client-API tests: the app with the API routes over the `store` fixture
(SQLite and PostgreSQL), two users with API keys and API passwords, and a few feeds."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from api_support import World, build_app, make_world
from argon2 import PasswordHasher

from tidings import accounts
from tidings.config import Settings
from tidings.store import Store, apipasswords


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its lowest cost: the tests sign in often, and strength is not under test."""
    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", fast)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", fast.hash("dummy"))
    monkeypatch.setattr(apipasswords, "_hasher", fast)
    monkeypatch.setattr(apipasswords, "_DUMMY_HASH", fast.hash("dummy"))


@pytest.fixture
def settings() -> Settings:
    return Settings(secret_key="api test key", site_name="Test News")


@pytest.fixture
def app(store: Store, settings: Settings) -> Starlette:
    return build_app(settings, store)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)
