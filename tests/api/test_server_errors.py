"""A server error on a client API's path is answered in that API's kind, not as the site's HTML
page: Miniflux clients parse `error_message` from JSON, Google Reader and Fever clients read
text. The traceback stays in the log either way."""

from __future__ import annotations

import pytest
from api_support import API_PASSWORD, World
from starlette.applications import Starlette
from starlette.testclient import TestClient

from support.fixtures import BASE_URL
from tidings.store import Store


def _broken(*args: object, **kwargs: object) -> object:
    raise RuntimeError("the database went away")


def test_client_apis_answer_a_server_error_in_their_own_kind(
    app: Starlette, world: World, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        login = client.post(
            "/accounts/ClientLogin", data={"Email": "alice", "Passwd": API_PASSWORD}
        )
        auth = next(line[5:] for line in login.text.splitlines() if line.startswith("Auth="))
        monkeypatch.setattr(store.reading, "categories", _broken)
        monkeypatch.setattr(store.reading, "subscriptions", _broken)
        miniflux = client.get("/v1/categories", headers=world.alice.headers)
        greader = client.get(
            "/reader/api/0/tag/list", headers={"Authorization": f"GoogleLogin auth={auth}"}
        )
    assert (miniflux.status_code, miniflux.json()) == (
        500,
        {"error_message": "internal server error"},
    )
    assert (greader.status_code, greader.text) == (500, "internal server error\n")
    assert "the database went away" not in miniflux.text + greader.text
