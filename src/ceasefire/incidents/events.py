"""Ledger tags of the incidents area: incidents created, grouped, edited, assessed, replied
to, noted, investigated, decided; decision rules.

Tags have the form ``source:subject:action`` (warehouse's audit events). The writer and
the state checker both use these members, so a misspelt tag is an error, not a check
that silently never runs. A tag, once written to a ledger, never changes."""

from enum import StrEnum


class IncidentTag(StrEnum):
    """Every ledger tag the incidents area writes."""

    CREATED = "intake:incident:created"
    REPORTS_ADDED = "intake:incident:reports-added"
    REPORT_REMOVED = "intake:incident:report-removed"
    EDITED = "intake:incident:edited"
    STATUS_CHANGED = "intake:incident:status-changed"
    DECIDED = "intake:incident:decided"
    CLASSIFIED = "intake:incident:classified"
    ASSESSED = "intake:incident:assessed"
    REPLIED = "intake:incident:replied"
    NOTED = "intake:incident:noted"
    TASK_ASSIGNED = "intake:incident:task-assigned"
    TASK_COMPLETED = "intake:incident:task-completed"
    DECISION_RULE_SET = "intake:decision-rule:set"
