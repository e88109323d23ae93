"""The pure parts: backoff decisions and credential sealing."""

from __future__ import annotations

import pytest

from tidings.integrations import Delivery, next_attempt
from tidings.integrations.delivery import MAX_ATTEMPTS
from tidings.integrations.sealing import MASK, CannotUnseal, mask, seal, unseal

RETRY = Delivery(False, "busy", retryable=True)


@pytest.mark.parametrize(
    ("delivery", "attempts", "delay"),
    [
        (Delivery(True, "ok"), 1, None),
        (Delivery(False, "bad token"), 1, None),
        (RETRY, 1, 30.0),
        (RETRY, 2, 60.0),
        (RETRY, 4, 240.0),
        (RETRY, MAX_ATTEMPTS, None),
    ],
)
def test_next_attempt(delivery: Delivery, attempts: int, delay: float | None) -> None:
    assert next_attempt(delivery, attempts).delay == delay


def test_seal_round_trip_and_wrong_key() -> None:
    sealed = seal("site-key", "hunter2")
    assert "hunter2" not in sealed
    assert unseal("site-key", sealed) == "hunter2"
    with pytest.raises(CannotUnseal):
        unseal("other-key", sealed)


@pytest.mark.parametrize(
    ("value", "shown"), [("", MASK), ("short", MASK), ("abcdefghij", MASK + "ij")]
)
def test_mask(value: str, shown: str) -> None:
    assert mask(value) == shown
