"""Alerts on both backends: what a scan raises (once), who is told (the read rule, a party
liaison never of an internal record), subscriptions and their permissions, deadlines as
amended, spikes, and zone breaches from compliance findings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from ceasefire.access import Classification, Viewer
from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.agreements.model import Evidence
from ceasefire.alerts import service as alerts
from ceasefire.alerts.model import AlertKind
from ceasefire.alerts.schemas import DeliveryChannel, SeverityName, SubscriptionCreate
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from ceasefire.incidents import service as incidents
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import auth
from ceasefire.reports import service as reports
from tests.factories.agreements import NK_ID, shipped_path
from tests.factories.members import OPERATOR, Cast, add_user_with_token
from tests.factories.reports import shelling_body

NOW = datetime(2020, 11, 26, 12, tzinfo=UTC)


def mail(ctx: ServiceContext, viewer: Viewer, **extra: Any) -> str:
    body = SubscriptionCreate(
        channel=DeliveryChannel.EMAIL, target=f"{viewer.user_id}@example.org", **extra
    )
    return alerts.subscribe(ctx, viewer, body).id


def incident(
    ctx: ServiceContext,
    cast: Cast,
    *,
    classification: Classification,
    at: datetime = NOW - timedelta(hours=2),
    **body: Any,
) -> str:
    turkey = cast.viewer(ctx, "tur")
    report = reports.submit_report(
        ctx,
        turkey,
        shelling_body(
            observed={"start": at.isoformat(), "end": at.isoformat(), "precision": "exact"},
            classification=classification.value,
            **body,
        ),
    ).report
    return incidents.create_incident(
        ctx, turkey, report_ids=[report.id], title="Shelling", classification=classification
    ).id


def recipients(ctx: ServiceContext, alert_id: str) -> set[str]:
    """The users an alert queued deliveries for."""
    found = set()
    for sub in alerts.list_subscriptions(ctx, OPERATOR, include_ended=True):
        for delivery in alerts.list_deliveries(ctx, OPERATOR, subscription_id=sub.id):
            if delivery.alert_id == alert_id:
                found.add(sub.user_id)
    return found


def assert_ledger_verifies(ctx: ServiceContext) -> None:
    report = ledger.verify(ctx)
    assert report.ok, [f.message for f in report.findings]


CASUALTIES: dict[str, Any] = {"casualties": {"injured_civilian": 2}}


def test_casualty_alerts_reach_only_those_who_may_read_the_incident(
    ctx: ServiceContext, cast: Cast
) -> None:
    turkey, armenia, france = (cast.viewer(ctx, m) for m in ("tur", "arm", "fra"))
    for viewer in (turkey, armenia, france):
        mail(ctx, viewer)
    internal = incident(ctx, cast, classification=Classification.INTERNAL, **CASUALTIES)
    shared = incident(ctx, cast, classification=Classification.SHARED, **CASUALTIES)
    about_aze = incident(
        ctx,
        cast,
        classification=Classification.SHARED,
        concerns=["AZE"],
        alleged_perpetrator="AZE",
        **CASUALTIES,
    )
    incident(ctx, cast, classification=Classification.SHARED)  # no casualties: no alert

    first = alerts.scan(ctx, datetime.now(UTC))
    by_incident = {a.details["incident_id"]: a for a in first.raised}
    assert set(by_incident) == {internal, shared, about_aze}
    assert {a.kind for a in first.raised} == {AlertKind.CASUALTIES}
    assert by_incident[shared].severity is SeverityName.WARNING  # injured, none killed
    # The party liaison is never told of the internal incident; the observer reads shared
    # records; a liaison only those about its party.
    tur, arm, fra = cast.users["tur"], cast.users["arm"], cast.users["fra"]
    assert recipients(ctx, by_incident[internal].id) == {tur}
    assert recipients(ctx, by_incident[shared].id) == {tur, arm, fra}
    assert recipients(ctx, by_incident[about_aze].id) == {tur, fra}
    # What a liaison may list follows the same rule.
    listed = {a.details["incident_id"] for a in alerts.list_alerts(ctx, armenia)}
    assert listed == {shared}

    again = alerts.scan(ctx, datetime.now(UTC))
    assert again.raised == []
    assert again.skipped == 3
    assert_ledger_verifies(ctx)


def test_a_casualty_alert_states_to_each_reader_only_the_figures_of_reports_it_reads(
    ctx: ServiceContext, cast: Cast
) -> None:
    """As Armenia's liaison: a shared incident about ARM and AZE groups a shared report and
    the monitors' internal one, which alone states deaths. The liaison and the observer
    read the shared report only: an alert telling them "2 killed" (or raised as critical)
    would tell them what the internal report says, as the export's figures never do."""
    turkey = cast.viewer(ctx, "tur")
    for member in ("tur", "arm", "fra"):
        mail(ctx, cast.viewer(ctx, member))
    at = {"start": (NOW - timedelta(hours=2)).isoformat(), "precision": "exact"}
    at["end"] = at["start"]

    def shared_incident(shared_figures: dict[str, int]) -> str:
        filed = [
            reports.submit_report(
                ctx,
                turkey,
                shelling_body(observed=at, classification=kind, casualties=figures),
            ).report.id
            for kind, figures in (
                ("shared", shared_figures),
                ("internal", {"killed_civilian": 2}),
            )
        ]
        return incidents.create_incident(
            ctx, turkey, report_ids=filed, title="Shelling", classification=Classification.SHARED
        ).id

    silent = shared_incident({})
    injured = shared_incident({"injured_military": 3})
    raised = alerts.scan(ctx, datetime.now(UTC)).raised
    tur, arm, fra = cast.users["tur"], cast.users["arm"], cast.users["fra"]
    told: dict[str, list[tuple[str, str, set[str]]]] = {}
    for alert in raised:
        told.setdefault(alert.details["incident_id"], []).append(
            (alert.severity.value, alert.summary, recipients(ctx, alert.id))
        )
    # The deaths only the internal report states: to the monitors alone.
    for incident_id in (silent, injured):
        critical = [t for t in told[incident_id] if t[0] == "critical"]
        assert len(critical) == 1
        assert "2 killed (civilian)" in critical[0][1]
        assert critical[0][2] == {tur}
    # No casualty the readers read: nothing for them.
    assert [t[2] for t in told[silent]] == [{tur}]
    # The injured the shared report states: to every reader, without the deaths.
    (warning,) = [t for t in told[injured] if t[0] == "warning"]
    assert "3 injured (military)" in warning[1]
    assert "killed" not in warning[1]
    assert warning[2] == {tur, arm, fra}
    for alert in alerts.list_alerts(ctx, cast.viewer(ctx, "arm")):
        assert "killed" not in alert.summary
        assert alert.details["casualties"] == {"injured_military": 3}
    assert alerts.scan(ctx, datetime.now(UTC)).raised == []
    assert_ledger_verifies(ctx)


