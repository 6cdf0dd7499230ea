"""Alerts: scanning for what is worth telling, subscriptions, and the delivery outbox.

- ``scan(ctx, now)`` looks for the conditions of every kind — a new incident with
  casualties, a deadline due within N days or overdue, a spike of incidents in a grid cell —
  and raises each once (its ``dedup_key``: kind, subject, period and audience), and the
  zone breaches of the compliance findings still standing. Raising an alert queues one delivery per
  subscription that asked for it *and may read the record*, in the same transaction, and is
  one ledger entry.
- ``deliver_due(ctx, now)`` is the worker: it claims due deliveries in one short
  transaction, sends them with no transaction open (a slow receiver never holds the write
  lock, so intake is never blocked), and records each outcome in its own transaction:
  succeeded, or failed with the next attempt per the retry policy, or dead-lettered after
  the last. A process that dies between sending and recording leaves the delivery claimed;
  its claim lapses and it is sent again (at least once: receivers deduplicate by the
  ``X-Ceasefire-Delivery`` id).

Who may do what: a member's user manages its own member's subscriptions (for itself or a
user of its member); an operator manages all. Who is told: ``model.wants``'s filters and
the record's read rule (``members.scope.ReadScope``, the rule every read of incidents
applies), as of the moment the alert is raised — a party liaison is never told about an
internal record.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.orm import Session

from ceasefire.access import Classification, Viewer
from ceasefire.actor import Actor
from ceasefire.alerts.events import (
    AlertRaised,
    AlertTag,
    DeliveryFinished,
    QueuedDelivery,
    Subscribed,
    Unsubscribed,
)
from ceasefire.alerts.model import (
    DEFAULT_RETRY,
    SIGNATURE_HEADER,
    Alert,
    AlertCandidate,
    AlertKind,
    RetryPolicy,
    Severity,
    Subscription,
    casualty_severity,
    daily_counts,
    describe_casualties,
    grid_area,
    grid_size,
    pooled_dispersion,
    sign_webhook,
    spike_test,
    wants,
)
from ceasefire.alerts.schemas import (
    AlertPublic,
    AttemptPublic,
    DeliveryChannel,
    DeliveryPublic,
    DeliveryRun,
    DeliveryState,
    ScanResult,
    SeverityName,
    SubscriptionCreate,
    SubscriptionPublic,
)
from ceasefire.alerts.tables import AlertRow, DeliveryAttemptRow, DeliveryRow, SubscriptionRow
from ceasefire.alerts.transport import (
    Outcome,
    Resolver,
    SmtpSettings,
    check_email_address,
    check_webhook_url,
    post_webhook,
    resolve,
    send_mail,
)
from ceasefire.alerts.wording import alert_summary, mail_text
from ceasefire.compliance import service as compliance_service
from ceasefire.compliance.model import DeadlineStatus, Finding, FindingLevel
from ceasefire.compliance.schemas import DeadlineStatePublic
from ceasefire.config import Settings
from ceasefire.db.base import shape_of
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized, problem
from ceasefire.i18n.markers import N_
from ceasefire.ids import new_id
from ceasefire.incidents.service import (
    IncidentAlertFacts,
    alert_facts_of,
    incident_alert_facts,
    incidents_observed_since,
    incidents_with_casualties,
    readable_incidents,
)
from ceasefire.ledger.entry import text_sha256
from ceasefire.ledger.service import add_ledgered, append
from ceasefire.members.auth import user_is_operator, user_member, user_viewer
from ceasefire.members.scope import ReadScope, concerns_list, concerns_text, first_kept
from ceasefire.timeutil import ensure_utc, utcnow

log = logging.getLogger(__name__)

CASUALTY_LOOKBACK = timedelta(days=2)
"""A scan looks at incidents created or changed this long before ``now``: a worker that was
down for a day still raises what it missed."""
SPIKE_MAX_PRECISION = 2
"""Incidents located more coarsely than "near a place" (a district, a region) are not counted
in a grid cell: their point is an area's centre, not where they happened."""
DELIVERY_BATCH = 100
MAX_ACTIVE_SUBSCRIPTIONS_PER_USER = 20
"""Subscriptions in force one user may hold (its kinds and areas are lists within one).
Unbounded, a member's token could make thousands aimed at one webhook: every alert then
queued as many deliveries to it, and a receiver that never answers held the one delivery
worker ten seconds each, delaying every other member's alerts by hours."""

_SEVERITY_NAMES = {s: SeverityName(s.name.lower()) for s in Severity}
_SEVERITIES = {v: k for k, v in _SEVERITY_NAMES.items()}


# ------------------------------------------------------------------- subscriptions


def _subscription_public(row: SubscriptionRow) -> SubscriptionPublic:
    return shape_of(
        SubscriptionPublic,
        row,
        has_secret=row.secret is not None,
        min_severity=_SEVERITY_NAMES[Severity(row.min_severity)],
    )


def _check_target(body: SubscriptionCreate, settings: Settings) -> tuple[str, str | None]:
    if body.channel is DeliveryChannel.WEBHOOK:
        check_webhook_url(body.target, allow_private=settings.alerts_webhook_allow_private)
        if body.secret is None:
            raise InvalidInput.worded(
                N_("a webhook needs a secret to sign its deliveries"),
                details=[problem("secret", N_("required for a webhook (16 characters or more)"))],
            )
        return body.target, body.secret
    if body.secret is not None:
        raise InvalidInput.worded(
            N_("an e-mail subscription has no secret"), details=[problem("secret", N_("remove it"))]
        )
    return check_email_address(body.target), None


def _check_areas(areas: Sequence[str]) -> list[str]:
    problems = [
        problem(f"areas.{i}", N_("1 to 64 characters, no spaces"))
        for i, area in enumerate(areas)
        if not area or len(area) > 64 or any(c.isspace() for c in area)
    ]
    if problems:
        raise InvalidInput.worded(N_("invalid area"), details=problems)
    return sorted(set(areas))


