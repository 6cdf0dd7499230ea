"""The thirteenth audit: alerts, published editions, the ledger's pre-signed route, evidence
uploads, the decision rule and what a party may publish, attacked as one member's staff
would attack another's (docs/security.md, "The thirteenth audit"; both databases).

- A spike alert names the incidents of its last 24 hours; once the monitors made one of them
  internal, an observer still read the alert with the hidden id. It is withheld now, as a
  casualty alert follows its incident.
- A member's own internal edition stayed readable after its role in the agreement ended.
- Evidence files were bounded one by one, not in number: one token could fill the disk.
- Alert subscriptions were unbounded: thousands aimed at a silent webhook held the one
  delivery worker, and every member's alerts, for hours.
- A pre-signed ledger payload (no token: the signature authenticates) could be 10 MiB,
  kept for ever in every member's copy.
- One monitor could set the decision rule alone, making its own view settle disputes.
- A party liaison could file its complaint as public: the centre's open data at once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from ceasefire.access import Classification
from ceasefire.actor import Actor
from ceasefire.alerts import service as alerts
from ceasefire.alerts.model import AlertKind
from ceasefire.alerts.service import MAX_ACTIVE_SUBSCRIPTIONS_PER_USER as MAX_SUBSCRIPTIONS
from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.ledger import service as ledger
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.service import MAX_PRESIGNED_PAYLOAD_BYTES
from ceasefire.members.service import end_role
from ceasefire.publish import service as publishing
from ceasefire.publish.model import Edition, Kind, OutputFormat
from ceasefire.reports.tables import AttachmentRow
from tests.factories.ledger import next_entry
from tests.factories.members import OPERATOR, Cast, demo_cast
from tests.factories.publish import make_day
from tests.factories.reports import COMPLAINT, shelling_body
from tests.integration.test_alerts_service import incident, mail

NOW = datetime(2020, 11, 26, 12, tzinfo=UTC)
AGREEMENT = "nk-2020-trilateral"
DAY = date(2020, 11, 26)


def test_a_spike_alert_follows_the_incidents_it_names(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    mail(ctx, cast.viewer(ctx, "fra"), kinds=[AlertKind.SPIKE])
    for day in range(4, 29, 4):
        incident(ctx, cast, classification=Classification.SHARED, at=NOW - timedelta(days=day))
    recent = [
        incident(ctx, cast, classification=Classification.SHARED, at=NOW - timedelta(hours=h))
        for h in (1, 3, 5, 8, 13)
    ]
    alerts.scan(ctx, NOW)

    def named(member: str) -> list[list[str]]:
        response = client.get("/api/v1/alerts?kind=spike", headers=cast.bearer(member))
        assert response.status_code == 200, response.text
        return [sorted(a["details"]["incident_ids"]) for a in response.json()]

    assert named("fra") == [sorted(recent)]
    turkey = cast.viewer(ctx, "tur")
    incidents.classify(ctx, turkey, recent[0], Classification.INTERNAL, reason="deliberating")
    hidden = client.get(f"/api/v1/incidents/{recent[0]}", headers=cast.bearer("fra"))
    assert hidden.status_code == 404
    assert named("fra") == []


def test_a_members_internal_edition_is_not_read_once_its_role_ended(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    make_day(ctx, cast)
    armenia = cast.viewer(ctx, "arm")
    request = publishing.Request(
        Kind.DAILY, Edition.INTERNAL, "en", OutputFormat.HTML, AGREEMENT, day=DAY
    )
    edition = publishing.generate(ctx, armenia, request).publication
    assert edition.audience == "member:arm"
    content = f"/api/v1/publications/{edition.id}/content"
    response = client.get(content, headers=cast.bearer("arm"))
    assert response.status_code == 200
    assert "Small-arms fire near Lachin" in response.text  # shared with Armenia

    end_role(ctx, OPERATOR, member_id="arm", agreement_id=AGREEMENT)
    assert client.get(content, headers=cast.bearer("arm")).status_code == 404
    listed = client.get("/api/v1/publications", headers=cast.bearer("arm"))
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()] == []


def test_a_members_evidence_files_are_bounded_per_day(settings: Settings) -> None:
    quota_ctx = ServiceContext.from_settings(
        settings.model_copy(update={"attachment_bytes_per_member_per_day": 1000})
    )
    try:
        cast = demo_cast(quota_ctx)
        with TestClient(create_app(ctx=quota_ctx)) as client:
            filed = client.post("/api/v1/reports", json=shelling_body(), headers=cast.bearer("tur"))
            assert filed.status_code == 201, filed.text
            path = f"/api/v1/reports/{filed.json()['id']}/attachments"

            def attach(member: str, data: bytes) -> Response:
                headers = {"Content-Type": "application/octet-stream", **cast.bearer(member)}
                response: Response = client.post(path, content=data, headers=headers)
                return response

            assert attach("tur", b"a" * 600).status_code == 201
            assert attach("tur", b"b" * 600).status_code == 201  # counted before it is read
            refused = attach("tur", b"c" * 600)
            assert refused.status_code == 429, refused.text
            assert refused.json()["error"]["code"] == "E429"
            assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600 + 1
            # Another monitor attaches to the same report: its own member's quota.
            assert attach("rus", b"c" * 600).status_code == 201
            with quota_ctx.reader() as session:
                assert session.scalar(select(func.count()).select_from(AttachmentRow)) == 3
    finally:
        quota_ctx.dispose()


def test_a_users_subscriptions_in_force_are_bounded(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Each subscription to one webhook (a new secret makes it new) queued its own delivery
    of every alert, and the one delivery worker waits ten seconds on a receiver that never
    answers: thousands of them held every member's alerts back for hours."""

    def subscribe(secret: str) -> Response:
        body = {
            "channel": "webhook",
            "target": "https://alerts.example.am/ceasefire",
            "secret": secret,
        }
        response: Response = client.post(
            "/api/v1/alerts/subscriptions", json=body, headers=cast.bearer("arm")
        )
        return response

    made = [subscribe(f"secret-number-{n:04d}").json()["id"] for n in range(MAX_SUBSCRIPTIONS)]
    refused = subscribe("secret-number-over")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["details"][0]["loc"] == "user_id"
    assert subscribe("secret-number-0000").json()["id"] == made[0]  # a retry is answered
    ended = client.delete(f"/api/v1/alerts/subscriptions/{made[0]}", headers=cast.bearer("arm"))
    assert ended.status_code == 200, ended.text
    assert subscribe("secret-number-over").status_code == 201


