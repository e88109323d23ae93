"""Every credential resolves to its owner, with id spaces that never line up.

The decoys (support.decoys) give each table ids of its own range, so a lookup that reads one
table's id as another's gives a wrong answer here instead of a lucky right one. The first test
is the one today's `authenticate` failed: it read the API key's id as the user's.
"""

from __future__ import annotations

import base64

import lxml.etree
from starlette.testclient import TestClient

from support.decoys import make_decoys
from support.fixtures import open_client
from support.forms import sign_in
from tidings.accounts import create_user
from tidings.store import Store
from tidings.store.apipasswords import fever_key

PASSWORD = "a long password"
API_PASSWORD = "an api password"


def test_an_api_key_resolves_to_its_owner(store: Store) -> None:
    make_decoys(store)
    admin = create_user(store, "admin", PASSWORD, is_admin=True)
    reader = create_user(store, "reader", PASSWORD)
    key, token = store.api_keys.create(reader.id, "phone")
    assert len({admin.id, reader.id, key.id}) == 3
    found = store.api_keys.authenticate(token)
    assert found is not None
    assert (found.id, found.name, found.is_admin) == (reader.id, "reader", False)


def test_a_key_whose_id_is_the_admins_id_still_acts_as_its_owner(
    client: TestClient, store: Store
) -> None:
    """The attack as found: no decoys, so the reader's first key has the admin's id."""
    admin = create_user(store, "admin", PASSWORD, is_admin=True)
    reader = create_user(store, "reader", PASSWORD)
    secret = store.reading.subscribe(admin.id, "https://admin.example/private")
    key, token = store.api_keys.create(reader.id, "phone")
    assert key.id == admin.id  # the collision the bug needed
    headers = {"X-Auth-Token": token}
    me = client.get("/v1/me", headers=headers).json()
    assert (me["id"], me["username"], me["is_admin"]) == (reader.id, "reader", False)
    assert client.get("/v1/feeds", headers=headers).json() == []
    assert client.delete(f"/v1/feeds/{secret.feed_id}", headers=headers).status_code == 404
    assert client.get("/v1/users", headers=headers).status_code == 403
    assert [s.feed_id for s in store.reading.subscriptions(admin.id)] == [secret.feed_id]


def test_every_front_end_names_the_same_person(client: TestClient, store: Store) -> None:
    make_decoys(store)
    create_user(store, "admin", PASSWORD, is_admin=True)
    ann = create_user(store, "ann", PASSWORD)
    _, token = store.api_keys.create(ann.id, "app")
    store.api_passwords.set_api_password(ann.id, "ann", API_PASSWORD)
    mine = store.reading.subscribe(ann.id, "https://ann.example/feed")
    other = store.reading.subscribe(1, "https://decoy-owner.example/feed")
    assert mine.feed_id != ann.id and other.feed_id != mine.feed_id

    # Miniflux: API key and Basic.
    for headers in (
        {"X-Auth-Token": token},
        {"Authorization": "Basic " + base64.b64encode(f"ann:{PASSWORD}".encode()).decode()},
    ):
        me = client.get("/v1/me", headers=headers).json()
        assert (me["id"], me["username"]) == (ann.id, "ann")
        assert [f["id"] for f in client.get("/v1/feeds", headers=headers).json()] == [mine.feed_id]
    # Google Reader: ClientLogin, then its token.
    login = client.post("/accounts/ClientLogin", data={"Email": "ann", "Passwd": API_PASSWORD})
    auth = next(line[5:] for line in login.text.splitlines() if line.startswith("Auth="))
    info = client.get(
        "/reader/api/0/user-info", headers={"Authorization": f"GoogleLogin auth={auth}"}
    ).json()
    assert (info["userId"], info["userName"]) == (str(ann.id), "ann")
    # Fever: its key.
    fever = client.post("/fever/?api&feeds", data={"api_key": fever_key("ann", API_PASSWORD)})
    assert [f["id"] for f in fever.json()["feeds"]] == [mine.feed_id]
    # The web: a signed-in session, and a search feed's link.
    sign_in(client, "ann", PASSWORD)
    assert "You are signed in as <strong>ann</strong>" in client.get("/account").text
    _, feed_token = store.feed_tokens.create(ann.id, "anything")
    with open_client(client.app) as anonymous:  # type: ignore[arg-type]
        feed = anonymous.get("/reader/search.atom", params={"q": "anything", "token": feed_token})
    assert feed.status_code == 200
    lxml.etree.fromstring(feed.content)
