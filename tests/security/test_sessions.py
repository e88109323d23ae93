"""Sessions end when they should: sign-out, sign out everywhere, a password change or reset, the
user's removal, expiry; and a removed user's cookie never becomes the next user created."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from starlette.testclient import TestClient

from support.decoys import make_decoys
from support.fixtures import open_client
from support.forms import csrf_of, sign_in
from tidings.accounts import create_user
from tidings.cli import cli
from tidings.store import Store
from tidings.store.schema import feeds
from tidings.web.sessions import COOKIE_NAME, SessionSigner, new_session

PASSWORD = "a long password"
NEW_PASSWORD = "another long password"


def signed_in(client: TestClient) -> bool:
    """True when the client's cookie opens a personal page."""
    return client.get("/account", follow_redirects=False).status_code == 200


def post(client: TestClient, path: str, data: dict[str, str] | None = None) -> int:
    token = csrf_of(client.get("/account").text)
    response = client.post(path, data={**(data or {}), "csrf_token": token}, follow_redirects=False)
    return response.status_code


def copy_of(client: TestClient) -> TestClient:
    """Another browser holding the very same cookie (a stolen or copied session)."""
    other = TestClient(client.app, base_url=str(client.base_url))
    other.cookies.set(COOKIE_NAME, client.cookies[COOKIE_NAME])
    return other


def test_signing_out_ends_the_session_not_only_the_cookie(client: TestClient, store: Store) -> None:
    make_decoys(store)
    create_user(store, "ann", PASSWORD)
    sign_in(client, "ann", PASSWORD)
    stolen = copy_of(client)
    assert signed_in(stolen)
    token = csrf_of(client.get("/logout").text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
    assert not signed_in(client)
    assert not signed_in(stolen)


def test_sign_out_everywhere_ends_every_session(app: object, store: Store) -> None:
    make_decoys(store)
    ann = create_user(store, "ann", PASSWORD)
    bob = create_user(store, "bob", PASSWORD)
    with open_client(app) as phone, open_client(app) as laptop, open_client(app) as bobs:  # type: ignore[arg-type]
        for client, name in ((phone, "ann"), (laptop, "ann"), (bobs, "bob")):
            sign_in(client, name, PASSWORD)
        assert len(store.sessions.of_user(ann.id)) == 2
        page = laptop.get("/account").text
        assert "Sign out everywhere" in page and "(this browser)" in page
        assert post(laptop, "/account/sessions/end") == 303
        assert not signed_in(phone) and not signed_in(laptop)
        assert signed_in(bobs)  # somebody else's sessions are theirs
        assert store.sessions.of_user(ann.id) == [] and len(store.sessions.of_user(bob.id)) == 1


def test_changing_the_password_ends_the_other_sessions(app: object, store: Store) -> None:
    make_decoys(store)
    create_user(store, "ann", PASSWORD)
    with open_client(app) as phone, open_client(app) as laptop:  # type: ignore[arg-type]
        sign_in(phone, "ann", PASSWORD)
        sign_in(laptop, "ann", PASSWORD)
        status = post(
            laptop,
            "/account/password",
            {
                "old_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "confirm_password": NEW_PASSWORD,
            },
        )
        assert status == 303
        assert signed_in(laptop)  # who changed it stays
        assert not signed_in(phone)


def _reset_by_admin(store: Store, app: object, user_id: int) -> None:
    create_user(store, "root", PASSWORD, is_admin=True)
    with open_client(app) as admin:  # type: ignore[arg-type]
        sign_in(admin, "root", PASSWORD)
        assert post(admin, f"/account/users/{user_id}/password", {"password": NEW_PASSWORD}) == 303


def _reset_from_the_cli(store: Store, app: object, user_id: int) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        cli,
        ["user", "passwd", "ann", "--password", NEW_PASSWORD],
        env={"TIDINGS_DATABASE_URL": url},
    )
    assert result.exit_code == 0, result.output