def subscribe(ctx: ServiceContext, viewer: Viewer, body: SubscriptionCreate) -> SubscriptionPublic:
    """Subscribe a user (the caller by default) to alerts. A member's user subscribes
    users of its own member only; an operator anyone."""
    if viewer.is_public:
        raise Unauthorized.worded(N_("sign in to subscribe to alerts"))
    user_id = body.user_id or viewer.user_id
    if user_id is None:
        raise InvalidInput.worded(
            N_("whom is it for?"), details=[problem("user_id", N_("required"))]
        )
    target, secret = _check_target(body, ctx.settings)
    areas = _check_areas(body.areas)
    actor = _actor(viewer)
    with ctx.unit_of_work() as session:
        member_id = user_member(session, user_id)
        if member_id is None or not (viewer.operator or member_id == viewer.member_id):
            if viewer.operator or member_id is None:
                raise NotFound.unknown(
                    N_("no user %(id)s"), user_id, field="user_id", reason=N_("unknown")
                )
            raise Forbidden.worded(N_("a member manages the subscriptions of its own users only"))
        if not viewer.operator and user_id != viewer.user_id and user_is_operator(session, user_id):
            # Who is told is judged as the subscribed user reads: an operator reads everything.
            raise Forbidden.worded(
                N_("an operator's subscriptions are made by an operator or by that user"),
                details=[problem("user_id", N_("an operator user"))],
            )
        kinds = sorted({k.value for k in body.kinds})
        min_severity = int(_SEVERITIES[body.min_severity])
        same = session.scalars(
            select(SubscriptionRow).where(
                SubscriptionRow.user_id == user_id,
                SubscriptionRow.channel == body.channel.value,
                SubscriptionRow.target == target,
                SubscriptionRow.min_severity == min_severity,
                SubscriptionRow.ended_at.is_(None),
            )
        )
        for existing in same:
            if (existing.kinds, existing.areas, existing.secret, existing.lang) == (
                kinds,
                areas,
                secret,
                body.lang.value,
            ):
                # A retry (the answer to the first was lost): the subscription already in
                # force, not a second one that would deliver every alert twice.
                return _subscription_public(existing)
        _check_room(session, user_id)
        row = SubscriptionRow(
            id=new_id("sub"),
            member_id=member_id,
            user_id=user_id,
            kinds=kinds,
            areas=areas,
            min_severity=min_severity,
            channel=body.channel.value,
            lang=body.lang.value,
            target=target,
            secret=secret,
            created_at=utcnow(),
            created_by=actor.member_id,
            ended_at=None,
        )
        add_ledgered(
            session,
            ctx.settings,
            row,
            tag=AlertTag.SUBSCRIBED,
            subject=f"alert-subscription/{row.id}",
            payload=Subscribed(
                {
                    "subscription_id": row.id,
                    "member_id": row.member_id,
                    "user_id": row.user_id,
                    "kinds": row.kinds,
                    "areas": row.areas,
                    "min_severity": row.min_severity,
                    "channel": row.channel,
                    "lang": row.lang,
                    "target_sha256": text_sha256(row.target),
                }
            ),
            actor=actor,
        )
        return _subscription_public(row)


def _check_room(session: Session, user_id: str) -> None:
    """Refuse a new subscription for a user holding :data:`MAX_ACTIVE_SUBSCRIPTIONS_PER_USER`
    in force (409 naming ``user_id``): end one first."""
    active = (
        session.scalar(
            select(func.count())
            .select_from(SubscriptionRow)
            .where(SubscriptionRow.user_id == user_id, SubscriptionRow.ended_at.is_(None))
        )
        or 0
    )
    if active >= MAX_ACTIVE_SUBSCRIPTIONS_PER_USER:
        raise Conflict.worded(
            N_("user %(user_id)s holds %(count)s subscriptions in force: end one first"),
            details=[
                problem(
                    "user_id",
                    N_("at most %(count)s subscriptions in force"),
                    count=MAX_ACTIVE_SUBSCRIPTIONS_PER_USER,
                )
            ],
            user_id=repr(user_id),
            count=active,
        )


def _actor(viewer: Viewer) -> Actor:
    if viewer.member_id is None:
        return Actor.centre(viewer.user_id or "operator")
    return Actor(member_id=viewer.member_id, user_id=viewer.user_id)


def _own_subscription(session: Session, viewer: Viewer, subscription_id: str) -> SubscriptionRow:
    row = session.get(SubscriptionRow, subscription_id)
    # Another member's subscription is as absent as an unknown one.
    if row is None or not (viewer.operator or row.member_id == viewer.member_id):
        raise NotFound.worded(N_("no subscription %(id)s"), id=repr(subscription_id))
    return row


def list_subscriptions(
    ctx: ServiceContext, viewer: Viewer, *, include_ended: bool = False
) -> list[SubscriptionPublic]:
    """The caller's member's subscriptions (an operator: everyone's), oldest first."""
    if viewer.is_public:
        raise Unauthorized.worded(N_("sign in to list subscriptions"))
    with ctx.reader() as session:
        query = select(SubscriptionRow).order_by(SubscriptionRow.id)
        if not viewer.operator:
            query = query.where(SubscriptionRow.member_id == viewer.member_id)
        if not include_ended:
            query = query.where(SubscriptionRow.ended_at.is_(None))
        return [_subscription_public(row) for row in session.scalars(query)]


