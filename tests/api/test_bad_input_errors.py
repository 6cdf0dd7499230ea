"""Input no database accepts is a coded 422, and nothing escapes as a plain-text 500.

Out-of-range integers (past PostgreSQL's int4 and int8, and SQLite's 64 bits), NUL
characters (PostgreSQL refuses them in text) and lone surrogates (no UTF-8 encoder accepts
them) in paths, query strings, JSON and form bodies, with and without a token; and an
exception no handler expects still answers with the JSON error shape and no internals.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from tests.factories.members import Cast

INT8_OVER = "9223372036854775808"
INT4_OVER = "2147483648"


@pytest.fixture
def client(ctx: ServiceContext) -> Iterator[TestClient]:
    with TestClient(create_app(ctx=ctx), raise_server_exceptions=False) as test_client:
        yield test_client


def post_json(
    client: TestClient, path: str, body: Any, headers: dict[str, str] | None = None
) -> Any:
    """POST ``body`` as ASCII JSON: a lone surrogate travels as its ``\\uXXXX`` escape."""
    return client.post(
        path,
        content=json.dumps(body),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def coded(response: Any, status: int, loc: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == f"E{status}"
    if loc is not None:
        assert loc in {d["loc"] for d in error["details"] or []}, error
    return error


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        (f"/api/v1/agreements/nk-2020-trilateral?version={INT4_OVER}", "version"),
        (f"/api/v1/agreements/nk-2020-trilateral?version={INT8_OVER}", "version"),
        (f"/api/v1/agreements/nk-2020-trilateral/provisions?version={INT4_OVER}", "version"),
        (f"/api/v1/ledger/{INT8_OVER}", "seq"),
        (f"/api/v1/ledger/{INT8_OVER}/proof", "seq"),
        (f"/api/v1/ledger?after={INT8_OVER}", "after"),
    ],
)
def test_integers_out_of_the_columns_range_are_422(
    client: TestClient, cast: Cast, path: str, loc: str
) -> None:
    coded(client.get(path, headers=cast.bearer("fra")), 422, loc)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/rep-%00x",
        "/api/v1/incidents/inc-%00x",
        "/api/v1/members/a%00b",
        "/api/v1/agreements/nk%00",
        "/api/v1/reports?cursor=rep-%00",
        "/api/v1/incidents?agreement_id=a%00b",
    ],
)
@pytest.mark.parametrize("who", ["public", "fra"])
def test_nul_in_paths_and_queries_is_422(
    client: TestClient, cast: Cast, path: str, who: str
) -> None:
    headers = {} if who == "public" else cast.bearer(who)
    coded(client.get(path, headers=headers), 422)


@pytest.mark.parametrize("text", ["a\u0000b", "\ud800", "x\udfffy"])
def test_nul_and_lone_surrogates_in_json_bodies_are_422_naming_the_field(
    client: TestClient, cast: Cast, text: str
) -> None:
    coded(
        post_json(client, "/api/v1/auth/token", {"user_id": text, "password": "x"}),
        422,
        "user_id",
    )
    report: dict[str, Any] = {"narrative": text, "channel": "monitor_observation"}
    coded(
        post_json(client, "/api/v1/reports", report, cast.bearer("tur")),
        422,
        "narrative",
    )
    # The key of an object is a string too.
    coded(post_json(client, "/api/v1/reports", {text: 1}, cast.bearer("tur")), 422)


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/api/v1/reports", "tur"),
        ("/api/v1/alerts/subscriptions", "tur"),
        ("/api/v1/auth/token", "public"),
    ],
)
def test_json_nested_past_the_decoders_limit_is_422_naming_the_body(
    client: TestClient, cast: Cast, path: str, who: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The decoder gives up on deep nesting (RecursionError): that is the client's input,
    not a server error whose traceback any client could write into the log."""
    headers = {"content-type": "application/json", **({} if who == "public" else cast.bearer(who))}
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + '"\\u0041"' + "}" * 50_000):
        coded(client.post(path, content=body, headers=headers), 422, "body")
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_a_nul_in_a_sign_in_form_is_refused_without_a_server_error(client: TestClient) -> None:
    response = client.post(
        "/login", data={"user_id": "a\u0000b", "password": "x"}, follow_redirects=False
    )
    assert response.status_code < 500, response.text


def test_paired_surrogates_and_escaped_backslashes_are_ordinary_text(
    client: TestClient, cast: Cast
) -> None:
    """A character outside the BMP (a surrogate pair in JSON) and a literal backslash-u are
    valid text: only what no encoder or database accepts is refused."""
    for text in ("flag 🇦🇲", "\\u0000 literally", "\\ud800 literally"):
        response = post_json(client, "/api/v1/auth/token", {"user_id": text, "password": "x"})
        assert response.status_code == 401, response.text


def test_an_unexpected_exception_is_a_coded_json_500_without_internals(ctx: ServiceContext) -> None:
    app = create_app(ctx=ctx)

    @app.get("/api/v1/test-only-boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/test-only-boom")
    error = coded(response, 500)
    assert "secret" not in response.text
    assert "RuntimeError" not in response.text
    assert error["message"]


def test_a_hand_made_body_is_told_each_problem_in_words(client: TestClient, cast: Cast) -> None:
    """Values outside an enumeration, a value of the wrong type and a missing field, in a
    body no client of ours sends: each problem in the catalogue's words (the values a field
    allows by their codes, which a program sends back), never Pydantic's English (a form's
    page shows the same problems by their labels: tests/web/test_form_problems.py)."""
    body = {"channel": "pigeon", "kinds": ["rumour"], "areas": "grid", "min_severity": 3}
    error = coded(post_json(client, "/api/v1/alerts/subscriptions", body, cast.bearer("tur")), 422)
    assert {d["loc"]: d["message"] for d in error["details"]} == {
        "channel": "one of webhook, email",
        "kinds.0": "one of casualties, zone_breach, deadline_due, deadline_overdue, spike",
        "areas": "not a list",
        "min_severity": "one of info, warning, critical",
        "target": "required",
    }


def test_a_body_that_is_no_json_is_named_as_the_body(client: TestClient, cast: Cast) -> None:
    """Broken JSON is the body's problem, not that of a field called after the offset where
    the decoder stopped (``invalid request: 1``)."""
    response = client.post(
        "/api/v1/alerts/subscriptions",
        content=b"{bad json",
        headers={"content-type": "application/json", **cast.bearer("tur")},
    )
    error = coded(response, 422, "body")
    assert error["message"] == "invalid request: body"
    assert error["details"][0]["message"] == "not readable JSON"
