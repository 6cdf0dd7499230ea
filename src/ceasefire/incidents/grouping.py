"""Grouping reports into incidents by hand.

An ``IncidentGrouper`` proposes groups of reports that describe one event. An incident made
or extended through the incidents service is grouped by hand (``ManualGrouper``: the
monitor names the reports); automatic grouping is fusion's, which assigns the queued
reports itself (``fusion.service``, on intake). A grouper has a versioned name
(``"manual.v1"``), recorded with the incident in the ledger, so a stored grouping always
says what produced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.reports.model import ReportContent


@dataclass(frozen=True, slots=True)
class CandidateReport:
    """What a grouper sees of a report."""

    id: str
    content: ReportContent


@dataclass(frozen=True, slots=True)
class ProposedGroup:
    """Reports a grouper thinks describe one event, and why."""

    report_ids: tuple[str, ...]
    grouper: str
    reason: str


class IncidentGrouper(Protocol):
    """Proposes groups among candidate reports; never writes anything."""

    name: str

    def propose(self, reports: Sequence[CandidateReport]) -> list[ProposedGroup]: ...


class ManualGrouper:
    """The groups a person chose: every named report must be among the candidates."""

    name = "manual.v1"

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self.groups = [tuple(dict.fromkeys(g)) for g in groups]

    def propose(self, reports: Sequence[CandidateReport]) -> list[ProposedGroup]:
        known = {r.id for r in reports}
        problems = []
        for index, group in enumerate(self.groups):
            if not group:
                problems.append(problem(f"groups.{index}", N_("a group needs at least one report")))
            problems += [
                problem("report_ids", N_("unknown report %(rid)s"), rid=repr(rid))
                for rid in group
                if rid not in known
            ]
        if problems:
            raise InvalidInput.worded(N_("cannot group these reports"), details=problems)
        return [ProposedGroup(g, self.name, "chosen by hand") for g in self.groups]
