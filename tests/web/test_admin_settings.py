"""The site settings page, the stored site settings, and how they override the settings file."""

from __future__ import annotations

import asyncio
import logging
import math

import lxml.html
import pytest
from starlette.testclient import TestClient

from support.forms import csrf_of, sign_in
from tidings.accounts import create_user
from tidings.config import Settings
from tidings.refresh.run import Refresher
from tidings.site_settings import EDITABLE, apply_site_settings
from tidings.store import Store
from tidings.web.admin_settings import DISCARD_CHOICES, interval_words
from web.helpers import add_feed, post_form

HERE = "/admin/settings"
VALID = {
    "allowed_html": "strict",
    "items_in_source_listing": "5",
    "discard_after": "2419200",
    "default_refresh": "3600",
}


def text_of(html: str) -> str:
    return " ".join(lxml.html.fromstring(html).text_content().split())


def headlines_per_source(client: TestClient) -> list[int]:
    tree = lxml.html.fromstring(client.get("/sources").text)
    return [len(s.xpath(".//ul[@class='headlines']/li")) for s in tree.xpath("//section")]


def test_settings_page_shows_the_effective_values(admin_client: TestClient) -> None:
    response = admin_client.get(HERE)
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("private")
    tree = lxml.html.fromstring(response.text)
    assert tree.xpath("//nav[@aria-label='Administration']//a[@aria-current='page']/text()") == [
        "Settings"
    ]
    assert tree.xpath("//input[@name='allowed_html'][@checked]/@value") == ["reader"]
    assert tree.xpath("//input[@name='items_in_source_listing']/@value") == ["3"]
    discard = tree.xpath("//select[@name='discard_after']/option")
    assert [o.get("value") for o in discard] == [str(s) for s in DISCARD_CHOICES]
    assert [o.text for o in discard] == [
        "Never",
        "1 week",
        "2 weeks",
        "4 weeks",
        "1 month 3 weeks",
        "3 months 3 weeks",
        "6 months",
        "1 year",
    ]
    assert tree.xpath("//select[@name='discard_after']/option[@selected]/@value") == ["9676800"]
    refresh = tree.xpath("//select[@name='default_refresh']/option/@value")
    assert refresh[:3] == ["auto", "never", "900"]
    assert tree.xpath("//select[@name='default_refresh']/option[@selected]/@value") == ["auto"]
    for name in EDITABLE:  # every field is labelled
        assert tree.xpath(f"//label[@for='{name}'] | //fieldset[.//input[@name='{name}']]/legend")


def test_saving_overrides_the_settings_file(admin_client: TestClient, store: Store) -> None:
    response = post_form(admin_client, HERE, VALID)
    assert response.status_code == 303 and response.headers["location"] == HERE
    page = admin_client.get(HERE).text
    assert "Saved the site settings." in text_of(page)
    assert store.site_settings.get_all() == {
        "allowed_html": "strict",
        "items_in_source_listing": 5,
        "discard_after": 2419200,
        "default_refresh": "3600",
    }
    tree = lxml.html.fromstring(page)
    assert tree.xpath("//input[@name='allowed_html'][@checked]/@value") == ["strict"]
    assert tree.xpath("//select[@name='discard_after']/option[@selected]/text()") == ["4 weeks"]
    site = admin_client.app.state.site  # type: ignore[attr-defined]
    assert site.settings.items_in_source_listing == 5 and site.settings.allowed_html == "strict"
    assert site.configured.items_in_source_listing == 3  # the file's value is kept apart
    # The add form preselects the new default interval.
    add_page = lxml.html.fromstring(admin_client.get("/admin/sources/add").text)
    assert add_page.xpath("//select[@name='refresh']/option[@selected]/@value") == ["3600"]

    # Saving the configured values again removes the overrides: the file decides again.
    back = {
        "allowed_html": "reader",
        "items_in_source_listing": "3",
        "discard_after": "9676800",
        "default_refresh": "auto",
    }
    assert post_form(admin_client, HERE, back).status_code == 303
    assert store.site_settings.get_all() == {}
    assert admin_client.get("/admin").status_code == 200
    assert site.settings == site.configured


