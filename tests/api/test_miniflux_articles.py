"""Miniflux's `crawler` and `scraper_rules` feed fields (docs/articles.md), on SQLite and
PostgreSQL, with the decoy rows of make_world: they round-trip through PUT and POST /v1/feeds, a
bad selector is a 400 with a sentence, and the rules of a feed another reader follows are not
one reader's to change."""

from __future__ import annotations

from api_support import World
from starlette.testclient import TestClient

from tidings.accounts import create_user
from tidings.scraper import MAX_SCRAPER_RULES
from tidings.store import Store


def test_the_fields_round_trip_through_put(client: TestClient, world: World) -> None:
    h = world.alice.headers
    feed_id = world.alice.feeds[1]
    assert feed_id not in (world.alice.id, *world.alice.categories)
    before = client.get(f"/v1/feeds/{feed_id}", headers=h).json()
    assert (before["crawler"], before["scraper_rules"]) == (False, "")
    put = client.put(
        f"/v1/feeds/{feed_id}", headers=h, json={"crawler": True, "scraper_rules": " .post "}
    )
    assert put.status_code == 201, put.text
    assert (put.json()["crawler"], put.json()["scraper_rules"]) == (True, ".post")
    after = client.get(f"/v1/feeds/{feed_id}", headers=h).json()
    assert (after["crawler"], after["scraper_rules"]) == (True, ".post")
    listed = {f["id"]: f for f in client.get("/v1/feeds", headers=h).json()}
    assert listed[feed_id]["crawler"] and not listed[world.alice.feeds[0]]["crawler"]
    # Only what the body names changes.
    renamed = client.put(f"/v1/feeds/{feed_id}", headers=h, json={"title": "Owls"}).json()
    assert (renamed["crawler"], renamed["scraper_rules"]) == (True, ".post")
    cleared = client.put(
        f"/v1/feeds/{feed_id}", headers=h, json={"crawler": False, "scraper_rules": ""}
    ).json()
    assert (cleared["crawler"], cleared["scraper_rules"]) == (False, "")


def test_bad_values_are_400_with_a_sentence(client: TestClient, world: World) -> None:
    h = world.alice.headers
    feed_id = world.alice.feeds[0]
    for body, says in (
        ({"scraper_rules": "div >"}, "not valid CSS selectors"),
        ({"scraper_rules": "p::before"}, "not valid CSS selectors"),
        ({"scraper_rules": "p" * (MAX_SCRAPER_RULES + 1)}, "at most"),
        ({"scraper_rules": 3}, "must be a string"),
        ({"crawler": "yes"}, "must be true or false"),
    ):
        for method, path in (("PUT", f"/v1/feeds/{feed_id}"), ("POST", "/v1/feeds")):
            sent = {**body, "feed_url": "https://new.example/rss"} if method == "POST" else body
            answer = client.request(method, path, headers=h, json=sent)
            assert answer.status_code == 400, (method, body)
            assert says in answer.json()["error_message"]
    after = client.get(f"/v1/feeds/{feed_id}", headers=h).json()
    assert (after["crawler"], after["scraper_rules"]) == (False, "")
    assert "new.example" not in str(client.get("/v1/feeds", headers=h).json())


def test_post_sets_them_on_the_new_subscription(client: TestClient, world: World) -> None:
    h = world.alice.headers
    made = client.post(
        "/v1/feeds",
        headers=h,
        json={"feed_url": "https://new.example/rss", "crawler": True, "scraper_rules": "article"},
    )
    assert made.status_code == 201, made.text
    feed = client.get(f"/v1/feeds/{made.json()['feed_id']}", headers=h).json()
    assert (feed["crawler"], feed["scraper_rules"]) == (True, "article")


def test_another_users_feed_is_404_and_untouched(client: TestClient, world: World) -> None:
    bobs = world.bob.feeds[0]
    answer = client.put(f"/v1/feeds/{bobs}", headers=world.alice.headers, json={"crawler": True})
    assert answer.status_code == 404
    # alice's own id numbers name none of bob's feeds either (decoys: no ids line up).
    for other in (world.alice.id, *world.alice.categories):
        assert (
            client.put(
                f"/v1/feeds/{other}", headers=world.alice.headers, json={"crawler": True}
            ).status_code
            == 404
        )
    theirs = client.get(f"/v1/feeds/{bobs}", headers=world.bob.headers).json()
    assert theirs["crawler"] is False


def test_the_rules_of_a_shared_feed_are_an_administrators(
    client: TestClient, world: World, store: Store
) -> None:
    url = "https://alice.example/feed0"
    feed_id = world.alice.feeds[0]
    set_rules = {"scraper_rules": ".story"}
    put = client.put(f"/v1/feeds/{feed_id}", headers=world.alice.headers, json=set_rules)
    assert put.status_code == 201  # alice alone follows it
    joined = client.post("/v1/feeds", headers=world.bob.headers, json={"feed_url": url})
    assert joined.json()["feed_id"] == feed_id
    theirs = client.get(f"/v1/feeds/{feed_id}", headers=world.bob.headers).json()
    assert (theirs["scraper_rules"], theirs["crawler"]) == (".story", False)
    for person in (world.alice, world.bob):
        refused = client.put(
            f"/v1/feeds/{feed_id}", headers=person.headers, json={"scraper_rules": ".x"}
        )
        assert refused.status_code == 400
        assert "Only an administrator" in refused.json()["error_message"]
        # The whole feed sent back, rules unchanged, is fine (and crawler is each one's own).
        again = client.put(
            f"/v1/feeds/{feed_id}", headers=person.headers, json={**set_rules, "crawler": True}
        )
        assert again.status_code == 201
    admin = create_user(store, "root", "root password", is_admin=True)
    _, token = store.api_keys.create(admin.id, "k")
    root = {"X-Auth-Token": token}
    assert client.post("/v1/feeds", headers=root, json={"feed_url": url}).status_code == 201
    done = client.put(f"/v1/feeds/{feed_id}", headers=root, json={"scraper_rules": ".x"})
    assert done.status_code == 201 and done.json()["scraper_rules"] == ".x"
    assert (
        client.get(f"/v1/feeds/{feed_id}", headers=world.bob.headers).json()["scraper_rules"]
        == ".x"
    )
