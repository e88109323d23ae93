"""Fixtures for the reading-UI tests: the app with its routes over `store` (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from starlette.applications import Starlette

from reader_ui.helpers import sign_in, user
from support.decoys import make_decoys
from support.fixtures import app as app
from support.fixtures import cheap_password_hashing as cheap_password_hashing
from support.fixtures import client as client
from support.fixtures import open_client
from support.fixtures import settings as settings
from tidings.store import Store

if TYPE_CHECKING:
    # Imported at run time by support.fixtures, past Starlette's warning about httpx.
    from starlette.testclient import TestClient


@pytest.fixture
def ann(store: Store) -> int:
    """Ann, after decoys: no id of hers (user, feeds, categories...) lines up with another's."""
    make_decoys(store)
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
    with open_client(app) as test_client:
        sign_in(test_client, "bob")
        yield test_client


@pytest.fixture
def client_without_session(app: Starlette) -> Iterator[TestClient]:
    """A client with no cookies: a feed reader."""
    with open_client(app) as test_client:
        yield test_client
