"""Every web route's `{name:id}` (tidings.web.ids): a number past any id is a 404, on both
databases. Starlette's `int` took any count of digits and int() refuses more than 4,300: a 500
and a traceback for an anonymous request; 19 digits reached PostgreSQL past its bigint."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.testclient import TestClient


def id_paths(routes: list[BaseRoute], prefix: str = "") -> Iterator[str]:
    """The path templates of every route below `routes` that takes an id."""
    for route in routes:
        if isinstance(route, Mount):
            yield from id_paths(list(route.routes), prefix + route.path)
        elif isinstance(route, Route) and ":id}" in route.path:
            yield prefix + route.path


@pytest.mark.parametrize("digits", [4301, 19])
def test_an_id_past_every_id_is_no_page(app: Starlette, client: TestClient, digits: int) -> None:
    paths = sorted(set(id_paths(list(app.routes))))
    assert len(paths) > 30  # the public pages, the reader's and the administration's
    for template in paths:
        path = re.sub(r"\{[a-z_]+:id\}", "9" * digits, template)
        path = re.sub(r"\{[a-z_]+(:[a-z]+)?\}", "x", path)  # any other parameter
        for method in ("GET", "POST"):
            answer = client.request(method, path, follow_redirects=False)
            assert answer.status_code in (404, 405), (method, template, answer.status_code)