def test_a_members_pre_signed_payload_is_bounded(client: TestClient, ctx: ServiceContext) -> None:
    """No token is needed to append a pre-signed entry: the signature is the authentication.
    A member holding its own key could append, from one address, 120 signed 10 MiB payloads a
    minute, which no one may ever remove from the chain every member keeps."""
    with ctx.unit_of_work() as session:
        ledger.ensure_centre_key(session, ctx.settings)
    key = SigningKey.generate("arm")
    ledger.add_member_key(ctx, member_id="arm", public_key=key.public_key_hex, actor=Actor.centre())

    def post(payload: dict[str, object]) -> Response:
        entry = next_entry(
            ctx, key, tag="party:statement:made", subject="statement/1", payload=payload
        )
        body = {
            "header": entry.header_bytes.decode(),
            "payload": entry.payload_bytes.decode(),
            "signature": entry.signature,
        }
        response: Response = client.post("/api/v1/ledger/entries", json=body)
        return response

    head = ledger.head(ctx).seq
    refused = post({"text": "x" * MAX_PRESIGNED_PAYLOAD_BYTES})
    assert refused.status_code == 413, refused.text
    assert refused.json()["error"]["details"][0]["loc"] == "payload"
    assert ledger.head(ctx).seq == head
    assert post({"text": "We reject the report of 26 November."}).status_code == 201


def test_one_monitor_cannot_change_how_the_monitors_views_are_weighed(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Russia's monitor alone made itself the only voter (or the presiding member) of the
    agreement's decision rule, so its view settled every incident Turkey disputed. Who
    decides is recorded by the centre once the members agree, as a monitor role is."""
    for rule in (
        {"kind": "unanimity", "voters": ["rus"]},
        {"kind": "presiding_member", "presiding": "rus"},
    ):
        refused = client.put(
            f"/api/v1/decision-rules/{AGREEMENT}", json=rule, headers=cast.bearer("rus")
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "E403"
    assert client.get(f"/api/v1/decision-rules/{AGREEMENT}").json()["kind"] == "unanimity"
    agreed = {"kind": "presiding_member", "presiding": "tur"}
    recorded = incidents.set_decision_rule(ctx, OPERATOR, AGREEMENT, agreed)
    assert recorded.to_dict()["presiding"] == "tur"


def test_a_party_cannot_publish_its_complaint_in_the_centres_name(
    client: TestClient, cast: Cast
) -> None:
    """Azerbaijan's liaison filed its complaint against Armenia as ``public``: at once in the
    public report list and the centre's open data, an allegation no monitor had read."""
    body = shelling_body(**COMPLAINT, alleged_perpetrator="ARM", concerns=["AZE"])
    refused = client.post(
        "/api/v1/reports", json={**body, "classification": "public"}, headers=cast.bearer("aze")
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["details"][0]["loc"] == "classification"
    assert client.get("/api/v1/reports").json()["items"] == []
    filed = client.post("/api/v1/reports", json=body, headers=cast.bearer("aze"))
    assert filed.status_code == 201, filed.text
    assert filed.json()["classification"] == "shared"
