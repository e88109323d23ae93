"""The OpenAPI document: served, kept in docs/, and the API answers within it (schemathesis)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_support import World, make_world
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tidings.accounts import create_user
from tidings.api.openapi import document, rendered
from tidings.config import Settings
from tidings.store import Store
from tidings.web.app import create_app

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api-openapi.json"


def test_document_is_served_and_kept_in_docs(client: Any, world: World) -> None:
    served = client.get("/v1/openapi.json")
    assert served.status_code == 200
    assert served.json()["openapi"].startswith("3.")
    assert DOCS.read_text() == rendered(), "regenerate: python -m tidings.api.openapi"


@pytest.fixture
def fuzz_world(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[Any, dict[str, str]]]:
    import shutil

    path = tmp_path / "fuzz.db"
    shutil.copy(sqlite_template, path)
    with Store.open(f"sqlite:///{path}") as store:
        make_world(store)
        admin = create_user(store, "root", "root password", is_admin=True)
        _, token = store.api_keys.create(admin.id, "fuzz")
        for i in range(2):  # alice's feeds and their entries, with a category of root's
            store.reading.subscribe(admin.id, f"https://alice.example/feed{i}", categories=["c"])
        app = create_app(Settings(secret_key="fuzz"), store)

        async def no_network(url: str) -> list[str]:
            return [url]

        app.state.site.discover = no_network
        yield app, {"X-Auth-Token": token}


OPERATIONS = [
    result.ok().label for result in schemathesis.openapi.from_dict(document()).get_all_operations()
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("label", OPERATIONS)
def test_api_answers_within_its_schema(label: str, fuzz_world: tuple[Any, dict[str, str]]) -> None:
    """Generated requests (a few per operation) get no 5xx and no reply outside the schema."""
    app, headers = fuzz_world
    api = schemathesis.openapi.from_asgi("/v1/openapi.json", app)
    operation = next(r.ok() for r in api.get_all_operations() if r.ok().label == label)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        run()
