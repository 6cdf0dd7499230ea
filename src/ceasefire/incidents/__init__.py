"""Incidents: reports grouped, assessed jointly (dissent kept), replied to, investigated."""

from ceasefire.areas import Area

AREA = Area(
    name="incidents",
    tables="ceasefire.incidents.tables",
    router="ceasefire.incidents.api:router",
    commands="ceasefire.incidents.commands:register",
    checker="ceasefire.incidents.check:CHECKER",
)
