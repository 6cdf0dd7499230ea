"""Request bodies read with a limit of their own (articles, evidence files)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from ceasefire.errors import PayloadTooLarge, problem
from ceasefire.i18n.markers import N_


async def read_limited(request: Request, limit: int, *, what: str, loc: str) -> list[bytes]:
    """The body's chunks; a 413 naming ``loc`` when it is declared or streams over ``limit``."""

    def too_large() -> PayloadTooLarge:
        return PayloadTooLarge.worded(
            N_("%(what)s over the limit of %(limit)s bytes"),
            details=[problem(loc, N_("larger than %(limit)s bytes"), limit=limit)],
            what=what,
            limit=limit,
        )

    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return chunks


def raw_body(description: str, **content: dict[str, Any]) -> dict[str, Any]:
    """The ``openapi_extra`` of a route that reads its body itself (FastAPI sees no body
    parameter, so the document would say the operation takes none): a required body of
    the media types ``content`` maps to their schemas."""
    return {"requestBody": {"required": True, "description": description, "content": content}}


BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
"""The schema of a body of bytes (a file)."""


BODY_SCHEMA_KEY = "x-body-schema"
"""The ``openapi_extra`` key ``json_body`` writes and ``add_body_schemas`` takes out."""


def json_body(
    name: str, components: dict[str, dict[str, Any]], examples: dict[str, Any]
) -> dict[str, Any]:
    """The ``openapi_extra`` of a route whose JSON body its service validates itself (the
    route takes it as a free object): the document names the schema ``name`` of
    ``components`` (the service's own, e.g. a union discriminated by a field) and
    ``examples`` (name: body), in place of the free object."""
    return {BODY_SCHEMA_KEY: {"name": name, "components": components, "examples": examples}}


def add_body_schemas(document: dict[str, Any]) -> None:
    """Put the body schemas ``json_body`` named into ``document``'s components and the
    operations' request bodies, in place."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for item in document.get("paths", {}).values():
        for operation in item.values():
            given = isinstance(operation, dict) and operation.pop(BODY_SCHEMA_KEY, None)
            if not given:
                continue
            schemas.update(given["components"])
            media = operation["requestBody"]["content"]["application/json"]
            media["schema"] = {"$ref": f"#/components/schemas/{given['name']}"}
            media["examples"] = {
                name: {"summary": name, "value": value} for name, value in given["examples"].items()
            }
