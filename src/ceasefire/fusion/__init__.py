"""Fusion: reports grouped into incidents automatically (a persistent queue drained on
every intake path), the evidence of each decision, corroboration by independent sources,
and analysts' merge, split and undo. docs/fusion.md."""

from dataclasses import replace

from ceasefire.areas import Area

AREA = replace(
    Area.conventional(__name__, payload_rule=True), intake_worker="ceasefire.fusion.service"
)
