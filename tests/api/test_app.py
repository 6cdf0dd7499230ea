"""The app shell: health, offline docs, the error format and the body size limit."""

from __future__ import annotations

import gc

import anyio.to_thread
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings


def test_health_and_offline_docs(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    assert client.get("/health").json()["status"] == "ok"
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    asset = client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert len(asset.content) > 100_000
    assert client.get("/openapi.json").json()["info"]["title"] == "ceasefire"


def test_unknown_route_uses_the_error_format(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    body = client.get("/api/v1/nothing-here").json()
    assert body["error"]["code"] == "E404"


def test_oversized_body_is_refused(settings: Settings) -> None:
    small = settings.model_copy(update={"max_request_bytes": 1000})
    client = TestClient(create_app(small))
    response = client.post("/health", content=b"x" * 5000)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "E413"


def test_a_serving_process_runs_request_threads_at_once_and_freezes_its_startup_objects(
    settings: Settings,
) -> None:
    """``def`` routes share ``CEASEFIRE_REQUEST_THREADS`` threads (not the framework's 40),
    and what was built before the first request is out of the collector's way until the
    app stops (bench/RESULTS.md, "Load at 100k")."""
    app = create_app(settings.model_copy(update={"request_threads": 3}))

    @app.get("/test-threads")
    async def threads() -> dict[str, int]:
        limiter = anyio.to_thread.current_default_thread_limiter()
        return {"tokens": int(limiter.total_tokens), "frozen": gc.get_freeze_count()}

    before = gc.get_freeze_count()
    with TestClient(app) as client:
        seen = client.get("/test-threads").json()
    assert seen["tokens"] == 3
    assert seen["frozen"] > before
    assert gc.get_freeze_count() < seen["frozen"]
