"""The OpenAPI document states the body of ``PUT /api/v1/decision-rules/{agreement_id}``:
a union discriminated by ``kind``, built from the parser's own tables
(``incidents.schemas.decision_rule_schemas`` from ``model.RULE_KEYS``), so a client (or the
fuzzer) reading it can write a rule of each kind that the server sets."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.incidents.api import RULE_EXAMPLES
from ceasefire.incidents.model import GROUP_KEYS, RULE_KEYS, RuleKind
from tests.factories.members import add_user_with_token, demo_cast

PATH = "/api/v1/decision-rules/{agreement_id}"
AGREEMENT = "nk-2020-trilateral"


@pytest.fixture(scope="module")
def operator(module_ctx: ServiceContext) -> dict[str, str]:
    """The bearer header of an operator (only an operator sets a rule)."""
    demo_cast(module_ctx)
    _, token = add_user_with_token(module_ctx, "centre", "rule-operator", operator=True)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def client(module_ctx: ServiceContext) -> TestClient:
    return TestClient(create_app(ctx=module_ctx))


def _validator(document: dict[str, Any]) -> Draft202012Validator:
    """A validator of ``DecisionRule``, its ``$ref``s resolved in the document."""
    return Draft202012Validator({**document, "$ref": "#/components/schemas/DecisionRule"})


def test_the_rule_body_is_a_union_discriminated_by_kind(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    media = document["paths"][PATH]["put"]["requestBody"]["content"]["application/json"]
    assert media["schema"] == {"$ref": "#/components/schemas/DecisionRule"}
    schemas = document["components"]["schemas"]
    union = schemas["DecisionRule"]
    assert union["discriminator"]["propertyName"] == "kind"
    assert set(union["discriminator"]["mapping"]) == {k.value for k in RuleKind}
    for kind, ref in union["discriminator"]["mapping"].items():
        variant = schemas[ref.rsplit("/", 1)[-1]]
        assert set(variant["properties"]) == {"kind"} | set(RULE_KEYS[RuleKind(kind)])
    assert set(schemas["DecisionRuleGroup"]["properties"]) == set(GROUP_KEYS)
    assert set(media["examples"]) == {k.value for k in RuleKind}


def test_each_kinds_example_fits_the_document_and_is_set(
    client: TestClient, operator: dict[str, str]
) -> None:
    document = client.get("/openapi.json").json()
    body_schema = _validator(document)
    examples = document["paths"][PATH]["put"]["requestBody"]["content"]["application/json"][
        "examples"
    ]
    for kind in RuleKind:
        body = examples[kind.value]["value"]
        assert body == RULE_EXAMPLES[kind.value]
        assert list(body_schema.iter_errors(body)) == [], kind
        url = PATH.format(agreement_id=AGREEMENT)
        set_ = client.put(url, json=body, headers=operator)
        assert set_.status_code == 200, (kind, set_.text)
        assert client.get(url).json()["kind"] == kind.value


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"kind": "majority"}, "kind"),
        ({"kind": "presiding_member", "voters": ["tur"]}, "presiding"),
        ({"kind": "presiding_member", "presiding": ""}, "presiding"),
        ({"kind": "unanimity", "voters": "tur"}, "voters"),
        ({"kind": "quorum_by_group", "groups": []}, "groups"),
        (
            {"kind": "quorum_by_group", "groups": [{"name": "a", "members": ["x"]}]},
            "groups.0.required",
        ),
        (
            {"kind": "quorum_by_group", "groups": [{"name": "a", "required": 0, "members": ["x"]}]},
            "groups.0.required",
        ),
        ({"kind": "quorum_by_group", "groups": [{"name": "a", "required": 1}]}, "groups.0.members"),
        ({"kind": "quorum_by_group", "groups": ["a"]}, "groups.0"),
    ],
)
def test_a_bad_rule_fits_no_schema_and_is_refused_naming_the_field(
    client: TestClient, operator: dict[str, str], body: dict[str, Any], loc: str
) -> None:
    document = client.get("/openapi.json").json()
    assert not _validator(document).is_valid(body), body
    refused = client.put(PATH.format(agreement_id=AGREEMENT), json=body, headers=operator)
    assert refused.status_code == 422, refused.text
    assert loc in [p["loc"] for p in refused.json()["error"]["details"]]
