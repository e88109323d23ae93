"""Signing in and out: sessions, CSRF, the failed sign-in limit, roles, redirects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from support.forms import csrf_of, sign_in
from tidings.accounts import create_user
from tidings.app.signin_limits import SignInLimiter
from tidings.store import Store
from tidings.web.sessions import COOKIE_NAME, SessionSigner, new_session
from web.helpers import ADMIN_PASSWORD


def test_sign_in_sets_a_hardened_cookie_and_sign_out_clears_it(
    client: TestClient, store: Store
) -> None:
    create_user(store, "admin", ADMIN_PASSWORD, is_admin=True)
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"name": "admin", "password": ADMIN_PASSWORD, "csrf_token": token, "next": "/sources"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/sources"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert client.get("/admin").status_code == 200
    page = client.get("/")
    assert "Sign out" in page.text and page.headers["cache-control"] == "no-cache"
    out = client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_cookie_is_secure_over_https(store: Store, client: TestClient) -> None:
    create_user(store, "admin", ADMIN_PASSWORD, is_admin=True)
    secure = TestClient(client.app, base_url="https://testserver")
    token = csrf_of(secure.get("/login").text)
    response = secure.post(
        "/login",
        data={"name": "admin", "password": ADMIN_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_keeps_the_name_and_says_so(client: TestClient, store: Store) -> None:
    create_user(store, "admin", ADMIN_PASSWORD, is_admin=True)
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"name": "admin", "password": "nope nope", "csrf_token": token}
    )
    assert "Unknown user name or wrong password." in response.text
    assert 'value="admin"' in response.text
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_failed_sign_ins_are_limited_per_name(client: TestClient, store: Store) -> None:
    create_user(store, "admin", ADMIN_PASSWORD, is_admin=True)
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        client.post("/login", data={"name": "admin", "password": "wrong!!!", "csrf_token": token})
    blocked = client.post(
        "/login", data={"name": "admin", "password": ADMIN_PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.text
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_failed_sign_ins_are_limited_per_address(client: TestClient, store: Store) -> None:
    client.app.state.site.limiter = SignInLimiter(per_address=3)  # type: ignore[attr-defined]
    token = csrf_of(client.get("/login").text)
    for i in range(3):
        client.post("/login", data={"name": f"user{i}", "password": "x", "csrf_token": token})
    create_user(store, "fresh", ADMIN_PASSWORD)
    blocked = client.post(
        "/login", data={"name": "fresh", "password": ADMIN_PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429


def test_posts_without_a_valid_csrf_token_are_refused(
    admin_client: TestClient, store: Store
) -> None:
    for data in ({}, {"csrf_token": "forged"}):
        response = admin_client.post("/admin/categories", data={"name": "X", **data})
        assert response.status_code == 403
        assert "form has expired" in response.text
    assert store.categories.all() == []


@pytest.mark.parametrize("origin", ["https://evil.example", "http://[x", "http://[::1"])
def test_cross_origin_posts_are_refused(admin_client: TestClient, origin: str) -> None:
    token = csrf_of(admin_client.get("/admin/categories").text)
    response = admin_client.post(
        "/admin/categories",
        data={"name": "X", "csrf_token": token},
        headers={"Origin": origin},
    )
    assert response.status_code == 403
    assert "sent from another site" in response.text


def test_login_form_without_cookie_is_refused(client: TestClient, store: Store) -> None:
    create_user(store, "admin", ADMIN_PASSWORD, is_admin=True)
    response = client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
    assert response.status_code == 403


def test_forged_or_tampered_cookies_are_ignored(client: TestClient, store: Store) -> None:
    user = create_user(store, "admin", ADMIN_PASSWORD, is_admin=True)
    token = store.sessions.start(user.id, timedelta(days=1))
    forged = SessionSigner("another key").dumps(new_session(token))
    client.cookies.set(COOKIE_NAME, forged)
    assert client.get("/admin", follow_redirects=False).status_code == 303
    genuine = SessionSigner("test secret key").dumps(new_session(token))
    body, signature = genuine.split(".")
    client.cookies.set(COOKIE_NAME, body[:-2] + "xx." + signature)
    assert client.get("/admin", follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE_NAME, genuine)
    assert client.get("/admin").status_code == 200


def test_readers_are_not_admins(client: TestClient, store: Store) -> None:
    create_user(store, "reader", ADMIN_PASSWORD)
    sign_in(client, "reader", ADMIN_PASSWORD)
    assert client.get("/admin").status_code == 403
    assert "Administer" not in client.get("/").text


def test_no_open_redirect_after_sign_in(client: TestClient, store: Store) -> None:
    create_user(store, "admin", ADMIN_PASSWORD, is_admin=True)
    token = csrf_of(client.get("/login?next=//evil.example").text)
    response = client.post(
        "/login",
        data={
            "name": "admin",
            "password": ADMIN_PASSWORD,
            "csrf_token": token,
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/reader"


def test_admin_pages_redirect_to_sign_in_with_next(client: TestClient) -> None:
    response = client.get("/admin/sources/add", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/sources/add"
    assert 'name="next" value="/admin/sources/add"' in client.get(response.headers["location"]).text
