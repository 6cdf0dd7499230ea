"""The joint centre scenario of the issue, end to end through the HTTP API and the CLI.

Russia and Turkey monitor, Azerbaijan and Armenia each have a party liaison, France
observes. A Turkish monitor reports shelling near Aghdam; it becomes an incident; Turkey
concurs "verified, attributed to Armenia", Russia dissents, so the incident is disputed with
both views kept; Armenia's liaison replies; Azerbaijan's liaison cannot read the internal
working notes; France sees the shared summary; the public API sees the incident only once it
is classified public, and then without observer positions. Every step is a ledger entry and
``ceasefire ledger verify`` passes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.ledger.tables import LedgerEntryRow
from tests.factories.cli import InProcessCli
from tests.factories.members import Cast, demo_cast
from tests.factories.reports import shelling_body

OBSERVER_POST = {"lat": 39.97, "lon": 47.05}  # where the Turkish monitor stood
NOTE = "Working note: the crater pattern suggests 122 mm rockets from the north-west."


@pytest.fixture
def client(ctx: ServiceContext) -> Iterator[TestClient]:
    with TestClient(create_app(ctx=ctx)) as test_client:
        yield test_client


class Ledger:
    """Watches the ledger: every step must add entries, and these are their tags."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.seen = self._head()

    def _head(self) -> int:
        with self.ctx.reader() as session:
            return (
                session.scalar(select(LedgerEntryRow.seq).order_by(LedgerEntryRow.seq.desc())) or 0
            )

    def new_tags(self) -> list[str]:
        """Tags of the entries since the last call (a member's first key entry aside)."""
        with self.ctx.reader() as session:
            tags = list(
                session.scalars(
                    select(LedgerEntryRow.tag)
                    .where(LedgerEntryRow.seq > self.seen)
                    .order_by(LedgerEntryRow.seq)
                )
            )
        self.seen = self._head()
        return [t for t in tags if t != "ledger:key:added"]


