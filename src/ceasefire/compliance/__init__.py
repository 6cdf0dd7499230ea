"""Compliance: the agreements' rules applied to incidents and deadlines, their findings."""

from dataclasses import replace

from ceasefire.areas import Area

AREA = replace(
    Area.conventional(__name__, payload_rule=True),
    # Every change to what an incident is re-evaluates it, in the same unit of work.
    hooks=(
        ("incident_changed", "ceasefire.compliance.service:on_incident_changed"),
        # So does every agreement version loaded and provision status (handover) recorded.
        ("agreement_changed", "ceasefire.compliance.service:on_agreement_changed"),
        # ``ceasefire incident show`` lists the incident's findings.
        ("incident_shown", "ceasefire.compliance.commands:print_incident_findings"),
    ),
)