def unsubscribe(ctx: ServiceContext, viewer: Viewer, subscription_id: str) -> SubscriptionPublic:
    """End a subscription (kept, with its deliveries; ending it twice changes nothing).
    Deliveries still pending are dead-lettered when the worker reaches them."""
    if viewer.is_public:
        raise Unauthorized.worded(N_("sign in to manage subscriptions"))
    actor = _actor(viewer)
    with ctx.unit_of_work() as session:
        row = _own_subscription(session, viewer, subscription_id)
        if row.ended_at is None:
            row.ended_at = utcnow()
            append(
                session,
                ctx.settings,
                tag=AlertTag.UNSUBSCRIBED,
                subject=f"alert-subscription/{row.id}",
                payload=Unsubscribed(
                    {"subscription_id": row.id, "ended_at": row.ended_at.isoformat()}
                ),
                actor=actor,
            )
        return _subscription_public(row)


# -------------------------------------------------------------------------- alerts


def _alert_public(row: AlertRow) -> AlertPublic:
    details = row.details
    if row.kind in _DEADLINE_KINDS:
        details = deadline_details(details)  # an alert raised before the eighteenth audit
    return shape_of(
        AlertPublic, row, severity=_SEVERITY_NAMES[Severity(row.severity)], details=details
    )


@dataclass
class _Audience:
    """The active subscriptions and who each one reads as, resolved once per scan."""

    session: Session
    subscriptions: list[SubscriptionRow]
    scopes: dict[str, ReadScope | None]

    @classmethod
    def load(cls, session: Session) -> _Audience:
        rows = list(
            session.scalars(
                select(SubscriptionRow)
                .where(SubscriptionRow.ended_at.is_(None))
                .order_by(SubscriptionRow.id)
            )
        )
        return cls(session, rows, {})

    def scope(self, row: SubscriptionRow) -> ReadScope | None:
        if row.user_id not in self.scopes:
            viewer = user_viewer(self.session, row.user_id)
            # Permissions as of the moment of telling, whatever period the alert is about.
            scope = ReadScope.load(self.session, viewer) if viewer is not None else None
            self.scopes[row.user_id] = scope
        scope = self.scopes[row.user_id]
        # A user moved to another member no longer reads for the one that subscribed it.
        if scope is not None and scope.viewer.member_id != row.member_id:
            return None
        return scope

    def recipients(self, candidate: AlertCandidate) -> list[SubscriptionRow]:
        """The subscriptions that asked for the alert and may read what it is about, less
        those already told of its topic (the same spike counted for a wider audience)."""
        alert = candidate.alert
        chosen = []
        for row in self.subscriptions:
            scope = self.scope(row)
            if scope is None:
                continue
            wish = Subscription(
                scope.viewer,
                kinds=frozenset(AlertKind(k) for k in row.kinds),
                areas=frozenset(row.areas),
                min_severity=Severity(row.min_severity),
            )
            if not wants(wish, alert):
                continue
            if not scope.can_read(
                alert.classification,
                concerns=alert.concerns,
                owner_member=candidate.owner_member,
                agreement_id=candidate.agreement_id,
            ):
                continue
            told = self.session.scalar(
                select(
                    exists().where(
                        DeliveryRow.subscription_id == row.id,
                        DeliveryRow.alert_id == AlertRow.id,
                        AlertRow.topic == candidate.topic,
                    )
                )
            )
            if not told:
                chosen.append(row)
        return chosen


def _raise(
    session: Session,
    settings: Settings,
    audience: _Audience,
    candidate: AlertCandidate,
    now: datetime,
) -> tuple[AlertRow, int] | None:
    """Store ``candidate`` unless its condition was alerted already, queue its deliveries,
    ledger it; the row and the number of deliveries queued."""
    key = candidate.dedup_key
    if session.scalar(select(AlertRow.id).where(AlertRow.dedup_key == key)) is not None:
        return None
    alert = candidate.alert
    row = AlertRow(
        id=new_id("alr"),
        kind=alert.kind.value,
        severity=int(alert.severity),
        subject=alert.subject,
        dedup_key=key,
        topic=candidate.topic,
        period=candidate.period,
        agreement_id=candidate.agreement_id,
        classification=alert.classification.value,
        concerns=concerns_text(alert.concerns),
        owner_member=candidate.owner_member,
        area=alert.area,
        summary=alert.summary,
        details=dict(candidate.details or {}),
        raised_at=now,
    )
    session.add(row)
    session.flush()
    queued: list[QueuedDelivery] = []
    for subscription in audience.recipients(candidate):
        delivery = DeliveryRow(
            id=new_id("dlv"),
            alert_id=row.id,
            subscription_id=subscription.id,
            channel=subscription.channel,
            state=DeliveryState.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            claimed_until=None,
            claim=None,
            created_at=now,
            finished_at=None,
            last_error=None,
        )
        session.add(delivery)
        queued.append({"delivery_id": delivery.id, "subscription_id": subscription.id})
    session.flush()
    append(
        session,
        settings,
        tag=AlertTag.RAISED,
        subject=f"alert/{row.id}",
        payload=AlertRaised(
            {
                "alert_id": row.id,
                "kind": row.kind,
                "severity": row.severity,
                "subject": row.subject,
                "dedup_key": row.dedup_key,
                "classification": row.classification,
                "summary_sha256": text_sha256(row.summary),
                "deliveries": queued,
            }
        ),
        actor=Actor.centre("alerts"),
    )
    return row, len(queued)


