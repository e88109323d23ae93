"""Fixtures for the pipeline tests (the helpers themselves are in pipeline_support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pipeline_support import FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A loopback feed server with no routes yet; closed (threads joined) after the test."""
    with FeedServer() as server:
        yield server
