"""Incidents: reports grouped, assessed jointly (dissent kept), replied to, investigated."""

from ceasefire.areas import Area

AREA = Area.conventional(__name__, payload_rule=True)
