"""Fixtures for the reading-UI tests: the app with its routes over `store` (both databases)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

with warnings.catch_warnings():
    # Starlette 1.x asks for `httpx2` in its TestClient (a warning at import time only).
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

import tidings.accounts
from reader_ui.helpers import reader_app, sign_in, user
from tidings.config import Settings
from tidings.store import Store


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its cheapest: these tests sign in a lot, and check who, not how hard."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(tidings.accounts, "_hasher", cheap)


@pytest.fixture
def settings() -> Settings:
    return Settings(secret_key="test secret key", site_name="Test News")


@pytest.fixture
def app(store: Store, settings: Settings) -> Starlette:
    return reader_app(settings, store)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def ann(store: Store) -> int:
    return user(store, "ann")


@pytest.fixture
def bob(store: Store) -> int:
    return user(store, "bob")


@pytest.fixture
def ann_client(client: TestClient, ann: int) -> TestClient:
    sign_in(client, "ann")
    return client


@pytest.fixture
def bob_client(app: Starlette, bob: int) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        sign_in(test_client, "bob")
        yield test_client


@pytest.fixture
def client_without_session(app: Starlette) -> Iterator[TestClient]:
    """A client with no cookies: a feed reader."""
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client
