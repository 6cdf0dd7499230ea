"""The incremental matcher: each new report joins the open incident it matches best, or
starts a new one. Every decision carries its evidence.

A report is compared with every member of each candidate incident the index returns
(incidents have a handful of reports), and the incident's score is its best member's. Before
that, the report's category is checked against *all* the incident's categories: a shelling
incident that has taken in a civilian casualty cannot then take in a detention through the
casualty, so chains of compatible pairs never join incompatible reports.

Nothing here writes anything: the service stores the links and ledgers the evidence.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ceasefire.fusion.index import SpaceTimeIndex
from ceasefire.fusion.model import (
    DEFAULT_CONFIG,
    EARTH_RADIUS_M,
    MATCHER_NAME,
    FusionReport,
    MatcherConfig,
    PairEvidence,
    category_bit,
    compare,
    incompatible_mask,
    pair_score,
)
from ceasefire.incidents.grouping import CandidateReport, ProposedGroup

_METRES_PER_DEG = math.pi * EARTH_RADIUS_M / 180.0


@dataclass(slots=True)
class OpenIncident:
    """An incident as the matcher holds it: its reports and the bits of their categories."""

    id: str
    members: list[FusionReport] = field(default_factory=list)
    category_bits: int = 0
    latest: float = float("-inf")
    """The end of the widest member window plus its slack (POSIX seconds)."""

    def add(self, report: FusionReport) -> None:
        self.members.append(report)
        self.category_bits |= category_bit(report.category)
        self.latest = max(self.latest, report.end + report.slack)


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one report went and why.

    ``created``: the report starts a new incident; ``evidence`` is then the best pair that
    fell short of the threshold (or ``None`` when no candidate passed the gates). Otherwise
    ``evidence`` is the pair that linked it.
    """

    report_id: str
    incident_id: str
    created: bool
    evidence: PairEvidence | None
    threshold: float
    candidates: int
    matcher: str = MATCHER_NAME

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able record of the decision (what the ledger entry carries)."""
        return {
            "matcher": self.matcher,
            "report_id": self.report_id,
            "incident_id": self.incident_id,
            "decision": "new_incident" if self.created else "linked",
            "threshold": self.threshold,
            "candidates": self.candidates,
            "evidence": self.evidence.to_dict() if self.evidence else None,
        }


class IncidentMatcher:
    """Matches reports, one at a time, against the open incidents it holds."""

    name = MATCHER_NAME

    def __init__(
        self,
        config: MatcherConfig = DEFAULT_CONFIG,
        *,
        new_incident_id: Callable[[int], str] | None = None,
    ) -> None:
        self.config = config
        self._new_id = new_incident_id or (lambda number: f"incident-{number}")
        self._index = SpaceTimeIndex()
        self._incidents: dict[int, OpenIncident] = {}
        self._numbers: dict[str, int] = {}
        self._next = 0

    @property
    def open_incidents(self) -> int:
        """How many incidents are held (not yet forgotten)."""
        return len(self._incidents)

    def add_incident(self, incident_id: str, reports: Iterable[FusionReport]) -> None:
        """Hold an incident that already exists (e.g. loaded from the database)."""
        number = self._open(incident_id)
        for report in reports:
            self._link(report, number)

    def best_match(self, report: FusionReport) -> tuple[str | None, PairEvidence | None, int]:
        """The incident ``report`` matches best, the evidence, and how many incidents were
        compared. The incident is ``None`` when the best score is under the threshold, or
        when a second incident scores within the ambiguity margin of the best."""
        config = self.config
        best_score = float("-inf")
        best_member: FusionReport | None = None
        best_number = -1
        runner_up = float("-inf")
        forbidden = incompatible_mask(report.category)
        compared = 0
        low, high = report.start - report.slack, report.end + report.slack
        has_point = report.has_point
        lat, lon = report.lat or 0.0, report.lon or 0.0
        metres_per_lon = _METRES_PER_DEG * math.cos(math.radians(lat))
        # Sorted: ties go to the older incident, whatever the order of the set.
        for number in sorted(self._index.candidates(report)):
            incident = self._incidents.get(number)
            if incident is None or incident.category_bits & forbidden:
                continue
            compared += 1
            incident_score = float("-inf")
            incident_member: FusionReport | None = None
            for member in incident.members:
                # The time gate, inline: most candidates of a bucket fail it.
                if member.start - member.slack > high or member.end + member.slack < low:
                    continue
                if has_point and member.has_point:
                    # The place gate, inline and flat (1 % of slack covers the difference
                    # from the great circle at these distances): most of a box is too far.
                    dy = (member.lat - lat) * _METRES_PER_DEG  # type: ignore[operator]
                    dx = (member.lon - lon) * metres_per_lon  # type: ignore[operator]
                    reach = (report.radius + member.radius) * 1.01
                    if dx * dx + dy * dy > reach * reach:
                        continue
                score = pair_score(report, member, config)
                if score > incident_score:
                    incident_score, incident_member = score, member
            if incident_member is None:
                continue
            if incident_score > best_score:
                runner_up = best_score
                best_score, best_member, best_number = incident_score, incident_member, number
            elif incident_score > runner_up:
                runner_up = incident_score
        if best_member is None:
            return None, None, compared
        evidence = compare(report, best_member, config)
        if best_score < config.threshold or best_score - runner_up < config.ambiguity_margin:
            return None, evidence, compared
        return self._incidents[best_number].id, evidence, compared

    def assign(self, report: FusionReport) -> Assignment:
        """Link ``report`` to its best incident, or open a new one for it."""
        incident_id, evidence, compared = self.best_match(report)
        created = incident_id is None
        if incident_id is None:
            number = self._open(self._new_id(self._next))
            incident_id = self._incidents[number].id
        else:
            number = self._numbers[incident_id]
        self._link(report, number)
        return Assignment(
            report.id, incident_id, created, evidence, self.config.threshold, compared
        )

    def forget_before(self, instant: float) -> None:
        """Close incidents no report from ``instant`` (POSIX seconds) on could join.

        An incident whose members' windows, widened by their slack, all end before
        ``instant`` is dropped, and so are the index buckets before it.
        """
        self._index.forget_before(instant)
        stale = [n for n, incident in self._incidents.items() if incident.latest < instant]
        for number in stale:
            del self._numbers[self._incidents.pop(number).id]

    def _open(self, incident_id: str) -> int:
        number = self._next
        self._next += 1
        self._incidents[number] = OpenIncident(incident_id)
        self._numbers[incident_id] = number
        return number

    def _link(self, report: FusionReport, number: int) -> None:
        self._incidents[number].add(report)
        self._index.add(report, number)


def fuse(
    reports: Iterable[FusionReport], config: MatcherConfig = DEFAULT_CONFIG
) -> list[Assignment]:
    """Assign every report in the given order (a fresh matcher)."""
    matcher = IncidentMatcher(config)
    return [matcher.assign(report) for report in reports]


def grouping(assignments: Iterable[Assignment]) -> list[tuple[str, ...]]:
    """The groups of report ids the assignments make, in order of their first report."""
    groups: dict[str, list[str]] = {}
    for item in assignments:
        groups.setdefault(item.incident_id, []).append(item.report_id)
    return [tuple(g) for g in groups.values()]


def arrival_order(reports: Iterable[FusionReport]) -> list[FusionReport]:
    """Reports in a canonical order: by window start, end, then id.

    A batch (an imported file, a backfill) is fused in this order, so its grouping does not
    depend on the order of the rows.
    """
    return sorted(reports, key=lambda r: (r.start, r.end, r.id))


class FusionGrouper:
    """``fusion.matcher.v1`` behind the ``IncidentGrouper`` seam of the intake package.

    ``view`` turns a candidate into the matcher's view; the default has no administrative
    areas and no submitter (the service passes one that resolves them).
    """

    name = MATCHER_NAME

    def __init__(
        self,
        config: MatcherConfig = DEFAULT_CONFIG,
        *,
        view: Callable[[CandidateReport], FusionReport] | None = None,
    ) -> None:
        self.config = config
        self._view = view or (lambda c: FusionReport.from_content(c.id, c.content))

    def propose(self, reports: Sequence[CandidateReport]) -> list[ProposedGroup]:
        """One group per incident the matcher forms, in canonical order."""
        matcher = IncidentMatcher(self.config)
        assignments = [matcher.assign(r) for r in arrival_order(self._view(c) for c in reports)]
        reasons: dict[str, list[str]] = {}
        for item in assignments:
            if item.created:
                reasons[item.incident_id] = []
            elif item.evidence is not None:
                reasons[item.incident_id].append(
                    f"{item.report_id}~{item.evidence.other_id} {item.evidence.score:.2f}"
                )
        return [
            ProposedGroup(
                group,
                self.name,
                "; ".join(reasons[incident]) if reasons[incident] else "no match",
            )
            for incident, group in zip(
                dict.fromkeys(a.incident_id for a in assignments),
                grouping(assignments),
                strict=True,
            )
        ]
