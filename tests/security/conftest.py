"""Fixtures for the security tests: the whole app over `store` (both databases), cheap hashing."""

from __future__ import annotations

from support.fixtures import app as app
from support.fixtures import cheap_password_hashing as cheap_password_hashing
from support.fixtures import client as client
from support.fixtures import settings as settings
