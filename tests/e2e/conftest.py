"""Fixtures of the end-to-end tests: the CLI run in this process against the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ceasefire.console.context import get_context
from tests.factories.cli import InProcessCli
from tests.factories.hashing import PASSWORD_HASH_FLOOR_ENV


@pytest.fixture
def cli(
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[InProcessCli]:
    """``ceasefire ... --json`` in this process, on the database of ``settings``, no token."""
    for name in (
        "CEASEFIRE_DATABASE_URL",
        "CEASEFIRE_KEY_FILE",
        "CEASEFIRE_DATA_DIR",
        *PASSWORD_HASH_FLOOR_ENV,
    ):
        monkeypatch.setenv(name, cli_env[name])
    monkeypatch.delenv("CEASEFIRE_TOKEN", raising=False)
    get_context.cache_clear()
    yield InProcessCli(capsys, monkeypatch)
    get_context().dispose()
    get_context.cache_clear()