def test_invalid_values_keep_what_was_typed(admin_client: TestClient, store: Store) -> None:
    response = post_form(
        admin_client,
        HERE,
        {
            "allowed_html": "loose",
            "items_in_source_listing": "lots",
            "discard_after": "12345",
            "default_refresh": "5",
        },
    )
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Please correct the marked fields. Nothing was saved." in text
    assert "Choose reader or strict." in text
    assert "Enter a whole number from 1 to 100." in text
    assert "Choose one of the listed periods." in text
    assert "Choose one of the listed intervals." in text
    tree = lxml.html.fromstring(response.text)
    field = tree.xpath("//input[@name='items_in_source_listing']")[0]
    assert field.get("value") == "lots" and field.get("aria-invalid") == "true"
    assert "items_in_source_listing-error" in field.get("aria-describedby")
    assert store.site_settings.get_all() == {}
    for items in ("0", "101", "-1", "2.5", "\u00b2", "9" * 5000):  # ² is a digit to isdigit()
        again = post_form(admin_client, HERE, {**VALID, "items_in_source_listing": items})
        assert "Enter a whole number from 1 to 100." in again.text, items
        assert f'value="{items}"' in again.text
    assert store.site_settings.get_all() == {}


def test_csrf_and_origin_are_checked(admin_client: TestClient, store: Store) -> None:
    missing = admin_client.post(HERE, data=VALID, follow_redirects=False)
    assert missing.status_code == 403
    forged = admin_client.post(HERE, data={**VALID, "csrf_token": "forged"})
    assert forged.status_code == 403
    token = csrf_of(admin_client.get(HERE).text)
    foreign = admin_client.post(
        HERE, data={**VALID, "csrf_token": token}, headers={"origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert store.site_settings.get_all() == {}


def test_only_admins_may_change_settings(client: TestClient, store: Store) -> None:
    anonymous = client.get(HERE, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/admin/settings"
    create_user(store, "reader", "a reader's long password")
    sign_in(client, "reader", "a reader's long password")
    assert client.get(HERE).status_code == 403
    token = csrf_of(client.get("/").text)
    assert client.post(HERE, data={**VALID, "csrf_token": token}).status_code == 403
    assert store.site_settings.get_all() == {}


def test_pages_honour_items_in_source_listing(admin_client: TestClient, store: Store) -> None:
    add_feed(store, "https://a.example/feed", title="Alpha", entries=8)
    add_feed(store, "https://b.example/feed", title="Beta", entries=2)
    assert headlines_per_source(admin_client) == [3, 2]
    admin_client.cookies.clear()  # an anonymous reader's cached page must move on too
    assert headlines_per_source(admin_client) == [3, 2]
    admin = TestClient(admin_client.app, base_url="http://testserver")
    sign_in(admin, "admin", "correct horse battery")
    post_form(admin, HERE, {**VALID, "items_in_source_listing": "6"})
    assert headlines_per_source(admin_client) == [6, 2]
    assert headlines_per_source(admin) == [6, 2]
    # The river pages by page_size, which is not a site setting: still 10 of 10 entries.
    river = lxml.html.fromstring(admin_client.get("/").text)
    assert len(river.xpath("//article")) == 10


def test_a_change_from_another_process_is_seen_after_the_ttl(
    client: TestClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_feed(store, "https://a.example/feed", title="Alpha", entries=8)
    assert headlines_per_source(client) == [3]
    store.site_settings.set_many({"items_in_source_listing": 4})  # another worker saved it
    site = client.app.state.site  # type: ignore[attr-defined]
    assert site.settings.items_in_source_listing == 3  # not read again yet
    monkeypatch.setattr("tidings.app.context.SETTINGS_TTL", -math.inf)
    site.cache.bump()  # instead of waiting out the page cache's 10 s
    assert headlines_per_source(client) == [4]


def test_stored_settings_round_trip(store: Store) -> None:
    assert store.site_settings.get_all() == {}
    store.site_settings.set_many({"allowed_html": "strict", "discard_after": 604800})
    store.site_settings.set_many({"discard_after": 0, "items_in_source_listing": 7})
    assert store.site_settings.get_all() == {
        "allowed_html": "strict",
        "discard_after": 0,
        "items_in_source_listing": 7,
    }
    store.site_settings.set_many({"allowed_html": None, "nothing": None})
    store.site_settings.set_many({})
    assert store.site_settings.get_all() == {"discard_after": 0, "items_in_source_listing": 7}


BASE = Settings()


@pytest.mark.parametrize(
    ("stored", "expected", "warnings"),
    [
        ({}, {}, []),
        (
            {
                "allowed_html": "strict",
                "items_in_source_listing": 10,
                "discard_after": 0,
                "default_refresh": "never",
            },
            {
                "allowed_html": "strict",
                "items_in_source_listing": 10,
                "discard_after": 0,
                "default_refresh": "never",
            },
            [],
        ),
        # Values go through the settings file's conversion: text numbers and durations pass.
        (
            {"items_in_source_listing": "12", "default_refresh": "1h"},
            {
                "items_in_source_listing": 12,
                "default_refresh": "1h",
            },
            [],
        ),
        ({"default_refresh": 3600}, {"default_refresh": "3600"}, []),
        # Invalid values are ignored, one warning each; the valid ones still apply.
        (
            {"allowed_html": "loose", "items_in_source_listing": 5},
            {"items_in_source_listing": 5},
            ["must be one of reader, strict"],
        ),
        ({"items_in_source_listing": -2}, {}, ["must not be negative"]),
        ({"items_in_source_listing": True}, {}, ["expected a whole number"]),
        ({"discard_after": 1.5}, {}, ["expected a whole number"]),
        ({"discard_after": None}, {}, ["expected a whole number"]),
        ({"default_refresh": "sometimes"}, {}, ["is not a refresh interval"]),
        ({"default_refresh": "10s"}, {}, ["at least 1 minute"]),
        # Unknown names, and settings that are not editable in the web, are ignored.
        ({"colour": "blue"}, {}, ["'colour' cannot be set in the web"]),
        (
            {"secret_key": "stolen", "allow_private_networks": True},
            {},
            ["'secret_key' cannot be set", "'allow_private_networks' cannot be set"],
        ),
    ],
)
def test_apply_site_settings(
    stored: dict[str, object],
    expected: dict[str, object],
    warnings: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="tidings.site_settings"):
        effective = apply_site_settings(BASE, stored)
    for name in EDITABLE:
        assert getattr(effective, name) == expected.get(name, getattr(BASE, name)), name
    assert effective.secret_key == BASE.secret_key
    assert effective.allow_private_networks is False
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == len(warnings)
    for message, fragment in zip(logged, warnings, strict=True):
        assert fragment in message
    if not stored:
        assert effective is BASE


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 seconds"),
        (59, "59 seconds"),
        (3600, "1 hour"),
        (5400, "1 hour 30 minutes"),
        (604800, "1 week"),
        (4838400, "1 month 3 weeks"),
        (9676800, "3 months 3 weeks"),
        (31536000 + 1, "1 year"),  # a zero unit after a shown one ends the text
        (2 * 31536000 + 30 * 86400, "2 years 1 month"),
    ],
)
def test_interval_words(seconds: int, words: str) -> None:
    assert interval_words(seconds) == words


def test_the_refresher_reads_the_site_settings_each_round(store: Store) -> None:
    settings = Settings(parse_workers=1)

    async def rounds() -> None:
        async with Refresher(store, settings) as refresher:
            await refresher.refresh_due()
            assert refresher.settings == settings
            store.site_settings.set_many({"allowed_html": "strict", "discard_after": 604800})
            await refresher.refresh_due()
            assert refresher.settings.allowed_html == "strict"
            assert refresher.settings.discard_after == 604800
            assert refresher.configured == settings

    asyncio.run(rounds())
