"""Each integration kind against a loopback server that speaks its API; requests recorded."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging

import pytest

from support.recording_service import Service
from tidings.errors import InvalidInput
from tidings.fetch import Fetcher
from tidings.integrations import Delivery, EntryToSend, deliver, next_attempt
from tidings.integrations.service import stored_config
from tidings.integrations.webhook import SIGNATURE_HEADER

ENTRY = EntryToSend(id=41, url="https://example.org/post", title="A post", content="<p>hi</p>")


def send(kind: str, config: dict[str, str]) -> Delivery:
    async def run() -> Delivery:
        async with Fetcher(allow_private_networks=True) as fetcher:
            return await deliver(fetcher, kind, config, ENTRY)

    return asyncio.run(run())


def test_webhook_posts_signed_json(service: Service) -> None:
    service.answers["/hook"] = [(200, {})]
    result = send("webhook", {"url": f"{service.url}/hook", "secret": "s3cret-value"})
    assert result.ok, result.message
    (request,) = service.requests
    assert request.headers["content-type"] == "application/json"
    expected = hmac.new(b"s3cret-value", request.body, hashlib.sha256).hexdigest()
    assert request.headers[SIGNATURE_HEADER.lower()] == expected
    document = json.loads(request.body)
    assert document["event_type"] == "save_entry"
    assert document["entry"]["url"] == ENTRY.url
    assert document["entry"]["id"] == ENTRY.id
    assert request.headers["user-agent"].startswith("tidings/")


def test_linkding(service: Service) -> None:
    service.answers["/api/bookmarks/"] = [(201, {"id": 1})]
    result = send("linkding", {"url": service.url + "/", "token": "tok-123"})
    assert result.ok, result.message
    (request,) = service.requests
    assert request.path == "/api/bookmarks/"
    assert request.headers["authorization"] == "Token tok-123"
    assert json.loads(request.body)["url"] == ENTRY.url


def test_readeck(service: Service) -> None:
    service.answers["/api/bookmarks"] = [(202, {"status": 202})]
    result = send("readeck", {"url": service.url, "token": "rd-tok"})
    assert result.ok, result.message
    (request,) = service.requests
    assert request.headers["authorization"] == "Bearer rd-tok"
    assert json.loads(request.body) == {"url": ENTRY.url, "title": ENTRY.title}


def test_wallabag_signs_in_then_creates(service: Service) -> None:
    service.answers["/oauth/v2/token"] = [(200, {"access_token": "wb-access"})]
    service.answers["/api/entries.json"] = [(200, {"id": 9})]
    config = {
        "url": service.url,
        "client_id": "cid",
        "client_secret": "csecret",
        "username": "ann",
        "password": "pw-ann",
    }
    result = send("wallabag", config)
    assert result.ok, result.message
    grant, create = service.requests
    assert grant.path == "/oauth/v2/token"
    assert json.loads(grant.body) == {
        "grant_type": "password",
        "client_id": "cid",
        "client_secret": "csecret",
        "username": "ann",
        "password": "pw-ann",
    }
    assert create.path == "/api/entries.json"
    assert create.headers["authorization"] == "Bearer wb-access"
    assert json.loads(create.body)["url"] == ENTRY.url


def test_shaarli_jwt_verifies(service: Service) -> None:
    service.answers["/api/v1/links"] = [(201, {"id": 3})]
    result = send("shaarli", {"url": service.url, "secret": "api-secret"})
    assert result.ok, result.message
    (request,) = service.requests
    scheme, token = request.headers["authorization"].split(" ")
    assert scheme == "Bearer"
    header, claims, signature = token.split(".")
    expected = hmac.new(b"api-secret", f"{header}.{claims}".encode(), hashlib.sha512).digest()
    assert base64.urlsafe_b64decode(signature + "==") == expected
    assert json.loads(base64.urlsafe_b64decode(header + "=="))["alg"] == "HS512"
    assert "iat" in json.loads(base64.urlsafe_b64decode(claims + "=="))


@pytest.mark.parametrize(
    ("status", "ok", "retryable"),
    [(200, True, False), (401, False, False), (429, False, True), (503, False, True)],
)
def test_outcome_by_status(service: Service, status: int, ok: bool, retryable: bool) -> None:
    service.answers["/api/bookmarks"] = [(status, {})]
    result = send("readeck", {"url": service.url, "token": "t"})
    assert (result.ok, result.retryable) == (ok, retryable)


def test_retry_after_failure_then_success(service: Service) -> None:
    service.answers["/hook"] = [(503, {}), (200, {})]
    config = {"url": f"{service.url}/hook", "secret": "k"}
    first = send("webhook", config)
    assert not first.ok and first.retryable
    assert next_attempt(first, 1).delay is not None
    second = send("webhook", config)
    assert second.ok
    assert next_attempt(second, 2).delay is None
    assert len(service.requests) == 2


def test_missing_setting_is_a_sentence() -> None:
    result = send("linkding", {"url": "http://127.0.0.1:9"})
    assert not result.ok
    assert "API token" in result.message


def test_no_secret_in_logs(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    service.answers["/api/bookmarks"] = [(500, {})]
    result = send("readeck", {"url": service.url, "token": "very-secret-token"})
    assert "very-secret-token" not in caplog.text
    assert "very-secret-token" not in result.message


@pytest.mark.parametrize("url", ["ftp://e.example/hook", "http://[x", "https://"])
def test_a_webhook_address_that_is_none_is_a_sentence(url: str) -> None:
    with pytest.raises(InvalidInput, match="is not an http:// or https:// address"):
        stored_config("key", "webhook", {"url": url})
