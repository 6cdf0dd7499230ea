"""The lists a request gives an incident (a task's team and the parties present, the
evidence references of an assessment or reply) are bounded and named when over: each item
is stored, ledgered and shown with the record, and a 10 MB body held 300,000 of them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ceasefire.db.context import ServiceContext
from tests.factories.members import Cast
from tests.factories.reports import internal_incident


@pytest.fixture
def incident_id(ctx: ServiceContext, cast: Cast) -> str:
    return internal_incident(ctx, cast.viewer(ctx, "tur"))


def refused(response: Any, loc: str) -> None:
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["loc"] == loc


def test_task_lists_are_bounded(client: TestClient, cast: Cast, incident_id: str) -> None:
    path = f"/api/v1/incidents/{incident_id}/tasks"
    tur = cast.bearer("tur")
    refused(client.post(path, json={"team": ["Maj. Petrov"] * 51}, headers=tur), "team")
    refused(client.post(path, json={"team": ["x" * 201]}, headers=tur), "team.0")
    refused(
        client.post(path, json={"team": ["Maj. Petrov"], "lead_member": "m" * 65}, headers=tur),
        "lead_member",
    )
    present = {"party": "AZE", "present": True, "names": ["Capt. Aliyev"] * 51}
    refused(
        client.post(
            path, json={"team": ["Maj. Petrov"], "party_representatives": [present]}, headers=tur
        ),
        "party_representatives.0.names",
    )
    many = [{"party": "AZE", "present": True}] * 21
    refused(
        client.post(
            path, json={"team": ["Maj. Petrov"], "party_representatives": many}, headers=tur
        ),
        "party_representatives",
    )
    fifty = client.post(path, json={"team": ["Maj. Petrov"] * 50}, headers=tur)
    assert fifty.status_code == 201, fifty.text


def test_evidence_references_are_bounded(client: TestClient, cast: Cast, incident_id: str) -> None:
    tur = cast.bearer("tur")
    client.post(f"/api/v1/incidents/{incident_id}/tasks", json={"team": ["Petrov"]}, headers=tur)
    path = f"/api/v1/incidents/{incident_id}/assessments"
    body = {"stance": "abstain", "rationale": "no access to the site"}
    refs = [f"photo-{i}" for i in range(101)]
    refused(client.post(path, json={**body, "evidence_refs": refs}, headers=tur), "evidence_refs")
    accepted = client.post(path, json={**body, "evidence_refs": refs[:100]}, headers=tur)
    assert accepted.status_code == 201, accepted.text