def _raise_all(
    ctx: ServiceContext, candidates: Sequence[AlertCandidate], now: datetime
) -> ScanResult:
    """Raise every candidate in one unit of work; a scan racing another on PostgreSQL (both
    saw a condition as new) retries once and then sees the other's alerts.

    Conditions alerted before are set aside first, in a read: a scan that finds nothing new
    (the usual minute) takes no write lock at all."""
    with ctx.reader() as session:
        keys = [c.dedup_key for c in candidates]
        known: set[str] = set()
        for start in range(0, len(keys), 500):
            known.update(
                session.scalars(
                    select(AlertRow.dedup_key).where(
                        AlertRow.dedup_key.in_(keys[start : start + 500])
                    )
                )
            )
    fresh = [c for c in candidates if c.dedup_key not in known]
    if not fresh:
        return ScanResult(now=now, raised=[], deliveries_queued=0, skipped=len(candidates))
    for attempt in (1, 2):
        try:
            with ctx.unit_of_work() as session:
                audience = _Audience.load(session)
                raised: list[AlertPublic] = []
                queued = 0
                skipped = len(candidates) - len(fresh)
                for candidate in fresh:
                    done = _raise(session, ctx.settings, audience, candidate, now)
                    if done is None:
                        skipped += 1
                        continue
                    raised.append(_alert_public(done[0]))
                    queued += done[1]
                return ScanResult(now=now, raised=raised, deliveries_queued=queued, skipped=skipped)
        except SqlIntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _order(candidates: Iterable[AlertCandidate]) -> list[AlertCandidate]:
    """The widest audience of a topic first: a monitor is told of the spike counted over
    every incident, not of the one over the shared incidents only."""
    rank = {None: 0, "all": 0, "monitors": 0, "shared": 1, "public": 2}
    return sorted(candidates, key=lambda c: rank.get(c.audience, 3))


# ----------------------------------------------------------------------------- kinds


def casualty_candidates(session: Session, now: datetime) -> list[AlertCandidate]:
    """A new (or newly changed) incident whose reports state casualties: one alert per
    incident and severity (deaths reported later raise it again, as critical).

    The alert to the incident's readers states the figures of the reports *every* one of
    them reads; where the other reports (an internal one in a shared incident, one not
    concerning every party) state more, the monitors get their own, internal alert of all
    the figures (audience ``monitors``, told first): a liaison or an observer is never told
    what only a report it may not read says, as the exports' figures never tell it."""
    found = []
    for facts in incidents_with_casualties(session, now - CASUALTY_LOOKBACK):
        if facts.updated_at > now:
            continue
        every = facts.casualties or {}
        read = facts.casualties_read_by_all or {}
        if read != every:
            found.append(_casualty_candidate(facts, every, Classification.INTERNAL, "monitors"))
        if read:
            found.append(_casualty_candidate(facts, read, Classification(facts.classification)))
    return found


def _casualty_candidate(
    facts: IncidentAlertFacts,
    figures: dict[str, int],
    classification: Classification,
    audience: str | None = None,
) -> AlertCandidate:
    severity = casualty_severity(figures)
    return AlertCandidate(
        Alert(
            AlertKind.CASUALTIES,
            severity,
            f"incident/{facts.id}",
            classification,
            concerns=tuple(concerns_list(facts.concerns)),
            area=_cell(facts, 0.25),
            summary=f"Incident {facts.id} ({facts.category}): {describe_casualties(figures)}",
        ),
        period=severity.name.lower(),
        agreement_id=facts.agreement_id,
        owner_member=facts.owner_member,
        details={
            "incident_id": facts.id,
            "category": facts.category,
            "casualties": figures,
            "observed_start": facts.observed_start.isoformat(),
        },
        audience=audience,
    )


def _cell(facts: IncidentAlertFacts, cell_deg: float) -> str | None:
    if facts.lat is None or facts.lon is None or facts.precision > SPIKE_MAX_PRECISION:
        return None
    return grid_area(facts.lat, facts.lon, cell_deg)


def spike_candidates(session: Session, now: datetime, settings: Settings) -> list[AlertCandidate]:
    """Grid cells whose last 24 hours are a spike against their trailing baseline
    (``alerts.spike.negbin.v2``), counted three times: over every incident (told to those
    who read internal records), over the shared and public ones, over the public ones; each
    cell's dispersion is shrunk toward the one pooled over the cells of its count."""
    days = settings.alerts_spike_baseline_days
    since = now - timedelta(days=days + 1)
    cells: dict[tuple[str | None, str], list[IncidentAlertFacts]] = defaultdict(list)
    for facts in incidents_observed_since(session, since):
        cell = _cell(facts, settings.alerts_spike_cell_deg)
        if cell is not None and facts.observed_start <= now:
            cells[(facts.agreement_id, cell)].append(facts)
    audiences: list[tuple[str, frozenset[str], Classification]] = [
        ("all", frozenset(c.value for c in Classification), Classification.INTERNAL),
        ("shared", frozenset({"shared", "public"}), Classification.SHARED),
        ("public", frozenset({"public"}), Classification.PUBLIC),
    ]
    found = []
    period = now.date().isoformat()
    for audience, classifications, classification in audiences:
        by_cell = []
        for (agreement_id, cell), incidents in sorted(cells.items(), key=lambda kv: str(kv[0])):
            counted = [f for f in incidents if f.classification in classifications]
            count, baseline = daily_counts(
                (f.observed_start for f in counted), now, baseline_days=days
            )
            by_cell.append((agreement_id, cell, counted, count, baseline))
        # Each cell's dispersion leans on the one pooled over the cells counted alike.
        pooled = pooled_dispersion(baseline for *_, baseline in by_cell)
        for agreement_id, cell, counted, count, baseline in by_cell:
            result = spike_test(
                cell,
                count,
                baseline,
                alpha=settings.alerts_spike_alpha,
                min_count=settings.alerts_spike_min_count,
                pooled=pooled,
            )
            if not result.alert:
                continue
            recent = [f for f in counted if now - f.observed_start < timedelta(days=1)]
            # A liaison may read a spike over shared incidents only if it may read every
            # one of them: the parties they all concern. Every one counted, the baseline's
            # too: the expected count and the dispersion are made of them.
            concerns: set[str] | None = None
            for f in counted:
                if f.classification == Classification.SHARED.value:
                    parties = set(concerns_list(f.concerns))
                    concerns = parties if concerns is None else concerns & parties
            found.append(
                AlertCandidate(
                    Alert(
                        AlertKind.SPIKE,
                        Severity.WARNING,
                        f"area/{agreement_id or '-'}/{cell}",
                        classification,
                        concerns=tuple(sorted(concerns or ())),
                        area=cell,
                        summary=(
                            f"{count} incidents in {cell} in the 24 hours to {now.isoformat()}; "
                            f"{result.expected:.1f} expected (p = {result.p_value:.2g})"
                        ),
                    ),
                    period=period,
                    agreement_id=agreement_id,
                    details={**result.to_dict(), "incident_ids": [f.id for f in recent]},
                    audience=audience,
                )
            )
    return found


