"""Observation posts and sensors: registering them and listing what a viewer may see.

A post's or sensor's position is itself sensitive (it tells where monitors stand), so each
carries a classification and is filtered by the same read rule as every other record; its
owner members always see it. Only an operator, or a current monitor member among the owners
(of the post, or of the member a sensor is attached to), may add one; a joint post (several
owners) only an operator, so that no member is made co-owner without its word.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.access import Classification, Viewer, can_read
from ceasefire.db.base import shape_of
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Forbidden, NotFound, id_taken, problem
from ceasefire.i18n.markers import N_
from ceasefire.ledger.service import add_ledgered, append
from ceasefire.members.events import MemberTag, PostAdded, SensorAdded
from ceasefire.members.model import ObservationPost, Sensor
from ceasefire.members.schemas import PostPublic, SensorPublic
from ceasefire.members.service import actor_of, is_monitor, member_or_404
from ceasefire.members.tables import MemberRow, ObservationPostRow, PostOwnerRow, SensorRow
from ceasefire.timeutil import utcnow


def _owners(session: Session, post_id: str) -> list[str]:
    return list(
        session.scalars(
            select(PostOwnerRow.member_id)
            .where(PostOwnerRow.post_id == post_id)
            .order_by(PostOwnerRow.position)
        )
    )


def _post_public(row: ObservationPostRow, owners: list[str], at: datetime) -> PostPublic:
    active = row.active_from <= at and (row.active_to is None or at < row.active_to)
    return shape_of(PostPublic, row, owners=owners, active=active)


def _sensor_public(sensor: SensorRow | Sensor) -> SensorPublic:
    """A stored sensor, or one given to be added (to compare it with the stored one)."""
    return SensorPublic.model_validate(sensor, from_attributes=True)


def _readable(viewer: Viewer, classification: str, owners: list[str]) -> bool:
    cls = Classification(classification)
    if can_read(viewer, cls):
        return True
    return any(can_read(viewer, cls, owner_member=owner) for owner in owners)


def _same_post(row: ObservationPostRow, owners: list[str], post: ObservationPost) -> bool:
    return (
        row.name,
        row.lon,
        row.lat,
        row.location_note,
        row.active_from,
        row.active_to,
        row.independent,
        row.classification,
        owners,
    ) == (
        post.name,
        post.location.lon,
        post.location.lat,
        post.location_note,
        post.active_from,
        post.active_to,
        post.independent,
        post.classification.value,
        list(post.owners),
    )


def add_post(ctx: ServiceContext, viewer: Viewer, post: ObservationPost) -> PostPublic:
    """Register an observation post. The identical post again is a no-op (safe to retry)."""
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        if not viewer.operator and not (
            viewer.member_id in post.owners and is_monitor(session, viewer)
        ):
            raise Forbidden.worded(
                N_("only an operator or a monitor member owning the post may add it")
            )
        if not viewer.operator and set(post.owners) != {viewer.member_id}:
            # Owners read the post whatever its classification and add its sensors: a member
            # cannot make another one co-owner of a post without its word. A joint post is
            # the operators' to register.
            raise Forbidden.worded(
                N_("a monitor member adds posts it alone owns; an operator adds a joint post"),
                details=[problem("owners", N_("names a member other than the caller's"))],
            )
        unknown = [m for m in post.owners if session.get(MemberRow, m) is None]
        if unknown:
            raise NotFound.worded(
                N_("unknown owner member(s): %(names)s"),
                details=[problem("owners", N_("unknown member %(m)s"), m=repr(m)) for m in unknown],
                names=", ".join(unknown),
            )
        now = utcnow()
        existing = session.get(ObservationPostRow, post.id)
        if existing is not None:
            owners = _owners(session, post.id)
            if _same_post(existing, owners, post):
                return _post_public(existing, owners, now)
            raise id_taken("post", post.id)
        row = ObservationPostRow(
            id=post.id,
            name=post.name,
            lon=post.location.lon,
            lat=post.location.lat,
            location_note=post.location_note,
            active_from=post.active_from,
            active_to=post.active_to,
            independent=post.independent,
            classification=post.classification.value,
            created_at=now,
        )
        session.add(row)
        session.flush()
        for position, member_id in enumerate(post.owners):
            session.add(PostOwnerRow(post_id=post.id, member_id=member_id, position=position))
        session.flush()
        append(
            session,
            ctx.settings,
            tag=MemberTag.POST_ADDED,
            subject=f"post/{post.id}",
            payload=PostAdded(
                {
                    "post_id": post.id,
                    "name": post.name,
                    "owners": list(post.owners),
                    "location": {
                        "type": "Point",
                        "coordinates": [post.location.lon, post.location.lat],
                    },
                    "location_note": post.location_note,
                    "active_from": post.active_from.isoformat(),
                    "active_to": post.active_to.isoformat() if post.active_to else None,
                    "independent": post.independent,
                    "classification": post.classification.value,
                }
            ),
            actor=actor,
        )
        return _post_public(row, list(post.owners), now)


def list_posts(
    ctx: ServiceContext, viewer: Viewer, *, active_at: datetime | None = None
) -> list[PostPublic]:
    """Posts the viewer may read (optionally only those active at ``active_at``)."""
    with ctx.reader() as session:
        now = utcnow()
        result = []
        for row in session.scalars(select(ObservationPostRow).order_by(ObservationPostRow.id)):
            owners = _owners(session, row.id)
            if not _readable(viewer, row.classification, owners):
                continue
            public = _post_public(row, owners, active_at or now)
            if active_at is not None and not public.active:
                continue
            result.append(public)
        return result


def get_post(ctx: ServiceContext, viewer: Viewer, post_id: str) -> PostPublic:
    """One post; NotFound also when the viewer may not read it (no existence leak)."""
    with ctx.reader() as session:
        row, owners = _post_or_404(session, viewer, post_id)
        return _post_public(row, owners, utcnow())


def _readable_post(
    session: Session, viewer: Viewer, post_id: str
) -> tuple[ObservationPostRow, list[str]] | None:
    """The post and its owners, if it exists and ``viewer`` may read it."""
    row = session.get(ObservationPostRow, post_id)
    if row is None:
        return None
    owners = _owners(session, post_id)
    return (row, owners) if _readable(viewer, row.classification, owners) else None


def _post_or_404(
    session: Session, viewer: Viewer, post_id: str
) -> tuple[ObservationPostRow, list[str]]:
    """:func:`_readable_post`, else ``NotFound``: a post the viewer may not read is as
    unknown as one that does not exist (no existence leak)."""
    found = _readable_post(session, viewer, post_id)
    if found is None:
        raise NotFound.unknown(
            N_("no post %(id)s"), post_id, field="post_id", reason=N_("unknown post")
        )
    return found


def _sensor_owners(session: Session, row: SensorRow | Sensor) -> list[str]:
    if row.member_id is not None:
        return [row.member_id]
    assert row.post_id is not None
    return _owners(session, row.post_id)


def _sensor_readable(session: Session, viewer: Viewer, row: SensorRow) -> bool:
    """A sensor is read under its own classification and, when it sits on a post, under the
    post's too: the sensor names the post (``post_id``), so it never tells a reader of a
    post it may not read."""
    if not _readable(viewer, row.classification, _sensor_owners(session, row)):
        return False
    return row.post_id is None or _readable_post(session, viewer, row.post_id) is not None


def add_sensor(ctx: ServiceContext, viewer: Viewer, sensor: Sensor) -> SensorPublic:
    """Register a sensor on a post or a member. The identical sensor again is a no-op."""
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        if sensor.post_id is not None:
            _post_or_404(session, viewer, sensor.post_id)
        if sensor.member_id is not None:
            member_or_404(session, sensor.member_id)
        owners = _sensor_owners(session, sensor)
        if not viewer.operator and not (viewer.member_id in owners and is_monitor(session, viewer)):
            raise Forbidden.worded(
                N_("only an operator or a monitor member owning the sensor may add it")
            )
        existing = session.get(SensorRow, sensor.id)
        if existing is not None:
            if _sensor_public(existing) == _sensor_public(sensor):
                return _sensor_public(existing)
            raise id_taken("sensor", sensor.id)
        row = SensorRow(
            id=sensor.id,
            kind=sensor.kind.value,
            name=sensor.name,
            post_id=sensor.post_id,
            member_id=sensor.member_id,
            classification=sensor.classification.value,
            notes=sensor.notes,
            created_at=utcnow(),
        )
        add_ledgered(
            session,
            ctx.settings,
            row,
            tag=MemberTag.SENSOR_ADDED,
            subject=f"sensor/{sensor.id}",
            payload=SensorAdded(
                {
                    "sensor_id": sensor.id,
                    "kind": sensor.kind.value,
                    "name": sensor.name,
                    "post_id": sensor.post_id,
                    "member_id": sensor.member_id,
                    "classification": sensor.classification.value,
                    "notes": sensor.notes,
                }
            ),
            actor=actor,
        )
        return _sensor_public(row)


def list_sensors(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    post_id: str | None = None,
    member_id: str | None = None,
) -> list[SensorPublic]:
    """Sensors the viewer may read, optionally those of one post or one member."""
    with ctx.reader() as session:
        query = select(SensorRow).order_by(SensorRow.id)
        if post_id is not None:
            query = query.where(SensorRow.post_id == post_id)
        if member_id is not None:
            query = query.where(SensorRow.member_id == member_id)
        return [
            _sensor_public(row)
            for row in session.scalars(query)
            if _sensor_readable(session, viewer, row)
        ]


def get_sensor(ctx: ServiceContext, viewer: Viewer, sensor_id: str) -> SensorPublic:
    """One sensor; NotFound also when the viewer may not read it."""
    with ctx.reader() as session:
        row = session.get(SensorRow, sensor_id)
        if row is None or not _sensor_readable(session, viewer, row):
            raise NotFound.unknown(
                N_("no sensor %(id)s"), sensor_id, field="sensor_id", reason=N_("unknown")
            )
        return _sensor_public(row)


@dataclass(frozen=True)
class KnownSources:
    """Posts and sensors that records name, read at once (two queries, plus the posts of
    the sensors), to be judged reader by reader with the rules of ``get_post`` and
    ``get_sensor``: what a report names of them is checked, at filing and on reading,
    against this (``reports.service.referenced_source``)."""

    posts: dict[str, tuple[str, list[str]]]  # id -> (classification, owners)
    sensors: dict[str, tuple[str, str | None, str | None]]  # id -> (classification, post, member)

    @classmethod
    def load(
        cls, session: Session, post_ids: Iterable[str], sensor_ids: Iterable[str]
    ) -> KnownSources:
        sensors: dict[str, tuple[str, str | None, str | None]] = {}
        wanted_sensors = sorted({s for s in sensor_ids if s})
        for start in range(0, len(wanted_sensors), 500):
            for sid, classification, post, member in session.execute(
                select(
                    SensorRow.id, SensorRow.classification, SensorRow.post_id, SensorRow.member_id
                ).where(SensorRow.id.in_(wanted_sensors[start : start + 500]))
            ):
                sensors[sid] = (classification, post, member)
        wanted = sorted({p for p in post_ids if p} | {s[1] for s in sensors.values() if s[1]})
        posts: dict[str, tuple[str, list[str]]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for pid, classification in session.execute(
                select(ObservationPostRow.id, ObservationPostRow.classification).where(
                    ObservationPostRow.id.in_(chunk)
                )
            ):
                posts[pid] = (classification, [])
            for pid, member in session.execute(
                select(PostOwnerRow.post_id, PostOwnerRow.member_id)
                .where(PostOwnerRow.post_id.in_(chunk))
                .order_by(PostOwnerRow.post_id, PostOwnerRow.position)
            ):
                if pid in posts:
                    posts[pid][1].append(member)
        return cls(posts, sensors)

    def post_readable(self, viewer: Viewer, post_id: str) -> bool:
        """Whether the post exists and ``viewer`` may read it (``get_post``'s rule)."""
        found = self.posts.get(post_id)
        return found is not None and _readable(viewer, found[0], found[1])

    def sensor_owners(self, sensor_id: str) -> list[str]:
        """The members a known sensor belongs to: its member, or its post's owners."""
        _, post, member = self.sensors[sensor_id]
        if member is not None:
            return [member]
        return self.posts[post][1] if post in self.posts else []

    def sensor_post(self, sensor_id: str) -> str | None:
        """The post a known sensor sits on (``None`` for a member's sensor)."""
        return self.sensors[sensor_id][1]

    def sensor_readable(self, viewer: Viewer, sensor_id: str) -> bool:
        """Whether the sensor exists and ``viewer`` may read it (``get_sensor``'s rule: its
        own classification, and its post's when it sits on one)."""
        found = self.sensors.get(sensor_id)
        if found is None or not _readable(viewer, found[0], self.sensor_owners(sensor_id)):
            return False
        return found[1] is None or self.post_readable(viewer, found[1])


def readable_posts(session: Session, viewer: Viewer, post_ids: Iterable[str]) -> set[str]:
    """Of ``post_ids``, the posts ``viewer`` may read (``list_posts``'s rule)."""
    ids = set(post_ids)
    known = KnownSources.load(session, ids, ())
    return {p for p in ids if known.post_readable(viewer, p)}


def readable_sensors(session: Session, viewer: Viewer, sensor_ids: Iterable[str]) -> set[str]:
    """Of ``sensor_ids``, the sensors ``viewer`` may read (``list_sensors``'s rule)."""
    ids = set(sensor_ids)
    known = KnownSources.load(session, (), ids)
    return {s for s in ids if known.sensor_readable(viewer, s)}
