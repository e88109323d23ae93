"""/account/apps: the endpoints to paste into apps, and the API password set in the browser."""

from __future__ import annotations

import lxml.html
from starlette.testclient import TestClient

from reader_ui.helpers import post
from tidings.store import Store
from tidings.store.apipasswords import fever_key


def _client_login(client: TestClient, password: str) -> str | None:
    reply = client.post("/accounts/ClientLogin", data={"Email": "ann", "Passwd": password})
    found = [line[5:] for line in reply.text.splitlines() if line.startswith("Auth=")]
    return found[0] if reply.status_code == 200 and found else None


def test_the_apps_page_shows_the_endpoints_and_sets_the_api_password(
    ann_client: TestClient, store: Store, ann: int
) -> None:
    page = lxml.html.fromstring(ann_client.get("/account/apps").text)
    addresses = page.xpath("//table[@class='endpoints']//input/@value")
    assert addresses == [
        "http://testserver/",
        "http://testserver/api/greader.php",
        "http://testserver/fever/",
    ]
    assert "You have none yet" in page.text_content()
    assert _client_login(ann_client, "app password 1") is None

    differ = post(
        ann_client,
        "/account/apps/password",
        {"api_password": "app password 1", "confirm_api_password": "app password 2"},
    )
    assert differ.status_code == 200 and "The two API passwords differ." in differ.text
    short = post(
        ann_client, "/account/apps/password", {"api_password": "x", "confirm_api_password": "x"}
    )
    assert "at least 8 characters" in short.text
    assert store.api_passwords.secret_of(ann) is None

    done = post(
        ann_client,
        "/account/apps/password",
        {"api_password": "app password 1", "confirm_api_password": "app password 1"},
    )
    assert done.status_code == 303
    token = _client_login(ann_client, "app password 1")
    assert token is not None
    headers = {"Authorization": f"GoogleLogin auth={token}"}
    assert ann_client.get("/reader/api/0/user-info", headers=headers).status_code == 200
    fever = ann_client.post("/fever/?api", data={"api_key": fever_key("ann", "app password 1")})
    assert fever.json()["auth"] == 1
    assert "You have one" in ann_client.get("/account/apps").text

    # A new API password signs the apps out: the old token and key stop working.
    post(
        ann_client,
        "/account/apps/password",
        {"api_password": "app password 2", "confirm_api_password": "app password 2"},
    )
    assert ann_client.get("/reader/api/0/user-info", headers=headers).status_code == 401
    stale = ann_client.post("/fever/?api", data={"api_key": fever_key("ann", "app password 1")})
    assert stale.json()["auth"] == 0