def deadline_candidates(
    ctx: ServiceContext, now: datetime, due_within: timedelta
) -> list[AlertCandidate]:
    """One alert per provision and due date when it comes due (within ``due_within``) and
    one when it is overdue; an amended deadline is a new due date. Agreements and their
    deadlines are public records, and so are these alerts.

    The one place alerts learn of deadlines: the compliance area's ``deadline_overdue``
    rules, as its service evaluates them (the deadlines as amended by then, fulfilment as
    recorded), read as the public reads them."""
    found = []
    public = Viewer.public()
    for group in compliance_service.deadline_states(ctx, now, reader=public, due_within=due_within):
        agreement_id = group.agreement_id
        for state in (*group.overdue, *group.due):
            found.append(_deadline_candidate(agreement_id, state))
    return found


AMENDMENT_FACTS = ("previous", "due", "decided", "requested_by", "decided_by")
"""What a deadline alert's ``details`` keep of each amendment: its dates and parties (of
``decided``, the instant: :data:`DECIDED_FACTS`). Its reason, instrument, evidence and the
note on its decision may cite a record by id, and an alert is kept, listed and sent as
raised: a record cited then may be made internal later. The agreement's routes show the
amendment whole, as each reader may read it."""

DECIDED_FACTS = ("at", "local", "time_zone", "precision")

_DEADLINE_KINDS = frozenset({AlertKind.DEADLINE_DUE.value, AlertKind.DEADLINE_OVERDUE.value})


def deadline_details(details: dict[str, Any]) -> dict[str, Any]:
    """A deadline alert's ``details`` with each amendment's :data:`AMENDMENT_FACTS` only: as
    it is raised, and as every alert is shown and sent (those raised before the eighteenth
    audit kept the amendments whole)."""
    amendments = details.get("amendments")
    if not isinstance(amendments, list):
        return details
    kept = []
    for amendment in amendments:
        if isinstance(amendment, dict):
            facts = {key: amendment.get(key) for key in AMENDMENT_FACTS}
            decided = facts["decided"]
            if isinstance(decided, dict):
                facts["decided"] = {key: decided[key] for key in DECIDED_FACTS if key in decided}
            kept.append(facts)
    return {**details, "amendments": kept}


def _deadline_candidate(agreement_id: str, state: DeadlineStatePublic) -> AlertCandidate:
    overdue = state.status is DeadlineStatus.OVERDUE
    details = deadline_details(state.model_dump(mode="json"))
    return AlertCandidate(
        Alert(
            AlertKind.DEADLINE_OVERDUE if overdue else AlertKind.DEADLINE_DUE,
            Severity.CRITICAL if overdue else Severity.WARNING,
            f"provision/{agreement_id}/{state.provision}",
            Classification.PUBLIC,
            summary=(
                f"{state.number} ({agreement_id}) "
                f"{'is overdue' if overdue else 'falls due'}: {'; '.join(state.reasons)}"
            ),
        ),
        period=state.due,
        agreement_id=agreement_id,
        details={**details, "agreement_id": agreement_id},
    )


def scan(
    ctx: ServiceContext,
    now: datetime | None = None,
    *,
    due_within: timedelta | None = None,
) -> ScanResult:
    """Raise every alert whose condition holds at ``now`` (default: the present) and was not
    raised before; queue its deliveries. Running it twice raises nothing new."""
    now = ensure_utc(now) if now is not None else utcnow()
    if due_within is None:
        due_within = timedelta(days=ctx.settings.alerts_due_within_days)
    candidates = deadline_candidates(ctx, now, due_within)
    with ctx.reader() as session:
        candidates += casualty_candidates(session, now)
        candidates += spike_candidates(session, now, ctx.settings)
        candidates += breach_candidates(session, now)
    return _raise_all(ctx, _order(candidates), now)


def breach_candidate(
    finding: Finding, facts: IncidentAlertFacts, *, monitors_only: bool = False
) -> AlertCandidate:
    """The zone-breach alert of a compliance finding about the incident ``facts`` describe:
    once per incident, rule, zone and level (a possible breach later confirmed is raised
    again, as critical), as readable as the incident; internal (``monitors_only``) when the
    finding rests on a report not every reader of the incident reads
    (``compliance.service.shown_to_every_reader``): its party and reasons say what that
    report alleges."""
    breach = finding.level is FindingLevel.BREACH
    return AlertCandidate(
        Alert(
            AlertKind.ZONE_BREACH,
            Severity.CRITICAL if breach else Severity.WARNING,
            f"incident/{facts.id}/{finding.rule_id}/{finding.zone or '-'}",
            Classification.INTERNAL if monitors_only else Classification(facts.classification),
            concerns=tuple(concerns_list(facts.concerns)),
            area=finding.zone,
            summary=(
                f"{'Breach' if breach else 'Possible breach'} of {finding.provision}"
                f"{' in ' + finding.zone if finding.zone else ''} by incident {facts.id}: "
                f"{'; '.join(finding.reasons)}"
            ),
        ),
        period=finding.level.value,
        agreement_id=facts.agreement_id,
        owner_member=facts.owner_member,
        details={
            "incident_id": facts.id,
            "rule_id": finding.rule_id,
            "rule": finding.rule,
            "level": finding.level.value,
            "provision": finding.provision,
            "zone": finding.zone,
            "party": finding.party,
            "reasons": list(finding.reasons),
        },
    )


