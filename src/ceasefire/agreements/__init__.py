"""Agreements: provisions, obligated parties, deadlines and amendments, zones, status over time.

The file format (YAML with line numbers kept, validated against ``agreement.schema.json``)
lives beside the use cases; see docs/agreement-format.md.
"""

from ceasefire.areas import Area

AREA = Area.conventional(__name__, payload_rule=True)
