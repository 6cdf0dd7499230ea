"""Agreements: provisions, obligated parties, deadlines and amendments, zones, status over time.

The file format (YAML with line numbers kept, validated against ``agreement.schema.json``)
lives beside the use cases; see docs/agreement-format.md.
"""

from ceasefire.areas import Area

AREA = Area(
    name="agreements",
    tables="ceasefire.agreements.tables",
    router="ceasefire.agreements.api:router",
    commands="ceasefire.agreements.commands:register",
    checker="ceasefire.agreements.check:CHECKER",
)
