"""Publishing: open-data exports (ACLED, UCDP GED, GeoJSON, HXL, JSON Lines) and the
centre's daily, spot, weekly and monthly reports (HTML and PDF, EN/RU/TR)."""

from ceasefire.areas import Area

AREA = Area(
    name="publish",
    tables="ceasefire.publish.tables",
    router="ceasefire.publish.api:router",
    commands="ceasefire.publish.commands:register",
    checker="ceasefire.publish.check:CHECKER",
    payload_rule="ceasefire.publish.check:PAYLOAD_RULE",
    worker="ceasefire.publish.schedule:run_schedule",
)
