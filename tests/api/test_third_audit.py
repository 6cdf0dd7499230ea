"""The third adversarial audit: what the second one left as known risks. Each test is one
finding, failing before its fix (or pinning why an answer that looks like a leak is none)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from ceasefire.access import Role
from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.db.context import ServiceContext
from ceasefire.members.model import MemberRole
from ceasefire.members.service import grant_role
from tests.factories.agreements import MEMO_ID, shipped_text
from tests.factories.members import OPERATOR, Cast
from tests.factories.reports import incident_of, shelling_body

UAV_MONITORING = f"/api/v1/agreements/{MEMO_ID}/provisions/m3-uav-monitoring"


def _record(client: TestClient, cast: Cast, who: str, ref: str, day: int) -> Any:
    return client.post(
        f"{UAV_MONITORING}/status",
        headers=cast.bearer(who),
        json={
            "status": "in_progress",
            "local": f"2021-02-{day:02d}",
            "time_zone": "Asia/Baku",
            "evidence": [{"ref": ref}],
        },
    )


def test_a_status_cites_as_evidence_only_records_its_recorder_may_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """France observes agreement A (the trilateral statement) and monitors B (the
    memorandum), whose provisions' statuses are public. Turkey keeps an internal report and
    an internal incident of A. France records a status of B citing their ids as
    ``evidence.ref``: that would publish the ids of A's hidden records (and confirm that
    they exist) to everyone who reads B. A ref shaped like a record id is checked as every
    reference between records is: readable by the recorder (404 naming the field, as for
    an id that does not exist) and of the provision's own agreement (422), wherever the id
    stands in the ref (``report:rep-…``, a URL); free text (a URL, a document's name) stays
    free."""
    agreements.load_text(
        ctx, shipped_text(MEMO_ID), source_name=f"{MEMO_ID}.yaml", actor=Actor.centre()
    )
    grant_role(
        ctx,
        OPERATOR,
        MemberRole(
            member_id="fra",
            agreement_id=MEMO_ID,
            role=Role.MONITOR,
            valid_from=datetime(2020, 1, 1, tzinfo=UTC),
        ),
    )
    report, incident = incident_of(
        ctx, cast.viewer(ctx, "tur"), shelling_body(classification="internal")
    )

    def history() -> list[Any]:
        response = client.get(f"{UAV_MONITORING}/history", headers=cast.bearer("fra"))
        assert response.status_code == 200, response.text
        return list(response.json()["status_history"])

    before = history()
    for hidden, cited in (
        (report, f"report:{report}"),
        (incident, f"https://jmc.example.org/incidents/{incident}"),
        (incident, incident),
    ):
        made_up = hidden[:4] + "0" * (len(hidden) - 4)
        refused, absent = (
            _record(client, cast, "fra", cited.replace(hidden, ref), 1) for ref in (hidden, made_up)
        )
        assert refused.status_code == absent.status_code == 404, refused.text
        assert refused.json()["error"]["details"][0]["loc"] == "evidence[0].ref"
        # A hidden record is answered as one that does not exist.
        assert refused.text.replace(hidden, "ID") == absent.text.replace(made_up, "ID")
    assert history() == before

    # A record France reads, but of agreement A, and the id of a record of another kind
    # (a compliance finding): refused, naming the field.
    readable_of_a, _ = incident_of(ctx, cast.viewer(ctx, "tur"), shelling_body())
    for ref in (readable_of_a, "fnd-" + readable_of_a[4:]):
        refused = _record(client, cast, "fra", ref, 2)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["details"][0]["loc"] == "evidence[0].ref"
    assert history() == before

    # France's own report of B, and free text, are evidence.
    own = client.post(
        "/api/v1/reports",
        json=shelling_body(agreement_id=MEMO_ID, alleged_perpetrator=None, concerns=[]),
        headers=cast.bearer("fra"),
    )
    assert own.status_code == 201, own.text
    for day, ref in enumerate(
        (
            f"report:{own.json()['id']}",
            "https://mil.ru/files/2021-02-03.pdf",
            "JMC log 3/2 #7",
        ),
        start=3,
    ):
        recorded = _record(client, cast, "fra", ref, day)
        assert recorded.status_code == 201, recorded.text
    assert len(history()) == len(before) + 3
