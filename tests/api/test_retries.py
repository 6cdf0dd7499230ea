"""A retried request (its first answer lost to a timeout) makes nothing twice: the
assessments, replies and alert subscriptions that have no idempotency key of their own are
recognised by what they say; incidents, tasks and notes, whose ids are ours, by the
``Idempotency-Key`` the client sends. Report intake, CSV import, articles and provision
statuses have their own tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories.members import Cast
from tests.factories.reports import shelling_body

SUBSCRIPTIONS = "/api/v1/alerts/subscriptions"
CONCURRENCE = {
    "stance": "concur",
    "status": "verified",
    "attribution": "attributed(ARM)",
    "rationale": "UAV footage",
}


def head(client: TestClient) -> int:
    return int(client.get("/api/v1/ledger/head").json()["seq"])


def twice(client: TestClient, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    """POST ``body`` twice; both answered alike, the second writing nothing."""
    first = client.post(path, json=body, headers=headers)
    assert first.status_code == 201, first.text
    before = head(client)
    again = client.post(path, json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert head(client) == before
    return first.json()


def shared_incident(client: TestClient, cast: Cast) -> str:
    report = client.post("/api/v1/reports", json=shelling_body(), headers=cast.bearer("tur"))
    assert report.status_code == 201, report.text
    response = client.post(
        "/api/v1/incidents",
        json={"report_ids": [report.json()["id"]], "title": "Shelling", "classification": "shared"},
        headers=cast.bearer("tur"),
    )
    assert response.status_code == 201, response.text
    incident_id = str(response.json()["id"])
    task = client.post(  # under investigation from its first task
        f"/api/v1/incidents/{incident_id}/tasks",
        json={"team": ["Maj. Ivan Petrov"]},
        headers=cast.bearer("rus"),
    )
    assert task.status_code == 201, task.text
    return incident_id


def test_a_retried_subscription_is_the_one_in_force(client: TestClient, cast: Cast) -> None:
    body = {
        "channel": "webhook",
        "target": "https://hooks.arm.example.org/ceasefire",
        "secret": "a-secret-of-at-least-16",
        "kinds": ["spike", "casualties"],
    }
    first = twice(client, SUBSCRIPTIONS, body, cast.bearer("arm"))
    listed = client.get(SUBSCRIPTIONS, headers=cast.bearer("arm")).json()
    assert [s["id"] for s in listed] == [first["id"]]
    # Anything else different is another subscription; so is one after the first ended.
    other = client.post(
        SUBSCRIPTIONS, json={**body, "kinds": ["spike"]}, headers=cast.bearer("arm")
    )
    assert other.json()["id"] != first["id"]
    client.delete(f"{SUBSCRIPTIONS}/{first['id']}", headers=cast.bearer("arm"))
    renewed = client.post(SUBSCRIPTIONS, json=body, headers=cast.bearer("arm"))
    assert renewed.status_code == 201
    assert renewed.json()["id"] not in {first["id"], other.json()["id"]}


def test_a_retried_assessment_is_not_a_second_one(client: TestClient, cast: Cast) -> None:
    incident_id = shared_incident(client, cast)
    path = f"/api/v1/incidents/{incident_id}/assessments"
    body = CONCURRENCE
    twice(client, path, body, cast.bearer("tur"))
    assessments = client.get(path, headers=cast.bearer("tur")).json()
    assert len(assessments) == 1
    # A changed view is a new assessment that supersedes the first.
    changed = client.post(
        path, json={**body, "rationale": "UAV footage, crater"}, headers=cast.bearer("tur")
    )
    assert changed.status_code == 201, changed.text
    assert len(client.get(path, headers=cast.bearer("tur")).json()) == 2


def test_a_retry_of_the_assessment_that_closed_the_investigation_is_answered(
    client: TestClient, cast: Cast
) -> None:
    incident_id = shared_incident(client, cast)
    path = f"/api/v1/incidents/{incident_id}/assessments"
    body = CONCURRENCE
    for monitor in ("tur", "rus"):  # the two monitors concur: decided, verified
        assert client.post(path, json=body, headers=cast.bearer(monitor)).status_code == 201
    shown = client.get(f"/api/v1/incidents/{incident_id}", headers=cast.bearer("tur")).json()
    assert shown["status"] == "verified"
    before = head(client)
    retried = client.post(path, json=body, headers=cast.bearer("tur"))
    assert retried.status_code == 201, retried.text
    assert retried.json()["status"] == "verified"
    assert head(client) == before
    assert len(client.get(path, headers=cast.bearer("tur")).json()) == 2


def test_a_retried_reply_is_not_a_second_one(client: TestClient, cast: Cast) -> None:
    incident_id = shared_incident(client, cast)
    path = f"/api/v1/incidents/{incident_id}/replies"
    body = {"text": "Our forces did not fire that day.", "evidence_refs": ["statement-1"]}
    twice(client, path, body, cast.bearer("arm"))
    assert len(client.get(path, headers=cast.bearer("arm")).json()) == 1
    again = client.post(
        path, json={**body, "text": "And the crater is old."}, headers=cast.bearer("arm")
    )
    assert again.status_code == 201, again.text
    assert len(client.get(path, headers=cast.bearer("arm")).json()) == 2


def keyed(cast: Cast, member: str, key: str) -> dict[str, str]:
    return {**cast.bearer(member), "Idempotency-Key": key}


def test_a_retried_incident_task_or_note_with_its_key_is_the_first_one(
    client: TestClient, cast: Cast
) -> None:
    report = client.post("/api/v1/reports", json=shelling_body(), headers=cast.bearer("tur"))
    assert report.status_code == 201, report.text
    body = {"report_ids": [report.json()["id"]], "title": "Shelling", "classification": "shared"}
    incident = twice(client, "/api/v1/incidents", body, keyed(cast, "tur", "inc-1"))
    tasks = f"/api/v1/incidents/{incident['id']}/tasks"
    task = twice(client, tasks, {"team": ["Maj. Ivan Petrov"]}, keyed(cast, "rus", "t-1"))
    notes = f"/api/v1/incidents/{incident['id']}/notes"
    note = twice(client, notes, {"text": "Crater seen at 10:40."}, keyed(cast, "tur", "n-1"))
    shown = client.get(f"/api/v1/incidents/{incident['id']}", headers=cast.bearer("tur")).json()
    assert [t["id"] for t in shown["tasks"]] == [task["id"]]
    assert [n["id"] for n in shown["notes"]] == [note["id"]]
    # Without a key, or with a new one, the same request is a new record.
    again = client.post(notes, json={"text": "Crater seen at 10:40."}, headers=cast.bearer("tur"))
    assert again.status_code == 201
    assert again.json()["id"] != note["id"]


def test_a_key_used_again_for_another_request_is_a_conflict_naming_it(
    client: TestClient, cast: Cast
) -> None:
    incident_id = shared_incident(client, cast)
    notes = f"/api/v1/incidents/{incident_id}/notes"
    first = client.post(notes, json={"text": "First."}, headers=keyed(cast, "tur", "k"))
    assert first.status_code == 201, first.text
    before = head(client)
    other = client.post(notes, json={"text": "Other."}, headers=keyed(cast, "tur", "k"))
    assert other.status_code == 409, other.text
    assert [d["loc"] for d in other.json()["error"]["details"]] == ["Idempotency-Key"]
    assert head(client) == before
    # Keys are the member's own: another member's same key makes its own note, and never
    # answers with the first member's (internal) note.
    mine = client.post(notes, json={"text": "First."}, headers=keyed(cast, "rus", "k"))
    assert mine.status_code == 201, mine.text
    assert mine.json()["id"] != first.json()["id"]
    # A key that is no key is refused, naming it.
    bad = client.post(notes, json={"text": "First."}, headers=keyed(cast, "tur", " "))
    assert bad.status_code == 422
    assert [d["loc"] for d in bad.json()["error"]["details"]] == ["Idempotency-Key"]
