"""Schemathesis against the application (in-process ASGI), on SQLite and PostgreSQL, as the
public and as an observer: for every operation of /openapi.json, generated requests must get
no 5xx, no status code the document does not list, and no response outside its schema.

Bounded: five valid and five invalid requests per operation, no shrinking, one demo centre per
backend for the module; about 25 s of CPU for each of the four runs. Every operation runs even
when one fails, and the failures are reported together with a curl command each.
Marked ``slow``; ``.ci/run`` runs it with the rest.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from tests.conftest import _empty_postgres
from tests.factories.fuzz import fuzz_operation
from tests.factories.members import Cast, demo_cast

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
EXAMPLES = 5


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_centre(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[tuple[ServiceContext, Cast]]:
    """A demo centre on each backend, shared by the module's generated requests."""
    folder = tmp_path_factory.mktemp("fuzz")
    if request.param == "sqlite":
        shutil.copyfile(sqlite_template, folder / "fuzz.db")
        url = f"sqlite:///{folder / 'fuzz.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    ctx = ServiceContext.from_settings(
        Settings(
            database_url=url,
            key_file=folder / "keys.json",
            data_dir=folder / "data",
            public_requests_per_minute=0,
            login_attempts_per_address_per_minute=0,
            token_requests_per_minute=0,
            sign_ins_per_user_per_minute=0,
        )
    )
    try:
        yield ctx, demo_cast(ctx)
    finally:
        ctx.dispose()
        if request.param != "sqlite":
            _empty_postgres(url)


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_centre: tuple[ServiceContext, Cast]) -> Any:
    ctx, _ = fuzz_centre
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(ctx=ctx))


@pytest.fixture(scope="module")
def observer(fuzz_centre: tuple[ServiceContext, Cast]) -> dict[str, str]:
    return fuzz_centre[1].bearer("fra")


def fuzz(schema: Any, headers: dict[str, str]) -> list[str]:
    """Run every operation of ``schema`` with valid and invalid generated requests; the
    failures found, one line each (all operations run even when one fails)."""
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40  # the whole API, not an empty document
    for operation in operations:
        failures += fuzz_operation(operation, headers, CHECKS, EXAMPLES)
    return failures


def test_the_public_gets_no_server_error_and_only_documented_answers(fuzz_schema: Any) -> None:
    failures = fuzz(fuzz_schema, {})
    assert not failures, "\n\n".join(failures)


def test_an_observer_gets_no_server_error_and_only_documented_answers(
    fuzz_schema: Any, observer: dict[str, str]
) -> None:
    failures = fuzz(fuzz_schema, observer)
    assert not failures, "\n\n".join(failures)