def _changed_through_miniflux(store: Store, app: object, user_id: int) -> None:
    root = create_user(store, "root", PASSWORD, is_admin=True)
    _, token = store.api_keys.create(root.id, "app")
    with open_client(app) as api:  # type: ignore[arg-type]
        response = api.put(
            f"/v1/users/{user_id}", json={"password": NEW_PASSWORD}, headers={"X-Auth-Token": token}
        )
        assert response.status_code == 201, response.text


def _removed(store: Store, app: object, user_id: int) -> None:
    store.users.remove(user_id)


@pytest.mark.parametrize(
    "end", [_reset_by_admin, _reset_from_the_cli, _changed_through_miniflux, _removed]
)
def test_a_reset_or_removal_ends_the_users_sessions(
    app: object, store: Store, end: Callable[[Store, object, int], None]
) -> None:
    make_decoys(store)
    ann = create_user(store, "ann", PASSWORD)
    with open_client(app) as browser:  # type: ignore[arg-type]
        sign_in(browser, "ann", PASSWORD)
        assert signed_in(browser)
        end(store, app, ann.id)
        assert not signed_in(browser)
        assert browser.get("/reader", follow_redirects=False).status_code == 303


def test_a_removed_users_cookie_never_becomes_the_next_user(
    client: TestClient, store: Store
) -> None:
    create_user(store, "admin", PASSWORD, is_admin=True)
    carol = create_user(store, "carol", PASSWORD)
    sign_in(client, "carol", PASSWORD)
    store.users.remove(carol.id)
    dave = create_user(store, "dave", PASSWORD, is_admin=True)
    if store.dialect == "sqlite":
        assert dave.id == carol.id  # SQLite gives the largest deleted id again: the trap is set
    assert client.get("/admin", follow_redirects=False).status_code == 303
    assert not signed_in(client)


def test_an_expired_or_forged_session_is_signed_out(client: TestClient, store: Store) -> None:
    ann = create_user(store, "ann", PASSWORD)
    long_ago = datetime.now(UTC) - timedelta(days=30)
    token = store.sessions.start(ann.id, timedelta(days=14), now=long_ago)
    assert store.sessions.user_of(token) is None
    signer = SessionSigner("test secret key")
    client.cookies.set(COOKIE_NAME, signer.dumps(new_session(token)))
    assert not signed_in(client)
    client.cookies.set(COOKIE_NAME, signer.dumps(new_session("made-up token")))
    assert not signed_in(client)
    # A cookie of the old format, validly signed, named the user by id: no credential any more.
    now = int(datetime.now(UTC).timestamp())
    payload = {"c": "x", "u": ann.id, "n": "ann", "a": False, "i": now, "f": []}
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    signature = base64.urlsafe_b64encode(signer._sign(body)).rstrip(b"=").decode()
    client.cookies.set(COOKIE_NAME, f"{body}.{signature}")
    assert not signed_in(client)


def test_a_long_flash_message_keeps_the_cookie_small(client: TestClient, store: Store) -> None:
    make_decoys(store)
    ann = create_user(store, "ann", PASSWORD)
    sub = store.reading.subscribe(ann.id, "https://ann.example/feed")
    with store.engine.begin() as conn:  # a feed's own title, as long as a hostile feed makes it
        conn.execute(
            sa.update(feeds).where(feeds.c.id == sub.feed_id).values(feed_title="T" * 20_000)
        )
    sign_in(client, "ann", PASSWORD)
    token = csrf_of(client.get("/account").text)
    response = client.post(  # "Saved <the feed's title>." is the next page's message
        f"/reader/subscriptions/{sub.feed_id}",
        data={"csrf_token": token, "title": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert len(response.headers["set-cookie"]) < 2_000
    shown = client.get(response.headers["location"]).text
    assert "Saved " + "T" * 193 + "…" in shown  # cut to MAX_FLASH (200) characters
