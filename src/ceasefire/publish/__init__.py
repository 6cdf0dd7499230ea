"""Publishing: open-data exports (ACLED, UCDP GED, GeoJSON, HXL, JSON Lines) and the
centre's daily, spot, weekly and monthly reports (HTML and PDF, EN/RU/TR)."""

from dataclasses import replace

from ceasefire.areas import Area

AREA = replace(
    Area.conventional(__name__, payload_rule=True),
    worker="ceasefire.publish.schedule:run_schedule",
    hooks=(("incident_classified", "ceasefire.publish.service:on_incident_classified"),),
)
