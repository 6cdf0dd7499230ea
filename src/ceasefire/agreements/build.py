"""From a schema-checked agreement document to domain objects, with the semantic checks.

The JSON Schema checks shape and types; this module checks what a schema cannot: real
calendar dates and time zones, references between parties, zones, sources and provisions,
unique ids, GeoJSON validity and deadline amendment chains. It keeps going after a problem
so that one run reports all of them, and builds an ``Agreement`` only when there are none.
Values of the wrong type are skipped silently here: the schema has already reported them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from ceasefire.agreements.geometry import (
    MAX_TOTAL_POSITIONS,
    geojson_problems,
    position_count,
)
from ceasefire.agreements.model import (
    Agreement,
    AgreementKind,
    Deadline,
    DeadlineAmendment,
    Dispute,
    Evidence,
    Party,
    PartyRole,
    Provision,
    ProvisionKind,
    ProvisionStatus,
    Source,
    SourceDisagreement,
    SourceInstant,
    StatusChange,
    Term,
    TermNotice,
    Zone,
    ZoneKind,
    zone_info,
)
from ceasefire.agreements.rules import parse_rules
from ceasefire.agreements.yamlmap import Path, render_path
from ceasefire.errors import Wording, worded_text
from ceasefire.i18n.markers import N_
from ceasefire.timeutil import date_error

_PARTY_ROLES = {r.value for r in PartyRole}
_ZONE_KINDS = {k.value for k in ZoneKind}
_STATUSES = {s.value for s in ProvisionStatus}
_PROVISION_KINDS = {k.value for k in ProvisionKind}

Report = Callable[[Path, str], None]

UNKNOWN = {
    "party": N_("unknown party %(value)s (known: %(known)s)"),
    "source": N_("unknown source %(value)s (known: %(known)s)"),
    "provision": N_("unknown provision %(value)s (known: %(known)s)"),
    "zone": N_("unknown zone %(value)s (known: %(known)s)"),
}
"""A reference to an id the file does not define, by what it refers to."""
DUPLICATE = {
    "party code": N_("duplicate party code %(value)s"),
    "source id": N_("duplicate source id %(value)s"),
    "zone id": N_("duplicate zone id %(value)s"),
}
"""An id the file defines twice, by what it names."""


def _items(value: Any) -> Iterator[tuple[int, Any]]:
    return enumerate(value) if isinstance(value, list) else iter(())


def _mappings(value: Any) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """The items of a list that are mappings, with their index (the others are skipped)."""
    return ((index, raw) for index, raw in _items(value) if isinstance(raw, Mapping))


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


_NOT_ON_PARENT = {
    "deadline": N_(
        "a provision with parts has no deadline of its own; put it on the part it belongs to"
    ),
    "status_changes": N_(
        "a provision with parts has no status changes of its own; "
        "put them on the part they belong to"
    ),
}


class AgreementBuilder:
    """Builds one agreement from its document, reporting each problem to ``report``."""

    def __init__(self, data: Mapping[str, Any], report: Report, *, schema_ok: bool) -> None:
        self.data = data
        self._report = report
        # With schema problems the checks still run (to report everything at once), but
        # no agreement is built from a document of the wrong shape.
        self.failed = not schema_ok
        self.time_zone = "UTC"
        self.party_codes: set[str] = set()
        self.source_ids: set[str] = set()
        self.zone_ids: set[str] = set()
        self.provision_ids: dict[str, Path] = {}
        # References are checked once every id is known (a provision may cite a later zone).
        self._references: list[tuple[Path, str, set[str], str]] = []

    def report(self, path: Path, msgid: str, **params: object) -> None:
        """Report ``msgid`` (marked ``N_``) with ``params`` at ``path``, worded: the reader
        sees it in their language (``errors.worded_text``)."""
        self.reported(path, worded_text(msgid, **params))

    def reported(self, path: Path, message: str) -> None:
        """Report a message already worded (the compliance rules' parser words its own)."""
        self.failed = True
        self._report(path, message)

    # -- entry point ---------------------------------------------------------------------------

    def build(self) -> Agreement | None:
        data = self.data
        self.time_zone = self._zone(data.get("time_zone"), ("time_zone",)) or "UTC"
        parties = self._parties(data.get("parties"))
        sources = self._sources(data.get("sources"))
        zones = self._zones(data.get("zones"))
        provisions = tuple(
            p
            for index, raw in _items(data.get("provisions"))
            if (p := self._provision(raw, ("provisions", index), None)) is not None
        )
        disagreements = self._disagreements(data.get("source_disagreements"))
        term = self._term(data.get("term"))
        effective = self._instant(data.get("effective"), ("effective",))
        signed = self._instant(data.get("signed"), ("signed",))
        ended = self._instant(data.get("ended"), ("ended",))
        if effective and ended and ended.at < effective.at:
            self.report(("ended",), N_("ends before it takes effect"))
        self._check_references()
        if self.failed or effective is None:
            return None
        agreement = Agreement(
            id=str(data["id"]),
            title=str(data["title"]),
            kind=AgreementKind(data["kind"]),
            effective=effective,
            signed=signed,
            ended=ended,
            aliases=_strs(data.get("aliases")),
            parties=parties,
            provisions=provisions,
            term=term,
            sources=sources,
            disagreements=disagreements,
            zones=zones,
            notes=_strs(data.get("notes")),
            references=_strs(data.get("references")),
        )
        # Rules refer to provisions, parts, zones and parties: checked once those are.
        rules = parse_rules(data.get("rules"), agreement, self.reported)
        return None if self.failed else replace(agreement, rules=rules)

    # -- small values ----------------------------------------------------------------------------

    def _zone(self, value: Any, path: Path) -> str | None:
        if not isinstance(value, str):
            return None
        try:
            zone_info(value)
        except ValueError:
            self.report(
                path,
                N_("unknown time zone %(value)s (use an IANA name like Europe/Moscow)"),
                value=repr(value),
            )
            return None
        return value

    def _date(self, value: Any, path: Path) -> date | None:
        if not isinstance(value, str):
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            self.report(
                path,
                N_("not a real date: %(value)s (%(error)s)"),
                value=repr(value),
                error=date_error(exc),
            )
            return None

    def _instant(self, value: Any, path: Path) -> SourceInstant | None:
        if value is None:
            return None
        note = None
        if isinstance(value, str):
            local, zone_name = value, self.time_zone
        elif isinstance(value, Mapping) and isinstance(value.get("local"), str):
            local = value["local"]
            zone_name = self._zone(value.get("time_zone"), (*path, "time_zone")) or (
                self.time_zone if "time_zone" not in value else ""
            )
            if not zone_name:
                return None
            path = (*path, "local")
            note = _opt_str(value.get("note"))
        else:
            return None
        try:
            return SourceInstant.parse(local, zone_name, note)
        except ValueError as exc:
            self.report(
                path,
                N_("not a real date or time: %(value)s (%(error)s)"),
                value=repr(local),
                error=date_error(exc),
            )
            return None

    def _refer(self, path: Path, value: str, known: set[str], what: str) -> None:
        self._references.append((path, value, known, what))

    def _check_references(self) -> None:
        for path, value, known, what in self._references:
            if value not in known:
                self.report(
                    path,
                    UNKNOWN[what],
                    value=repr(value),
                    known=", ".join(sorted(known)) or Wording(N_("none defined")),
                )

    def _unique(self, seen: set[str], value: Any, path: Path, what: str) -> bool:
        if not isinstance(value, str):
            return False
        if value in seen:
            self.report(path, DUPLICATE[what], value=repr(value))
            return False
        seen.add(value)
        return True

    def _keyed(
        self, value: Any, section: str, key: str, seen: set[str], what: str
    ) -> Iterator[Mapping[str, Any]]:
        """The mapping items of list ``value`` whose ``key`` is a new string (a repeat is
        reported at ``(section, index, key)``; an item without one is skipped)."""
        for index, raw in _mappings(value):
            if self._unique(seen, raw.get(key), (section, index, key), what):
                yield raw

    def _party_refs(self, value: Any, path: Path) -> tuple[str, ...]:
        for index, code in _items(value):
            if isinstance(code, str):
                self._refer((*path, index), code, self.party_codes, "party")
        return _strs(value)

    def _evidence(self, value: Any, path: Path) -> tuple[Evidence, ...]:
        result = []
        for index, raw in _mappings(value):
            source = _opt_str(raw.get("source"))
            if source is not None:
                self._refer((*path, index, "source"), source, self.source_ids, "source")
            result.append(
                Evidence(
                    source=source, ref=_opt_str(raw.get("ref")), note=_opt_str(raw.get("note"))
                )
            )
        return tuple(result)

    # -- sections --------------------------------------------------------------------------------

    def _parties(self, value: Any) -> tuple[Party, ...]:
        return tuple(
            Party(
                code=raw["code"],
                name=str(raw.get("name", "")),
                roles=tuple(PartyRole(r) for r in _strs(raw.get("roles")) if r in _PARTY_ROLES),
                note=_opt_str(raw.get("note")),
            )
            for raw in self._keyed(value, "parties", "code", self.party_codes, "party code")
        )

    def _sources(self, value: Any) -> tuple[Source, ...]:
        return tuple(
            Source(
                id=raw["id"],
                citation=str(raw.get("citation", "")),
                url=_opt_str(raw.get("url")),
                note=_opt_str(raw.get("note")),
            )
            for raw in self._keyed(value, "sources", "id", self.source_ids, "source id")
        )

    def _zones(self, value: Any) -> tuple[Zone, ...]:
        zones = []
        total = sum(position_count(raw.get("geometry")) for _, raw in _mappings(value))
        if total > MAX_TOTAL_POSITIONS:
            # Before any zone's positions are checked: that work is what the bound saves.
            self.report(
                ("zones",),
                N_("the zones have more than %(limit)s positions together; simplify them"),
                limit=MAX_TOTAL_POSITIONS,
            )
            for index, raw in _mappings(value):  # their ids, for the provisions naming them
                self._unique(self.zone_ids, raw.get("id"), ("zones", index, "id"), "zone id")
            return ()
        for index, raw in _mappings(value):
            path: Path = ("zones", index)
            unique = self._unique(self.zone_ids, raw.get("id"), (*path, "id"), "zone id")
            geometry = raw.get("geometry")
            for message in geojson_problems(geometry):
                self.report(
                    (*path, "geometry"), N_("not valid GeoJSON: %(problem)s"), problem=message
                )
            valid_from = self._instant(raw.get("valid_from"), (*path, "valid_from"))
            valid_until = self._instant(raw.get("valid_until"), (*path, "valid_until"))
            if valid_from and valid_until and valid_until.at <= valid_from.at:
                self.report((*path, "valid_until"), N_("validity ends before it starts"))
            if (
                not unique
                or raw.get("kind") not in _ZONE_KINDS
                or not isinstance(geometry, Mapping)
            ):
                continue
            sources = _strs(raw.get("sources"))
            for i, source in enumerate(sources):
                self._refer((*path, "sources", i), source, self.source_ids, "source")
            if raw.get("kind") == ZoneKind.LINE_OF_CONTACT.value and not sources:
                # No public source gives the 2020 line's coordinates: a drawn one must say
                # where it comes from (and, in precision, how far to trust it).
                self.report((*path, "sources"), N_("a line of contact must cite its sources"))
            construction = raw.get("construction")
            zones.append(
                Zone(
                    id=raw["id"],
                    name=str(raw.get("name", "")),
                    kind=ZoneKind(raw["kind"]),
                    geometry=dict(geometry),
                    precision=str(raw.get("precision", "")),
                    valid_from=valid_from,
                    valid_until=valid_until,
                    construction=dict(construction) if isinstance(construction, Mapping) else None,
                    sources=sources,
                )
            )
        return tuple(zones)

    def _disagreements(self, value: Any) -> tuple[SourceDisagreement, ...]:
        result = []
        for index, raw in _mappings(value):
            path: Path = ("source_disagreements", index)
            known = set(self.provision_ids)
            for i, about in _items(raw.get("about")):
                if isinstance(about, str):
                    self._refer((*path, "about", i), about, known, "provision")
            for i, source in _items(raw.get("sources")):
                if isinstance(source, str):
                    self._refer((*path, "sources", i), source, self.source_ids, "source")
            result.append(
                SourceDisagreement(
                    id=str(raw.get("id", "")),
                    about=_strs(raw.get("about")),
                    description=str(raw.get("description", "")),
                    sources=_strs(raw.get("sources")),
                )
            )
        return tuple(result)

    def _term(self, value: Any) -> Term | None:
        if not isinstance(value, Mapping):
            return None
        path: Path = ("term",)
        zone_name = self._zone(value.get("time_zone"), (*path, "time_zone")) or self.time_zone
        starts = self._date(value.get("starts"), (*path, "starts"))
        length = value.get("length_months")
        notice_months = value.get("notice_months", 0)
        renewal = value.get("renewal_months")
        if isinstance(length, int) and isinstance(notice_months, int) and notice_months >= length:
            self.report((*path, "notice_months"), N_("notice period is not shorter than the term"))
        if isinstance(renewal, int) and isinstance(notice_months, int) and notice_months >= renewal:
            self.report((*path, "notice_months"), N_("notice period is not shorter than a renewal"))
        if renewal is not None and not value.get("automatic_renewal", False):
            self.report((*path, "renewal_months"), N_("renewal_months without automatic_renewal"))
        known = set(self.provision_ids)
        for index, provision_id in _items(value.get("applies_to")):
            if isinstance(provision_id, str):
                self._refer((*path, "applies_to", index), provision_id, known, "provision")
        notices = []
        for index, raw in _mappings(value.get("notices")):
            notice_path = (*path, "notices", index)
            party = raw.get("party")
            if isinstance(party, str):
                self._refer((*notice_path, "party"), party, self.party_codes, "party")
            given = self._instant(raw.get("given"), (*notice_path, "given"))
            if isinstance(party, str) and given is not None:
                notices.append(TermNotice(party=party, given=given, note=_opt_str(raw.get("note"))))
        if starts is None or not isinstance(length, int) or not isinstance(notice_months, int):
            return None
        return Term(
            starts=starts,
            time_zone=zone_name,
            length_months=length,
            automatic_renewal=bool(value.get("automatic_renewal", False)),
            renewal_months=renewal if isinstance(renewal, int) else None,
            notice_months=notice_months,
            notices=tuple(notices),
            applies_to=_strs(value.get("applies_to")),
        )

    def _deadline(self, value: Any, path: Path) -> Deadline | None:
        if not isinstance(value, Mapping):
            return None
        zone_name = self._zone(value.get("time_zone"), (*path, "time_zone")) or self.time_zone
        due = self._date(value.get("due"), (*path, "due"))
        amendments = []
        complete = True
        for index, raw in _items(value.get("amendments")):
            if not isinstance(raw, Mapping):
                complete = False
                continue
            a_path = (*path, "amendments", index)
            previous = self._date(raw.get("previous"), (*a_path, "previous"))
            new_due = self._date(raw.get("due"), (*a_path, "due"))
            decided = self._instant(raw.get("decided"), (*a_path, "decided"))
            requested_by = _opt_str(raw.get("requested_by"))
            if requested_by is not None:
                self._refer((*a_path, "requested_by"), requested_by, self.party_codes, "party")
            decided_by = self._party_refs(raw.get("decided_by"), (*a_path, "decided_by"))
            evidence = self._evidence(raw.get("evidence"), (*a_path, "evidence"))
            if previous is None or new_due is None or decided is None:
                complete = False
                continue
            amendments.append(
                DeadlineAmendment(
                    previous=previous,
                    due=new_due,
                    decided=decided,
                    reason=str(raw.get("reason", "")),
                    requested_by=requested_by,
                    decided_by=decided_by,
                    instrument=_opt_str(raw.get("instrument")),
                    evidence=evidence,
                )
            )
        if due is None:
            return None
        deadline = Deadline(due=due, time_zone=zone_name, amendments=tuple(amendments))
        if complete:
            for message in deadline.chain_problems():
                self.report(
                    (*path, "amendments"), N_("amendment chain: %(problem)s"), problem=message
                )
        return deadline

    def _status_history(self, value: Any, path: Path) -> tuple[StatusChange, ...]:
        history: list[StatusChange] = []
        for index, raw in _mappings(value):
            c_path = (*path, index)
            at = self._instant(raw.get("at"), (*c_path, "at"))
            evidence = self._evidence(raw.get("evidence"), (*c_path, "evidence"))
            status = raw.get("status")
            if at is None or not isinstance(status, str) or status not in _STATUSES:
                continue
            if history and at.at < history[-1].at.at:
                self.report((*c_path, "at"), N_("status changes must be in chronological order"))
            history.append(
                StatusChange(
                    status=ProvisionStatus(status),
                    at=at,
                    evidence=evidence,
                    note=_opt_str(raw.get("note")),
                )
            )
        return tuple(history)

    def _provision(self, raw: Any, path: Path, parent: str | None) -> Provision | None:
        if not isinstance(raw, Mapping):
            return None
        provision_id = raw.get("id")
        if isinstance(provision_id, str):
            if provision_id in self.provision_ids:
                first = self.provision_ids[provision_id]
                self.report(
                    (*path, "id"),
                    N_("duplicate provision id %(value)s (first used at %(first)s)"),
                    value=repr(provision_id),
                    first=render_path(first),
                )
            else:
                self.provision_ids[provision_id] = path
        obligated = self._party_refs(raw.get("obligated"), (*path, "obligated"))
        beneficiaries = self._party_refs(raw.get("beneficiaries"), (*path, "beneficiaries"))
        for index, zone_id in _items(raw.get("zones")):
            if isinstance(zone_id, str):
                self._refer((*path, "zones", index), zone_id, self.zone_ids, "zone")
        disputed = None
        if isinstance(raw.get("disputed"), Mapping):
            dispute = raw["disputed"]
            for index, source in _items(dispute.get("sources")):
                if isinstance(source, str):
                    self._refer(
                        (*path, "disputed", "sources", index), source, self.source_ids, "source"
                    )
            disputed = Dispute(
                note=str(dispute.get("note", "")), sources=_strs(dispute.get("sources"))
            )
        deadline = self._deadline(raw.get("deadline"), (*path, "deadline"))
        history = self._status_history(raw.get("status_changes"), (*path, "status_changes"))
        own_id = provision_id if isinstance(provision_id, str) else None
        parts = tuple(
            p
            for index, part in _items(raw.get("parts"))
            if (p := self._provision(part, (*path, "parts", index), own_id)) is not None
        )
        if raw.get("parts"):
            for key in ("deadline", "status_changes"):
                if raw.get(key):
                    self.report((*path, key), _NOT_ON_PARENT[key])
        quantities = raw.get("quantities")
        if own_id is None or raw.get("kind") not in _PROVISION_KINDS:
            return None
        return Provision(
            id=own_id,
            number=str(raw.get("number", "")),
            title=str(raw.get("title", "")),
            text=str(raw.get("text", "")),
            kind=ProvisionKind(raw["kind"]),
            obligated=obligated,
            beneficiaries=beneficiaries,
            deadline=deadline,
            zones=_strs(raw.get("zones")),
            quantities={
                k: v
                for k, v in quantities.items()
                if isinstance(v, int) and not isinstance(v, bool)
            }
            if isinstance(quantities, Mapping)
            else {},
            disputed=disputed,
            notes=_strs(raw.get("notes")),
            status_history=history,
            parts=parts,
            parent=parent,
        )
