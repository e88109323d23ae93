"""`tidings serve` as a user runs it: a real process on a free loopback port, on both databases."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.live_server import free_port, wait_for


@pytest.fixture
def environment(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    env.update(TIDINGS_DATABASE_URL=database_url, TIDINGS_DATA_DIR=str(tmp_path / "data"))
    return env


@pytest.fixture
def server(environment: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    port = free_port()
    command = [sys.executable, "-m", "tidings", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=environment, stderr=subprocess.PIPE, text=True)
    try:
        yield f"http://127.0.0.1:{port}", command
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stderr is not None
        process.stderr.close()


@pytest.mark.slow
def test_serve_answers_and_refuses_a_taken_port(
    server: tuple[str, list[str]], environment: dict[str, str], tmp_path: Path
) -> None:
    base, command = server
    river = wait_for(base + "/", time.monotonic() + 30)
    assert river.status_code == 200
    assert "default-src 'self'" in river.headers["content-security-policy"]
    assert wait_for(base + "/sources/12345", time.monotonic() + 5).status_code == 404
    assert (tmp_path / "data" / "secret_key").exists()  # generated once, kept
    second = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=30)
    assert second.returncode == 1
    assert "cannot listen on 127.0.0.1" in second.stderr
    assert "Traceback" not in second.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("trusted", "limited"), [("", True), ("127.0.0.1", False)])
def test_x_forwarded_for_is_believed_only_from_the_proxies_named(
    environment: dict[str, str], trusted: str, limited: bool
) -> None:
    # Sign-in limits count failures by the client's address. Believed from anyone the server
    # had been told to trust (always 127.0.0.1), a client sending X-Forwarded-For through a
    # proxy that passes it on got a fresh address for every try: no limit.
    port = free_port()
    env = {**environment, "TIDINGS_FORWARDED_ALLOW_IPS": trusted}
    command = [sys.executable, "-m", "tidings", "serve", "--port", str(port), "--no-refresh"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/", time.monotonic() + 30)
        statuses = []
        for n in range(7):
            reply = httpx.get(
                base + "/v1/me",
                auth=("nobody", "wrong password"),
                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            )
            statuses.append(reply.status_code)
        assert (429 in statuses) is limited, statuses
    finally:
        process.terminate()
        process.wait(timeout=10)
