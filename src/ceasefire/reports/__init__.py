"""Reports: observations, party complaints, sensor detections and CSV imports (intake)."""

from ceasefire.areas import Area

AREA = Area(
    name="reports",
    tables="ceasefire.reports.tables",
    router="ceasefire.reports.api:router",
    commands="ceasefire.reports.commands:register",
    checker="ceasefire.reports.check:CHECKER",
    payload_rule="ceasefire.reports.check:PAYLOAD_RULE",
)
