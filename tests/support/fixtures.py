"""Fixtures for the suites that test the site through its app: settings, the app over `store`
(both databases), a TestClient, cheap password hashing, a store for a live server.

A suite takes them by importing them into its conftest.py with a redundant alias (which marks
them as re-exported): `from support.fixtures import client as client`. Its conftest may still
override any of them, as tests/web overrides `app` to pass a fake discovery.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

with warnings.catch_warnings():
    # Starlette 1.x asks for `httpx2` in its TestClient (a warning at import time only); httpx is
    # what this project installs and it works.
    warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from tidings import accounts
from tidings.config import Settings
from tidings.store import Store, apipasswords
from tidings.web.app import create_app

BASE_URL = "http://testserver"


@contextmanager
def open_client(app: Starlette) -> Iterator[TestClient]:
    """A TestClient of its own (own cookies) on `app`, its lifespan run."""
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its lowest cost: the tests sign in often, and strength is not under test.
    Autouse in every suite whose conftest imports it."""
    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", fast)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", fast.hash("dummy"))
    monkeypatch.setattr(apipasswords, "_hasher", fast)
    monkeypatch.setattr(apipasswords, "_DUMMY_HASH", fast.hash("dummy"))


@pytest.fixture
def settings() -> Settings:
    return Settings(secret_key="test secret key", site_name="Test News")


@pytest.fixture
def app(store: Store, settings: Settings) -> Starlette:
    """The whole site (its routes table mounts the reading UI and puts the client APIs first)."""
    return create_app(settings, store)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with open_client(app) as test_client:
        yield test_client


@pytest.fixture
def live_store(tmp_path: Path, sqlite_template: Path) -> Iterator[Store]:
    """A Store on a SQLite file of the test's own (a copy of the migrated template), which a live
    server's thread opens too: SQLite only, where `store` runs each test on both databases."""
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    with Store.open(f"sqlite:///{path}") as store:
        yield store
