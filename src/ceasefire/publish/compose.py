"""What a published report says: its figures and items, read for one viewer.

Each section is one function reading through the other areas' services in the report's
read session, so a section fusion or compliance adds later (rule findings per incident,
merged duplicates) is one more function and one more field of :class:`Digest`. The
edition decides the viewer: the public edition reads as the public (public records only,
redacted), the internal edition as its reader (the centre's monitors for the scheduled one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from ceasefire.access import Role, Viewer
from ceasefire.agreements import service as agreements
from ceasefire.agreements.model import Agreement, ProvisionStatus
from ceasefire.compliance import service as compliance
from ceasefire.compliance.model import FindingLevel
from ceasefire.compliance.schemas import DeadlineStatePublic
from ceasefire.db.context import ServiceContext
from ceasefire.errors import NotFound
from ceasefire.fusion import service as fusion
from ceasefire.i18n.markers import N_
from ceasefire.incidents import service as incidents
from ceasefire.incidents.schemas import IncidentDetail
from ceasefire.ledger import service as ledger
from ceasefire.members import posts as member_posts
from ceasefire.members.model import MemberRole
from ceasefire.members.scope import ReadScope, current_agreements
from ceasefire.publish.model import (
    HUMANITARIAN_CATEGORIES,
    HUMANITARIAN_PROVISION_KINDS,
    MOVEMENT_CATEGORIES,
    UNLOCATED,
    VIOLATION_CATEGORIES,
    Comparison,
    Edition,
    Kind,
    Period,
    Tally,
    casualty_totals,
    compare,
    is_notable,
)
from ceasefire.reports.service import masked_text, unreadable_ids

DUE_WITHIN = timedelta(days=7)
"""Provisions listed as due: those whose deadline ends within a week of the cut-off."""


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    kind: str
    geometry: dict[str, Any]
    shape: BaseGeometry


@dataclass
class Item:
    """One incident as a report lists it."""

    id: str
    title: str
    summary: str | None
    category: str
    area: str
    place: str | None
    observed_start: datetime
    status: str
    attribution: str
    attributed_party: str | None
    decision_state: str | None
    casualties: dict[str, int]
    lat: float | None
    lon: float | None
    breach: str | None = None
    """The zones compliance found breached (names, comma-separated), if any."""
    possible_breach: str | None = None
    """The zones compliance found possibly breached (an uncertain place or time)."""
    findings: list[dict[str, Any]] = field(default_factory=list)
    sources: int | None = None
    """Independent sources (fusion's corroboration of the reports the reader may read)."""
    source_kinds: dict[str, int] = field(default_factory=dict)
    views: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Digest:
    """Everything one published report shows (rendered by ``publish.render``)."""

    kind: Kind
    edition: Edition
    agreement_id: str
    agreement_title: str
    period: Period
    by_area: list[Comparison]
    by_category: list[Comparison]
    totals: Comparison
    violations: Comparison
    notable: list[Item]
    items: list[Item]
    movement: list[Item]
    civilian: dict[str, int]
    damage: list[Item]
    humanitarian: list[Item]
    provisions_due: list[dict[str, Any]]
    provisions_overdue: list[dict[str, Any]]
    provisions_fulfilled: list[dict[str, Any]]
    humanitarian_provisions: list[dict[str, Any]]
    zones: list[Zone]
    posts: list[dict[str, Any]]
    ledger_head: dict[str, Any]
    ledger_root: dict[str, Any] | None
    trend: list[tuple[date, int, int]]
    """Per local day of the period: (day, incidents, violations) — weekly and monthly."""

    @property
    def time_zone(self) -> str:
        return self.period.time_zone


def _zones(ctx: ServiceContext, agreement_id: str, at: datetime) -> list[Zone]:
    features = agreements.list_zones(ctx, as_of=at, agreement_id=agreement_id).features
    zones = [
        Zone(f.properties.zone, f.properties.name, f.properties.kind, f.geometry, shape(f.geometry))
        for f in features
    ]
    for zone in zones:
        # Prepared once: each incident of the day (and of the day before) is tested
        # against every zone, ~20 times faster prepared.
        shapely.prepare(zone.shape)
    return zones


def _area_of(record: Mapping[str, Any], zones: Sequence[Zone]) -> str:
    """The area an incident is counted under: the first zone holding its point (not a
    line or corridor if an area holds it too), else its place name. Whether it breaches a
    zone is compliance's finding (:func:`zone_findings`), not geometry read here."""
    position = record["event_position"]
    lat, lon = position.get("lat"), position.get("lon")
    if lat is None or lon is None:
        return position.get("place_name") or UNLOCATED
    point = Point(lon, lat)
    holding = [z for z in zones if z.shape.covers(point)]
    if not holding:
        return position.get("place_name") or UNLOCATED
    areas = [z for z in holding if z.kind not in {"line_of_contact", "corridor"}] or holding
    return areas[0].name


def _item(record: Mapping[str, Any], zones: Sequence[Zone]) -> Item:
    area = _area_of(record, zones)
    position = record["event_position"]
    return Item(
        id=record["id"],
        title=record["title"],
        summary=record.get("summary"),
        category=record["category"],
        area=area,
        place=position.get("place_name"),
        observed_start=datetime.fromisoformat(record["observed_start"]),
        status=record["status"],
        attribution=record["attribution"],
        attributed_party=record.get("attributed_party"),
        decision_state=record.get("decision_state"),
        casualties={k: int(v["best"]) for k, v in (record.get("casualties") or {}).items()},
        lat=position.get("lat"),
        lon=position.get("lon"),
    )


def incidents_in(
    session: Session, scope: ReadScope, agreement_id: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The incidents of the agreement whose observation began in ``(start, end]``."""
    return [
        r
        for r in incidents.incident_records(
            session,
            scope,
            observed_from=start,
            observed_before=end + timedelta(microseconds=1),
            agreement_id=agreement_id,
        )
        if datetime.fromisoformat(r["observed_start"]) > start
    ]


def tally(records: Iterable[Mapping[str, Any]], zones: Sequence[Zone]) -> tuple[Tally, int]:
    """Incidents per (area, category), and how many are violations."""
    counts = Tally()
    violations = 0
    for record in records:
        counts.add(_area_of(record, zones), record["category"])
        violations += record["category"] in VIOLATION_CATEGORIES
    return counts, violations


def member_views(ctx: ServiceContext, viewer: Viewer, item: Item) -> None:
    """Each member's current view of the incident and the parties' replies, as far as the
    viewer may read them (the internal edition; the public one shows the decision only)."""
    if viewer.is_public:
        return
    detail = incidents.get_incident(ctx, viewer, item.id)
    if not isinstance(detail, IncidentDetail):
        return
    item.views = [
        {
            "member": a.member_id,
            "stance": a.stance.value,
            "status": (a.finding or {}).get("status"),
            "party": (a.finding or {}).get("attributed_party"),
            "rationale": a.rationale,
        }
        for a in detail.assessments
        if a.current
    ]
    item.replies = [{"party": r.party, "text": r.text} for r in detail.replies]


def _deadline_entry(
    agreement: Agreement, state: DeadlineStatePublic, at: datetime
) -> dict[str, Any]:
    provision = agreement.provision(state.provision)
    return {
        "id": state.provision,
        "number": state.number,
        "title": state.title,
        "due": date.fromisoformat(state.due),
        "original_due": date.fromisoformat(state.original_due) if state.amendments else None,
        "status": provision.status_as_of(at).value if provision is not None else "pending",
        "obligated": list(provision.obligated) if provision is not None else [],
    }


def provisions(
    ctx: ServiceContext, viewer: Viewer, agreement: Agreement, agreement_id: str, period: Period
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Provisions due within a week of the cut-off and overdue at it — compliance's
    deadline states (the deadlines in force then, amendments decided by then applied, as
    the alerts and the compliance views read them) — fulfilled during the period; and the
    humanitarian ones (exchanges, returns) with their status then."""
    at = period.end
    due, overdue = [], []
    for group in compliance.deadline_states(
        ctx, at, reader=viewer, agreement_id=agreement_id, due_within=DUE_WITHIN
    ):
        overdue += [_deadline_entry(agreement, s, at) for s in group.overdue]
        due += [_deadline_entry(agreement, s, at) for s in group.due]
    fulfilled = []
    humanitarian = []
    for provision in agreement.all_provisions():
        for change in provision.status_history:
            if (
                change.status is ProvisionStatus.FULFILLED
                and period.start < change.at.at <= period.end
            ):
                fulfilled.append(
                    {
                        "id": provision.id,
                        "number": provision.number,
                        "title": provision.title,
                        "at": change.at.at,
                    }
                )
        if provision.kind.value in HUMANITARIAN_PROVISION_KINDS:
            humanitarian.append(
                {
                    "id": provision.id,
                    "number": provision.number,
                    "title": provision.title,
                    "status": provision.status_as_of(at).value,
                }
            )
    return due, overdue, fulfilled, humanitarian


def zone_findings(
    ctx: ServiceContext,
    viewer: Viewer,
    agreement: Agreement,
    items: Sequence[Item],
    zones: Sequence[Zone],
) -> None:
    """Compliance's current rule findings about the items (breaches and possible breaches
    of the agreement's zones), read through compliance with the reader's rights: the
    public edition shows those about public incidents only, as the compliance API would."""
    found = compliance.findings_of_incidents(ctx, viewer, [i.id for i in items])
    names = {z.id: z.name for z in zones}
    for item in items:
        breached: list[str] = []
        possible: list[str] = []
        for finding in found.get(item.id, []):
            zone = names.get(finding.zone_id or "", finding.zone_id or "")
            provision = agreement.provision(finding.provision_id)
            item.findings.append(
                {
                    "level": finding.level.value,
                    "zone": zone or None,
                    "rule": finding.rule,
                    "provision": provision.number if provision is not None else None,
                    "party": finding.party,
                }
            )
            if zone:
                target = breached if finding.level is FindingLevel.BREACH else possible
                if zone not in target:
                    target.append(zone)
        item.breach = ", ".join(breached) or None
        item.possible_breach = ", ".join(z for z in possible if z not in breached) or None


def corroborate(ctx: ServiceContext, viewer: Viewer, items: Iterable[Item]) -> None:
    """Fusion's independent sources behind each item, counted over the reports the reader
    may read (none for the public edition when no report is public: nothing is shown)."""
    for item in items:
        found = fusion.summary(ctx, viewer, item.id)
        if found.reports:
            item.sources = found.independent_sources
            item.source_kinds = dict(found.by_kind)


def ledger_anchor(
    session: Session, period: Period, records: Iterable[Mapping[str, Any]] = ()
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """What a reader checks the report against: the ledger's head when the record it shows
    was complete — the cut-off, or the last change to a listed incident if that came later
    (records entered after the fact) — and the last daily root sealed before that day.
    Deterministic: later entries about other things do not move it."""
    anchor = max([period.end, *(datetime.fromisoformat(r["updated_at"]) for r in records)])
    seq, at, entry_hash = ledger.head_at(session, anchor)
    root = ledger.root_of_day(session, anchor.date())
    return (
        {"seq": seq, "recorded_at": at, "entry_hash": entry_hash},
        None if root is None else {"day": root.day, "root": root.root, "count": root.count},
    )


def visible_posts(
    ctx: ServiceContext, viewer: Viewer, edition: Edition, at: datetime
) -> list[dict[str, Any]]:
    """Posts drawn on the map: never on the public edition (they show where monitors
    stand), and on the internal one only those the reader may read."""
    if edition is Edition.PUBLIC:
        return []
    return [
        {"id": p.id, "name": p.name, "lat": p.lat, "lon": p.lon}
        for p in member_posts.list_posts(ctx, viewer, active_at=at)
    ]


def _trend(records: Sequence[Mapping[str, Any]], period: Period) -> list[tuple[date, int, int]]:
    zone = ZoneInfo(period.time_zone)
    days: dict[date, list[int]] = {}
    day = (period.start + timedelta(seconds=1)).astimezone(zone).date()
    while day <= period.label:
        days[day] = [0, 0]
        day += timedelta(days=1)
    for record in records:
        local = datetime.fromisoformat(record["observed_start"]).astimezone(zone).date()
        if local in days:
            days[local][0] += 1
            days[local][1] += record["category"] in VIOLATION_CATEGORIES
    return [(d, n, v) for d, (n, v) in sorted(days.items())]


def notable_incidents(
    ctx: ServiceContext, viewer: Viewer, records: Sequence[Mapping[str, Any]], items: list[Item]
) -> list[Item]:
    """Incidents with casualties, a zone breach (or a possible one) found by compliance, or
    a dispute; each with its independent sources and the members' views the reader may
    read. Expects :func:`zone_findings` to have run on ``items``."""
    by_id = {r["id"]: r for r in records}
    notable = [
        i
        for i in items
        if is_notable(by_id[i.id], i.breach is not None or i.possible_breach is not None)
    ]
    corroborate(ctx, viewer, notable)
    for item in notable:
        member_views(ctx, viewer, item)
    return notable


def movement_restrictions(items: Sequence[Item]) -> list[Item]:
    """Checkpoints, UAV jamming, GPS interference: the monitors' freedom of movement."""
    return [i for i in items if i.category in MOVEMENT_CATEGORIES]


def civilian_harm(
    records: Sequence[Mapping[str, Any]], items: Sequence[Item]
) -> tuple[dict[str, int], list[Item]]:
    """Civilians killed and injured (best estimates), and the damage to civilian objects."""
    totals = {k: v for k, v in casualty_totals(records).items() if k.endswith("_civilian")}
    return totals, [i for i in items if i.category == "damage_to_civilian_object"]


def humanitarian_items(items: Sequence[Item]) -> list[Item]:
    """Exchanges (and, when recorded as incidents, returns) of the period."""
    return [i for i in items if i.category in HUMANITARIAN_CATEGORIES]


def compose(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    agreement_id: str,
    period: Period,
    edition: Edition,
) -> Digest:
    """The digest of one period for one reader."""
    stored = agreements.get_agreement(ctx, agreement_id)
    zones = _zones(ctx, agreement_id, period.end)
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        current = incidents_in(session, scope, agreement_id, period.start, period.end)
        before = period.previous()
        previous = incidents_in(session, scope, agreement_id, before.start, before.end)
        head, root = ledger_anchor(session, period, current)
    now_tally, now_violations = tally(current, zones)
    then_tally, then_violations = tally(previous, zones)
    items = [_item(r, zones) for r in current]
    zone_findings(ctx, viewer, stored.agreement, items, zones)
    due, overdue, fulfilled, humanitarian_provisions = provisions(
        ctx, viewer, stored.agreement, agreement_id, period
    )
    civilian, damage = civilian_harm(current, items)
    return Digest(
        kind=period.kind,
        edition=edition,
        agreement_id=agreement_id,
        agreement_title=stored.agreement.title,
        period=period,
        by_area=compare(now_tally.by_area(), then_tally.by_area()),
        by_category=compare(now_tally.by_category(), then_tally.by_category()),
        totals=Comparison("incidents", now_tally.total, then_tally.total),
        violations=Comparison("violations", now_violations, then_violations),
        notable=notable_incidents(ctx, viewer, current, items),
        items=items,
        movement=movement_restrictions(items),
        civilian=civilian,
        damage=damage,
        humanitarian=humanitarian_items(items),
        provisions_due=due,
        provisions_overdue=overdue,
        provisions_fulfilled=fulfilled,
        humanitarian_provisions=humanitarian_provisions,
        zones=zones,
        posts=visible_posts(ctx, viewer, edition, period.end),
        ledger_head=head,
        ledger_root=root,
        trend=_trend(current, period) if period.kind is not Kind.DAILY else [],
    )


AUDIENCE_MEMBER = "(monitors)"
"""The member id of :func:`monitors_scope`'s viewer: no member's (member ids are slugs), so
no record is read as its owner's."""


def monitors_scope(session: Session, agreement_id: str, at: datetime) -> ReadScope:
    """What every monitor of ``agreement_id`` reads: a monitor of it holding no other role,
    of no member. The internal edition the monitors share (``publish.service``'s
    ``monitors`` audience) is read by each of them, whoever generated it (a monitor of other
    agreements too, an operator, the schedule)."""
    viewer = Viewer(member_id=AUDIENCE_MEMBER, role=Role.MONITOR, agreement_id=agreement_id)
    role = MemberRole(AUDIENCE_MEMBER, agreement_id, Role.MONITOR, datetime(1970, 1, 1, tzinfo=UTC))
    agreements_now = current_agreements(session.connection(), at)
    return ReadScope.of(viewer, [role], at, agreements=agreements_now | {agreement_id})


def _items_of(digest: Digest) -> list[Item]:
    listed = [*digest.items, *digest.notable, *digest.movement, *digest.damage]
    return list({id(i): i for i in [*listed, *digest.humanitarian]}.values())


def mask_for_monitors(ctx: ServiceContext, digest: Digest, at: datetime) -> Digest:
    """``digest`` with each id its free text names (titles, summaries, places, views'
    rationales, replies) that not every monitor of its agreement may read shown masked
    (``reports.service.unreadable_ids`` under :func:`monitors_scope`): it was read as the
    one who generated it."""
    items = _items_of(digest)
    texts: list[str | None] = [c.name for c in digest.by_area]
    for item in items:
        texts += [item.title, item.summary, item.place, item.area]
        texts += [v.get("rationale") for v in item.views]
        texts += [r.get("text") for r in item.replies]
    with ctx.reader() as session:
        hidden = unreadable_ids(session, monitors_scope(session, digest.agreement_id, at), texts)
    if not hidden:
        return digest

    def masked(text: str | None) -> str | None:
        return masked_text(text, hidden) if text else text

    for item in items:
        item.title = masked_text(item.title, hidden)
        item.summary, item.place = masked(item.summary), masked(item.place)
        item.area = masked_text(item.area, hidden)
        item.views = [{**v, "rationale": masked(v.get("rationale"))} for v in item.views]
        item.replies = [{**r, "text": masked(r.get("text"))} for r in item.replies]
    by_area = [replace(c, name=masked_text(c.name, hidden)) for c in digest.by_area]
    return replace(digest, by_area=by_area)


def compose_spot(
    ctx: ServiceContext, viewer: Viewer, *, incident_id: str, edition: Edition
) -> Digest:
    """The digest of one incident (a spot report): the incident with every view the reader
    may read, its area, and the ledger's head when the incident last changed (so the same
    incident, unchanged, gives the same report)."""
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        records = list(incidents.incident_records(session, scope, ids=[incident_id]))
        if not records:
            raise NotFound.unknown(
                N_("no incident %(id)s"), incident_id, field="incident_id", reason=N_("unknown")
            )
        record = records[0]
        agreement_id = record.get("agreement_id") or ""
        time_zone = "UTC"
        title = ""
        if agreement_id:
            agreement = agreements.get_agreement(ctx, agreement_id).agreement
            time_zone, title = agreement.effective.time_zone, agreement.title
        start = datetime.fromisoformat(record["observed_start"])
        end = datetime.fromisoformat(record["updated_at"])
        period = Period(
            Kind.SPOT, start, end, start.astimezone(ZoneInfo(time_zone)).date(), time_zone
        )
        head, root = ledger_anchor(session, period, [record])
    zones = _zones(ctx, agreement_id, period.end) if agreement_id else []
    item = _item(record, zones)
    if agreement_id:
        zone_findings(
            ctx, viewer, agreements.get_agreement(ctx, agreement_id).agreement, [item], zones
        )
    corroborate(ctx, viewer, [item])
    member_views(ctx, viewer, item)
    counts, violations = tally([record], zones)
    return Digest(
        kind=Kind.SPOT,
        edition=edition,
        agreement_id=agreement_id,
        agreement_title=title,
        period=period,
        by_area=compare(counts.by_area(), {}),
        by_category=compare(counts.by_category(), {}),
        totals=Comparison("incidents", 1, 0),
        violations=Comparison("violations", violations, 0),
        notable=[item],
        items=[item],
        movement=[],
        civilian={k: v for k, v in item.casualties.items() if k.endswith("_civilian")},
        damage=[],
        humanitarian=[],
        provisions_due=[],
        provisions_overdue=[],
        provisions_fulfilled=[],
        humanitarian_provisions=[],
        zones=zones,
        posts=[],
        ledger_head=head,
        ledger_root=root,
        trend=[],
    )
