"""Notifications through Apprise: its json:// target against a loopback server (requests
recorded), the scheme allowlist, and the address guard on Apprise's own connections."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

import pytest

from support.recording_service import Service
from tidings.errors import InvalidInput
from tidings.fetch import Fetcher
from tidings.integrations import Delivery, EntryToSend, deliver
from tidings.integrations.notifications import message, notification_urls
from tidings.integrations.service import stored_config

ENTRY = EntryToSend(
    id=41, url="https://example.org/post", title="A post", feed_title="Example news"
)


def send(config: dict[str, str], *, allow_private_networks: bool) -> Delivery:
    async def run() -> Delivery:
        async with Fetcher(allow_private_networks=allow_private_networks) as fetcher:
            return await deliver(fetcher, "apprise", config, ENTRY)

    return asyncio.run(run())


def json_target(service: Service, path: str = "/notify") -> str:
    return f"json://{urlsplit(service.url).netloc}{path}"


def test_apprise_json_target_posts_the_entry(service: Service) -> None:
    service.answers["/notify"] = [(200, {})]
    result = send({"urls": json_target(service)}, allow_private_networks=True)
    assert result.ok, result.message
    (request,) = service.requests
    assert request.method == "POST"
    document = json.loads(request.body)
    assert document["title"] == "A post"
    assert document["message"] == "Example news\nhttps://example.org/post"


def test_several_urls_each_get_the_notification(service: Service) -> None:
    service.answers["/one"] = [(200, {})]
    service.answers["/two"] = [(200, {})]
    urls = f"{json_target(service, '/one')}\n{json_target(service, '/two')}"
    assert send({"urls": urls}, allow_private_networks=True).ok
    assert sorted(r.path for r in service.requests) == ["/one", "/two"]


def test_a_failing_service_is_retried(service: Service) -> None:
    service.answers["/notify"] = [(503, {})]
    result = send({"urls": json_target(service)}, allow_private_networks=True)
    assert not result.ok and result.retryable
    assert "Apprise" in result.message


def test_the_address_guard_covers_apprises_own_connections(service: Service) -> None:
    """Private networks not allowed: the loopback server is never reached, and the sentence
    says why (Apprise itself would only say "failed")."""
    result = send({"urls": json_target(service)}, allow_private_networks=False)
    assert not result.ok and not result.retryable
    assert "Refused to connect to 127.0.0.1" in result.message
    assert service.requests == []


def test_other_threads_urllib3_is_not_guarded(service: Service) -> None:
    """The guard is per thread: after a guarded send, urllib3 elsewhere still connects."""
    import urllib3

    send({"urls": json_target(service)}, allow_private_networks=False)
    service.answers["/plain"] = [(200, {})]
    answer = urllib3.PoolManager().request("POST", f"{service.url}/plain")
    assert answer.status == 200


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "at least one"),
        ("mailto://me:pw@example.org", "'mailto' is not an Apprise service"),
        ("dbus://", "'dbus' is not"),
        ("syslog://", "'syslog' is not"),
        ("not a url", "'not' is not"),
        (" ".join(["ntfys://ntfy.sh/t"] * 11), "at most 10"),
        ("ntfys://[x", "'ntfys://\\[x' is not a URL"),  # urlsplit's ValueError was a 500
    ],
)
def test_refused_urls(text: str, error: str) -> None:
    with pytest.raises(InvalidInput, match=error):
        notification_urls(text)


def test_accepted_urls() -> None:
    text = "ntfys://ntfy.sh/my-topic\n  gotifys://gotify.example.org/AbCdEf"
    assert notification_urls(text) == [
        "ntfys://ntfy.sh/my-topic",
        "gotifys://gotify.example.org/AbCdEf",
    ]


def test_a_bad_url_is_refused_when_saved() -> None:
    with pytest.raises(InvalidInput, match="'mailto' is not"):
        stored_config("k" * 32, "apprise", {"urls": "mailto://x@example.org"})
    with pytest.raises(InvalidInput, match="not an http"):
        stored_config("k" * 32, "webhook", {"url": "ftp://example.org/", "secret": "s"})


def test_message_leaves_out_what_is_missing() -> None:
    assert message(EntryToSend(id=1, url="", title="")) == ("(untitled)", "")


@pytest.mark.parametrize("status", [200, 503])
def test_no_credential_in_logs_or_messages(
    service: Service, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    """Apprise URLs carry tokens and passwords: none reaches a log record or the delivery's
    message, whether the service takes the notification or not."""
    import logging

    service.answers["/notify"] = [(status, {})]
    netloc = urlsplit(service.url).netloc
    with caplog.at_level(logging.DEBUG):
        result = send(
            {"urls": f"json://ann:s3cr3t-pw@{netloc}/notify"}, allow_private_networks=True
        )
        refused = send(
            {"urls": f"json://ann:s3cr3t-pw@{netloc}/notify"}, allow_private_networks=False
        )
    assert result.ok is (status == 200)
    assert not refused.ok
    for text in (result.message, refused.message, *(r.getMessage() for r in caplog.records)):
        assert "s3cr3t-pw" not in text, text
