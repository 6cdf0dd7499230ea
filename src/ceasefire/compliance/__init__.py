"""Compliance: the agreements' rules applied to incidents and deadlines, their findings."""

from dataclasses import replace

from ceasefire.areas import Area

AREA = replace(
    Area.conventional(__name__),
    # Every change to what an incident is re-evaluates it, in the same unit of work.
    hooks=(
        ("incident_changed", "ceasefire.compliance.service:on_incident_changed"),
        # ``ceasefire incident show`` lists the incident's findings.
        ("incident_shown", "ceasefire.compliance.commands:print_incident_findings"),
    ),
)