def test_subscriptions_are_managed_by_their_member_or_an_operator(
    ctx: ServiceContext, cast: Cast
) -> None:
    armenia, turkey = cast.viewer(ctx, "arm"), cast.viewer(ctx, "tur")
    own = mail(ctx, armenia, kinds=[AlertKind.SPIKE], min_severity=SeverityName.WARNING)
    with pytest.raises(Forbidden):
        mail(ctx, armenia, user_id=cast.users["tur"])
    with pytest.raises(NotFound):
        mail(ctx, armenia, user_id="nobody")
    for_turkey = mail(ctx, OPERATOR, user_id=cast.users["tur"])
    with pytest.raises(Unauthorized):
        mail(ctx, Viewer.public())
    assert [s.id for s in alerts.list_subscriptions(ctx, armenia)] == [own]
    assert {s.id for s in alerts.list_subscriptions(ctx, OPERATOR)} == {own, for_turkey}
    with pytest.raises(NotFound):  # another member's subscription is as good as absent
        alerts.unsubscribe(ctx, turkey, own)
    ended = alerts.unsubscribe(ctx, armenia, own)
    assert ended.ended_at is not None
    assert alerts.unsubscribe(ctx, armenia, own).ended_at == ended.ended_at
    assert alerts.list_subscriptions(ctx, armenia) == []

    def webhook(target: str, secret: str | None = "s" * 32) -> None:
        body = SubscriptionCreate(channel=DeliveryChannel.WEBHOOK, target=target, secret=secret)
        alerts.subscribe(ctx, armenia, body)

    for bad, field in [
        ("file:///etc/passwd", "target"),
        ("gopher://example.org/", "target"),
        ("https://user:pw@example.org/", "target"),
        ("https://example.org/hook", "secret"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            webhook(bad, None if field == "secret" else "s" * 32)
        assert refused.value.details[0]["loc"] == field
    with pytest.raises(InvalidInput):
        alerts.subscribe(
            ctx, armenia, SubscriptionCreate(channel=DeliveryChannel.EMAIL, target="not an address")
        )
    assert_ledger_verifies(ctx)


def test_a_user_subscribes_no_operator_of_its_member_to_read_as_one(
    ctx: ServiceContext, cast: Cast
) -> None:
    """As Armenia's liaison: a user subscribes another user of its member, and whom an alert
    reaches is judged as that user reads. An operator reads everything, so subscribing the
    member's operator user to one's own address would have every internal alert delivered
    there: an operator's subscriptions are an operator's to make (or its own)."""
    operator_user, token = add_user_with_token(ctx, "arm", "arm-operator", operator=True)
    armenia = cast.viewer(ctx, "arm")
    with pytest.raises(Forbidden):
        mail(ctx, armenia, user_id=operator_user)
    assert alerts.list_subscriptions(ctx, armenia) == []
    internal = incident(ctx, cast, classification=Classification.INTERNAL, **CASUALTIES)
    (raised,) = alerts.scan(ctx, datetime.now(UTC)).raised
    assert raised.details["incident_id"] == internal
    assert recipients(ctx, raised.id) == set()
    # The operator user subscribes itself, and an operator anyone.
    own = mail(ctx, auth.viewer_for_token(ctx, token))
    by_operator = mail(ctx, OPERATOR, user_id=operator_user)
    assert {s.id for s in alerts.list_subscriptions(ctx, OPERATOR)} == {own, by_operator}


def test_private_webhook_addresses_are_refused_unless_the_operator_allows_them(
    ctx: ServiceContext, cast: Cast
) -> None:
    strict = ServiceContext(
        settings=ctx.settings.model_copy(update={"alerts_webhook_allow_private": False}),
        engine=ctx.engine,
    )
    armenia = cast.viewer(ctx, "arm")
    for target in (
        "http://127.0.0.1:8080/",
        "http://10.1.2.3/",
        "http://169.254.169.254/",
        "http://localhost/",
        # IPv6 addresses that carry one of those IPv4 addresses to a translator or a tunnel:
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 (RFC 6052) of the cloud metadata address
        "http://[64:ff9b:1::a00:1]/",  # a local-use NAT64 prefix (RFC 8215)
        "http://[2002:a00:1::1]/",  # 6to4 of 10.0.0.1
        "http://[::7f00:1]/",  # IPv4-compatible loopback (deprecated)
    ):
        with pytest.raises(InvalidInput, match=r"private|this server"):
            alerts.subscribe(
                strict,
                armenia,
                SubscriptionCreate(channel=DeliveryChannel.WEBHOOK, target=target, secret="s" * 20),
            )


def test_a_spike_of_internal_incidents_is_told_to_monitors_only(
    ctx: ServiceContext, cast: Cast
) -> None:
    mail(ctx, cast.viewer(ctx, "tur"), kinds=[AlertKind.SPIKE])
    mail(ctx, cast.viewer(ctx, "arm"), kinds=[AlertKind.SPIKE])
    # One incident every fourth day for four weeks, then five in the last 24 hours.
    for day in range(4, 29, 4):
        incident(ctx, cast, classification=Classification.INTERNAL, at=NOW - timedelta(days=day))
    before = alerts.scan(ctx, NOW - timedelta(days=1))
    assert [a for a in before.raised if a.kind is AlertKind.SPIKE] == []
    for hour in (1, 3, 5, 8, 13):
        incident(ctx, cast, classification=Classification.INTERNAL, at=NOW - timedelta(hours=hour))
    result = alerts.scan(ctx, NOW)
    spikes = [a for a in result.raised if a.kind is AlertKind.SPIKE]
    assert len(spikes) == 1  # the internal count only: no shared or public incidents
    spike = spikes[0]
    assert spike.area == "grid0.25:159:187"
    assert spike.details["count"] == 5
    assert spike.details["method"] == "alerts.spike.negbin.v2"
    assert spike.details["dispersion"] == 1.0  # a steady cell: no more than Poisson
    assert spike.details["p_value"] < 0.001
    assert recipients(ctx, spike.id) == {cast.users["tur"]}
    assert alerts.scan(ctx, NOW + timedelta(hours=1)).raised == []  # once a day


def kalbajar_unfulfilled() -> str:
    """The shipped statement without Kalbajar's recorded handover."""
    text = shipped_path(NK_ID).read_text(encoding="utf-8")
    block = re.compile(
        r"        status_changes:\n          - status: fulfilled\n(?:            .*\n|"
        r"              .*\n)*?            note: Handover of Kalbajar district completed on "
        r"25 November 2020\.\n"
    )
    stripped, count = block.subn("", text)
    assert count == 1
    return stripped


def deadline_alerts(ctx: ServiceContext, now: datetime) -> list[tuple[AlertKind, str]]:
    return [
        (a.kind, a.period)
        for a in alerts.scan(ctx, now).raised
        if a.subject == f"provision/{NK_ID}/p6-kalbajar"
    ]


def test_kalbajar_deadline_alerts_follow_the_amended_deadline(
    ctx: ServiceContext, cast: Cast
) -> None:
    agreements.load_text(ctx, kalbajar_unfulfilled(), source_name="nk.yaml", actor=Actor.centre())
    mail(ctx, cast.viewer(ctx, "arm"), kinds=[AlertKind.DEADLINE_DUE, AlertKind.DEADLINE_OVERDUE])
    # Due 15 November, amended on the 15th to the 25th: nothing on the 20th.
    assert deadline_alerts(ctx, datetime(2020, 11, 20, 12, tzinfo=UTC)) == []
    assert deadline_alerts(ctx, datetime(2020, 11, 23, 12, tzinfo=UTC)) == [
        (AlertKind.DEADLINE_DUE, "2020-11-25")
    ]
    overdue = datetime(2020, 11, 26, 12, tzinfo=UTC)
    assert deadline_alerts(ctx, overdue) == [(AlertKind.DEADLINE_OVERDUE, "2020-11-25")]
    assert deadline_alerts(ctx, overdue) == []
    # The handover recorded on 25 November: no longer overdue on the 26th.
    agreements.record_provision_status(
        ctx,
        Viewer.cli_operator(),
        NK_ID,
        "p6-kalbajar",
        status="fulfilled",
        at=datetime(2020, 11, 25, 8, tzinfo=UTC),
        evidence=[Evidence(source="azerbaijan-mod")],
    )
    candidates = alerts.deadline_candidates(ctx, overdue, timedelta(days=3))
    assert [c for c in candidates if (c.details or {}).get("provision") == "p6-kalbajar"] == []
    with ctx.reader() as session:
        told = session.scalars(
            select(LedgerEntryRow.tag).where(LedgerEntryRow.tag == "alerts:alert:raised")
        ).all()
    assert len(told) >= 2
    assert_ledger_verifies(ctx)


def test_a_spike_is_told_once_per_subscriber_from_the_widest_count_it_may_read(
    ctx: ServiceContext, cast: Cast
) -> None:
    for member in ("tur", "arm", "aze"):
        mail(ctx, cast.viewer(ctx, member), kinds=[AlertKind.SPIKE])
    for day in (3, 9, 15, 21):
        incident(ctx, cast, classification=Classification.INTERNAL, at=NOW - timedelta(days=day))
    for hour in (2, 4, 6, 9):
        incident(ctx, cast, classification=Classification.SHARED, at=NOW - timedelta(hours=hour))
    incident(
        ctx,
        cast,
        classification=Classification.SHARED,
        at=NOW - timedelta(hours=11),
        concerns=["ARM"],
        alleged_perpetrator="ARM",
    )
    raised = [a for a in alerts.scan(ctx, NOW).raised if a.kind is AlertKind.SPIKE]
    # Over every incident (an internal alert) and over the shared ones: both are spikes of 5.
    assert [a.details["count"] for a in raised] == [5, 5]
    by_class = {
        a.classification: a for a in alerts.list_alerts(ctx, OPERATOR, kind=AlertKind.SPIKE)
    }
    assert set(by_class) == {"internal", "shared"}
    # The monitor hears of the count over every incident only; Armenia's liaison may read
    # every shared incident counted (all concern ARM), Azerbaijan's not the last one.
    assert recipients(ctx, by_class["internal"].id) == {cast.users["tur"]}
    assert recipients(ctx, by_class["shared"].id) == {cast.users["arm"]}


def test_a_shared_spike_is_not_told_to_a_liaison_whose_baseline_it_may_not_read(
    ctx: ServiceContext, cast: Cast
) -> None:
    """The shared count's expected value and dispersion come from its baseline too: a
    liaison may read the alert only if it may read every shared incident counted, those of
    the baseline included (Armenia may not read the ones shared with Azerbaijan only)."""
    for member in ("arm", "aze"):
        mail(ctx, cast.viewer(ctx, member), kinds=[AlertKind.SPIKE])
    for day in range(4, 29, 4):
        incident(
            ctx,
            cast,
            classification=Classification.SHARED,
            at=NOW - timedelta(days=day),
            concerns=["AZE"],
            alleged_perpetrator="AZE",
        )
    for hour in (1, 3, 5, 8, 13):
        incident(ctx, cast, classification=Classification.SHARED, at=NOW - timedelta(hours=hour))
    raised = [a for a in alerts.scan(ctx, NOW).raised if a.kind is AlertKind.SPIKE]
    shared = [a for a in raised if a.classification == "shared"]
    assert len(shared) == 1
    assert recipients(ctx, shared[0].id) == {cast.users["aze"]}
    assert alerts.list_alerts(ctx, cast.viewer(ctx, "arm"), kind=AlertKind.SPIKE) == []
