"""Fusion: reports grouped into incidents automatically (a persistent queue drained on
every intake path), the evidence of each decision, corroboration by independent sources,
and analysts' merge, split and undo. docs/fusion.md."""

from ceasefire.areas import Area

AREA = Area(
    name="fusion",
    tables="ceasefire.fusion.tables",
    router="ceasefire.fusion.api:router",
    commands="ceasefire.fusion.commands:register",
    checker="ceasefire.fusion.check:CHECKER",
    payload_rule="ceasefire.fusion.check:PAYLOAD_RULE",
    intake_worker="ceasefire.fusion.service",
)
