"""Security headers on every response, pages that work under the CSP, private files, and an
OpenAPI document that lists the errors each operation can answer with."""

from __future__ import annotations

import base64
import hashlib
import re
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.db.migrate import upgrade
from tests.factories.members import Cast

PATHS = [
    "/health",
    "/api/v1/reports",
    "/api/v1/reports/rep-0000000000000000000000",
    "/api/v1/nowhere",
    "/openapi.json",
    "/docs",
    "/",
    "/login",
    "/static/web/style.css",
]


def directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(
    client: TestClient, cast: Cast, path: str
) -> None:
    for headers in ({}, cast.bearer("fra")):
        response = client.get(path, headers=headers)
        assert response.status_code < 500
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        policy = directives(response.headers["content-security-policy"])
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in policy.get("script-src", [])


def test_a_refusal_before_any_route_carries_them_too(client: TestClient) -> None:
    response = client.get("/api/v1/reports/rep-%00")
    assert response.status_code == 422
    assert response.headers["x-frame-options"] == "DENY"


def inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)


@pytest.mark.parametrize("path", ["/", "/login", "/agreements"])
def test_the_web_pages_need_nothing_the_policy_forbids(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    if response.status_code in {301, 302, 303, 307, 404}:
        pytest.skip(f"{path} is not a page here")
    html = response.text
    assert inline_scripts(html) == []
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "javascript:" not in html


def test_the_api_docs_inline_script_is_allowed_by_its_hash(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    policy = directives(response.headers["content-security-policy"])
    scripts = inline_scripts(response.text)
    assert scripts
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["script-src"]
    # Its bundle and stylesheet are served from here, allowed by 'self'.
    assert "'self'" in policy["script-src"]
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_a_new_sqlite_database_is_private(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    settings = Settings(database_url=f"sqlite:///{path}", key_file=tmp_path / "keys.json")
    ctx = ServiceContext.from_settings(settings)
    try:
        upgrade(ctx.engine)
    finally:
        ctx.dispose()
    for file in [path, *tmp_path.glob("fresh.db-*")]:
        assert stat.S_IMODE(file.stat().st_mode) & 0o077 == 0, (file, oct(file.stat().st_mode))


ERRORS = {"401", "403", "404", "409", "422", "429"}


def test_the_openapi_document_lists_the_error_responses(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    error_ref = "#/components/schemas/Error"
    assert "Error" in document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for code in ("422", "429"):
                assert code in responses, (method, path, code)
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if method in {"post", "put", "patch", "delete"}:
                assert "409" in responses, (method, path)
            for code in ERRORS & set(responses):
                schema = responses[code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": error_ref}, (method, path, code)