def test_joint_centre_scenario(ctx: ServiceContext, client: TestClient, cli: InProcessCli) -> None:
    cast: Cast = demo_cast(ctx)
    ledger = Ledger(ctx)

    def call(method: str, path: str, who: str | None, body: Any = None, expect: int = 200) -> Any:
        headers = cast.bearer(who) if who else {}
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == expect, (method, path, who, response.text)
        return response.json()

    # 1. A Turkish monitor reports shelling near Aghdam.
    report = call(
        "POST",
        "/api/v1/reports",
        "tur",
        shelling_body(observer_position=OBSERVER_POST, classification="shared"),
        expect=201,
    )
    assert report["observer_position"]["lat"] == OBSERVER_POST["lat"]
    assert ledger.new_tags() == ["intake:report:received"]

    # 2. The report becomes an incident with a shared summary.
    incident = call(
        "POST",
        "/api/v1/incidents",
        "tur",
        {
            "report_ids": [report["id"]],
            "title": "Shelling near Aghdam, 26 November 2020",
            "summary": "Fourteen artillery impacts west of the Joint Monitoring Centre.",
            "classification": "shared",
        },
        expect=201,
    )
    iid = incident["id"]
    assert incident["status"] == "reported"
    assert ledger.new_tags() == ["intake:incident:created"]

    # 3. A joint team investigates, Azerbaijan's representative present.
    call(
        "POST",
        f"/api/v1/incidents/{iid}/tasks",
        "rus",
        {
            "team": ["Maj. Ivan Petrov", "Binbaşı Ayşe Demir"],
            "party_representatives": [
                {"party": "AZE", "present": True},
                {"party": "ARM", "present": False},
            ],
        },
        expect=201,
    )
    assert ledger.new_tags() == ["intake:incident:task-assigned", "intake:incident:status-changed"]

    # 4. The monitors' internal working note.
    call("POST", f"/api/v1/incidents/{iid}/notes", "tur", {"text": NOTE}, expect=201)
    assert ledger.new_tags() == ["intake:incident:noted"]

    # 5. Turkey concurs: verified, attributed to Armenia.
    after_turkey = call(
        "POST",
        f"/api/v1/incidents/{iid}/assessments",
        "tur",
        {
            "stance": "concur",
            "status": "verified",
            "attribution": "attributed(ARM)",
            "rationale": "UAV footage shows the firing positions.",
            "evidence_refs": [report["id"]],
        },
        expect=201,
    )
    assert after_turkey["decision"]["state"] == "pending"  # Russia has not spoken yet
    assert ledger.new_tags() == ["intake:incident:assessed", "intake:incident:decided"]

    # 6. Russia dissents: the unanimity rule is not met, the incident is disputed.
    after_russia = call(
        "POST",
        f"/api/v1/incidents/{iid}/assessments",
        "rus",
        {"stance": "dissent", "rationale": "The origin of fire is not established."},
        expect=201,
    )
    assert after_russia["attribution"] == "disputed"
    assert after_russia["status"] == "under_investigation"
    assert ledger.new_tags() == ["intake:incident:assessed", "intake:incident:decided"]
    views = {a["member_id"]: a for a in call("GET", f"/api/v1/incidents/{iid}/assessments", "rus")}
    assert views["tur"]["stance"] == "concur"
    assert views["tur"]["finding"]["attributed_party"] == "ARM"
    assert views["rus"]["stance"] == "dissent"
    assert all(v["current"] for v in views.values())

    # 7. Armenia's liaison files a reply.
    answer = call(
        "POST",
        f"/api/v1/incidents/{iid}/replies",
        "arm",
        {"text": "Armenian units did not fire on 26 November."},
        expect=201,
    )
    assert answer["party"] == "ARM"
    assert ledger.new_tags() == ["intake:incident:replied"]
    call("POST", f"/api/v1/incidents/{iid}/replies", "fra", {"text": "x"}, expect=403)

    # 8. Azerbaijan's liaison sees the shared incident but not the internal working notes.
    aze_view = client.get(f"/api/v1/incidents/{iid}", headers=cast.bearer("aze"))
    assert aze_view.status_code == 200
    assert aze_view.json()["notes"] == []
    assert aze_view.json()["assessments"] == []
    assert NOTE not in aze_view.text
    call("POST", f"/api/v1/incidents/{iid}/notes", "aze", {"text": "x"}, expect=403)

    # 9. France, an observer, sees the shared summary (and Armenia's reply).
    fra_view = call("GET", f"/api/v1/incidents/{iid}", "fra")
    assert fra_view["summary"] == incident["summary"]
    assert fra_view["attribution"] == "disputed"
    assert [r["party"] for r in fra_view["replies"]] == ["ARM"]
    assert fra_view["notes"] == []

    # 10. The public sees nothing until the incident is public, then a redacted view.
    call("GET", f"/api/v1/incidents/{iid}", None, expect=404)
    assert call("GET", "/api/v1/incidents", None)["items"] == []
    assert ledger.new_tags() == []  # reading changes nothing
    call(
        "POST",
        f"/api/v1/incidents/{iid}/classification",
        "tur",
        {"classification": "public", "reason": "agreed for the monthly public report"},
    )
    assert ledger.new_tags() == ["intake:incident:classified"]
    public = client.get(f"/api/v1/incidents/{iid}")
    assert public.status_code == 200
    body = public.json()
    assert body["attribution"] == "disputed"
    assert body["summary"] == incident["summary"]
    assert "observer_position" not in public.text
    assert str(OBSERVER_POST["lon"]) not in public.text
    assert "Petrov" not in public.text
    assert "Demir" not in public.text  # the reporter and team member
    assert NOTE not in public.text
    listed = call("GET", "/api/v1/incidents", None)["items"]
    assert [i["id"] for i in listed] == [iid]
    assert "observer" not in json.dumps(listed)

    # 11. The whole record verifies, including the intake tables against the ledger.
    verify = cli.text("ledger", "verify", "--json")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    summary = json.loads(verify.stdout)
    assert summary["ok"] is True
    # The intake checker is now two, one per area, each derived from its tags.
    assert {"reports", "incidents"} <= set(summary["state_checks"])
