"""A WebSub hub and publisher for the tests, on loopback: serves feed documents (GET), takes
subscribe/unsubscribe requests (POST /hub), verifies them against the subscriber's callback
the way a hub does (a GET with a challenge, after its 202), and pushes signed documents."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx

HOST = "127.0.0.1"


@dataclass
class Verified:
    """What the hub's verification GET got back from the subscriber."""

    mode: str
    topic: str
    status: int
    echoed: bool


@dataclass
class HubState:
    docs: dict[str, tuple[bytes, dict[str, str]]] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)
    verified: list[Verified] = field(default_factory=list)
    gets: dict[str, int] = field(default_factory=dict)
    verify: str = "verify"  # "verify", "deny" or "none" (record the request only)
    lease: int = 3600
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)


class TestHub:
    """The hub and the feed's publisher in one loopback server. Use as a context manager."""

    __test__ = False  # not a test class, for pytest

    def __init__(self) -> None:
        self.state = HubState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with state.lock:
                    state.gets[path] = state.gets.get(path, 0) + 1
                    doc = state.docs.get(path)
                if doc is None:
                    self._answer(404, b"not here")
                    return
                body, headers = doc
                self._answer(200, body, {"Content-Type": "application/atom+xml", **headers})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path != "/hub":
                    self._answer(404, b"no hub here")
                    return
                with state.changed:
                    state.requests.append(form)
                    state.changed.notify_all()
                self._answer(202, b"")
                if state.verify != "none":
                    threading.Thread(target=_verify, args=(state, form), daemon=True).start()

            def _answer(
                self, status: int, body: bytes, headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> TestHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def serve(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> str:
        """Serve `body` at `path`; gives its URL."""
        with self.state.lock:
            self.state.docs[path] = (body, headers or {})
        return self.url + path

    def gets(self, path: str) -> int:
        with self.state.lock:
            return self.state.gets.get(path, 0)

    def wait_for(self, count: int, what: str = "requests", timeout: float = 10.0) -> None:
        """Wait until the hub has `count` subscribe requests (or verifications)."""
        with self.state.changed:
            ok = self.state.changed.wait_for(
                lambda: len(getattr(self.state, what)) >= count, timeout
            )
        assert ok, f"the hub got {len(getattr(self.state, what))} {what}, not {count}"

    def push(
        self, callback: str, secret: str, body: bytes, algorithm: str = "sha256"
    ) -> httpx.Response:
        """Deliver `body` to `callback`, signed with `secret` (as a hub distributes content)."""
        signature = hmac.new(secret.encode(), body, getattr(hashlib, algorithm)).hexdigest()
        return httpx.post(
            callback,
            content=body,
            headers={
                "Content-Type": "application/atom+xml",
                "X-Hub-Signature": f"{algorithm}={signature}",
            },
            timeout=5,
        )


def _verify(state: HubState, form: dict[str, str]) -> None:
    """What a hub does after accepting a request: ask the callback to confirm it."""
    mode = form["hub.mode"]
    if state.verify == "deny":
        params = {"hub.mode": "denied", "hub.topic": form["hub.topic"], "hub.reason": "no thanks"}
    else:
        challenge = secrets.token_hex(8)
        params = {
            "hub.mode": mode,
            "hub.topic": form["hub.topic"],
            "hub.challenge": challenge,
            "hub.lease_seconds": str(state.lease),
        }
    answer = httpx.get(form["hub.callback"], params=params, timeout=5)
    echoed = state.verify != "deny" and answer.text == params.get("hub.challenge")
    with state.changed:
        state.verified.append(Verified(mode, form["hub.topic"], answer.status_code, echoed))
        state.changed.notify_all()


def atom(topic: str, hub: str, entries: list[tuple[str, str]]) -> bytes:
    """An Atom document announcing `hub`, with (id, title) entries."""
    items = "".join(
        f"<entry><id>{key}</id><title>{title}</title><link href='{topic}#{key}'/>"
        f"<updated>2026-12-01T00:00:00Z</updated></entry>"
        for key, title in entries
    )
    return (
        "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Pushed</title>"
        f"<id>{topic}</id><updated>2026-12-01T00:00:00Z</updated>"
        f"<link rel='hub' href='{hub}'/><link rel='self' href='{topic}'/>{items}</feed>"
    ).encode()
