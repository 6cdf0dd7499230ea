"""Reports: observations, party complaints, sensor detections and CSV imports (intake)."""

from ceasefire.areas import Area

AREA = Area.conventional(__name__, payload_rule=True)
