"""The visibility rule applied to intake records (reports, incidents and their parts).

``ceasefire.access.can_read`` is the rule; this module applies it to rows:

- a record tied to an agreement is judged with the viewer's role *in that agreement*
  (a member may monitor one agreement and only observe another);
- a record tied to none may concern any agreement, so it is judged with the narrowest role
  the viewer holds across *every* agreement of the centre (no role at all when it holds none
  in one of them): a monitor of agreement B alone must not read, as B's monitor, what a
  monitor of agreement A filed under no agreement;
- a record referring to other records (an incident grouping reports) may only refer to
  records of its own agreement that its author may read:
  ``reports.service.referenced_reports`` is the one check every such path calls;
- lists are pre-filtered in SQL by ``ReadScope.clause`` — a clause that admits everything
  the viewer may read (and possibly a little more) — and every row is then checked with
  ``can_read`` itself, so paging stays efficient and the rule stays in one place. A list
  whose SQL clause admits more than the reader reads takes its first rows through
  :func:`first_kept`, never a fixed multiple of the page: how many rows the reader got would
  count those it may not read (the seventeenth audit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, and_, bindparam, false, or_, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ceasefire.access import Classification, Role, Viewer, can_read, concerns_key
from ceasefire.members.model import MemberRole, viewer_for_roles
from ceasefire.members.tables import MemberRoleRow
from ceasefire.timeutil import utcnow

# The member's roles valid at an instant; built once (every request of a member runs it).
_ROLES_OF = select(
    MemberRoleRow.agreement_id,
    MemberRoleRow.role,
    MemberRoleRow.party,
    MemberRoleRow.valid_from,
    MemberRoleRow.valid_to,
).where(
    MemberRoleRow.member_id == bindparam("member"),
    MemberRoleRow.valid_from <= bindparam("at"),
    or_(MemberRoleRow.valid_to.is_(None), MemberRoleRow.valid_to > bindparam("at")),
)

# The agreements in which anyone holds a role at an instant: the centre's agreements, for
# judging records that name none.
_AGREEMENTS_AT = (
    select(MemberRoleRow.agreement_id)
    .where(
        MemberRoleRow.valid_from <= bindparam("at"),
        or_(MemberRoleRow.valid_to.is_(None), MemberRoleRow.valid_to > bindparam("at")),
    )
    .distinct()
)


Row = TypeVar("Row")

FIRST_BATCH = 100
"""Rows :func:`first_kept` reads at first (at least the page and one more); it doubles each
batch, up to :data:`MAX_BATCH`."""
MAX_BATCH = 2000


def first_kept(
    session: Session,
    query: Select[Any],
    keep: Callable[[Sequence[Row]], Sequence[Row]],
    limit: int,
) -> list[Row]:
    """The first ``limit`` rows of ``query`` (its order total) that ``keep`` keeps (the read
    rule judged on the rows, after the SQL clause), read in growing batches until ``limit``
    are kept or the rows run out: a reader gets its own first ``limit``, however many rows
    it may not read lie between them."""
    kept: list[Row] = []
    offset, batch = 0, max(FIRST_BATCH, limit + 1)
    while len(kept) < limit:
        rows: list[Row] = list(session.scalars(query.offset(offset).limit(batch)))
        kept += keep(rows)
        if len(rows) < batch:
            break
        offset += batch
        batch = min(batch * 2, MAX_BATCH)
    return kept[:limit]


def current_agreements(conn: Connection, at: datetime) -> frozenset[str]:
    """The agreements in which any member holds a role at ``at``."""
    return frozenset(conn.execute(_AGREEMENTS_AT, {"at": at}).scalars())


def concerns_text(parties: Iterable[str]) -> str:
    """The stored form of a set of party codes: ``",ARM,AZE,"`` (``","`` when empty)."""
    return concerns_key(parties)


def concerns_list(text: str) -> list[str]:
    return [p for p in text.split(",") if p]


class ClassifiedRecord(Protocol):
    """What decides who may read a record: its classification, the parties it concerns
    (``concerns_key`` form or a list), its owner and its agreement."""

    @property
    def classification(self) -> str: ...
    @property
    def concerns(self) -> str: ...
    @property
    def owner_member(self) -> str | None: ...
    @property
    def agreement_id(self) -> str | None: ...


@dataclass
class ReadScope:
    """What one viewer may read, resolved once per request."""

    viewer: Viewer
    roles: list[MemberRole]
    at: datetime
    # Every agreement of the centre (for records of no agreement); empty for the public
    # and operators, whose reading does not depend on roles.
    agreements: frozenset[str] = frozenset()
    _by_agreement: dict[str, Viewer] = field(default_factory=dict)
    _unbound: Viewer | None = None

    @classmethod
    def load(cls, session: Session, viewer: Viewer, at: datetime | None = None) -> ReadScope:
        at = at or utcnow()
        roles: list[MemberRole] = []
        agreements: frozenset[str] = frozenset()
        if viewer.member_id is not None and not viewer.operator:
            # Core on the session's connection: the ORM execution path doubled this cost.
            conn = session.connection()
            rows = conn.execute(_ROLES_OF, {"member": viewer.member_id, "at": at})
            roles = [MemberRole.stored(viewer.member_id, r) for r in rows]
            agreements = current_agreements(conn, at)
        return cls(viewer=viewer, roles=roles, at=at, agreements=agreements)

    @classmethod
    def of(
        cls,
        viewer: Viewer,
        roles: Iterable[MemberRole],
        at: datetime,
        *,
        agreements: frozenset[str],
    ) -> ReadScope:
        """The scope :meth:`load` would build, from the member's roles already read (any
        time: those valid at ``at`` are kept, as :meth:`load`'s query keeps them) and the
        centre's agreements (:func:`current_agreements`)."""
        if viewer.member_id is None or viewer.operator:
            return cls(viewer=viewer, roles=[], at=at)
        valid = [r for r in roles if r.member_id == viewer.member_id and r.is_valid_at(at)]
        return cls(viewer=viewer, roles=valid, at=at, agreements=agreements)

    def viewer_for(self, agreement_id: str | None) -> Viewer:
        """The viewer with its role in ``agreement_id``; for ``None`` (a record of no
        agreement), the narrowest role it holds across every agreement of the centre."""
        viewer = self.viewer
        if viewer.operator or viewer.member_id is None:
            return viewer
        if agreement_id is None:
            return self._viewer_of_no_agreement()
        if viewer.agreement_id == agreement_id:
            return viewer
        cached = self._by_agreement.get(agreement_id)
        if cached is None:
            cached = viewer_for_roles(
                member_id=viewer.member_id,
                user_id=viewer.user_id,
                roles=self.roles,
                at=self.at,
                agreement_id=agreement_id,
                operator=viewer.operator,
            )
            self._by_agreement[agreement_id] = cached
        return cached

    def _viewer_of_no_agreement(self) -> Viewer:
        if self._unbound is None:
            held = {r.agreement_id for r in self.roles}
            if self.agreements <= held:
                # A role in every agreement: the narrowest of them (the viewer as resolved).
                self._unbound = viewer_for_roles(
                    member_id=self.viewer.member_id or "",
                    user_id=self.viewer.user_id,
                    roles=self.roles,
                    at=self.at,
                )
            else:
                self._unbound = Viewer(member_id=self.viewer.member_id, user_id=self.viewer.user_id)
        return self._unbound

    def can_read(
        self,
        classification: str | Classification,
        *,
        concerns: Iterable[str] | str = (),
        owner_member: str | None = None,
        agreement_id: str | None = None,
    ) -> bool:
        if isinstance(concerns, str):
            concerns = concerns_list(concerns)
        return can_read(
            self.viewer_for(agreement_id),
            Classification(classification),
            concerns=concerns,
            owner_member=owner_member,
        )

    def can_read_record(self, record: ClassifiedRecord) -> bool:
        """:meth:`can_read` for a record that carries its own classification, concerns,
        owner and agreement (a report or incident row, a report's facts)."""
        return self.can_read(
            record.classification,
            concerns=record.concerns,
            owner_member=record.owner_member,
            agreement_id=record.agreement_id,
        )

    def is_monitor(self, agreement_id: str | None) -> bool:
        """Whether the viewer acts as a monitor for records of ``agreement_id``."""
        return self.viewer.operator or self.viewer_for(agreement_id).role is Role.MONITOR

    def liaison_party(self, agreement_id: str | None) -> str | None:
        viewer = self.viewer_for(agreement_id)
        return viewer.party if viewer.role is Role.PARTY_LIAISON else None

    def exact_clause(self, model: Any) -> ColumnElement[bool]:
        """A SQL condition on ``model`` admitting exactly the rows :meth:`can_read_record`
        admits: the rule spelled out per agreement the viewer holds a role in, for records of
        no agreement, and for those of any other agreement. For a condition no row check
        follows (a subquery: "an incident with a report of this channel" must mean a report
        the viewer may read); a list uses :meth:`clause` and checks its rows."""
        viewer = self.viewer
        if viewer.operator or viewer.is_public:
            return self.clause(model)  # exact for these two
        held = sorted(
            {r.agreement_id for r in self.roles}
            | ({viewer.agreement_id} if viewer.agreement_id else set())
        )
        roleless = Viewer(member_id=viewer.member_id, user_id=viewer.user_id)
        return or_(
            *(
                and_(model.agreement_id == agreement, _rule(self.viewer_for(agreement), model))
                for agreement in held
            ),
            and_(model.agreement_id.is_(None), _rule(self.viewer_for(None), model)),
            and_(
                model.agreement_id.is_not(None),
                model.agreement_id.not_in(held) if held else true(),
                _rule(roleless, model),
            ),
        )

    def clause(self, model: Any) -> ColumnElement[bool]:
        """A SQL condition on ``model`` admitting at least every row the viewer may read."""
        viewer = self.viewer
        if viewer.operator:
            return true()
        public: ColumnElement[bool] = model.classification == Classification.PUBLIC.value
        if viewer.is_public:
            return public
        roles = {r.role for r in self.roles}
        parties = {r.party for r in self.roles if r.role is Role.PARTY_LIAISON and r.party}
        if viewer.role is not None:
            roles.add(viewer.role)
        if viewer.role is Role.PARTY_LIAISON and viewer.party:
            parties.add(viewer.party)
        if Role.MONITOR in roles:
            return true()
        shared: list[ColumnElement[bool]] = []
        if Role.OBSERVER in roles:
            shared.append(true())
        shared += [model.concerns.like(f"%,{party},%") for party in sorted(parties)]
        return or_(
            public,
            model.owner_member == viewer.member_id,
            and_(
                model.classification == Classification.SHARED.value,
                or_(*shared) if shared else false(),
            ),
        )


def _rule(viewer: Viewer, model: Any) -> ColumnElement[bool]:
    """``can_read`` for one member's ``viewer`` (its role in one agreement) as a SQL
    condition on ``model``'s classification, concerns and owner."""
    if viewer.role is Role.MONITOR:
        return true()
    admitted: list[ColumnElement[bool]] = [
        model.classification == Classification.PUBLIC.value,
        model.owner_member == viewer.member_id,
    ]
    shared = model.classification == Classification.SHARED.value
    if viewer.role is Role.OBSERVER:
        admitted.append(shared)
    elif viewer.role is Role.PARTY_LIAISON and viewer.party:
        admitted.append(and_(shared, model.concerns.like(f"%,{viewer.party},%")))
    return or_(*admitted)
