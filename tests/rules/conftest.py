"""The `world` fixture of the reading tests: a store with two readers."""

from __future__ import annotations

import pytest

from reading.world import World
from tidings.store import Store


@pytest.fixture
def world(store: Store) -> World:
    return World(store)