def breach_candidates(session: Session, now: datetime) -> list[AlertCandidate]:
    """The zone-breach alerts of the compliance findings recorded in the look-back window
    and still standing (the compliance area evaluates every incident as it changes)."""
    found = []
    for finding in compliance_service.findings_since(session, now - CASUALTY_LOOKBACK, now):
        if finding.incident is None:
            continue
        facts = incident_alert_facts(session, finding.incident)
        if facts is not None:
            internal = not compliance_service.shown_to_every_reader(session, finding.incident)
            found.append(breach_candidate(finding, facts, monitors_only=internal))
    return found


def list_alerts(
    ctx: ServiceContext, viewer: Viewer, *, limit: int = 50, kind: AlertKind | None = None
) -> list[AlertPublic]:
    """Recent alerts the caller may read (by the read rule of the record each is about)."""
    limit = max(1, min(limit, 500))
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        query = select(AlertRow).where(scope.clause(AlertRow)).order_by(AlertRow.id.desc())
        if kind is not None:
            query = query.where(AlertRow.kind == kind.value)
        kept = first_kept(session, query, lambda rows: readable_alerts(session, scope, rows), limit)
        return [_alert_public(row) for row in kept]


def readable_alerts(session: Session, scope: ReadScope, rows: Sequence[AlertRow]) -> list[AlertRow]:
    """Of ``rows``, the alerts ``scope`` may read: by the read rule of the record each is
    about as it was raised (its classification, concerns, owner), and, for an alert about
    incidents, only while the reader may read every incident it names as it stands now (the
    monitors may make one internal after it was raised; a casualty or breach alert names its
    incident and figures, a spike the incidents of its last 24 hours by id), and, for a
    casualty or zone-breach alert, only while it still states what the incident's reports
    state (:func:`_standing`). The one check ``GET /api/v1/alerts``, the deliveries and the
    alerts' ledger payloads pass."""
    kept = [row for row in rows if scope.can_read_record(row)]
    named = {row.id: _named_incidents(row.details) for row in kept}
    wanted = set().union(*named.values())
    shown = readable_incidents(session, scope.viewer, wanted) if wanted else set()
    return _standing(session, scope, [row for row in kept if named[row.id] <= shown])


def _standing(session: Session, scope: ReadScope, rows: list[AlertRow]) -> list[AlertRow]:
    """Of ``rows``, those that still stand for ``scope``: a casualty alert while the reports
    every reader of its incident reads state at least its figures and place the incident in
    its cell, a zone-breach alert while its finding (rule, zone, level, party) is not
    withdrawn, a spike alert while every incident of its last 24 hours is still in its cell.
    A report taken out of an incident after the alert was raised (its figures, the
    allegation the finding rested on, the position that placed the incident) leaves the
    alert stating what the incidents no longer say: it is shown and sent then only to the
    monitors of its agreement and operators, as a withdrawn finding is
    (``compliance.service.shown_findings``); it is kept as raised, and on the ledger."""
    judged = [
        row
        for row in rows
        if row.kind in _INCIDENT_FACT_KINDS and not scope.is_monitor(row.agreement_id)
    ]
    if not judged:
        return rows
    of_kind: dict[str, set[str]] = {kind: set() for kind in _INCIDENT_FACT_KINDS}
    for row in judged:
        of_kind[row.kind] |= _named_incidents(row.details)
    casualty, breach = of_kind[_CASUALTIES], of_kind[AlertKind.ZONE_BREACH.value]
    breaches = compliance_service.standing_findings(session, breach)
    placed = casualty | of_kind[_SPIKE]
    facts = alert_facts_of(session, placed, with_casualties=casualty) if placed else {}
    fallen = {row.id for row in judged if not _stands(row, breaches, facts)}
    return [row for row in rows if row.id not in fallen]


_CASUALTIES = AlertKind.CASUALTIES.value
_SPIKE = AlertKind.SPIKE.value
_INCIDENT_FACT_KINDS = frozenset({_CASUALTIES, AlertKind.ZONE_BREACH.value, _SPIKE})


def _stands(
    row: AlertRow,
    breaches: set[tuple[str, str, str | None, str, str | None]],
    facts: dict[str, IncidentAlertFacts],
) -> bool:
    details = row.details
    if row.kind == _SPIKE:
        return all(_in_cell(facts.get(i), row.area) for i in _named_incidents(details))
    incident = str(details.get("incident_id"))
    if row.kind == _CASUALTIES:
        found = facts.get(incident)
        now = (found.casualties_read_by_all if found is not None else None) or {}
        stated = details.get("casualties") or {}
        placed = row.area is None or _in_cell(found, row.area)
        return placed and all(now.get(key, 0) >= int(value) for key, value in stated.items())
    key = (incident, details.get("rule_id"), details.get("zone"), details.get("level"))
    return (*key, details.get("party")) in breaches


def _in_cell(facts: IncidentAlertFacts | None, area: str | None) -> bool:
    """Whether the incident of ``facts`` (None: gone) is placed now in the grid cell
    ``area``, as an alert's cell was taken from it (:func:`_cell`)."""
    size = grid_size(area) if area is not None else None
    return facts is not None and size is not None and _cell(facts, size) == area


def _named_incidents(details: dict[str, Any]) -> set[str]:
    """The incidents an alert's details name: ``incident_id`` (casualties, zone breaches)
    and ``incident_ids`` (a spike's, those of its last 24 hours)."""
    listed = details.get("incident_ids")
    named = [details.get("incident_id"), *(listed if isinstance(listed, list) else ())]
    return {i for i in named if isinstance(i, str)}


# ------------------------------------------------------------------------- delivery


