"""The sign-in limit holds under concurrency, on every way of signing in, and a stranger cannot
lock the owner out: the limiter's rules as a table, then 40 parallel wrong passwords per path
through the real app (at most a handful checked, the rest refused without a hash)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from support.decoys import make_decoys
from tidings import accounts
from tidings.accounts import create_user
from tidings.app.signin_limits import SignInLimiter, TooManyAttempts
from tidings.store import Store, apipasswords

PASSWORD = "a long password"
API_PASSWORD = "an api password"


# --- the rules, with a clock of our own ---------------------------------------------------------


def run(limiter: SignInLimiter, steps: list[tuple[str, str | None, bool]]) -> list[str]:
    """Each (address, name, right password?) tried in turn: "ok", "wrong" or "refused"."""

    async def go() -> list[str]:
        said = []
        for address, name, right in steps:
            try:
                async with limiter.attempt(address, name) as attempt:
                    attempt.result(right)
            except TooManyAttempts:
                said.append("refused")
            else:
                said.append("ok" if right else "wrong")
        return said

    return asyncio.run(go())


def limiter(clock: list[float]) -> SignInLimiter:
    return SignInLimiter(
        per_pair=3, per_address=5, per_account=8, window=60, clock=lambda: clock[0]
    )


CASES: list[tuple[str, list[tuple[str, str | None, bool]], list[str]]] = [
    (
        "a name from one address: stopped after per_pair, even with the right password",
        [("a", "ann", False)] * 3 + [("a", "ann", True)],
        ["wrong"] * 3 + ["refused"],
    ),
    (
        "the owner from elsewhere is not locked out by a stranger's failures",
        [("a", "ann", False)] * 3 + [("b", "ann", True)],
        ["wrong"] * 3 + ["ok"],
    ),
    (
        "names are compared without case or outer spaces",
        [("a", "Ann", False), ("a", " ann", False), ("a", "ANN", False), ("a", "ann", True)],
        ["wrong"] * 3 + ["refused"],
    ),
    (
        "an address guessing many names: stopped after per_address, whatever the name",
        [("a", f"u{n}", False) for n in range(5)] + [("a", "fresh", True)],
        ["wrong"] * 5 + ["refused"],
    ),
    (
        "a success forgives its pair, not the address's other failures",
        [
            ("a", "x", False),
            ("a", "y", False),
            ("a", "ann", False),
            ("a", "ann", True),
            ("a", "z", False),
            ("a", "w", False),
            ("a", "v", False),
        ],
        ["wrong"] * 3 + ["ok", "wrong", "wrong", "refused"],
    ),
    (
        "one name from many addresses: capped per_account, but not where the owner signed in",
        [("home", "ann", True)]
        + [(f"x{n}", "ann", False) for n in range(8)]
        + [("new", "ann", True), ("home", "ann", True)],
        ["ok"] + ["wrong"] * 8 + ["refused", "ok"],
    ),
    (
        "tokens (no name): limited per address, per_pair wrong ones",
        [("a", None, False)] * 3 + [("a", None, True), ("b", None, True)],
        ["wrong"] * 3 + ["refused", "ok"],
    ),
    (
        "valid tokens are never limited, however many",
        [("a", None, True)] * 50,
        ["ok"] * 50,
    ),
]


@pytest.mark.parametrize(("steps", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_limiter_rules(steps: list[tuple[str, str | None, bool]], expected: list[str]) -> None:
    assert run(limiter([0.0]), steps) == expected


def wait_of(rules: SignInLimiter, address: str, name: str | None) -> int:
    """The Retry-After seconds an attempt now is refused with, 0 when it is let through."""

    async def go() -> int:
        try:
            async with rules.attempt(address, name) as attempt:
                attempt.result(True)
        except TooManyAttempts as refused:
            return refused.retry_after
        return 0

    return asyncio.run(go())


def test_failures_leave_the_window() -> None:
    clock = [0.0]
    rules = limiter(clock)
    assert run(rules, [("a", "ann", False)] * 4) == ["wrong"] * 3 + ["refused"]
    assert wait_of(rules, "a", "ann") == 60
    clock[0] = 30
    assert wait_of(rules, "a", "ann") == 30
    clock[0] = 61
    assert wait_of(rules, "a", "ann") == 0  # let through, and it succeeded


def test_an_attempt_that_raises_counts_as_a_failure() -> None:
    rules = limiter([0.0])

    async def crash() -> None:
        async with rules.attempt("a", "ann"):
            raise RuntimeError("database down")

    for _ in range(3):
        with pytest.raises(RuntimeError):
            asyncio.run(crash())
    assert wait_of(rules, "a", "ann") > 0


def test_parallel_attempts_are_checked_one_at_a_time() -> None:
    rules = limiter([0.0])
    checked = 0

    async def one() -> str:
        nonlocal checked
        try:
            async with rules.attempt("a", "ann") as attempt:
                checked += 1
                await asyncio.sleep(0)  # a check that yields, as a thread hop does
                attempt.result(False)
        except TooManyAttempts:
            return "refused"
        return "wrong"

    async def many() -> list[str]:
        return list(await asyncio.gather(*(one() for _ in range(40))))

    said = asyncio.run(many())
    assert checked == 3 and said.count("wrong") == 3 and said.count("refused") == 37


# --- 40 parallel wrong passwords through the app, per sign-in path -------------------------------


def basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


Send = Callable[[httpx.AsyncClient], Any]
PATHS: dict[str, tuple[Send, Callable[[httpx.Response], bool]]] = {
    "web form": (
        lambda c: c.post("/login", data={"name": "ann", "password": "wrong", "csrf_token": "x"}),
        lambda r: r.status_code == 429,
    ),
    "Google Reader ClientLogin": (
        lambda c: c.post("/accounts/ClientLogin", data={"Email": "ann", "Passwd": "wrong"}),
        lambda r: r.status_code == 429,
    ),
    "Miniflux Basic": (
        lambda c: c.get("/v1/me", headers=basic("ann", "wrong")),
        lambda r: r.status_code == 429,
    ),
    "Fever": (
        lambda c: c.post("/fever/?api", data={"api_key": "0" * 32}),
        lambda r: r.json()["auth"] == 0,  # Fever has no "refused": auth 0 either way
    ),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_forty_parallel_wrong_passwords_check_a_handful(
    path: str, app: Starlette, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_decoys(store)
    ann = create_user(store, "ann", PASSWORD)
    store.api_passwords.set_api_password(ann.id, "ann", API_PASSWORD)
    checks = {"count": 0}

    def counting(wrapped: Callable[..., Any]) -> Callable[..., Any]:
        def check(*args: Any) -> Any:
            checks["count"] += 1
            return wrapped(*args)

        return check

    monkeypatch.setattr(accounts, "verify_password", counting(accounts.verify_password))
    monkeypatch.setattr(apipasswords, "_verify", counting(apipasswords._verify))
    lookup = store.api_passwords.user_by_fever_key
    monkeypatch.setattr(store.api_passwords, "user_by_fever_key", counting(lookup))
    send, refused = PATHS[path]

    async def attack() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            if path == "web form":
                # The form needs its CSRF token: one page view, its cookie kept by the client.
                page = await c.get("/login")
                token = page.text.split('name="csrf_token" value="')[1].split('"')[0]

                def send_form(client: httpx.AsyncClient) -> Any:
                    data = {"name": "ann", "password": "wrong", "csrf_token": token}
                    return client.post("/login", data=data)

                return list(await asyncio.gather(*(send_form(c) for _ in range(40))))
            return list(await asyncio.gather(*(send(c) for _ in range(40))))

    replies = asyncio.run(attack())
    assert checks["count"] <= 5, f"{checks['count']} of 40 wrong passwords were checked"
    assert sum(refused(r) for r in replies) >= 35

    # The owner, from elsewhere, still gets in.
    async def owner() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("198.51.100.2", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.get("/v1/me", headers=basic("ann", PASSWORD))

    assert asyncio.run(owner()).json()["username"] == "ann"
