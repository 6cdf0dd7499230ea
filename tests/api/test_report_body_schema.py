"""The OpenAPI document states the body of ``POST /api/v1/reports`` exactly: a union
discriminated by ``channel``, built from the validator's own tables (``reports.schemas``),
so a client (or the fuzzer) reading it can write a report of each channel that is filed."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.reports.api import REPORT_EXAMPLES
from ceasefire.reports.model import CHANNEL_NEEDS, TOP_LEVEL_FIELDS, Channel
from tests.factories.members import Cast, demo_cast

FILER = {"party_complaint": "arm"}
"""Who files each example (a monitor files every channel but a party's complaint)."""


@pytest.fixture(scope="module")
def cast(module_ctx: ServiceContext) -> Cast:
    return demo_cast(module_ctx)


@pytest.fixture(scope="module")
def client(module_ctx: ServiceContext, cast: Cast) -> TestClient:
    return TestClient(create_app(ctx=module_ctx))


def _validator(document: dict[str, Any], name: str) -> Draft202012Validator:
    """A validator of the component ``name``, its ``$ref``s resolved in the document."""
    root = {**document, "$ref": f"#/components/schemas/{name}"}
    return Draft202012Validator(root)


def test_the_report_body_is_a_union_discriminated_by_channel(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/api/v1/reports"]["post"]
    media = operation["requestBody"]["content"]["application/json"]
    assert media["schema"] == {"$ref": "#/components/schemas/ReportBody"}
    schemas = document["components"]["schemas"]
    union = schemas["ReportBody"]
    assert union["discriminator"]["propertyName"] == "channel"
    assert set(union["discriminator"]["mapping"]) == {c.value for c in Channel}
    for ref in union["oneOf"]:
        variant = schemas[ref["$ref"].rsplit("/", 1)[-1]]
        assert variant["additionalProperties"] is False
        assert set(variant["properties"]) == TOP_LEVEL_FIELDS | {"client_report_id"}
    assert set(media["examples"]) == {c.value for c in Channel}


def test_each_channels_example_fits_the_document_and_is_filed(
    client: TestClient, cast: Cast
) -> None:
    document = client.get("/openapi.json").json()
    body_schema = _validator(document, "ReportBody")
    examples = document["paths"]["/api/v1/reports"]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"]
    for channel in Channel:
        body = examples[channel.value]["value"]
        assert body == REPORT_EXAMPLES[channel.value]
        assert list(body_schema.iter_errors(body)) == [], channel
        filed = client.post(
            "/api/v1/reports", json=body, headers=cast.bearer(FILER.get(channel.value, "tur"))
        )
        assert filed.status_code == 201, (channel, filed.text)
        assert filed.json()["channel"] == channel.value


def test_what_a_channel_needs_the_document_and_the_server_both_refuse(
    client: TestClient, cast: Cast
) -> None:
    """Without what its channel needs (``model.CHANNEL_NEEDS``), an unknown field, or a
    category outside the list, a body fits no branch of the union, and the server refuses
    it with a 422 naming the field, in its usual words."""
    document = client.get("/openapi.json").json()
    body_schema = _validator(document, "ReportBody")
    cases: list[tuple[dict[str, Any], str]] = []
    for channel, needs in CHANNEL_NEEDS.items():
        body = copy.deepcopy(REPORT_EXAMPLES[channel.value])
        for name in needs.any_of:
            body.pop(name, None)
        cases.append((body, needs.any_of[0]))
    cases.append(({**REPORT_EXAMPLES["csv_import"], "colour": "red"}, "colour"))
    cases.append(({**REPORT_EXAMPLES["csv_import"], "category": "rain"}, "category"))
    for body, loc in cases:
        assert not body_schema.is_valid(body), body
        refused = client.post("/api/v1/reports", json=body, headers=cast.bearer("tur"))
        assert refused.status_code == 422, refused.text
        assert loc in [p["loc"] for p in refused.json()["error"]["details"]]
