"""The error responses of every operation in the OpenAPI document, with their real schema.

FastAPI documents only the success response and its own 422 (with a validation-error schema
this API never sends). Every error here is ``{"error": {"code", "message", "details"}}``
(``Error``), and which codes an operation can answer with follows from how the API is built:

- 422 — any operation: its parameters and body are validated, and text no storage holds is
  refused before any route runs (``api/inputcheck.py``);
- 429 — any operation: requests are rate-limited per address or per token
  (``api/address_limits.py``);
- 401 and 403 — operations that read a token (``security`` in the document) or check a
  password (sign-in): a bad token or password is a 401, a role that may not do this a 403;
- 404 — operations with parameters (a path or query parameter may name a record) and every
  write (which may refer to records);
- 409 and 413 — every write (a state conflict; a body over the size limit);
- 400 — operations with a request body: one that cannot even be parsed (not UTF-8, a broken
  form).

It also corrects what FastAPI writes of the bearer scheme: every route that reads the caller
(``CurrentViewer``) gets ``security: [{"HTTPBearer": []}]``, which says a token is required,
though a route whose gate (``api/authfirst.py``) is only "a token, if one is presented"
answers a request without one as the public. Those say ``[{}, {"HTTPBearer": []}]``: a token is
optional (OpenAPI's empty requirement).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from ceasefire.api.authfirst import Gate, routing_table
from ceasefire.api.bodies import add_body_schemas

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "examples": ["E422"]},
                "message": {"type": "string"},
                "details": {
                    "description": "For 422: a list of {loc, message} naming each problem; "
                    "for 429: {retry_after_s}; else null or an object."
                },
            },
        }
    },
}

DESCRIPTIONS = {
    "400": "The request body cannot be parsed",
    "401": "No valid token: missing where one is needed, malformed, unknown, expired or revoked",
    "403": "The caller's role does not allow this",
    "404": "No such record, or one the caller may not read",
    "409": "Conflicts with the record's current state",
    "413": "Request body over the size limit",
    "422": "Invalid input; `details` names each problem",
    "429": "Rate limit; retry after the `Retry-After` header's seconds",
}
WRITES = {"post", "put", "patch", "delete"}
PASSWORD_FIELDS = {"password", "current_password"}


def _body_fields(document: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    """The top-level fields of the operation's JSON body (through one ``$ref``)."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = document["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return set(schema.get("properties", {}))


def _codes(
    document: dict[str, Any], path: str, method: str, operation: dict[str, Any]
) -> list[str]:
    codes = ["422", "429"]
    if operation.get("security") or _body_fields(document, operation) & PASSWORD_FIELDS:
        codes += ["401", "403"]
    if "{" in path or operation.get("parameters") or method in WRITES:
        codes.append("404")
    if method in WRITES:
        codes += ["409", "413"]
    if "requestBody" in operation:
        codes.append("400")
    return codes


def add_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Add (or correct) the error responses of every operation of ``document``, in place."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for stale in ("HTTPValidationError", "ValidationError"):
        schemas.pop(stale, None)
    ref = {"$ref": "#/components/schemas/Error"}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in _codes(document, path, method, operation):
                responses[code] = {
                    "description": DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": ref}},
                }
    return document


OPTIONAL_BEARER: list[dict[str, list[str]]] = [{}, {"HTTPBearer": []}]
"""A token may be sent, or none (the caller is then the public)."""


def token_optional(app: FastAPI) -> set[tuple[str, str]]:
    """(path, method) of the operations that take a request without a token: those whose
    gate (``api/authfirst.py``, from the route's dependencies) is a token if one is given."""
    return {
        (route.path_format, method.lower())
        for route, gate in routing_table(app.routes)
        if isinstance(route, APIRoute) and gate is Gate.TOKEN_IF_PRESENT
        for method in route.methods or ()
    }


def mark_token_optional(document: dict[str, Any], optional: set[tuple[str, str]]) -> None:
    """Say ``OPTIONAL_BEARER`` on the operations of ``optional`` that name the scheme."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            named = isinstance(operation, dict) and operation.get("security")
            if (path, method) in optional and named:
                operation["security"] = OPTIONAL_BEARER


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the document with the error responses added and the
    token marked optional where the public is answered."""
    original: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = original()
            mark_token_optional(document, token_optional(app))
            add_body_schemas(document)
            app.openapi_schema = add_error_responses(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
