"""Fixtures of the API tests: an in-process client of the app on the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext


@pytest.fixture
def client(ctx: ServiceContext) -> Iterator[TestClient]:
    """The app on ``ctx``, with its lifespan run (a module may define its own ``client``)."""
    with TestClient(create_app(ctx=ctx)) as test_client:
        yield test_client