@dataclass(frozen=True, slots=True)
class _Work:
    delivery_id: str
    attempt: int
    channel: str
    lang: str
    target: str
    secret: str | None
    ended: bool
    alert: AlertPublic
    withheld: bool = False
    """The subscribed user no longer reads what the alert is about (the incident was made
    internal since, the user moved to another member): it is not sent, and not retried."""


def delivery_body(delivery_id: str, alert: AlertPublic, lang: str = "en") -> bytes:
    """The JSON a webhook receives (what it verifies the signature of, byte for byte): the
    alert with its codes, its summary in the subscription's language ``lang``."""
    document = {
        "delivery_id": delivery_id,
        "lang": lang,
        "alert": {**alert.model_dump(mode="json"), "summary": alert_summary(alert, lang)},
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _smtp(settings: Settings) -> SmtpSettings | None:
    if not settings.alerts_smtp_host:
        return None
    return SmtpSettings(
        host=settings.alerts_smtp_host,
        port=settings.alerts_smtp_port,
        starttls=settings.alerts_smtp_starttls,
        user=settings.alerts_smtp_user,
        password=settings.alerts_smtp_password,
        sender=settings.alerts_mail_from,
    )


def _send(work: _Work, settings: Settings, now: datetime, resolver: Resolver) -> Outcome:
    if work.ended:
        return Outcome(False, error="subscription ended before delivery")
    if work.channel == DeliveryChannel.WEBHOOK.value:
        body = delivery_body(work.delivery_id, work.alert, work.lang)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "ceasefire-alerts",
            SIGNATURE_HEADER: sign_webhook(
                (work.secret or "").encode("utf-8"), body, int(now.timestamp())
            ),
            "X-Ceasefire-Delivery": work.delivery_id,
            "X-Ceasefire-Event": work.alert.kind.value,
        }
        return post_webhook(
            work.target,
            body,
            headers,
            timeout_s=settings.alerts_webhook_timeout_s,
            allow_private=settings.alerts_webhook_allow_private,
            resolver=resolver,
        )
    smtp = _smtp(settings)
    if smtp is None:
        return Outcome(False, error="no SMTP server configured (CEASEFIRE_ALERTS_SMTP_HOST)")
    subject, text = mail_text(work.alert, work.lang)
    return send_mail(smtp, work.target, subject, text)


def _claim(ctx: ServiceContext, now: datetime, token: str, limit: int) -> list[_Work]:
    lease = timedelta(seconds=ctx.settings.alerts_webhook_timeout_s * 2 + 60)
    free = or_(DeliveryRow.claimed_until.is_(None), DeliveryRow.claimed_until < now)
    pending = DeliveryRow.state == DeliveryState.PENDING.value
    due = (
        select(DeliveryRow.id)
        .where(pending, DeliveryRow.next_attempt_at <= now, free)
        .order_by(DeliveryRow.next_attempt_at, DeliveryRow.id)
        .limit(limit)
    )
    # Nothing due (the usual minute): no write transaction, no write lock.
    with ctx.reader() as session:
        if session.scalar(due) is None:
            return []
    with ctx.unit_of_work() as session:
        ids = list(session.scalars(due))
        if not ids:
            return []
        # Claimed in one statement whose condition re-checks the state: a worker of another
        # process claiming the same rows at once gets none of them.
        session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(ids), pending, free)
            .values(claim=token, claimed_until=now + lease)
        )
        rows = session.execute(
            select(DeliveryRow, SubscriptionRow, AlertRow)
            .join(SubscriptionRow, SubscriptionRow.id == DeliveryRow.subscription_id)
            .join(AlertRow, AlertRow.id == DeliveryRow.alert_id)
            .where(DeliveryRow.claim == token, DeliveryRow.id.in_(ids))
            .order_by(DeliveryRow.next_attempt_at, DeliveryRow.id)
        ).all()
        # Who is told is judged again as each delivery goes out (``readable_alerts``, the
        # subscribed user's scope now), not only when the alert was raised.
        # One check per subscription of the batch, over all its alerts.
        audience = _Audience(session, [], {})
        batches: dict[str, tuple[SubscriptionRow, dict[str, AlertRow]]] = {}
        for _, s, a in rows:
            batches.setdefault(s.id, (s, {}))[1][a.id] = a
        told = {
            (s.id, a.id)
            for s, alerts_of in batches.values()
            if (scope := audience.scope(s)) is not None
            for a in readable_alerts(session, scope, list(alerts_of.values()))
        }
        return [
            _Work(
                delivery_id=d.id,
                attempt=d.attempts + 1,
                channel=d.channel,
                lang=s.lang,
                target=s.target,
                secret=s.secret,
                ended=s.ended_at is not None,
                alert=_alert_public(a),
                withheld=(s.id, a.id) not in told,
            )
            for d, s, a in rows
        ]


def _record(
    ctx: ServiceContext,
    work: _Work,
    outcome: Outcome,
    now: datetime,
    token: str,
    policy: RetryPolicy,
) -> str:
    """Record one attempt and the delivery's new state, in one transaction; the state."""
    with ctx.unit_of_work() as session:
        row = session.get(DeliveryRow, work.delivery_id)
        if row is None or row.claim != token or row.state != DeliveryState.PENDING.value:
            return "lost"  # the claim lapsed and another worker took it over
        row.attempts = work.attempt
        row.claim = None
        row.claimed_until = None
        session.add(
            DeliveryAttemptRow(
                delivery_id=row.id,
                attempt=work.attempt,
                at=now,
                succeeded=outcome.succeeded,
                status_code=outcome.status_code,
                error=outcome.error,
            )
        )
        delay = (
            None
            if outcome.succeeded or work.ended or work.withheld
            else policy.delay_after(work.attempt, row.id)
        )
        if outcome.succeeded:
            row.state = DeliveryState.SUCCEEDED.value
            row.finished_at = now
            row.next_attempt_at = None
            row.last_error = None
            tag = AlertTag.DELIVERED
        elif delay is None:
            row.state = DeliveryState.DEAD.value
            row.finished_at = now
            row.next_attempt_at = None
            row.last_error = outcome.error
            tag = AlertTag.DEAD_LETTERED
            log.warning("alert delivery %s dead-lettered: %s", row.id, outcome.error)
        else:
            row.next_attempt_at = now + timedelta(seconds=delay)
            row.last_error = outcome.error
            return "failed"
        append(
            session,
            ctx.settings,
            tag=tag,
            subject=f"alert-delivery/{row.id}",
            payload=DeliveryFinished(
                {"delivery_id": row.id, "alert_id": row.alert_id, "attempts": row.attempts}
            ),
            actor=Actor.centre("alerts"),
        )
        return row.state


