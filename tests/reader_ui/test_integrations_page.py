"""/account/integrations and the entry page's Send action, on SQLite and PostgreSQL: forms
only (no JavaScript); secrets sealed and never shown back; another user's integration or entry
is a 404; ids never line up (decoys first). The key S in Chromium is in the browser test below."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from reader_ui.helpers import PASSWORD, add_entries, post, user
from support.browser import chromium, new_page, require_chromium, sign_in
from support.fixtures import live_store as live_store
from support.live_server import LiveServer, serving
from tidings.config import Settings
from tidings.integrations.service import opened_config
from tidings.store import Store
from tidings.web.app import create_app

PAGE = "/account/integrations"
KEY = "test secret key"  # support.fixtures.settings


def _webhook(client: TestClient, name: str = "hook", url: str = "https://hooks.example/in") -> int:
    done = post(
        client,
        PAGE,
        {"kind": "webhook", "name": name, "url": url, "secret": "sealed-secret-value"},
    )
    assert done.status_code == 303, done.text
    return done.status_code


def _entry_of(store: Store, user_id: int) -> int:
    sub = store.reading.subscribe(user_id, f"https://news.example/{user_id}/feed")
    [entry_id] = add_entries(store, sub.feed_id, 1, now=datetime.now(UTC))
    return entry_id


def test_add_lists_masks_and_seals(ann_client: TestClient, ann: int, store: Store) -> None:
    assert "You have no integrations yet" in ann_client.get(PAGE).text
    _webhook(ann_client)
    [stored] = store.integrations.of_user(ann)
    assert stored.kind == "webhook" and stored.enabled
    assert "sealed-secret-value" not in stored.config  # sealed at rest
    assert opened_config(KEY, stored)["secret"] == "sealed-secret-value"
    page = ann_client.get(PAGE).text
    assert "hook" in page and "https://hooks.example/in" in page
    assert "sealed-secret-value" not in page  # never shown back


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "webhook", "name": "h", "url": "ftp://x.example/", "secret": "s"}, "not an http"),
        ({"kind": "webhook", "name": "h", "url": "https://x.example/"}, "Missing setting"),
        ({"kind": "apprise", "name": "n", "urls": "mailto://me@example.org"}, "not an Apprise"),
        ({"kind": "telepathy", "name": "t"}, "no integration of kind"),
        ({"kind": "webhook", "name": "", "url": "https://x.example/", "secret": "s"}, "a name"),
    ],
)
def test_a_bad_form_says_why_and_stores_nothing(
    ann_client: TestClient, ann: int, store: Store, data: dict[str, str], error: str
) -> None:
    answer = post(ann_client, PAGE, data)
    assert answer.status_code == 400
    assert error in answer.text
    assert store.integrations.of_user(ann) == []


def test_edit_keeps_an_empty_secret_and_can_disable(
    ann_client: TestClient, ann: int, store: Store
) -> None:
    _webhook(ann_client)
    [stored] = store.integrations.of_user(ann)
    done = post(ann_client, f"{PAGE}/{stored.id}", {"do": "save", "url": "https://new.example/h"})
    assert done.status_code == 303
    [changed] = store.integrations.of_user(ann)
    opened = opened_config(KEY, changed)
    assert opened == {"url": "https://new.example/h", "secret": "sealed-secret-value"}
    assert not changed.enabled  # the checkbox was not sent


def test_delete(ann_client: TestClient, ann: int, store: Store) -> None:
    _webhook(ann_client)
    [stored] = store.integrations.of_user(ann)
    assert post(ann_client, f"{PAGE}/{stored.id}", {"do": "delete"}).status_code == 303
    assert store.integrations.of_user(ann) == []


def test_another_users_integration_is_404(
    ann_client: TestClient, ann: int, bob_client: TestClient, bob: int, store: Store
) -> None:
    _webhook(bob_client, "bobs")
    [bobs] = store.integrations.of_user(bob)
    for data in ({"do": "delete"}, {"do": "save", "url": "https://evil.example/"}):
        assert post(ann_client, f"{PAGE}/{bobs.id}", data).status_code == 404
    assert opened_config(KEY, store.integrations.get(bob, bobs.id))["url"].startswith(
        "https://hooks.example"
    )
    assert "bobs" not in ann_client.get(PAGE).text


def test_send_queues_for_enabled_integrations_and_logs(
    ann_client: TestClient, ann: int, store: Store
) -> None:
    entry_id = _entry_of(store, ann)
    page = ann_client.get(f"/reader/entries/{entry_id}").text
    assert "/send" not in page  # nothing to send to yet
    _webhook(ann_client, "first")
    _webhook(ann_client, "second")
    [first, second] = store.integrations.of_user(ann)
    post(ann_client, f"{PAGE}/{second.id}", {"do": "save", "url": "https://hooks.example/2"})
    page = ann_client.get(f"/reader/entries/{entry_id}").text
    assert f'action="/reader/entries/{entry_id}/send"' in page
    done = post(ann_client, f"/reader/entries/{entry_id}/send")
    assert done.status_code == 303
    assert "Sending to first" in ann_client.get(done.headers["location"]).text
    [delivery] = store.integrations.log(ann)
    assert (delivery.integration_id, delivery.entry_id) == (first.id, entry_id)
    assert delivery.state == "queued"
    assert f"entry {entry_id}" in ann_client.get(PAGE).text


def test_sending_another_users_entry_is_404(
    ann_client: TestClient, ann: int, bob: int, store: Store
) -> None:
    _webhook(ann_client)
    bobs_entry = _entry_of(store, bob)
    assert post(ann_client, f"/reader/entries/{bobs_entry}/send").status_code == 404
    assert store.integrations.log(ann) == []


def test_send_with_none_enabled_says_so(ann_client: TestClient, ann: int, store: Store) -> None:
    entry_id = _entry_of(store, ann)
    done = post(ann_client, f"/reader/entries/{entry_id}/send")
    assert "no enabled integration" in ann_client.get(done.headers["location"]).text


@pytest.mark.browser
def test_key_S_sends_the_entry(live_store: Store) -> None:
    from playwright.sync_api import expect

    require_chromium()
    settings = Settings(secret_key="browser test")
    ann = user(live_store, "ann")
    entry_id = _entry_of(live_store, ann)
    problems: list[str] = []
    with serving(create_app(settings, live_store)) as live, chromium() as browser:
        assert isinstance(live, LiveServer)
        page = new_page(browser, problems, viewport={"width": 1200, "height": 900})
        sign_in(page, live.url + f"/login?next={PAGE}", "ann", PASSWORD)
        page.get_by_text("Webhook (JSON, signed)").click()
        form = page.locator("form:has(input[name=kind][value=webhook])")
        form.get_by_label("Name").fill("my hook")
        form.get_by_label("Webhook URL").fill("https://hooks.example/in")
        form.get_by_label("Signing secret").fill("s3cret")
        form.get_by_role("button", name="Add").click()
        expect(page.get_by_role("status").or_(page.locator(".flash"))).to_contain_text("ready")
        page.goto(live.url + f"/reader/entries/{entry_id}")
        page.keyboard.press("?")
        expect(page.get_by_role("dialog")).to_contain_text("send it to your")
        page.keyboard.press("Escape")
        page.keyboard.press("Shift+S")
        expect(page.locator("body")).to_contain_text("Sending to my hook")
    [delivery] = live_store.integrations.log(ann)
    assert delivery.entry_id == entry_id
    assert json.loads(live_store.integrations.of_user(ann)[0].config)["url"].endswith("/in")
    assert problems == []
