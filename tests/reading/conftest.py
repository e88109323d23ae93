"""The `world` fixture: a store with two readers (see world.py)."""

from __future__ import annotations

import pytest

from reading.world import World
from tidings.store import Store


@pytest.fixture
def world(store: Store) -> World:
    return World(store)