def deliver_due(
    ctx: ServiceContext,
    now: datetime | None = None,
    *,
    limit: int = DELIVERY_BATCH,
    policy: RetryPolicy = DEFAULT_RETRY,
    resolver: Resolver = resolve,
    send: Callable[[_Work, Settings, datetime, Resolver], Outcome] = _send,
) -> DeliveryRun:
    """Send the deliveries due at ``now`` (default: the present), at most ``limit``.

    No transaction is open while a receiver is contacted; each outcome is recorded in its
    own. Time is a parameter: a test runs the retries of a day in a few calls.
    """
    now = ensure_utc(now) if now is not None else utcnow()
    token = new_id("claim")
    work = _claim(ctx, now, token, limit)
    counts = {"succeeded": 0, "failed": 0, "dead": 0, "lost": 0}
    for item in work:
        if item.withheld:  # never handed to a transport
            outcome = Outcome(False, error="the subscriber no longer reads what the alert is about")
            counts[_record(ctx, item, outcome, now, token, policy)] += 1
            continue
        try:
            outcome = send(item, ctx.settings, now, resolver)
        except Exception as exc:  # a bug in a transport must not stop the other deliveries
            log.exception("alert delivery %s: unexpected failure", item.delivery_id)
            outcome = Outcome(False, error=f"unexpected: {type(exc).__name__}")
        counts[_record(ctx, item, outcome, now, token, policy)] += 1
    return DeliveryRun(
        now=now,
        attempted=len(work) - counts["lost"],
        succeeded=counts["succeeded"],
        failed=counts["failed"],
        dead_lettered=counts["dead"],
    )


def list_deliveries(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    state: DeliveryState | None = None,
    subscription_id: str | None = None,
    limit: int = 100,
) -> list[DeliveryPublic]:
    """Deliveries of the caller's member's subscriptions (an operator: all), newest first,
    each with its attempts: the dead letters are ``state=dead``."""
    if viewer.is_public:
        raise Unauthorized.worded(N_("sign in to see deliveries"))
    limit = max(1, min(limit, 500))
    with ctx.reader() as session:
        query = (
            select(DeliveryRow)
            .join(SubscriptionRow, SubscriptionRow.id == DeliveryRow.subscription_id)
            .order_by(DeliveryRow.id.desc())
            .limit(limit)
        )
        if not viewer.operator:
            query = query.where(SubscriptionRow.member_id == viewer.member_id)
        if state is not None:
            query = query.where(DeliveryRow.state == state.value)
        if subscription_id is not None:
            query = query.where(DeliveryRow.subscription_id == subscription_id)
        rows = list(session.scalars(query))
        attempts: dict[str, list[AttemptPublic]] = defaultdict(list)
        if rows:
            for a in session.scalars(
                select(DeliveryAttemptRow)
                .where(DeliveryAttemptRow.delivery_id.in_([r.id for r in rows]))
                .order_by(DeliveryAttemptRow.delivery_id, DeliveryAttemptRow.attempt)
            ):
                attempts[a.delivery_id].append(
                    AttemptPublic.model_validate(a, from_attributes=True)
                )
        return [shape_of(DeliveryPublic, r, history=attempts[r.id]) for r in rows]


def requeue_dead(ctx: ServiceContext, viewer: Viewer, delivery_id: str) -> DeliveryPublic:
    """Put a dead-lettered delivery back in the outbox, due now (an operator, once the
    receiver or the SMTP settings are fixed). Its attempts so far are kept and counted on:
    past the policy's last attempt, one more failure dead-letters it again."""
    if not viewer.operator:
        raise Forbidden.worded(N_("only an operator requeues dead letters"))
    with ctx.unit_of_work() as session:
        row = session.get(DeliveryRow, delivery_id)
        if row is None:
            raise NotFound.worded(N_("no delivery %(id)s"), id=repr(delivery_id))
        if row.state != DeliveryState.DEAD.value:
            raise InvalidInput.worded(
                N_("only a dead-lettered delivery is requeued"),
                details=[problem("delivery_id", N_("state %(state)s"), state=row.state)],
            )
        row.state = DeliveryState.PENDING.value
        row.next_attempt_at = utcnow()
        row.finished_at = None
        append(
            session,
            ctx.settings,
            tag=AlertTag.REQUEUED,
            subject=f"alert-delivery/{row.id}",
            payload=DeliveryFinished(
                {"delivery_id": row.id, "alert_id": row.alert_id, "attempts": row.attempts}
            ),
            actor=_actor(viewer),
        )
        subscription_id = row.subscription_id
    found = list_deliveries(ctx, viewer, subscription_id=subscription_id, limit=500)
    return next(d for d in found if d.id == delivery_id)


def run_cycle(ctx: ServiceContext) -> tuple[ScanResult | None, DeliveryRun]:
    """One turn of the background worker: scan, then deliver what is due. A scan that fails
    (logged) does not hold up the deliveries already in the outbox."""
    try:
        scanned: ScanResult | None = scan(ctx)
    except Exception:
        log.exception("alerts scan failed; delivering what is already queued")
        scanned = None
    return scanned, deliver_due(ctx)
