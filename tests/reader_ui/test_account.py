"""Accounts: change one's password, API keys, users administration."""

from __future__ import annotations

import lxml.html
from starlette.testclient import TestClient

from reader_ui.helpers import PASSWORD, post, sign_in, user
from tidings.accounts import authenticate
from tidings.store import Store


def test_change_password(ann_client: TestClient, store: Store, ann: int) -> None:
    page = ann_client.get("/account")
    assert page.status_code == 200 and "Change your password" in page.text
    new = "a much better secret"
    wrong = post(
        ann_client,
        "/account/password",
        {"old_password": "nope", "new_password": new, "confirm_password": new},
    )
    assert wrong.status_code == 200 and "not your current password" in wrong.text
    short = post(
        ann_client,
        "/account/password",
        {"old_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
    )
    assert short.status_code == 200 and "at least 8 characters" in short.text
    differ = post(
        ann_client,
        "/account/password",
        {"old_password": PASSWORD, "new_password": new, "confirm_password": new + "!"},
    )
    assert differ.status_code == 200 and "differ" in differ.text
    assert authenticate(store, "ann", PASSWORD) is not None
    done = post(
        ann_client,
        "/account/password",
        {"old_password": PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert done.status_code == 303
    assert authenticate(store, "ann", new) is not None
    assert authenticate(store, "ann", PASSWORD) is None


def test_wrong_old_passwords_are_limited(ann_client: TestClient) -> None:
    for _ in range(5):
        post(ann_client, "/account/password", {"old_password": "guess"})
    assert post(ann_client, "/account/password", {"old_password": "guess"}).status_code == 429


def test_api_keys(ann_client: TestClient, store: Store, ann: int) -> None:
    created = post(ann_client, "/account/keys", {"name": "phone reader"})
    assert created.status_code == 200
    assert created.headers["cache-control"] == "private, no-store"
    token = lxml.html.fromstring(created.text).xpath("string(//input[@id='token']/@value)")
    assert len(token) > 30
    listing = ann_client.get("/account/keys").text
    assert token not in listing  # shown once
    [row] = lxml.html.fromstring(listing).xpath("//table[@class='api-keys']/tbody/tr")
    cells = [" ".join(c.text_content().split()) for c in row]
    assert cells[0] == "phone reader" and cells[1] == "now" and cells[2] == "never"
    assert store.api_keys.authenticate(token) is not None
    [row] = lxml.html.fromstring(ann_client.get("/account/keys").text).xpath("//tbody/tr")
    assert " ".join(row[2].text_content().split()) == "now"
    assert post(ann_client, "/account/keys", {"name": "  "}).status_code == 200
    assert len(store.api_keys.of_user(ann)) == 1
    [key] = store.api_keys.of_user(ann)
    assert post(ann_client, f"/account/keys/{key.id}/revoke").status_code == 303
    assert store.api_keys.of_user(ann) == []
    assert post(ann_client, f"/account/keys/{key.id}/revoke").status_code == 404


def test_users_administration(client: TestClient, store: Store) -> None:
    admin = user(store, "root", admin=True)
    sign_in(client, "root")
    page = client.get("/account/users")
    assert page.status_code == 200 and "Add a user" in page.text
    added = post(
        client, "/account/users", {"name": "dora", "password": "long enough", "role": "reader"}
    )
    assert added.status_code == 303
    boss = post(
        client, "/account/users", {"name": "eve", "password": "long enough", "role": "admin"}
    )
    assert boss.status_code == 303
    roles = {u.name: u.is_admin for u in store.users.all()}
    assert roles == {"root": True, "dora": False, "eve": True}
    taken = post(client, "/account/users", {"name": "dora", "password": "long enough"})
    assert taken.status_code == 200 and "exists already" in taken.text
    weak = post(client, "/account/users", {"name": "fay", "password": "short"})
    assert weak.status_code == 200 and "at least 8" in weak.text
    bad_role = post(
        client, "/account/users", {"name": "gil", "password": "long enough", "role": "x"}
    )
    assert bad_role.status_code == 400
    dora = next(u for u in store.users.all() if u.name == "dora")
    post(client, f"/account/users/{dora.id}/password", {"password": "brand new secret"})
    assert authenticate(store, "dora", "brand new secret") is not None
    post(client, f"/account/users/{dora.id}/password", {"password": "short"})
    assert authenticate(store, "dora", "brand new secret") is not None
    # An admin cannot remove themselves; others, yes.
    assert post(client, f"/account/users/{admin}/remove").status_code == 403
    assert post(client, f"/account/users/{dora.id}/remove").status_code == 303
    assert {u.name for u in store.users.all()} == {"root", "eve"}
    assert post(client, f"/account/users/{dora.id}/remove").status_code == 404


def test_users_administration_is_for_admins(ann_client: TestClient, store: Store) -> None:
    other = user(store, "other")
    assert ann_client.get("/account/users").status_code == 403
    for path, data in (
        ("/account/users", {"name": "x", "password": "long enough", "role": "admin"}),
        (f"/account/users/{other}/password", {"password": "hijacked password"}),
        (f"/account/users/{other}/remove", {}),
    ):
        assert post(ann_client, path, data).status_code == 403, path
    assert {u.name for u in store.users.all()} == {"ann", "other", "decoy0", "decoy1"}
    assert authenticate(store, "other", PASSWORD) is not None
    assert 'href="/account/users"' not in ann_client.get("/account").text


def test_a_demoted_admin_loses_the_users_page(client: TestClient, store: Store) -> None:
    root = user(store, "root", admin=True)
    sign_in(client, "root")
    assert client.get("/account/users").status_code == 200
    user(store, "spare", admin=True)
    store.users.remove(root)
    assert client.get("/account/users", follow_redirects=False).status_code == 303
